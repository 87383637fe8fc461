// A chain of three extensions: 5 s source → 20 s, with the bar, the segments and the history pages.

import assert from "node:assert/strict";
import { test } from "node:test";
import { apiRequests, openDemo, screenshot, waitForVideo } from "./support.mjs";

test("a 3-step chain from a 5 s sample reaches 20 s", async (t) => {
  // The package probes for an earlier run's step 1 (`chain-demo-1`) before creating it: that lookup
  // is a 404, as Kling's own would be, and Chromium logs it.
  const { page, sim, assertClean } = await openDemo(t, { allowConsole: [/status of 404/] });
  // The default source is the first extendable sample, kling-v1-6, 5 s.
  assert.match(await page.textContent("#current-source"), /v1-6-5s/);
  assert.match(await page.textContent("#cap-text"), /^5 s \+ 3 × 5 s = 20 s of 3 min$/);

  // Edit the list: add a step, reorder, remove it again.
  await page.click("#chain-add");
  assert.equal(await page.locator("#chain-steps > li").count(), 4);
  assert.match(await page.textContent("#cap-text"), /= 25 s of 3 min/);
  await page.locator("#chain-steps > li").nth(3).locator("textarea").fill("A temporary step");
  await page.getByRole("button", { name: "Move step 4 up" }).click();
  assert.equal(await page.locator("#chain-steps > li").nth(2).locator("textarea").inputValue(), "A temporary step");
  await page.getByRole("button", { name: "Remove step 3" }).click();
  const prompts = await page.$$eval("#chain-steps textarea", (ts) => ts.map((x) => x.value));
  assert.deepEqual(prompts, ["Birds take off from the trees", "A deer steps out to drink", "The camera pulls back to the whole valley"]);
  assert.match(await page.textContent("#cap-text"), /= 20 s of 3 min/);

  await page.fill("#ext-external", "chain-demo");
  await page.click("#chain-submit");
  // Every step's card, then the final 20 s.
  await page.waitForFunction(() => document.querySelectorAll('#task-list > li[data-status="succeed"]').length === 3, null, {
    timeout: 20_000,
  });
  await page.waitForFunction(() => !document.querySelector("#chain-submit").disabled);
  assert.match(await page.textContent("#result-meta"), /^20 s/);
  assert.match(await page.textContent("#cap-text"), /20 s so far/);
  const segments = await page.$$eval("#segments li", (ls) => ls.map((l) => `${l.dataset.kind}: ${l.textContent}`));
  assert.deepEqual(
    segments.map((s) => s.split(":")[0]),
    ["source", "succeed", "succeed", "succeed"],
  );
  assert.match(segments[3], /15 s–20 s: step 3/);
  const titles = await page.$$eval("#task-list .task-title", (ts) => ts.map((x) => x.textContent));
  assert.deepEqual(titles, ["Chain step 3 of 3", "Chain step 2 of 3", "Chain step 1 of 3"]);

  const posts = apiRequests(sim, "POST", "/v1/videos/video-extend");
  assert.equal(posts.length, 3);
  // The page's ids (chain-demo-1…3) reach Kling derived per user by the edge service.
  const sent = posts.map((p) => p.body.external_task_id);
  for (const id of sent) assert.match(id, /^ke-[0-9a-f]{40}$/);
  assert.equal(new Set(sent).size, 3);
  assert.equal(posts[0].body.video_id, "800000000000000001");
  const ext = sim
    .tasks()
    .filter((x) => x.family === "video-extend")
    .sort((a, b) => a.created_at - b.created_at);
  assert.equal(posts[1].body.video_id, ext[0].task_result.videos[0].id, "each step extends the previous result");
  assert.equal(ext.at(-1).task_result.videos[0].duration, "20");

  const video = await waitForVideo(page);
  // The chain ran on the service: the page plays the video it kept in R2.
  assert.equal(new URL(video.src).pathname, `/media/${ext.at(-1).task_result.videos[0].id}.mp4`);
  await page.locator("#chain").scrollIntoViewIfNeeded();
  await screenshot(page, "chain.png");

  // History: 3 tasks, 2 per page → page 1 is full, page 2 (1 task) is the last.
  await page.waitForFunction(() => document.querySelectorAll("#hist-body tr").length === 3);
  await page.selectOption("#hist-size", "5");
  await page.evaluate(() => {
    const sel = document.querySelector("#hist-size");
    sel.append(new Option("2", "2"));
    sel.value = "2";
    sel.dispatchEvent(new Event("change"));
  });
  await page.waitForFunction(
    () => document.querySelectorAll("#hist-body tr").length === 2 && !document.querySelector("#hist-next").disabled,
  );
  assert.equal(await page.textContent("#hist-page"), "Page 1");
  assert.ok(await page.isDisabled("#hist-prev"));
  await page.click("#hist-next");
  await page.waitForFunction(() => document.querySelector("#hist-page").textContent === "Page 2 (last)");
  assert.equal(await page.locator("#hist-body tr").count(), 1);
  assert.ok(await page.isDisabled("#hist-next"));
  assert.equal(await page.getAttribute("#hist-body tr", "data-task-id"), ext[0].task_id, "newest first: the oldest is last");
  // The pages came from the edge service's records of this user, never from Kling's account-wide list.
  const lists = apiRequests(sim, "GET", "/v1/videos/video-extend").filter((r) => r.path === "/v1/videos/video-extend");
  assert.equal(lists.length, 0, "Kling's list was never asked");
  await page.click("#hist-prev");
  await page.waitForFunction(() => document.querySelector("#hist-page").textContent === "Page 1");
  await assertClean();
});
