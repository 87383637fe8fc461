// Which committed clip a generating task's result is. sim/media/gen/ holds one clip per aspect
// ratio × duration (3–15 s) × palette colour, with and without an AAC track, all clips of one
// aspect ratio sharing their codec settings; gen/odd-* are clips of other settings (another
// resolution) that cannot be joined to the rest. See sim/media/generate.sh.
import { readMp4 } from "./mp4.mjs";

const RATIO_PREFIX = Object.freeze({ "16:9": "16x9", "9:16": "9x16", "1:1": "1x1" });
const DEFAULT_RATIO = "16:9";

export class ClipCatalog {
  #durations = new Map(); // clip name → seconds, read from the clip's own mvhd
  #colours = 0;

  /** @param {Map<string, Buffer>} clips  every committed clip by name (sim/lib/media.mjs) */
  constructor(clips) {
    for (const [name, bytes] of clips) {
      if (!name.startsWith("gen/")) continue;
      const info = readMp4(bytes);
      if (!info) throw new Error(`sim/media/${name} is not a readable MP4; run sim/media/generate.sh`);
      this.#durations.set(name, info.duration);
      const colour = /-c(\d+)(?:-aac)?\.mp4$/.exec(name);
      if (colour) this.#colours = Math.max(this.#colours, Number(colour[1]) + 1);
    }
    if (this.#colours === 0) throw new Error("sim/media/gen has no clips; run sim/media/generate.sh");
  }

  /** How many colours the palette has: consecutive tasks take consecutive ones. */
  get colours() {
    return this.#colours;
  }

  /**
   * The clip for a task: its aspect ratio (16:9 when the request names none), whole seconds,
   * sound, palette colour; `mismatch` picks the unjoinable set instead.
   */
  pick({ aspectRatio, seconds, sound, colour, mismatch }) {
    const length = String(Math.round(seconds)).padStart(2, "0");
    const suffix = sound ? "-aac" : "";
    const prefix = RATIO_PREFIX[aspectRatio ?? DEFAULT_RATIO] ?? RATIO_PREFIX[DEFAULT_RATIO];
    const name = mismatch ? `gen/odd-${length}s${suffix}.mp4` : `gen/${prefix}-${length}s-c${colour % this.#colours}${suffix}.mp4`;
    // Validation keeps durations within 3–15 s, which the set covers; a miss is a simulator bug.
    if (!this.#durations.has(name)) throw new Error(`no committed clip ${name}`);
    return name;
  }

  /** The clip's duration in seconds. */
  duration(name) {
    return this.#durations.get(name);
  }
}

const catalogs = new WeakMap(); // the clips are read once per process, and so is their catalog

/** The catalog of `clips` (sim/lib/media.mjs's loadClips()), built once. */
export function catalogFor(clips) {
  let catalog = catalogs.get(clips);
  if (!catalog) {
    catalog = new ClipCatalog(clips);
    catalogs.set(clips, catalog);
  }
  return catalog;
}

/** The aspect ratio closest to a video's width and height (a base video's output keeps its shape). */
export function aspectRatioOf(width, height) {
  if (!width || !height) return null;
  const ratio = width / height;
  if (ratio > 1.3) return "16:9";
  if (ratio < 1 / 1.3) return "9:16";
  return "1:1";
}
