// Top-level request dispatch: CORS preflight, /__sim control, /media, and the API with its
// request log and fault injection.
import { randomUUID } from "node:crypto";
import { handleControl } from "./control.mjs";
import { applyFault, processesFirst } from "./faults.mjs";
import { errorBody, readBody, send, sendJson, setCommonHeaders } from "./http.mjs";
import { serveMedia } from "./media.mjs";
import { processApi } from "./routes.mjs";

/** @param {object} ctx  the simulator's shared state, see index.mjs */
export function createRequestHandler(ctx) {
  return (req, res) => {
    dispatch(ctx, req, res).catch((err) => {
      console.error("kling simulator: unhandled error", err);
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, errorBody(randomUUID(), 5000));
    });
  };
}

async function dispatch(ctx, req, res) {
  const at = Date.now(); // arrival, real time (the log's intervals ignore clockOffsetMs)
  const url = new URL(req.url, "http://simulator.invalid");
  const requestId = randomUUID();
  setCommonHeaders(res, ctx.now(), requestId);
  if (req.method === "OPTIONS") return send(res, 204, {}, "");
  if (url.pathname === "/__sim" || url.pathname.startsWith("/__sim/")) return handleControl(ctx.sim, req, res, url);
  if (url.pathname.startsWith("/media/")) {
    return serveMedia({ req, res, name: url.pathname.slice("/media/".length), clips: ctx.clips, videos: ctx.videos });
  }
  return handleApi(ctx, req, res, url, requestId, at);
}

async function handleApi(ctx, req, res, url, requestId, at) {
  const raw = await readBody(req);
  const entry = logEntry(req, url, raw, at);
  ctx.requestLog.push(entry);
  const action = ctx.faults.take(req.method, url.pathname);
  const request = { method: req.method, url, headers: req.headers, raw, requestId };
  const result = !action || processesFirst(action) ? await processApi(ctx, request) : null;
  if (!action) {
    sendJson(res, result.status, result.body);
    entry.status = result.status;
    return;
  }
  entry.fault = action.type;
  entry.status = applyFault(action, {
    req,
    res,
    requestId,
    result,
    later: (ms, fn) => ctx.responseTimers.after(ms, fn),
  });
}

/** A log record; the credential itself is never kept, only its scheme. */
function logEntry(req, url, raw, at) {
  const headers = { ...req.headers };
  if (headers.authorization) headers.authorization = `${headers.authorization.split(/\s+/)[0]} …`;
  return {
    method: req.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body: parseLoggedBody(raw),
    status: null, // HTTP status sent; stays null when a fault sent nothing
    at, // when the request arrived, ms (Date.now())
  };
}

function parseLoggedBody(raw) {
  if (raw === null) return "(body too large)";
  if (raw.length === 0) return null;
  const text = raw.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
