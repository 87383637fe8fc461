// Browser origins: the allow-list holds on every request that carries an Origin — GET, POST and
// preflights alike — and nothing from a refused origin reaches Kling.

import assert from "node:assert/strict";
import { test } from "node:test";
import { auth, rawRequest, SOURCE, startPair } from "./support.mjs";

const ALLOWED = "https://app.example";
const EVIL = "https://evil.example";

test("an unknown origin is refused on GET, POST and OPTIONS, even with a valid session", async (t) => {
  const { url, sim } = await startPair(t, { extra: { ALLOWED_ORIGINS: `${ALLOWED}, https://b.example` } });
  const session = await auth();
  const json = { "content-type": "application/json" };
  const attempts = [
    ["GET", "/me"],
    ["GET", "/extensions"],
    ["POST", "/extensions", JSON.stringify({ video_id: SOURCE })],
    ["GET", "/kling/v1/videos/text2video"],
    ["POST", "/kling/v1/videos/text2video", JSON.stringify({ model_name: "kling-v1-6", prompt: "x" })],
    ["GET", "/kling/v1/videos/video-extend/123"],
    ["GET", "/health"],
  ];
  for (const [method, path, body] of attempts) {
    const r = await rawRequest(url, method, path, { headers: { ...session, ...json, origin: EVIL }, body });
    assert.equal(r.status, 403, `${method} ${path} → ${r.status} ${r.text}`);
    assert.equal(JSON.parse(r.text).error.code, "ERR_FORBIDDEN_ORIGIN");
    assert.equal(r.headers["access-control-allow-origin"], undefined);
  }
  for (const path of ["/me", "/extensions", "/kling/v1/videos/text2video"]) {
    const pre = await rawRequest(url, "OPTIONS", path, { headers: { origin: EVIL, "access-control-request-method": "POST" } });
    assert.equal(pre.status, 403, `OPTIONS ${path}`);
  }
  assert.equal(sim.requests().length, 0, "nothing from the refused origin reached Kling");

  // Control: the listed origins, the Worker's own origin and requests without Origin pass.
  for (const origin of [ALLOWED, "https://b.example", url, undefined]) {
    const headers = { ...session, ...(origin ? { origin } : {}) };
    const r = await rawRequest(url, "GET", "/me", { headers });
    assert.equal(r.status, 200, `origin ${origin}: ${r.text}`);
    assert.equal(r.headers["access-control-allow-origin"], origin);
  }
  const created = await rawRequest(url, "POST", "/extensions", {
    headers: { ...session, ...json, origin: ALLOWED },
    body: JSON.stringify({ video_id: SOURCE }),
  });
  assert.equal(created.status, 202, created.text);
  assert.equal(created.headers["access-control-allow-origin"], ALLOWED);
  assert.match(created.headers["access-control-expose-headers"], /Location/);
});

test("preflights of allowed origins name Authorization; a refused one is 403 without CORS headers", async (t) => {
  const { url, sim } = await startPair(t, { extra: { ALLOWED_ORIGINS: ALLOWED } });
  const preflight = (path, origin = ALLOWED, method = "POST") =>
    rawRequest(url, "OPTIONS", path, {
      headers: { origin, "access-control-request-method": method, "access-control-request-headers": "authorization, content-type" },
    });
  const ok = await preflight("/kling/v1/videos/video-extend");
  assert.equal(ok.status, 204);
  assert.equal(ok.headers["access-control-allow-origin"], ALLOWED);
  assert.match(ok.headers["access-control-allow-headers"], /authorization/i);
  assert.match(ok.headers["access-control-allow-methods"], /POST/);
  assert.equal((await preflight("/kling/v1/videos/video-extend/123", ALLOWED, "GET")).headers["access-control-allow-methods"], "GET");
  assert.equal((await preflight("/kling/v1/account/costs")).status, 404);
  assert.equal((await preflight("/extensions", "null")).status, 403);
  // An error answer (401 here) still carries the CORS headers, so the page can read it.
  const unauth = await rawRequest(url, "GET", "/me", { headers: { origin: ALLOWED } });
  assert.equal(unauth.status, 401);
  assert.equal(unauth.headers["access-control-allow-origin"], ALLOWED);
  assert.equal(sim.requests().length, 0);
});
