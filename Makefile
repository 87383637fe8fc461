# kling-edge — `make demo` and `make test` work on a fresh machine: each bootstraps first.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
# Tests stay on loopback: no wrangler update check (its banner) and no metrics.
export WRANGLER_HIDE_BANNER := true
export WRANGLER_SEND_METRICS := false

SOURCES := $(shell find src pkg-template mp4/src -type f) mp4/Cargo.toml Cargo.toml Cargo.lock scripts/build-pkg scripts/nightly-version \
	scripts/patch-glue.mjs scripts/short-names.mjs scripts/entries.mjs scripts/package-json.mjs scripts/check-built.mjs
EXAMPLE_DEPS := examples/node/node_modules/.package-lock.json
WORKER_DEPS := worker/node_modules/.package-lock.json

.PHONY: all bootstrap build demo test lint test-native test-sim test-wasm test-e2e test-package \
	test-runtimes test-worker test-reliability test-www soak docs screenshots fuzz bench bench-build size-profile call-profile clean

all: build

bootstrap:
	@scripts/bootstrap

## build: the npm package into pkg/
build: bootstrap pkg/package.json

pkg/package.json: $(SOURCES)
	@scripts/build-pkg

# The example and the service depend on the package through a file: link; their lockfiles are committed.
$(EXAMPLE_DEPS): examples/node/package.json examples/node/package-lock.json
	@npm ci --prefix examples/node --no-audit --no-fund --loglevel=error

$(WORKER_DEPS): worker/package.json worker/package-lock.json
	@npm ci --prefix worker --no-audit --no-fund --loglevel=error

## demo: the Node example builds a 20-second video (text2video + 3 chained extensions), then the
## demo page is served by the local edge function until Ctrl-C (simulator, or the real API with keys)
demo: build $(EXAMPLE_DEPS) $(WORKER_DEPS)
	@node examples/node/demo.mjs
	@node www/serve.mjs

## test: every test. Tests write only to .tmp/ (and the ignored pkg/, target/, node_modules/):
## committed docs are refreshed by `make docs` and `make screenshots`
test: bootstrap lint test-native test-sim test-wasm test-e2e test-package test-runtimes \
	test-worker test-reliability test-www test-mp4

## lint: Rust (rustfmt, clippy natively and for wasm32, and the fuzz targets, so they build with the
## core they fuzz), no import circle among src/ files (tests/layering.rs), and every JS/TS/JSON
## file (Biome: format + lint)
lint:
	biome check .
	cargo fmt --all --check
	cargo fmt --manifest-path fuzz/Cargo.toml --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --workspace --target wasm32-unknown-unknown --all-targets -- -D warnings
	cargo clippy --manifest-path fuzz/Cargo.toml --bins -- -D warnings
	cargo test --quiet --test layering

## test-native: the core against a scripted host and a frozen clock; the clip joiner's plans,
## refusals and (through the ffmpeg of PyPI's imageio-ffmpeg) its joined files
test-native:
	cargo test --workspace --quiet

test-sim:
	node --test sim/test/

## test-wasm: the boundary in Node, a headless-Chromium page and a dedicated worker
test-wasm:
	@scripts/test-wasm

## test-e2e: the built package against the simulator over loopback
test-e2e: build $(EXAMPLE_DEPS)
	node --test tests/e2e/

## test-mp4: kling-edge/mp4 from the built package: join, joinStream (whole and ranged) and refusals
.PHONY: test-mp4
test-mp4: build
	node --test tests/mp4/

## test-package: the build's scripts (glue patch, entry files from pkg-template/exports.json) and
## every entry's exported names; types, publint, @arethetypeswrong/cli
test-package: build
	node --test tests/package/
	@scripts/check-package

## test-runtimes: the packed tarball in Node (import, require), Deno, Bun, workerd, Chromium, Vite, webpack (node, web)
test-runtimes: build
	@scripts/test-runtimes

## test-worker: the edge service's deploy dry run, then the service in Miniflare against the simulator
test-worker: build $(WORKER_DEPS)
	cd worker && wrangler deploy --dry-run --outdir ../.tmp/worker-dry-run
	node --test tests/worker/

## soak: ten minutes of mixed users against the service (creates, chains, a resume, bad tokens,
## forged callbacks, a restart); the books must balance (`SOAK_SECONDS=60 make soak` for a minute)
soak: build $(WORKER_DEPS)
	node tests/worker/soak.mjs $${SOAK_SECONDS:-600}

## test-reliability: the fault matrix, the randomized no-double-charge run, clock skew (report:
## .tmp/reliability/reliability.md)
test-reliability: build
	node --test tests/reliability/
	@scripts/reliability-report --out .tmp/reliability/reliability.md

## test-www: the demo page in headless Chromium against the demo's servers (screenshots: .tmp/screenshots)
test-www: build $(WORKER_DEPS)
	node --test tests/www/

## docs: run the runtime matrix and the reliability suite, then write their results into the
## committed docs: docs/runtimes.md's runtime table and docs/reliability.md (the table even when a runtime fails)
docs: build
	@status=0; scripts/test-runtimes || status=$$?; \
	  scripts/runtime-table .tmp/runtimes/results.json docs/runtimes.md; exit $$status
	node --test tests/reliability/
	@scripts/reliability-report

## screenshots: refresh the committed screenshots in docs/screenshots
screenshots: build $(WORKER_DEPS)
	SCREENSHOTS_DIR=docs/screenshots node --test tests/www/

## fuzz: each fuzz target for 10 minutes (`scripts/fuzz --smoke` for 20 s each)
fuzz:
	@scripts/fuzz

## bench: one run, one table (printed and written to bench/RESULTS.md); `scripts/bench --only sign`
bench: build $(WORKER_DEPS)
	@scripts/bench --write

## bench-build: each rustc opt-level × wasm-opt preset, sized and timed (bench/BUILD-OPTIONS.md; several minutes)
bench-build: bootstrap
	@node bench/build-options.mjs

## size-profile: the largest functions of the shipped .wasm and the bytes per crate
size-profile: build
	@node bench/size-profile.mjs

## call-profile: where one extensions.get spends its time without a network (µs, calls into JS, CPU profile)
call-profile: build
	@node bench/call-profile.mjs

clean:
	rm -rf pkg .tmp target
