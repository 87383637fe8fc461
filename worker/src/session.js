// Who is calling: `Authorization: Bearer <session token>`, a JWT with `sub` (the user) and `exp`
// (at most 24 h ahead), verified with jose. Two kinds, told apart by the header's `alg`:
//
// - `HS256`: minted by the app's own backend with the shared secret `KLING_EDGE_SESSION_SECRET`;
// - `RS256`, `ES256`, `EdDSA`: minted by the app's identity provider and verified against its JWKS
//   (`SESSION_JWKS_URL`, with `iss` = `SESSION_ISSUER` and `aud` ∋ `SESSION_AUDIENCE`), only when
//   that URL is set.
//
// An HS256 token is never checked against the JWKS and an asymmetric one never against the
// secret: each path pins its own algorithms, so `alg: none`, other algorithms and a header naming
// one kind of key for a token signed with another are refused. A token over 8 KB is refused before
// any parsing or crypto.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { toMilli } from "./config.js";
import { HttpError } from "./http.js";
import { userKeyOf } from "./ids.js";

const MAX_LIFETIME_S = 24 * 3600;
/** Clock difference tolerated between the minting backend and this Worker. */
const LEEWAY_S = 60;
const MIN_SECRET_LENGTH = 32;
/** The largest session token taken (bytes of the compact JWS). */
export const MAX_TOKEN_BYTES = 8 * 1024;
const SECRET_ALGS = ["HS256"];
/** What the identity provider's keys may sign with. */
export const JWKS_ALGS = ["RS256", "ES256", "EdDSA"];
/** How long a JWKS fetch may take. */
const JWKS_TIMEOUT_MS = 5000;
/** Default wait after a JWKS fetch before an unknown `kid` may fetch it again. */
const JWKS_COOLDOWN_S = 30;
const RETRY_AFTER_S = 30;

const unauthenticated = (message) =>
  new HttpError(401, "ERR_UNAUTHENTICATED", message, {}, { "www-authenticate": 'Bearer realm="kling-edge"' });

const notConfigured = (message) => new HttpError(500, "ERR_NOT_CONFIGURED", message);

/** The session secret's bytes; a missing or short secret is the Worker's misconfiguration. */
export function sessionKey(env) {
  const secret = env.KLING_EDGE_SESSION_SECRET;
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) {
    throw notConfigured(`KLING_EDGE_SESSION_SECRET must be set (at least ${MIN_SECRET_LENGTH} characters)`);
  }
  return new TextEncoder().encode(secret);
}

const isSet = (value) => value !== undefined && value !== null && value !== "";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The session settings of `env`: `{jwks: null | {url, issuer, audience, cooldownMs}, budgetClaim}`.
 * Throws ERR_NOT_CONFIGURED naming the variable when they are incomplete or malformed.
 */
export function sessionConfig(env) {
  sessionKey(env); // keys the external ids and media links too, so it is required with a JWKS as well
  const names = ["SESSION_JWKS_URL", "SESSION_ISSUER", "SESSION_AUDIENCE"];
  const given = names.filter((name) => isSet(env[name]));
  let jwks = null;
  if (given.length > 0) {
    const missing = names.filter((name) => !given.includes(name));
    if (missing.length) throw notConfigured(`${missing.join(" and ")} must be set with ${given.join(" and ")}`);
    for (const name of names) if (typeof env[name] !== "string") throw notConfigured(`${name} must be a string`);
    let url;
    try {
      url = new URL(env.SESSION_JWKS_URL);
    } catch {
      throw notConfigured("SESSION_JWKS_URL must be an https:// URL");
    }
    // Keys fetched over plain HTTP could be replaced on the way; loopback is for local tests.
    if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
      throw notConfigured("SESSION_JWKS_URL must be an https:// URL");
    }
    const cooldown = isSet(env.SESSION_JWKS_COOLDOWN_SECONDS) ? Number(env.SESSION_JWKS_COOLDOWN_SECONDS) : JWKS_COOLDOWN_S;
    if (!Number.isFinite(cooldown) || cooldown < 0) throw notConfigured("SESSION_JWKS_COOLDOWN_SECONDS must be a number of seconds");
    jwks = { url: url.href, issuer: env.SESSION_ISSUER, audience: env.SESSION_AUDIENCE, cooldownMs: Math.round(cooldown * 1000) };
  } else if (isSet(env.SESSION_JWKS_COOLDOWN_SECONDS)) {
    throw notConfigured("SESSION_JWKS_COOLDOWN_SECONDS is set without SESSION_JWKS_URL");
  }
  const claim = env.SESSION_BUDGET_CLAIM;
  if (isSet(claim) && (typeof claim !== "string" || claim.trim() !== claim || ["sub", "exp", "iat", "nbf", "iss", "aud"].includes(claim))) {
    throw notConfigured("SESSION_BUDGET_CLAIM must name a claim of its own (not sub, exp, iat, nbf, iss or aud)");
  }
  return { jwks, budgetClaim: isSet(claim) ? claim : null };
}

/**
 * The remote key sets, one per URL and cooldown, kept for the isolate's life: jose caches the keys
 * (10 minutes) and fetches the set again when a token names a `kid` it does not hold, at most once
 * per cooldown, so rotated keys are picked up and removed ones are dropped with the next fetch.
 */
const keySets = new Map();

function keySet(jwks) {
  const name = `${jwks.cooldownMs} ${jwks.url}`;
  let set = keySets.get(name);
  if (!set) {
    set = createRemoteJWKSet(new URL(jwks.url), { timeoutDuration: JWKS_TIMEOUT_MS, cooldownDuration: jwks.cooldownMs });
    keySets.set(name, set);
  }
  return set;
}

/** The identity provider's keys could not be had: not the caller's fault, so not a 401. */
class KeysUnavailable extends Error {}

/** jose's key lookup, with a failure to fetch the set told apart from a key that is not in it. */
function remoteKey(jwks) {
  const set = keySet(jwks);
  return async (header, token) => {
    try {
      return await set(header, token);
    } catch (err) {
      if (err?.code === "ERR_JWKS_NO_MATCHING_KEY" || err?.code === "ERR_JWKS_MULTIPLE_MATCHING_KEYS") throw err;
      throw new KeysUnavailable(String(err?.code ?? err?.name ?? "fetch failed"));
    }
  };
}

/**
 * Resolves the session `{sub, userKey, budget}` of a valid token, or throws 401
 * ERR_UNAUTHENTICATED (503 ERR_SESSION_KEYS_UNAVAILABLE when the identity provider's keys cannot
 * be fetched). `budget`: the user's daily budget in milli-units — `USER_DAILY_UNITS`, or the
 * `SESSION_BUDGET_CLAIM` claim's units when the token carries it, capped by `USER_DAILY_UNITS`.
 */
export async function authenticate(request, env, dailyLimit) {
  const settings = sessionConfig(env);
  const header = request.headers.get("authorization") ?? "";
  if (header.length > MAX_TOKEN_BYTES + 16) throw unauthenticated(`the session token is larger than ${MAX_TOKEN_BYTES} bytes`);
  const m = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(header);
  if (!m) throw unauthenticated("send Authorization: Bearer <session token>");
  const token = m[1];
  if (token.length > MAX_TOKEN_BYTES) throw unauthenticated(`the session token is larger than ${MAX_TOKEN_BYTES} bytes`);
  let alg;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw unauthenticated("the session token is invalid or expired");
  }
  const common = { requiredClaims: ["sub", "exp"], clockTolerance: LEEWAY_S };
  let payload;
  try {
    if (SECRET_ALGS.includes(alg)) {
      ({ payload } = await jwtVerify(token, sessionKey(env), { ...common, algorithms: SECRET_ALGS }));
    } else if (settings.jwks && JWKS_ALGS.includes(alg)) {
      const { jwks } = settings;
      ({ payload } = await jwtVerify(token, remoteKey(jwks), {
        ...common,
        algorithms: JWKS_ALGS,
        issuer: jwks.issuer,
        audience: jwks.audience,
      }));
    } else {
      throw unauthenticated(
        settings.jwks
          ? `the session token must be signed with ${[...SECRET_ALGS, ...JWKS_ALGS].join(", ")}`
          : "the session token must be signed with HS256",
      );
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    if (err instanceof KeysUnavailable) {
      console.error("the session keys (SESSION_JWKS_URL) could not be fetched:", err.message);
      throw new HttpError(
        503,
        "ERR_SESSION_KEYS_UNAVAILABLE",
        "the identity provider's signing keys could not be fetched; try again shortly",
        { retryAfter: RETRY_AFTER_S },
        { "retry-after": String(RETRY_AFTER_S) },
      );
    }
    throw unauthenticated("the session token is invalid or expired");
  }
  const { sub, exp } = payload;
  if (typeof sub !== "string" || sub.length < 1 || sub.length > 128)
    throw unauthenticated("the session token's `sub` must be 1–128 characters");
  if (typeof exp !== "number" || exp > Math.floor(Date.now() / 1000) + MAX_LIFETIME_S + LEEWAY_S) {
    throw unauthenticated("the session token must expire within 24 hours");
  }
  return { sub, userKey: await userKeyOf(sub), budget: budgetOf(payload, settings.budgetClaim, dailyLimit) };
}

/**
 * The session's daily budget (milli-units). A token without the claim gets `dailyLimit`; a claim
 * that is not a number ≥ 0 refuses the token (a broken claim must not grant the full budget).
 */
function budgetOf(payload, claim, dailyLimit) {
  if (claim === null || !Object.hasOwn(payload, claim)) return dailyLimit;
  const units = payload[claim];
  if (typeof units !== "number" || !Number.isFinite(units) || units < 0) {
    throw unauthenticated(`the session token's \`${claim}\` claim must be a number of units (0 or more)`);
  }
  return Math.min(toMilli(units), dailyLimit);
}
