// Errors as people can act on them: code, message, request id and what to do.

import assert from "node:assert/strict";
import { test } from "node:test";
import { apiRequests, openDemo, screenshot, waitForCard } from "./support.mjs";

test("a simulated 1102 (resource pack exhausted) is shown with its code, request id and advice", async (t) => {
  // Chromium logs the 429 answer as "Failed to load resource"; that one is expected.
  const { page, sim, assertClean } = await openDemo(t, { allowConsole: [/status of 429/] });
  sim.injectFault({ method: "POST", path: "/v1/videos/video-extend", action: { type: "error", status: 429, code: 1102 } });
  await page.fill("#ext-prompt", "The camera pulls back");
  await page.click("#ext-submit");
  const box = page.locator("#ext-error .error-box");
  await box.waitFor();
  const text = await box.textContent();
  assert.equal(await box.getAttribute("data-code"), "ERR_KLING_ACCOUNT");
  assert.match(text, /ERR_KLING_ACCOUNT/);
  assert.match(text, /Kling code1102/);
  assert.match(text, /What to do: The resource pack is exhausted or expired: buy more units/, "the package's advice for the code");
  assert.equal(text.split("Kling answered HTTP 429").length - 1, 1, "the facade relays Kling's words, not the package's framing of them");
  const posts = apiRequests(sim, "POST", "/v1/videos/video-extend");
  assert.equal(posts.length, 1, "an account error is never retried");
  const requestId = (await box.locator("dt:text('Request id') + dd").textContent()).trim();
  assert.match(requestId, /^[0-9a-f-]{36}$/);
  assert.equal(await box.getAttribute("role"), "alert");
  await box.scrollIntoViewIfNeeded();
  await screenshot(page, "error.png");
  await assertClean();
});

test("a task that fails on Kling says so, with the reason and that it is not charged", async (t) => {
  const { page, assertClean } = await openDemo(t);
  await page.fill("#ext-prompt", "[fail] something the simulator refuses");
  await page.click("#ext-submit");
  const card = await waitForCard(page, ["failed"]);
  const text = await card.textContent();
  assert.match(text, /ERR_KLING_TASK_FAILED/);
  assert.match(text, /Content risk control triggered/);
  assert.match(text, /not charged/);
  assert.equal(await card.locator('.stepper [data-step="done"]').getAttribute("data-state"), "failed");
  await assertClean();
});
