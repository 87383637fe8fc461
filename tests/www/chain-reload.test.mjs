// A chain runs on the service, not in the tab: reloaded mid-chain, the page follows it again, the
// chain completes with one task per step, and the page lists it and plays its kept video.

import assert from "node:assert/strict";
import { test } from "node:test";
import { openDemo, waitForVideo } from "./support.mjs";

test("start a chain, reload mid-chain: it completes and the page shows it", async (t) => {
  const { page, sim, assertClean } = await openDemo(t, { allowConsole: [/status of 404/] });
  const extensions = () => sim.tasks().filter((x) => x.family === "video-extend");
  await page.click("#chain-submit");
  await page.waitForFunction(() => document.querySelectorAll("#task-list > li").length >= 1);
  const deadline = Date.now() + 10_000;
  while (extensions().length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(extensions().length, 1, "step 1 was created before the reload");
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready);
  // The reloaded page finds the running chain and follows it to the end.
  await page.waitForFunction(() => /: running/.test(document.querySelector("#chain-run").textContent), null, { timeout: 10_000 });
  await page.waitForFunction(() => /: succeed/.test(document.querySelector("#chain-run").textContent), null, { timeout: 30_000 });
  assert.equal(extensions().length, 3, "no step lost or repeated");
  assert.match(await page.textContent("#result-meta"), /^20 s/);
  await page.waitForFunction(() => document.querySelector('#chain-runs li[data-status="succeed"]'));
  assert.match(await page.textContent("#chain-runs"), /3 of 3 steps · 20 s/);
  const video = await waitForVideo(page);
  const last = extensions()
    .sort((a, b) => a.created_at - b.created_at)
    .at(-1);
  assert.equal(new URL(video.src).pathname, `/media/${last.task_result.videos[0].id}.mp4`);
  await assertClean();
});
