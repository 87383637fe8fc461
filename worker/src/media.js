// Kept videos: each succeeded task's result is copied into R2 (`MEDIA`) under its owner's key,
// because Kling's result URLs expire. `GET /media/:name` serves them to their owner, with range
// requests so a <video> element can seek. A <video> cannot send Authorization, so the service's
// records carry a signed URL (`?u&exp&sig`, an HMAC under the session secret, valid one hour).
import { HttpError, hmacHex } from "./http.js";

const NAME = /^[A-Za-z0-9_-]{1,128}\.mp4$/;
const URL_TTL_S = 3600;

export const mediaName = (videoId) => `${String(videoId).replace(/[^A-Za-z0-9_-]/g, "_")}.mp4`;
/** The R2 key of a user's kept video. */
export const keyOf = (userKey, name) => `${userKey}/${name}`;

/** The largest video kept (bytes), unless `MEDIA_MAX_BYTES` says otherwise. */
const DEFAULT_MAX_BYTES = 200 * 1024 * 1024;
/** Where Kling's result videos are served from, unless `MEDIA_HOSTS` says otherwise. */
const DEFAULT_MEDIA_HOSTS = "https://*.klingai.com";

/**
 * Whether `url` is on a host videos are kept from: `MEDIA_HOSTS` is a comma-separated list of
 * origins (`https://cdn.example.com`) where `*.` matches any subdomain. A task result names its
 * video's URL; without this list the service would fetch any URL a result (or a forged one) names.
 */
export function mediaHostAllowed(env, url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return mediaConfig(env).hosts.some((h) => {
    if (u.protocol !== `${h.scheme}:` || u.port !== h.port) return false;
    return h.anySubdomain ? u.hostname.endsWith(`.${h.host}`) : u.hostname === h.host;
  });
}

const HOST_PATTERN = /^(https?):\/\/(\*\.)?([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d+))?$/;

/** `MEDIA_HOSTS` and `MEDIA_MAX_BYTES`, read and checked (a bad one is ERR_NOT_CONFIGURED). */
export function mediaConfig(env) {
  const hosts = String(env.MEDIA_HOSTS || DEFAULT_MEDIA_HOSTS)
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((pattern) => {
      const m = HOST_PATTERN.exec(pattern);
      if (!m)
        throw new HttpError(
          500,
          "ERR_NOT_CONFIGURED",
          `MEDIA_HOSTS must list origins like https://*.klingai.com, not ${JSON.stringify(pattern.slice(0, 64))}`,
        );
      return { scheme: m[1], anySubdomain: Boolean(m[2]), host: m[3].toLowerCase(), port: m[4] ?? "" };
    });
  const raw = env.MEDIA_MAX_BYTES;
  const maxBytes = raw === undefined || raw === "" ? DEFAULT_MAX_BYTES : Number(raw);
  if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0))
    throw new HttpError(500, "ERR_NOT_CONFIGURED", "MEDIA_MAX_BYTES must be a whole number of bytes, 1 or more");
  return { hosts, maxBytes };
}

/**
 * Copies a video into R2 unless it is there already; resolves its name. Only from `MEDIA_HOSTS`,
 * only with a Content-Length within `MEDIA_MAX_BYTES` (the body streams into R2, never buffered).
 */
export async function keepVideo(env, userKey, video) {
  if (!env.MEDIA) return null;
  const name = mediaName(video.id);
  const key = keyOf(userKey, name);
  if (await env.MEDIA.head(key)) return name;
  if (!mediaHostAllowed(env, video.url)) throw new Error("the video's host is not in MEDIA_HOSTS");
  const response = await fetch(video.url, { redirect: "manual" });
  if (!response.ok || !response.body) throw new Error(`fetching the video answered ${response.status}`);
  const length = Number(response.headers.get("content-length"));
  const max = mediaConfig(env).maxBytes;
  if (!(Number.isSafeInteger(length) && length > 0 && length <= max)) {
    await response.body.cancel().catch(() => {});
    throw new Error(`the video's Content-Length is missing or over ${max} bytes`);
  }
  await env.MEDIA.put(key, response.body.pipeThrough(new FixedLengthStream(length)), {
    httpMetadata: { contentType: response.headers.get("content-type") || "video/mp4" },
    customMetadata: { video_id: String(video.id) },
  });
  return name;
}

/** Keeps every video of a stored task row. */
export async function keepVideos(env, userKey, row) {
  const task = row.task ? JSON.parse(row.task) : null;
  const names = [];
  for (const video of task?.task_result?.videos ?? []) if (video?.url) names.push(await keepVideo(env, userKey, video));
  return names;
}

/**
 * The query (`u&exp&sig`) of a link to `subject` that its owner's <video> element can use for an
 * hour: an HMAC under the session secret of what it is for (`purpose`), the owner and the expiry.
 */
export async function signedQuery(env, purpose, userKey, subject) {
  const exp = Math.floor(Date.now() / 1000) + URL_TTL_S;
  const sig = await hmacHex(env.KLING_EDGE_SESSION_SECRET, `${purpose}\n${userKey}\n${subject}\n${exp}`);
  return `u=${userKey}&exp=${exp}&sig=${sig}`;
}

/** A URL of a kept video its owner's <video> element can use for an hour. */
export async function mediaUrl(env, userKey, name) {
  return `/media/${name}?${await signedQuery(env, "media", userKey, name)}`;
}

/**
 * The owner a signed link to `subject` names (`purpose`: "media" for `/media/:name`), or null when
 * it is not signed; a bad or expired signature is a 404.
 */
export async function signedOwner(env, url, subject, purpose = "media") {
  const u = url.searchParams.get("u");
  const exp = Number(url.searchParams.get("exp"));
  const sig = url.searchParams.get("sig");
  if (!u && !sig) return null;
  const refuse = new HttpError(404, "ERR_NOT_FOUND", "no such video (or the link expired)");
  if (!/^[0-9a-f]{64}$/.test(u ?? "") || !/^[0-9a-f]{64}$/.test(sig ?? "") || !(exp * 1000 > Date.now())) throw refuse;
  const want = await hmacHex(env.KLING_EDGE_SESSION_SECRET, `${purpose}\n${u}\n${subject}\n${exp}`);
  let diff = 0;
  for (let i = 0; i < want.length; i++) diff |= want.charCodeAt(i) ^ sig.charCodeAt(i);
  if (diff) throw refuse;
  return u;
}

/** GET/HEAD /media/:name for `userKey`: the whole video, or one byte range (206; 416). */
export async function serveMedia(request, env, userKey, name, cors) {
  const missing = new HttpError(404, "ERR_NOT_FOUND", "no such video");
  if (!NAME.test(name) || !env.MEDIA) throw missing;
  const key = keyOf(userKey, name);
  const head = await env.MEDIA.head(key);
  if (!head) throw missing;
  const size = head.size;
  const headers = {
    ...cors,
    "content-type": head.httpMetadata?.contentType || "video/mp4",
    "accept-ranges": "bytes",
    etag: head.httpEtag,
    "cache-control": "private, max-age=3600",
  };
  const range = parseRange(request.headers.get("range"), size);
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${size}` } });
  }
  const isHead = request.method === "HEAD";
  if (!range) {
    const object = isHead ? null : await env.MEDIA.get(key);
    return new Response(object ? object.body : null, { status: 200, headers: { ...headers, "content-length": String(size) } });
  }
  const { start, end } = range;
  const object = isHead ? null : await env.MEDIA.get(key, { range: { offset: start, length: end - start + 1 } });
  return new Response(object ? object.body : null, {
    status: 206,
    headers: { ...headers, "content-length": String(end - start + 1), "content-range": `bytes ${start}-${end}/${size}` },
  });
}

/** One `bytes=` range: `{start, end}`, null (none or not understood: the whole), or "unsatisfiable". */
export function parseRange(value, size) {
  if (!value) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  let start;
  let end;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (start >= size || end < start) return "unsatisfiable";
  }
  return { start, end };
}
