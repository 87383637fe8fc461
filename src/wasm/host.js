// The JavaScript half of kling-edge's host: the few operations that are smaller and safer written
// against the platform directly. What the Rust side calls for an outcome returns (or resolves) it
// as a plain value and never throws or rejects, so the Rust side maps outcomes without catching
// exceptions; the protocol wrappers handed to the caller (`pagePromise`, `asyncIterable`) pass the
// wasm's own rejections through.

/** The error every kling-edge failure is: a real Error with a stable `code`. */
export class KlingError extends Error {
  constructor(code, message, fields) {
    super(message);
    this.name = "KlingError";
    this.code = code;
    for (const [key, value] of Object.entries(fields)) this[key] = value;
  }
}

export function makeError(code, message, fields) {
  return new KlingError(code, message, fields);
}

// A page: the test openai-node uses (Node, Deno, Bun and Workers have no window.document). A
// browser's dedicated, shared or service worker has no document either, yet whoever opens the page
// can read what it holds: a WorkerGlobalScope with importScripts, which Deno's, Bun's, Node's and
// Cloudflare's workers are not.
export function isBrowser() {
  if (typeof window !== "undefined" && typeof window.document !== "undefined" && typeof navigator !== "undefined") return true;
  if (typeof WorkerGlobalScope === "undefined" || !(globalThis instanceof WorkerGlobalScope)) return false;
  if (typeof importScripts !== "function" || typeof Deno !== "undefined" || typeof Bun !== "undefined") return false;
  if (typeof process !== "undefined" && process.versions && process.versions.node) return false;
  return typeof navigator === "undefined" || navigator.userAgent !== "Cloudflare-Workers";
}

export function globalFetch() {
  return typeof globalThis.fetch === "function" ? globalThis.fetch : undefined;
}

/** Whether this runtime decodes a video frame itself: a page, with `<video>` and a canvas. */
export function decodesFrames() {
  return typeof document !== "undefined" && typeof HTMLVideoElement !== "undefined" && typeof document.createElement === "function";
}

/**
 * The last frame of the clip at `url`, from the `lastFrame` hook, else decoded here, as an image
 * URL or raw base64 (what Kling takes as an image). Resolves `{kind: "ok", token: frame}`, or
 * `{kind: "invalid", message}` saying why there is none.
 */
export async function lastFrame(hook, url) {
  try {
    const frame = hook ? await hook(url) : await decodeLastFrame(url);
    return { kind: "ok", token: await imageText(frame) };
  } catch (e) {
    const why = e?.name === "SecurityError" ? "its server does not allow reading its pixels (CORS)" : String(e?.message ?? e);
    return { kind: "invalid", message: `the last frame of the clip ${url} could not be read: ${why}` };
  }
}

/** An image as Kling takes it: a URL or raw base64 stays as it is; a data URL, a Blob or bytes become base64. */
async function imageText(frame) {
  if (typeof frame === "string") {
    const data = /^data:[^,]*;base64,/.exec(frame);
    return data ? frame.slice(data[0].length) : frame;
  }
  let bytes;
  if (typeof Blob !== "undefined" && frame instanceof Blob) bytes = new Uint8Array(await frame.arrayBuffer());
  else if (frame instanceof ArrayBuffer) bytes = new Uint8Array(frame);
  else if (ArrayBuffer.isView(frame)) bytes = new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  else
    throw new TypeError(
      `the lastFrame hook returned ${frame === null ? "null" : typeof frame}; expected an image URL, base64, a Blob or bytes`,
    );
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/**
 * Resolves once `video` presents a frame at `time` or later, or after 2 s (or at once where
 * `requestVideoFrameCallback` is missing): the canvas then draws that frame, not an earlier one.
 */
function presentedFrom(video, time) {
  if (typeof video.requestVideoFrameCallback !== "function") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2000);
    const check = (_now, frame) => {
      if (frame.mediaTime >= time) resolve(clearTimeout(timer));
      else video.requestVideoFrameCallback(check);
    };
    video.requestVideoFrameCallback(check);
  });
}

/** The clip's last frame as a JPEG data URL: `<video>` seeks to its end, a canvas draws it. */
async function decodeLastFrame(url) {
  const video = document.createElement("video");
  video.crossOrigin = "anonymous";
  video.muted = true;
  video.preload = "auto";
  const next = (type) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} within 60 s`)), 60_000);
      video.addEventListener(type, () => resolve(clearTimeout(timer)), { once: true });
      video.addEventListener("error", () => reject(new Error(video.error?.message || "the clip could not be loaded")), { once: true });
    });
  try {
    const loaded = next("loadeddata");
    video.src = url;
    await loaded;
    // `seeked` may come before the frame sought is the one presented (a busy decoder still shows
    // the keyframe before it): where the browser reports presented frames, wait for one at the end.
    const end = video.duration;
    const presented = presentedFrom(video, end - 0.25);
    const seeked = next("seeked");
    // Any time inside the last frame shows it; the very end may show nothing in some players.
    video.currentTime = Math.max(0, end - 0.001);
    await seeked;
    await presented;
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    return canvas.toDataURL("image/jpeg", 0.92);
  } finally {
    video.removeAttribute("src");
    video.load();
  }
}

/**
 * The caller's parameters as plain data: a copy made through JSON, so the wasm reads an object
 * that cannot throw (a getter, a Proxy), loop (a cycle) or change under it, and holds exactly
 * what will be sent. What JSON would silently change (NaN to null, a dropped function) is
 * refused instead: returns `{[UNSENDABLE]: message, key}` then (read by `unsendable`), `key` being
 * the top-level field at fault.
 */
export function plainParams(value) {
  if (value === undefined || value === null) return value;
  let top;
  try {
    const text = JSON.stringify(value, function (key, v) {
      if (this === value || top === undefined) top = key;
      if (typeof v === "number" && !Number.isFinite(v)) throw new TypeError(`\`${key}\` is ${v}, not a finite number`);
      if (typeof v === "bigint") throw new TypeError(`\`${key}\` is a BigInt; use a number`);
      if (typeof v === "function" || typeof v === "symbol") throw new TypeError(`\`${key}\` is a ${typeof v}, not a JSON value`);
      return v;
    });
    return text === undefined ? undefined : JSON.parse(text);
  } catch (e) {
    return { [UNSENDABLE]: String(e?.message ? e.message : e), key: top || undefined };
  }
}

const UNSENDABLE = Symbol("unsendable");

/** Checked parameters as they are sent: a copy without `null` members (a null means "not given"). */
export function withoutNulls(value) {
  return JSON.parse(JSON.stringify(value, (_key, v) => (v === null ? undefined : v)));
}

/**
 * An options object's own enumerable properties, copied one level deep (functions and the logger
 * stay as they are), so the wasm reads values that cannot throw under it; `{[UNSENDABLE]: message,
 * key}` when a property cannot be read (a throwing getter, a Proxy), and non-objects as they are.
 */
export function plainOptions(value) {
  if (value === null || typeof value !== "object") return value;
  const copy = {};
  let key;
  try {
    for (key of Object.keys(value)) copy[key] = value[key];
  } catch (e) {
    return { [UNSENDABLE]: `option \`${key}\` cannot be read (${String(e?.message ? e.message : e)})`, key };
  }
  return copy;
}

/** Why `plainParams` or `plainOptions` refused a value (its message), if it did; else undefined. */
export function unsendable(copy) {
  return copy !== null && typeof copy === "object" ? copy[UNSENDABLE] : undefined;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. Always clears its timer. */
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      if (signal) signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Reads a response body as text, giving up as soon as it passes `maxBytes` (resolves undefined
 * then), so a runaway body costs at most that much memory. Resolves `[text, bytes]`.
 */
async function readCapped(response, maxBytes) {
  const length = response.headers.get("content-length");
  const declared = length === null ? Number.NaN : Number(length);
  if (Number.isFinite(declared) && declared > maxBytes) return undefined;
  const encoded = (response.headers.get("content-encoding") ?? "identity") !== "identity";
  if (!response.body || typeof response.body.getReader !== "function" || (Number.isFinite(declared) && !encoded)) {
    // A declared length of an uncompressed body is enforced by fetch itself, so the platform's
    // own read (the fastest) cannot run away; a compressed one can, and is read chunk by chunk.
    const bytes = new Uint8Array(await response.arrayBuffer());
    return bytes.length > maxBytes ? undefined : [decoder.decode(bytes), bytes.length];
  }
  const reader = response.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return [decoder.decode(bytes), total];
}

const decoder = new TextDecoder();

/** A callback's raw body (a string, a Uint8Array or an ArrayBuffer) parsed; undefined if not JSON. */
export function parseBody(raw) {
  return parseJson(typeof raw === "string" ? raw : decoder.decode(raw));
}

/** The platform's own parse; undefined when the text is empty or not JSON. */
function parseJson(text) {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * One HTTP attempt. The per-attempt timeout covers the body too; `wanted` names the response
 * headers to return. The body is parsed here, by the platform: the wasm reads fields out of the
 * object and hands the object itself to the caller. Resolves
 * `{kind: "ok", status, headers: [k, v, ...], body: any | undefined, length}`,
 * `{kind: "too_large", status, message}` (`message`: the answer's `x-request-id`, if any),
 * `{kind: "timeout"}`, `{kind: "aborted"}` or `{kind: "network", message}`.
 */
export async function send(fetchFn, method, url, headerPairs, body, timeoutMs, maxBytes, signal, wanted) {
  if (signal?.aborted) return { kind: "aborted" };
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  if (signal) signal.addEventListener("abort", onAbort, { once: true });
  try {
    const headers = {};
    for (let i = 0; i + 1 < headerPairs.length; i += 2) headers[headerPairs[i]] = headerPairs[i + 1];
    const init = { method, headers, signal: controller.signal };
    if (body !== undefined && body !== null) init.body = JSON.stringify(body);
    // Called with `this` undefined: a user's fetch bound to nothing must not see the options object.
    const response = await fetchFn.call(undefined, url, init);
    if (typeof response?.status !== "number" || typeof response.headers?.get !== "function") {
      // A custom fetch that resolved to something else: said so, not as the engine's words for it.
      return { kind: "network", message: "the fetch function did not resolve to a Response" };
    }
    const read = await readCapped(response, maxBytes);
    if (read === undefined) {
      // `message` carries the request id here: the one identifier worth keeping from the answer.
      return { kind: "too_large", status: response.status, message: response.headers.get("x-request-id") ?? undefined };
    }
    // Only the headers the client reads (names lower-case, as `Headers` matches them).
    const pairs = [];
    for (const name of wanted) {
      const value = response.headers.get(name);
      if (value !== null) pairs.push(name, value);
    }
    return { kind: "ok", status: response.status, headers: pairs, body: parseJson(read[0]), length: read[1] };
  } catch (e) {
    if (timedOut) return { kind: "timeout" };
    if (signal?.aborted) return { kind: "aborted" };
    return { kind: "network", message: String(e?.message ? e.message : e) };
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener("abort", onAbort);
  }
}

/**
 * Calls the user's token provider; resolves `{kind: "ok", token}`, or `{kind: "invalid", message}`
 * when it throws, rejects or gives something other than a string.
 */
export async function callProvider(provider) {
  try {
    const token = await provider();
    if (typeof token !== "string") return { kind: "invalid", message: `the token provider returned ${typeof token}, not a string` };
    return { kind: "ok", token };
  } catch (e) {
    return { kind: "invalid", message: `the token provider threw: ${String(e?.message ? e.message : e)}` };
  }
}

/** Calls a user callback; what it throws must not break the operation that reports to it. */
export function notify(callback, ...args) {
  try {
    callback(...args);
  } catch {
    // Deliberately ignored: progress reporting is advisory.
  }
}

/** Makes a wasm iterator (`next()` → Promise<{done, value}>) usable with `for await`. */
export function asyncIterable(iterator) {
  let finished = false;
  const finish = () => {
    if (!finished) {
      finished = true;
      iterator.free();
    }
    return { done: true, value: undefined };
  };
  return {
    async next() {
      if (finished) return { done: true, value: undefined };
      const step = await iterator.next();
      return step.done ? finish() : step;
    },
    async return() {
      return finish();
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * What `list()` returns: a thenable for one page (fetched when first awaited, so iterating alone
 * sends no extra request and leaves no unhandled rejection) that is also `for await`-able over
 * every task from that page on.
 */
export function pagePromise(lister, family, params, opts) {
  let page;
  const once = () => (page ??= lister.page(family, params, opts));
  return {
    // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose (openai-node's PagePromise): awaited, it is one page
    then: (resolve, reject) => once().then(resolve, reject),
    catch: (reject) => once().catch(reject),
    finally: (callback) => once().finally(callback),
    [Symbol.asyncIterator]: () => lister.walk(family, params),
    [Symbol.toStringTag]: "PagePromise",
  };
}

/** Reads a header from a `Headers` object or a plain object, case-insensitively; never throws. */
export function readHeader(headers, name) {
  try {
    return findHeader(headers, name);
  } catch {
    return undefined; // a hostile headers object: the header counts as missing
  }
}

function findHeader(headers, name) {
  if (!headers) return undefined;
  if (typeof headers.get === "function") {
    const v = headers.get(name);
    return v === null ? undefined : String(v);
  }
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) {
      const v = headers[key];
      return Array.isArray(v) ? v.join(" ") : v === undefined || v === null ? undefined : String(v);
    }
  }
  return undefined;
}

/**
 * Checks an options bag in one call (each crossing into JS costs, and options come with every
 * call): 0 absent, 1 an object whose string keys are all in `known` (comma-separated), 2 not an
 * object, 3 unreadable (a throwing Proxy), 4 an unknown key.
 */
export function bagState(value, known) {
  if (value === undefined || value === null) return 0;
  if (typeof value !== "object") return 2;
  let keys;
  try {
    keys = Reflect.ownKeys(value);
  } catch {
    return 3;
  }
  const list = `,${known},`;
  for (const key of keys) {
    if (typeof key === "string" && (key.includes(",") || !list.includes(`,${key},`))) return 4;
  }
  return 1;
}

/**
 * A number option in one call: undefined when absent or null, the number when it is one, NaN
 * otherwise (the caller looks closer only then).
 */
export function numberOption(bag, key) {
  let v;
  try {
    v = bag == null ? undefined : bag[key];
  } catch {
    return NaN; // a throwing getter or Proxy: the caller's closer look reports it
  }
  return v === undefined || v === null ? undefined : typeof v === "number" ? v : NaN;
}

/**
 * Gives a task object a non-enumerable `_request_id` (as openai-node does), so it can be reported
 * without changing what `JSON.stringify` shows. Returns the object.
 */
export function tagTask(task, requestId) {
  if (requestId !== undefined && task !== null && typeof task === "object" && !Object.hasOwn(task, "_request_id")) {
    try {
      Object.defineProperty(task, "_request_id", { value: requestId });
    } catch {
      // A frozen object (the caller's own) stays as it is.
    }
  }
  return task;
}

/**
 * The `KLING_LOG` environment variable, where the runtime has one (Node, Bun, Deno's and Workers'
 * Node compatibility); undefined elsewhere, and where reading it is refused (a Deno permission).
 */
export function envLogLevel() {
  try {
    const value = globalThis.process?.env?.KLING_LOG;
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `value` is console-shaped: `error`, `warn`, `info` and `debug` functions. */
export function isLogger(value) {
  try {
    if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
    return ["error", "warn", "info", "debug"].every((level) => typeof value[level] === "function");
  } catch {
    return false;
  }
}

/** `logger[level](message, fields)`, the global console when no logger was given; never throws. */
export function log(logger, level, message, fields) {
  try {
    const target = logger ?? globalThis.console;
    const result = target[level](message, fields);
    // An async logger's rejection must not surface as an unhandled rejection either.
    if (result && typeof result.then === "function") result.then(undefined, () => {});
  } catch {
    // Deliberately ignored: a logger that throws must not break the call it reports on.
  }
}
