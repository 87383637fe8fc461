// Row 2 — per-request overhead: `getExtension` through kling-edge beside a raw `fetch` +
// `JSON.parse` + hand-made `Authorization: Bearer <token>` header, against the simulator on
// loopback. The simulator runs in its own process (so its work — it verifies every JWT with jose —
// does not share the client's event loop), with fast timing, and one task created beforehand.
// Both clients use the same global fetch (undici, keep-alive). Blocks of requests alternate
// between the two clients, so drift hits both alike; every request's latency is recorded.
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { log, main, ms, pct, pkgUrl, quantile, ROOT, table } from "./lib.mjs";

const N = Number(process.env.BENCH_OVERHEAD_N ?? 5000); // per client and mode
const BLOCK = 500;
const WARMUP = 300;
const INFLIGHT = 32;

export async function startSimProcess(args = []) {
  const child = spawn(process.execPath, [join(ROOT, "sim/server.mjs"), "--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`simulator exited (${code}): ${out}`)));
  });
  return {
    url,
    close: () =>
      new Promise((r) => {
        child.once("exit", r);
        child.kill("SIGTERM");
      }),
  };
}

/** The Kling JWT, by hand: what a raw-fetch caller would write. */
function handToken(ak, sk, now = Math.floor(Date.now() / 1000)) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const data = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ iss: ak, exp: now + 1800, nbf: now - 5 })}`;
  return `${data}.${createHmac("sha256", sk).update(data).digest("base64url")}`;
}

export async function run() {
  const { KlingClient } = await import(pkgUrl("index.node.js"));
  const sim = await startSimProcess(["--submitted-ms", "1", "--processing-ms", "1"]);
  try {
    const auth = `Bearer ${handToken("ak-simulator", "sk-simulator")}`;
    const created = await (
      await fetch(`${sim.url}/v1/videos/video-extend`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify({ video_id: "800000000000000001", prompt: "bench" }),
      })
    ).json();
    const taskId = created.data.task_id;
    await new Promise((r) => setTimeout(r, 50)); // let it reach succeed: a stable answer

    const kling = new KlingClient({ accessKey: "ak-simulator", secretKey: "sk-simulator", baseUrl: sim.url });
    const taskUrl = `${sim.url}/v1/videos/video-extend/${taskId}`;
    const raw = async () => {
      const res = await fetch(taskUrl, { headers: { authorization: auth } });
      const env = JSON.parse(await res.text());
      if (env.code !== 0) throw new Error(`raw: ${env.code} ${env.message}`);
      return env.data;
    };
    // Diagnostic: raw fetch doing what kling-edge's JS host does per attempt (an AbortController
    // with a 60 s timer, the body read chunk by chunk through a reader, headers copied out).
    const rawLikeHost = async () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 60_000);
      try {
        const res = await fetch(taskUrl, { method: "GET", headers: { authorization: auth }, signal: controller.signal });
        const reader = res.body.getReader();
        const chunks = [];
        let total = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          total += value.length;
          chunks.push(value);
        }
        const bytes = new Uint8Array(total);
        let off = 0;
        for (const c of chunks) {
          bytes.set(c, off);
          off += c.length;
        }
        const pairs = [];
        for (const [k, v] of res.headers) pairs.push(k, v);
        const env = JSON.parse(new TextDecoder().decode(bytes));
        if (env.code !== 0) throw new Error(`raw: ${env.code} ${env.message}`);
        return env.data;
      } finally {
        clearTimeout(timer);
      }
    };
    const viaKling = () => kling.extensions.get(taskId);
    const check = [await raw(), await viaKling()];
    if (check[0].task_id !== taskId || check[1].task_id !== taskId || check[1].task_status !== "succeed")
      throw new Error("unexpected task");

    const clients = {
      "kling-edge `getExtension`": viaKling,
      "raw fetch + JSON.parse": raw,
      "(diagnostic) raw fetch + the host's JS work": rawLikeHost,
    };
    const timed = async (fn, lat) => {
      const t0 = process.hrtime.bigint();
      await fn();
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
    };
    const block = async (fn, n, inflight, lat) => {
      let left = n;
      const worker = async () => {
        while (left-- > 0) await timed(fn, lat);
      };
      await Promise.all(Array.from({ length: inflight }, worker));
    };
    // Client CPU per call without any network: both sides get an in-memory fetch answering the
    // same bytes the simulator sent, so the difference is purely kling-edge's own work per call.
    const canned = await (await fetch(taskUrl, { headers: { authorization: auth } })).text();
    const stub = async () => new Response(canned, { headers: { "content-type": "application/json", "x-request-id": "r" } });
    const klingStub = new KlingClient({ accessKey: "ak-simulator", secretKey: "sk-simulator", baseUrl: sim.url, fetch: stub });
    const rawStub = async () => {
      const res = await stub(taskUrl, { headers: { authorization: auth } });
      const env = JSON.parse(await res.text());
      if (env.code !== 0) throw new Error("raw");
      return env.data;
    };
    const cpu = { kling: [], raw: [] };
    const cpuBatch = async (fn, n) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await fn();
      return Number(process.hrtime.bigint() - t0) / 1e3 / n;
    };
    for (let i = 0; i < 5; i++) {
      await cpuBatch(() => klingStub.extensions.get(taskId), 500);
      await cpuBatch(rawStub, 500);
    }
    for (let i = 0; i < 21; i++) {
      cpu.kling.push(await cpuBatch(() => klingStub.extensions.get(taskId), 500));
      cpu.raw.push(await cpuBatch(rawStub, 500));
    }
    const cpuKling = quantile(cpu.kling, 0.5);
    const cpuRaw = quantile(cpu.raw, 0.5);
    log(`overhead: in-memory fetch: kling-edge ${cpuKling.toFixed(1)} µs/call, raw ${cpuRaw.toFixed(1)} µs/call`);

    const results = [];
    for (const [mode, inflight] of [
      ["sequential", 1],
      [`${INFLIGHT} in flight`, INFLIGHT],
    ]) {
      const lat = Object.fromEntries(Object.keys(clients).map((k) => [k, []]));
      for (const fn of Object.values(clients)) await block(fn, WARMUP, inflight, []);
      const wall = Object.fromEntries(Object.keys(clients).map((k) => [k, 0]));
      for (let done = 0; done < N; done += BLOCK)
        for (const [name, fn] of Object.entries(clients)) {
          const t0 = process.hrtime.bigint();
          await block(fn, Math.min(BLOCK, N - done), inflight, lat[name]);
          wall[name] += Number(process.hrtime.bigint() - t0) / 1e6;
        }
      for (const name of Object.keys(clients))
        results.push({
          mode,
          name,
          n: lat[name].length,
          p50: quantile(lat[name], 0.5),
          p99: quantile(lat[name], 0.99),
          rps: (lat[name].length / wall[name]) * 1000,
        });
      log(`overhead: ${mode} done`);
    }
    const pair = (mode) => results.filter((r) => r.mode === mode);
    const over = (mode, key, who = 0) => {
      const rows = pair(mode);
      return ((rows[who][key] - rows[1][key]) / rows[1][key]) * 100;
    };
    const seqP50 = over("sequential", "p50");
    const parP50 = over(`${INFLIGHT} in flight`, "p50");
    return {
      id: "overhead",
      title: "2. Per-request overhead (getExtension vs raw fetch, loopback)",
      summary: [
        {
          row: "2. Overhead at p50, sequential",
          value: pct(seqP50),
          against: `raw p50 ${ms(pair("sequential")[1].p50, 3)}`,
          goal: "≤ 5 %",
          ok: seqP50 <= 5,
        },
        {
          row: `2. Overhead at p50, ${INFLIGHT} in flight`,
          value: pct(parP50),
          against: `raw p50 ${ms(pair(`${INFLIGHT} in flight`)[1].p50, 3)}`,
          goal: "≤ 5 %",
          ok: parP50 <= 5,
        },
        {
          row: "2. Client work per call, no network",
          value: `${cpuKling.toFixed(1)} µs (+${(cpuKling - cpuRaw).toFixed(1)} µs)`,
          against: `raw ${cpuRaw.toFixed(1)} µs (in-memory fetch)`,
          goal: "— (diagnostic)",
          ok: null,
        },
      ],
      table: table(
        ["mode", "client", "requests", "p50", "p99", "req/s", "overhead p50", "overhead p99"],
        results.map((r, i) => {
          const who = i % 3;
          return [
            r.mode,
            r.name,
            r.n.toLocaleString("en-US"),
            ms(r.p50, 3),
            ms(r.p99, 3),
            Math.round(r.rps).toLocaleString("en-US"),
            who !== 1 ? pct(over(r.mode, "p50", who)) : "—",
            who !== 1 ? pct(over(r.mode, "p99", who)) : "—",
          ];
        }),
      ),
      notes: [
        `Simulator (\`sim/server.mjs\`, timing 1 ms/1 ms) in a separate Node process on 127.0.0.1; one extension task created before timing, answered \`succeed\` every time. ${WARMUP} warm-up requests per client and mode, then ${N.toLocaleString("en-US")} timed requests per client and mode in alternating blocks of ${BLOCK}.`,
        "Raw: global fetch with a constant hand-signed `Authorization: Bearer` JWT, `JSON.parse(await res.text())`, check `code === 0`, return `data`. kling-edge: `new KlingClient({accessKey, secretKey, baseUrl})`, `getExtension(taskId)` (its own cached token, validation, envelope checks, capped body read).",
        "The diagnostic row is raw fetch doing the JS half of kling-edge's per-attempt work (AbortController + 60 s timer, body read through a reader, headers copied): kling-edge minus it ≈ the wasm side (token, URL, envelope parsing, conversion to a JS object).",
        `Client work per call without a network (an injected in-memory fetch answering the simulator's own ${canned.length}-byte body; median of 21 batches of 500 sequential calls): kling-edge \`getExtension\` ${cpuKling.toFixed(1)} µs vs raw \`new Response\` + \`text()\` + \`JSON.parse\` ${cpuRaw.toFixed(1)} µs — kling-edge adds ${(cpuKling - cpuRaw).toFixed(1)} µs of its own per call.`,
        `Latency is per request, from the call to the resolved task; with ${INFLIGHT} in flight it includes queueing behind the other ${INFLIGHT - 1}. Overhead = (kling-edge − raw) / raw.`,
      ],
    };
  } finally {
    await sim.close();
  }
}

await main(import.meta.url, run);
