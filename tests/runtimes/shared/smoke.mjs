// The smoke assertions every runtime runs, on the module it imported as "kling-edge".
// Plain ES2022 with no imports: the same file runs in Node, Deno, Bun, workerd and Chromium.
// Copied into each consumer project by scripts/test-runtimes.

// Kling's documented signing vector (tests/e2e/jwt.test.mjs, tests/support/mod.rs).
export const VECTOR_AK = "AXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
export const VECTOR_SK = "SXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
export const VECTOR_NOW = 1999998200;
export const VECTOR_TOKEN =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJBWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWCIsImV4cCI6MjAwMDAwMDAwMCwibmJmIjoxOTk5OTk4MTk1fQ.r7Zf1CUgwSM6tSpYVi6jO60Cczu6GavBu2iUn21lrQo";
// The simulator's default credentials (sim/README.md).
export const SIM_AK = "ak-simulator";
export const SIM_SK = "sk-simulator";
export const SOURCE_VIDEO = "800000000000000001"; // kling-v1-6, 5 s: extendable

/** The check names, in table order. `browserKeys` runs in browsers only. */
export const CHECKS = ["init", "sign", "extend", "error"];

class CheckFailed extends Error {}

function expect(cond, message) {
  if (!cond) throw new CheckFailed(message);
}

function describe(e) {
  if (e instanceof CheckFailed) return e.message;
  if (e && typeof e === "object") {
    const parts = [`${e.name || "Error"}: ${e.message}`];
    if (e.code) parts.push(`code=${e.code}`);
    if (e.field) parts.push(`field=${e.field}`);
    return parts.join(" ");
  }
  return `thrown non-error: ${String(e)}`;
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailed(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function check(what, fn, ms = 15000) {
  const started = Date.now();
  try {
    const detail = await withTimeout(Promise.resolve().then(fn), ms, what);
    return { ok: true, detail: String(detail ?? ""), ms: Date.now() - started };
  } catch (e) {
    return { ok: false, error: describe(e), ms: Date.now() - started };
  }
}

/** The rejection of `promise`, or a CheckFailed if it resolves. */
async function rejectionOf(promise) {
  let value;
  try {
    value = await promise;
  } catch (e) {
    return e;
  }
  throw new CheckFailed(`expected a rejection, got ${JSON.stringify(value)}`);
}

async function simRequests(simUrl) {
  const res = await fetch(`${simUrl}/__sim/requests`);
  expect(res.ok, `GET /__sim/requests answered ${res.status}`);
  return res.json();
}

/**
 * Runs the smoke assertions. `kling` is the module namespace (or require() result) of
 * "kling-edge". In a browser, the client gets a pre-signed token (keys in a page are refused);
 * elsewhere it signs its own tokens from the simulator's keys. `withoutInit`: the consumer imported
 * only `{ KlingClient, signToken }`, as a server bundle does; init then checks that the module works
 * right after import with no init() (importing init would load the entry file and hide a bundler
 * that dropped it).
 * Never throws: resolves `{ checks: {name: {ok, detail | error, ms}}, ok }`.
 */
export async function smoke(kling, { simUrl, browser = false, withoutInit = false }) {
  const checks = {};
  const client = () =>
    browser
      ? new kling.KlingClient({ token: kling.signToken(SIM_AK, SIM_SK), baseUrl: simUrl })
      : new kling.KlingClient({ accessKey: SIM_AK, secretKey: SIM_SK, baseUrl: simUrl });

  checks.init = await check("init", async () => {
    if (withoutInit) {
      expect(kling.init === undefined, "withoutInit, yet init was imported");
      const token = kling.signToken(SIM_AK, SIM_SK); // throws if the wasm was never loaded
      expect(typeof token === "string" && token.split(".").length === 3, `signToken gave ${JSON.stringify(token)}`);
      return "not imported: usable right after import";
    }
    expect(typeof kling.init === "function", `init is ${typeof kling.init}, not a function`);
    if (browser) {
      // Forgetting init() in a browser must say so, not crash inside wasm-bindgen's glue.
      let e;
      try {
        kling.signToken(VECTOR_AK, VECTOR_SK);
      } catch (thrown) {
        e = thrown;
      }
      expect(e !== undefined, "signToken worked before init() in a browser");
      expect(e.name === "KlingError" && e.code === "ERR_KLING_NOT_INITIALIZED", `before init(): ${describe(e)}`);
      expect(e instanceof kling.KlingError, "the not-initialised error is not instanceof KlingError");
      expect(/init\(\)/.test(e.message), `the message does not mention init(): ${e.message}`);
    }
    const first = kling.init();
    expect(first && typeof first.then === "function", "init() did not return a promise");
    const value = await first;
    expect(value === undefined, `init() resolved ${JSON.stringify(value)}, not undefined`);
    await kling.init(); // a second call resolves too
    return browser ? "ERR_KLING_NOT_INITIALIZED before; wasm fetched and instantiated" : "resolves (no-op: loaded at import)";
  });

  checks.sign = await check("sign", () => {
    const token = kling.signToken(VECTOR_AK, VECTOR_SK, { now: VECTOR_NOW });
    expect(token === VECTOR_TOKEN, `signToken gave ${JSON.stringify(token)}, not the vector`);
    return `…${token.slice(-12)}`;
  });

  checks.extend = await check("extend", async () => {
    const seen = [];
    const task = await client().extensions.createAndWait(
      { video_id: SOURCE_VIDEO },
      { pollIntervalMs: 20, timeoutMs: 10000, onProgress: (t) => seen.push(t.task_status) },
    );
    expect(task && task.task_status === "succeed", `task_status is ${task?.task_status}`);
    const video = task.task_result?.videos?.[0];
    expect(video && typeof video.id === "string" && video.id !== SOURCE_VIDEO, "no new video in task_result");
    expect(video.duration === "10", `the extended video lasts ${video.duration} s, not 10`);
    return `task ${task.task_id}: ${[...new Set(seen)].join(" → ")}`;
  });

  checks.error = await check("error", async () => {
    const before = (await simRequests(simUrl)).length;
    const e = await rejectionOf(client().extensions.create({ video_id: "x", cfg_scale: 2 }));
    expect(e instanceof Error, `the rejection is not an Error: ${describe(e)}`);
    expect(e.name === "KlingError", `name is ${JSON.stringify(e.name)}`);
    expect(e instanceof kling.KlingError, "not instanceof the exported KlingError");
    expect(e.code === "ERR_KLING_INVALID_REQUEST", `code is ${JSON.stringify(e.code)}`);
    expect(e.field === "cfg_scale", `field is ${JSON.stringify(e.field)}`);
    expect(typeof e.stack === "string" && e.stack.length > 0, "no stack");
    const after = (await simRequests(simUrl)).length;
    expect(after === before, `${after - before} request(s) reached the simulator; nothing should be sent`);
    return `${e.code} field=${e.field}, nothing sent`;
  });

  if (browser) {
    checks.browserKeys = await check("browserKeys", () => {
      let e;
      try {
        new kling.KlingClient({ accessKey: SIM_AK, secretKey: SIM_SK, baseUrl: simUrl });
      } catch (thrown) {
        e = thrown;
      }
      expect(e !== undefined, "new KlingClient({accessKey, secretKey}) did not throw in a page");
      expect(e instanceof Error && e.name === "KlingError", `threw ${describe(e)}`);
      expect(e.code === "ERR_KLING_INVALID_OPTIONS", `code is ${JSON.stringify(e.code)}`);
      const allowed = new kling.KlingClient({
        accessKey: SIM_AK,
        secretKey: SIM_SK,
        baseUrl: simUrl,
        dangerouslyAllowBrowser: true,
      });
      expect(allowed instanceof kling.KlingClient, "dangerouslyAllowBrowser: true was refused");
      return "keys refused without dangerouslyAllowBrowser";
    });
  }

  const ok = Object.values(checks).every((c) => c.ok);
  return { checks, ok };
}
