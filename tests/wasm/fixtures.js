// Test doubles for the wasm boundary tests: a scripted fetch that records every call.

export function scriptedFetch(script) {
  const calls = [];
  // A strict function: `this` must be undefined, as a platform fetch requires of its callers.
  const fetch = async function (url, init) {
    if (this !== undefined) throw new TypeError("Illegal invocation");
    calls.push({ url, method: init.method, headers: init.headers, body: init.body });
    const next = script.shift();
    if (!next) throw new Error("scripted fetch: no response left");
    if (next.throwMessage) throw new TypeError(next.throwMessage);
    const headers = { "content-type": "application/json", ...(next.headers || {}) };
    return new Response(typeof next.body === "string" ? next.body : JSON.stringify(next.body), { status: next.status || 200, headers });
  };
  return { fetch, calls };
}

export function envelope(data) {
  return { code: 0, message: "SUCCEED", request_id: "req-ok", data };
}

export function abortedSignal() {
  const c = new AbortController();
  c.abort();
  return c.signal;
}

export function isKlingError(e) {
  return e instanceof Error && e.name === "KlingError" && typeof e.stack === "string" && typeof e.code === "string";
}

export function jsonStringify(v) {
  return JSON.stringify(v);
}

/** `object[method](...args)`: drives a client's resources from Rust tests. */
export function invoke(object, method, ...args) {
  return object[method](...args);
}

export async function collect(iterable) {
  const out = [];
  for await (const x of iterable) out.push(x);
  return out;
}

/** A page or a worker inside a browser (the suite runs in Node, a Chromium page and a Chromium worker). */
export function inBrowser() {
  return typeof navigator !== "undefined" && /Chrom(e|ium)\//.test(navigator.userAgent) && typeof process === "undefined";
}

/** Values that break naive conversions: cycles, BigInt, symbols, functions, odd objects. */
export function hostileValues() {
  const cyclic = { video_id: "v" };
  cyclic.self = cyclic;
  const getterThrows = Object.defineProperty({}, "video_id", {
    enumerable: true,
    get() {
      throw new Error("boom");
    },
  });
  const proxy = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error("no keys");
      },
    },
  );
  return [
    undefined,
    null,
    0,
    -1,
    NaN,
    Infinity,
    1n,
    true,
    "",
    "x".repeat(100_000),
    Symbol("s"),
    () => {},
    [],
    [[[[]]]],
    new Uint8Array(8),
    new Date(0),
    new Map(),
    cyclic,
    getterThrows,
    proxy,
    { video_id: 1n },
    { video_id: Symbol("s") },
    { video_id: "v", cfg_scale: 1e308 * 10 },
    { video_id: "v", prompt: "\u0000\uffff\ud800" },
    { prompts: "not an array", video_id: "v" },
    { pageNum: "1" },
    { pageSize: -0 },
    { signal: {} },
    { onProgress: 5 },
    { fetch: "nope" },
    { token: 42 },
    { accessKey: {}, secretKey: [] },
    { baseUrl: "http://" },
    { timeoutMs: 1e300 },
    // Option bags are read in one crossing each: a throwing getter, a key that looks like a list.
    Object.defineProperty({}, "now", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    }),
    Object.defineProperty({}, "timeoutMs", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    }),
    { "now,ttlSeconds": 1 },
    { "timeoutMs,maxRetries": 1 },
  ];
}

/** Option bags whose values the fast path cannot take as they are. */
export function oddSignOptions() {
  return [
    [{ "now,ttlSeconds": 1 }, "unknown option `now,ttlSeconds`"],
    [{ now: "1999998200" }, "option `now` must be a number"],
    [{ now: NaN }, "not a finite number"],
    [{ ttlSeconds: null, now: undefined }, null],
    [
      Object.defineProperty({}, "now", {
        enumerable: true,
        get() {
          throw new Error("boom");
        },
      }),
      "option `now` cannot be read",
    ],
  ];
}
