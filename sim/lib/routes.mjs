// The Kling API proper: auth, rate limit, then the create / query / list trio of each family
// (video-extend, text2video, image2video, omni-video), and the account's costs (sim/lib/account.mjs).
// Produces { status, body } rather than writing the response, so faults can mangle it.
import { authenticate } from "./auth.mjs";
import { aspectRatioOf } from "./clips.mjs";
import { ApiError, errorBody, successBody } from "./http.mjs";
import { probeReference } from "./reference.mjs";
import { createdView, taskView } from "./task-view.mjs";
import { validateCreate, validatePaging } from "./validate.mjs";

const API_PATH = /^\/v1\/videos\/(text2video|image2video|video-extend|omni-video)(?:\/([^/]+))?\/?$/;
const COSTS_PATH = /^\/account\/costs\/?$/;

/**
 * @param {object} ctx  { config, now, store, rateLimiter, baseUrl }
 * @param {object} request  { method, url: URL, headers, raw: Buffer|null, requestId }
 */
export async function processApi(ctx, request) {
  try {
    await authenticate(request.headers.authorization, ctx.config, ctx.now());
    ctx.rateLimiter.admit();
    return { status: 200, body: successBody(request.requestId, await route(ctx, request)) };
  } catch (err) {
    const apiError = err instanceof ApiError ? err : internalError(err);
    return { status: apiError.status, body: errorBody(request.requestId, apiError.code, apiError.message) };
  }
}

function internalError(err) {
  console.error("kling simulator: internal error", err);
  return new ApiError(5000);
}

async function route(ctx, { method, url, raw }) {
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

async function create(ctx, family, raw) {
  if (raw === null) throw new ApiError(1200, "request body is too large");
  const params = validated(ctx, family, raw);
  if (params.reference) {
    const input = await probeReference(ctx, params.reference.url);
    // A base video is edited: the output has its length and, unless asked otherwise, its shape.
    if (params.reference.referType === "base") {
      params.duration = Math.round(input.duration);
      params.aspectRatio ??= aspectRatioOf(input.width, input.height);
    }
  }
  return createdView(ctx.store.create(family, params));
}

function validated(ctx, family, raw) {
  try {
    return validateCreate(family, raw, { allowRetiredModels: ctx.config.allowRetiredModels });
  } catch (err) {
    if (err.retiredModel) warnRetired(ctx, err.retiredModel);
    throw err;
  }
}

/**
 * A retired model is refused as Kling refuses it; the first refusal of a simulator whose caller
 * did not choose either way says on stderr how to simulate an account that kept access, so that
 * a suite written for the old models fails loudly, not mysteriously.
 */
function warnRetired(ctx, model) {
  if (ctx.config.retiredModelsChosen || ctx.warnedRetired) return;
  ctx.warnedRetired = true;
  console.warn(
    `kling simulator: refused the retired model ${model} (400/1201), as Kling does since 2026-09-15; ` +
      "start the simulator with allowRetiredModels: true (--allow-retired-models) to simulate an account that kept access",
  );
}

function list(ctx, family, query) {
  const { pageNum, pageSize } = validatePaging(query);
  return ctx.store.list(family, pageNum, pageSize).map((task) => taskView(task, ctx.baseUrl()));
}
