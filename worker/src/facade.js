// /kling/v1/videos/{video-extend|text2video|image2video|omni-video}[/:id] — a per-user Kling-compatible
// facade: create, get and list with Kling's envelope and paging, served from the caller's own
// records and performed with the package. Never a forward, never Kling's account-wide list.
// A page's `new KlingClient({ baseUrl: "<worker>/kling", token })` works unchanged.

import { FAMILIES } from "./config.js";
import { paging } from "./extensions.js";
import { HttpError, isJsonContentType, json, MAX_BODY_BYTES, MAX_IMAGE_BODY_BYTES, parseJsonObject, readText } from "./http.js";
import { errorAdvice } from "./kling.js";
import { toKlingTask } from "./records.js";
import { create, list, read } from "./tasks.js";

const ID = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * The path and query of `request.url` as serialised, percent-escapes kept (workerd has already
 * resolved `..`, `%2e%2e` and `\`; what is left, such as `%2f` or `//`, is refused by the routes).
 */
export function rawTarget(requestUrl) {
  const afterScheme = requestUrl.indexOf("://");
  const pathStart = requestUrl.indexOf("/", afterScheme + 3);
  const target = pathStart === -1 ? "/" : requestUrl.slice(pathStart);
  const hash = target.indexOf("#");
  const clean = hash === -1 ? target : target.slice(0, hash);
  const q = clean.indexOf("?");
  return q === -1 ? { path: clean, query: "" } : { path: clean.slice(0, q), query: clean.slice(q + 1) };
}

/** `{family, id?}` of a facade path, or null. */
export function facadeRoute(requestUrl) {
  const { path } = rawTarget(requestUrl);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters in a path are what this refuses
  if (/%|\\|\/\/|\.\.|\/\.(\/|$)|[\u0000-\u001f\u007f]/.test(path)) return null;
  const m = /^\/kling\/v1\/videos\/([a-z0-9-]+)(?:\/([^/]+))?$/.exec(path);
  if (!m || !FAMILIES.includes(m[1])) return null;
  if (m[2] !== undefined && (!ID.test(m[2]) || /^\.+$/.test(m[2]))) return null;
  return { family: m[1], id: m[2] };
}

export const FACADE_METHODS = (route) => (route.id === undefined ? "GET, POST" : "GET");

function envelope(data, cors) {
  const requestId = crypto.randomUUID();
  return json(200, { code: 0, message: "SUCCEED", request_id: requestId, data }, { ...cors, "x-request-id": requestId });
}

export async function handleFacade(request, ctx, route) {
  const { family, id } = route;
  if (id !== undefined) {
    if (request.method !== "GET") throw methodNotAllowed("GET");
    if (new URL(request.url).search !== "") throw new HttpError(400, "ERR_KLING_INVALID_REQUEST", "no query is taken here");
    // The package's wait polls here: the task is refreshed from Kling while it runs.
    const row = await read(ctx, family, id);
    if (row.status === "pending") throw new HttpError(404, "ERR_NOT_FOUND", "no such task");
    // A queued create is settled by this lookup: it is sent as soon as the gate has a slot.
    return envelope(toKlingTask(row), ctx.cors);
  }
  if (request.method === "GET") {
    const { pageNum, pageSize } = paging(new URL(request.url).searchParams);
    const rows = await list(ctx, family, pageNum, pageSize, { created: true });
    return envelope(rows.map(toKlingTask), ctx.cors);
  }
  if (request.method !== "POST") throw methodNotAllowed("GET, POST");
  if (!isJsonContentType(request.headers.get("content-type"))) {
    throw new HttpError(415, "ERR_UNSUPPORTED_MEDIA_TYPE", "send Content-Type: application/json");
  }
  const inline = family === "image2video" || family === "omni-video";
  const params = parseJsonObject(await readText(request, inline ? MAX_IMAGE_BODY_BYTES : MAX_BODY_BYTES));
  const { kind, row } = await create(ctx, family, params);
  if (kind === "pending") {
    // Kling's own answer to an unsettled create: the package looks the id up, then may send again.
    throw new HttpError(504, "ERR_KLING_TIMEOUT", "the create could not be settled; call again with the same external_task_id", {
      retryable: false,
      taskMayExist: true,
      externalTaskId: row.client_id,
    });
  }
  // `queued`: reserved and answered as submitted; sent when the account's gate has a slot.
  return envelope(toKlingTask(row), ctx.cors);
}

function methodNotAllowed(allow) {
  return new HttpError(405, "ERR_METHOD_NOT_ALLOWED", `use ${allow}`, {}, { allow });
}

/** Kling's business code for a service error, so the package maps it as it maps Kling's. */
const KLING_CODES = {
  ERR_UNAUTHENTICATED: 1000,
  ERR_FORBIDDEN_ORIGIN: 1103,
  ERR_BUDGET_EXCEEDED: 1102,
  ERR_RATE_LIMITED: 1302,
  ERR_NOT_FOUND: 1203,
  ERR_METHOD_NOT_ALLOWED: 1202,
  ERR_KLING_INVALID_REQUEST: 1201,
  ERR_KLING_BAD_REQUEST: 1201,
  ERR_BAD_JSON: 1200,
  ERR_BAD_BODY: 1200,
  ERR_BODY_TOO_LARGE: 1200,
  ERR_UNSUPPORTED_MEDIA_TYPE: 1200,
  ERR_KLING_TIMEOUT: 5002,
};

/** Adds Kling's envelope fields (`code`, `message`, `request_id`) to a facade error body. */
export function klingShaped(status, error) {
  const code = error.apiCode ?? KLING_CODES[error.code] ?? (status >= 500 ? 5000 : 1200);
  return { code, message: klingWords(error), request_id: error.requestId ?? crypto.randomUUID() };
}

/**
 * Kling's own words inside the package's message, which frames them ("Kling answered HTTP …: ")
 * and adds its advice: a client of the facade frames and advises again, so relay only the words.
 */
function klingWords(error) {
  if (typeof error.apiCode !== "number" || typeof error.message !== "string") return error.message;
  const advice = `. ${errorAdvice(error.code, error.apiCode)}`;
  const words = error.message.replace(/^Kling answered HTTP \d+ with code \d+: /, "");
  return words.endsWith(advice) ? words.slice(0, -advice.length) : words;
}
