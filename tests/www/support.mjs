// Shared by the demo page's tests: a demo server per test (simulator), a headless Chromium page
// that fails the test on any page error, console error or CSP violation.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startDemo } from "../../www/serve.mjs";
import { launchChromium } from "../chromium.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Every run saves its screenshots here; `make screenshots` points it at docs/screenshots. */
export const SCREENSHOTS = process.env.SCREENSHOTS_DIR ? resolve(process.env.SCREENSHOTS_DIR) : join(ROOT, ".tmp/screenshots");
/** The page polls this often (ms) in tests: `?poll=`. */
export const POLL_MS = 250;

/**
 * Starts a demo (its own simulator and edge function) and a browser page on it; everything is
 * closed by `t.after`. `allowConsole` lists console-error patterns a test expects (e.g. the 429 of
 * an injected fault, which Chromium logs as "Failed to load resource"); `demoOptions` go to
 * `startDemo`.
 */
export async function openDemo(
  t,
  { viewport = { width: 1280, height: 900 }, allowConsole = [], query = `?poll=${POLL_MS}`, colorScheme = "light", demoOptions = {} } = {},
) {
  await mkdir(join(ROOT, ".tmp"), { recursive: true });
  const workDir = await mkdtemp(join(ROOT, ".tmp/www-test-"));
  const demo = await startDemo({
    port: 0,
    env: {},
    simOptions: { timing: { submittedMs: 300, processingMs: 700 } },
    workDir,
    ...demoOptions,
  });
  t.after(async () => {
    await demo.close();
    await rm(workDir, { recursive: true, force: true });
  });
  const browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const text = m.text();
    if (allowConsole.some((re) => re.test(text))) return;
    problems.push(`console error: ${text}`);
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${demo.url}/${query}`);
  await page.waitForFunction(() => document.body.dataset.ready);
  if ((await page.getAttribute("body", "data-ready")) !== "true")
    throw new Error(`the page did not start: ${await page.textContent("#boot-error")}`);
  /** Call at the end of a test: throws when anything went wrong in the page. */
  async function assertClean() {
    const csp = await page.evaluate(() => window.__csp);
    const all = [...problems, ...csp.map((c) => `CSP violation: ${c}`)];
    if (all.length) throw new Error(`the page reported problems:\n${all.join("\n")}`);
  }
  return { demo, sim: demo.sim, browser, page, assertClean };
}

export async function screenshot(page, name, opts = {}) {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true, animations: "disabled", ...opts });
}

/** API requests the simulator received (method, path substring). */
export function apiRequests(sim, method, pathPart = "") {
  return sim.requests().filter((r) => (!method || r.method === method) && r.path.includes(pathPart));
}

/** Waits until the latest task card of the list has `data-status` in `statuses`. */
export async function waitForCard(page, statuses, { nth = 0, timeout = 15_000 } = {}) {
  await page.waitForFunction(
    ({ statuses, nth }) => {
      const card = document.querySelectorAll("#task-list > li")[nth];
      return card && statuses.includes(card.dataset.status);
    },
    { statuses, nth },
    { timeout },
  );
  return page.locator("#task-list > li").nth(nth);
}

/** Waits until the result `<video>` has real media: readyState >= 2 (HAVE_CURRENT_DATA) and a duration. */
export async function waitForVideo(page, selector = "#result-video", timeout = 15_000) {
  await page.waitForFunction(
    (sel) => {
      const v = document.querySelector(sel);
      return v && !v.hidden && v.readyState >= 2 && v.duration > 0;
    },
    selector,
    { timeout },
  );
  return page.evaluate((sel) => {
    const v = document.querySelector(sel);
    return { readyState: v.readyState, duration: v.duration, src: v.currentSrc, error: v.error?.code ?? null };
  }, selector);
}
