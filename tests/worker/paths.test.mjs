// What the Worker routes on: workerd hands it `request.url` already normalised, so dot segments
// and their percent-escapes are resolved before any route is chosen — there is no raw path to
// check. What survives normalisation (`%2f`, `//`) stays inside the facade, which refuses it.

import assert from "node:assert/strict";
import { test } from "node:test";
import { auth, rawRequest, startPair } from "./support.mjs";

test("finding 11: routes are chosen on workerd's normalised path (`/kling/../me` is `/me`); what survives stays in the facade", async (t) => {
  const { url, sim } = await startPair(t);
  const session = await auth();
  for (const path of ["/kling/../me", "/kling/%2e%2e/me", "/kling/v1/../../me", "/kling\\..\\me"]) {
    const r = await rawRequest(url, "GET", path, { headers: session });
    assert.equal(r.status, 200, `${path} → ${r.status} ${r.text}`);
    assert.ok("budget" in JSON.parse(r.text), `${path} is answered as /me`);
  }
  for (const path of ["/kling/..%2fme", "/kling%2f..%2fme", "//kling/v1/videos/text2video", "/kling/v1//videos/text2video"]) {
    const r = await rawRequest(url, "GET", path, { headers: session });
    assert.equal(r.status, 404, `${path} → ${r.status} ${r.text}`);
    assert.equal(JSON.parse(r.text).code, 1203, `${path} is refused by the facade, in Kling's shape`);
  }
  assert.equal(sim.requests().length, 0);
});
