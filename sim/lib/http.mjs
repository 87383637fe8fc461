// HTTP plumbing shared by the API, control and media handlers: the Kling envelope,
// error codes → HTTP status, body reading and common headers.

// From the error-code table in Kling's API documentation.
const STATUS_BY_CODE = {
  1000: 401,
  1001: 401,
  1002: 401,
  1003: 401,
  1004: 401,
  1100: 429,
  1101: 429,
  1102: 429,
  1103: 403,
  1200: 400,
  1201: 400,
  1202: 404,
  1203: 404,
  1300: 400,
  1301: 400,
  1302: 429,
  1303: 429,
  1304: 429,
  5000: 500,
  5001: 503,
  5002: 504,
};

const DEFAULT_MESSAGES = {
  1000: "Authentication failed",
  1001: "Authorization is empty",
  1002: "Authorization is invalid",
  1003: "Authorization is not yet valid",
  1004: "Authorization has expired",
  1100: "Account exception",
  1101: "Account in arrears",
  1102: "Resource pack exhausted or expired",
  1103: "No permission for the requested resource",
  1200: "Invalid request parameters",
  1201: "Invalid parameter value",
  1202: "Invalid request method",
  1203: "Requested resource does not exist",
  1300: "Trigger platform strategy",
  1301: "Trigger content security policy",
  1302: "Rate limit exceeded",
  1303: "Concurrency or QPS exceeds the limit of the resource pack",
  1304: "Trigger IP whitelist policy",
  5000: "Server internal error",
  5001: "Server temporarily unavailable",
  5002: "Server internal timeout",
};

const MAX_BODY_BYTES = 16 * 1024 * 1024; // base64 images can be large; anything bigger is a client bug.

const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Content-Type, Range",
  "Access-Control-Expose-Headers": "Date, X-Request-Id, Retry-After, retry-after-ms, Content-Range, Content-Length",
  "Access-Control-Max-Age": "600",
};

export class ApiError extends Error {
  constructor(code, message = DEFAULT_MESSAGES[code] ?? "Error") {
    super(message);
    this.code = code;
    this.status = statusForCode(code);
  }
}

export function statusForCode(code) {
  return STATUS_BY_CODE[code] ?? (code >= 5000 ? 500 : 400);
}

export function defaultMessage(code) {
  return DEFAULT_MESSAGES[code] ?? "Error";
}

export function successBody(requestId, data) {
  return { code: 0, message: "SUCCEED", request_id: requestId, data };
}

export function errorBody(requestId, code, message = defaultMessage(code)) {
  return { code, message, request_id: requestId };
}

/** Reads the whole request body; resolves null when it is larger than the limit. */
export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Date (from the simulator clock, so clock-skew handling can be tested), request id and CORS. */
export function setCommonHeaders(res, nowMs, requestId) {
  res.setHeader("Date", new Date(nowMs).toUTCString());
  res.setHeader("X-Request-Id", requestId);
  for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
}

export function send(res, status, headers, body) {
  if (res.destroyed) return;
  const payload = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, "Content-Length": payload.length });
  res.end(payload);
}

export function sendJson(res, status, value, headers = {}) {
  send(res, status, { "Content-Type": "application/json; charset=utf-8", ...headers }, JSON.stringify(value));
}
