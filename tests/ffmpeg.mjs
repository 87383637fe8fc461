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

/**
 * The frame at `seconds` (or the last frame: `"last"`) scaled down to `size` (`"WxH"`), as RGB
 * bytes: `"1x1"` is its mean colour.
 */
export function framePixels(file, seconds, size = "1x1") {
  // The last frame: every frame of the last second is decoded, and the last one kept.
  const seek = seconds === "last" ? ["-sseof", "-1"] : ["-ss", String(seconds)];
  const frames = seconds === "last" ? [] : ["-frames:v", "1"];
  const args = [
    "-hide_banner",
    "-nostdin",
    "-v",
    "error",
    ...seek,
    "-i",
    file,
    ...frames,
    "-vf",
    `scale=${size.replace("x", ":")}:flags=area`,
  ];
  const run = spawnSync(ffmpegPath(), [...args, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], { maxBuffer: 16 << 20 });
  assert.equal(run.status, 0, String(run.stderr));
  const bytes = size.split("x").reduce((a, b) => a * Number(b), 3);
  assert.ok(run.stdout.length >= bytes && run.stdout.length % bytes === 0, "whole frames");
  return [...run.stdout.subarray(run.stdout.length - bytes)];
}

/** An image (JPEG or PNG bytes) scaled down to `size`, as RGB bytes. */
export function imagePixels(bytes, size = "1x1") {
  const args = ["-hide_banner", "-nostdin", "-v", "error", "-i", "pipe:0", "-vf", `scale=${size.replace("x", ":")}:flags=area`];
  const run = spawnSync(ffmpegPath(), [...args, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], { input: bytes, maxBuffer: 16 << 20 });
  assert.equal(run.status, 0, String(run.stderr));
  return [...run.stdout];
}

/** The mean absolute difference of two pictures' bytes (0–255). */
export function distance(a, b) {
  assert.equal(a.length, b.length, "pictures of one size");
  return a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
}

/** Whether two colours are the same within `tolerance` per channel (lossy codecs shift them a little). */
export function sameColour(a, b, tolerance = 24) {
  return a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= tolerance);
}

/**
 * Each image (raw base64, as sent to Kling) is the last frame of the clip before it: it has the
 * colour of clip i's last frame (and not another clip's), and is nearer that last frame than the
 * clip's first (a moving box and a frame counter tell them apart). `files[i]` is clip i's path.
 */
export function assertStartsFromLastFrames(images, files, what = "step") {
  const lastColours = files.map((file) => framePixels(file, "last"));
  for (const [i, image] of images.entries()) {
    assert.doesNotMatch(image, /^data:/, "raw base64, as Kling takes it");
    const frame = Buffer.from(image, "base64");
    const colour = imagePixels(frame);
    assert.ok(sameColour(colour, lastColours[i]), `${what} ${i + 1}'s first frame ${colour} is clip ${i}'s last ${lastColours[i]}`);
    for (const [j, other] of lastColours.entries()) {
      if (j !== i && !sameColour(other, lastColours[i]))
        assert.ok(!sameColour(colour, other), `${what} ${i + 1}'s frame is not clip ${j}'s`);
    }
    const picture = imagePixels(frame, "32x18");
    const last = distance(picture, framePixels(files[i], "last", "32x18"));
    const first = distance(picture, framePixels(files[i], 0, "32x18"));
    assert.ok(
      last < first * 0.75,
      `${what} ${i + 1}'s frame is clip ${i}'s last (off by ${last.toFixed(1)}), not its first (${first.toFixed(1)})`,
    );
  }
}
