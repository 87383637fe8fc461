// GET /chains/:id/video on a 3-minute chain: 36 kept clips of 5 s joined by the route, in
// Miniflare's workerd. Prints what planning read from R2 against the video's size, the time to
// the last byte, and workerd's resident memory (VmRSS before, VmHWM during; the peak is reset
// through /proc/<pid>/clear_refs before the request, where the kernel allows it).
//   node bench/chain-video.mjs [--big]   (after `make build`; ffmpeg from PyPI's imageio-ffmpeg for --big)
// --big: 1280x720 clips with detail (about 1.8 MB each, 66 MB joined), encoded into .tmp first.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { auth, ROOT, startPair } from "../tests/worker/support.mjs";

const COUNT = 36;
const big = process.argv.includes("--big");
const dir = `${ROOT}/.tmp/bench`;
mkdirSync(dir, { recursive: true });
let file = `${ROOT}/sim/media/gen/16x9-05s-c0-aac.mp4`;
if (big) {
  file = `${dir}/chain-video-720p-5s.mp4`;
  if (!existsSync(file)) {
    const ffmpeg = execFileSync("python3", ["-c", "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"], {
      encoding: "utf8",
    }).trim();
    execFileSync(ffmpeg, [
      ...["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=24,noise=alls=12:allf=t"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "5"],
      ...["-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p", "-crf", "27", "-preset", "veryfast"],
      ...["-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", file],
    ]);
  }
}
const clip = new Uint8Array(readFileSync(file));

const cleanups = [];
const t = { after: (fn) => cleanups.push(fn) };
try {
  const { worker, url } = await startPair(t);
  const user = "bench@example.test";
  const userKey = createHash("sha256").update(`kling-edge user\n${user}`).digest("hex");
  const ns = await worker.mf.getDurableObjectNamespace("USERS");
  const store = ns.get(ns.idFromName(userKey));
  const bucket = await worker.mf.getR2Bucket("MEDIA");
  const params = { method: "next-shot", prompts: Array.from({ length: COUNT }, (_, i) => `shot ${i + 1}`), external_task_id: "p-bench" };
  await store.createChain({
    chainId: "ch-bench",
    prefix: "p-bench",
    videoId: "1",
    params,
    steps: COUNT,
    instance: "ch-bench-1",
    now: Date.now(),
    userKey,
  });
  for (let n = 1; n <= COUNT; n++) {
    await bucket.put(`${userKey}/bench-${n}.mp4`, clip);
    await store.linkChainTask("ch-bench", n, 1, `p-bench-${n}`, "ch-bench-1");
    await store.chainStepDone("ch-bench", n, 1, `bench-${n}.mp4`, Date.now());
  }
  const me = await auth(user);
  const workerd = workerdPid();
  // Warm: the isolate and the joiner's module, on another chain (this one's plan is not remembered).
  await store.createChain({
    chainId: "ch-warm",
    prefix: "p-warm",
    videoId: "1",
    params,
    steps: 1,
    instance: "ch-warm-1",
    now: Date.now(),
    userKey,
  });
  await store.linkChainTask("ch-warm", 1, 1, "p-warm-1", "ch-warm-1");
  await store.chainStepDone("ch-warm", 1, 1, "bench-1.mp4", Date.now());
  await (await fetch(`${url}/chains/ch-warm/video`, { headers: { ...me, range: "bytes=0-0" } })).arrayBuffer();
  const idle = memory(workerd);
  const resetPeak = clearPeak(workerd);
  const started = performance.now();
  const response = await fetch(`${url}/chains/ch-bench/video`, { headers: me });
  const timing = response.headers.get("server-timing");
  let received = 0;
  let first = null;
  for await (const chunk of response.body) {
    first ??= performance.now() - started;
    received += chunk.length;
  }
  const ms = performance.now() - started;
  const after = memory(workerd);
  const input = clip.length * COUNT;
  const plan = /desc="(\d+) reads, (\d+) bytes"/.exec(timing ?? "");
  console.log(`clips: ${COUNT} × ${file.replace(`${ROOT}/`, "")} (${clip.length} bytes; ${input} in all)`);
  console.log(`video: ${received} bytes (Content-Length ${response.headers.get("content-length")}), status ${response.status}`);
  console.log(
    `planning: ${plan ? `${plan[1]} R2 reads, ${plan[2]} bytes (${((100 * Number(plan[2])) / received).toFixed(2)} % of the video)` : "not planned (remembered)"}; ${timing}`,
  );
  console.log(`time: first byte ${first?.toFixed(0)} ms, last ${ms.toFixed(0)} ms (${(received / 1e6 / (ms / 1000)).toFixed(1)} MB/s)`);
  console.log(
    `workerd (pid ${workerd}): RSS ${mb(idle.rss)} before, ${mb(after.rss)} after; peak during ${resetPeak ? mb(after.hwm) : `n/a (clear_refs refused; lifetime peak ${mb(after.hwm)})`}`,
  );
} finally {
  for (const fn of cleanups.reverse()) await fn();
}

/** Miniflare's workerd: the newest process named workerd whose parent is this one. */
function workerdPid() {
  const pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  const mine = pids.filter((p) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      return /^Name:\s*workerd$/m.test(status) && new RegExp(`^PPid:\\s*${process.pid}$`, "m").test(status);
    } catch {
      return false;
    }
  });
  return mine.map(Number).sort((a, b) => b - a)[0];
}

function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name) => Number(new RegExp(`^${name}:\\s*(\\d+) kB$`, "m").exec(status)?.[1]);
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

function clearPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

function mb(kb) {
  return `${(kb / 1024).toFixed(1)} MB`;
}
