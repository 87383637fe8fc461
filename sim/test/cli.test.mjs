import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";

const SERVER = new URL("../server.mjs", import.meta.url).pathname;

test("the CLI prints its URL, serves, and exits cleanly on SIGTERM", async () => {
  const child = spawn(
    process.execPath,
    [SERVER, "--port", "0", "--rate-limit", "1/60000", "--max-concurrent", "3", "--allow-retired-models", "--mismatch-next-clips", "2"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const [line] = await once(child.stdout, "data");
  const match = /^kling simulator listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(line.toString());
  assert.ok(match, `unexpected output: ${line}`);
  const config = await (await fetch(`${match[1]}/__sim/config`)).json();
  assert.deepEqual(config.rateLimit, { max: 1, windowMs: 60000 });
  assert.equal(config.maxConcurrentTasks, 3);
  assert.equal(config.allowRetiredModels, true);
  assert.equal(config.mismatchNextClips, 2);
  child.kill("SIGTERM");
  const [code] = await once(child, "exit");
  assert.equal(code, 0);
});
