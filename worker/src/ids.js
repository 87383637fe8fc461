// Names derived from a user: the key of their Durable Object, the external ids Kling receives,
// callback tokens.
import { HttpError, randomHex, sha256Hex } from "./http.js";

/**
 * The service's rule for a caller's own external task id (letters, digits, `.`, `_`, `-`; 1–128):
 * stricter than the package's (`isValidId`) because the id appears in this service's URL paths,
 * which refuse percent-encoding. Kling never sees it: it receives a derived id.
 */
export const CLIENT_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/** A callback token: the owner's key (64 hex) and 256 random bits (64 hex). */
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
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`external-id\n${userKey}\n${family}\n${clientId}`));
  let hex = "";
  for (const b of new Uint8Array(mac).slice(0, 20)) hex += b.toString(16).padStart(2, "0");
  return `ke-${hex}`;
}

/** The caller's external id, or a generated one; a bad one is refused with its field. */
export function clientIdOf(params) {
  if (!("external_task_id" in params) || params.external_task_id === null) return `kew-${randomHex(12)}`;
  const id = params.external_task_id;
  if (typeof id !== "string" || !CLIENT_ID.test(id)) {
    throw new HttpError(400, "ERR_KLING_INVALID_REQUEST", "`external_task_id` must be 1–128 letters, digits, `.`, `_` or `-`", {
      field: "external_task_id",
    });
  }
  return id;
}

/** A fresh callback token for a user and the SHA-256 that is stored instead of it. */
export async function newCallbackToken(userKey) {
  const token = userKey + randomHex(32);
  return { token, hash: await sha256Hex(token) };
}
