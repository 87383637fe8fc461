import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { after, before, beforeEach, test } from "node:test";
import { readMp4 } from "../lib/mp4.mjs";
import { api, startFast, waitFor, waitForTask } from "../test-support/helpers.mjs";

const OMNI = "/v1/videos/omni-video";
const IMAGE = "https://example.com/a.png";
const clip = (name) => readFileSync(new URL(`../media/gen/${name}`, import.meta.url));

/** A copy of an MP4 whose movie header says `seconds` long (the header is all the rule reads). */
function withMovieDuration(bytes, seconds) {
  const copy = Buffer.from(bytes);
  const at = copy.indexOf("mvhd", 0, "latin1") + 4; // payload: version 0, then times, timescale, duration
  assert.equal(copy[at], 0);
  copy.writeUInt32BE(Math.round(seconds * copy.readUInt32BE(at + 12)), at + 16);
  return copy;
}

// A loopback server standing in for wherever a caller keeps its reference videos.
const FILES = {
  "/five.mp4": clip("16x9-05s-c1.mp4"),
  "/twelve.mp4": clip("16x9-12s-c0.mp4"),
  "/short.mp4": withMovieDuration(clip("16x9-05s-c0.mp4"), 2.5),
  "/portrait-7.mp4": clip("9x16-07s-c2-aac.mp4"),
  "/page.html": Buffer.from("<!doctype html><title>not a video</title>"),
};
let files;
let filesUrl;
let sim;
before(async () => {
  files = createServer((req, res) => {
    const body = FILES[req.url];
    res.writeHead(body ? 200 : 404, { "Content-Type": req.url.endsWith(".mp4") ? "video/mp4" : "text/html" });
    res.end(body ?? "not found");
  });
  await new Promise((resolve) => files.listen(0, "127.0.0.1", resolve));
  filesUrl = `http://127.0.0.1:${files.address().port}`;
  sim = await startFast();
});
beforeEach(() => sim.reset());
after(async () => {
  await sim.close();
  files.closeAllConnections();
  await new Promise((resolve) => files.close(resolve));
});

async function refused(body) {
  const res = await api(sim, "POST", OMNI, body);
  assert.equal(res.status, 400, JSON.stringify(body));
  assert.equal(res.body.code, 1201, `${JSON.stringify(body)} → ${res.text}`);
  return res.body.message;
}

async function accepted(body) {
  const res = await api(sim, "POST", OMNI, body);
  assert.equal(res.status, 200, `${JSON.stringify(body)} → ${res.text}`);
  return res.body.data;
}

const o1 = (extra) => ({ model_name: "kling-video-o1", prompt: "a lighthouse at dusk", aspect_ratio: "16:9", ...extra });
const v3 = (extra) => ({ model_name: "kling-v3-omni", prompt: "a lighthouse at dusk", aspect_ratio: "16:9", ...extra });
const reference = (url, extra = {}) => ({ video_list: [{ video_url: url, refer_type: "feature", ...extra }] });

test("omni-video is a family like the others: create, get by id or external id, list, callbacks, duplicates", async () => {
  const receiver = createServer((req, res) => {
    req.resume();
    res.end();
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  try {
    const callback = `http://127.0.0.1:${receiver.address().port}/hook`;
    const created = await accepted(v3({ duration: "7", external_task_id: "omni-1", callback_url: callback }));
    assert.deepEqual(Object.keys(created), ["task_id", "task_status", "task_info", "created_at", "updated_at"]);
    assert.equal(created.task_status, "submitted");
    assert.deepEqual(created.task_info, { external_task_id: "omni-1" });
    const done = await waitForTask(sim, "omni-video", created.task_id);
    assert.equal(done.task_status, "succeed");
    assert.equal(done.task_result.videos[0].duration, "7");
    assert.equal(done.final_unit_deduction, "2.8");
    const byExternal = await api(sim, "GET", `${OMNI}/omni-1`);
    assert.equal(byExternal.body.data.task_id, created.task_id);
    const dup = await api(sim, "POST", OMNI, v3({ external_task_id: "omni-1" }));
    assert.deepEqual([dup.status, dup.body.code], [400, 1201]);
    assert.match(dup.body.message, /external_task_id/);
    await accepted(o1({ duration: "10" }));
    const page = await api(sim, "GET", `${OMNI}?pageNum=1&pageSize=1`);
    assert.equal(page.body.data.length, 1);
    assert.equal(page.body.data[0].task_result, undefined, "newest first: the o1 task is still running");
    assert.equal((await api(sim, "GET", `/v1/videos/text2video/${created.task_id}`)).status, 404);
    const deliveries = await waitFor(() => {
      const list = sim.callbacks().filter((d) => d.task_id === created.task_id);
      return list.length === 3 && list.every((d) => d.done) ? list : null;
    });
    assert.deepEqual(
      deliveries.map((d) => d.task_status),
      ["submitted", "processing", "succeed"],
    );
    assert.deepEqual(
      sim.tasks().map((t) => t.family),
      ["omni-video", "omni-video"],
    );
  } finally {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
});

test("kling-video-o1: 3 to 10 s, but 5 or 10 from text alone or a first frame; no multi-shot, no sound", async () => {
  assert.match(await refused(o1({ duration: "7" })), /from text or a first frame: use "5" or "10"/);
  const firstFrame = { image_list: [{ image_url: IMAGE, type: "first_frame" }] };
  assert.match(await refused(o1({ ...firstFrame, duration: "4" })), /use "5" or "10"/);
  await accepted(o1({ ...firstFrame, duration: "10" }));
  await accepted(o1({ image_list: [{ image_url: IMAGE }], prompt: "<<<image_1>>> walks", duration: "7" }));
  await accepted(o1({ element_list: [{ element_id: "123" }], duration: "3" }));
  await accepted(o1({ ...reference(`${filesUrl}/five.mp4`), duration: "4" }));
  assert.match(await refused(o1({ image_list: [{ image_url: IMAGE }], duration: "11" })), /"3" to "10"/);
  assert.equal(await refused(o1({ sound: "on" })), "kling-video-o1/std/5 is not supported with sound");
  const shots = { multi_shot: true, shot_type: "customize", multi_prompt: [{ index: 1, prompt: "x", duration: "5" }] };
  assert.equal(await refused(o1(shots)), "kling-video-o1/std/5 is not supported with multi_shot");
});

test("kling-v3-omni: 3 to 15 s, multi-shot without a prompt, sound", async () => {
  await accepted(v3({ duration: "15", sound: "on" }));
  await accepted(v3({ duration: "3" }));
  assert.match(await refused(v3({ duration: "16" })), /"3" to "15"/);
  const shots = [
    { index: 1, prompt: "<<<image_1>>> opens the door", duration: "3" },
    { index: 2, prompt: "she steps outside", duration: "5" },
  ];
  const multi = { multi_shot: true, shot_type: "customize", multi_prompt: shots, duration: "8" };
  await accepted(v3({ ...multi, prompt: undefined, image_list: [{ image_url: IMAGE }] }));
  assert.match(await refused(v3({ ...multi, prompt: undefined })), /<<<image_1>>> but the request has 0 images/);
  assert.match(await refused(v3({ prompt: undefined })), /prompt is required/);
  assert.match(await refused(v3({ prompt: "  " })), /prompt must not be empty/);
  assert.match(await refused({ prompt: "x", aspect_ratio: "16:9" }), /model_name is required/);
});

test("image_list, element_list and video_list are checked field by field and counted together", async () => {
  const images = (n) => Array.from({ length: n }, () => ({ image_url: IMAGE }));
  const elements = (n) => Array.from({ length: n }, (_, i) => ({ element_id: String(100 + i) }));
  await accepted(v3({ image_list: images(4), element_list: elements(3) }));
  assert.match(await refused(v3({ image_list: images(5), element_list: elements(3) })), /at most 7 inputs together; got 8/);
  await accepted(v3({ image_list: images(2), element_list: elements(2), ...reference(`${filesUrl}/five.mp4`) }));
  assert.match(
    await refused(v3({ image_list: images(3), element_list: elements(2), ...reference(`${filesUrl}/five.mp4`) })),
    /at most 4 inputs together with a reference video; got 5/,
  );
  const two = { video_list: [{ video_url: `${filesUrl}/five.mp4` }, { video_url: `${filesUrl}/five.mp4` }] };
  assert.match(await refused(v3(two)), /at most 1 video/);
  assert.match(await refused(v3({ image_list: [{ image_url: IMAGE, type: "end_frame" }] })), /end_frame .* needs a first_frame/);
  const frames = [
    { image_url: IMAGE, type: "first_frame" },
    { image_url: IMAGE, type: "first_frame" },
  ];
  assert.match(await refused(v3({ image_list: frames })), /at most one first_frame/);
  assert.match(await refused(v3({ image_list: [{ image_url: IMAGE, type: "middle" }] })), /type must be one of/);
  assert.match(await refused(v3({ image_list: [{ type: "first_frame" }] })), /image_list\[0\]\.image_url is required/);
  assert.match(await refused(v3({ image_list: [{ image_url: "data:image/png;base64,AAAA" }] })), /data:/);
  assert.match(await refused(v3({ element_list: [{ element_id: "" }] })), /element id/);
  assert.match(await refused(v3({ ...reference(`${filesUrl}/five.mp4`, { refer_type: "style" }) })), /refer_type/);
  assert.match(await refused(v3({ ...reference(`${filesUrl}/five.mp4`, { keep_original_sound: true }) })), /keep_original_sound/);
  assert.match(await refused(v3({ ...reference("ftp://example.com/a.mp4") })), /http\(s\) URL/);
  assert.match(await refused(v3({ image_list: "a.png" })), /image_list must be an array/);
  const unknown = await api(sim, "POST", OMNI, v3({ image_list: [{ image_url: IMAGE, weight: 1 }] }));
  assert.deepEqual([unknown.status, unknown.body.code], [400, 1200]);
  assert.match(unknown.body.message, /unknown field "weight" for image_list\[0\]/);
  const unknownTop = await api(sim, "POST", OMNI, v3({ image_tail: IMAGE }));
  assert.deepEqual([unknownTop.status, unknownTop.body.code], [400, 1200]);
});

test("placeholders name inputs that exist; aspect_ratio is needed without a first frame or base video; no sound with a video", async () => {
  const one = { image_list: [{ image_url: IMAGE }], element_list: [{ element_id: 42 }] };
  await accepted(v3({ ...one, prompt: "<<<image_1>>> meets <<<element_1>>>" }));
  assert.match(await refused(v3({ ...one, prompt: "<<<image_2>>> waves" })), /<<<image_2>>> but the request has 1 image$/);
  assert.match(await refused(v3({ ...one, prompt: "<<<element_2>>>" })), /<<<element_2>>>/);
  assert.match(await refused(v3({ ...one, prompt: "the next shot of <<<video_1>>>" })), /<<<video_1>>> but the request has 0 videos/);
  await accepted(v3({ ...reference(`${filesUrl}/five.mp4`), prompt: "the next shot of <<<video_1>>>" }));

  assert.match(await refused(v3({ aspect_ratio: undefined })), /aspect_ratio is required/);
  assert.match(await refused(v3({ aspect_ratio: undefined, ...reference(`${filesUrl}/five.mp4`) })), /aspect_ratio is required/);
  await accepted(v3({ aspect_ratio: undefined, image_list: [{ image_url: IMAGE, type: "first_frame" }] }));
  await accepted(v3({ aspect_ratio: undefined, ...reference(`${filesUrl}/five.mp4`, { refer_type: "base" }) }));

  assert.match(await refused(v3({ sound: "on", ...reference(`${filesUrl}/five.mp4`) })), /sound cannot be on with a reference video/);
  await accepted(v3({ sound: "off", ...reference(`${filesUrl}/five.mp4`, { keep_original_sound: "yes" }) }));
});

test("a reference video must be an MP4 of 3 to 10 s: the simulator fetches it and reads its length", async () => {
  assert.match(
    await refused(v3(reference(`${filesUrl}/short.mp4`))),
    /video_list\[0\]\.video_url is 2\.5 s long; a reference video must be 3 to 10 s/,
  );
  assert.match(await refused(v3(reference(`${filesUrl}/twelve.mp4`))), /is 12 s long/);
  assert.match(await refused(v3(reference(`${filesUrl}/page.html`))), /is not an MP4 or MOV video/);
  assert.match(await refused(v3(reference(`${filesUrl}/missing.mp4`))), /could not be fetched: HTTP 404/);
  assert.match(await refused(v3(reference("http://127.0.0.1:1/a.mp4"))), /could not be fetched/);
  assert.equal(sim.tasks().length, 0);
  await accepted(v3(reference(`${filesUrl}/five.mp4`)));
});

test("the simulator's own results can be the next shot's reference (read directly), unknown media cannot", async () => {
  const first = await accepted(v3({ duration: "6" }));
  const done = await waitForTask(sim, "omni-video", first.task_id);
  const url = done.task_result.videos[0].url;
  assert.ok(url.startsWith(`${sim.url}/media/`));
  const next = await accepted(v3({ prompt: "the next shot of <<<video_1>>>", ...reference(url), duration: "5" }));
  assert.equal((await waitForTask(sim, "omni-video", next.task_id)).task_result.videos[0].duration, "5");
  assert.match(await refused(v3(reference(`${sim.url}/media/123456789012345678.mp4`))), /HTTP 404/);
  const long = await accepted(v3({ duration: "11" }));
  const longUrl = (await waitForTask(sim, "omni-video", long.task_id)).task_result.videos[0].url;
  assert.match(await refused(v3(reference(longUrl))), /is 11 s long/);
});

test('refer_type "base": the output has the input\'s length and shape, whatever duration was asked', async () => {
  const task = await accepted({
    model_name: "kling-video-o1",
    prompt: "make <<<video_1>>> rainy",
    duration: "10",
    video_list: [{ video_url: `${filesUrl}/portrait-7.mp4`, refer_type: "base", keep_original_sound: "no" }],
  });
  const done = await waitForTask(sim, "omni-video", task.task_id);
  assert.equal(done.task_result.videos[0].duration, "7");
  const bytes = Buffer.from(await (await fetch(done.task_result.videos[0].url)).arrayBuffer());
  const info = readMp4(bytes);
  assert.equal(info.duration, 7);
  const video = info.tracks.find((t) => t.kind === "video");
  assert.deepEqual([video.width, video.height], [90, 160]);
  // refer_type defaults to base.
  const plain = await accepted({ model_name: "kling-v3-omni", prompt: "x", video_list: [{ video_url: `${filesUrl}/five.mp4` }] });
  assert.equal((await waitForTask(sim, "omni-video", plain.task_id)).task_result.videos[0].duration, "5");
});
