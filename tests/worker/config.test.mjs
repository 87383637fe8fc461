// A misconfigured Worker says what is wrong at its first request, on every route: 500
// ERR_NOT_CONFIGURED naming the binding or variable (a missing secret, a var shadowing a binding,
// a bad number, origin or URL), never a 500 "internal error" deep inside a create.

import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { APIKEY, auth, rawRequest, SESSION_SECRET, SIM_DEFAULTS, SOURCE, startPair, WORKER_DIR } from "./support.mjs";

/** Starts the Worker with `extra` bindings (`undefined` removes one) and `options` for Miniflare. */
async function misconfigured(t, { extra = {}, credentials, options } = {}) {
  return startPair(t, { extra, credentials, options });
}

/** Every kind of first request gets the same refusal, naming `name`; nothing reaches Kling. */
async function assertRefused(url, sim, name) {
  const session = await auth();
  const json = { "content-type": "application/json" };
  const requests = [
    ["GET", "/health", {}],
    ["GET", "/me", session],
    ["POST", "/kling/v1/videos/text2video", { ...session, ...json }, { model_name: "kling-v1-6", prompt: "x" }],
    ["POST", "/extensions", { ...session, ...json }, { video_id: SOURCE }],
    ["POST", `/callbacks/${"a".repeat(128)}`, json, {}],
    ["OPTIONS", "/extensions", { origin: "https://app.example", "access-control-request-method": "POST" }],
  ];
  for (const [method, path, headers, body] of requests) {
    const r = await rawRequest(url, method, path, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
    assert.equal(r.status, 500, `${name}: ${method} ${path} → ${r.status} ${r.text}`);
    const { error } = JSON.parse(r.text);
    assert.equal(error.code, "ERR_NOT_CONFIGURED", `${name}: ${method} ${path}: ${r.text}`);
    assert.ok(error.message.includes(name), `the message names ${name}: ${error.message}`);
    for (const secret of [SESSION_SECRET, SIM_DEFAULTS.secretKey, SIM_DEFAULTS.apiKey]) assert.ok(!r.text.includes(secret));
  }
  assert.equal(sim.requests().length, 0, "nothing reached Kling");
}

test("finding 10: a var shadowing the USER_CREATES_PER_MINUTE rate-limit binding is refused at the first request", async (t) => {
  const { url, sim } = await misconfigured(t, { extra: { USER_CREATES_PER_MINUTE: "10" }, options: { ratelimits: {} } });
  await assertRefused(url, sim, "USER_CREATES_PER_MINUTE");
});

test("finding 10: a bad number, a missing secret or credentials, a bad origin are each refused naming the variable", async (t) => {
  const cases = [
    ["USER_DAILY_UNITS", { extra: { USER_DAILY_UNITS: "abc" } }],
    ["ACCOUNT_DAILY_UNITS", { extra: { ACCOUNT_DAILY_UNITS: "-5" } }],
    ["KLING_MAX_CONCURRENT_TASKS", { extra: { KLING_MAX_CONCURRENT_TASKS: "five" } }],
    ["ALLOW_PRO", { extra: { ALLOW_PRO: "yes" } }],
    ["KLING_EDGE_SESSION_SECRET", { extra: { KLING_EDGE_SESSION_SECRET: undefined } }],
    ["KLING_EDGE_SESSION_SECRET", { extra: { KLING_EDGE_SESSION_SECRET: "too-short" } }],
    ["KLING_ACCESS_KEY", { credentials: {} }],
    ["KLING_API_KEY", { credentials: { KLING_ACCESS_KEY: SIM_DEFAULTS.accessKey } }],
    ["KLING_BASE_URL", { credentials: APIKEY, extra: { KLING_BASE_URL: "ftp://kling.example" } }],
    ["KLING_WEBHOOK_SECRET", { extra: { KLING_WEBHOOK_SECRET: "whsec_not base64!" } }],
    ["PUBLIC_ORIGIN", { extra: { PUBLIC_ORIGIN: undefined } }],
    ["PUBLIC_ORIGIN", { extra: { PUBLIC_ORIGIN: "https://edge.example.com/api" } }],
    ["PUBLIC_ORIGIN", { extra: { PUBLIC_ORIGIN: "edge.example.com" } }],
    ["ALLOWED_ORIGINS", { extra: { ALLOWED_ORIGINS: "https://app.example, app.example" } }],
    ["SESSION_ISSUER and SESSION_AUDIENCE", { extra: { SESSION_JWKS_URL: "https://idp.example/.well-known/jwks.json" } }],
    ["SESSION_JWKS_URL", { extra: { SESSION_ISSUER: "https://idp.example/", SESSION_AUDIENCE: "app" } }],
    [
      "SESSION_JWKS_URL",
      { extra: { SESSION_JWKS_URL: "http://idp.example/jwks.json", SESSION_ISSUER: "https://idp.example/", SESSION_AUDIENCE: "app" } },
    ],
    ["SESSION_BUDGET_CLAIM", { extra: { SESSION_BUDGET_CLAIM: "sub" } }],
    ["RETENTION_DAYS", { extra: { RETENTION_DAYS: "0" } }],
    ["MEDIA_HOSTS", { extra: { MEDIA_HOSTS: "cdn.example.com" } }],
    ["MEDIA_MAX_BYTES", { extra: { MEDIA_MAX_BYTES: "1e3.5" } }],
    ["SHARED_SOURCE_VIDEOS", { extra: { SHARED_SOURCE_VIDEOS: `${"9".repeat(300)}` } }],
  ];
  for (const [name, setup] of cases) {
    await t.test(`${name}: ${JSON.stringify(setup.extra ?? setup.credentials)}`, async (t) => {
      const { url, sim } = await misconfigured(t, setup);
      await assertRefused(url, sim, name);
    });
  }
});

test("finding 10: a whole configuration works; an absent optional binding (MEDIA) is allowed, a var in its place is not", async (t) => {
  const ok = await misconfigured(t, { extra: { PUBLIC_ORIGIN: "https://edge.example.com/" } });
  const health = await rawRequest(ok.url, "GET", "/health");
  assert.equal(health.status, 200, health.text);
  const noMedia = await misconfigured(t, { options: { r2Buckets: [] } });
  assert.equal((await rawRequest(noMedia.url, "GET", "/me", { headers: await auth() })).status, 200);
  const shadowed = await misconfigured(t, { extra: { MEDIA: "bucket" }, options: { r2Buckets: [] } });
  await assertRefused(shadowed.url, shadowed.sim, "MEDIA");
});

test("every binding and variable the Worker reads is in worker/README.md's table and in wrangler.toml", async () => {
  const src = join(WORKER_DIR, "src");
  const names = new Set();
  for (const file of await readdir(src)) {
    const text = await readFile(join(src, file), "utf8");
    for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) names.add(m[1]);
  }
  assert.ok(names.has("PUBLIC_ORIGIN") && names.has("SESSION_JWKS_URL"), "the scan finds what the Worker reads");
  const rows = (await readFile(join(WORKER_DIR, "README.md"), "utf8")).split("\n").filter((line) => line.startsWith("| `"));
  const toml = await readFile(join(WORKER_DIR, "wrangler.toml"), "utf8");
  for (const name of names) {
    assert.ok(
      rows.some((row) => row.split("|")[1].includes(`\`${name}\``)),
      `worker/README.md's table has a row for ${name}`,
    );
    assert.ok(toml.includes(name), `wrangler.toml names ${name}`);
  }
});
