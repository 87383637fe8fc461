// The generated clips checked by a real decoder: ffmpeg (PyPI's imageio-ffmpeg, installed by
// scripts/bootstrap) decodes them frame by frame, and joins consecutive results of one shape
// without re-encoding, as a caller continuing a video does.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { readMp4 } from "../lib/mp4.mjs";
import { api, startFast, waitForTask } from "../test-support/helpers.mjs";

const WORK = new URL("../../.tmp/sim-ffmpeg/", import.meta.url);
const GEN = new URL("../media/gen/", import.meta.url);

function ffmpegPath() {
  try {
    return execFileSync("python3", ["-c", "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"], {
      encoding: "utf8",
    }).trim();
  } catch {
    throw new Error("no ffmpeg: `pip install imageio-ffmpeg` (scripts/bootstrap installs it)");
  }
}

const FFMPEG = ffmpegPath();

/** Runs ffmpeg with errors only on stderr; returns stdout. Fails on an exit code or any complaint. */
function ffmpeg(args) {
  const run = spawnSync(FFMPEG, ["-hide_banner", "-nostdin", "-v", "error", ...args], { encoding: "utf8", maxBuffer: 16 << 20 });
  assert.equal(run.status, 0, `ffmpeg ${args.join(" ")}: ${run.stderr}`);
  assert.equal(run.stderr, "", `ffmpeg ${args.join(" ")}`);
  return run.stdout;
}

/** Decodes every frame of one stream ("v" or "a"); returns each decoded frame's size in bytes. */
function decodedFrames(path, stream) {
  const out = ffmpeg(["-i", path, "-map", `0:${stream}`, "-f", "framecrc", "-"]);
  return out
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => Number(line.split(",")[4]));
}

let sim;
before(async () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  sim = await startFast();
});
after(() => sim.close());

test("ffmpeg decodes the generated clips: 12 frames a second, and the AAC track", () => {
  for (const [name, seconds] of [
    ["16x9-03s-c0.mp4", 3],
    ["9x16-10s-c1-aac.mp4", 10],
    ["1x1-15s-c2-aac.mp4", 15],
    ["odd-07s.mp4", 7],
  ]) {
    const path = new URL(name, GEN).pathname;
    assert.equal(decodedFrames(path, "v").length, seconds * 12, name);
    // AAC frames are 1024 samples at 16 kHz: a whole clip's worth, within one frame of rounding.
    if (name.includes("-aac")) assert.ok(Math.abs(decodedFrames(path, "a").length - (seconds * 16000) / 1024) <= 2, name);
  }
});

test("consecutive results of one model, mode and shape join without re-encoding into one playable video", async () => {
  const parts = [];
  for (const duration of ["4", "6", "5"]) {
    const body = { model_name: "kling-v3-omni", prompt: "x", aspect_ratio: "9:16", duration, sound: "on" };
    const created = await api(sim, "POST", "/v1/videos/omni-video", body);
    const done = await waitForTask(sim, "omni-video", created.body.data.task_id);
    const path = new URL(`part-${parts.length}.mp4`, WORK).pathname;
    writeFileSync(path, Buffer.from(await (await fetch(done.task_result.videos[0].url)).arrayBuffer()));
    parts.push(path);
  }
  const list = new URL("parts.txt", WORK).pathname;
  writeFileSync(list, parts.map((path) => `file '${path}'\n`).join(""));
  const joined = new URL("joined.mp4", WORK).pathname;
  ffmpeg(["-f", "concat", "-safe", "0", "-i", list, "-c", "copy", "-movflags", "+faststart", "-y", joined]);
  const info = readMp4(readFileSync(joined));
  assert.ok(Math.abs(info.duration - 15) < 0.1, `joined: ${info.duration} s`);
  const video = info.tracks.find((t) => t.kind === "video");
  assert.deepEqual([video.width, video.height], [90, 160]);
  // Every frame decodes at the one size (90x160 yuv420p): no part switched settings midway.
  const frames = decodedFrames(joined, "v");
  assert.equal(frames.length, 15 * 12);
  assert.deepEqual(new Set(frames), new Set([(90 * 160 * 3) / 2]));
  assert.ok(info.tracks.some((t) => t.kind === "audio"));
});
