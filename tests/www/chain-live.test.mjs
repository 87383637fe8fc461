// "Your chains" follows running chains live: a chain started in another tab shows up in the first
// tab's list and goes from "0 of 3 steps" to "3 of 3 steps" without a reload; the list is read on
// one timer only, and stops being read once no chain runs; failed reads back off, then it recovers.

import assert from "node:assert/strict";
import { test } from "node:test";
import { openDemo, POLL_MS } from "./support.mjs";

/** The browser's start times (ms) of `page`'s finished `GET /chains` list reads. */
function listReads(page) {
  const starts = [];
  page.on("requestfinished", (r) => {
    const url = new URL(r.url());
    if (r.method() === "GET" && url.pathname === "/chains") starts.push(r.timing().startTime);
  });
  return starts;
}

/** The texts the chain list's items had, in order, as the page showed them. */
async function recordList(page) {
  await page.evaluate(() => {
    window.__listTexts = [];
    const list = document.querySelector("#chain-runs");
    const note = () => {
      const text = [...list.children].map((li) => li.textContent).join(" | ");
      if (text && window.__listTexts.at(-1) !== text) window.__listTexts.push(text);
    };
    new MutationObserver(note).observe(list, { childList: true, subtree: true, characterData: true });
  });
}

/**
 * Another tab of the same browser (same session, same storage) runs a chain with its own form:
 * `POST /chains` to the service, which runs it.
 */
async function startInAnotherTab(page, url) {
  const other = await page.context().newPage();
  await other.goto(`${url}/?poll=${POLL_MS}`);
  await other.waitForFunction(() => document.body.dataset.ready === "true");
  await other.click("#chain-submit");
  return other;
}

const doneSteps = (text) => Number(/(\d+) of 3 steps/.exec(text)?.[1]);

test("a chain started in another tab: the list goes from 0 of 3 to 3 of 3 live, then stops reading", async (t) => {
  const { demo, page, assertClean } = await openDemo(t);
  assert.equal(await page.isHidden("#chain-runs-box"), true, "no chains yet");
  await page.evaluate(() => {
    window.__sameDocument = true; // gone if the page reloads
  });
  await recordList(page);
  const reads = listReads(page);

  await startInAnotherTab(page, demo.url);

  await page.waitForFunction(() => /running · 0 of 3 steps/.test(document.querySelector("#chain-runs").textContent), null, {
    timeout: 10_000,
  });
  assert.equal(await page.isVisible("#chain-runs-box"), true);
  await page.waitForFunction(() => /succeed · 3 of 3 steps · 20 s/.test(document.querySelector("#chain-runs").textContent), null, {
    timeout: 30_000,
  });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "the list followed the chain without a reload");
  // The first tab ran nothing itself: no task card, only the list.
  assert.equal(await page.locator("#task-list > li").count(), 0);
  const texts = await page.evaluate(() => window.__listTexts);
  const done = texts.map(doneSteps);
  assert.equal(done[0], 0, `first shown: ${texts[0]}`);
  assert.equal(done.at(-1), 3);
  assert.deepEqual(
    done,
    [...done].sort((a, b) => a - b),
    `steps done never go back: ${texts.join(" / ")}`,
  );
  assert.ok(await page.isVisible('#chain-runs li[data-status="succeed"] button'), "the finished chain can be played");

  // One timer: reads are at least a poll interval apart (two timers would read twice as often).
  const during = [...reads].sort((a, b) => a - b);
  assert.ok(during.length >= 3, `${during.length} reads while the chain ran`);
  const gaps = during.slice(1).map((x, i) => x - during[i]);
  assert.ok(
    gaps.every((g) => g >= POLL_MS - 25),
    `gaps between reads (ms): ${gaps.map(Math.round).join(", ")}`,
  );
  // No chain runs any more: the list is not read again.
  const settled = reads.length;
  await page.waitForTimeout(POLL_MS * 4);
  assert.equal(reads.length, settled, "the list is no longer read once no chain runs");
  await assertClean();
});

test("failed reads of the chain list back off, then the list catches up", async (t) => {
  // The failed reads are answered 503 on purpose (Chromium logs them).
  const { demo, page, assertClean } = await openDemo(t, { allowConsole: [/status of 503/] });
  await startInAnotherTab(page, demo.url);
  await page.waitForFunction(() => /running · [0-2] of 3 steps/.test(document.querySelector("#chain-runs").textContent), null, {
    timeout: 10_000,
  });
  // The next two reads fail; the one after goes through.
  const at = [];
  await page.route(
    (url) => url.pathname === "/chains",
    (route) => {
      if (route.request().method() !== "GET") return route.fallback();
      at.push(Date.now());
      if (at.length > 2) return route.fallback();
      return route.fulfill({ status: 503, contentType: "application/json", body: '{"error":{"code":"ERR_UNAVAILABLE","message":"busy"}}' });
    },
  );
  await page.waitForFunction(() => /succeed · 3 of 3 steps · 20 s/.test(document.querySelector("#chain-runs").textContent), null, {
    timeout: 30_000,
  });
  assert.ok(at.length >= 3, `${at.length} reads`);
  // After one failure the next read waits two poll intervals; after two, four.
  const gaps = [at[1] - at[0], at[2] - at[1]];
  assert.ok(gaps[0] >= 2 * POLL_MS - 50 && gaps[1] >= 4 * POLL_MS - 50, `gaps after failures (ms): ${gaps.join(", ")}`);
  await assertClean();
});
