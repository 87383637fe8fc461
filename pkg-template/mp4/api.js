// The joiner's JavaScript half, shared by every runtime's entry: the wasm's failures as the
// package's one KlingError class, and the streaming form built on small range reads. Its exports
// are kling-edge/mp4's public names (each entry re-exports them all, and adds init and initSync).
import { KlingError } from "../kling-error.js";
import * as glue from "./kling_edge_mp4.js";
import { isReady } from "./ready.js";

export { KlingError };

/** A `KlingError` that is not a clip's fault (`clip` absent). */
function error(code, message, fields = {}) {
  return new KlingError(code, message, { retryable: false, ...fields });
}

/** Runs `f` against the wasm, rethrowing its errors as the package's KlingError. */
function call(name, f) {
  if (!isReady()) {
    throw error(
      "ERR_KLING_NOT_INITIALIZED",
      `kling-edge/mp4 is not initialised: \`await init()\` once before using ${name} (browsers load the WebAssembly module asynchronously)`,
    );
  }
  try {
    return f();
  } catch (e) {
    if (e instanceof Error && e.name === "KlingError" && !(e instanceof KlingError)) {
      throw error(e.code, e.message, e.clip === undefined ? {} : { clip: e.clip });
    }
    throw e;
  }
}

/**
 * Joins whole MP4 clips into one MP4 without re-encoding (faststart). Throws a KlingError:
 * `ERR_KLING_MP4_INCOMPATIBLE` with `clip` when a clip differs from clip 0, `ERR_KLING_DECODE`
 * when a clip is not a readable MP4.
 */
export function join(clips) {
  return call("join", () => glue.join(clips));
}

/** The joined file's header and the clips' byte ranges that follow it, from the clips' `moov`s. */
export function plan(headers) {
  return call("plan", () => glue.plan(headers));
}

/** A larger moov is not a clip's: refused before it is read into memory. */
const MAX_MOOV = 64 * 1024 * 1024;
/** The most bytes one read of a clip asks for while streaming. */
const READ_SIZE = 1024 * 1024;

async function readExactly(clip, index, offset, length) {
  const bytes = await clip.read(offset, length);
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw error(
      "ERR_KLING_INVALID_REQUEST",
      `clip ${index}'s read(${offset}, ${length}) resolved ${got}, not a Uint8Array of ${length} bytes`,
      {
        clip: index,
      },
    );
  }
  return bytes;
}

/** Clip `index`'s `{ size, moov }`, found by reading the top-level box headers one by one. */
async function readHeader(clip, index) {
  const size = clip?.size;
  if (!Number.isSafeInteger(size) || size < 0 || typeof clip.read !== "function") {
    throw error("ERR_KLING_INVALID_REQUEST", `clip ${index} is not { size: number, read(offset, length): Promise<Uint8Array> }`, {
      clip: index,
    });
  }
  let offset = 0;
  while (offset < size) {
    const head = await readExactly(clip, index, offset, Math.min(16, size - offset));
    const box = call("joinStream", () => glue.boxAt(index, head, offset, size));
    if (box.type === "moov") {
      if (box.size > MAX_MOOV) {
        throw error("ERR_KLING_DECODE", `clip ${index}'s moov box is ${box.size} bytes, more than a clip's header has`, { clip: index });
      }
      return { size, moov: await readExactly(clip, index, offset, box.size) };
    }
    offset += box.size;
  }
  throw error(
    "ERR_KLING_DECODE",
    `clip ${index} is not an MP4 file that can be joined: it has no moov box; pass each clip's whole MP4 file as it was delivered`,
    { clip: index },
  );
}

/**
 * Plans the joined file from small range reads of each clip (its top-level box headers, then its
 * `moov`), and returns its `size`, `header` and a `stream(start, end)` of any byte range of it,
 * read lazily from the clips: memory holds the headers, never the video.
 */
export async function joinStream(clips) {
  if (!Array.isArray(clips)) {
    throw error("ERR_KLING_INVALID_REQUEST", "joinStream(clips): clips is not an array of { size, read(offset, length) }");
  }
  const headers = [];
  for (const [index, clip] of clips.entries()) headers.push(await readHeader(clip, index));
  const { header, size, pieces } = plan(headers);
  return {
    size,
    header,
    pieces,
    stream(start = 0, end = size) {
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end > size) {
        throw error("ERR_KLING_INVALID_REQUEST", `stream(${start}, ${end}): the range must satisfy 0 ≤ start ≤ end ≤ ${size}`);
      }
      return rangeStream(clips, header, pieces, start, end);
    },
  };
}

/** Bytes `start .. end` (exclusive) of the joined file, read piece by piece. */
function rangeStream(clips, header, pieces, start, end) {
  // Each part: where it sits in the joined file, and how to read `length` bytes from `offset` of it.
  const parts = [{ at: 0, length: header.length, read: async (offset, length) => header.subarray(offset, offset + length) }];
  let at = header.length;
  for (const p of pieces) {
    const clip = clips[p.clip];
    parts.push({ at, length: p.length, read: (offset, length) => readExactly(clip, p.clip, p.offset + offset, length) });
    at += p.length;
  }
  let position = start;
  return new ReadableStream(
    {
      async pull(controller) {
        if (position >= end) {
          controller.close();
          return;
        }
        const part = parts.find((q) => position >= q.at && position < q.at + q.length);
        const offset = position - part.at;
        const length = Math.min(READ_SIZE, part.length - offset, end - position);
        const bytes = await part.read(offset, length);
        position += length;
        controller.enqueue(bytes);
        if (position >= end) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}
