// No error message, stack, property, inspection or JSON of the client, and no log line, ever holds
// the secret key, the API key or a whole token — across every error path.

import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { KlingClient, SOURCE, signToken, startSim, verifyCallback } from "./support.mjs";

const AK = "ak-secret-scan";
const SK = "sk-SUPER-SECRET-never-print-me";
const API_KEY = "apikey-SUPER-SECRET-never-print-me";
const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}/;

function leaks(text) {
  const found = [];
  if (text.includes(SK)) found.push("secret key");
  if (text.includes(API_KEY)) found.push("API key");
  if (JWT.test(text)) found.push("a whole token");
  return found;
}

/** Every way a user might print an error or a client. */
function renderings(value) {
  const own = Object.getOwnPropertyNames(value).map((k) => `${k}=${String(value[k])}`);
  return [String(value), inspect(value, { depth: 5, showHidden: true }), JSON.stringify(value) ?? "", value.stack ?? "", ...own];
}

async function caught(promiseOrFn) {
  try {
    await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
  } catch (e) {
    return e;
  }
  return null;
}

test("no error path, client rendering or log line reveals a secret", async (t) => {
  const sim = await startSim({ accessKey: AK, secretKey: SK, apiKey: API_KEY, timing: { submittedMs: 20, processingMs: 40 } });
  t.after(() => sim.close());
  const logged = [];
  const original = { log: console.log, warn: console.warn, error: console.error, info: console.info, debug: console.debug };
  for (const level of Object.keys(original)) console[level] = (...args) => logged.push(args.map((a) => inspect(a)).join(" "));
  t.after(() => Object.assign(console, original));

  const keys = new KlingClient({ accessKey: AK, secretKey: SK, baseUrl: sim.url, maxRetries: 0 });
  const apiKey = new KlingClient({ apiKey: API_KEY, baseUrl: sim.url, maxRetries: 0 });
  const token = signToken(AK, SK);
  const tokened = new KlingClient({ token, baseUrl: sim.url, maxRetries: 0 });
  const wrongKey = new KlingClient({ accessKey: AK, secretKey: `${SK}x`, baseUrl: sim.url, maxRetries: 0 });
  const wrongApiKey = new KlingClient({ apiKey: `${API_KEY}x`, baseUrl: sim.url, maxRetries: 0 });
  const expired = new KlingClient({ token: signToken(AK, SK, { now: 1_000_000_000 }), baseUrl: sim.url, maxRetries: 0 });
  const provider = new KlingClient({
    token: () => {
      throw new Error(`cannot mint: ${SK}`.replace(SK, "…"));
    },
    baseUrl: sim.url,
  });

  const errors = [];
  const add = (e, what) => {
    assert.ok(e, `${what} should have failed`);
    errors.push([what, e]);
  };
  // Options
  add(await caught(() => new KlingClient({ accessKey: AK, secretKey: SK, apiKey: API_KEY })), "two credential forms");
  add(await caught(() => new KlingClient({ secretKey: SK })), "secret key alone");
  add(await caught(() => new KlingClient({ apiKey: API_KEY, baseUrl: "ftp://x" })), "bad baseUrl");
  add(await caught(() => new KlingClient({ apiKey: API_KEY, tiemoutMs: 1 })), "unknown option");
  add(await caught(() => signToken(AK, SK, { now: Date.now() })), "signToken with milliseconds");
  // Authentication failures, each credential form
  add(await caught(wrongKey.extensions.list()), "wrong secret key");
  add(await caught(wrongApiKey.extensions.list()), "wrong API key");
  add(await caught(expired.extensions.list()), "expired pre-signed token");
  add(await caught(provider.extensions.list()), "throwing token provider");
  // Every business error code, through each credential form
  for (const client of [keys, apiKey, tokened]) {
    for (const [status, code] of [
      [401, 1000],
      [429, 1102],
      [403, 1103],
      [400, 1201],
      [404, 1203],
      [400, 1301],
      [429, 1302],
      [429, 1303],
      [500, 5000],
      [503, 5001],
      [504, 5002],
    ]) {
      sim.injectFault({ action: { type: "error", status, code, message: `refused (${code})` } });
      add(await caught(client.extensions.get("123")), `code ${code}`);
    }
    for (const type of ["html", "malformed", "truncated", "drop-before", "drop-after"]) {
      sim.injectFault({ action: { type, status: 502 } });
      add(await caught(client.extensions.create({ video_id: SOURCE })), `fault ${type}`);
    }
    sim.injectFault({ action: { type: "hang" } });
    add(await caught(client.extensions.get("123", { timeoutMs: 50 })), "timeout");
    add(await caught(client.extensions.get("123", { signal: AbortSignal.abort() })), "abort");
    add(await caught(client.extensions.create({ video_id: SOURCE, cfg_scale: 7 })), "invalid request");
    add(await caught(client.extensions.createAndWait({ video_id: SOURCE, prompt: "[fail]" }, { pollIntervalMs: 10 })), "failed task");
    add(await caught(client.extensions.createAndWait({ video_id: SOURCE }, { pollIntervalMs: 10, timeoutMs: 1 })), "wait timeout");
    add(
      await caught(client.extensions.chain({ video_id: SOURCE, prompts: ["a", "[fail] b"] }, { pollIntervalMs: 10 })),
      "failed chain step",
    );
  }
  add(
    await caught(() =>
      verifyCallback(
        { "webhook-id": "m", "webhook-timestamp": "1", "webhook-signature": "v1,x" },
        "{}",
        `whsec_${Buffer.from(SK).toString("base64")}`,
      ),
    ),
    "forged callback",
  );

  for (const [what, e] of errors) {
    assert.equal(e.name, "KlingError", `${what}: ${e}`);
    for (const text of renderings(e)) assert.deepEqual(leaks(text), [], `${what} leaks in: ${text.slice(0, 300)}`);
  }
  for (const client of [keys, apiKey, tokened, wrongKey, wrongApiKey, expired, provider]) {
    for (const text of [JSON.stringify(client), String(client), inspect(client, { showHidden: true, depth: 5 })]) {
      assert.deepEqual(leaks(text), [], `a client rendering leaks: ${text.slice(0, 300)}`);
    }
  }
  assert.deepEqual(logged, [], "the package logs nothing");
  console.info = original.info;
  original.log(`secrets: ${errors.length} error paths and 7 clients scanned, ${logged.length} log lines, 0 leaks`);
});

test("no log line at debug, through failures and retries, reveals a secret", async (t) => {
  const sim = await startSim({ accessKey: AK, secretKey: SK, apiKey: API_KEY, timing: { submittedMs: 20, processingMs: 40 } });
  t.after(() => sim.close());
  const lines = [];
  const logger = Object.fromEntries(
    ["error", "warn", "info", "debug"].map((level) => [level, (message, fields) => lines.push([level, message, fields])]),
  );
  const options = { baseUrl: sim.url, logLevel: "debug", logger };
  const clients = [
    new KlingClient({ accessKey: AK, secretKey: SK, ...options }),
    new KlingClient({ apiKey: API_KEY, ...options }),
    new KlingClient({ token: signToken(AK, SK), ...options }),
    new KlingClient({ token: () => signToken(AK, SK), ...options }),
    new KlingClient({ accessKey: AK, secretKey: `${SK}x`, ...options }),
    new KlingClient({ apiKey: `${API_KEY}x`, ...options }),
  ];
  const range = { start_time: 0, end_time: Date.now() };
  for (const client of clients) {
    for (const [status, code] of [
      [429, 1302],
      [500, 5000],
      [400, 1201],
      [429, 1102],
    ]) {
      sim.injectFault({ action: { type: "error", status, code, message: `refused (${code})` }, times: 2 });
      await caught(client.extensions.get("123"));
      // A code that is not retried leaves its second fault unused: it must not meet the next call.
      sim.clearFaults();
    }
    sim.injectFault({ action: { type: "drop-after" } });
    await caught(client.extensions.create({ video_id: SOURCE }));
    sim.injectFault({ action: { type: "hang" } });
    await caught(client.extensions.get("123", { timeoutMs: 50, maxRetries: 1 }));
    sim.clearFaults();
    sim.injectFault({ action: { type: "code-on-200", code: 1302 } });
    await caught(client.account.costs(range));
  }
  // A clock far ahead of the server's: 1003, then a re-signed token and a retry.
  sim.configure({ clockOffsetMs: -120_000 });
  await caught(clients[0].account.costs(range));
  sim.configure({ clockOffsetMs: 0 });

  const levels = new Set(lines.map(([level]) => level));
  assert.deepEqual([...levels].sort(), ["debug", "error", "warn"]);
  for (const [level, message, fields] of lines) {
    for (const text of [message, JSON.stringify(fields), inspect(fields, { depth: 5 })]) {
      assert.deepEqual(leaks(text), [], `a ${level} line leaks: ${text.slice(0, 300)}`);
      assert.ok(!/authorization|bearer/i.test(text), `a ${level} line mentions credentials: ${text.slice(0, 300)}`);
    }
  }
  console.info(`secrets: ${lines.length} log lines at debug scanned, 0 leaks`);
});
