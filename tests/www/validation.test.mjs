// Bad values are refused on their field before anything is sent.

import assert from "node:assert/strict";
import { test } from "node:test";
import { openDemo } from "./support.mjs";

/** The field's visible error, linked from the field by aria-describedby. */
async function fieldError(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const ids = (el.getAttribute("aria-describedby") ?? "").split(/\s+/);
    const err = ids.map((id) => document.getElementById(id)).find((e) => e?.classList.contains("field-error") && !e.hidden);
    return { invalid: el.getAttribute("aria-invalid"), message: err?.textContent ?? null, focused: document.activeElement === el };
  }, selector);
}

test("a prompt over 2500 characters is refused on the field; nothing is sent", async (t) => {
  const { page, sim, assertClean } = await openDemo(t);
  // Characters, not UTF-16 units: 2500 emoji are 5000 code units and still within the limit.
  await page.fill("#ext-prompt", "🎬".repeat(2500));
  assert.equal(await page.textContent("#ext-prompt-count"), "2,500 / 2,500");
  assert.equal(await page.getAttribute("#ext-prompt-count", "class"), "count");

  await page.fill("#ext-prompt", "🎬".repeat(2501));
  assert.equal(await page.textContent("#ext-prompt-count"), "2,501 / 2,500");
  assert.match(await page.getAttribute("#ext-prompt-count", "class"), /over/);

  const before = sim.requests().length;
  await page.click("#ext-submit");
  const err = await fieldError(page, "#ext-prompt");
  assert.equal(err.invalid, "true");
  assert.match(err.message, /2,501 characters long; Kling accepts at most 2,500/);
  assert.ok(err.focused, "the first invalid field gets focus");
  assert.equal(await page.locator("#task-list > li").count(), 0, "no task card");
  assert.equal(sim.requests().length, before, "no request reached Kling");

  // Fixing it clears the error.
  await page.fill("#ext-prompt", "fine");
  assert.equal((await fieldError(page, "#ext-prompt")).invalid, null);
  await assertClean();
});

test("negative prompt, external task id and chain cap are checked before sending", async (t) => {
  const { page, sim, assertClean } = await openDemo(t);
  await page.fill("#ext-negative", "x".repeat(2501));
  await page.fill("#ext-external", "x".repeat(257));
  const before = sim.requests().length;
  await page.click("#ext-submit");
  assert.match((await fieldError(page, "#ext-negative")).message, /negative prompt is 2,501 characters/);
  assert.match((await fieldError(page, "#ext-external")).message, /at most 256 characters/, "the package's id rule, not a copy");
  assert.equal(sim.requests().length, before);

  // A chain that could pass 180 s: a 170 s video plus 3 steps of up to 5 s.
  await page.fill("#ext-negative", "");
  await page.fill("#ext-external", "");
  await page.getByRole("radio", { name: "Video id" }).check();
  await page.fill("#src-id", "800000000000000001");
  await page.fill("#src-duration", "170");
  await page.click("#panel-id button[type=submit]");
  assert.match(await page.textContent("#cap-text"), /2 min 50 s \+ 3 × 5 s = 3 min 5 s of 3 min — too long/);
  await page.click("#chain-submit");
  assert.match(await page.textContent("#chain-err"), /could reach 3 min 5 s, past Kling's 3-minute cap\. Remove 1 step/);
  assert.equal(await page.getAttribute("#chain-steps", "aria-invalid"), "true");
  assert.equal(sim.requests().length, before, "no request for a chain over the cap");
  await assertClean();
});
