// Stop waiting: polling ends, and the page says plainly that the task keeps running and is billed.

import assert from "node:assert/strict";
import { test } from "node:test";
import { apiRequests, openDemo, POLL_MS, waitForCard } from "./support.mjs";

test("Stop waiting stops polling; the task keeps running on Kling", async (t) => {
  const { page, sim, assertClean } = await openDemo(t);
  // Long enough that the task is still running while we watch for polls that should not come.
  sim.configure({ timing: { submittedMs: 300, processingMs: 5000 } });
  await page.fill("#ext-prompt", "A long take");
  await page.click("#ext-submit");
  const card = await waitForCard(page, ["submitted", "processing"]);
  const taskId = sim.tasks().find((x) => x.family === "video-extend").task_id;
  const polls = () => apiRequests(sim, "GET", `/v1/videos/video-extend/${taskId}`).length;
  // Wait for at least one poll so that polling is known to be happening.
  await page.waitForFunction(() => document.querySelector("#task-list > li").dataset.status === "processing", null, { timeout: 5000 });
  await card.getByRole("button", { name: "Stop waiting" }).click();
  await waitForCard(page, ["stopped"]);
  const after = polls();
  assert.ok(after >= 1);
  assert.equal(await card.locator(".task-note").textContent(), "Stopped waiting. The task keeps running on Kling and is billable.");
  assert.equal(await card.locator("progress").count(), 0);
  assert.equal(await card.getByRole("button", { name: "Stop waiting" }).count(), 0);

  // Several poll intervals pass: no GET for this task, while it is still running on the simulator.
  await page.waitForTimeout(POLL_MS * 4);
  assert.equal(polls(), after, "no poll after Stop");
  assert.notEqual(sim.tasks().find((x) => x.task_id === taskId).task_status, "succeed", "the task was still running");

  // Waiting again resumes polling and sees it finish.
  await card.getByRole("button", { name: "Wait again" }).click();
  await waitForCard(page, ["succeed"], { timeout: 15_000 });
  assert.ok(polls() > after);
  await assertClean();
});
