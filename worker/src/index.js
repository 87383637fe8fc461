// kling-edge service: a Cloudflare Worker in front of one Kling account, for many users.
// See ../README.md and ../../docs/edge.md. The routes are listed in ../README.md's routes table,
// held to this router (dispatch, below) by tests/worker/docs.test.mjs.

import { handleCallback } from "./callbacks.js";
import { createChain, getChain, listChains, resumeChain } from "./chains.js";
import { checkConfig } from "./check-config.js";
import { config } from "./config.js";
import { toResponse } from "./errors.js";
import { createExtension, getExtensionRecord, listExtensionRecords } from "./extensions.js";
import { FACADE_METHODS, facadeRoute, handleFacade } from "./facade.js";
import { errorResponse, HttpError, json } from "./http.js";
import { serveMedia, signedOwner } from "./media.js";
import { checkOrigin, preflight, publicOrigin } from "./origins.js";
import { authenticate } from "./session.js";
import { usage } from "./tasks.js";
import { accountUnits } from "./units.js";
import { serveChainVideo, VIDEO_PURPOSE } from "./video.js";

export { AccountLedger } from "./account.js";
export { Chain } from "./chain.js";
export { ConcurrencyGate } from "./gate.js";
export { UserStore } from "./user-store.js";

export default {
  async fetch(request, env) {
    // Per request: CORS headers for the answer, values never to echo, whether Kling-shaped, the
    // service's public origin (callback URLs; never the request's Host).
    const ctx = { env, cors: {}, secrets: [], facade: false, origin: null };
    try {
      checkConfig(env); // a misconfigured Worker answers 500 ERR_NOT_CONFIGURED on every route
      ctx.origin = publicOrigin(env);
      return await dispatch(request, ctx);
    } catch (err) {
      return toResponse(err, ctx);
    }
  },
};

async function dispatch(request, ctx) {
  const url = new URL(request.url);
  const { pathname } = url;
  const method = request.method;
  ctx.cors = checkOrigin(request, ctx.env);

  if (pathname === "/health") return json(200, { ok: true }, ctx.cors);

  let m = /^\/callbacks\/([^/]+)$/.exec(pathname);
  if (m) {
    if (method !== "POST") return methodNotAllowed(ctx, "POST");
    ctx.secrets.push(m[1]);
    return handleCallback(request, ctx, m[1]);
  }

  // workerd hands over `request.url` already normalised (`..`, `%2e%2e` and `\` resolved), so
  // `/kling/../me` arrives as `/me` and is routed as `/me`: nothing is decided on a raw path.
  // What survives normalisation (`%2f`, `//`) keeps a path in the facade, which refuses it.
  const facade = isFacadePath(pathname);
  ctx.facade = facade;
  const route = facade ? facadeRoute(request.url) : null;
  if (method === "OPTIONS") {
    if (facade && !route) return notFound(ctx);
    if (/^\/(media\/[^/]+|chains\/[^/]+\/video)$/.test(pathname)) return preflight(ctx.cors, "GET, HEAD");
    return preflight(ctx.cors, route ? FACADE_METHODS(route) : "GET, POST");
  }

  const daily = config(ctx.env).userDaily;
  m = /^\/media\/([^/]+)$/.exec(pathname);
  if (m && (method === "GET" || method === "HEAD")) {
    // A <video> element sends no Authorization: a signed link names the owner instead.
    const name = safeDecode(m[1]);
    const owner = (await signedOwner(ctx.env, url, name)) ?? (await authenticate(request, ctx.env, daily)).userKey;
    return serveMedia(request, ctx.env, owner, name, ctx.cors);
  }
  m = /^\/chains\/([^/]+)\/video$/.exec(pathname);
  if (m) {
    if (method !== "GET" && method !== "HEAD") return methodNotAllowed(ctx, "GET, HEAD");
    const id = safeDecode(m[1]);
    const owner = (await signedOwner(ctx.env, url, id, VIDEO_PURPOSE)) ?? (await authenticate(request, ctx.env, daily)).userKey;
    return serveChainVideo(request, ctx.env, owner, id, ctx.cors);
  }
  // `{sub, userKey, budget}`: the session's user and their daily budget (milli-units).
  ctx.user = await authenticate(request, ctx.env, daily);

  if (facade) {
    if (!route) return notFound(ctx);
    return handleFacade(request, ctx, route);
  }
  if (pathname === "/me") {
    if (method !== "GET") return methodNotAllowed(ctx, "GET");
    return json(200, await usage(ctx), ctx.cors);
  }
  if (pathname === "/account" && ctx.env.SHOW_ACCOUNT_UNITS === "true") {
    if (method !== "GET") return methodNotAllowed(ctx, "GET");
    return accountUnits(ctx);
  }
  if (pathname === "/extensions") {
    if (method === "POST") return createExtension(request, ctx);
    if (method === "GET") return listExtensionRecords(url, ctx);
    return methodNotAllowed(ctx, "GET, POST");
  }
  if (pathname === "/chains") {
    if (method === "POST") return createChain(request, ctx);
    if (method === "GET") return listChains(url, ctx);
    return methodNotAllowed(ctx, "GET, POST");
  }
  m = /^\/chains\/([^/]+)(\/resume)?$/.exec(pathname);
  if (m) {
    if (m[2]) return method === "POST" ? resumeChain(safeDecode(m[1]), ctx) : methodNotAllowed(ctx, "POST");
    return method === "GET" ? getChain(safeDecode(m[1]), ctx) : methodNotAllowed(ctx, "GET");
  }
  if (/^\/media\/[^/]+$/.test(pathname)) return methodNotAllowed(ctx, "GET, HEAD");
  m = /^\/extensions\/([^/]+)$/.exec(pathname);
  if (m) {
    if (method !== "GET") return methodNotAllowed(ctx, "GET");
    return getExtensionRecord(safeDecode(m[1]), ctx);
  }
  return notFound(ctx);
}

function isFacadePath(pathname) {
  const path = pathname.replace(/^\/+/, "/");
  return path === "/kling" || path.startsWith("/kling/") || path.startsWith("/kling%");
}

function notFound(ctx) {
  return toResponse(new HttpError(404, "ERR_NOT_FOUND", "no such route"), ctx);
}

function methodNotAllowed(ctx, allow) {
  return errorResponse(405, { code: "ERR_METHOD_NOT_ALLOWED", message: `use ${allow}` }, { ...ctx.cors, allow });
}

function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return "";
  }
}
