import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";

test("the Node example builds a 20-second video on the simulator", async () => {
  const env = { ...process.env };
  for (const key of ["KLING_ACCESS_KEY", "KLING_SECRET_KEY", "KLING_API_KEY", "KLING_BASE_URL"]) delete env[key];
  const { stdout } = await promisify(execFile)("node", ["examples/node/demo.mjs"], { env, timeout: 60_000 });
  assert.match(stdout, /local simulator/);
  assert.match(stdout, /extension 3\/3 task \d+ succeed → 20 s/);
  assert.match(stdout, /done: 20 s video in 4 tasks/);
  assert.match(stdout, /final video: http:\/\/127\.0\.0\.1:\d+\/media\/\d+\.mp4/);
});
