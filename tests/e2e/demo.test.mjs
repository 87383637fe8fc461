import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";
import { decodedVideoFrames } from "../ffmpeg.mjs";

test("the Node example builds a 20-second video on today's models on the simulator, joined into one MP4", async () => {
  const env = { ...process.env };
  for (const key of ["KLING_ACCESS_KEY", "KLING_SECRET_KEY", "KLING_API_KEY", "KLING_BASE_URL"]) delete env[key];
  const { stdout } = await promisify(execFile)("node", ["examples/node/demo.mjs"], { env, timeout: 60_000 });
  assert.match(stdout, /local simulator/);
  assert.match(stdout, /next shot 3\/3 task \d+ succeed → 5 s/);
  assert.match(stdout, /done: 20 s video in 4 tasks \(4 clips joined\)/);
  const out = /long video: (\S+\.mp4)/.exec(stdout)?.[1];
  assert.ok(out, stdout);
  // ffmpeg decodes the whole video: 4 clips of 5 s.
  const frames = decodedVideoFrames(out);
  assert.equal(frames, 4 * decodedVideoFrames("sim/media/gen/16x9-05s-c0.mp4"));
});
