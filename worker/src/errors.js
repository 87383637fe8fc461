// Maps thrown errors to answers `{error: {code, message, ...}}`; on the Kling facade the body also
// carries Kling's envelope fields. Never lets a secret or a whole callback token through.

import { klingShaped } from "./facade.js";
import { HttpError, json, redact } from "./http.js";
import { secretsOf } from "./kling.js";

function describe(err, clean) {
  if (err instanceof HttpError) {
    return { status: err.status, error: { code: err.code, message: clean(err.message), ...err.extra }, headers: err.headers };
  }
  if (err && err.name === "KlingError") {
    if (err.code === "ERR_KLING_INVALID_REQUEST") {
      return { status: 400, error: { code: err.code, message: clean(err.message), field: err.field ?? null } };
    }
    if (err.code === "ERR_KLING_INVALID_OPTIONS") {
      // A configuration problem of this Worker, not of the caller.
      console.error("kling-edge refused the Worker's configuration:", clean(err.message));
      return { status: 500, error: { code: "ERR_NOT_CONFIGURED", message: "the Worker's Kling configuration is invalid" } };
    }
    const error = { code: err.code, message: clean(err.message), requestId: err.requestId ?? null, apiCode: err.apiCode ?? null };
    for (const name of ["field", "taskId", "retryable", "taskMayExist"]) if (err[name] !== undefined) error[name] = err[name];
    return { status: 502, error, upstreamStatus: err.status };
  }
  console.error("unexpected error:", clean(err?.stack ? err.stack : String(err)));
  return { status: 500, error: { code: "ERR_INTERNAL", message: "internal error" } };
}

/** `ctx`: `{env, cors, secrets, facade}` — `secrets` are this request's values never to echo. */
export function toResponse(err, ctx) {
  const secrets = [...secretsOf(ctx.env), ...ctx.secrets];
  const clean = (s) => (s === undefined || s === null ? undefined : redact(s, secrets));
  const { status, error, headers = {}, upstreamStatus } = describe(err, clean);
  const out = { ...ctx.cors, ...headers };
  if (!ctx.facade) return json(status, { error }, out);
  // On the facade a Kling refusal keeps Kling's own status, as the package expects of Kling.
  const facadeStatus = upstreamStatus && error.apiCode ? upstreamStatus : status;
  return json(facadeStatus, { ...klingShaped(facadeStatus, error), error }, out);
}
