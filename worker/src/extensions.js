// POST /extensions, GET /extensions, GET /extensions/:id — the service's own view of a user's
// video extensions (records, not Kling's envelope).
import { HttpError, json, parseJsonObject, readText } from "./http.js";
import { limits } from "./kling.js";
import { toRecord } from "./records.js";
import { create, list, read } from "./tasks.js";

const FAMILY = "video-extend";

export async function createExtension(request, ctx) {
  const params = parseJsonObject(await readText(request));
  const { kind, row } = await create(ctx, FAMILY, params);
  const record = toRecord(row);
  const headers = { ...ctx.cors };
  if (record.task_id) headers.location = `/extensions/${encodeURIComponent(record.task_id)}`;
  return json(kind === "existing" ? 200 : 202, record, headers);
}

/** The record; refreshed from Kling only while a create is in doubt (callbacks do the rest). */
export async function getExtensionRecord(id, ctx) {
  return json(200, toRecord(await read(ctx, FAMILY, id, { refresh: false })), ctx.cors);
}

/** `?pageNum=1&pageSize=30` (Kling's bounds): the caller's extensions, newest first. */
export async function listExtensionRecords(url, ctx) {
  const { pageNum, pageSize } = paging(url.searchParams);
  const rows = await list(ctx, FAMILY, pageNum, pageSize);
  return json(200, { data: rows.map(toRecord), pageNum, pageSize }, ctx.cors);
}

/** `pageNum` and `pageSize` in the package's (Kling's) bounds, or a smaller page. */
export function paging(params, maxPageSize = Number.POSITIVE_INFINITY) {
  const { pageNum, pageSize, defaultPageSize } = limits();
  for (const name of params.keys()) {
    if (name !== "pageNum" && name !== "pageSize")
      throw new HttpError(400, "ERR_KLING_INVALID_REQUEST", `unknown query parameter ${JSON.stringify(name.slice(0, 32))}`, {
        field: name.slice(0, 32),
      });
  }
  const read = (name, fallback, [min, max]) => {
    if (!params.has(name)) return fallback;
    const value = params.get(name);
    const n = /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max) || params.getAll(name).length > 1) {
      throw new HttpError(400, "ERR_KLING_INVALID_REQUEST", `${name} must be a whole number from ${min} to ${max}`, { field: name });
    }
    return n;
  };
  const maxSize = Math.min(pageSize[1], maxPageSize);
  return { pageNum: read("pageNum", 1, pageNum), pageSize: read("pageSize", Math.min(defaultPageSize, maxSize), [pageSize[0], maxSize]) };
}
