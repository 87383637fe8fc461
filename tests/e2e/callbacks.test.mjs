// verifyCallback against the independent `standardwebhooks` library: the same verdict on every case.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Webhook } from "standardwebhooks";
import { parseCallback, verifyCallback } from "./support.mjs";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER = `whsec_${Buffer.from("another secret of thirty-two byt").toString("base64")}`;
const TASK = { task_id: "777", task_status: "succeed", task_result: { videos: [{ id: "v", url: "u", duration: "10" }] } };
const BODY = JSON.stringify(TASK);

function signed({ secret = SECRET, id = "msg_2Lh9", at = new Date(), body = BODY, extra = [] } = {}) {
  const signature = new Webhook(secret).sign(id, at, body);
  return {
    body,
    headers: {
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": [...extra, signature].join(" "),
    },
  };
}

function theirs(headers, body, secret = SECRET) {
  try {
    new Webhook(secret).verify(body, headers);
    return "ok";
  } catch {
    return "rejected";
  }
}

function ours(headers, body, secret = SECRET) {
  try {
    const task = verifyCallback(headers, body, secret);
    assert.equal(task.task_id, "777");
    return "ok";
  } catch (e) {
    assert.equal(e.name, "KlingError");
    assert.equal(e.code, "ERR_KLING_CALLBACK_SIGNATURE");
    return "rejected";
  }
}

const minutes = (n) => new Date(Date.now() + n * 60_000);
const without = (headers, name) => Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));

const CASES = [
  ["a genuine callback", () => signed(), "ok"],
  ["signed 4 minutes ago", () => signed({ at: minutes(-4) }), "ok"],
  ["a tampered body", () => ({ ...signed(), body: BODY.replace("succeed", "failed") }), "rejected"],
  ["signed with another secret", () => signed({ secret: OTHER }), "rejected"],
  ["a stale timestamp (6 minutes old)", () => signed({ at: minutes(-6) }), "rejected"],
  ["a future timestamp (6 minutes ahead)", () => signed({ at: minutes(6) }), "rejected"],
  [
    "no webhook-id",
    () => {
      const s = signed();
      return { ...s, headers: without(s.headers, "webhook-id") };
    },
    "rejected",
  ],
  [
    "no webhook-timestamp",
    () => {
      const s = signed();
      return { ...s, headers: without(s.headers, "webhook-timestamp") };
    },
    "rejected",
  ],
  [
    "no webhook-signature",
    () => {
      const s = signed();
      return { ...s, headers: without(s.headers, "webhook-signature") };
    },
    "rejected",
  ],
  [
    "a changed webhook-id",
    () => {
      const s = signed();
      return { ...s, headers: { ...s.headers, "webhook-id": "msg_other" } };
    },
    "rejected",
  ],
  [
    "rotation: the old secret's signature first, then the current one",
    () => signed({ extra: [new Webhook(OTHER).sign("msg_2Lh9", new Date(), BODY)] }),
    "ok",
  ],
  [
    "rotation: only unknown signatures",
    () => ({ ...signed(), headers: { ...signed().headers, "webhook-signature": "v1,AAAA v1,BBBB" } }),
    "rejected",
  ],
  [
    "a v2 entry only",
    () => {
      const s = signed();
      return { ...s, headers: { ...s.headers, "webhook-signature": s.headers["webhook-signature"].replace("v1,", "v2,") } };
    },
    "rejected",
  ],
];

for (const [name, make, expected] of CASES) {
  test(`verifyCallback and standardwebhooks agree: ${name} → ${expected}`, () => {
    const { headers, body } = make();
    assert.equal(theirs(headers, body), expected, "standardwebhooks' verdict");
    assert.equal(ours(headers, body), expected, "kling-edge's verdict");
  });
}

test("verifyCallback takes a Headers object or a plain object, a string or bytes", () => {
  const { headers, body } = signed();
  const mixedCase = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
  for (const h of [headers, new Headers(headers), mixedCase]) {
    for (const b of [body, new TextEncoder().encode(body), new TextEncoder().encode(body).buffer]) {
      assert.equal(verifyCallback(h, b, SECRET).task_status, "succeed");
    }
  }
});

test("a parsed body is refused: the signature covers the exact bytes", () => {
  const { headers } = signed();
  assert.throws(
    () => verifyCallback(headers, TASK, SECRET),
    (e) => e.code === "ERR_KLING_INVALID_REQUEST" && e.field === "rawBody",
  );
});

test("parseCallback reads the bare legacy task and refuses what is not one", () => {
  assert.equal(parseCallback(BODY).task_id, "777");
  for (const bad of ["<html>", "{}", '{"task_id":"1"}', "[]"]) {
    assert.throws(
      () => parseCallback(bad),
      (e) => e.name === "KlingError" && e.code === "ERR_KLING_DECODE",
      bad,
    );
  }
});
