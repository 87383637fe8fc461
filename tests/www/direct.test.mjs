// Direct mode: the user's own keys, typed into the page, in memory only, with a visible warning.

import assert from "node:assert/strict";
import { test } from "node:test";
import { apiRequests, openDemo, waitForCard } from "./support.mjs";

test("direct mode warns, keeps keys in memory only, and calls Kling with them", async (t) => {
  // The wrong-key attempt is answered 401, which Chromium logs as a failed resource load.
  const { page, sim, demo, assertClean } = await openDemo(t, { allowConsole: [/status of 401/] });
  assert.ok(await page.isHidden("#direct-form"));
  await page.getByRole("radio", { name: /Direct, with my own key/ }).check();
  assert.match(await page.textContent("#direct-warning"), /can read it and spend your Kling units/);
  assert.match(await page.textContent("#direct-warning"), /memory only: never saved/);

  // Refused on the fields until everything is there, including accepting the risk.
  await page.click("#direct-form button[type=submit]");
  for (const id of ["#direct-ak", "#direct-sk", "#direct-accept"]) assert.equal(await page.getAttribute(id, "aria-invalid"), "true", id);

  // A wrong secret: Kling's 1002 comes back as ERR_KLING_AUTH, with advice about the typed keys.
  await page.fill("#direct-ak", "ak-simulator");
  await page.fill("#direct-sk", "wrong-secret");
  await page.fill("#direct-base", sim.url);
  await page.check("#direct-accept");
  await page.click("#direct-form button[type=submit]");
  await page.waitForSelector("#hist-error .error-box");
  assert.equal(await page.getAttribute("#hist-error .error-box", "data-code"), "ERR_KLING_AUTH");
  assert.match(await page.textContent("#hist-error"), /Check the access key and secret key/);

  await page.fill("#direct-sk", "sk-simulator");
  await page.click("#direct-form button[type=submit]");
  await page.waitForFunction(() => !document.querySelector("#hist-error .error-box"));
  assert.match(await page.textContent("#conn-state"), /Direct to http:\/\/127\.0\.0\.1:\d+ with your key \(in memory only\)/);

  const before = apiRequests(sim, "POST", "/v1/videos/video-extend").length;
  await page.fill("#ext-prompt", "With my own key");
  await page.click("#ext-submit");
  await waitForCard(page, ["succeed"]);
  const post = apiRequests(sim, "POST", "/v1/videos/video-extend").at(-1);
  assert.equal(apiRequests(sim, "POST", "/v1/videos/video-extend").length, before + 1);
  assert.equal(post.headers.origin, demo.url, "sent from the page straight to the simulator");

  // Never stored.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  assert.ok(!stored.includes("sk-simulator") && !stored.includes("ak-simulator"), stored);

  // Forget: back to the edge function, fields emptied.
  await page.click("#direct-forget");
  assert.equal(await page.inputValue("#direct-sk"), "");
  assert.match(await page.textContent("#conn-state"), /edge function/);
  await assertClean();
});
