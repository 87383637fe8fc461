// Browser origins: the allow-list is enforced on every request that carries an `Origin`, not only
// on preflights. Requests without one (servers, curl, Kling's callbacks) are not browsers' and
// are judged by their session token alone. The service's own origin is `PUBLIC_ORIGIN`, never
// the request's `Host` (which the caller chooses).
import { HttpError } from "./http.js";

// Range and the validators: a page may fetch a video (`/media`, a chain's) by ranges itself.
const ALLOW_HEADERS = "Authorization, Content-Type, Range, If-None-Match, If-Range";
const EXPOSE_HEADERS = "X-Request-Id, Retry-After, Location, Content-Range, Accept-Ranges, ETag";

const notConfigured = (message) => new HttpError(500, "ERR_NOT_CONFIGURED", message);

/** Whether `value` is exactly an http(s) origin: scheme, host and port, nothing else. */
function isOrigin(value) {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
  } catch {
    return false;
  }
}

/**
 * The service's public origin (`PUBLIC_ORIGIN`, a trailing `/` allowed): where Kling's callbacks
 * are sent and the origin its own pages have. Throws ERR_NOT_CONFIGURED when unset or not an origin.
 */
export function publicOrigin(env) {
  const raw = env.PUBLIC_ORIGIN;
  if (typeof raw !== "string" || raw === "") {
    throw notConfigured(
      "PUBLIC_ORIGIN must be set to the service's public origin (e.g. https://kling-edge.example.com): Kling's callbacks are sent there",
    );
  }
  const origin = raw.endsWith("/") ? raw.slice(0, -1) : raw;
  if (!isOrigin(origin))
    throw notConfigured("PUBLIC_ORIGIN must be an http(s) origin: scheme, host and port only (e.g. https://kling-edge.example.com)");
  return origin;
}

/** `ALLOWED_ORIGINS`: `*` or origins, comma-separated; throws ERR_NOT_CONFIGURED naming a bad entry. */
export function allowedOrigins(env) {
  const list = String(env.ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of list) {
    if (entry !== "*" && !isOrigin(entry)) throw notConfigured(`ALLOWED_ORIGINS: "${entry}" is not an origin (scheme://host[:port]) or *`);
  }
  return list;
}

/**
 * The CORS headers for this request, or a 403 ERR_FORBIDDEN_ORIGIN. The Worker's own origin
 * (`PUBLIC_ORIGIN`: the demo page it serves) is always allowed; `*` allows any.
 */
export function checkOrigin(request, env) {
  const origin = request.headers.get("origin");
  if (origin === null) return {};
  const allowed = allowedOrigins(env);
  const self = publicOrigin(env);
  if (origin === self || allowed.includes("*") || allowed.includes(origin)) {
    return { "access-control-allow-origin": origin, "access-control-expose-headers": EXPOSE_HEADERS, vary: "Origin" };
  }
  throw new HttpError(403, "ERR_FORBIDDEN_ORIGIN", "this origin may not use the service", {}, { vary: "Origin" });
}

/** A preflight of an allowed origin. */
export function preflight(cors, methods) {
  return new Response(null, {
    status: 204,
    headers: {
      ...cors,
      "access-control-allow-methods": methods,
      "access-control-allow-headers": ALLOW_HEADERS,
      "access-control-max-age": "600",
    },
  });
}
