import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { clientFor, KlingClient, SIM_DEFAULTS, signToken, startSim } from "./support.mjs";

const AK = "AXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
const SK = "SXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
const VECTOR =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJBWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWCIsImV4cCI6MjAwMDAwMDAwMCwibmJmIjoxOTk5OTk4MTk1fQ.r7Zf1CUgwSM6tSpYVi6jO60Cczu6GavBu2iUn21lrQo";

test("signToken equals the Kling-shaped vector at the same now", () => {
  assert.equal(signToken(AK, SK, { now: 1999998200 }), VECTOR);
});

test("the package's token verifies with jose's jwtVerify and holds exactly iss, exp, nbf", async () => {
  const now = Math.floor(Date.now() / 1000);
  const token = signToken(AK, SK, { now, ttlSeconds: 600 });
  const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(SK), {
    issuer: AK,
    algorithms: ["HS256"],
  });
  assert.deepEqual(protectedHeader, { alg: "HS256", typ: "JWT" });
  assert.deepEqual(payload, { iss: AK, exp: now + 600, nbf: now - 5 });
  assert.deepEqual(decodeProtectedHeader(VECTOR), { alg: "HS256", typ: "JWT" });
});

test("a client's signed token is accepted by the simulator (jose on the other side)", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const page = await clientFor(sim).extensions.list({ pageSize: 5 });
  assert.ok(Array.isArray(page));
  assert.equal(sim.requests().at(-1).status, 200);
});

test("a pre-signed token and a token provider both work", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const token = signToken(SIM_DEFAULTS.accessKey, SIM_DEFAULTS.secretKey);
  const fixed = new KlingClient({ token, baseUrl: sim.url });
  assert.ok(Array.isArray(await fixed.extensions.list()));
  let asked = 0;
  const provided = new KlingClient({
    token: async () => {
      asked++;
      return token;
    },
    baseUrl: sim.url,
  });
  assert.ok(Array.isArray(await provided.extensions.list()));
  assert.ok(Array.isArray(await provided.extensions.list()));
  assert.equal(asked, 1, "the provided token is kept until it nears its exp");
});
