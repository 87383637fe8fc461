// Maps thrown errors to answers; never lets a secret or a whole callback token through.
import { errorResponse, HttpError } from "./http.js";
import { redact } from "./http.js";
import { secretsOf } from "./kling.js";

/** `extraSecrets`: values of this request that must not be echoed (e.g. its callback token). */
export function toResponse(err, env, extraSecrets = []) {
  const secrets = [...secretsOf(env), ...extraSecrets];
  const clean = (s) => (s === undefined || s === null ? undefined : redact(s, secrets));
  if (err instanceof HttpError) {
    return errorResponse(err.status, { code: err.code, message: clean(err.message), ...err.extra });
  }
  if (err && err.name === "KlingError") {
    if (err.code === "ERR_KLING_INVALID_REQUEST") {
      return errorResponse(400, { code: err.code, message: clean(err.message), field: err.field ?? null });
    }
    if (err.code === "ERR_KLING_INVALID_OPTIONS") {
      // A configuration problem of this Worker, not of the caller.
      console.error("kling-edge refused the Worker's configuration:", clean(err.message));
      return errorResponse(500, { code: "ERR_NOT_CONFIGURED", message: "the Worker's Kling configuration is invalid" });
    }
    return errorResponse(502, {
      code: err.code,
      message: clean(err.message),
      requestId: err.requestId ?? null,
      apiCode: err.apiCode ?? null,
    });
  }
  console.error("unexpected error:", clean(err && err.stack ? err.stack : String(err)));
  return errorResponse(500, { code: "ERR_INTERNAL", message: "internal error" });
}
