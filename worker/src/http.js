// Small HTTP helpers shared by the routes: JSON answers, bounded body reading, random tokens.

export const MAX_BODY_BYTES = 64 * 1024;
/**
 * The body of a create that carries images inline (image2video, omni-video: a frame as base64 —
 * a 1080p JPEG is 200–500 KB): stored with its record in the user's Durable Object, whose rows hold
 * up to 2 MB. A larger image is given to Kling by URL.
 */
export const MAX_IMAGE_BODY_BYTES = 1536 * 1024;

/** An error that already knows its HTTP answer. */
export class HttpError extends Error {
  constructor(status, code, message, extra = {}, headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
    this.headers = headers;
  }
}

export function json(status, value, headers = {}) {
  return new Response(status === 204 ? null : JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

export function errorResponse(status, error, headers = {}) {
  return json(status, { error }, headers);
}

/**
 * Reads a request body as UTF-8 text, refusing more than `limit` bytes (413) whether or not a
 * Content-Length was sent, and bytes that are not UTF-8 (400).
 */
export async function readText(request, limit = MAX_BODY_BYTES) {
  const declared = request.headers.get("content-length");
  if (declared !== null && !(Number(declared) <= limit)) {
    throw new HttpError(413, "ERR_BODY_TOO_LARGE", `the body is larger than ${limit} bytes`);
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new HttpError(413, "ERR_BODY_TOO_LARGE", `the body is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "ERR_BAD_BODY", "the body is not UTF-8 text");
  }
}

/** Whether a Content-Type names JSON (`application/json`, optionally with parameters). */
export function isJsonContentType(value) {
  if (!value) return false;
  const type = value.split(";")[0].trim().toLowerCase();
  return type === "application/json";
}

/** Parses a JSON object body; anything else is a 400. */
export function parseJsonObject(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "ERR_BAD_JSON", "the body is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new HttpError(400, "ERR_BAD_JSON", "the body must be a JSON object");
  }
  return value;
}

export function randomHex(bytes) {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return toHex(buf);
}

/** HMAC-SHA-256 of `text` under `secret`, as hex. */
export async function hmacHex(secret, text) {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text))));
}

export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return toHex(new Uint8Array(digest));
}

function toHex(bytes) {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Replaces every occurrence of the given secrets in `text`. */
export function redact(text, secrets) {
  let out = String(text ?? "");
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out;
}
