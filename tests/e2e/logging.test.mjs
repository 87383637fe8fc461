// logLevel and logger: what is logged at each level, KLING_LOG, and loggers that throw.

import assert from "node:assert/strict";
import { test } from "node:test";
import { clientFor, KlingClient, rejectionOf, startSim } from "./support.mjs";

function capture() {
  const lines = [];
  const logger = Object.fromEntries(
    ["error", "warn", "info", "debug"].map((level) => [level, (message, fields) => lines.push({ level, message, fields })]),
  );
  return { lines, logger };
}

test("debug logs every attempt and retry; warn only retries and failures; error only failures", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const seen = {};
  for (const level of ["off", "error", "warn", "info", "debug"]) {
    const { lines, logger } = capture();
    const kling = clientFor(sim, { logLevel: level, logger });
    sim.injectFault({ action: { type: "error", code: 1302 } });
    await kling.extensions.list();
    sim.injectFault({ action: { type: "error", code: 1203 } });
    await rejectionOf(kling.extensions.get("nope"));
    seen[level] = lines;
  }
  assert.deepEqual(seen.off, []);
  assert.deepEqual(
    seen.error.map((l) => l.level),
    ["error"],
  );
  assert.deepEqual(
    seen.warn.map((l) => l.level),
    ["warn", "error"],
  );
  assert.deepEqual(
    seen.info.map((l) => l.level),
    ["warn", "error"],
  );
  assert.deepEqual(
    seen.debug.map((l) => l.level),
    ["debug", "warn", "debug", "debug", "error"],
  );
  const [first, retry, , , failure] = seen.debug;
  assert.equal(first.fields.method, "GET");
  assert.equal(first.fields.path, "/v1/videos/video-extend?pageNum=1&pageSize=30");
  assert.equal(first.fields.status, 429);
  assert.equal(first.fields.apiCode, 1302);
  assert.equal(typeof first.fields.requestId, "string");
  assert.equal(first.fields.attempt, 1);
  assert.equal(typeof first.fields.durationMs, "number");
  assert.equal(retry.fields.attempt, 2);
  assert.ok(retry.fields.delayMs > 0);
  assert.equal(retry.fields.code, "ERR_KLING_RATE_LIMITED");
  assert.equal(failure.fields.code, "ERR_KLING_NOT_FOUND");
  assert.match(failure.message, /GET \/v1\/videos\/video-extend\/nope .*failed: ERR_KLING_NOT_FOUND/);
});

test("a logger that throws or rejects does not break the call", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const boom = () => {
    throw new Error("logger down");
  };
  const rejecting = async () => {
    throw new Error("async logger down");
  };
  for (const fn of [boom, rejecting]) {
    const kling = clientFor(sim, { logLevel: "debug", logger: { error: fn, warn: fn, info: fn, debug: fn } });
    sim.injectFault({ action: { type: "error", code: 5000 } });
    assert.ok(Array.isArray(await kling.extensions.list()));
  }
});

test("KLING_LOG decides when logLevel is absent; a bad logLevel or logger is refused", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const saved = process.env.KLING_LOG;
  t.after(() => {
    if (saved === undefined) delete process.env.KLING_LOG;
    else process.env.KLING_LOG = saved;
  });
  process.env.KLING_LOG = "debug";
  const env = capture();
  await clientFor(sim, { logger: env.logger }).extensions.list();
  assert.deepEqual(
    env.lines.map((l) => l.level),
    ["debug"],
  );
  const explicit = capture();
  await clientFor(sim, { logger: explicit.logger, logLevel: "off" }).extensions.list();
  assert.deepEqual(explicit.lines, []);
  process.env.KLING_LOG = "loud";
  const ignored = capture();
  await clientFor(sim, { logger: ignored.logger }).extensions.list();
  assert.deepEqual(ignored.lines, []);
  for (const options of [
    { logLevel: "verbose" },
    { logLevel: 3 },
    { logger: {} },
    { logger: { error() {}, warn() {}, info() {} } },
    { logger: "console" },
  ]) {
    assert.throws(
      () => new KlingClient({ baseUrl: sim.url, ...options }),
      (e) => e.code === "ERR_KLING_INVALID_OPTIONS",
    );
  }
});
