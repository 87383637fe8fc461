export { KlingError } from "../index.js";
export type { ClipHeader, JoinPiece, JoinPlan } from "./kling_edge_mp4.js";
export { join, plan } from "./kling_edge_mp4.js";

import type { JoinPiece } from "./kling_edge_mp4.js";

/**
 * The codes `kling-edge/mp4` throws (`err.code` of its `KlingError`s): clips that cannot be joined
 * without re-encoding (`err.clip` is the clip at fault, 0-based), a clip that is not a readable MP4,
 * a call with wrong arguments, and use before `init()` in a browser.
 */
export type KlingMp4ErrorCode =
  | "ERR_KLING_MP4_INCOMPATIBLE"
  | "ERR_KLING_DECODE"
  | "ERR_KLING_INVALID_REQUEST"
  | "ERR_KLING_NOT_INITIALIZED";

/** A clip read by ranges: from a file, a bucket (R2, S3) or HTTP Range requests. */
export interface ClipSource {
  /** The clip file's length in bytes. */
  size: number;
  /** Resolves exactly `length` bytes from `offset` of the clip. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** The joined file, planned from the clips' headers; its media is read only when streamed. */
export interface JoinedStream {
  /** The joined file's length in bytes (a Content-Length). */
  size: number;
  /** Its first bytes: `ftyp`, `moov` and the `mdat` box's header. */
  header: Uint8Array;
  /** The clips' byte ranges that follow the header, in order. */
  pieces: JoinPiece[];
  /**
   * Bytes `start` to `end` (exclusive; default: the whole file) of the joined file, read lazily
   * from the clips at most 1 MiB at a time: an HTTP Range `bytes=a-b` is `stream(a, b + 1)`.
   */
  stream(start?: number, end?: number): ReadableStream<Uint8Array>;
}

/**
 * Joins clips read by ranges: reads each clip's top-level box headers (16 bytes each) and its
 * `moov`, plans the joined file, and returns it as a stream, so memory holds the headers, never
 * the video. Throws like `join`.
 */
export function joinStream(clips: ClipSource[]): Promise<JoinedStream>;

/**
 * Loads the joiner's WebAssembly module. Required once in browsers before anything else (until
 * then every export throws `ERR_KLING_NOT_INITIALIZED`); a no-op in Node, Deno, Bun and
 * Cloudflare Workers, where the module loads at import.
 */
export function init(input?: string | URL | Request | Response | BufferSource | WebAssembly.Module): Promise<void>;

/** Loads the joiner's WebAssembly module synchronously from bytes or a compiled module (already done outside browsers). */
export function initSync(module: BufferSource | WebAssembly.Module): void;
