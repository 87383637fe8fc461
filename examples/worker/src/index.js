// kling-edge example Worker: video extensions with callbacks, and a narrow proxy for browsers.
// See ../README.md. Routes:
//   POST /extensions              create an extension (callback URL with an unguessable token)
//   GET  /extensions/:id          the record, by task id or external task id
//   POST /callbacks/:token        Kling's notifications (signed, or token + confirm-by-GET)
//   *    /kling/v1/videos/...     the proxy
import { errorResponse } from "./http.js";
import { toResponse } from "./errors.js";
import { createExtension, getExtensionRecord } from "./extensions.js";
import { handleCallback } from "./callbacks.js";
import { handleProxy, rawTarget } from "./proxy.js";

export default {
  async fetch(request, env) {
    const state = { secrets: [] }; // per-request values that must never be echoed
    try {
      return await dispatch(request, env, state);
    } catch (err) {
      return toResponse(err, env, state.secrets);
    }
  },
};

async function dispatch(request, env, state) {
  const { pathname } = new URL(request.url);
  const method = request.method;

  // Decided on the raw path as well: `/kling/../x` must reach the proxy's checks, not route to `/x`.
  const raw = rawTarget(request.url).path;
  if (isProxyPath(pathname) || isProxyPath(raw)) return handleProxy(request, env);

  if (pathname === "/extensions") {
    if (method !== "POST") return methodNotAllowed("POST");
    return createExtension(request, env, state);
  }
  let m = /^\/extensions\/([^/]+)$/.exec(pathname);
  if (m) {
    if (method !== "GET") return methodNotAllowed("GET");
    return getExtensionRecord(safeDecode(m[1]), env);
  }
  m = /^\/callbacks\/([^/]+)$/.exec(pathname);
  if (m) {
    if (method !== "POST") return methodNotAllowed("POST");
    state.secrets.push(m[1]);
    return handleCallback(request, env, m[1]);
  }
  return errorResponse(404, { code: "ERR_NOT_FOUND", message: "no such route" });
}

function isProxyPath(rawPath) {
  const path = rawPath.replace(/^[/\\]+/, "/"); // `//kling/...` too: refused by the proxy, not a 404
  return path === "/kling" || path.startsWith("/kling/") || path.startsWith("/kling%") || path.startsWith("/kling\\");
}

function methodNotAllowed(allow) {
  return errorResponse(405, { code: "ERR_METHOD_NOT_ALLOWED", message: `use ${allow}` }, { allow });
}

function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return "";
  }
}
