// Row 8 — join: one long video from 5 s clips (36 = 3 minutes, and 72), joined three ways on the
// same clips: kling-edge/mp4 in Node (`join`, and `joinStream` over range reads of a file), the
// edge service's `GET /chains/:id/video` (the real worker bundle in Miniflare's workerd, the clips
// kept in its R2), and `ffmpeg -f concat -safe 0 -c copy`. Wall time, MB/s and peak memory of each;
// for the route, the serving process's (workerd's) peak while the whole video is downloaded, above
// its idle memory. The outputs are checked first: the route's bytes and `joinStream`'s equal
// `join`'s, and ffmpeg counts every clip's video frames in `join`'s output and in its own.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join as joinPath } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { log, main, median, PKG, ROOT, TMP, table } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_JOIN_RUNS ?? 5);
const COUNTS = [36, 72];
const GOAL_MB = 2; // the route's peak above idle, whatever the length
const DIR = joinPath(TMP, "join");
const ENTRY = joinPath(PKG, "mp4/index.node.js");

const ffmpegPath = () =>
  execFileSync("python3", ["-c", "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"], { encoding: "utf8" }).trim();

/**
 * The clip: H.264 High with B-frames and AAC, like Kling's, at 1280x720 with detail (about 1.8 MB
 * for 5 s), encoded once into bench/.tmp. The simulator's clips (8.6 KB) are too small to show
 * what holding a video costs. `BENCH_JOIN_CLIP` names another file.
 */
function clipFile(ffmpeg) {
  if (process.env.BENCH_JOIN_CLIP) return process.env.BENCH_JOIN_CLIP;
  const file = joinPath(DIR, "clip-720p-5s.mp4");
  if (!existsSync(file)) {
    execFileSync(ffmpeg, [
      ...["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=24,noise=alls=12:allf=t"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "5"],
      ...["-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p", "-crf", "27", "-preset", "veryfast"],
      ...["-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", `${file}.part.mp4`],
    ]);
    renameSync(`${file}.part.mp4`, file);
  }
  return file;
}

// One fresh Node process per measurement, so its peak RSS is its own. `join`: each clip read whole
// into memory, joined, written; `stream`: `joinStream` over range reads of the file, streamed to
// a file; `baseline`: the package imported, nothing read. Timed from after the import.
const CHILD = `
  const [entry, clip, count, mode, out] = process.argv.slice(1);
  const { openSync, readSync, readFileSync, writeFileSync, createWriteStream, fstatSync } = await import("node:fs");
  const { join, joinStream } = await import(entry);
  const t0 = performance.now();
  if (mode === "stream") {
    const fd = openSync(clip, "r");
    const size = fstatSync(fd).size;
    const source = { size, async read(offset, n) { const b = new Uint8Array(n); readSync(fd, b, 0, n, offset); return b; } };
    const joined = await joinStream(Array.from({ length: Number(count) }, () => source));
    const file = createWriteStream(out);
    for await (const part of joined.stream()) if (!file.write(part)) await new Promise((r) => file.once("drain", r));
    await new Promise((r) => file.end(r));
  } else if (mode === "join") {
    const clips = Array.from({ length: Number(count) }, () => new Uint8Array(readFileSync(clip)));
    writeFileSync(out, join(clips));
  }
  const ms = performance.now() - t0;
  // VmHWM, not resourceUsage().maxRSS: Linux carries the parent's peak at fork into the latter.
  const peakKb = Number(/^VmHWM:\\s*(\\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"))[1]);
  console.log(JSON.stringify({ ms, peakKb }));
`;

function nodeJoin(clip, count, mode) {
  const out = joinPath(DIR, `${mode}-${count}.mp4`);
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", CHILD, ENTRY, clip, String(count), mode, out], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`the ${mode} child failed: ${r.stderr}`);
  return { ...JSON.parse(r.stdout), out };
}

/** `ffmpeg -f concat -safe 0 -c copy` (+ `-movflags +faststart` if `faststart`), under /usr/bin/time -v. */
function ffmpegJoin(ffmpeg, clip, count, faststart) {
  const list = joinPath(DIR, `list-${count}.txt`);
  writeFileSync(list, `${Array.from({ length: count }, () => `file '${clip}'`).join("\n")}\n`);
  const out = joinPath(DIR, `ffmpeg${faststart ? "-faststart" : ""}-${count}.mp4`);
  const args = ["-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", list, "-c", "copy"];
  if (faststart) args.push("-movflags", "+faststart");
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-v", ffmpeg, ...args, out], { encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
  return { ms, peakKb, out };
}

/** The video packets ffmpeg reads from `file` (its demuxer, no decoding): one per frame. */
function videoFrames(ffmpeg, file) {
  const r = spawnSync(ffmpeg, ["-nostdin", "-v", "error", "-i", file, "-map", "0:v", "-c", "copy", "-f", "framecrc", "-"], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0 || r.stderr) throw new Error(`ffmpeg could not read ${file}: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
}

const sha256File = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** Miniflare's workerd: the newest process named workerd whose parent is this one. */
function workerdPid() {
  const pids = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" })
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter(([pid, comm]) => pid && comm === "workerd")
    .map(([pid]) => Number(pid));
  if (!pids.length) throw new Error("no workerd child of this process");
  return Math.max(...pids);
}

function status(pid) {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name) => Number(new RegExp(`^${name}:\\s*(\\d+) kB$`, "m").exec(text)?.[1]);
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

// Samples VmRSS of `pid` every millisecond in its own thread (the download keeps this one busy),
// keeping the largest, until told to stop.
const SAMPLER = `
  const { workerData } = require("node:worker_threads");
  const { readFileSync } = require("node:fs");
  const flags = new Int32Array(workerData.shared); // [stop, max kB, samples]
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (Atomics.load(flags, 0) === 0) {
    try {
      const m = /^VmRSS:\\s*(\\d+) kB$/m.exec(readFileSync("/proc/" + workerData.pid + "/status", "utf8"));
      if (m && Number(m[1]) > flags[1]) flags[1] = Number(m[1]);
      flags[2] += 1;
    } catch {}
    Atomics.wait(nap, 0, 0, 1);
  }
`;

async function sampled(pid, fn) {
  const shared = new SharedArrayBuffer(12);
  const flags = new Int32Array(shared);
  const worker = new Worker(SAMPLER, { eval: true, workerData: { pid, shared } });
  await new Promise((r) => worker.once("online", r));
  try {
    const result = await fn();
    return { ...result, sampledKb: flags[1], samples: flags[2] };
  } finally {
    Atomics.store(flags, 0, 1);
    await new Promise((r) => worker.once("exit", r));
  }
}

/** Idle RSS: the median of a few readings 20 ms apart, after the process settled. */
async function idleKb(pid) {
  await new Promise((r) => setTimeout(r, 300));
  const xs = [];
  for (let i = 0; i < 5; i++) {
    xs.push(status(pid).rss);
    await new Promise((r) => setTimeout(r, 20));
  }
  return median(xs);
}

/**
 * The service in Miniflare with two chains of `user` seeded as tests/worker/video.test.mjs does
 * (the store's own RPC methods, as the Workflow calls them): `ch-<n>` of n next-shot steps, each
 * done with its own clip object in R2 (the 72 objects are shared by both chains' first steps).
 */
async function startService(t, clipBytes) {
  const support = await import(pathToFileURL(joinPath(ROOT, "tests/worker/support.mjs")).href);
  const t0 = performance.now();
  await support.buildBundle();
  log(`join: worker bundle built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const { worker, url } = await support.startPair(t);
  const user = "bench-join@example.test";
  const userKey = createHash("sha256").update(`kling-edge user\n${user}`).digest("hex");
  const ns = await worker.mf.getDurableObjectNamespace("USERS");
  const store = ns.get(ns.idFromName(userKey));
  const bucket = await worker.mf.getR2Bucket("MEDIA");
  const most = Math.max(...COUNTS);
  for (let n = 1; n <= most; n++) await bucket.put(`${userKey}/clip-${n}.mp4`, clipBytes, { httpMetadata: { contentType: "video/mp4" } });
  // ch-warm (2 clips) warms the isolate and the joiner's module without planning the measured chains.
  for (const [id, steps] of [["ch-warm", 2], ...COUNTS.map((n) => [`ch-${n}`, n])]) {
    const params = { method: "next-shot", prompts: Array.from({ length: steps }, (_, i) => `shot ${i + 1}`), external_task_id: `p-${id}` };
    const instance = `${id}-1`;
    await store.createChain({ chainId: id, prefix: `p-${id}`, videoId: "1", params, steps, instance, now: Date.now(), userKey });
    for (let n = 1; n <= steps; n++) {
      await store.linkChainTask(id, n, 1, `p-${id}-${n}`, instance);
      await store.chainStepDone(id, n, 1, `clip-${n}.mp4`, Date.now());
    }
  }
  return { url, headers: await support.auth(user), pid: workerdPid(), bucket, userKey };
}

/** The whole answer of GET `path`, hashed as it arrives; workerd's RSS over the download. */
async function download(service, path) {
  const idle = await idleKb(service.pid);
  writeFileSync(`/proc/${service.pid}/clear_refs`, "5"); // VmHWM := VmRSS now
  return sampled(service.pid, async () => {
    const t0 = performance.now();
    const response = await fetch(`${service.url}${path}`, { headers: service.headers });
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of response.body) {
      hash.update(chunk);
      size += chunk.length;
    }
    const ms = performance.now() - t0;
    const hwm = status(service.pid).hwm;
    const plan = /plan;dur=(\d+);desc="(\d+) reads, (\d+) bytes"/.exec(response.headers.get("server-timing") ?? "");
    return {
      ms,
      size,
      sha: hash.digest("hex"),
      idleKb: idle,
      hwmKb: hwm,
      plan: plan && { ms: Number(plan[1]), reads: Number(plan[2]), bytes: Number(plan[3]) },
    };
  });
}

export async function run() {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`make build\` first`);
  mkdirSync(DIR, { recursive: true });
  const ffmpeg = ffmpegPath();
  const clip = clipFile(ffmpeg);
  const clipBytes = new Uint8Array(readFileSync(clip));
  const clipFrames = videoFrames(ffmpeg, clip);
  const cleanups = [];
  const t = { after: (fn) => cleanups.push(fn) }; // the test helpers' teardown hook
  try {
    const service = await startService(t, clipBytes);
    // Warm: the isolate, the joiner's module, the streams, on a chain of its own.
    await (await fetch(`${service.url}/chains/ch-warm/video`, { headers: service.headers })).arrayBuffer();

    // The floor: each joined video stored whole as one R2 object, served as is by GET /media/:name.
    for (const n of COUNTS) {
      const { out } = nodeJoin(clip, n, "join");
      await service.bucket.put(`${service.userKey}/joined-${n}.mp4`, new Uint8Array(readFileSync(out)), {
        httpMetadata: { contentType: "video/mp4" },
      });
    }
    const m = Object.fromEntries(COUNTS.map((n) => [n, { join: [], stream: [], route: [], media: [], ffmpeg: [], faststart: [] }]));
    const baseline = [];
    for (let r = 0; r < RUNS; r++) {
      baseline.push(nodeJoin(clip, 1, "baseline"));
      for (const n of COUNTS) {
        m[n].join.push(nodeJoin(clip, n, "join"));
        m[n].stream.push(nodeJoin(clip, n, "stream"));
        m[n].route.push(await download(service, `/chains/ch-${n}/video`));
        m[n].media.push(await download(service, `/media/joined-${n}.mp4`));
        m[n].ffmpeg.push(ffmpegJoin(ffmpeg, clip, n, false));
        m[n].faststart.push(ffmpegJoin(ffmpeg, clip, n, true));
      }
      log(`join: run ${r + 1}/${RUNS} done`);
    }

    // The outputs, before any figure counts: the same bytes, every frame.
    const checks = [];
    for (const n of COUNTS) {
      const want = sha256File(m[n].join[0].out);
      if (sha256File(m[n].stream[0].out) !== want) throw new Error(`${n} clips: joinStream's output differs from join's`);
      for (const x of [...m[n].route, ...m[n].media])
        if (x.sha !== want) throw new Error(`${n} clips: the service's bytes differ from join's`);
      const frames = { join: videoFrames(ffmpeg, m[n].join[0].out), ffmpeg: videoFrames(ffmpeg, m[n].ffmpeg[0].out) };
      for (const [who, f] of Object.entries(frames))
        if (f !== n * clipFrames) throw new Error(`${n} clips: ${who}'s output has ${f} video frames, not ${n} × ${clipFrames}`);
      checks.push(
        `${n} clips: ${n * clipFrames} video frames in join's output and in ffmpeg's, route and joinStream byte-identical to join (sha256 ${want.slice(0, 12)})`,
      );
    }
    const result = report(m, baseline, { clip, clipBytes, clipFrames, checks });
    // The joined files (about 1 GB in all) go; the encoded clip stays for the next run.
    for (const n of COUNTS) for (const xs of Object.values(m[n])) if (xs[0]?.out) rmSync(xs[0].out, { force: true });
    return result;
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
}

const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;
const planned = (p) => (p ? `${p.reads} R2 reads, ${(p.bytes / 1e6).toFixed(2)} MB, ${p.ms} ms` : "not planned");
const rate = (bytes, ms) => bytes / 1e6 / (ms / 1000);

function report(m, baseline, { clip, clipBytes, clipFrames, checks }) {
  const size = (n) => statSync(m[n].join[0].out).size;
  const timeOf = (xs) => median(xs.map((x) => x.ms));
  const peakOf = (xs) => Math.max(...xs.map((x) => x.peakKb));
  const aboveIdle = (x) => Math.max(x.hwmKb, x.sampledKb) - x.idleKb;
  const routeAbove = (n) => Math.max(...m[n].route.map(aboveIdle));
  const laterAbove = (n) => Math.max(0, ...m[n].route.filter((x) => !x.plan).map(aboveIdle));
  const base = peakOf(baseline);
  const rows = [];
  for (const n of COUNTS) {
    const cell = (xs) => `${timeOf(xs).toFixed(0)} ms, ${rate(size(n), timeOf(xs)).toFixed(0)} MB/s`;
    const video = `${n} × 5 s (${(size(n) / 1e6).toFixed(1)} MB)`;
    rows.push(
      [video, "kling-edge/mp4 `join` (Node)", cell(m[n].join), `${mb(peakOf(m[n].join))} (+${mb(peakOf(m[n].join) - base)})`],
      [
        video,
        "kling-edge/mp4 `joinStream` (Node, range reads)",
        cell(m[n].stream),
        `${mb(peakOf(m[n].stream))} (+${mb(peakOf(m[n].stream) - base)})`,
      ],
      [
        video,
        "**service `GET /chains/:id/video`** (workerd)",
        `**${cell(m[n].route)}**`,
        `**+${mb(routeAbove(n))} above idle** (idle ${mb(median(m[n].route.map((x) => x.idleKb)))}; runs: ${m[n].route.map((x) => `+${mb(aboveIdle(x))}${x.plan ? " planning" : ""}`).join(", ")})`,
      ],
      [
        video,
        "(floor) service `GET /media/:name`: the joined file stored whole in R2, served as is",
        cell(m[n].media),
        `+${mb(Math.max(...m[n].media.map(aboveIdle)))} above idle (${m[n].media.map((x) => `+${mb(aboveIdle(x))}`).join(", ")})`,
      ],
      [video, "`ffmpeg -f concat -safe 0 -c copy`", cell(m[n].ffmpeg), mb(peakOf(m[n].ffmpeg))],
      [video, "… `-movflags +faststart` (moov first, as the joiner writes it)", cell(m[n].faststart), mb(peakOf(m[n].faststart))],
    );
  }
  const [short, long] = COUNTS;
  const memOk = COUNTS.every((n) => routeAbove(n) <= GOAL_MB * 1024);
  const routeRate = rate(size(short), timeOf(m[short].route));
  const ffRate = rate(size(short), timeOf(m[short].ffmpeg));
  return {
    id: "join",
    title: "8. Join (clips → one MP4: Node, the service's route, ffmpeg)",
    summary: [
      {
        row: "8. Join, route's memory",
        value: `+${mb(routeAbove(short))} (${short} clips), +${mb(routeAbove(long))} (${long} clips) above workerd's idle (worst run; layout remembered: +${mb(laterAbove(short))}, +${mb(laterAbove(long))})`,
        against: `Node \`join\` +${mb(peakOf(m[short].join) - base)} / +${mb(peakOf(m[long].join) - base)}; ffmpeg ${mb(peakOf(m[short].ffmpeg))} / ${mb(peakOf(m[long].ffmpeg))}`,
        goal: `≤ ${GOAL_MB} MB above idle, whatever the length`,
        ok: memOk,
      },
      {
        row: "8. Join, route's speed",
        value: `${routeRate.toFixed(0)} MB/s (${timeOf(m[short].route).toFixed(0)} ms for ${short} clips)`,
        against: `ffmpeg -c copy ${ffRate.toFixed(0)} MB/s (${timeOf(m[short].ffmpeg).toFixed(0)} ms)`,
        goal: "≥ ffmpeg's throughput",
        ok: routeRate >= ffRate,
      },
    ],
    table: table(["video", "how", `wall time (median of ${RUNS}), MB/s of output`, "peak memory"], rows),
    notes: [
      `Clips: ${clip.replace(`${ROOT}/`, "")} (${clipBytes.length.toLocaleString("en-US")} bytes, ${clipFrames} video frames; H.264 High with B-frames + AAC, 1280x720 with noise, encoded once by the same ffmpeg) repeated; the same file for every side. ${RUNS} runs, round-robin (each run: every side at ${COUNTS.join(", then ")} clips).`,
      `Checked before any figure: ${checks.join("; ")}.`,
      `Node: a fresh process per measurement; time from after the package's import (reading the clips, joining, writing the file to bench/.tmp); peak = its VmHWM (/proc/self/status), and in brackets above a process that only imported the package (${mb(base)}). \`join\` holds every clip and the output; \`joinStream\` reads ranges of the file and writes as it streams.`,
      `Service: the real worker bundle (\`wrangler deploy --dry-run\`, as tests/worker builds it) in Miniflare, the chains seeded as tests/worker/video.test.mjs does, each step's clip its own R2 object; one GET of the whole video over loopback, hashed as it arrives (time to the last byte). The first run planned each join from the clips' headers (${COUNTS.map((n) => `${n} clips: ${planned(m[n].route[0].plan)}`).join("; ")}); later runs reuse the isolate's remembered layout. Memory: workerd's RSS (the process that also holds Miniflare's R2 and Durable Objects), idle = the median of 5 readings after the process settled; peak = the larger of VmHWM (reset through /proc/<pid>/clear_refs before the request) and VmRSS sampled every 1 ms by a thread during the download; the row's figure is the worst run.`,
      `ffmpeg: PyPI's static build (imageio-ffmpeg), a concat list of the clip's path, under /usr/bin/time -v (peak = its maximum resident set size; time = the whole process). The goal compares with plain \`-c copy\` (the faster of the two); \`+faststart\` writes the moov first, as the joiner does, at the cost of a second pass.`,
      "MB/s = the joined file's bytes ÷ wall time (1 MB = 10⁶ bytes for sizes and rates; memory in MiB shown as MB).",
    ],
  };
}

await main(import.meta.url, run);
