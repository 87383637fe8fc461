// Who is calling: `Authorization: Bearer <session token>`, an HS256 JWT minted by the app's own
// backend with `sub` (the user) and `exp` (at most 24 h ahead), verified with jose.
import { jwtVerify } from "jose";
import { HttpError } from "./http.js";
import { userKeyOf } from "./ids.js";

const MAX_LIFETIME_S = 24 * 3600;
/** Clock difference tolerated between the minting backend and this Worker. */
const LEEWAY_S = 60;
const MIN_SECRET_LENGTH = 32;

const unauthenticated = (message) =>
  new HttpError(401, "ERR_UNAUTHENTICATED", message, {}, { "www-authenticate": 'Bearer realm="kling-edge"' });

/** The session secret's bytes; a missing or short secret is the Worker's misconfiguration. */
export function sessionKey(env) {
  const secret = env.KLING_EDGE_SESSION_SECRET;
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) {
    throw new HttpError(500, "ERR_NOT_CONFIGURED", `KLING_EDGE_SESSION_SECRET must be set (at least ${MIN_SECRET_LENGTH} characters)`);
  }
  return new TextEncoder().encode(secret);
}

/** Resolves `{sub, userKey}` of a valid session, or throws 401 ERR_UNAUTHENTICATED. */
export async function authenticate(request, env) {
  const key = sessionKey(env);
  const header = request.headers.get("authorization") ?? "";
  const m = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(header);
  if (!m) throw unauthenticated("send Authorization: Bearer <session token>");
  let payload;
  try {
    // `algorithms` pins HS256: `alg: none` and every other algorithm are refused by jose.
    ({ payload } = await jwtVerify(m[1], key, { algorithms: ["HS256"], requiredClaims: ["sub", "exp"], clockTolerance: LEEWAY_S }));
  } catch {
    throw unauthenticated("the session token is invalid or expired");
  }
  const { sub, exp } = payload;
  if (typeof sub !== "string" || sub.length < 1 || sub.length > 128)
    throw unauthenticated("the session token's `sub` must be 1–128 characters");
  if (typeof exp !== "number" || exp > Math.floor(Date.now() / 1000) + MAX_LIFETIME_S + LEEWAY_S) {
    throw unauthenticated("the session token must expire within 24 hours");
  }
  return { sub, userKey: await userKeyOf(sub) };
}
