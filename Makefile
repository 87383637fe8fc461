# kling-edge — `make demo` and `make test` work on a fresh machine: each bootstraps first.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
# Tests stay on loopback: no wrangler update check (its banner) and no metrics.
export WRANGLER_HIDE_BANNER := true
export WRANGLER_SEND_METRICS := false

SOURCES := $(shell find src pkg-template -type f) Cargo.toml Cargo.lock scripts/build-pkg

.PHONY: all bootstrap build demo test lint test-native test-sim test-wasm test-e2e test-package test-runtimes test-worker test-reliability clean

all: build

bootstrap:
	@scripts/bootstrap

## build: the npm package into pkg/
build: bootstrap pkg/package.json

pkg/package.json: $(SOURCES)
	@scripts/build-pkg

EXAMPLE_DEPS := examples/node/node_modules/.package-lock.json

$(EXAMPLE_DEPS): examples/node/package.json examples/node/package-lock.json
	@npm ci --prefix examples/node --no-audit --no-fund --loglevel=error

## demo: builds a 20-second video (text2video + 3 chained extensions) on the simulator
demo: build $(EXAMPLE_DEPS)
	@node examples/node/demo.mjs

## test: every test — lint, native core, simulator, wasm boundary (Node, Chromium page and worker),
## end to end, packaging gates, every runtime, the edge function
test: bootstrap lint test-native test-sim test-wasm test-e2e test-package test-runtimes test-worker test-reliability

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings

test-native:
	cargo test --quiet

test-sim:
	node --test sim/test/

test-wasm:
	@scripts/test-wasm

test-e2e: build $(EXAMPLE_DEPS)
	node --test tests/e2e/

test-package: build
	@scripts/check-package

test-runtimes: build
	@scripts/test-runtimes

WORKER_DEPS := examples/worker/node_modules/.package-lock.json

$(WORKER_DEPS): examples/worker/package.json examples/worker/package-lock.json
	@npm ci --prefix examples/worker --no-audit --no-fund --loglevel=error

test-worker: build $(WORKER_DEPS)
	node --test tests/worker/

## test-reliability: the fault matrix, the randomized no-double-charge run, clock skew
test-reliability: build
	node --test tests/reliability/
	@scripts/reliability-report

clean:
	rm -rf pkg .tmp target
