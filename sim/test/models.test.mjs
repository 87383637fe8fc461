import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, beforeEach, test } from "node:test";
import { MODELS, RETIRED_MODELS } from "../lib/models.mjs";
import { api, startFast, waitForTask } from "../test-support/helpers.mjs";

let sim;
before(async () => {
  sim = await startFast();
});
beforeEach(() => sim.reset());
after(() => sim.close());

const T2V = "/v1/videos/text2video";
const I2V = "/v1/videos/image2video";
const IMAGE = "https://example.com/first.png";

async function refused(path, body) {
  const res = await api(sim, "POST", path, body);
  assert.equal(res.status, 400, JSON.stringify(body));
  assert.equal(res.body.code, 1201, JSON.stringify(body));
  assert.equal(res.body.data, undefined);
  return res.body.message;
}

async function accepted(path, body) {
  const res = await api(sim, "POST", path, body);
  assert.equal(res.status, 200, `${JSON.stringify(body)} → ${res.text}`);
  return res.body.data;
}

test("the retired models are refused on text2video and image2video with Kling's message, nothing created", async () => {
  assert.deepEqual(RETIRED_MODELS, ["kling-v1-5", "kling-v1-6", "kling-v2-1", "kling-v2-1-master"]);
  for (const model of RETIRED_MODELS) {
    const message = `The model '${model}' has been discontinued and is no longer available`;
    assert.equal(await refused(T2V, { prompt: "a cat", model_name: model }), message);
    assert.equal(await refused(I2V, { image: IMAGE, model_name: model }), message);
  }
  assert.equal(sim.tasks().length, 0);
});

test("allowRetiredModels accepts the retired models (an account that kept access); kling-v1 stays discontinued", async (t) => {
  sim.configure({ allowRetiredModels: true });
  t.after(() => sim.configure({ allowRetiredModels: false }));
  for (const model of RETIRED_MODELS) {
    await accepted(T2V, { prompt: "a cat", model_name: model });
    await accepted(I2V, { image: IMAGE, model_name: model, duration: "10" });
  }
  assert.equal(
    await refused(T2V, { prompt: "a cat", model_name: "kling-v1" }),
    "The model 'kling-v1' has been discontinued and is no longer available",
  );
  assert.equal(await refused(T2V, { prompt: "a cat" }), "The model 'kling-v1' has been discontinued and is no longer available");
  // The legacy models keep their own rules: 5 or 10 s, no sound.
  assert.match(
    await refused(T2V, { prompt: "a cat", model_name: "kling-v1-6", duration: "7" }),
    /duration "7" is not supported by kling-v1-6/,
  );
  assert.equal(
    await refused(T2V, { prompt: "a cat", model_name: "kling-v1-6", sound: "on" }),
    "kling-v1-6/std/5 is not supported with sound",
  );
});

test("allowRetiredModels is an option of startSimulator and of POST /__sim/config", async () => {
  const keeps = await startFast({ allowRetiredModels: true });
  try {
    assert.equal(keeps.config().allowRetiredModels, true);
    const res = await api(keeps, "POST", T2V, { prompt: "a cat", model_name: "kling-v1-6" });
    assert.equal(res.status, 200);
  } finally {
    await keeps.close();
  }
  assert.equal(sim.config().allowRetiredModels, false);
  const set = await fetch(`${sim.url}/__sim/config`, { method: "POST", body: JSON.stringify({ allowRetiredModels: true }) });
  assert.equal((await set.json()).allowRetiredModels, true);
  sim.configure({ allowRetiredModels: false });
  const bad = await fetch(`${sim.url}/__sim/config`, { method: "POST", body: JSON.stringify({ allowRetiredModels: "yes" }) });
  assert.equal(bad.status, 400);
});

test("durations follow the model: kling-v3 3 to 15 s, the v2 models 5 or 10", async () => {
  for (const duration of ["3", "7", "15"]) await accepted(T2V, { prompt: "x", model_name: "kling-v3", duration });
  assert.match(await refused(T2V, { prompt: "x", model_name: "kling-v3", duration: "16" }), /"3" to "15"/);
  assert.match(await refused(T2V, { prompt: "x", model_name: "kling-v3", duration: "2" }), /duration "2"/);
  for (const model of ["kling-v2-5-turbo", "kling-v2-6", "kling-v2-master"]) {
    await accepted(T2V, { prompt: "x", model_name: model, duration: "10" });
    assert.match(await refused(T2V, { prompt: "x", model_name: model, duration: "3" }), /use "5" or "10"/);
  }
  assert.match(await refused(T2V, { prompt: "x", model_name: "kling-v3", duration: "5.5" }), /whole seconds/);
});

test("sound: kling-v2-6 pro only, kling-v3 in both modes, not on kling-v2-5-turbo", async () => {
  await accepted(T2V, { prompt: "x", model_name: "kling-v2-6", mode: "pro", sound: "on" });
  assert.equal(await refused(T2V, { prompt: "x", model_name: "kling-v2-6", sound: "on" }), "kling-v2-6/std/5 is not supported with sound");
  await accepted(I2V, { image: IMAGE, model_name: "kling-v3", sound: "on", duration: "8" });
  assert.equal(
    await refused(T2V, { prompt: "x", model_name: "kling-v2-5-turbo", mode: "pro", sound: "on" }),
    "kling-v2-5-turbo/pro/5 is not supported with sound",
  );
  await accepted(T2V, { prompt: "x", model_name: "kling-v2-5-turbo", sound: "off" });
  assert.match(await refused(T2V, { prompt: "x", model_name: "kling-v3", sound: true }), /sound must be one of "on", "off"/);
});

test("image_tail: pro only on kling-v2-5-turbo and kling-v2-6, first/last frame on kling-v3, never on kling-v2-master", async () => {
  const tail = { image: IMAGE, image_tail: "https://example.com/last.png" };
  assert.equal(
    await refused(I2V, { ...tail, model_name: "kling-v2-5-turbo", mode: "std", duration: "10" }),
    "kling-v2-5-turbo/std/10 is not supported with image_tail",
  );
  await accepted(I2V, { ...tail, model_name: "kling-v2-5-turbo", mode: "pro", duration: "10" });
  assert.equal(await refused(I2V, { ...tail, model_name: "kling-v2-6" }), "kling-v2-6/std/5 is not supported with image_tail");
  await accepted(I2V, { ...tail, model_name: "kling-v2-6", mode: "pro" });
  await accepted(I2V, { ...tail, model_name: "kling-v3", duration: "12" });
  assert.equal(
    await refused(I2V, { ...tail, model_name: "kling-v2-master", mode: "pro" }),
    "kling-v2-master/pro/5 is not supported with image_tail",
  );
});

test("multi-shot on kling-v3: 1 to 6 shots whose durations add up to the video's", async () => {
  const shots = [
    { index: 1, prompt: "a wide shot of a harbour", duration: "4" },
    { index: 2, prompt: "a close-up of a gull", duration: "6" },
  ];
  const multi = { model_name: "kling-v3", duration: "10", multi_shot: true, shot_type: "customize", multi_prompt: shots };
  const data = await accepted(T2V, multi); // no prompt needed with multi_shot
  const done = await waitForTask(sim, "text2video", data.task_id);
  assert.equal(done.task_result.videos[0].duration, "10");
  await accepted(I2V, { ...multi, image: IMAGE });
  await accepted(T2V, { model_name: "kling-v3", duration: "8", multi_shot: true, shot_type: "intelligence", prompt: "a day at sea" });

  assert.match(await refused(T2V, { ...multi, duration: "12" }), /add up to 10 s, not the duration "12"/);
  const seven = Array.from({ length: 7 }, (_, i) => ({ index: (i % 6) + 1, prompt: "x", duration: "2" }));
  assert.match(await refused(T2V, { ...multi, duration: "14", multi_prompt: seven }), /1 to 6 shots/);
  assert.match(await refused(T2V, { ...multi, multi_prompt: [] }), /1 to 6 shots/);
  assert.match(await refused(T2V, { ...multi, multi_prompt: [{ ...shots[0], duration: "10", index: 7 }] }), /index/);
  assert.match(await refused(T2V, { ...multi, multi_prompt: [{ ...shots[0], duration: "10", prompt: "p".repeat(513) }] }), /512/);
  assert.match(await refused(T2V, { ...multi, multi_prompt: [shots[0], { ...shots[1], index: 1 }] }), /used twice/);
  assert.match(await refused(T2V, { ...multi, multi_prompt: [{ index: 1, prompt: "x" }] }), /duration is required/);
  assert.match(await refused(T2V, { ...multi, multi_prompt: undefined, shot_type: "customize" }), /multi_prompt is required/);
  assert.match(await refused(T2V, { prompt: "x", model_name: "kling-v3", multi_prompt: shots }), /need multi_shot: true/);
  assert.equal(
    await refused(T2V, { ...multi, model_name: "kling-v2-6", mode: "pro" }),
    "kling-v2-6/pro/10 is not supported with multi_shot",
  );
  const unknownField = await api(sim, "POST", T2V, { ...multi, multi_prompt: [{ ...shots[0], duration: "10", camera: "pan" }] });
  assert.deepEqual([unknownField.status, unknownField.body.code], [400, 1200]);
});

test("an unknown model name is accepted with the widest rules (Kling may have released it)", async () => {
  const data = await accepted(T2V, { prompt: "x", model_name: "kling-v4", duration: "12", sound: "on", aspect_ratio: "1:1" });
  const done = await waitForTask(sim, "text2video", data.task_id);
  assert.equal(done.task_result.videos[0].duration, "12");
  await accepted(I2V, { image: IMAGE, image_tail: IMAGE, model_name: "kling-v3-5-turbo" });
  assert.match(await refused(T2V, { prompt: "x", model_name: "Kling V4" }), /not a known model/);
});

test("a model of another family is refused", async () => {
  assert.match(await refused(T2V, { prompt: "x", model_name: "kling-v3-omni" }), /not available on text2video/);
  assert.match(await refused(I2V, { image: IMAGE, model_name: "kling-video-o1" }), /not available on image2video/);
  const omni = await api(sim, "POST", "/v1/videos/omni-video", { prompt: "x", model_name: "kling-v3", aspect_ratio: "16:9" });
  assert.deepEqual([omni.status, omni.body.code], [400, 1201]);
  assert.match(omni.body.message, /not available on omni-video/);
});

test("sim/README.md's model table is the capability matrix of sim/lib/models.mjs", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const rows = new Map();
  for (const line of readme.split("\n")) {
    const match = /^\| `(kling-[a-z0-9-]+)` \| (.*) \|$/.exec(line);
    if (match) rows.set(match[1], match[2].split(" | "));
  }
  assert.deepEqual([...rows.keys()].sort(), Object.keys(MODELS).sort());
  const span = (list) => (list.length > 2 ? `${list[0]}–${list.at(-1)}` : list.join(", "));
  for (const [name, model] of Object.entries(MODELS)) {
    const [families, status, durations, imageTail, sound, multiShot] = rows.get(name);
    assert.equal(families, model.families.join(", "), name);
    assert.equal(status, model.status, name);
    const expected = span(model.durations) + (model.frameDurations ? ` (text or first frame: ${span(model.frameDurations)})` : "");
    assert.equal(durations, expected, name);
    assert.deepEqual([imageTail, sound, multiShot], [model.imageTail, model.sound, model.multiShot ? "yes" : "no"], name);
  }
});
