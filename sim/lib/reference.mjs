// omni-video's reference video (video_list[0]): Kling fetches it by URL and refuses one outside
// 3–10 s. The simulator does the same: its own media URLs are read directly, any other URL is
// fetched over HTTP (tests use loopback only), and the length comes from the MP4's movie header.
// Resolution, frame rate and container brand are not checked (the simulator's own clips are tiny).
import { ApiError } from "./http.mjs";
import { mediaBytes } from "./media.mjs";
import { readMp4 } from "./mp4.mjs";

const MIN_SECONDS = 3;
const MAX_SECONDS = 10;
const MAX_BYTES = 200 * 1024 * 1024; // Kling's documented limit
const FETCH_TIMEOUT_MS = 10_000;
const FIELD = "video_list[0].video_url";

/**
 * Reads the reference video at `url` and checks its length.
 * @param {object} ctx  the simulator's shared state (baseUrl, clips, videos)
 * @returns {Promise<{ duration: number, width: number | null, height: number | null }>} seconds and the
 *   first video track's size
 */
export async function probeReference(ctx, url) {
  const bytes = ownMedia(ctx, url) ?? (await download(url));
  const info = readMp4(bytes);
  const video = info?.tracks.find((track) => track.kind === "video");
  if (!info || !video) throw new ApiError(1201, `${FIELD} is not an MP4 or MOV video`);
  // Durations a hair over a whole second (rounding in the container) still count as that second.
  const seconds = Math.round(info.duration * 1000) / 1000;
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw new ApiError(1201, `${FIELD} is ${seconds} s long; a reference video must be ${MIN_SECONDS} to ${MAX_SECONDS} s`);
  }
  return { duration: seconds, width: video.width ?? null, height: video.height ?? null };
}

/** The bytes of one of this simulator's own media URLs, or null for any other URL. */
function ownMedia(ctx, url) {
  const prefix = `${ctx.baseUrl()}/media/`;
  if (!url.startsWith(prefix)) return null;
  const name = new URL(url).pathname.slice("/media/".length);
  const bytes = mediaBytes({ name, clips: ctx.clips, videos: ctx.videos });
  if (!bytes) throw new ApiError(1201, `${FIELD} could not be fetched: HTTP 404`);
  return bytes;
}

async function download(url) {
  let response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: "follow" });
  } catch (err) {
    throw new ApiError(1201, `${FIELD} could not be fetched: ${err?.cause?.message ?? err?.message ?? err}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new ApiError(1201, `${FIELD} could not be fetched: HTTP ${response.status}`);
  }
  const chunks = [];
  let size = 0;
  try {
    // Leaving the loop early cancels the download.
    for await (const chunk of response.body ?? []) {
      size += chunk.length;
      if (size > MAX_BYTES) break;
      chunks.push(chunk);
    }
  } catch (err) {
    throw new ApiError(1201, `${FIELD} could not be fetched: ${err?.message ?? err}`);
  }
  if (size > MAX_BYTES) throw new ApiError(1201, `${FIELD} is larger than 200 MB`);
  return Buffer.concat(chunks);
}
