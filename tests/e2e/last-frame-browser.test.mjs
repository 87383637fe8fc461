// A last-frame chain in a browser page (headless Chromium): the package decodes each clip's last
// frame itself (`<video>` + canvas, no hook) and sends it as the next step's first frame. Checked
// by colour: every simulated clip has one palette colour, so the frame a step was sent must have
// the colour of the clip before it (and not of another), and match its last frame, not its first.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { launchChromium } from "../chromium.mjs";
import { distance, framePixels, imagePixels, sameColour } from "../ffmpeg.mjs";
import { apiRequests, SIM_DEFAULTS, startSim } from "./support.mjs";

const root = new URL("../../", import.meta.url).pathname;
const TYPES = { js: "text/javascript", wasm: "application/wasm" };
// The page and the package; the simulator is another origin (it answers CORS, as Kling's CDN does).
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  if (path === "/") {
    res.setHeader("content-type", "text/html");
    return res.end("<!doctype html><title>last frame</title>");
  }
  if (!/^\/pkg\/[\w./-]+$/.test(path) || path.includes("..")) {
    res.statusCode = 404;
    return res.end();
  }
  try {
    const body = readFileSync(root + path.slice(1));
    res.setHeader("content-type", TYPES[path.split(".").pop()] ?? "application/octet-stream");
    res.end(body);
  } catch {
    res.statusCode = 404;
    res.end();
  }
});
let browser;
let base;

before(async () => {
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server.close();
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

  const dir = `${root}.tmp/e2e-last-frame/`;
  mkdirSync(dir, { recursive: true });
  const files = [];
  for (const [i, clip] of run.clips.entries()) {
    const file = `${dir}clip-${i}.mp4`;
    writeFileSync(file, await bytes(clip.url));
    files.push(file);
  }
  const lastColours = files.map((file) => framePixels(file, "last"));
  const sent = apiRequests(sim, "POST", "/v1/videos/image2video")
    .filter((r) => r.status === 200)
    .map((r) => r.body.image);
  assert.equal(sent.length, 3);
  for (const [i, image] of sent.entries()) {
    assert.doesNotMatch(image, /^data:/, "raw base64, as Kling takes it");
    const frame = Buffer.from(image, "base64");
    const colour = imagePixels(frame);
    assert.ok(sameColour(colour, lastColours[i]), `step ${i + 1}'s first frame ${colour} is clip ${i}'s last ${lastColours[i]}`);
    for (const [j, other] of lastColours.entries()) {
      if (j !== i && !sameColour(other, lastColours[i])) assert.ok(!sameColour(colour, other), `step ${i + 1}'s frame is not clip ${j}'s`);
    }
    // And it is the last frame, not the first: a moving box and a frame counter tell them apart.
    const picture = imagePixels(frame, "32x18");
    const last = distance(picture, framePixels(files[i], "last", "32x18"));
    const first = distance(picture, framePixels(files[i], 0, "32x18"));
    assert.ok(
      last < first * 0.75,
      `step ${i + 1}'s frame is clip ${i}'s last (off by ${last.toFixed(1)}), not its first (${first.toFixed(1)})`,
    );
  }
});
