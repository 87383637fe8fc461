// Keyboard and phone: every control reachable by Tab, visible focus, no horizontal scroll at 360 px.

import assert from "node:assert/strict";
import { test } from "node:test";
import { openDemo, screenshot, waitForCard } from "./support.mjs";

/** Gives the page `window.keyOf(el)`: a stable name for an element (its id, radio group or text). */
function installKeyOf(page) {
  return page.evaluate(() => {
    window.keyOf = (el) =>
      el.type === "radio"
        ? `radio:${el.name}`
        : el.id
          ? `#${el.id}`
          : `${el.tagName.toLowerCase()}:${el.getAttribute("aria-label") || el.textContent.trim()}`;
  });
}

async function interactiveControls(page) {
  await installKeyOf(page);
  return page.evaluate(() => {
    const keyOf = window.keyOf;
    const els = [
      ...document.querySelectorAll("a[href], button, input, select, textarea, video[controls], summary, [tabindex]:not([tabindex='-1'])"),
    ];
    const visible = (el) => !el.disabled && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
    return [...new Set(els.filter(visible).map(keyOf))];
  });
}

async function tabThrough(page, max = 200) {
  await installKeyOf(page);
  await page.evaluate(() => document.activeElement?.blur());
  const reached = new Set();
  const outlines = new Map();
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const cs = getComputedStyle(el);
      return { key: window.keyOf(el), outline: cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0 };
    });
    if (!info) continue;
    if (reached.has(info.key) && info.key === "#skip") break;
    reached.add(info.key);
    outlines.set(info.key, info.outline);
  }
  return { reached, outlines };
}

test("every interactive control is reachable by Tab, with a visible focus ring", async (t) => {
  const { page, assertClean } = await openDemo(t);
  // Open the direct-mode form and run a task, so their controls are on the page too.
  await page.getByRole("radio", { name: /Direct, with my own key/ }).check();
  await page.fill("#ext-prompt", "Keyboard test");
  await page.click("#ext-submit");
  await waitForCard(page, ["succeed"]);
  await page.waitForFunction(() => !document.querySelector("#result-video").hidden);
  await page.evaluate(() => (document.querySelector("a.skip").id = "skip"));

  const controls = await interactiveControls(page);
  assert.ok(controls.length > 30, `found ${controls.length} controls`);
  const { reached, outlines } = await tabThrough(page);
  const missed = controls.filter((c) => !reached.has(c));
  assert.deepEqual(missed, [], "controls Tab never reached");
  const noRing = [...outlines].filter(([k, ring]) => !ring && !k.startsWith("video") && k !== "#result-video").map(([k]) => k);
  assert.deepEqual(noRing, [], "focused controls without a visible outline");

  // Buttons are buttons: nothing clickable is a div or span.
  assert.equal(await page.locator("div[onclick], span[onclick], [role=button]:not(button)").count(), 0);
  // Status changes are announced through live regions.
  assert.equal(await page.getAttribute("#announcer", "aria-live"), "polite");
  // Every form control has a label.
  const unlabeled = await page.$$eval("input, select, textarea", (els) =>
    els.filter((e) => e.labels.length === 0 && !e.getAttribute("aria-label")).map((e) => e.id || e.name),
  );
  assert.deepEqual(unlabeled, []);
  await assertClean();
});

test("at 360 px the page has no horizontal scroll", async (t) => {
  const { page, assertClean } = await openDemo(t, { viewport: { width: 360, height: 780 } });
  const overflow = () =>
    page.evaluate(() => {
      const doc = document.documentElement;
      const wide = [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > doc.clientWidth + 0.5 && el.getClientRects().length)
        .map((el) => el.id || el.className || el.tagName);
      return { scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide.slice(0, 10) };
    });
  let o = await overflow();
  assert.ok(o.scroll <= o.client, `initial: ${JSON.stringify(o)}`);

  // With tasks, a result, history rows, an error and the direct-mode form open.
  await page.fill("#ext-prompt", "Phone test");
  await page.click("#ext-submit");
  await waitForCard(page, ["succeed"]);
  await page.waitForSelector("#hist-body tr");
  await page.fill("#ext-external", "x".repeat(257));
  await page.click("#ext-submit");
  await page.getByRole("radio", { name: /Direct, with my own key/ }).check();
  o = await overflow();
  assert.ok(o.scroll <= o.client, `with content: ${JSON.stringify(o)}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, "mobile.png");
  await assertClean();
});
