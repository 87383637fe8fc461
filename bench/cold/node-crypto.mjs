// Fresh Node process, the floor: import node:crypto and sign the first token by hand.
const t0 = process.hrtime.bigint();
const { createHmac } = await import("node:crypto");
const t1 = process.hrtime.bigint();
const now = Math.floor(Date.now() / 1000);
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const data = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ iss: "ak-simulator", exp: now + 1800, nbf: now - 5 })}`;
const token = `${data}.${createHmac("sha256", "sk-simulator").update(data).digest("base64url")}`;
const t2 = process.hrtime.bigint();
if (token.split(".").length !== 3) throw new Error("no token");
const msOf = (a, b) => Number(b - a) / 1e6;
console.log(JSON.stringify({ importMs: msOf(t0, t1), firstMs: msOf(t1, t2), totalMs: msOf(t0, t2), sinceStartMs: performance.now() }));
