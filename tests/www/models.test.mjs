// Today's models on the page: the form is the package's capability table (limits().families), and
// sources are made with kling-v3 (15 s) and with Omni-Video (a sample as its reference video),
// from the page through the edge service to the simulator.

import assert from "node:assert/strict";
import { test } from "node:test";
import { limits } from "../../pkg/index.node.js";
import { apiRequests, openDemo, screenshot, waitForCard, waitForVideo } from "./support.mjs";

const options = (page, selector) => page.$$eval(selector, (os) => os.map((o) => o.value));

test("the page offers today's models from limits(), kling-v3 by default, and makes a 15-second kling-v3 source", async (t) => {
  const { page, sim, assertClean } = await openDemo(t);
  const caps = limits().families.text2video;
  await page.getByRole("radio", { name: "Generate" }).check();

  // The models are the table's: today's (not retired) first, kling-v3 selected.
  assert.equal(caps.currentModel, "kling-v3");
  assert.equal(await page.inputValue("#t2v-model"), caps.currentModel);
  const today = caps.models.filter((m) => !m.retired).map((m) => m.name);
  assert.deepEqual((await options(page, '#t2v-model optgroup[label="Today\'s models"] option')).sort(), today.sort());
  assert.ok(today.includes("kling-v2-6") && today.includes("kling-v2-5-turbo"));
  assert.match(await page.textContent("#t2v-model-hint"), /^kling-v3: 3–15 s · std or pro · sound, multi shot\. Today's model\.$/);

  // Each model's row decides the durations, modes, ratios and whether sound is offered.
  const row = (name) => caps.models.find((m) => m.name === name);
  assert.deepEqual(await options(page, "#t2v-duration option"), row("kling-v3").durations);
  assert.deepEqual(await options(page, "#t2v-aspect option"), row("kling-v3").aspectRatios);
  assert.equal(await page.isVisible("#t2v-sound"), true);
  await page.selectOption("#t2v-model", "kling-v2-6");
  assert.deepEqual(await options(page, "#t2v-duration option"), row("kling-v2-6").durations);
  assert.match(await page.textContent("#t2v-model-hint"), /sound in pro mode only/);
  await page.selectOption("#t2v-model", "kling-v2-5-turbo");
  assert.equal(await page.isVisible("#t2v-sound"), false, "kling-v2-5-turbo has no sound");
  await page.selectOption("#t2v-model", "kling-v3");

  // A 15-second kling-v3 source with sound, from the page through the service.
  await page.selectOption("#t2v-duration", "15");
  await page.check("#t2v-sound");
  await page.fill("#t2v-prompt", "A red fox trots through fresh snow at dawn");
  await page.click("#t2v-submit");
  const card = await waitForCard(page, ["succeed"]);
  assert.match(await card.locator(".task-title").textContent(), /Text to video/);
  const sent = apiRequests(sim, "POST", "/v1/videos/text2video");
  assert.equal(sent.length, 1);
  assert.equal(sent[0].body.model_name, "kling-v3");
  assert.equal(sent[0].body.duration, "15");
  assert.equal(sent[0].body.sound, "on");
  assert.equal(sent[0].body.mode, "std");
  assert.match(sent[0].body.external_task_id, /^ke-[0-9a-f]{40}$/, "sent by the edge service");
  await page.waitForFunction(() => /kling-v3 · 15 s/.test(document.querySelector("#current-source").textContent));

  // The source plays: real media, 15 seconds long.
  const video = await waitForVideo(page, "#current-source video");
  assert.ok(Math.abs(video.duration - 15) < 0.2, JSON.stringify(video));
  const task = sim.tasks().find((x) => x.family === "text2video");
  assert.equal(task.task_result.videos[0].duration, "15");
  assert.ok(video.src.endsWith(`${task.task_result.videos[0].id}.mp4`));
  await page.evaluate(() => document.querySelector("#current-source video").play());
  await page.waitForFunction(() => document.querySelector("#current-source video").currentTime > 0.3);
  await screenshot(page, "kling-v3-source.png");

  // video-extend does not take it, and the page says so before sending, with the table's models.
  const before = sim.requests().length;
  await page.click("#ext-submit");
  assert.match(await page.textContent("#source-err"), /made by kling-v3; only videos of kling-v1-5 and kling-v1-6 can still be extended/);
  assert.equal(sim.requests().length, before);
  await assertClean();
});

test("an Omni-Video source from the page, with a retired-model sample as its reference video", async (t) => {
  const { page, sim, assertClean } = await openDemo(t);
  // The v1.x samples stay, labelled as retired models only the legacy extend path takes.
  const sample = sim.samples.find((s) => s.id === "800000000000000001");
  const label = page.locator("label.sample", { has: page.locator(`input[value="${sample.id}"]`) });
  assert.match(await label.textContent(), /Retired model: only the legacy extend path takes it/);
  assert.match(await page.textContent("#samples-retired"), /which Kling retired \(.*2026-09-15.*\): video-extend, the legacy path/);
  assert.equal(await page.isChecked(`input[value="${sample.id}"]`), true, "the 5 s kling-v1-6 sample is the source");

  await page.getByRole("radio", { name: "Omni-Video" }).check();
  const caps = limits().families["omni-video"];
  assert.equal(await page.inputValue("#omni-model"), caps.currentModel);
  assert.equal(caps.currentModel, "kling-v3-omni");
  assert.deepEqual((await options(page, "#omni-model option")).sort(), caps.models.map((m) => m.name).sort());
  // kling-video-o1 from text alone: 5 or 10 s (its row's rule); with a reference video, 3–10 s.
  await page.selectOption("#omni-model", "kling-video-o1");
  assert.deepEqual(await options(page, "#omni-duration option"), ["5", "10"]);
  await page.check("#omni-ref");
  assert.deepEqual(await options(page, "#omni-duration option"), caps.models.find((m) => m.name === "kling-video-o1").durations);
  await page.selectOption("#omni-model", "kling-v3-omni");

  // The sample as a feature reference, 8 s.
  await page.selectOption("#omni-ref-type", "feature");
  await page.selectOption("#omni-duration", "8");
  await page.fill("#omni-prompt", "The scene of <<<video_1>>> continues into a pine forest");
  await page.click("#omni-submit");
  const card = await waitForCard(page, ["succeed"]);
  assert.match(await card.locator(".task-title").textContent(), /Omni-Video/);
  const sent = apiRequests(sim, "POST", "/v1/videos/omni-video");
  assert.equal(sent.length, 1);
  assert.equal(sent[0].body.model_name, "kling-v3-omni");
  assert.equal(sent[0].body.duration, "8");
  assert.deepEqual(sent[0].body.video_list, [{ video_url: sample.url, refer_type: "feature" }]);
  assert.match(sent[0].body.external_task_id, /^ke-[0-9a-f]{40}$/, "sent by the edge service");

  // The result is the new source, and plays.
  await page.waitForFunction(() => /kling-v3-omni · 8 s/.test(document.querySelector("#current-source").textContent));
  const video = await waitForVideo(page, "#current-source video");
  assert.ok(Math.abs(video.duration - 8) < 0.2, JSON.stringify(video));
  const task = sim.tasks().find((x) => x.family === "omni-video");
  assert.ok(video.src.endsWith(`${task.task_result.videos[0].id}.mp4`));
  assert.equal(await page.isChecked(`input[value="${sample.id}"]`), false);
  await screenshot(page, "omni-video-source.png");
  await assertClean();
});

test("a multi-shot Omni-Video from the page: one prompt a line, the length shared out", async (t) => {
  const { page, sim, assertClean } = await openDemo(t);
  await page.getByRole("radio", { name: "Omni-Video" }).check();
  // Offered where the model's row has multi-shot (kling-v3-omni), not where it has none.
  await page.selectOption("#omni-model", "kling-video-o1");
  assert.equal(await page.isVisible("#omni-multi"), false, "kling-video-o1 has no multi-shot");
  await page.selectOption("#omni-model", "kling-v3-omni");
  assert.equal(await page.isVisible("#omni-multi"), true);
  await page.selectOption("#omni-duration", "10");
  await page.check("#omni-multi");
  await page.fill("#omni-prompt", "A fox in winter");
  // One line is not several shots: refused on the page, nothing sent.
  await page.fill("#omni-shots", "Only one shot");
  await page.click("#omni-submit");
  assert.match(await page.textContent("#omni-shots-err"), /from 2 shots/);
  assert.equal(apiRequests(sim, "POST", "/v1/videos/omni-video").length, 0);

  await page.fill("#omni-shots", "The fox wakes in its den\nIt steps into the snow\n\nIt runs toward the trees");
  await page.click("#omni-submit");
  await waitForCard(page, ["succeed"]);
  const sent = apiRequests(sim, "POST", "/v1/videos/omni-video");
  assert.equal(sent.length, 1);
  assert.equal(sent[0].body.multi_shot, true);
  assert.deepEqual(
    sent[0].body.multi_prompt.map((s) => [s.index, s.prompt, s.duration]),
    [
      [1, "The fox wakes in its den", "4"],
      [2, "It steps into the snow", "3"],
      [3, "It runs toward the trees", "3"],
    ],
  );
  await page.waitForFunction(() => /kling-v3-omni · 10 s/.test(document.querySelector("#current-source").textContent));
  const video = await waitForVideo(page, "#current-source video");
  assert.ok(Math.abs(video.duration - 10) < 0.2, JSON.stringify(video));
  await assertClean();
});
