// Both credential forms work, for the extension routes and for the proxy; errors map to 400/502
// with the package's fields; no answer ever holds a key, the webhook secret or a callback token.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { auth, callbacksSettled, rawRequest, SESSION_SECRET, SOURCE, startPair, untilStatus, WEBHOOK_SECRET } from "./support.mjs";

// Credentials of this file's simulators only: nothing passes on the defaults by accident.
const KEYS = {
  accessKey: "ak-worker-test",
  secretKey: `sk-${randomBytes(16).toString("hex")}`,
  apiKey: `api-${randomBytes(16).toString("hex")}`,
};
const SCHEMES = {
  "access key + secret key": { KLING_ACCESS_KEY: KEYS.accessKey, KLING_SECRET_KEY: KEYS.secretKey },
  "API key": { KLING_API_KEY: KEYS.apiKey },
};

/** Records every answer; after the test, none may hold a secret or a whole callback token. */
function watched(t, url, sim) {
  const seen = [];
  t.after(() => {
    const tokens = sim.callbacks().map((d) => d.url.split("/").pop());
    assert.ok(seen.length > 0);
    for (const { where, text } of seen) {
      for (const secret of [KEYS.secretKey, KEYS.apiKey, WEBHOOK_SECRET, WEBHOOK_SECRET.slice(6), SESSION_SECRET, ...tokens]) {
        assert.ok(!text.includes(secret), `${where} leaks a secret or token (${secret.slice(0, 6)}…)`);
      }
      assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{10,}\.eyJ/, `${where} holds a JWT`);
    }
  });
  return async (method, path, { body, headers = {} } = {}) => {
    const base = { ...(await auth()), ...headers };
    const h = body === undefined ? base : { "content-type": "application/json", ...base };
    const r = await rawRequest(url, method, path, {
      headers: h,
      body: body === undefined || typeof body === "string" ? body : JSON.stringify(body),
    });
    seen.push({ where: `${method} ${path}`, text: `${JSON.stringify(r.headers)}\n${r.text}` });
    return { ...r, json: r.text ? JSON.parse(r.text) : null };
  };
}

for (const [scheme, credentials] of Object.entries(SCHEMES)) {
  test(`${scheme}: extension, callbacks confirmed by GET, succeed; and the facade`, async (t) => {
    // Unsigned callbacks: the Worker's client signs the create and every confirming GET.
    const { url, sim } = await startPair(t, { credentials, simOptions: KEYS });
    const call = watched(t, url, sim);
    const created = await call("POST", "/extensions", { body: { video_id: SOURCE, prompt: "Snow falls" } });
    assert.equal(created.status, 202, created.text);
    await untilStatus(url, created.json.task_id, "succeed");
    const done = await call("GET", `/extensions/${created.json.task_id}`);
    assert.equal(done.json.status, "succeed");
    assert.ok((await callbacksSettled(sim, 3)).every((d) => d.status === 204));
    const proxied = await call("GET", `/kling/v1/videos/video-extend/${created.json.task_id}`);
    assert.equal(proxied.status, 200, proxied.text);
    assert.equal(proxied.json.data.task_status, "succeed");
    assert.ok(sim.requests().filter((r) => r.method === "GET").length >= 3, "callbacks were confirmed by GETs");
    assert.ok(
      sim.requests().every((r) => r.status === 200),
      "Kling accepted every request",
    );
  });
}

test("wrong credentials: a 502 with Kling's code and request id (extensions) and Kling's 401 (facade)", async (t) => {
  const { url, sim } = await startPair(t, {
    credentials: { KLING_ACCESS_KEY: KEYS.accessKey, KLING_SECRET_KEY: "sk-wrong-secret-key" },
    simOptions: KEYS,
  });
  const call = watched(t, url, sim);
  const r = await call("POST", "/extensions", { body: { video_id: SOURCE } });
  assert.equal(r.status, 502, r.text);
  assert.equal(r.json.error.code, "ERR_KLING_AUTH");
  assert.equal(r.json.error.apiCode, 1002);
  assert.match(r.json.error.requestId, /\S/);
  assert.ok(!r.text.includes("sk-wrong-secret-key"));
  const p = await call("POST", "/kling/v1/videos/video-extend", { body: { video_id: SOURCE } });
  assert.equal(p.status, 401, p.text);
  assert.equal(p.json.code, 1002);
  assert.equal(p.json.error.code, "ERR_KLING_AUTH");
  // The facade's list is the service's own records: nothing was created, nothing is listed.
  const list = await call("GET", "/kling/v1/videos/video-extend");
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.data, []);
});

test("no credentials: a 500 that says so, nothing sent", async (t) => {
  const { url, sim } = await startPair(t, { credentials: {} });
  const call = watched(t, url, sim);
  const r = await call("POST", "/extensions", { body: { video_id: SOURCE } });
  assert.equal(r.status, 500);
  assert.equal(r.json.error.code, "ERR_NOT_CONFIGURED");
  assert.equal((await call("POST", "/kling/v1/videos/video-extend", { body: { video_id: SOURCE } })).status, 500);
  assert.equal(sim.requests().length, 0);
});

test("POST /extensions: bad parameters are 400 with the field, nothing sent; Kling's refusals are 502", async (t) => {
  const { url, sim } = await startPair(t, { credentials: SCHEMES["access key + secret key"], simOptions: KEYS });
  const call = watched(t, url, sim);
  const invalid = [
    [{ prompt: "no video" }, "video_id"],
    [{ video_id: SOURCE, cfg_scale: 2 }, "cfg_scale"],
    [{ video_id: SOURCE, task_id: "123" }, "task_id"],
    [{ video_id: SOURCE, duration: "5" }, "duration"],
    [{ video_id: SOURCE, prompt: "p".repeat(2501) }, "prompt"],
    [{ video_id: SOURCE, callback_url: "https://evil.example/" }, "callback_url"],
    [{ video_id: SOURCE, external_task_id: 5 }, "external_task_id"],
  ];
  for (const [body, field] of invalid) {
    const r = await call("POST", "/extensions", { body });
    assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 60)} → ${r.status} ${r.text}`);
    assert.equal(r.json.error.code, "ERR_KLING_INVALID_REQUEST");
    assert.equal(r.json.error.field, field);
    assert.equal(typeof r.json.error.message, "string");
  }
  assert.equal((await call("POST", "/extensions", { body: "not json" })).status, 400);
  assert.equal((await call("POST", "/extensions", { body: "[1]" })).status, 400);
  assert.equal((await call("POST", "/extensions", { body: JSON.stringify({ video_id: SOURCE, prompt: "x".repeat(70_000) }) })).status, 413);
  assert.equal((await call("PUT", "/extensions")).status, 405);
  assert.equal(sim.requests().length, 0, "nothing was sent");

  // A video the service does not know is refused before Kling (it could be anyone's).
  const unknown = await call("POST", "/extensions", { body: { video_id: "123456789" } });
  assert.equal(unknown.status, 404, unknown.text);
  assert.equal(unknown.json.error.code, "ERR_NOT_FOUND");
  assert.equal(sim.requests().length, 0, "nothing was sent");

  // A shared source Kling cannot extend (kling-v2-master): Kling's refusal is a 502.
  const v2 = sim.samples.find((s) => s.model === "kling-v2-master").id;
  const refused = await call("POST", "/extensions", { body: { video_id: v2 } });
  assert.equal(refused.status, 502, refused.text);
  assert.equal(refused.json.error.code, "ERR_KLING_BAD_REQUEST");
  assert.equal(refused.json.error.apiCode, 1201);
  assert.match(refused.json.error.requestId, /\S/);

  sim.injectFault({ method: "POST", path: "/v1/videos/video-extend", action: { type: "error", code: 1102 } });
  const account = await call("POST", "/extensions", { body: { video_id: SOURCE } });
  assert.equal(account.status, 502);
  assert.equal(account.json.error.code, "ERR_KLING_ACCOUNT");
  assert.equal(account.json.error.apiCode, 1102);
  assert.equal((await call("GET", "/extensions/123456789")).status, 404);
});
