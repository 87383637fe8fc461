// The service's own origin is PUBLIC_ORIGIN, never the request's Host: a caller who names another
// host chooses neither where Kling's callbacks go nor which origin counts as the service's own.

import assert from "node:assert/strict";
import { test } from "node:test";
import { auth, rawRequest, SOURCE, startPair, until } from "./support.mjs";

const SPOOFED = "evil.example:8443";

test("finding 6: a spoofed Host does not choose the callback URL", async (t) => {
  const { url, sim } = await startPair(t);
  const headers = { ...(await auth()), "content-type": "application/json", host: SPOOFED };
  const created = await rawRequest(url, "POST", "/kling/v1/videos/text2video", {
    headers,
    body: JSON.stringify({ model_name: "kling-v1-6", prompt: "a lighthouse" }),
  });
  assert.equal(created.status, 200, created.text);
  const extension = await rawRequest(url, "POST", "/extensions", { headers, body: JSON.stringify({ video_id: SOURCE }) });
  assert.equal(extension.status, 202, extension.text);
  // A chain's steps are created by its Workflow, later: their callbacks go to PUBLIC_ORIGIN too.
  const chain = await rawRequest(url, "POST", "/chains", {
    headers,
    body: JSON.stringify({ method: "extend", video_id: SOURCE, video_duration: 5, prompts: ["Birds fly"] }),
  });
  assert.equal(chain.status, 202, chain.text);
  const creates = await until(
    () => {
      const list = sim.requests().filter((r) => r.method === "POST");
      return list.length >= 3 ? list : null;
    },
    { what: "three creates at the simulator" },
  );
  for (const r of creates) {
    assert.ok(r.body.callback_url.startsWith(`${url}/callbacks/`), `${r.path}: ${r.body.callback_url}`);
    assert.ok(!r.body.callback_url.includes("evil.example"));
  }
});

test("finding 6: CORS is not granted to an Origin equal to a spoofed Host", async (t) => {
  const { url, sim } = await startPair(t);
  const session = await auth();
  for (const [method, path] of [
    ["GET", "/me"],
    ["GET", "/kling/v1/videos/text2video"],
  ]) {
    const r = await rawRequest(url, method, path, { headers: { ...session, host: SPOOFED, origin: `http://${SPOOFED}` } });
    assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
    assert.equal(JSON.parse(r.text).error.code, "ERR_FORBIDDEN_ORIGIN");
    assert.equal(r.headers["access-control-allow-origin"], undefined);
  }
  const preflight = await rawRequest(url, "OPTIONS", "/extensions", {
    headers: { host: SPOOFED, origin: `https://${SPOOFED}`, "access-control-request-method": "POST" },
  });
  assert.equal(preflight.status, 403);
  // Control: PUBLIC_ORIGIN is the service's own origin whatever Host says.
  const own = await rawRequest(url, "GET", "/me", { headers: { ...session, host: SPOOFED, origin: url } });
  assert.equal(own.status, 200, own.text);
  assert.equal(own.headers["access-control-allow-origin"], url);
  assert.equal(sim.requests().length, 0);
});
