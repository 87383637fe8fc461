// The main path: generate a source with text2video, extend it, watch the states, play the result.

import assert from "node:assert/strict";
import { test } from "node:test";
import { apiRequests, openDemo, screenshot, waitForCard, waitForVideo } from "./support.mjs";

/** Records every data-status the newest task card goes through. */
async function recordStatuses(page) {
  await page.evaluate(() => {
    window.__statuses = [];
    const list = document.getElementById("task-list");
    const seen = (li) => {
      const s = li.dataset.status;
      if (window.__statuses.at(-1) !== s) window.__statuses.push(s);
    };
    new MutationObserver(() => list.firstElementChild && seen(list.firstElementChild)).observe(list, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["data-status"],
    });
  });
}

test("text2video source → extension → succeeded, with the video playing real media", async (t) => {
  const { page, sim, assertClean } = await openDemo(t);
  await screenshot(page, "initial.png");

  // Generate a source for the legacy extend path: today's models come first (kling-v3 selected);
  // the retired models video-extend takes are offered apart, and the page says why.
  await page.getByRole("radio", { name: "Generate" }).check();
  assert.equal(await page.inputValue("#t2v-model"), "kling-v3");
  const retired = await page.$$eval('#t2v-model optgroup[label^="Retired"] option', (os) => os.map((o) => o.value));
  // kling-v1 is discontinued (Kling refuses it, and a create without model_name defaults to it).
  assert.deepEqual(retired.sort(), ["kling-v1-5", "kling-v1-6"]);
  await page.selectOption("#t2v-model", "kling-v1-6");
  assert.match(
    await page.textContent("#t2v-model-hint"),
    /Retired by Kling on 2026-09-15 \(use kling-v3 instead\): offered only because video-extend, the legacy path, takes only videos of kling-v1-5 and kling-v1-6/,
  );
  await page.fill("#t2v-prompt", "A red fox trots through fresh snow at dawn");
  await recordStatuses(page);
  await page.click("#t2v-submit");
  await waitForCard(page, ["succeed"]);
  assert.deepEqual(await page.evaluate(() => window.__statuses), ["submitted", "processing", "succeed"]);
  const t2v = apiRequests(sim, "POST", "/v1/videos/text2video");
  assert.equal(t2v.length, 1);
  assert.equal(t2v[0].body.model_name, "kling-v1-6");
  assert.equal(t2v[0].body.duration, "5");
  await page.waitForFunction(() => /Generated/.test(document.querySelector("#current-source").textContent));
  assert.match(await page.textContent("#current-source"), /kling-v1-6 · 5 s/);

  // Extend it.
  await page.fill("#ext-prompt", "The fox stops and looks at the camera");
  await page.fill("#ext-negative", "blur");
  await page.locator("#ext-cfg").fill("0.75");
  assert.equal(await page.textContent("#ext-cfg-out"), "0.75");
  await page.check("#ext-watermark");
  await page.fill("#ext-external", "demo-flow-1");
  await recordStatuses(page);
  await page.click("#ext-submit");
  const card = await waitForCard(page, ["processing"]);
  assert.equal(await card.locator("progress").count(), 1, "a progress indicator while waiting");
  assert.match(await card.locator(".task-title").textContent(), /Extension/);
  await screenshot(page, "waiting.png");
  await waitForCard(page, ["succeed"]);
  assert.deepEqual(await page.evaluate(() => window.__statuses), ["submitted", "processing", "succeed"]);

  const body = apiRequests(sim, "POST", "/v1/videos/video-extend")[0].body;
  assert.equal(body.prompt, "The fox stops and looks at the camera");
  assert.equal(body.negative_prompt, "blur");
  assert.equal(body.cfg_scale, 0.75);
  assert.deepEqual(body.watermark_info, { enabled: true });
  // Kling receives an id derived by the edge service from the demo user and the page's own id.
  assert.match(body.external_task_id, /^ke-[0-9a-f]{40}$/);
  // The page shows the demo user's budget from the service's GET /me, settled after the task.
  await page.waitForFunction(() =>
    /Signed in as demo-user\. Today: [1-9][0-9.]* of 200 units spent, 0 reserved/.test(document.querySelector("#budget").textContent),
  );
  // And what remains of the account's resource packs, from the service's GET /account.
  await page.waitForFunction(() => /^Account: \d+ units remaining/.test(document.querySelector("#units").textContent));
  const units = await page.locator("#units").textContent();
  const online = sim.resourcePacks().filter((p) => p.status === "online");
  const shown = Number(/^Account: (\d+) units remaining in (\d+) active/.exec(units)?.[1]);
  // Read when the page loaded (the service keeps it a minute): at least what remains now.
  assert.ok(shown >= online.reduce((n, p) => n + p.remaining_quantity, 0), units);
  assert.match(units, new RegExp(`in ${online.length} active resource pack`), units);

  // The timeline card: ids, request id, units, elapsed, no progress bar any more.
  const meta = await card.locator(".meta").textContent();
  const task = sim.tasks().find((x) => x.family === "video-extend");
  assert.ok(meta.includes(task.task_id), "task id shown");
  assert.ok(meta.includes("demo-flow-1"), "external id shown");
  assert.match(meta, /Request id[0-9a-f-]{36}/, "request id shown");
  assert.match(meta, /Units charged2/, "units shown (v1-6 std: 2)");
  assert.match(await card.locator(".elapsed").textContent(), /^\d+\.\d s$/);
  assert.equal(await card.locator("progress").count(), 0);

  const video = await waitForVideo(page);
  assert.ok(video.readyState >= 2 && video.duration > 0, JSON.stringify(video));
  assert.ok(video.src.endsWith(`${task.task_result.videos[0].id}.mp4`));
  assert.match(await page.textContent("#result-meta"), /10 s/);
  await page.waitForSelector(`#hist-body tr[data-task-id="${task.task_id}"]`);
  await page.locator("#result").scrollIntoViewIfNeeded();
  await screenshot(page, "succeeded.png");
  await assertClean();
});
