// ffmpeg (PyPI's imageio-ffmpeg, installed by scripts/bootstrap) as the judge of MP4s in tests.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";

let path;
/** The static ffmpeg binary of imageio-ffmpeg. */
export function ffmpegPath() {
  if (path) return path;
  try {
    path = execFileSync("python3", ["-c", "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("no ffmpeg: `pip install imageio-ffmpeg` (scripts/bootstrap installs it)");
  }
  return path;
}

/** ffmpeg decodes the whole file with no complaint; resolves the video frames decoded. */
export function decodedVideoFrames(file) {
  const run = spawnSync(ffmpegPath(), ["-hide_banner", "-nostdin", "-v", "error", "-i", file, "-map", "0:v", "-f", "framecrc", "-"], {
    encoding: "utf8",
    maxBuffer: 16 << 20,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, "", "ffmpeg reports no error");
  const whole = spawnSync(ffmpegPath(), ["-hide_banner", "-nostdin", "-v", "error", "-i", file, "-f", "null", "-"], { encoding: "utf8" });
  assert.equal(whole.status, 0, whole.stderr);
  assert.equal(whole.stderr, "", "ffmpeg decodes every stream with no error");
  return run.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
}

/** The mean colour `[r, g, b]` of the frame at `seconds` (the last frame with `-sseof`). */
export function frameColour(file, seconds, { fromEnd = false } = {}) {
  const seek = fromEnd ? ["-sseof", String(-seconds)] : ["-ss", String(seconds)];
  const run = spawnSync(
    ffmpegPath(),
    [
      "-hide_banner",
      "-nostdin",
      "-v",
      "error",
      ...seek,
      "-i",
      file,
      "-frames:v",
      "1",
      "-vf",
      "scale=1:1:flags=area",
      "-f",
      "rawvideo",
      "-pix_fmt",
      "rgb24",
      "-",
    ],
    { maxBuffer: 1 << 20 },
  );
  assert.equal(run.status, 0, String(run.stderr));
  assert.equal(run.stdout.length, 3, "one RGB pixel");
  return [...run.stdout];
}

/** The mean colour `[r, g, b]` of an image (JPEG or PNG bytes). */
export function imageColour(bytes) {
  const run = spawnSync(
    ffmpegPath(),
    ["-hide_banner", "-nostdin", "-v", "error", "-i", "pipe:0", "-vf", "scale=1:1:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
    { input: bytes, maxBuffer: 1 << 20 },
  );
  assert.equal(run.status, 0, String(run.stderr));
  return [...run.stdout];
}

/** Whether two colours are the same within `tolerance` per channel (lossy codecs shift them a little). */
export function sameColour(a, b, tolerance = 24) {
  return a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= tolerance);
}
