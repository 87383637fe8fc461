// A last-frame chain in a browser page (headless Chromium): the package decodes each clip's last
// frame itself (`<video>` + canvas, no hook) and sends it as the next step's first frame. Checked
// by colour: every simulated clip has one palette colour, so the frame a step was sent must have
// the colour of the clip before it (and not of another), and match its last frame, not its first.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { launchChromium } from "../chromium.mjs";
import { assertStartsFromLastFrames } from "../ffmpeg.mjs";
import { serveTree } from "../static-server.mjs";
import { apiRequests, SIM_DEFAULTS, startSim } from "./support.mjs";

let browser;
let base;

let server;

before(async () => {
  server = await serveTree(["pkg"], "last frame");
  base = server.url;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());

test("in a page, each step of a last-frame chain starts from the previous clip's last frame", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const page = await browser.newPage();
  t.after(() => page.close());
  await page.goto(`${base}/`);
  const run = await page.evaluate(
    async ({ baseUrl, accessKey, secretKey }) => {
      const { init, KlingClient } = await import("/pkg/index.browser.js");
      await init();
      const kling = new KlingClient({ accessKey, secretKey, baseUrl, dangerouslyAllowBrowser: true });
      const fast = { pollIntervalMs: 15 };
      const source = await kling.textToVideo.createAndWait({ model_name: "kling-v3", prompt: "A red door", duration: "5" }, fast);
      const video = source.task_result.videos[0];
      return kling.chains.run({ video_url: video.url, video_duration: video.duration, prompts: ["It opens", "A hall", "Stairs"] }, fast);
    },
    { baseUrl: sim.url, accessKey: SIM_DEFAULTS.accessKey, secretKey: SIM_DEFAULTS.secretKey },
  );
  assert.equal(run.method, "last-frame", "auto decodes frames in a page");
  assert.equal(run.clips.length, 4);

  const dir = new URL("../../.tmp/e2e-last-frame/", import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const files = [];
  for (const [i, clip] of run.clips.entries()) {
    const file = `${dir}clip-${i}.mp4`;
    writeFileSync(file, await bytes(clip.url));
    files.push(file);
  }
  const sent = apiRequests(sim, "POST", "/v1/videos/image2video")
    .filter((r) => r.status === 200)
    .map((r) => r.body.image);
  assert.equal(sent.length, 3);
  assertStartsFromLastFrames(sent, files);
});
