// Row 1 — token signing, µs/token: kling-edge `signToken` beside hand-written node:crypto, jose and
// jsonwebtoken (string secret and KeyObject). Every implementation signs the same claims
// {iss, exp: now+1800, nbf: now-5} with the same `now`; the tokens are checked byte-identical (and
// equal to the Kling vector of /work/shared/vectors.md) before anything is timed. Then a warm-up,
// then timed batches taken round-robin (a batch of A, a batch of B, …) so drift hits all alike.
import { createHmac, createSecretKey } from "node:crypto";
import { SignJWT } from "jose";
import jwt from "jsonwebtoken";
import { log, main, mark, median, pkgUrl, table, us } from "./lib.mjs";

export const AK = "AXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
export const SK = "SXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
export const NOW = 1999998200;
export const VECTOR =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJBWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWCIsImV4cCI6MjAwMDAwMDAwMCwibmJmIjoxOTk5OTk4MTk1fQ.r7Zf1CUgwSM6tSpYVi6jO60Cczu6GavBu2iUn21lrQo";
const BATCHES = Number(process.env.BENCH_SIGN_BATCHES ?? 41);
const BATCH_MS = 15;

export async function run() {
  const { signToken } = await import(pkgUrl("index.node.js"));
  const keyBytes = new TextEncoder().encode(SK);
  const keyObject = createSecretKey(Buffer.from(SK));
  const cryptoKey = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);

  const nodeCrypto = (ak, sk, now) => {
    const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
    const claims = Buffer.from(JSON.stringify({ iss: ak, exp: now + 1800, nbf: now - 5 })).toString("base64url");
    const data = `${header}.${claims}`;
    return `${data}.${createHmac("sha256", sk).update(data).digest("base64url")}`;
  };
  const jose = (key) => (ak, _sk, now) =>
    new SignJWT({ iss: ak })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setExpirationTime(now + 1800)
      .setNotBefore(now - 5)
      .sign(key);
  const jsonwebtoken = (key) => (ak, _sk, now) =>
    jwt.sign({ iss: ak, exp: now + 1800, nbf: now - 5 }, key, { algorithm: "HS256", noTimestamp: true });

  const impls = [
    { name: "kling-edge `signToken`", fn: (ak, sk, now) => signToken(ak, sk, { now }) },
    { name: "node:crypto, hand-written (`createHmac`)", fn: nodeCrypto, ref: "node" },
    { name: "jose `SignJWT` (Uint8Array secret)", fn: jose(keyBytes), async: true, ref: "jose" },
    { name: "jose `SignJWT` (CryptoKey imported once)", fn: jose(cryptoKey), async: true },
    { name: "jsonwebtoken `sign` (string secret)", fn: jsonwebtoken(SK) },
    { name: "jsonwebtoken `sign` (KeyObject)", fn: jsonwebtoken(keyObject) },
  ];

  // Byte-identical tokens first.
  for (const impl of impls) {
    const token = await impl.fn(AK, SK, NOW);
    if (token !== VECTOR) throw new Error(`${impl.name} signs a different token:\n${token}\n${VECTOR}`);
  }

  const batch = async (impl, n) => {
    const t0 = process.hrtime.bigint();
    if (impl.async) for (let i = 0; i < n; i++) await impl.fn(AK, SK, NOW);
    else for (let i = 0; i < n; i++) impl.fn(AK, SK, NOW);
    return Number(process.hrtime.bigint() - t0) / 1e3 / n; // µs per token
  };
  // Warm-up (JIT, wasm tier-up), then a batch size per implementation that lasts ~BATCH_MS.
  for (const impl of impls) {
    const n = 100;
    for (let i = 0; i < 6; i++) await batch(impl, n);
    const perToken = await batch(impl, 2000);
    impl.n = Math.max(50, Math.round((BATCH_MS * 1000) / perToken));
    impl.samples = [];
  }
  log(`sign: ${BATCHES} rounds of ${impls.map((i) => i.n).join("/")} tokens`);
  for (let b = 0; b < BATCHES; b++) for (const impl of impls) impl.samples.push(await batch(impl, impl.n));

  for (const impl of impls) {
    impl.us = median(impl.samples);
    impl.best = Math.min(...impl.samples);
  }
  const node = impls.find((i) => i.ref === "node").us;
  const joseUs = impls.find((i) => i.ref === "jose").us;
  const kling = impls[0];
  const rows = impls.map((i) => [
    i.name,
    us(i.us),
    us(i.best),
    Math.round(1e6 / i.us).toLocaleString("en-US"),
    `${(i.us / kling.us).toFixed(2)}×`,
    `${(node / i.us).toFixed(2)}×`,
    `${(joseUs / i.us).toFixed(1)}×`,
  ]);
  const fasterThanNode = kling.us < node;
  const vsJose = joseUs / kling.us;
  return {
    id: "sign",
    title: "1. Token signing (µs/token)",
    summary: [
      {
        row: "1. Signing vs node:crypto",
        value: `${us(kling.us)}/token (${(node / kling.us).toFixed(2)}× node:crypto's speed)`,
        against: `node:crypto ${us(node)}`,
        goal: "faster than node:crypto",
        ok: fasterThanNode,
      },
      {
        row: "1. Signing vs jose",
        value: `${vsJose.toFixed(1)}× faster than jose`,
        against: `jose ${us(joseUs)}`,
        goal: "≥ 30× faster than jose",
        ok: vsJose >= 30,
      },
    ],
    table: table(
      [
        "implementation",
        "µs/token (median)",
        "best batch",
        "tokens/s (median)",
        "time vs kling-edge",
        "speed vs node:crypto",
        "speed vs jose",
      ],
      rows,
    ),
    notes: [
      `Claims {iss, exp: now+1800, nbf: now-5} with now = ${NOW}; every implementation's token was checked byte-identical to the Kling vector before timing (${mark(true)}).`,
      `Warm-up, then ${BATCHES} round-robin rounds; each batch lasts ~${BATCH_MS} ms (batch sizes ${impls.map((i) => i.n).join(" / ")}); the figure is the median batch's µs/token ("best batch": the fastest one, less sensitive to other load on the machine). jose is awaited token by token (its API is async).`,
      "Hand-written node:crypto: JSON.stringify + Buffer base64url of header and claims, then createHmac('sha256', secret) per token.",
      "\"speed vs X\" = X's µs/token ÷ this row's µs/token (higher is faster).",
    ],
  };
}

await main(import.meta.url, run);
