// Joining 36 clips of 5 s (a 3-minute video) with kling-edge/mp4 in Node, beside ffmpeg's concat
// demuxer with -c copy on the same clips: wall time, peak memory, and the joiner's wasm size.
//   node bench/join.mjs [runs=5] [--big]   (after `make build`; ffmpeg from PyPI's imageio-ffmpeg)
// --big: a 1280x720 clip with detail (about 1.8 MB for 5 s, 66 MB for the 36) is encoded into .tmp first and joined
// instead, so the memory columns show what holding the clips costs.
// Each measurement runs in a fresh process, so its peak resident memory is its own: Node's from
// process.resourceUsage(), ffmpeg's from /usr/bin/time -v. The clips are sim/media/clips/b-5s.mp4
// (H.264 High with B-frames + AAC, 320x180) repeated; the output goes to .tmp/bench-join/.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipLen, kb, median, PKG, ROOT } from "./lib.mjs";

const args = process.argv.slice(2);
const big = args.includes("--big");
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
const COUNT = 36;
const dir = join(ROOT, ".tmp/bench-join");
const CLIP = big ? join(dir, "big-5s.mp4") : join(ROOT, "sim/media/clips/b-5s.mp4");
const entry = join(PKG, "mp4/index.node.js");
if (!existsSync(entry)) {
  console.error(`bench/join: ${entry} is missing: run \`make build\` first`);
  process.exit(2);
}
mkdirSync(dir, { recursive: true });

// One child per measurement: `mode` is join (whole files in memory), stream (joinStream over file
// handles, written out as streamed) or baseline (the package and the clips loaded, nothing joined).
const CHILD = `
  const [entry, clip, count, mode, out] = process.argv.slice(1);
  const { openSync, readSync, readFileSync, writeFileSync, createWriteStream, fstatSync } = await import("node:fs");
  const { join, joinStream } = await import(entry);
  const t0 = performance.now();
  let size;
  if (mode === "stream") {
    const fd = openSync(clip, "r");
    const length = fstatSync(fd).size;
    const source = { size: length, async read(offset, n) { const b = new Uint8Array(n); readSync(fd, b, 0, n, offset); return b; } };
    const joined = await joinStream(Array.from({ length: Number(count) }, () => source));
    const file = createWriteStream(out);
    for await (const part of joined.stream()) if (!file.write(part)) await new Promise((r) => file.once("drain", r));
    await new Promise((r) => file.end(r));
    size = joined.size;
  } else {
    const bytes = new Uint8Array(readFileSync(clip));
    const clips = Array.from({ length: Number(count) }, () => bytes.slice());
    if (mode === "join") { const joined = join(clips); writeFileSync(out, joined); size = joined.length; }
  }
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms, size, maxRssKb: process.resourceUsage().maxRSS }));
`;

function node(mode) {
  const out = join(dir, `${mode}.mp4`);
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", CHILD, entry, CLIP, String(COUNT), mode, out], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bench/join: the ${mode} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function ffmpegPath() {
  return execFileSync("python3", ["-c", "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"], { encoding: "utf8" }).trim();
}

function ffmpeg(bin) {
  const list = join(dir, "list.txt");
  writeFileSync(list, `${Array.from({ length: COUNT }, () => `file '${CLIP}'`).join("\n")}\n`);
  const out = join(dir, "ffmpeg.mp4");
  const args = ["-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", list, "-c", "copy", "-movflags", "+faststart", out];
  const timed = existsSync("/usr/bin/time");
  const t0 = performance.now();
  const r = timed ? spawnSync("/usr/bin/time", ["-v", bin, ...args], { encoding: "utf8" }) : spawnSync(bin, args, { encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bench/join: ffmpeg failed: ${r.stderr}`);
  const rss = timed ? Number(r.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/)?.[1]) : Number.NaN;
  return { ms, size: statSync(out).size, maxRssKb: rss };
}

const rows = { join: [], stream: [], baseline: [], ffmpeg: [] };
const bin = ffmpegPath();
if (big && !existsSync(CLIP)) {
  // H.264 High with B-frames and AAC, like the committed clips, at 1280x720 with detail.
  execFileSync(bin, [
    ...["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=24,noise=alls=12:allf=t"],
    ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "5"],
    ...["-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p", "-crf", "27", "-preset", "veryfast"],
    ...["-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", CLIP],
  ]);
}
for (let i = 0; i < runs; i++) {
  for (const mode of ["join", "stream", "baseline"]) rows[mode].push(node(mode));
  rows.ffmpeg.push(ffmpeg(bin));
}
const input = statSync(CLIP).size * COUNT;
const mb = (kbytes) => (Number.isNaN(kbytes) ? "n/a (no /usr/bin/time)" : `${(kbytes / 1024).toFixed(1)} MB`);
const line = (name, xs, note) => {
  const ms = median(xs.map((x) => x.ms));
  const rss = Math.max(...xs.map((x) => x.maxRssKb));
  const size = xs[0].size === undefined ? "" : `${(xs[0].size / 1e6).toFixed(2)} MB`;
  return `| ${name} | ${xs[0].ms === undefined ? "" : `${ms.toFixed(1)} ms`} | ${mb(rss)} | ${size} | ${note} |`;
};
const wasm = readFileSync(join(PKG, "mp4/kling_edge_mp4_bg.wasm"));
console.log(
  `Joining ${COUNT} × 5 s clips of ${CLIP.replace(`${ROOT}/`, "")} (${(input / 1e6).toFixed(2)} MB in), median of ${runs} runs, peak RSS the largest:\n`,
);
console.log("| how | wall time | peak memory (RSS) | output | |");
console.log("|---|---|---|---|---|");
console.log(line("kling-edge/mp4 `join` (Node)", rows.join, "whole files in memory"));
console.log(line("kling-edge/mp4 `joinStream` (Node)", rows.stream, "range reads of file handles, streamed to a file"));
console.log(line("Node + the package, nothing joined", rows.baseline, "the baseline the two above include"));
console.log(line("`ffmpeg -f concat -safe 0 -c copy`", rows.ffmpeg, "static ffmpeg from imageio-ffmpeg, +faststart"));
console.log(`\nkling_edge_mp4_bg.wasm: ${kb(wasm.length)} raw, ${kb(gzipLen(wasm))} gzip (-9).`);
