//! The TypeScript types of the public API, emitted into the package's `.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Every code a `KlingError` can carry. */
export type KlingErrorCode =
  | "ERR_KLING_INVALID_OPTIONS" | "ERR_KLING_INVALID_REQUEST" | "ERR_KLING_AUTH"
  | "ERR_KLING_PERMISSION" | "ERR_KLING_ACCOUNT" | "ERR_KLING_BAD_REQUEST" | "ERR_KLING_NOT_FOUND"
  | "ERR_KLING_POLICY" | "ERR_KLING_RATE_LIMITED" | "ERR_KLING_CONCURRENCY" | "ERR_KLING_SERVER"
  | "ERR_KLING_NETWORK" | "ERR_KLING_TIMEOUT" | "ERR_KLING_ABORTED" | "ERR_KLING_DECODE"
  | "ERR_KLING_TASK_FAILED" | "ERR_KLING_WAIT_TIMEOUT" | "ERR_KLING_CALLBACK_SIGNATURE"
  | "ERR_KLING_NOT_INITIALIZED";

/**
 * What every rejection and throw of kling-edge is: `err instanceof KlingError` works from every
 * entry, the not-initialised error included. Branch on `code`.
 */
export declare class KlingError extends Error {
  private constructor();
  name: "KlingError";
  code: KlingErrorCode;
  /** Whether repeating the same call may succeed. Never true when `taskMayExist` is. */
  retryable: boolean;
  /**
   * A create that may have reached Kling could not be settled: the task may exist. Call again
   * with `externalTaskId` (the same id returns the task if it exists and creates it once if not);
   * a retry with a fresh id could pay twice.
   */
  taskMayExist?: boolean;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Kling's business code. */
  apiCode?: number;
  /** Kling's request id: give it to Kling support. */
  requestId?: string;
  taskId?: string;
  /**
   * The create's `external_task_id` (a chain's prefix, for chain errors): calling again with it is
   * safe, since the same id never creates a second task.
   */
  externalTaskId?: string;
  /** The parameter that broke a rule (`ERR_KLING_INVALID_REQUEST`). */
  field?: string;
  /** The task's last status (`ERR_KLING_WAIT_TIMEOUT`). */
  lastStatus?: string;
  /** Kling's failure reason (`ERR_KLING_TASK_FAILED`). */
  taskStatusMsg?: string;
  /** Steps a chain finished before it stopped. */
  completed?: Task[];
}

/** How much a client logs (`logLevel`); each level includes the ones before it. */
export type KlingLogLevel = "off" | "error" | "warn" | "info" | "debug";

/** The fields object passed with every log line; absent fields are left out. */
export interface KlingLogFields {
  method?: "GET" | "POST";
  /** Path and query, without the host. */
  path?: string;
  /** The attempt the line is about, from 1 (for a retry: the attempt about to be made). */
  attempt?: number;
  status?: number;
  /** Kling's business code (0 on success). */
  apiCode?: number;
  requestId?: string;
  /** How long the attempt took (`debug`). */
  durationMs?: number;
  /** The wait before the retry (`warn`). */
  delayMs?: number;
  /** The error's code, when the line is about a failure. */
  code?: KlingErrorCode;
}

/** A console-shaped logger. */
export interface KlingLogger {
  error(message: string, fields: KlingLogFields): unknown;
  warn(message: string, fields: KlingLogFields): unknown;
  info(message: string, fields: KlingLogFields): unknown;
  debug(message: string, fields: KlingLogFields): unknown;
}

/** One resource pack, as Kling returns it (unknown fields are kept). */
export interface ResourcePack {
  resource_pack_name: string;
  resource_pack_id: string;
  resource_pack_type: "decreasing_total" | "constant_period" | (string & {});
  total_quantity: number;
  /** What remains; Kling's count may lag up to 12 hours behind the charges. */
  remaining_quantity: number;
  /** Unix milliseconds. */
  purchase_time: number;
  /** Unix milliseconds. */
  effective_time: number;
  /** Unix milliseconds. */
  invalid_time: number;
  status: "toBeOnline" | "online" | "expired" | "runOut" | (string & {});
  [key: string]: unknown;
}

/** What `kling.account.costs` resolves: Kling's `data` as sent (unknown fields are kept). */
export interface AccountCosts {
  /** Kling's inner code: always 0 here (another code rejects). */
  code: number;
  msg?: string;
  resource_pack_subscribe_infos: ResourcePack[];
  /** Kling's request id of the answer (non-enumerable: not in JSON). */
  readonly _request_id?: string;
  [key: string]: unknown;
}

/**
 * What `list()` returns: awaited, one page of tasks (newest first; the page is fetched when first
 * awaited); with `for await`, every task from that page on, page after page.
 */
export interface PagePromise extends PromiseLike<Task[]>, AsyncIterable<Task> {
  catch<T = never>(onrejected?: ((reason: KlingError) => T | PromiseLike<T>) | null): Promise<Task[] | T>;
  finally(onfinally?: (() => void) | null): Promise<Task[]>;
}

export type TaskStatus = "submitted" | "processing" | "succeed" | "failed";

export interface Video {
  /** Feed this id to the next extension. */
  id: string;
  url: string;
  watermark_url?: string;
  /** Seconds, as a string (the new total for an extension). */
  duration: string;
}

/** A task exactly as Kling returns it (unknown fields are kept). */
export interface Task {
  task_id: string;
  task_status: TaskStatus | (string & {});
  task_status_msg?: string;
  task_info?: {
    external_task_id?: string;
    parent_video?: { id: string; url: string; duration: string };
    [key: string]: unknown;
  };
  task_result?: { videos?: Video[]; [key: string]: unknown };
  watermark_info?: { enabled: boolean };
  /** Units charged, as a string. */
  final_unit_deduction?: string;
  /** Unix milliseconds. */
  created_at?: number;
  updated_at?: number;
  /** Kling's request id of the answer that carried this task (non-enumerable: not in JSON). */
  readonly _request_id?: string;
  [key: string]: unknown;
}

/** The limits the package enforces (`limits()`). */
export interface KlingLimits {
  maxPromptChars: number;
  cfgScale: [number, number];
  maxTotalSeconds: number;
  maxStepSeconds: number;
  maxChainSteps: number;
  maxIdChars: number;
  pageNum: [number, number];
  pageSize: [number, number];
  defaultPageSize: number;
  extendableModels: string[];
  discontinuedModels: string[];
  /** Models Kling no longer generates with (refused unless `allowRetiredModels: true`). */
  retiredModels: string[];
  statuses: TaskStatus[];
  /** The capability table, per family. */
  families: Record<KlingFamily, KlingFamilyCaps>;
}

/** The task families, by their path's last segment. */
export type KlingFamily = "video-extend" | "text2video" | "image2video" | "omni-video";

/** The text2video models the package knows (today: kling-v3), and any other name, sent as it is. */
export type TextToVideoModel =
  | "kling-v3" | "kling-v2-6" | "kling-v2-5-turbo" | "kling-v2-master" | "kling-v2-1-master"
  | "kling-v2-1" | "kling-v1-6" | "kling-v1-5" | "kling-v1" | (string & {});

/** The image2video models the package knows (today: kling-v3), and any other name, sent as it is. */
export type ImageToVideoModel =
  | "kling-v3" | "kling-v2-6" | "kling-v2-5-turbo" | "kling-v2-master" | "kling-v2-1-master"
  | "kling-v2-1" | "kling-v1-6" | "kling-v1-5" | "kling-v1" | (string & {});

/** The Omni-Video models the package knows, and any other name, sent as it is. */
export type OmniVideoModel = "kling-v3-omni" | "kling-video-o1" | (string & {});

/**
 * A rule of the capability table tying fields together. `when` names a fact about a request: a
 * field given (`image_tail`), a field's value (`sound:on`, `multi_shot:true`), or `first_frame`,
 * `end_frame`, `video`, `base_video`, `masks`, `text_or_first_frame`, `always`.
 */
export type KlingRule =
  | { kind: "onlyInMode"; when: string; mode: string }
  | { kind: "needs"; when: string; needs: string }
  | { kind: "notWith"; when: string; not: string }
  | { kind: "durationsWhen"; when: string; durations: string[] }
  | { kind: "requiredUnless"; when: "always"; field: string; unless: string[] }
  | { kind: "atMost"; when: string; count: string[]; max: number }
  | { kind: "shotsSumToDuration"; when: "multi_prompt" };

/** One model's row of the capability table. */
export interface KlingModelCaps {
  /** `model_name` (`"*"` for `anyModel`). */
  name: string;
  modes: string[];
  /** Every allowed `duration`, as the strings sent. */
  durations: string[];
  /** Empty where the family has no `aspect_ratio`. */
  aspectRatios: string[];
  /** `image_tail`, `sound`, `multi_shot`, `reference_video`, `elements`, `end_frame`. */
  features: string[];
  /** The model's own rules (its family's are `anyModel.rules`, and apply to it too). */
  rules: KlingRule[];
  /** Whether video-extend takes its videos. */
  extendable: boolean;
  /** When Kling stopped generating with it, where that is published, and the model to use instead. */
  retired: { date: string; source: string; instead: string } | null;
  /** Estimated units per 5 seconds, `[std, pro]` (see `price`). */
  unitsPer5s: [number, number];
}

/** One family of the capability table. */
export interface KlingFamilyCaps {
  path: string;
  /** The model to use today (`null` for video-extend, whose model is the source's). */
  currentModel: string | null;
  /** Every model the package knows. */
  models: KlingModelCaps[];
  /** The rules of a model the package does not know (it is sent), and the family's rules. */
  anyModel: KlingModelCaps;
}

/** What `price` estimates a create costs at most. */
export interface KlingPrice {
  /** Kling's units (1 unit is about $0.14). */
  units: number;
  /** Always `true`: the charge is the task's `final_unit_deduction`. */
  estimate: true;
  /** The model priced; `null` for an extension of a source of unknown model. */
  model: string | null;
  /** `std` or `pro`; `null` for an extension of a source of unknown mode. */
  mode: string | null;
  /** The seconds priced, as a string. */
  duration: string;
}

/** How a chain continues its video (`ChainParams.method`, resolved). */
export type ChainMethod = "extend" | "next-shot" | "last-frame";

/** What `planChain` reports of checked chain parameters. */
export interface ChainPlan {
  steps: number;
  /** The method, resolved (`"auto"` is never reported). */
  method: ChainMethod;
  /** The endpoint each step creates its task at, in order. */
  families: Array<"video-extend" | "omni-video" | "image2video">;
  /** The seconds each step adds, where known (`null` for an extension). */
  step_seconds: Array<number | null>;
  /** The length the video may grow to. */
  max_seconds: number;
  video_id?: string;
  video_url?: string;
  video_duration?: number;
  external_task_id?: string;
}

/** The next step of a chain run step by step (`chainStep`), by the endpoint it creates at. */
export type ChainStep = {
  /** From 1. */
  step: number;
  /** The video's length before this step, when known. */
  duration?: number;
} & (
  | { family: "video-extend"; params: ExtendVideoParams & { external_task_id: string } }
  | { family: "omni-video"; params: OmniVideoParams & { external_task_id: string } }
  | { family: "image2video"; params: ImageToVideoParams & { external_task_id: string } }
);

/** One clip of a chain's video, in order: what joining them needs. */
export interface ChainClip {
  /** Where the clip is (Kling's URL; it expires, so keep what you join). */
  url?: string;
  /** Its length in seconds, when known. */
  duration?: number;
  video_id?: string;
  /** The task that made it (absent for the source). */
  task_id?: string;
}

/** What `kling.chains.run` resolves. */
export interface ChainRun {
  method: ChainMethod;
  /** The prefix every step's id derives from: run the chain again with it to resume. */
  external_task_id: string;
  /** Every step's finished task, in order. */
  tasks: Task[];
  /** The source and every step's clip (one, the whole video, for `extend`). */
  clips: ChainClip[];
  /** The video's length in seconds, when known. */
  duration: number | null;
}

/** A frame for `last-frame` chains: an image URL, base64 (a `data:` URL too), a Blob or bytes. */
export type LastFrame = string | Blob | ArrayBuffer | Uint8Array;
"#;
