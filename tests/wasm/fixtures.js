// Test doubles for the wasm boundary tests: a scripted fetch that records every call.

export function scriptedFetch(script) {
  const calls = [];
  // A strict function: `this` must be undefined, as a platform fetch requires of its callers.
  const fetch = async function (url, init) {
    "use strict";
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

export async function collect(iterable) {
  const out = [];
  for await (const x of iterable) out.push(x);
  return out;
}

export function isBrowserPage() {
  return typeof window !== "undefined" && typeof window.document !== "undefined";
}
