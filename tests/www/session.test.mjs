// The demo server's session: a 15-minute token, handed only to the demo's own page on loopback.
// The first test needs no browser; the second has the page renew its token.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeJwt } from "jose";
import { DEMO_USER, SESSION_TTL_S, sessionRefusal, startDemo } from "../../www/serve.mjs";
import { openDemo, waitForCard } from "./support.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function get(url, path, headers = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest({ host: hostname, port, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolvePromise({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("finding 11: the demo hands a 15-minute session only to its own page on loopback", async (t) => {
  const workDir = await mkdtemp(join(ROOT, ".tmp/www-session-"));
  const demo = await startDemo({ port: 0, env: {}, workDir });
  t.after(async () => {
    await demo.close();
    await rm(workDir, { recursive: true, force: true });
  });
  const page = { "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors" };

  const ok = await get(demo.url, "/config.json", page);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.headers["cache-control"], "no-store");
  const { session, mode } = JSON.parse(ok.text);
  assert.equal(mode, "simulator");
  const claims = decodeJwt(session.token);
  assert.equal(claims.sub, DEMO_USER);
  assert.ok(claims.exp - claims.iat <= 15 * 60, `lifetime ${claims.exp - claims.iat} s`);
  assert.equal(session.expiresIn, SESSION_TTL_S);
  // The token works on the service behind the same port.
  const me = await get(demo.url, "/me", { authorization: `Bearer ${session.token}` });
  assert.equal(me.status, 200, me.text);
  assert.equal(JSON.parse(me.text).user, DEMO_USER);
  // The same page on its other loopback name.
  const port = new URL(demo.url).port;
  const local = await get(demo.url, "/config.json", { ...page, host: `localhost:${port}`, origin: `http://localhost:${port}` });
  assert.equal(local.status, 200, local.text);

  const refused = {
    "no fetch metadata (curl, a server)": {},
    "another site's page": { "sec-fetch-site": "cross-site" },
    "a sibling site's page": { "sec-fetch-site": "same-site" },
    "a foreign Origin": { ...page, origin: "https://evil.example" },
    "a DNS-rebound name": { ...page, host: `evil.example:${port}` },
  };
  for (const [name, headers] of Object.entries(refused)) {
    const r = await get(demo.url, "/config.json", headers);
    assert.equal(r.status, 403, `${name}: ${r.status} ${r.text}`);
    assert.ok(!r.text.includes("token"), name);
  }
  // A request from another machine is refused too (the demo listens on loopback; judged here on
  // the address a socket would report).
  const origins = [demo.url];
  const headers = { ...page, host: new URL(demo.url).host };
  assert.equal(sessionRefusal({ remoteAddress: "127.0.0.1", headers }, origins), null);
  assert.equal(sessionRefusal({ remoteAddress: "::ffff:127.0.0.1", headers }, origins), null);
  assert.equal(sessionRefusal({ remoteAddress: "::1", headers }, origins), null);
  for (const remoteAddress of ["192.168.1.20", "::ffff:10.0.0.7", "2001:db8::1", undefined]) {
    assert.match(sessionRefusal({ remoteAddress, headers }, origins), /this machine only/, String(remoteAddress));
  }
});

test("the page fetches a new session before its token ends and goes on working", async (t) => {
  // 121 s tokens: the page renews once less than 120 s are left, i.e. 1 s after it got one.
  const { page, sim, assertClean } = await openDemo(t, { demoOptions: { sessionTtlS: 121 } });
  const configs = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/config.json") configs.push(r);
  });
  await new Promise((resolvePromise) => setTimeout(resolvePromise, 1100));
  await page.getByRole("radio", { name: "Generate" }).check();
  await page.selectOption("#t2v-model", "kling-v1-6");
  await page.fill("#t2v-prompt", "A lighthouse at dusk");
  await page.click("#t2v-submit");
  await waitForCard(page, ["succeed"]);
  assert.ok(configs.length >= 1, "the page asked the demo server for a new session");
  const answer = await configs[0].response();
  assert.equal(answer.status(), 200);
  const { session } = await answer.json();
  // The create reached Kling with the renewed session (the service answered as the demo user).
  assert.equal(decodeJwt(session.token).sub, DEMO_USER);
  assert.equal(sim.requests().filter((r) => r.method === "POST" && r.path.includes("text2video")).length, 1);
  await assertClean();
});
