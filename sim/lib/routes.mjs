// The Kling API proper: auth, rate limit, then the create / query / list trio of each family, and
// the account's costs (sim/lib/account.mjs).
// Produces { status, body } rather than writing the response, so faults can mangle it.
import { authenticate } from "./auth.mjs";
import { ApiError, errorBody, successBody } from "./http.mjs";
import { createdView, taskView } from "./task-view.mjs";
import { validateCreate, validatePaging } from "./validate.mjs";

const API_PATH = /^\/v1\/videos\/(text2video|image2video|video-extend)(?:\/([^/]+))?\/?$/;
const COSTS_PATH = /^\/account\/costs\/?$/;

/**
 * @param {object} ctx  { config, now, store, rateLimiter, baseUrl }
 * @param {object} request  { method, url: URL, headers, raw: Buffer|null, requestId }
 */
export async function processApi(ctx, request) {
  try {
    await authenticate(request.headers.authorization, ctx.config, ctx.now());
    ctx.rateLimiter.admit();
    return { status: 200, body: successBody(request.requestId, route(ctx, request)) };
  } catch (err) {
    const apiError = err instanceof ApiError ? err : internalError(err);
    return { status: apiError.status, body: errorBody(request.requestId, apiError.code, apiError.message) };
  }
}

function internalError(err) {
  console.error("kling simulator: internal error", err);
  return new ApiError(5000);
}

function route(ctx, { method, url, raw }) {
  if (COSTS_PATH.test(url.pathname)) {
    if (method === "GET") return ctx.account.costs(url.searchParams);
    throw new ApiError(1202, `${method} is not supported on ${url.pathname}`);
  }
  const match = API_PATH.exec(url.pathname);
  if (!match) throw new ApiError(1203, `no such endpoint: ${url.pathname}`);
  const [, family, encodedId] = match;
  if (encodedId === undefined) {
    if (method === "POST") return create(ctx, family, raw);
    if (method === "GET") return list(ctx, family, url.searchParams);
  } else if (method === "GET") {
    return taskView(ctx.store.find(family, decodeId(encodedId)), ctx.baseUrl());
  }
  throw new ApiError(1202, `${method} is not supported on ${url.pathname}`);
}

function decodeId(encodedId) {
  try {
    return decodeURIComponent(encodedId);
  } catch {
    throw new ApiError(1203, `task ${encodedId} does not exist`);
  }
}

function create(ctx, family, raw) {
  if (raw === null) throw new ApiError(1200, "request body is too large");
  const task = ctx.store.create(family, validateCreate(family, raw));
  return createdView(task);
}

function list(ctx, family, query) {
  const { pageNum, pageSize } = validatePaging(query);
  return ctx.store.list(family, pageNum, pageSize).map((task) => taskView(task, ctx.baseUrl()));
}
