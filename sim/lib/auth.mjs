// Authorization exactly as Kling's API documentation describes it: a Bearer API key, or an HS256 JWT
// signed with the secret key whose iss is the access key. exp/nbf are checked against the
// simulator clock with no tolerance, so clock-skew handling in clients is observable.
import { decodeProtectedHeader, errors, jwtVerify } from "jose";
import { ApiError } from "./http.mjs";

/** Resolves when the request may proceed; rejects with the ApiError Kling would answer. */
export async function authenticate(header, config, nowMs) {
  if (!header || header.trim() === "") throw new ApiError(1001);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new ApiError(1002, 'Authorization must be "Bearer <token>"');
  const token = match[1];
  if (token === config.apiKey) return;
  checkHeader(token);
  try {
    await jwtVerify(token, new TextEncoder().encode(config.secretKey), {
      algorithms: ["HS256"],
      issuer: config.accessKey,
      requiredClaims: ["exp"],
      currentDate: new Date(nowMs),
      clockTolerance: 0,
    });
  } catch (err) {
    throw toApiError(err);
  }
}

function checkHeader(token) {
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new ApiError(1002, "Authorization is neither the API key nor a JWT");
  }
  if (header.alg !== "HS256") throw new ApiError(1002, "JWT alg must be HS256");
  if (header.typ !== undefined && String(header.typ).toUpperCase() !== "JWT") {
    throw new ApiError(1002, "JWT typ must be JWT");
  }
}

function toApiError(err) {
  if (err instanceof errors.JWTExpired) return new ApiError(1004, "Authorization has expired (exp is in the past)");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "nbf") return new ApiError(1003, "Authorization is not yet valid (nbf is in the future)");
    if (err.claim === "iss") return new ApiError(1002, "JWT iss is not a known access key");
    return new ApiError(1002, `JWT claim ${err.claim} is invalid: ${err.message}`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return new ApiError(1002, "JWT signature is invalid");
  if (err instanceof errors.JOSEError) return new ApiError(1002, `JWT is invalid: ${err.message}`);
  throw err;
}
