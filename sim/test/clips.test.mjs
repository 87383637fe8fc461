import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { after, before, beforeEach, test } from "node:test";
import { readMp4 } from "../lib/mp4.mjs";
import { api, SAMPLE, startFast, waitForTask } from "../test-support/helpers.mjs";

const MEDIA = new URL("../media/", import.meta.url);

let sim;
before(async () => {
  sim = await startFast();
});
beforeEach(() => sim.reset());
after(() => sim.close());

/** Creates a task, waits for it, downloads its video: { data, bytes, info, video, audio }. */
async function generate(family, body) {
  const created = await api(sim, "POST", `/v1/videos/${family}`, body);
  assert.equal(created.status, 200, created.text);
  const data = await waitForTask(sim, family, created.body.data.task_id);
  assert.equal(data.task_status, "succeed");
  const response = await fetch(data.task_result.videos[0].url);
  assert.equal(response.status, 200);
  const bytes = Buffer.from(await response.arrayBuffer());
  const info = readMp4(bytes);
  assert.ok(info, "the result is an MP4");
  return {
    data,
    bytes,
    info,
    video: info.tracks.find((t) => t.kind === "video"),
    audio: info.tracks.find((t) => t.kind === "audio"),
  };
}

const topLevel = (bytes) => {
  const types = [];
  for (let at = 0; at + 8 <= bytes.length; at += bytes.readUInt32BE(at)) types.push(bytes.toString("latin1", at + 4, at + 8));
  return types;
};

test("each generating task's result is an H.264 MP4 of the task's duration, shape and sound", async () => {
  const cases = [
    ["text2video", { prompt: "x", model_name: "kling-v3", duration: "3" }, 3, [160, 90], false],
    ["text2video", { prompt: "x", model_name: "kling-v3", duration: "15", aspect_ratio: "9:16", sound: "on" }, 15, [90, 160], true],
    [
      "text2video",
      { prompt: "x", model_name: "kling-v2-6", mode: "pro", duration: "10", aspect_ratio: "1:1", sound: "on" },
      10,
      [120, 120],
      true,
    ],
    ["image2video", { image: "https://example.com/a.png", model_name: "kling-v2-5-turbo" }, 5, [160, 90], false],
    ["omni-video", { model_name: "kling-v3-omni", prompt: "x", aspect_ratio: "16:9", duration: "12", sound: "on" }, 12, [160, 90], true],
  ];
  for (const [family, body, seconds, size, sound] of cases) {
    const { data, bytes, info, video, audio } = await generate(family, body);
    const label = JSON.stringify(body);
    assert.equal(data.task_result.videos[0].duration, String(seconds), label);
    assert.equal(info.duration, seconds, label);
    assert.equal(video.codec, "avc1", label);
    assert.equal(Number.parseInt(video.config.slice(2, 4), 16), 100, `${label}: H.264 High profile`);
    assert.deepEqual([video.width, video.height], size, label);
    assert.equal(Boolean(audio), sound, label);
    if (sound) assert.deepEqual([audio.codec, audio.channels], ["mp4a", 1], label);
    const boxes = topLevel(bytes);
    assert.equal(boxes[0], "ftyp", label);
    assert.ok(boxes.indexOf("moov") < boxes.indexOf("mdat"), `${label}: faststart (moov before mdat)`);
  }
});

test("consecutive tasks get different clips that share the codec settings of their aspect ratio", async () => {
  const body = { prompt: "x", model_name: "kling-v3", duration: "5", sound: "on" };
  const results = [];
  for (let i = 0; i < 4; i++) results.push(await generate("text2video", body));
  const digests = results.map((r) => createHash("sha256").update(r.bytes).digest("hex"));
  for (let i = 1; i < digests.length; i++) assert.notEqual(digests[i], digests[i - 1], `task ${i} repeats task ${i - 1}'s clip`);
  for (const r of results) {
    assert.equal(r.video.config, results[0].video.config);
    assert.equal(r.audio.config, results[0].audio.config);
    assert.equal(r.video.timescale, results[0].video.timescale);
  }
  // The watermarked copy is the same clip.
  const { url, watermark_url } = (await generate("text2video", { ...body, watermark_info: { enabled: true } })).data.task_result.videos[0];
  const [plain, marked] = await Promise.all([url, watermark_url].map(async (u) => Buffer.from(await (await fetch(u)).arrayBuffer())));
  assert.deepEqual(plain, marked);
});

test("mismatchNextClips: the next N generating tasks get a clip that cannot be joined to the others", async () => {
  const body = { prompt: "x", model_name: "kling-v3", duration: "6" };
  const normal = await generate("text2video", body);
  sim.configure({ mismatchNextClips: 2 });
  // An extension does not use the generated clips and leaves the count alone.
  const ext = await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v15 });
  await waitForTask(sim, "video-extend", ext.body.data.task_id);
  assert.equal(sim.config().mismatchNextClips, 2);
  const odd1 = await generate("text2video", body);
  const odd2 = await generate("omni-video", { model_name: "kling-v3-omni", prompt: "x", aspect_ratio: "16:9", duration: "6", sound: "on" });
  assert.equal(sim.config().mismatchNextClips, 0);
  const again = await generate("text2video", body);
  for (const odd of [odd1, odd2]) {
    assert.equal(odd.info.duration, 6, "still the task's duration");
    assert.notDeepEqual([odd.video.width, odd.video.height], [normal.video.width, normal.video.height]);
    assert.notEqual(odd.video.config, normal.video.config);
  }
  assert.ok(odd2.audio, "sound is kept");
  assert.deepEqual(
    [again.video.width, again.video.height, again.video.config],
    [normal.video.width, normal.video.height, normal.video.config],
  );

  const set = await fetch(`${sim.url}/__sim/config`, { method: "POST", body: JSON.stringify({ mismatchNextClips: 1 }) });
  assert.equal((await set.json()).mismatchNextClips, 1);
  const overHttp = await generate("image2video", { image: "https://example.com/a.png", model_name: "kling-v3", duration: "6" });
  assert.notEqual(overHttp.video.config, normal.video.config);
  const bad = await fetch(`${sim.url}/__sim/config`, { method: "POST", body: JSON.stringify({ mismatchNextClips: -1 }) });
  assert.equal(bad.status, 400);
});

test("a generated result answers HEAD and Range like the other media", async () => {
  const { data, bytes } = await generate("text2video", { prompt: "x", model_name: "kling-v3", duration: "4" });
  const { url } = data.task_result.videos[0];
  const head = await fetch(url, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get("content-length")), bytes.length);
  const part = await fetch(url, { headers: { Range: "bytes=100-199" } });
  assert.equal(part.status, 206);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200));
});

test("samples and extension results keep the legacy clips", async () => {
  const legacy = ["clip-a.mp4", "clip-b.mp4", "clip-c.mp4"].map((name) => readFileSync(new URL(name, MEDIA)));
  const sample = Buffer.from(await (await fetch(sim.samples[0].url)).arrayBuffer());
  assert.ok(legacy.some((clip) => clip.equals(sample)));
  const ext = await api(sim, "POST", "/v1/videos/video-extend", { video_id: SAMPLE.v16 });
  const done = await waitForTask(sim, "video-extend", ext.body.data.task_id);
  const extended = Buffer.from(await (await fetch(done.task_result.videos[0].url)).arrayBuffer());
  assert.ok(legacy.some((clip) => clip.equals(extended)));
});

test("the committed clips: every shape covers 3-15 s with and without sound, one codec setting per shape, under 3 MB", () => {
  const names = readdirSync(new URL("gen/", MEDIA));
  const configs = new Map();
  for (const name of names) {
    const match = /^(16x9|9x16|1x1|odd)-(\d\d)s(?:-c(\d))?(-aac)?\.mp4$/.exec(name);
    assert.ok(match, `unexpected file sim/media/gen/${name}`);
    const info = readMp4(readFileSync(new URL(`gen/${name}`, MEDIA)));
    assert.equal(info.duration, Number(match[2]), name);
    const video = info.tracks.find((t) => t.kind === "video");
    const audio = info.tracks.find((t) => t.kind === "audio");
    assert.equal(Boolean(audio), Boolean(match[4]), name);
    const key = `${match[1]}${match[4] ?? ""}`;
    const setting = JSON.stringify([video.width, video.height, video.config, video.timescale, audio?.config, audio?.sampleRate]);
    configs.set(key, [...(configs.get(key) ?? []), setting]);
  }
  for (const ratio of ["16x9", "9x16", "1x1"]) {
    for (let s = 3; s <= 15; s++) {
      for (const sound of ["", "-aac"]) {
        assert.ok(names.includes(`${ratio}-${String(s).padStart(2, "0")}s-c0${sound}.mp4`), `${ratio} ${s} s${sound}`);
        assert.ok(names.includes(`odd-${String(s).padStart(2, "0")}s${sound}.mp4`), `odd ${s} s${sound}`);
      }
    }
  }
  for (const [key, settings] of configs) assert.equal(new Set(settings).size, 1, `${key}: one codec setting`);
  const total = [...names.map((n) => `gen/${n}`), "clip-a.mp4", "clip-b.mp4", "clip-c.mp4"].reduce(
    (sum, name) => sum + statSync(new URL(name, MEDIA)).size,
    0,
  );
  assert.ok(total < 3_000_000, `sim/media holds ${total} bytes of clips`);
});
