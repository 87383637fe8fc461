// Fault injection: rules that match API requests and replace or mangle their responses.
// Some faults answer instead of the API (nothing is processed); the others let the request be
// processed first (a create really creates its task) and then damage the response.
import { STATUS_CODES } from "node:http";
import { defaultMessage, errorBody, send, sendJson, statusForCode } from "./http.mjs";

const RESPOND_INSTEAD = new Set(["error", "html", "drop-before", "malformed", "code-on-200"]);
const AFTER_PROCESSING = new Set(["drop-after", "delay", "truncated", "big"]);

/** Checks a rule and fills in defaults; throws TypeError with the reason when it is unusable. */
function normalizeRule(rule) {
  if (rule === null || typeof rule !== "object") throw new TypeError("fault rule must be an object");
  const { method, path, times = 1, skip = 0, action } = rule;
  if (method !== undefined && typeof method !== "string") throw new TypeError("rule.method must be a string");
  if (path !== undefined && typeof path !== "string") throw new TypeError("rule.path must be a string");
  if (!Number.isInteger(times) || times < 0) throw new TypeError("rule.times must be an integer >= 0 (0 = forever)");
  if (!Number.isInteger(skip) || skip < 0) throw new TypeError("rule.skip must be an integer >= 0");
  return { method: method?.toUpperCase(), path, times, skip, action: normalizeAction(action) };
}

function normalizeAction(action) {
  const type = action?.type;
  if (type === "hang") return { type, process: action.process === true };
  if (!RESPOND_INSTEAD.has(type) && !AFTER_PROCESSING.has(type)) {
    throw new TypeError(`unknown fault action type: ${JSON.stringify(type)}`);
  }
  if ((type === "error" || type === "code-on-200") && !Number.isInteger(action.code)) {
    throw new TypeError(`${type} fault needs an integer code`);
  }
  if (type === "delay" && !(Number.isFinite(action.ms) && action.ms >= 0)) throw new TypeError("delay fault needs ms >= 0");
  if (type === "big" && !(Number.isInteger(action.bytes) && action.bytes > 0)) throw new TypeError("big fault needs bytes > 0");
  return { ...action };
}

export class FaultSet {
  #rules = [];

  add(rules) {
    const normalized = (Array.isArray(rules) ? rules : [rules]).map(normalizeRule);
    this.#rules.push(...normalized);
    return normalized.length;
  }

  /** The action of the first rule that claims this request (using it up), or null. */
  take(method, path) {
    for (const rule of this.#rules) {
      if (rule.method && rule.method !== method) continue;
      if (rule.path && !path.includes(rule.path)) continue;
      if (rule.skip > 0) {
        rule.skip--;
        continue;
      }
      if (rule.times > 0 && --rule.times === 0) this.#rules.splice(this.#rules.indexOf(rule), 1);
      return rule.action;
    }
    return null;
  }

  list() {
    return structuredClone(this.#rules);
  }

  clear() {
    this.#rules = [];
  }
}

/** Whether the request must be processed by the API before the fault is applied. */
export function processesFirst(action) {
  return AFTER_PROCESSING.has(action.type) || (action.type === "hang" && action.process);
}

/**
 * Answers (or deliberately fails to answer) according to `action`.
 * `result` is the processed API response { status, body } for processing faults.
 * `later(ms, fn)` schedules cancellable work. Returns the HTTP status sent, or null if none.
 */
export function applyFault(action, { req, res, requestId, result, later }) {
  switch (action.type) {
    case "error": {
      const status = action.status ?? statusForCode(action.code);
      sendJson(res, status, errorBody(requestId, action.code, action.message ?? defaultMessage(action.code)), action.headers);
      return status;
    }
    case "html": {
      const status = action.status ?? 502;
      send(res, status, { "Content-Type": "text/html; charset=utf-8" }, htmlPage(status));
      return status;
    }
    case "malformed":
      send(res, 200, { "Content-Type": "text/plain; charset=utf-8" }, "not json");
      return 200;
    case "code-on-200":
      sendJson(res, 200, errorBody(requestId, action.code, action.message ?? defaultMessage(action.code)));
      return 200;
    case "drop-before":
    case "drop-after":
      req.socket.destroy();
      return null;
    case "hang":
      return null; // the socket stays open until the client gives up or the simulator closes
    case "delay":
      later(action.ms, () => sendJson(res, result.status, result.body));
      return result.status;
    case "truncated":
      return sendTruncated(res, result);
    case "big":
      return sendPadded(res, result, action.bytes);
  }
}

// Content-Length announces the whole body but only half arrives before the connection
// closes, like a proxy dying mid-response.
function sendTruncated(res, result) {
  const body = Buffer.from(JSON.stringify(result.body));
  res.writeHead(result.status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": body.length });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
  return result.status;
}

// Trailing whitespace keeps the body valid JSON while reaching the requested size.
function sendPadded(res, result, bytes) {
  const json = JSON.stringify(result.body);
  const padding = Math.max(0, bytes - Buffer.byteLength(json));
  send(res, result.status, { "Content-Type": "application/json; charset=utf-8" }, json + " ".repeat(padding));
  return result.status;
}

// Looks like what a reverse proxy in front of the API would send.
function htmlPage(status) {
  const title = `${status} ${STATUS_CODES[status] ?? "Error"}`;
  return (
    `<!DOCTYPE html>\n<html><head><title>${title}</title></head>` +
    `<body><center><h1>${title}</h1></center><hr><center>nginx</center></body></html>\n`
  );
}
