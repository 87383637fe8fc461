// POST /extensions and GET /extensions/:id.
import { HttpError, json, parseJsonObject, randomHex, readText, sha256Hex } from "./http.js";
import { withClient } from "./kling.js";
import { applyTask, deleteToken, findRecord, putToken } from "./records.js";

/** 256 random bits, hex: the capability a callback URL carries. */
export const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

export async function createExtension(request, env, state) {
  const params = parseJsonObject(await readText(request));
  if ("callback_url" in params) {
    throw new HttpError(400, "ERR_KLING_INVALID_REQUEST", "`callback_url` is set by this service", { field: "callback_url" });
  }
  const token = randomHex(32);
  state.secrets.push(token);
  const tokenHash = await sha256Hex(token);
  // The external id is known before the create, so a callback that arrives before Kling's answer
  // can still be tied to its task.
  // A caller's own value goes to kling-edge as given, so a bad one is refused with its field.
  const externalTaskId = "external_task_id" in params ? params.external_task_id : `kew-${randomHex(12)}`;
  const callbackUrl = `${new URL(request.url).origin}/callbacks/${token}`;

  await putToken(env.TASKS, tokenHash, { external_task_id: externalTaskId });
  let created;
  try {
    created = await withClient(env, (kling) =>
      kling.extendVideo({ ...params, external_task_id: externalTaskId, callback_url: callbackUrl }),
    );
  } catch (err) {
    await deleteToken(env.TASKS, tokenHash).catch(() => {});
    throw err;
  }
  await putToken(env.TASKS, tokenHash, { external_task_id: externalTaskId, task_id: String(created.task_id) });
  const { record } = await applyTask(env.TASKS, created, externalTaskId);
  return json(202, record ?? {}, { location: `/extensions/${encodeURIComponent(created.task_id)}` });
}

export async function getExtensionRecord(id, env) {
  if (!id || id.length > 256) throw new HttpError(404, "ERR_NOT_FOUND", "no such extension");
  const record = await findRecord(env.TASKS, id);
  if (!record) throw new HttpError(404, "ERR_NOT_FOUND", "no such extension");
  return json(200, record);
}
