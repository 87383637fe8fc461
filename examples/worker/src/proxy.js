// /kling/* — a narrow proxy for browser pages: a fixed set of Kling paths, credentials added here.
import { errorResponse, HttpError, isJsonContentType, readText } from "./http.js";
import { authorization, baseUrl } from "./kling.js";

const FAMILIES = new Set(["video-extend", "text2video", "image2video"]);
const ID = /^[A-Za-z0-9_.-]{1,128}$/;
const PAGE_PARAM = /^[0-9]{1,4}$/;
const SAFE_RESPONSE_HEADERS = ["content-type", "x-request-id", "date", "retry-after"];
const UPSTREAM_TIMEOUT_MS = 30_000;

const refuse = (message) => new HttpError(403, "ERR_PROXY_FORBIDDEN", message);

/**
 * The raw path and query exactly as the client sent them. `new URL()` would resolve `..` and
 * `%2e%2e` and hide the attempt, so the checks run on the raw request target.
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

/** Which Kling endpoint a proxy path names: `{family, id?}`, or a 403. */
export function route(requestUrl) {
  const { path, query } = rawTarget(requestUrl);
  if (/%|\\|\/\/|\.\.|\/\.(\/|$)|[\u0000-\u001f\u007f]/.test(path)) {
    throw refuse("the path holds a traversal or an encoded character");
  }
  const m = /^\/kling\/v1\/videos\/([a-z0-9-]+)(?:\/([^/]+))?$/.exec(path);
  if (!m || !FAMILIES.has(m[1])) throw refuse("this path is not available through the proxy");
  const [, family, id] = m;
  if (id !== undefined && (!ID.test(id) || /^\.+$/.test(id))) throw refuse("not a task id");
  return { family, id, query };
}

/** Allowed query: only `pageNum` / `pageSize`, each once, digits, on the list. */
function checkQuery(query, isList, method) {
  if (query === "") return "";
  if (!isList || method !== "GET") throw refuse("no query is allowed here");
  const params = new URLSearchParams(query);
  const seen = new Set();
  for (const [name, value] of params) {
    if ((name !== "pageNum" && name !== "pageSize") || seen.has(name) || !PAGE_PARAM.test(value)) {
      throw refuse("only pageNum and pageSize (digits) are allowed");
    }
    seen.add(name);
  }
  return `?${new URLSearchParams([...params]).toString()}`;
}

function corsHeaders(request, env) {
  const allowed = (env.PROXY_ALLOWED_ORIGINS ?? "*").split(",").map((s) => s.trim()).filter(Boolean);
  const origin = request.headers.get("origin");
  if (allowed.includes("*")) return { "access-control-allow-origin": "*" };
  if (origin && allowed.includes(origin)) return { "access-control-allow-origin": origin, vary: "Origin" };
  return { vary: "Origin" };
}

export async function handleProxy(request, env) {
  const cors = corsHeaders(request, env);
  try {
    return await proxy(request, env, cors);
  } catch (err) {
    if (err instanceof HttpError) {
      const extra = err.status === 405 ? { allow: err.extra.allow } : {};
      return errorResponse(err.status, { code: err.code, message: err.message }, { ...cors, ...extra });
    }
    throw err;
  }
}

async function proxy(request, env, cors) {
  const { family, id, query } = route(request.url);
  const isList = id === undefined;
  const allow = isList ? "GET, POST" : "GET";
  const methods = isList ? ["GET", "POST"] : ["GET"];

  if (request.method === "OPTIONS") {
    const wanted = request.headers.get("access-control-request-method");
    if (!("access-control-allow-origin" in cors)) throw refuse("this origin may not use the proxy");
    if (wanted && !methods.includes(wanted.toUpperCase())) {
      throw new HttpError(405, "ERR_METHOD_NOT_ALLOWED", `use ${allow}`, { allow });
    }
    return new Response(null, {
      status: 204,
      headers: {
        ...cors,
        "access-control-allow-methods": allow,
        "access-control-allow-headers": "Content-Type",
        "access-control-max-age": "600",
      },
    });
  }
  if (!methods.includes(request.method)) {
    throw new HttpError(405, "ERR_METHOD_NOT_ALLOWED", `use ${allow}`, { allow });
  }
  const search = checkQuery(query, isList, request.method);

  const headers = new Headers({ accept: "application/json", authorization: authorization(env) });
  const init = { method: request.method, headers, redirect: "manual", signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS) };
  if (request.method === "POST") {
    if (!isJsonContentType(request.headers.get("content-type"))) {
      throw new HttpError(415, "ERR_UNSUPPORTED_MEDIA_TYPE", "send Content-Type: application/json");
    }
    const body = await readText(request);
    try {
      JSON.parse(body);
    } catch {
      throw new HttpError(400, "ERR_BAD_JSON", "the body is not valid JSON");
    }
    headers.set("content-type", "application/json");
    init.body = body;
  }

  const base = new URL(baseUrl(env));
  const upstreamPath = `/v1/videos/${family}${id === undefined ? "" : `/${id}`}`;
  const target = new URL(base.pathname.replace(/\/+$/, "") + upstreamPath + search, base.origin);
  if (target.origin !== base.origin) throw refuse("other hosts are not reachable");

  let upstream;
  try {
    upstream = await fetch(target.toString(), init);
  } catch (err) {
    return errorResponse(502, { code: "ERR_PROXY_UPSTREAM", message: "Kling did not answer" }, cors);
  }
  const out = new Headers(cors);
  out.set("access-control-expose-headers", "X-Request-Id, Retry-After");
  out.set("cache-control", "no-store");
  for (const name of SAFE_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) out.set(name, value);
  }
  return new Response(upstream.body, { status: upstream.status, headers: out });
}
