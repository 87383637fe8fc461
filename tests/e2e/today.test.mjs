// Today's Kling through the built package against the simulator: a retired model refused by Kling
// (the simulator's calendar) and explained by the package; Omni-Video with a reference video (a
// previous task's result, probed by the simulator) and multi-shot, created and waited for.

import assert from "node:assert/strict";
import { test } from "node:test";
import { apiRequests, clientFor, FAST, limits, rejectionOf, startSim } from "./support.mjs";

test("the simulator refuses a retired model with the error Kling gives, and the package's message for it names a current model", async (t) => {
  // An account without the v1.x models; the client sends them anyway, as it was told to.
  const sim = await startSim({ allowRetiredModels: false });
  t.after(() => sim.close());
  const kling = clientFor(sim, { allowRetiredModels: true });
  const today = limits().families.text2video.currentModel;
  assert.equal(today, "kling-v3");

  const e = await rejectionOf(kling.textToVideo.create({ model_name: "kling-v1-6", prompt: "a fox", duration: "5" }));
  // Kling's refusal (not the package's own): a bad request, with Kling's code.
  assert.equal(e.code, "ERR_KLING_BAD_REQUEST");
  assert.equal(e.apiCode, 1201);
  assert.equal(e.status, 400);
  assert.equal(e.field, "model_name");
  // Kling's own words first, then what to do: today's model, and the option for accounts with access.
  assert.match(
    e.message,
    /^Kling answered HTTP 400 with code 1201: The model 'kling-v1-6' has been discontinued and is no longer available\. Kling no longer generates with kling-v1-6: use kling-v3 instead\./,
  );
  assert.doesNotMatch(e.message, /Fix the request parameters/, "the general advice gives way to the model's");
  assert.match(e.message, /allowRetiredModels: true/);
  assert.match(e.requestId, /\S/);
  // It was sent (the package was told to), Kling refused it, and no task exists.
  const sent = apiRequests(sim, "POST", "/v1/videos/text2video");
  assert.equal(sent.length, 1);
  assert.equal(sent[0].status, 400);
  assert.equal(sent[0].body.model_name, "kling-v1-6");
  assert.equal(sim.tasks().length, 0);

  // image2video's retired models get the same treatment, with their own replacement.
  const i2v = await rejectionOf(kling.imageToVideo.create({ model_name: "kling-v2-1", image: "https://example.com/a.png", duration: "5" }));
  const row = limits().families.image2video.models.find((m) => m.name === "kling-v2-1");
  assert.equal(i2v.field, "model_name");
  assert.match(i2v.message, /^Kling answered HTTP 400 with code 1201: The model 'kling-v2-1' has been discontinued/);
  assert.ok(i2v.message.includes(`use ${row.retired.instead} instead.`), i2v.message);

  // Without the option nothing reaches Kling: the package refuses first, with the same advice.
  const before = sim.requests().length;
  const local = await rejectionOf(clientFor(sim).textToVideo.create({ model_name: "kling-v1-6", prompt: "a fox" }));
  assert.equal(local.field, "model_name");
  assert.match(local.message, /Use kling-v3 instead/);
  assert.equal(sim.requests().length, before);
});

/** The mvhd duration of an MP4 the simulator serves, in seconds (version 0 and 1 boxes). */
async function mp4Seconds(url) {
  const r = await fetch(url);
  assert.equal(r.status, 200, url);
  const bytes = new Uint8Array(await r.arrayBuffer());
  const view = new DataView(bytes.buffer);
  const at = Buffer.from(bytes).indexOf("mvhd");
  assert.ok(at > 4, `${url} has no mvhd`);
  const version = bytes[at + 4];
  const body = at + 8;
  return version === 1
    ? Number(view.getBigUint64(body + 24)) / view.getUint32(body + 16)
    : view.getUint32(body + 12) / view.getUint32(body + 8);
}

test("an Omni-Video create with a reference video and a multi-shot create both succeed on the simulator", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const omniModel = limits().families["omni-video"].currentModel;
  assert.equal(omniModel, "kling-v3-omni");

  // The reference: a previous task's result, a 5 s kling-v3 clip.
  const source = await kling.textToVideo.createAndWait({ model_name: "kling-v3", prompt: "a red fox in snow", duration: "5" }, FAST);
  const ref = source.task_result.videos[0];
  assert.equal(ref.duration, "5");

  // A feature reference: the result is the duration asked for.
  const feature = await kling.omniVideo.createAndWait(
    {
      model_name: omniModel,
      prompt: "The fox of <<<video_1>>> runs on through a forest",
      aspect_ratio: "16:9",
      duration: "8",
      video_list: [{ video_url: ref.url, refer_type: "feature", keep_original_sound: "no" }],
      external_task_id: "omni-ref-1",
    },
    FAST,
  );
  assert.equal(feature.task_status, "succeed");
  assert.equal(feature.task_info.external_task_id, "omni-ref-1");
  const fv = feature.task_result.videos[0];
  assert.equal(fv.duration, "8");
  assert.ok(Math.abs((await mp4Seconds(fv.url)) - 8) < 0.2);
  const body = apiRequests(sim, "POST", "/v1/videos/omni-video")[0].body;
  assert.deepEqual(body.video_list, [{ video_url: ref.url, refer_type: "feature", keep_original_sound: "no" }]);

  // A base reference: the simulator read the clip's length from its MP4, and the result has it.
  const base = await kling.omniVideo.createAndWait(
    { model_name: omniModel, prompt: "Restyle <<<video_1>>> as a watercolour", video_list: [{ video_url: ref.url, refer_type: "base" }] },
    FAST,
  );
  assert.equal(base.task_result.videos[0].duration, "5");

  // A 15 s reference is too long for Kling (3–10 s): the simulator probes it and refuses.
  const long = await kling.textToVideo.createAndWait({ model_name: "kling-v3", prompt: "a long shot", duration: "15" }, FAST);
  const tooLong = await rejectionOf(
    kling.omniVideo.create({
      model_name: omniModel,
      prompt: "Like <<<video_1>>>",
      aspect_ratio: "16:9",
      video_list: [{ video_url: long.task_result.videos[0].url, refer_type: "feature" }],
    }),
  );
  assert.equal(tooLong.code, "ERR_KLING_BAD_REQUEST");
  assert.equal(tooLong.apiCode, 1201);
  assert.match(tooLong.message, /is 15 s long; a reference video must be 3 to 10 s/);

  // Multi-shot: three shots whose durations add up to the whole.
  const shots = [
    { index: 1, prompt: "A fox wakes in its den", duration: "3" },
    { index: 2, prompt: "It steps out into the snow", duration: "4" },
    { index: 3, prompt: "It trots off towards the sunrise", duration: "5" },
  ];
  const multi = await kling.omniVideo.createAndWait(
    {
      model_name: omniModel,
      multi_shot: true,
      shot_type: "customize",
      multi_prompt: shots,
      duration: "12",
      aspect_ratio: "9:16",
      sound: "on",
    },
    FAST,
  );
  assert.equal(multi.task_status, "succeed");
  const mv = multi.task_result.videos[0];
  assert.equal(mv.duration, "12");
  assert.ok(Math.abs((await mp4Seconds(mv.url)) - 12) < 0.2);
  const sent = apiRequests(sim, "POST", "/v1/videos/omni-video").at(-1).body;
  assert.deepEqual(sent.multi_prompt, shots);
  assert.equal(sent.multi_shot, true);

  // Shots that do not add up are refused before sending, on the field Kling would name.
  const before = sim.requests().length;
  const off = await rejectionOf(
    kling.omniVideo.create({
      model_name: omniModel,
      multi_shot: true,
      shot_type: "customize",
      multi_prompt: shots,
      duration: "10",
      aspect_ratio: "16:9",
    }),
  );
  assert.equal(off.code, "ERR_KLING_INVALID_REQUEST");
  assert.match(off.field, /multi_prompt|duration/);
  assert.equal(sim.requests().length, before);
});
