import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { SignJWT } from "jose";
import { api, makeJwt, startFast } from "../test-support/helpers.mjs";

let sim;
before(async () => {
  sim = await startFast();
});
after(() => sim.close());

const LIST = "/v1/videos/video-extend";

test("a JWT signed with the secret key and iss = access key is accepted", async () => {
  const { status, body } = await api(sim, "GET", LIST, undefined, { token: await makeJwt() });
  assert.equal(status, 200);
  assert.equal(body.code, 0);
  assert.deepEqual(body.data, []);
});

test("the API key is accepted", async () => {
  const { status } = await api(sim, "GET", LIST);
  assert.equal(status, 200);
});

test("a missing Authorization header is 401 / 1001", async () => {
  const { status, body } = await api(sim, "GET", LIST, undefined, { token: null });
  assert.equal(status, 401);
  assert.equal(body.code, 1001);
  assert.equal(typeof body.request_id, "string");
});

test("an expired JWT is 401 / 1004", async () => {
  const nowS = Math.floor(Date.now() / 1000);
  const { status, body } = await api(sim, "GET", LIST, undefined, { token: await makeJwt({ exp: nowS - 1 }) });
  assert.equal(status, 401);
  assert.equal(body.code, 1004);
});

test("a JWT whose nbf is in the future is 401 / 1003", async () => {
  const nowS = Math.floor(Date.now() / 1000);
  const { status, body } = await api(sim, "GET", LIST, undefined, { token: await makeJwt({ nbf: nowS + 60 }) });
  assert.equal(status, 401);
  assert.equal(body.code, 1003);
});

test("a JWT signed with the wrong key, or naming another issuer, is refused with 1002", async () => {
  for (const token of [await makeJwt({ secretKey: "wrong" }), await makeJwt({ accessKey: "someone-else" }), "garbage"]) {
    const { status, body } = await api(sim, "GET", LIST, undefined, { token });
    assert.equal(status, 401);
    assert.equal(body.code, 1002, `token ${token}`);
  }
});

test("a JWT with another algorithm is refused", async () => {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS512", typ: "JWT" })
    .setIssuer("ak-simulator")
    .setExpirationTime("30m")
    .sign(new TextEncoder().encode("sk-simulator"));
  const { status, body } = await api(sim, "GET", LIST, undefined, { token });
  assert.equal(status, 401);
  assert.equal(body.code, 1002);
});

test("exp and nbf are judged by the simulator clock (clockOffsetMs)", async () => {
  const skewed = await startFast({ clockOffsetMs: -120_000 }); // simulator two minutes behind
  try {
    const nowS = Math.floor(Date.now() / 1000);
    const early = await api(skewed, "GET", LIST, undefined, { token: await makeJwt({ nowS }) });
    assert.equal(early.body.code, 1003);
    const corrected = await api(skewed, "GET", LIST, undefined, { token: await makeJwt({ nowS: nowS - 120 }) });
    assert.equal(corrected.body.code, 0);
  } finally {
    await skewed.close();
  }
});
