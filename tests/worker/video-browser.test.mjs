// A chain's video as a page plays it: headless Chromium's <video> on the record's signed
// `video_url` (no Authorization), fetching by ranges from the Worker. It plays to its end, lasts
// the clips' sum, and a seek into clip k shows clip k's picture (by colour). The chain is seeded
// into the user's store with the simulator's clips, as in video.test.mjs.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { launchChromium } from "../chromium.mjs";
import { auth, ROOT, startPair } from "./support.mjs";

const FILES = [
  ["16x9-05s-c0-aac.mp4", 5],
  ["16x9-03s-c1-aac.mp4", 3],
  ["16x9-07s-c2-aac.mp4", 7],
];
const clip = (name) => readFileSync(`${ROOT}/sim/media/gen/${name}`);
let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** In the page: the colour at the centre of `src` at each time of `times` ([r, g, b] each). */
async function coloursIn(page, src, times) {
  return page.evaluate(
    async ({ src, times }) => {
      const video = document.createElement("video");
      video.muted = true;
      video.src = src;
      await new Promise((resolve, reject) => {
        video.onloadeddata = resolve;
        video.onerror = () => reject(new Error(`video error ${video.error?.code}: ${video.error?.message}`));
      });
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const g = canvas.getContext("2d", { willReadFrequently: true });
      const colours = [];
      for (const t of times) {
        video.currentTime = t;
        await new Promise((resolve, reject) => {
          video.onseeked = resolve;
          video.onerror = () => reject(new Error(`video error at ${t}: ${video.error?.message}`));
        });
        g.drawImage(video, 0, 0);
        colours.push([...g.getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1).data.slice(0, 3)]);
      }
      return { colours, duration: video.duration };
    },
    { src, times },
  );
}

test("Chromium plays a chain's joined video from its signed link to the end, and seeks into each clip", async (t) => {
  const { worker, url } = await startPair(t);
  const user = "viewer@example.test";
  const userKey = createHash("sha256").update(`kling-edge user\n${user}`).digest("hex");
  const ns = await worker.mf.getDurableObjectNamespace("USERS");
  const store = ns.get(ns.idFromName(userKey));
  const bucket = await worker.mf.getR2Bucket("MEDIA");
  const params = { method: "next-shot", prompts: FILES.map((_, i) => `shot ${i + 1}`), external_task_id: "p-view" };
  await store.createChain({
    chainId: "ch-view",
    prefix: "p-view",
    videoId: "1",
    params,
    steps: 3,
    instance: "ch-view-1",
    now: Date.now(),
    userKey,
  });
  for (const [i, [file]] of FILES.entries()) {
    await bucket.put(`${userKey}/view-${i + 1}.mp4`, new Uint8Array(clip(file)));
    await store.linkChainTask("ch-view", i + 1, 1, `p-view-${i + 1}`, "ch-view-1");
    await store.chainStepDone("ch-view", i + 1, 1, `view-${i + 1}.mp4`, Date.now());
  }
  const record = await (await fetch(`${url}/chains/ch-view`, { headers: await auth(user) })).json();
  assert.ok(record.video_url);

  const page = await browser.newPage();
  // The page is on the Worker's origin (its JSON health answer): the <video> loads same-origin.
  await page.goto(`${url}/health`);
  // Each clip alone (from bytes handed to the page), half a second into it.
  const alone = [];
  for (const [file] of FILES) {
    const b64 = clip(file).toString("base64");
    const src = await page.evaluate((data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      return URL.createObjectURL(new Blob([bytes], { type: "video/mp4" }));
    }, b64);
    alone.push((await coloursIn(page, src, [0.5])).colours[0]);
  }
  const near = (a, b) => a.every((v, i) => Math.abs(v - b[i]) <= 24);
  assert.ok(!near(alone[0], alone[1]) && !near(alone[1], alone[2]), `the clips' colours differ: ${JSON.stringify(alone)}`);

  // The joined video through the route: half a second into each clip.
  const starts = [0, 5, 8];
  const joined = await coloursIn(
    page,
    `${url}${record.video_url}`,
    starts.map((s) => s + 0.5),
  );
  assert.ok(Math.abs(joined.duration - 15) < 0.05, `duration ${joined.duration}, the clips' sum is 15 s`);
  for (const [k, colour] of joined.colours.entries()) {
    assert.ok(near(colour, alone[k]), `a seek into clip ${k} shows clip ${k}'s picture: ${colour} against ${alone[k]}`);
  }

  // Played to its end (fast), with no error.
  const played = await page.evaluate(async (src) => {
    const video = document.createElement("video");
    video.muted = true;
    video.src = src;
    video.playbackRate = 8;
    await video.play();
    await new Promise((resolve, reject) => {
      video.onended = resolve;
      video.onerror = () => reject(new Error(`video error ${video.error?.code}: ${video.error?.message}`));
    });
    return { ended: video.ended, currentTime: video.currentTime, duration: video.duration };
  }, `${url}${record.video_url}`);
  assert.equal(played.ended, true);
  assert.ok(Math.abs(played.currentTime - 15) < 0.05, `ended at ${played.currentTime}`);
  await page.close();
});
