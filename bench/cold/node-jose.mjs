// Fresh Node process: import jose and sign the first token (SignJWT, HS256, Uint8Array secret).
const t0 = process.hrtime.bigint();
const { SignJWT } = await import("jose");
const t1 = process.hrtime.bigint();
const now = Math.floor(Date.now() / 1000);
const token = await new SignJWT({ iss: "ak-simulator" })
  .setProtectedHeader({ alg: "HS256", typ: "JWT" })
  .setExpirationTime(now + 1800)
  .setNotBefore(now - 5)
  .sign(new TextEncoder().encode("sk-simulator"));
const t2 = process.hrtime.bigint();
if (token.split(".").length !== 3) throw new Error("no token");
const msOf = (a, b) => Number(b - a) / 1e6;
console.log(JSON.stringify({ importMs: msOf(t0, t1), firstMs: msOf(t1, t2), totalMs: msOf(t0, t2), sinceStartMs: performance.now() }));
