// GET /account: what remains of the account's resource packs, only where the operator shows it.

import assert from "node:assert/strict";
import { test } from "node:test";
import { mint, rawRequest, startPair } from "./support.mjs";

async function account(url, sub = "u1") {
  const r = await rawRequest(url, "GET", "/account", { headers: { authorization: `Bearer ${await mint(sub)}` } });
  return { ...r, json: r.text ? JSON.parse(r.text) : null };
}

test("GET /account sums the online packs' units from kling.account.costs, and asks Kling once a minute", async (t) => {
  const { url, sim } = await startPair(t, { extra: { SHOW_ACCOUNT_UNITS: "true" } });
  const first = await account(url);
  assert.equal(first.status, 200, first.text);
  const online = sim.resourcePacks().filter((p) => p.status === "online");
  assert.equal(
    first.json.remaining,
    online.reduce((n, p) => n + p.remaining_quantity, 0),
  );
  assert.equal(
    first.json.total,
    online.reduce((n, p) => n + p.total_quantity, 0),
  );
  assert.deepEqual(
    first.json.packs.map((p) => p.name),
    sim.resourcePacks().map((p) => p.resource_pack_name),
  );
  // Unit counts and names only: no ids of Kling's.
  assert.ok(!first.text.includes("resource_pack_id"));
  await account(url, "u2");
  assert.equal(sim.requests().filter((r) => r.path.startsWith("/account/costs")).length, 1);
  const anonymous = await rawRequest(url, "GET", "/account");
  assert.equal(anonymous.status, 401);
});

test("GET /account does not exist unless SHOW_ACCOUNT_UNITS is true", async (t) => {
  const { url, sim } = await startPair(t);
  const r = await account(url);
  assert.equal(r.status, 404, r.text);
  assert.equal(sim.requests().length, 0);
});
