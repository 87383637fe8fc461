// The long video's output: a strip of its clips (each playable, added as it finishes) and the
// joined video, which grows with each clip. A chain on the service has its joined video at its
// `video_url` (the service joins the kept clips as it serves them); a chain run in this page is
// joined here with kling-edge/mp4's `join`, loaded only when first needed, into a `blob:` URL.
// Either way the `<video>` is reloaded when a clip lands, at the time it was playing, and the
// download link follows it.
import { $, fmtSeconds, h } from "./dom.js";

let mp4;
/** kling-edge/mp4, its wasm loaded once (only a page that joins clips itself needs it). */
async function joiner() {
  mp4 ??= import("../vendor/kling-edge/mp4/index.browser.js").then(async (m) => {
    await m.init();
    return m;
  });
  return mp4;
}

export class LongPlayer {
  constructor() {
    this.out = $("#long-out");
    this.strip = $("#long-clips");
    this.video = $("#long-video");
    this.meta = $("#long-meta");
    this.download = $("#long-download");
    this.clips = [];
    this.blobUrl = null;
    this.bytes = new Map(); // clip URL → its bytes (a chain joined in the page)
    this.joining = Promise.resolve();
  }

  /** Empties the strip and the player for a new video. */
  reset() {
    this.clips = [];
    this.strip.replaceChildren();
    this.video.removeAttribute("src");
    this.video.load();
    this.download.hidden = true;
    this.meta.textContent = "";
    this.out.hidden = true;
    this.dropBlob();
    this.bytes.clear();
  }

  /** Adds clip `index` (0-based) when it is new: `{url, duration, label}`. Returns whether it was. */
  addClip(index, clip) {
    if (this.clips[index]) return false;
    this.clips[index] = clip;
    const li = h(
      "li",
      { dataset: { index: String(index) } },
      h("video", {
        src: clip.url,
        controls: true,
        muted: true,
        playsinline: true,
        preload: "metadata",
        "aria-label": `Clip ${index + 1}: ${clip.label}`,
      }),
      h("span", {}, h("strong", { text: `${index + 1}. ` }), `${clip.label} · ${fmtSeconds(clip.duration)}`),
    );
    const after = [...this.strip.children].find((el) => Number(el.dataset.index) > index) ?? null;
    this.strip.insertBefore(li, after);
    this.out.hidden = false;
    return true;
  }

  /** The clips shown, in order, up to the first missing one. */
  shown() {
    const out = [];
    for (let i = 0; this.clips[i]; i++) out.push(this.clips[i]);
    return out;
  }

  /**
   * Plays the joined video at `url` (reloaded at the current time, playing on if it was), and
   * links it for download as `filename`.
   */
  setJoined(url, filename) {
    const v = this.video;
    const at = v.currentTime;
    const playing = !v.paused && !v.ended;
    v.addEventListener(
      "loadedmetadata",
      () => {
        if (at > 0) v.currentTime = Math.min(at, v.duration);
        if (playing) v.play().catch(() => {});
      },
      { once: true },
    );
    v.src = url;
    this.download.href = url;
    this.download.download = filename;
    this.download.hidden = false;
    const clips = this.shown();
    const seconds = clips.reduce((n, c) => n + Number(c.duration || 0), 0);
    this.meta.replaceChildren(h("strong", { text: fmtSeconds(seconds) }), ` · ${clips.length} clip${clips.length === 1 ? "" : "s"} joined`);
    this.out.hidden = false;
  }

  /**
   * Joins the clips shown so far here (kling-edge/mp4) and plays the result. Joins run one at a
   * time, in order; each clip is fetched once. Rejects when this join fails (the next one may
   * still succeed).
   */
  joinHere(filename) {
    this.joining = this.joining
      .catch(() => {})
      .then(async () => {
        const clips = this.shown();
        if (!clips.length) return;
        const { join } = await joiner();
        const parts = [];
        for (const c of clips) {
          if (!this.bytes.has(c.url)) {
            const r = await fetch(c.url);
            if (!r.ok) throw new Error(`clip ${c.url} could not be read: HTTP ${r.status}`);
            this.bytes.set(c.url, new Uint8Array(await r.arrayBuffer()));
          }
          parts.push(this.bytes.get(c.url));
        }
        const joined = join(parts);
        const old = this.blobUrl;
        this.blobUrl = URL.createObjectURL(new Blob([joined], { type: "video/mp4" }));
        this.setJoined(this.blobUrl, filename);
        if (old) URL.revokeObjectURL(old);
      });
    return this.joining;
  }

  dropBlob() {
    if (this.blobUrl) URL.revokeObjectURL(this.blobUrl);
    this.blobUrl = null;
  }
}

/** A download name from a chain's prefix: `long-video-<prefix>.mp4`. */
export const videoFilename = (prefix) => `long-video-${String(prefix ?? "kling").replace(/[^\w.-]+/g, "_")}.mp4`;
