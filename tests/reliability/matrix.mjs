// The fault matrix: operations × faults × expected outcome. The single source of truth of
// tests/reliability/fault-matrix.test.mjs (which runs every cell) and scripts/reliability-report
// (which renders the last run into docs/reliability.md).
//
// Expected outcomes follow the contract (shared/api-contract.md, README "Errors" and "Retries"):
// 1302/1303/5xxx/network/timeouts are retried; 1100–1102, other 4xx, an unknown code on HTTP 200 and
// ERR_KLING_DECODE are not; a create that failed ambiguously is looked up by its external_task_id
// before anything is sent again; a wait tolerates failed polls until its deadline and keeps
// polling through a status it does not know.

export const EXTEND = "/v1/videos/video-extend";
export const T2V = "/v1/videos/text2video";

/** Kind: "create" (a POST that may create a billable task), "read" (GETs), "wait" (polls). */
export const OPERATIONS = [
  { id: "create", label: "create", call: "extensions.create", kind: "create", path: EXTEND },
  { id: "get", label: "get", call: "extensions.get", kind: "read", path: EXTEND },
  { id: "list", label: "list", call: "extensions.list", kind: "read", path: EXTEND },
  { id: "iterate", label: "iterate", call: "extensions.list() over 2 pages", kind: "read", path: EXTEND },
  { id: "wait", label: "wait", call: "extensions.wait", kind: "wait", path: EXTEND },
  { id: "chain", label: "chain", call: "extensions.chain, 2 steps", kind: "create", path: EXTEND },
  { id: "text2video", label: "text2video", call: "textToVideo.create", kind: "create", path: T2V },
];

const RA = { "retry-after-ms": "10" }; // keeps retries fast; 1303 still waits its 1 s floor
const BIG_BYTES = 50 * 1024 * 1024;

const retried = { result: "ok", retries: 1 };
const tolerated = { result: "ok", tolerated: 1 };
const lookupAbsent = { result: "ok", lookup: "absent" };
const lookupFound = { result: "ok", lookup: "found" };
const reject = (code, apiCode) => ({ result: "reject", code, ...(apiCode ? { apiCode } : {}) });

/**
 * `sim`: a simulator fault action; `rewrite`: a body the simulator cannot produce, made by a
 * rewriting fetch in front of it (see support.mjs); `hang`: the cell uses a 300 ms timeoutMs;
 * `needs`: a client option the cell depends on (pending while the package lacks it).
 */
export const FAULTS = [
  {
    id: "429-1302",
    label: "429 / 1302 rate limited",
    sim: { type: "error", status: 429, code: 1302, headers: RA },
    read: retried,
    create: retried,
    wait: tolerated,
  },
  {
    id: "429-1303",
    label: "429 / 1303 concurrency",
    sim: { type: "error", status: 429, code: 1303, headers: RA },
    read: retried,
    create: retried,
    wait: tolerated,
  },
  {
    id: "429-1102",
    label: "429 / 1102 pack exhausted",
    sim: { type: "error", status: 429, code: 1102, headers: RA },
    read: reject("ERR_KLING_ACCOUNT", 1102),
    create: reject("ERR_KLING_ACCOUNT", 1102),
    wait: reject("ERR_KLING_ACCOUNT", 1102),
  },
  {
    id: "500-5000",
    label: "500 / 5000 internal error",
    sim: { type: "error", status: 500, code: 5000, headers: RA },
    read: retried,
    create: lookupAbsent,
    wait: tolerated,
  },
  {
    id: "503-5001",
    label: "503 / 5001 unavailable",
    sim: { type: "error", status: 503, code: 5001, headers: RA },
    read: retried,
    create: lookupAbsent,
    wait: tolerated,
  },
  {
    id: "504-5002",
    label: "504 / 5002 internal timeout",
    sim: { type: "error", status: 504, code: 5002, headers: RA },
    read: retried,
    create: lookupAbsent,
    wait: tolerated,
  },
  {
    id: "502-html",
    label: "502 HTML page (proxy)",
    sim: { type: "html", status: 502 },
    read: retried,
    create: lookupAbsent,
    wait: tolerated,
  },
  {
    id: "drop-before",
    label: "dropped before the server accepted",
    sim: { type: "drop-before" },
    read: retried,
    create: lookupAbsent,
    wait: tolerated,
  },
  {
    id: "drop-after",
    label: "dropped after the server processed",
    sim: { type: "drop-after" },
    read: retried,
    create: lookupFound,
    wait: tolerated,
  },
  {
    id: "hang",
    label: "response never finishes (timeoutMs 300)",
    sim: { type: "hang", process: true },
    hang: true,
    read: retried,
    create: lookupFound,
    wait: tolerated,
  },
  {
    id: "truncated",
    label: "truncated JSON",
    sim: { type: "truncated" },
    read: retried,
    create: lookupFound,
    wait: tolerated,
  },
  {
    id: "malformed",
    label: "200 non-JSON body",
    sim: { type: "malformed" },
    read: reject("ERR_KLING_DECODE"),
    create: lookupAbsent,
    wait: reject("ERR_KLING_DECODE"),
  },
  {
    id: "code-on-200",
    label: "HTTP 200 with code 9999",
    sim: { type: "code-on-200", code: 9999, message: "unknown failure" },
    read: reject("ERR_KLING_SERVER", 9999),
    create: reject("ERR_KLING_SERVER", 9999),
    wait: reject("ERR_KLING_SERVER", 9999),
  },
  {
    id: "missing-field",
    label: "task without `task_status`",
    rewrite: "drop-status",
    read: reject("ERR_KLING_DECODE"),
    create: lookupFound,
    wait: reject("ERR_KLING_DECODE"),
  },
  {
    id: "extra-fields",
    label: "extra fields",
    rewrite: "extra",
    read: { result: "ok", keep: "extra" },
    create: { result: "ok", keep: "extra" },
    wait: { result: "ok", keep: "extra" },
  },
  {
    id: "unknown-status",
    label: "unknown `task_status` (`queued`)",
    rewrite: "queued",
    read: { result: "ok", keep: "status" },
    create: { result: "ok", keep: "status" },
    wait: { result: "ok", keptPolling: true },
  },
  {
    id: "big",
    label: "50 MB body",
    needs: "maxResponseBytes",
    sim: { type: "big", bytes: BIG_BYTES },
    read: reject("ERR_KLING_DECODE"),
    create: lookupFound,
    wait: reject("ERR_KLING_DECODE"),
  },
];

/** The expected outcome of one cell. */
export function expected(fault, op) {
  const e = { ...fault[op.kind] };
  // A chain keeps the value only in its first step's create answer, which it does not return:
  // what a chain must do is finish.
  if (op.id === "chain" && e.keep === "status") return { result: "ok", keptPolling: true };
  return e;
}

/** The words of an expected outcome, as the doc and the test names show it. */
export function describe(e) {
  if (e.result === "reject") return `\`${e.code.replace("ERR_KLING_", "")}\`${e.apiCode ? ` (${e.apiCode})` : ""}, no retry`;
  if (e.lookup === "found") return "ok after lookup (found)";
  if (e.lookup === "absent") return "ok after lookup (absent → re-sent)";
  if (e.tolerated) return "ok, failed poll tolerated";
  if (e.keptPolling) return "ok, kept polling";
  if (e.keep === "extra") return "ok, fields kept";
  if (e.keep === "status") return "ok, status kept";
  if (e.retries) return `ok after ${e.retries} ${e.retries === 1 ? "retry" : "retries"}`;
  return "ok";
}

export function cellName(fault, op) {
  return `${fault.label} × ${op.label} (${op.call}): ${describe(expected(fault, op))}`;
}
