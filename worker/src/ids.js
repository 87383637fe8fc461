// Names derived from a user: the key of their Durable Object, the external ids Kling receives,
// callback tokens.
import { HttpError, hmacHex, randomHex, sha256Hex } from "./http.js";
import { isValidId } from "./kling.js";

/**
 * The characters of a caller's own external task id: the id appears in this service's URL paths,
 * which refuse percent-encoding. Its length and the rest of the rule are the package's
 * (`isValidId`); Kling never sees it: it receives a derived id.
 */
const URL_SAFE = /^[A-Za-z0-9_.-]+$/;

/** Whether `id` is a caller's external id this service takes: the package's rule, URL-safe. */
export const isClientId = (id) => typeof id === "string" && URL_SAFE.test(id) && isValidId(id);

/** A callback token: the owner's key (64 hex), 128 random bits and their MAC (32 hex each). */
export const TOKEN_PATTERN = /^[0-9a-f]{128}$/;

/**
 * The user's key: names their Durable Object and prefixes their callback tokens. A hash, not the
 * `sub` itself, so it fits any name rule and says nothing about who the user is to Kling.
 */
export function userKeyOf(sub) {
  return sha256Hex(`kling-edge user\n${sub}`);
}

/**
 * What Kling receives as `external_task_id` for a user's id in a family: keyed by the service's
 * secret, so two users' ids never collide and nobody outside the service can compute another
 * user's (the facade never looks tasks up by a caller-supplied Kling id anyway).
 */
export async function klingExternalId(secret, userKey, family, clientId) {
  const hex = await hmacHex(secret, `external-id\n${userKey}\n${family}\n${clientId}`);
  return `ke-${hex.slice(0, 40)}`;
}

/** The caller's external id, or a generated one; a bad one is refused with its field. */
export function clientIdOf(params) {
  if (!("external_task_id" in params) || params.external_task_id === null) return `kew-${randomHex(12)}`;
  const id = params.external_task_id;
  if (!isClientId(id)) {
    throw new HttpError(
      400,
      "ERR_KLING_INVALID_REQUEST",
      "`external_task_id` must be letters, digits, `.`, `_` or `-`, within the package's id length",
      { field: "external_task_id" },
    );
  }
  return id;
}

/**
 * A fresh callback token for a user and the SHA-256 that is stored instead of it. The token
 * carries a MAC under the service's secret, so a forged one is refused before any user's Durable
 * Object is opened (an opened object writes its schema: state an outsider could otherwise grow).
 */
export async function newCallbackToken(env, userKey) {
  const nonce = randomHex(16);
  const token = userKey + nonce + (await tokenMac(env, userKey, nonce));
  return { token, hash: await sha256Hex(token) };
}

async function tokenMac(env, userKey, nonce) {
  return (await hmacHex(env.KLING_EDGE_SESSION_SECRET, `callback\n${userKey}\n${nonce}`)).slice(0, 32);
}

/** The owner's key of a callback token the service issued, or null for any other string. */
export async function tokenOwner(env, token) {
  if (!TOKEN_PATTERN.test(token)) return null;
  const userKey = token.slice(0, 64);
  const want = await tokenMac(env, userKey, token.slice(64, 96));
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= want.charCodeAt(i) ^ token.charCodeAt(96 + i);
  return diff === 0 ? userKey : null;
}
