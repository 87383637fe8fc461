// GET/HEAD /chains/:id/video — a chain's video, streamed from the clips kept in R2 (`MEDIA`),
// with no joined copy stored. For a chain whose steps are separate clips (next-shot), the video is
// the source's clip when it is kept in R2 (a video the user made through this service: kept when
// it finished), then every step's clip in order, up to the first not finished and kept; the
// package's joiner
// (`kling-edge/mp4`) plans the joined MP4 from each clip's top-level box headers and `moov`, read
// by small range reads; the answer is then served lazily as (joined header | clip k's byte range)
// pieces, each clip range piped from R2 as it is read. An extend chain's steps are each the whole
// video so far: its video is its last kept step's, served as is.
// Memory: the clips' headers while planning, the joined header while serving; never the media.
import { HttpError, sha256Hex } from "./http.js";
import { keyOf, mediaName, parseRange, signedQuery } from "./media.js";
import { userStore } from "./tasks.js";

/** What a signed link to a chain's video is for (its HMAC says so: not a `/media` link). */
export const VIDEO_PURPOSE = "chain-video";

/** A URL of the chain's video its owner's <video> element can use for an hour. */
export async function videoUrl(env, userKey, chainId) {
  return `/chains/${chainId}/video?${await signedQuery(env, VIDEO_PURPOSE, userKey, chainId)}`;
}

/** Bumped whenever the joined bytes of the same clips could change (the ETag says so). */
const LAYOUT_VERSION = "join-1";
/** Planning reads a clip in blocks of at most this many bytes (box headers, then `moov`). */
const PLAN_BLOCK = 64 * 1024;
/**
 * Joined layouts remembered per isolate (a seeking `<video>` asks again and again), by ETag: at
 * most this many headers' bytes in all (the header of 36 joined 5 s clips is 70–140 KB).
 */
const LAYOUT_CACHE_BYTES = 1024 * 1024;
const layouts = new Map();

/** The chain's methods whose steps are each a separate clip (joined); any other is an extend chain. */
const JOINED = (method) => method !== undefined && method !== "extend";

/**
 * The chain's kept clips, in order: `[{step, name}]`. A joined chain's are its first steps, done
 * and kept, up to the first that is not (while it runs: the clips finished so far), and `source`
 * is where its source's clip would be kept (`{step: 0, name}`: it leads the video when R2 has
 * it); an extend chain's is its last kept step alone (each result is the whole video).
 */
export function chainClips(view) {
  const params = JSON.parse(view.chain.params);
  const kept = new Map();
  for (const s of view.steps) if (s.done && s.media) kept.set(s.step, s.media);
  if (!JOINED(params.method)) {
    const last = Math.max(0, ...kept.keys());
    return { joined: false, clips: last ? [{ step: last, name: kept.get(last) }] : [], source: null };
  }
  const clips = [];
  for (let n = 1; kept.has(n); n++) clips.push({ step: n, name: kept.get(n) });
  return { joined: true, clips, source: { step: 0, name: mediaName(view.chain.video_id) } };
}

/** How an answer names a clip: the source's, or a step's. */
const clipName = (c) => (c.step === 0 ? "the source's clip" : `step ${c.step}'s clip`);

/**
 * Serves the chain `id` of `userKey` (its owner, by session or signed link). An answer that had to
 * plan the join says what planning read in `Server-Timing` (`plan;dur=<ms>;desc="<reads> reads,
 * <bytes> bytes"`), so its cost can be watched against the video's size.
 */
export async function serveChainVideo(request, env, userKey, id, cors) {
  const missing = new HttpError(404, "ERR_NOT_FOUND", "no such chain");
  if (typeof id !== "string" || id.length < 1 || id.length > 128 || !env.MEDIA) throw missing;
  const view = await userStore(env, userKey).chainView(id);
  if (!view) throw missing;
  const { joined, clips: steps, source } = chainClips(view);
  // The source's clip leads a joined video when it is kept (a video the service has not kept, such
  // as a shared one, is left out rather than refused).
  const sourceHead = source ? await env.MEDIA.head(keyOf(userKey, source.name)) : null;
  const clips = sourceHead ? [source, ...steps] : steps;
  if (!clips.length) throw new HttpError(404, "ERR_NOT_FOUND", "no clip of this chain is finished and kept yet");

  // The clips' R2 objects: their sizes and etags name this answer before anything is read.
  const heads = await Promise.all(clips.map((c) => (c === source ? sourceHead : env.MEDIA.head(keyOf(userKey, c.name)))));
  let objects = clips.map((c, i) => {
    const head = heads[i];
    if (!head) throw new HttpError(404, "ERR_NOT_FOUND", `${clipName(c)} is no longer kept`, { step: c.step });
    return { ...c, key: keyOf(userKey, c.name), size: head.size, etag: head.etag };
  });
  const etagOf = async (list) => {
    const tag = await sha256Hex([LAYOUT_VERSION, joined ? "join" : "whole", ...list.map((o) => `${o.key}\n${o.etag}`)].join("\n"));
    return `"${tag.slice(0, 40)}"`;
  };
  let etag = await etagOf(objects);
  // A source that cannot be joined to the clips (another shape, or sound where they have none)
  // is left out, as remembered from an earlier answer.
  if (sourceHead && layouts.get(etag)?.withoutSource) {
    objects = objects.slice(1);
    etag = await etagOf(objects);
  }
  const headers = {
    ...cors,
    "content-type": "video/mp4",
    "accept-ranges": "bytes",
    etag,
    // The video grows while the chain runs: a browser asks again, and an unchanged one is a 304.
    "cache-control": "private, no-cache",
  };
  if (matches(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });

  const stats = { reads: 0, bytes: 0 };
  const began = Date.now();
  let layout;
  if (!joined) {
    layout = { header: new Uint8Array(0), size: objects[0].size, pieces: [{ clip: 0, offset: 0, length: objects[0].size }] };
  } else {
    try {
      layout = await joinedLayout(objects, env, etag, stats);
    } catch (err) {
      if (!(objects[0].step === 0 && err?.extra?.clip === 0 && err.status === 422 && objects.length > 1)) throw err;
      remember(etag, { header: new Uint8Array(0), withoutSource: true });
      objects = objects.slice(1);
      etag = await etagOf(objects);
      headers.etag = etag;
      if (matches(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
      layout = await joinedLayout(objects, env, etag, stats);
    }
  }
  if (stats.reads) headers["server-timing"] = `plan;dur=${Date.now() - began};desc="${stats.reads} reads, ${stats.bytes} bytes"`;
  const { size } = layout;
  // `If-Range` with another validator: the whole (the caller's bytes are of another video).
  const ifRange = request.headers.get("if-range");
  const range = ifRange && ifRange !== etag ? null : parseRange(request.headers.get("range"), size);
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${size}` } });
  }
  const start = range ? range.start : 0;
  const end = range ? range.end + 1 : size;
  const out = { ...headers, "content-length": String(end - start) };
  if (range) out["content-range"] = `bytes ${start}-${end - 1}/${size}`;
  const status = range ? 206 : 200;
  if (request.method === "HEAD") return new Response(null, { status, headers: out });
  return new Response(bytesOf(env, objects, layout, start, end), { status, headers: out });
}

/** Whether an `If-None-Match` list names `etag` (weak comparison, as for GET). */
function matches(value, etag) {
  if (!value) return false;
  if (value.trim() === "*") return true;
  return value.split(",").some((v) => v.trim().replace(/^W\//, "") === etag);
}

/**
 * The joined file's `{header, size, pieces}`: planned by the package from the clips' headers, read
 * from R2 by range, or remembered from an earlier request for the same clips (same ETag). A clip
 * that cannot be joined is answered 422 with its step and name.
 */
async function joinedLayout(objects, env, etag, stats) {
  const cached = layouts.get(etag);
  if (cached && !cached.withoutSource) {
    layouts.delete(etag); // most recently used last
    layouts.set(etag, cached);
    return cached;
  }
  const { joinStream } = await import("kling-edge/mp4");
  const reader = blockReader(env, stats);
  let planned;
  try {
    planned = await joinStream(objects.map((o) => ({ size: o.size, read: (offset, length) => reader(o, offset, length) })));
  } catch (err) {
    if (err?.name === "KlingError" && Number.isInteger(err.clip) && objects[err.clip]) {
      const o = objects[err.clip];
      const status = err.code === "ERR_KLING_MP4_INCOMPATIBLE" || err.code === "ERR_KLING_DECODE" ? 422 : 500;
      throw new HttpError(status, err.code, `${clipName(o)} (${o.name}) cannot be joined: ${err.message}`, {
        step: o.step,
        clip: err.clip,
        media: o.name,
      });
    }
    throw err;
  }
  const layout = { header: planned.header, size: planned.size, pieces: planned.pieces };
  remember(etag, layout);
  return layout;
}

/** Remembers a layout (or that a source is left out) under its ETag, within the cache's bytes. */
function remember(etag, layout) {
  layouts.set(etag, layout);
  let held = 0;
  for (const l of layouts.values()) held += l.header.length;
  for (const [key, l] of layouts) {
    if (held <= LAYOUT_CACHE_BYTES) break;
    layouts.delete(key); // the least recently used first
    held -= l.header.length;
  }
}

/**
 * A range reader for planning: a read outside the block held fetches a block of up to
 * `PLAN_BLOCK` bytes from R2 there, so a clip's box headers and a `moov` that follows take one
 * read. One block is held at a time (the clips are read in turn), and reads are copies, so the
 * `moov`s kept for planning do not hold blocks alive.
 */
function blockReader(env, stats) {
  let held = null; // {key, offset, bytes}
  return async (o, offset, length) => {
    if (!(held && held.key === o.key && offset >= held.offset && offset + length <= held.offset + held.bytes.length)) {
      const want = Math.min(Math.max(length, PLAN_BLOCK), o.size - offset);
      const object = await env.MEDIA.get(o.key, { range: { offset, length: want }, onlyIf: { etagMatches: o.etag } });
      if (!object?.body) throw new HttpError(503, "ERR_MEDIA_CHANGED", "a clip changed while the video was planned: ask again");
      const bytes = new Uint8Array(await object.arrayBuffer());
      stats.reads += 1;
      stats.bytes += bytes.length;
      held = { key: o.key, offset, bytes };
    }
    const at = offset - held.offset;
    return held.bytes.slice(at, at + length);
  };
}

/**
 * Bytes `start .. end` (exclusive) of the video: the header's slice, then each clip range that
 * overlaps, piped from R2 in turn (one ranged read per clip), into a stream of known length.
 */
function bytesOf(env, objects, layout, start, end) {
  const { readable, writable } = new FixedLengthStream(end - start);
  const parts = [{ at: 0, length: layout.header.length, header: true }];
  let at = layout.header.length;
  for (const p of layout.pieces) {
    parts.push({ at, length: p.length, object: objects[p.clip], offset: p.offset });
    at += p.length;
  }
  const pump = async () => {
    for (const part of parts) {
      const from = Math.max(start, part.at);
      const to = Math.min(end, part.at + part.length);
      if (from >= to) continue;
      if (part.header) {
        const writer = writable.getWriter();
        await writer.write(layout.header.slice(from, to));
        writer.releaseLock();
        continue;
      }
      const { object: o } = part;
      const range = { offset: part.offset + (from - part.at), length: to - from };
      const r2 = await env.MEDIA.get(o.key, { range, onlyIf: { etagMatches: o.etag } });
      if (!r2?.body) {
        const err = new Error(`${clipName(o)} changed or went while it was served`);
        console.warn("serving a chain's video stopped:", err.message);
        throw err;
      }
      await r2.body.pipeTo(writable, { preventClose: true });
    }
    await writable.close();
  };
  // A reader that goes away (a <video> seeking elsewhere cancels its request) ends the pump too.
  pump().catch((err) => writable.abort(err).catch(() => {}));
  return readable;
}
