// The capability table through the built package: for every row `limits().families` exports,
// each allowed mode, duration, aspect ratio and feature passes `checkParams`, and each value
// outside the row is refused with its `field` — the same loop as tests/caps.rs, read from the
// table as a page or a service reads it. Then `price`, and `kling.omniVideo` on the wire.

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkParams, clientFor, KlingClient, KlingError, limits, price, startSim } from "./support.mjs";

const IMG = "https://example.com/a.png";
const FUTURE = "kling-v9-future";
const GENERATIONS = ["text2video", "image2video", "omni-video"];

const base = (family, model) =>
  family === "text2video"
    ? { model_name: model, prompt: "a fox" }
    : family === "image2video"
      ? { model_name: model, image: IMG }
      : { model_name: model, prompt: "a fox", aspect_ratio: "16:9" };

/** A request that uses each feature, and the field a model without it is refused on. */
const EXAMPLES = {
  image_tail: [{ image_tail: IMG }, "image_tail"],
  sound: [{ sound: "on" }, "sound"],
  multi_shot: [
    {
      multi_shot: true,
      shot_type: "customize",
      duration: "5",
      multi_prompt: [
        { index: 1, prompt: "a", duration: "2" },
        { index: 2, prompt: "b", duration: "3" },
      ],
    },
    "multi_shot",
  ],
  reference_video: [{ video_list: [{ video_url: "https://example.com/v.mp4", refer_type: "feature" }] }, "video_list"],
  elements: [{ element_list: [{ element_id: "e1" }] }, "element_list"],
  end_frame: [
    {
      image_list: [
        { image_url: IMG, type: "first_frame" },
        { image_url: IMG, type: "end_frame" },
      ],
    },
    "image_list",
  ],
};

function refusal(family, params, options) {
  try {
    checkParams(family, params, options);
  } catch (e) {
    assert.ok(e instanceof KlingError);
    assert.equal(e.code, "ERR_KLING_INVALID_REQUEST");
    return e;
  }
  assert.fail(`${family} ${JSON.stringify(params)} must be refused`);
}

/** Every row the table exports, with the name it is tried under (an unknown name for anyModel). */
function rows() {
  const { families } = limits();
  return GENERATIONS.flatMap((family) => [
    ...families[family].models.map((row) => ({ family, row, model: row.name, generic: families[family].anyModel })),
    { family, row: families[family].anyModel, model: FUTURE, generic: families[family].anyModel },
  ]);
}

/** What a text-only request may last: the row's durations, narrowed by a `text_or_first_frame` rule. */
function textOnly(family, row) {
  const narrowed = row.rules.find((r) => r.kind === "durationsWhen" && r.when === "text_or_first_frame");
  return family === "omni-video" && narrowed ? row.durations.filter((d) => narrowed.durations.includes(d)) : row.durations;
}

test("every row's modes, durations and aspect ratios pass, and every other value is refused with its field", () => {
  let checked = 0;
  for (const { family, row, model } of rows()) {
    const options = { allowRetiredModels: row.retired !== null };
    for (const mode of row.modes) checkParams(family, { ...base(family, model), mode }, options);
    assert.equal(refusal(family, { ...base(family, model), mode: "fast" }, options).field, "mode");
    const allowed = textOnly(family, row);
    for (let n = 0; n <= 61; n++) {
      const params = { ...base(family, model), duration: String(n) };
      if (allowed.includes(String(n))) checkParams(family, params, options);
      else assert.equal(refusal(family, params, options).field, "duration", `${model} ${n}`);
      checked++;
    }
    for (const aspect_ratio of row.aspectRatios) checkParams(family, { ...base(family, model), aspect_ratio }, options);
    assert.equal(refusal(family, { ...base(family, model), aspect_ratio: "4:3" }, options).field, "aspect_ratio");
  }
  assert.ok(checked > 1000, `${checked} durations checked`);
});

test("every row takes exactly its features, in the modes its rules allow", () => {
  for (const { family, row, model, generic } of rows()) {
    const options = { allowRetiredModels: row.retired !== null };
    for (const feature of generic.features) {
      const [extra, field] = EXAMPLES[feature];
      const pro = { ...base(family, model), ...extra, mode: "pro" };
      if (!row.features.includes(feature)) {
        assert.match(refusal(family, pro, options).message, /does not take/, `${model} ${feature}`);
        continue;
      }
      checkParams(family, pro, options);
      const onlyPro = row.rules.some(
        (r) => r.kind === "onlyInMode" && (r.when === feature || (feature === "sound" && r.when === "sound:on")),
      );
      const std = { ...base(family, model), ...extra, mode: "std" };
      if (onlyPro) assert.equal(refusal(family, std, options).field, field, `${model} ${feature}`);
      else checkParams(family, std, options);
    }
  }
});

test("retired models are refused naming today's model, unless allowRetiredModels", () => {
  const { families, retiredModels } = limits();
  assert.ok(retiredModels.includes("kling-v1-6") && retiredModels.includes("kling-v2-1"));
  assert.equal(families.text2video.currentModel, "kling-v3");
  assert.equal(families["omni-video"].currentModel, "kling-v3-omni");
  const e = refusal("text2video", { model_name: "kling-v1-6", prompt: "p" });
  assert.equal(e.field, "model_name");
  assert.match(e.message, /Use kling-v3 instead/);
  assert.match(e.message, /allowRetiredModels/);
  checkParams("text2video", { model_name: "kling-v1-6", prompt: "p" }, { allowRetiredModels: true });
  assert.match(refusal("text2video", { prompt: "p" }).message, /kling-v3 is today's model/);
});

test("price: the table's estimate, after the same checks", () => {
  assert.deepEqual(price("text2video", { model_name: "kling-v3", prompt: "p", duration: "15", mode: "pro" }), {
    units: 15,
    estimate: true,
    model: "kling-v3",
    mode: "pro",
    duration: "15",
  });
  assert.equal(price("video-extend", { video_id: "v" }).units, 3.5);
  assert.equal(price("text2video", { model_name: FUTURE, prompt: "p", duration: "10" }).units, 20);
  assert.equal(
    price("text2video", { model_name: "kling-v1-6", prompt: "p", mode: "pro", duration: "10" }, { allowRetiredModels: true }).units,
    7,
  );
  let e;
  try {
    price("text2video", { model_name: "kling-v3", prompt: "p", duration: "16" });
  } catch (thrown) {
    e = thrown;
  }
  assert.equal(e?.field, "duration");
});

test("kling.omniVideo creates, gets and lists at /v1/videos/omni-video, refusing a prompt that names a missing input", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const requests = [];
  const kling = clientFor(sim, {
    fetch: (url, init) => {
      requests.push([init?.method ?? "GET", new URL(url).pathname]);
      return fetch(url, init);
    },
  });
  assert.equal(typeof kling.omniVideo.createAndWait, "function");
  assert.equal(kling.omniVideo, kling.omniVideo);
  const bad = kling.omniVideo.create({ model_name: "kling-v3-omni", prompt: "<<<image_1>>> runs", aspect_ratio: "1:1" });
  await assert.rejects(bad, (e) => e.code === "ERR_KLING_INVALID_REQUEST" && e.field === "image_list");
  assert.equal(requests.length, 0, "nothing is sent");
  // Whatever the simulator answers, the request goes to the family's path.
  await kling.omniVideo.create({ model_name: "kling-v3-omni", prompt: "p", aspect_ratio: "1:1", external_task_id: "o-1" }).catch(() => {});
  await kling.omniVideo.get("o-1").catch(() => {});
  await Promise.resolve(kling.omniVideo.list()).catch(() => {});
  assert.deepEqual([...new Set(requests.map(([m, p]) => `${m} ${p.replace(/\/o-1$/, "/:id")}`))].sort(), [
    "GET /v1/videos/omni-video",
    "GET /v1/videos/omni-video/:id",
    "POST /v1/videos/omni-video",
  ]);
});

test("region picks Kling's host; baseUrl and region together are refused", () => {
  assert.equal(new KlingClient({ region: "cn" }).toJSON().baseUrl, "https://api-beijing.klingai.com");
  assert.equal(new KlingClient({ region: "global" }).toJSON().baseUrl, "https://api-singapore.klingai.com");
  assert.equal(new KlingClient({}).toJSON().baseUrl, "https://api-singapore.klingai.com");
  assert.throws(
    () => new KlingClient({ region: "cn", baseUrl: "https://proxy.example.com" }),
    (e) => e.code === "ERR_KLING_INVALID_OPTIONS" && /not both/.test(e.message),
  );
  assert.throws(
    () => new KlingClient({ region: "eu" }),
    (e) => e.code === "ERR_KLING_INVALID_OPTIONS",
  );
});
