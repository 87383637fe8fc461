// Serves the "generated" videos: every known video id maps onto one of the tiny real H.264 clips
// in sim/media/ (its own clip for a generating task's result, a hash-chosen legacy clip for the
// samples and extensions), with HEAD and single-range support so players and download code behave
// as they would against a CDN. No auth, like Kling's media URLs.
import { readdirSync, readFileSync } from "node:fs";
import { send } from "./http.mjs";

const MEDIA_DIR = new URL("../media/", import.meta.url);
const LEGACY_CLIP = /^clip-[a-z]+\.mp4$/;

let loaded = null; // the committed clips never change while the process runs: read them once

/**
 * The committed clips, read once per process: name → bytes. `clip-*.mp4` are the samples' and
 * extensions' clips; `gen/*.mp4` the results of generating tasks (sim/lib/clips.mjs).
 */
export function loadClips() {
  if (loaded) return loaded;
  const legacy = readdirSync(MEDIA_DIR)
    .filter((name) => LEGACY_CLIP.test(name))
    .sort();
  if (legacy.length === 0) throw new Error("sim/media has no clip-*.mp4; run sim/media/generate.sh");
  const generated = readdirSync(new URL("gen/", MEDIA_DIR))
    .filter((name) => name.endsWith(".mp4"))
    .sort()
    .map((name) => `gen/${name}`);
  loaded = new Map([...legacy, ...generated].map((name) => [name, readFileSync(new URL(name, MEDIA_DIR))]));
  return loaded;
}

/** Picks a legacy clip for a video without its own (the same id always gets the same clip). */
function legacyClipFor(clips, videoId) {
  const names = [...clips.keys()].filter((name) => LEGACY_CLIP.test(name));
  let hash = 0;
  for (const char of videoId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return clips.get(names[hash % names.length]);
}

/**
 * The bytes behind /media/<name>: a clip by its own name, or a known video's clip
 * (`<video id>.mp4`, `<video id>-wm.mp4`); null when there is none.
 */
export function mediaBytes({ name, clips, videos }) {
  const direct = clips.get(name);
  if (direct) return direct;
  const match = /^(\d+)(-wm)?\.mp4$/.exec(name);
  const video = match && videos.get(match[1]);
  if (!video) return null;
  return video.clip ? clips.get(video.clip) : legacyClipFor(clips, video.id);
}

/** Handles GET/HEAD /media/<name>; `videos` tells which ids exist. */
export function serveMedia({ req, res, name, clips, videos }) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return send(res, 405, { Allow: "GET, HEAD", "Content-Type": "text/plain" }, "method not allowed\n");
  }
  const bytes = mediaBytes({ name, clips, videos });
  if (!bytes) return send(res, 404, { "Content-Type": "text/plain" }, "no such media\n");

  const headers = { "Content-Type": "video/mp4", "Accept-Ranges": "bytes", "Cache-Control": "public, max-age=3600" };
  const range = parseRange(req.headers.range, bytes.length);
  if (range === "unsatisfiable") {
    return send(res, 416, { ...headers, "Content-Range": `bytes */${bytes.length}` }, "");
  }
  const [status, body] = range ? [206, bytes.subarray(range.start, range.end + 1)] : [200, bytes];
  if (range) headers["Content-Range"] = `bytes ${range.start}-${range.end}/${bytes.length}`;
  res.writeHead(status, { ...headers, "Content-Length": body.length });
  res.end(req.method === "HEAD" ? undefined : body);
}

/**
 * "bytes=a-b", "bytes=a-" or "bytes=-n" → { start, end } (inclusive); null means "send it all"
 * (no header, or several ranges, which RFC 9110 lets a server ignore).
 */
export function parseRange(header, size) {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return header.includes(",") ? null : "unsatisfiable";
  const [, first, last] = match;
  if (first === "" && last === "") return "unsatisfiable";
  if (first === "") {
    const length = Math.min(Number(last), size);
    return length === 0 ? "unsatisfiable" : { start: size - length, end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  return start >= size || end < start ? "unsatisfiable" : { start, end };
}
