// Browser origins: the allow-list is enforced on every request that carries an `Origin`, not only
// on preflights. Requests without one (servers, curl, Kling's callbacks) are not browsers' and
// are judged by their session token alone.
import { HttpError } from "./http.js";

const ALLOW_HEADERS = "Authorization, Content-Type";
const EXPOSE_HEADERS = "X-Request-Id, Retry-After, Location";

function allowedOrigins(env) {
  return String(env.ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The CORS headers for this request, or a 403 ERR_FORBIDDEN_ORIGIN. The Worker's own origin (the
 * demo page it serves) is always allowed; `*` allows any.
 */
export function checkOrigin(request, env) {
  const origin = request.headers.get("origin");
  if (origin === null) return {};
  const allowed = allowedOrigins(env);
  const self = new URL(request.url).origin;
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
