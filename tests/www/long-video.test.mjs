// The page's main flow, "Make a long video": a first clip made with text to video, then three
// shots, each continuing the clip before it. Next-shot runs as a durable chain on the service: the
// clips appear one by one and the joined video (the chain's `video_url`) plays, as long as the
// clips together, and downloads as an MP4. Last-frame runs in the page with the package: each
// shot's first frame is the previous clip's last (checked by colour and by the frame), and the
// page joins the clips itself (kling-edge/mp4).

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { assertStartsFromLastFrames, decodedVideoFrames } from "../ffmpeg.mjs";
import { apiRequests, openDemo, screenshot } from "./support.mjs";

const TMP = new URL("../../.tmp/www-long-video/", import.meta.url).pathname;

/** Records, in the page, how many clips the strip held each time it changed. */
function recordStrip(page) {
  return page.evaluate(() => {
    window.__clipCounts = [];
    const strip = document.querySelector("#long-clips");
    new MutationObserver(() => {
      const n = strip.children.length;
      if (window.__clipCounts.at(-1) !== n) window.__clipCounts.push(n);
    }).observe(strip, { childList: true });
  });
}

/** The joined `<video>` once it has `clips` clips and real media: its duration and source. */
async function joinedVideo(page, clips, timeout = 30_000) {
  await page.waitForFunction(
    (n) => {
      const v = document.querySelector("#long-video");
      return (
        document.querySelectorAll("#long-clips > li").length === n &&
        /\b(\d+) clips? joined/.exec(document.querySelector("#long-meta").textContent)?.[1] === String(n) &&
        v.readyState >= 2 &&
        v.duration > 0
      );
    },
    clips,
    { timeout },
  );
  return page.evaluate(() => {
    const v = document.querySelector("#long-video");
    return { duration: v.duration, src: v.currentSrc };
  });
}

/** The clips' own durations, read by the browser from each clip's `<video>` in the strip. */
function clipDurations(page) {
  return page.$$eval("#long-clips video", (vs) =>
    Promise.all(
      vs.map(
        (v) =>
          new Promise((resolve) => {
            if (v.readyState >= 1) resolve(v.duration);
            else v.addEventListener("loadedmetadata", () => resolve(v.duration), { once: true });
          }),
      ),
    ),
  );
}

/** Plays the joined video until its time moves. */
async function plays(page) {
  await page.evaluate(() => document.querySelector("#long-video").play());
  await page.waitForFunction(() => document.querySelector("#long-video").currentTime > 0.2, null, { timeout: 10_000 });
}

test("a 3-shot next-shot long video runs on the service: clips one by one, the joined video plays and downloads", async (t) => {
  // The service's refusal of a shared sample is a 400, which Chromium logs.
  const { page, sim, assertClean } = await openDemo(t, { allowConsole: [/status of 400/] });
  // The main flow is first on the page, before the legacy forms.
  const order = await page.$$eval("main h2", (hs) => hs.map((x) => x.id));
  assert.equal(order[1], "long-title", `headings: ${order.join(", ")}`);
  assert.equal(await page.inputValue("#long-model"), "kling-v3-omni", "next-shot continues with Omni-Video's current model");
  assert.match(await page.textContent("#long-new-model"), /kling-v3/);
  assert.equal(await page.locator("#long-shots > li").count(), 3);
  // Shots can be added and removed; each sets its own length.
  await page.click("#long-add");
  assert.equal(await page.locator("#long-shots > li").count(), 4);
  await page.getByRole("button", { name: "Remove shot 4" }).click();
  await page.selectOption("#long-shots > li:nth-child(2) select", "3");
  assert.match(await page.textContent("#long-total"), /^5 s \+ 5 s \+ 3 s \+ 5 s = 18 s of 3 min$/);

  // A shared sample has no URL in the service's records: the service refuses it, on the field.
  await page.check('input[name="long-source"][value="current"]');
  await page.click("#long-submit");
  await page.waitForFunction(() => !document.querySelector("#long-source-err").hidden);
  assert.match(await page.textContent("#long-source-err"), /keeps no URL of video/);
  assert.equal(apiRequests(sim, "POST", "/v1/videos/omni-video").length, 0, "nothing was created");
  await page.check('input[name="long-source"][value="new"]');

  await recordStrip(page);
  await page.click("#long-submit");
  // While it grows: at 4 s into the joined video, a new clip reloads it at the same time.
  const before = await page.waitForFunction(
    () => {
      const n = Number(/\b(\d+) clips? joined/.exec(document.querySelector("#long-meta").textContent)?.[1] ?? 0);
      const v = document.querySelector("#long-video");
      if (n < 2 || n > 3 || v.readyState < 1 || v.duration < 4.5) return false;
      v.currentTime = 4;
      return n;
    },
    null,
    { timeout: 30_000, polling: 50 },
  );
  const grown = (await before.jsonValue()) + 1;
  await page.waitForFunction(
    (n) => {
      const joined = Number(/\b(\d+) clips? joined/.exec(document.querySelector("#long-meta").textContent)?.[1] ?? 0);
      return joined >= n && document.querySelector("#long-video").readyState >= 2;
    },
    grown,
    { timeout: 30_000 },
  );
  const kept = await page.evaluate(() => document.querySelector("#long-video").currentTime);
  assert.ok(Math.abs(kept - 4) < 0.2, `reloaded with a new clip at ${kept} s, not from the start`);

  // The first clip leads the joined video (the service kept it), then one clip per shot.
  const joined = await joinedVideo(page, 4);
  await page.waitForFunction(() => !document.querySelector("#long-submit").disabled, null, { timeout: 30_000 });
  const counts = await page.evaluate(() => window.__clipCounts);
  assert.deepEqual(counts, [1, 2, 3, 4], "the clips appeared one by one");

  // The service ran it as a next-shot chain: Omni-Video steps, each referring to the clip before.
  const steps = apiRequests(sim, "POST", "/v1/videos/omni-video").filter((r) => r.status === 200);
  assert.equal(steps.length, 3);
  assert.equal(steps[1].body.video_list[0].refer_type, "feature");
  assert.deepEqual(
    steps.map((r) => r.body.duration),
    ["5", "3", "5"],
  );
  const durations = await clipDurations(page);
  const sum = durations.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(joined.duration - sum) < 0.1, `joined ${joined.duration} s, clips ${durations.join(" + ")} = ${sum} s`);
  t.diagnostic(`joined ${joined.duration} s; clips ${durations.join(" + ")} = ${sum} s`);
  assert.match(new URL(joined.src).pathname, /^\/chains\/[^/]+\/video$/, "the service's joined video");
  await plays(page);

  const link = await page.evaluate(() => {
    const a = document.querySelector("#long-download");
    return { href: a.href, download: a.download, hidden: a.hidden };
  });
  assert.equal(link.hidden, false);
  assert.match(link.download, /^long-video-[\w.-]+\.mp4$/);
  const got = await page.evaluate(async (href) => {
    const r = await fetch(href);
    return { status: r.status, type: r.headers.get("content-type"), size: (await r.arrayBuffer()).byteLength };
  }, link.href);
  assert.equal(got.status, 200);
  assert.equal(got.type, "video/mp4");
  assert.ok(got.size > 1000, `${got.size} bytes`);

  // The list of chains says its method and links its joined video.
  await page.waitForFunction(() => /next-shot · succeed · 3 of 3 steps/.test(document.querySelector("#chain-runs").textContent));
  const item = page.locator('#chain-runs li[data-method="next-shot"]');
  assert.match(await item.locator("a").getAttribute("href"), /\/chains\/[^/]+\/video\?/);
  await page.locator("#long").scrollIntoViewIfNeeded();
  await screenshot(page, "long-video.png");
  await assertClean();
});

test("a last-frame long video in the page: each shot starts from the previous clip's last frame", async (t) => {
  const { page, sim, assertClean } = await openDemo(t);
  await page.check('input[name="long-method"][value="last-frame"]');
  assert.equal(await page.inputValue("#long-model"), "kling-v3", "last-frame continues with image to video's current model");
  await recordStrip(page);
  await page.click("#long-submit");
  // The first clip is the joined video's first, then one clip per shot.
  const joined = await joinedVideo(page, 4);
  await page.waitForFunction(() => !document.querySelector("#long-submit").disabled, null, { timeout: 30_000 });
  const counts = await page.evaluate(() => window.__clipCounts);
  assert.deepEqual(counts, [1, 2, 3, 4], "the clips appeared one by one");
  assert.match(joined.src, /^blob:/, "joined in the page");
  const durations = await clipDurations(page);
  const sum = durations.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(joined.duration - sum) < 0.1, `joined ${joined.duration} s, clips ${durations.join(" + ")} = ${sum} s`);
  t.diagnostic(`joined ${joined.duration} s; clips ${durations.join(" + ")} = ${sum} s`);
  await plays(page);
  // The download link saves the joined MP4 (a `blob:` URL of the page's own join).
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#long-download")]);
  assert.match(download.suggestedFilename(), /^long-video-[\w.-]+\.mp4$/);
  mkdirSync(TMP, { recursive: true });
  const saved = `${TMP}joined.mp4`;
  await download.saveAs(saved);

  // Each shot's image is the last frame of the clip before it (by colour, and not its first frame).
  const urls = await page.$$eval("#long-clips video", (vs) => vs.map((v) => v.src));
  const files = [];
  for (const [i, url] of urls.entries()) {
    const file = `${TMP}clip-${i}.mp4`;
    writeFileSync(file, new Uint8Array(await (await fetch(url)).arrayBuffer()));
    files.push(file);
  }
  // ffmpeg decodes the downloaded join: as many frames as the clips have.
  assert.equal(
    decodedVideoFrames(saved),
    files.reduce((n, file) => n + decodedVideoFrames(file), 0),
  );
  const sent = apiRequests(sim, "POST", "/v1/videos/image2video")
    .filter((r) => r.status === 200)
    .map((r) => r.body.image ?? r.body.image_list?.[0]?.image_url);
  assert.equal(sent.length, 3);
  assertStartsFromLastFrames(sent, files, "shot");
  await assertClean();
});
