// GET /chains/:id/video: a chain's kept clips joined into one MP4, streamed from R2 with no joined
// copy stored. Today's durable chains are extend chains (each step's result is the whole video),
// so the joined path is tested on chains seeded into the user's store (its own RPC methods, as
// the Workflow calls them) with the simulator's generated clips put into Miniflare's R2.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { join } from "../../pkg/mp4/index.node.js";
import { decodedVideoFrames, ffmpegPath } from "../ffmpeg.mjs";
import { auth, ROOT, SESSION_SECRET, startPair } from "./support.mjs";

const GEN = `${ROOT}/sim/media/gen/`;
const clip = (name) => new Uint8Array(readFileSync(`${GEN}${name}`));
const userKeyOf = (sub) => createHash("sha256").update(`kling-edge user\n${sub}`).digest("hex");

/**
 * A chain of `user` in the store and its clips in R2: `clips` are `[file]` for steps 1.. (null: a
 * step not done yet), `steps` the planned count. Resolves `{id, names}`.
 */
async function seedChain(mf, user, { id, method = "next-shot", clips, steps = clips.length }) {
  const userKey = userKeyOf(user);
  const ns = await mf.getDurableObjectNamespace("USERS");
  const store = ns.get(ns.idFromName(userKey));
  const instance = `${id}-1`;
  const prompts = Array.from({ length: steps }, (_, i) => `shot ${i + 1}`);
  const params = { method, prompts, external_task_id: `p-${id}` };
  await store.createChain({ chainId: id, prefix: `p-${id}`, videoId: "1", params, steps, instance, now: Date.now(), userKey });
  const bucket = await mf.getR2Bucket("MEDIA");
  const names = [];
  for (const [i, file] of clips.entries()) {
    if (!file) continue;
    const name = `${id}-clip-${i + 1}.mp4`;
    await bucket.put(`${userKey}/${name}`, clip(file), { httpMetadata: { contentType: "video/mp4" } });
    await store.linkChainTask(id, i + 1, 1, `p-${id}-${i + 1}`, instance);
    await store.chainStepDone(id, i + 1, 1, name, Date.now());
    names.push(name);
  }
  return { id, names, store, userKey, instance };
}

const bytesOf = async (response) => new Uint8Array(await response.arrayBuffer());
/** `Server-Timing`'s planning figures: `{reads, bytes}`, or null when nothing was planned. */
function planned(response) {
  const m = /plan;dur=\d+;desc="(\d+) reads, (\d+) bytes"/.exec(response.headers.get("server-timing") ?? "");
  return m ? { reads: Number(m[1]), bytes: Number(m[2]) } : null;
}

const FILES = ["16x9-05s-c0-aac.mp4", "16x9-03s-c1-aac.mp4", "16x9-07s-c2-aac.mp4"];

test("a chain's video is its clips joined: the package's join, byte for byte, with ranges, HEAD, ETag", async (t) => {
  const { worker, url } = await startPair(t);
  const me = await auth("joiner@example.test");
  const { id } = await seedChain(worker.mf, "joiner@example.test", { id: "ch-joined", clips: FILES });
  const want = join(FILES.map(clip));

  const full = await fetch(`${url}/chains/${id}/video`, { headers: me });
  assert.equal(full.status, 200, await full.clone().text());
  assert.equal(full.headers.get("content-type"), "video/mp4");
  assert.equal(full.headers.get("accept-ranges"), "bytes");
  assert.equal(full.headers.get("content-length"), String(want.length));
  const plan = planned(full);
  const got = await bytesOf(full);
  assert.equal(got.length, want.length);
  assert.ok(Buffer.from(got).equals(Buffer.from(want)), "the served bytes are join(clips)");
  const clipsSize = FILES.reduce((n, f) => n + clip(f).length, 0);
  assert.ok(plan, "the first answer planned the join");
  assert.ok(plan.reads <= FILES.length * 2, `planning took ${plan.reads} R2 reads`);
  console.log(`planning: ${plan.reads} R2 reads, ${plan.bytes} bytes, for a video of ${want.length} bytes (clips: ${clipsSize})`);

  // ffmpeg decodes it whole, with every clip's frames.
  mkdirSync(`${ROOT}/.tmp/worker-video`, { recursive: true });
  const path = `${ROOT}/.tmp/worker-video/joined.mp4`;
  writeFileSync(path, got);
  const frames = FILES.map((f) => {
    writeFileSync(`${ROOT}/.tmp/worker-video/${f}`, clip(f));
    return decodedVideoFrames(`${ROOT}/.tmp/worker-video/${f}`);
  });
  assert.equal(
    decodedVideoFrames(path),
    frames.reduce((a, b) => a + b, 0),
    "the joined video has the clips' frames",
  );

  // Ranges: inside the header, across the header and clip 1, across two clips, the tail.
  const headerLength = new DataView(want.buffer, want.byteOffset).getUint32(0) + 1000;
  const cases = [
    ["bytes=0-99", 0, 100],
    [`bytes=${headerLength - 50}-${headerLength + 5000}`, headerLength - 50, headerLength + 5001],
    [`bytes=${want.length - 9000}-${want.length - 100}`, want.length - 9000, want.length - 99],
    ["bytes=-777", want.length - 777, want.length],
    [`bytes=${want.length - 10}-`, want.length - 10, want.length],
    [`bytes=100-${want.length + 5000}`, 100, want.length],
  ];
  for (const [range, from, to] of cases) {
    const part = await fetch(`${url}/chains/${id}/video`, { headers: { ...me, range } });
    assert.equal(part.status, 206, range);
    assert.equal(part.headers.get("content-range"), `bytes ${from}-${to - 1}/${want.length}`, range);
    assert.equal(part.headers.get("content-length"), String(to - from), range);
    assert.ok(Buffer.from(await bytesOf(part)).equals(Buffer.from(want.subarray(from, to))), `${range}: the slice of join's output`);
    assert.equal(planned(part), null, "a later answer for the same clips is not planned again");
  }
  const beyond = await fetch(`${url}/chains/${id}/video`, { headers: { ...me, range: `bytes=${want.length}-` } });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers.get("content-range"), `bytes */${want.length}`);
  await beyond.arrayBuffer();

  const head = await fetch(`${url}/chains/${id}/video`, { method: "HEAD", headers: me });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), String(want.length));
  assert.equal((await bytesOf(head)).length, 0);
  const headRange = await fetch(`${url}/chains/${id}/video`, { method: "HEAD", headers: { ...me, range: "bytes=10-19" } });
  assert.equal(headRange.status, 206);
  assert.equal(headRange.headers.get("content-range"), `bytes 10-19/${want.length}`);

  const etag = full.headers.get("etag");
  assert.match(etag, /^"[0-9a-f]{40}"$/);
  const again = await fetch(`${url}/chains/${id}/video`, { headers: { ...me, "if-none-match": `"nope", ${etag}` } });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get("etag"), etag);
  assert.equal((await bytesOf(again)).length, 0);
  const other = await fetch(`${url}/chains/${id}/video`, { headers: { ...me, "if-none-match": '"nope"', range: "bytes=0-3" } });
  assert.equal(other.status, 206);
  await other.arrayBuffer();
  // If-Range with another validator: the whole file.
  const stale = await fetch(`${url}/chains/${id}/video`, { headers: { ...me, "if-range": '"old"', range: "bytes=0-3" } });
  assert.equal(stale.status, 200);
  assert.equal((await bytesOf(stale)).length, want.length);
});

test("a running chain's video is the clips finished so far, and grows (a new ETag) with the next", async (t) => {
  const { worker, url } = await startPair(t);
  const user = "grows@example.test";
  const me = await auth(user);
  const seeded = await seedChain(worker.mf, user, { id: "ch-grows", clips: [FILES[0], FILES[1], null], steps: 3 });
  const first = await fetch(`${url}/chains/${seeded.id}/video`, { headers: me });
  assert.equal(first.status, 200);
  assert.ok(Buffer.from(await bytesOf(first)).equals(Buffer.from(join([clip(FILES[0]), clip(FILES[1])]))), "the two done clips");
  const record = await (await fetch(`${url}/chains/${seeded.id}`, { headers: me })).json();
  assert.equal(record.status, "running");
  assert.match(record.video_url, new RegExp(`^/chains/${seeded.id}/video\\?u=[0-9a-f]{64}&exp=\\d+&sig=[0-9a-f]{64}$`));

  // Step 3 finishes: the video is the three clips, under another ETag.
  const bucket = await worker.mf.getR2Bucket("MEDIA");
  await bucket.put(`${seeded.userKey}/ch-grows-clip-3.mp4`, clip(FILES[2]));
  await seeded.store.linkChainTask(seeded.id, 3, 1, "p-ch-grows-3", seeded.instance);
  await seeded.store.chainStepDone(seeded.id, 3, 1, "ch-grows-clip-3.mp4", Date.now());
  const grown = await fetch(`${url}/chains/${seeded.id}/video`, { headers: { ...me, "if-none-match": first.headers.get("etag") } });
  assert.equal(grown.status, 200, "the old ETag no longer matches");
  assert.notEqual(grown.headers.get("etag"), first.headers.get("etag"));
  assert.ok(Buffer.from(await bytesOf(grown)).equals(Buffer.from(join(FILES.map(clip)))), "the three clips");

  // A clip gone from R2 (its retention passed): a 404 naming its step.
  await bucket.delete(`${seeded.userKey}/ch-grows-clip-2.mp4`);
  const gone = await fetch(`${url}/chains/${seeded.id}/video`, { headers: me });
  assert.equal(gone.status, 404);
  assert.equal((await gone.json()).error.step, 2);

  // A chain with no clip kept yet has no video.
  await seedChain(worker.mf, user, { id: "ch-empty", clips: [null], steps: 2 });
  const none = await fetch(`${url}/chains/ch-empty/video`, { headers: me });
  assert.equal(none.status, 404);
  assert.equal((await none.json()).error.code, "ERR_NOT_FOUND");
});

test("the signed video_url works without Authorization; a forged or foreign one is a 404; other users get 404s", async (t) => {
  const { worker, url } = await startPair(t);
  const owner = "owner@example.test";
  const me = await auth(owner);
  const { id } = await seedChain(worker.mf, owner, { id: "ch-signed", clips: FILES.slice(0, 2) });
  const want = join(FILES.slice(0, 2).map(clip));
  const record = await (await fetch(`${url}/chains/${id}`, { headers: me })).json();
  const link = record.video_url;
  assert.ok(link, "the record carries a signed link");

  const viaLink = await fetch(`${url}${link}`, { headers: { range: "bytes=0-1023" } });
  assert.equal(viaLink.status, 206);
  assert.ok(Buffer.from(await bytesOf(viaLink)).equals(Buffer.from(want.subarray(0, 1024))));
  const headLink = await fetch(`${url}${link}`, { method: "HEAD" });
  assert.equal(headLink.status, 200);

  const u = new URL(link, url);
  const forged = new URL(u);
  forged.searchParams.set("sig", `${u.searchParams.get("sig").slice(0, 63)}${u.searchParams.get("sig").endsWith("0") ? "1" : "0"}`);
  assert.equal((await fetch(forged)).status, 404, "a forged signature");
  const expired = new URL(u);
  expired.searchParams.set("exp", String(Math.floor(Date.now() / 1000) - 10));
  assert.equal((await fetch(expired)).status, 404, "an expired (or altered) expiry");
  // Another user's key under the owner's signature, and the signature of a /media link.
  const otherKey = new URL(u);
  otherKey.searchParams.set("u", userKeyOf("mallory@example.test"));
  assert.equal((await fetch(otherKey)).status, 404, "another user's key");
  // A `/media` link's signature (its own purpose) over the same key, id and expiry.
  const exp = u.searchParams.get("exp");
  const mediaSig = createHmac("sha256", SESSION_SECRET)
    .update(`media\n${userKeyOf(owner)}\n${id}\n${exp}`)
    .digest("hex");
  const videoSig = createHmac("sha256", SESSION_SECRET)
    .update(`chain-video\n${userKeyOf(owner)}\n${id}\n${exp}`)
    .digest("hex");
  assert.equal(videoSig, u.searchParams.get("sig"), "the link is signed for its purpose");
  const mediaSigned = await fetch(`${url}/chains/${id}/video?u=${userKeyOf(owner)}&exp=${exp}&sig=${mediaSig}`);
  assert.equal(mediaSigned.status, 404, "a /media signature does not open a chain's video");
  // No signature and no session: 401, as any route.
  assert.equal((await fetch(`${url}/chains/${id}/video`)).status, 401);

  const mallory = await auth("mallory@example.test");
  const foreign = await fetch(`${url}/chains/${id}/video`, { headers: mallory });
  assert.equal(foreign.status, 404, "another user's chain is a 404");
  assert.equal((await foreign.json()).error.code, "ERR_NOT_FOUND");
  const post = await fetch(`${url}/chains/${id}/video`, { method: "POST", headers: me });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET, HEAD");
});

test("clips that cannot be joined are refused naming the step and clip (422), not a 500", async (t) => {
  const { worker, url } = await startPair(t);
  const user = "mismatch@example.test";
  const me = await auth(user);
  // Step 2's clip has no audio track where step 1's has one; step 3's is another resolution.
  const { id } = await seedChain(worker.mf, user, { id: "ch-mismatch", clips: [FILES[0], "16x9-05s-c1.mp4", FILES[2]] });
  const refused = await fetch(`${url}/chains/${id}/video`, { headers: me });
  assert.equal(refused.status, 422);
  const { error } = await refused.json();
  assert.equal(error.code, "ERR_KLING_MP4_INCOMPATIBLE");
  assert.equal(error.step, 2);
  assert.equal(error.clip, 1);
  assert.equal(error.media, "ch-mismatch-clip-2.mp4");
  assert.match(error.message, /step 2's clip .*cannot be joined: .*audio/);

  const broken = await seedChain(worker.mf, user, { id: "ch-broken", clips: [FILES[0], FILES[1]] });
  const bucket = await worker.mf.getR2Bucket("MEDIA");
  await bucket.put(`${broken.userKey}/${broken.names[1]}`, new TextEncoder().encode("not an mp4 at all"));
  const bad = await fetch(`${url}/chains/${broken.id}/video`, { headers: me });
  assert.equal(bad.status, 422);
  const body = await bad.json();
  assert.equal(body.error.code, "ERR_KLING_DECODE");
  assert.equal(body.error.step, 2);
});

test("an extend chain's video is its last kept step's video, served as is", async (t) => {
  const { worker, url } = await startPair(t);
  const user = "extend@example.test";
  const me = await auth(user);
  const { id } = await seedChain(worker.mf, user, { id: "ch-extend", method: "extend", clips: [FILES[0], FILES[1], null], steps: 3 });
  const response = await fetch(`${url}/chains/${id}/video`, { headers: { ...me, range: "bytes=5-" } });
  assert.equal(response.status, 206);
  const whole = clip(FILES[1]);
  assert.equal(response.headers.get("content-range"), `bytes 5-${whole.length - 1}/${whole.length}`);
  assert.ok(Buffer.from(await bytesOf(response)).equals(Buffer.from(whole.subarray(5))), "step 2's kept video");
  assert.equal(planned(response), null, "nothing to plan");
});

test("planning reads the clips' headers only: R2 reads and bytes on 1280x720 clips", async (t) => {
  // H.264 High with B-frames and AAC at 1280x720 with detail (about 1.8 MB for 5 s), once with its
  // moov first and once remuxed with its moov last (the two layouts a kept clip can have).
  const dir = `${ROOT}/.tmp/worker-video`;
  mkdirSync(dir, { recursive: true });
  const fast = `${dir}/big-moov-first.mp4`;
  const last = `${dir}/big-moov-last.mp4`;
  const ff = (args) => execFileSync(ffmpegPath(), ["-v", "error", "-y", ...args]);
  ff([
    ...["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=24,noise=alls=12:allf=t"],
    ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "5"],
    ...["-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p", "-crf", "27", "-preset", "veryfast"],
    ...["-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", fast],
  ]);
  ff(["-i", fast, "-c", "copy", last]);
  const { worker, url } = await startPair(t);
  const user = "big@example.test";
  const me = await auth(user);
  const userKey = userKeyOf(user);
  const files = [fast, last, fast, last, fast, last];
  const bytes = files.map((f) => new Uint8Array(readFileSync(f)));
  const ns = await worker.mf.getDurableObjectNamespace("USERS");
  const store = ns.get(ns.idFromName(userKey));
  const bucket = await worker.mf.getR2Bucket("MEDIA");
  const params = { method: "next-shot", prompts: files.map((_, i) => `shot ${i + 1}`), external_task_id: "p-big" };
  await store.createChain({
    chainId: "ch-big",
    prefix: "p-big",
    videoId: "1",
    params,
    steps: files.length,
    instance: "ch-big-1",
    now: Date.now(),
    userKey,
  });
  for (const [i, b] of bytes.entries()) {
    await bucket.put(`${userKey}/big-${i + 1}.mp4`, b);
    await store.linkChainTask("ch-big", i + 1, 1, `p-big-${i + 1}`, "ch-big-1");
    await store.chainStepDone("ch-big", i + 1, 1, `big-${i + 1}.mp4`, Date.now());
  }
  const want = join(bytes);
  const response = await fetch(`${url}/chains/ch-big/video`, { headers: me });
  assert.equal(response.status, 200);
  const plan = planned(response);
  const got = await bytesOf(response);
  assert.ok(Buffer.from(got).equals(Buffer.from(want)), "the served bytes are join(clips)");
  const input = bytes.reduce((n, b) => n + b.length, 0);
  console.log(
    `planning ${files.length} clips of 1280x720 5 s (moov first and last, alternating): ${plan.reads} R2 reads, ${plan.bytes} bytes, for a video of ${want.length} bytes (${((100 * plan.bytes) / want.length).toFixed(2)} %)`,
  );
  assert.ok(plan.reads <= files.length * 2, `${plan.reads} reads`);
  assert.ok(plan.bytes < want.length / 20, `planning read ${plan.bytes} of ${want.length} bytes`);
  assert.ok(input > 5_000_000, `${input} bytes of clips`);
  writeFileSync(`${dir}/big-joined.mp4`, got);
  decodedVideoFrames(`${dir}/big-joined.mp4`);

  // A reader that goes away mid-video (a <video> seeking elsewhere) leaves the route serving.
  const dropped = await fetch(`${url}/chains/ch-big/video`, { headers: me });
  const reader = dropped.body.getReader();
  assert.equal((await reader.read()).done, false);
  await reader.cancel();
  const tail = await fetch(`${url}/chains/ch-big/video`, { headers: { ...me, range: `bytes=${want.length - 4096}-` } });
  assert.equal(tail.status, 206);
  assert.ok(Buffer.from(await bytesOf(tail)).equals(Buffer.from(want.subarray(want.length - 4096))));
});

test("a page on an allowed origin may fetch the video by ranges: preflight and exposed headers", async (t) => {
  const origin = "https://app.example.test";
  const { worker, url } = await startPair(t, { extra: { ALLOWED_ORIGINS: origin } });
  const user = "page@example.test";
  const { id } = await seedChain(worker.mf, user, { id: "ch-page", clips: FILES.slice(0, 2) });
  const pre = await fetch(`${url}/chains/${id}/video`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization, range, if-none-match" },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), origin);
  assert.equal(pre.headers.get("access-control-allow-methods"), "GET, HEAD");
  for (const h of ["authorization", "range", "if-none-match", "if-range"]) {
    assert.ok(pre.headers.get("access-control-allow-headers").toLowerCase().includes(h), h);
  }
  const part = await fetch(`${url}/chains/${id}/video`, { headers: { ...(await auth(user)), origin, range: "bytes=0-15" } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("access-control-allow-origin"), origin);
  for (const h of ["content-range", "etag", "accept-ranges"]) {
    assert.ok(part.headers.get("access-control-expose-headers").toLowerCase().includes(h), h);
  }
  await part.arrayBuffer();
  const other = await fetch(`${url}/chains/${id}/video`, { headers: { ...(await auth(user)), origin: "https://evil.example.test" } });
  assert.equal(other.status, 403, "another origin is refused");
});
