// kling-edge/mp4's browser entry in headless Chromium: refused until `init()`, then a joined
// file that the browser's own demuxer and decoder accept, seekable across the joins.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchChromium } from "../chromium.mjs";
import { serveTree } from "../static-server.mjs";

let browser;
let base;

let server;

before(async () => {
  server = await serveTree(["pkg", "sim/media/clips"], "kling-edge/mp4");
  base = server.url;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test("a joined file loads and seeks across its joins in Chromium", async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  const result = await page.evaluate(async () => {
    const mp4 = await import("/pkg/mp4/index.browser.js");
    let early;
    try {
      mp4.join([]);
    } catch (e) {
      early = e.code;
    }
    await mp4.init();
    const clip = async (name) => new Uint8Array(await (await fetch(`/sim/media/clips/${name}`)).arrayBuffer());
    const out = mp4.join([await clip("a-3s.mp4"), await clip("b-5s.mp4"), await clip("c-10s.mp4")]);
    const video = document.createElement("video");
    video.muted = true;
    video.src = URL.createObjectURL(new Blob([out], { type: "video/mp4" }));
    await new Promise((resolve, reject) => {
      video.onloadeddata = resolve;
      video.onerror = () => reject(new Error(`video error ${video.error?.code}: ${video.error?.message}`));
    });
    const seeks = [];
    for (const t of [2.9, 3.1, 7.9, 8.1, 17.9]) {
      video.currentTime = t;
      await new Promise((resolve, reject) => {
        video.onseeked = resolve;
        video.onerror = () => reject(new Error(`video error at ${t}: ${video.error?.message}`));
      });
      seeks.push(video.currentTime);
    }
    return { early, duration: video.duration, width: video.videoWidth, height: video.videoHeight, seeks, error: video.error };
  });
  assert.equal(result.early, "ERR_KLING_NOT_INITIALIZED");
  assert.ok(Math.abs(result.duration - 18) < 0.05, `duration ${result.duration}`);
  assert.deepEqual([result.width, result.height], [320, 180]);
  assert.equal(result.seeks.length, 5);
  assert.equal(result.error, null);
  await page.close();
});
