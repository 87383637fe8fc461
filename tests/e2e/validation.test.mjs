import assert from "node:assert/strict";
import { test } from "node:test";
import { clientFor, KlingClient, KlingError, rejectionOf, SOURCE, startSim } from "./support.mjs";

const long = (n, ch = "a") => ch.repeat(n);

// [method, params, the field named in the error]
const CASES = [
  ["extensions.create", {}, "video_id"],
  ["extensions.create", { video_id: "" }, "video_id"],
  // biome-ignore lint/correctness/noPrecisionLoss: the mistake tested: an id given as a number, already rounded by JavaScript
  ["extensions.create", { video_id: 743211632612511839 }, "video_id"],
  ["extensions.create", { video_id: SOURCE, prompt: long(2501) }, "prompt"],
  ["extensions.create", { video_id: SOURCE, prompt: long(2501, "视") }, "prompt"],
  ["extensions.create", { video_id: SOURCE, negative_prompt: long(2501) }, "negative_prompt"],
  ["extensions.create", { video_id: SOURCE, cfg_scale: 1.5 }, "cfg_scale"],
  ["extensions.create", { video_id: SOURCE, cfg_scale: -0.1 }, "cfg_scale"],
  ["extensions.create", { video_id: SOURCE, cfg_scale: "0.5" }, "cfg_scale"],
  ["extensions.create", { video_id: SOURCE, cfg_scale: NaN }, "cfg_scale"],
  ["extensions.create", { video_id: SOURCE, callback_url: "ftp://example.com/cb" }, "callback_url"],
  ["extensions.create", { video_id: SOURCE, callback_url: "not a url" }, "callback_url"],
  ["extensions.create", { video_id: SOURCE, watermark_info: true }, "watermark_info"],
  ["extensions.create", { video_id: SOURCE, watermark_info: { enabled: "yes" } }, "watermark_info"],
  ["extensions.create", { task_id: "123" }, "task_id"],
  ["extensions.create", { video_id: SOURCE, duration: "5" }, "duration"],
  ["extensions.create", { video_id: SOURCE, mode: "pro" }, "mode"],
  ["extensions.create", { video_id: SOURCE, model_name: "kling-v2-master" }, "model_name"],
  ["textToVideo.create", { model_name: "kling-v2-5-turbo" }, "prompt"],
  ["textToVideo.create", { model_name: "kling-v2-5-turbo", prompt: "x", duration: 5 }, "duration"],
  ["textToVideo.create", { model_name: "kling-v2-5-turbo", prompt: "x", duration: "7" }, "duration"],
  ["textToVideo.create", { model_name: "kling-v2-5-turbo", prompt: "x", mode: "standard" }, "mode"],
  ["textToVideo.create", { model_name: "kling-v2-5-turbo", prompt: "x", aspect_ratio: "4:3" }, "aspect_ratio"],
  ["imageToVideo.create", { model_name: "kling-v2-5-turbo", prompt: "x" }, "image"],
  ["imageToVideo.create", { model_name: "kling-v2-5-turbo", image: "data:image/png;base64,AAAA" }, "image"],
  ["extensions.list", { pageNum: 0 }, "pageNum"],
  ["extensions.list", { pageNum: 1001 }, "pageNum"],
  ["extensions.list", { pageSize: 501 }, "pageSize"],
  ["extensions.list", { pageSize: 2.5 }, "pageSize"],
  ["extensions.chain", { video_id: SOURCE, prompts: [] }, "prompts"],
  ["extensions.chain", { video_id: SOURCE, prompts: ["ok", long(2501)] }, "prompt"],
];

test("every documented rule is checked before anything is sent", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  for (const [method, params, field] of CASES) {
    const [resource, operation] = method.split(".");
    const e = await rejectionOf(kling[resource][operation](params));
    assert.equal(e.code, "ERR_KLING_INVALID_REQUEST", `${method} ${JSON.stringify(params)?.slice(0, 80)}`);
    assert.equal(e.field, field, `${method}: ${e.message}`);
    assert.ok(e instanceof Error && e.stack);
    assert.ok(e instanceof KlingError, "instanceof the exported class");
  }
  assert.equal(sim.requests().length, 0, "no request reached the simulator");
});

test("limits are counted in characters, not bytes", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const task = await clientFor(sim).extensions.create({
    video_id: SOURCE,
    prompt: long(2500, "视"),
    negative_prompt: "",
    callback_url: "",
  });
  assert.equal(task.task_status, "submitted");
});

test("bad per-call options are refused too", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  for (const opts of [{ timeoutMs: 0 }, { maxRetries: -1 }, { signal: "stop" }, { tiemoutMs: 5 }]) {
    const e = await rejectionOf(kling.extensions.get("1", opts));
    assert.equal(e.code, "ERR_KLING_INVALID_OPTIONS", JSON.stringify(opts));
  }
  const e = await rejectionOf(kling.extensions.wait("1", { pollIntervalMs: -5 }));
  assert.equal(e.code, "ERR_KLING_INVALID_OPTIONS");
  assert.equal(sim.requests().length, 0);
});

test("refusals say what to do in the caller's words: the guide's fields get their answer, numbers are numbers", async (t) => {
  const sim = await startSim();
  t.after(() => sim.close());
  const kling = clientFor(sim);
  const guide = await rejectionOf(kling.extensions.create({ task_id: "123" }));
  assert.match(guide.message, /unknown field `task_id`: video-extend takes `video_id`, the id of a video .* not a task id/);
  const typed = await rejectionOf(kling.textToVideo.create({ model_name: "kling-v2-5-turbo", prompt: "x", duration: 5 }));
  assert.equal(typed.message, "`duration` is the number 5; expected a string");
  const nested = await rejectionOf(kling.extensions.create({ video_id: SOURCE, watermark_info: { enabled: true, x: 1 } }));
  assert.equal(nested.field, "watermark_info");
  assert.match(nested.message, /unknown field `x` in `watermark_info`/);
  let option;
  try {
    new KlingClient({ tiemoutMs: 1 });
  } catch (e) {
    option = e;
  }
  assert.ok(option instanceof KlingError);
  assert.match(option.message, /^unknown option `tiemoutMs`; known options are accessKey, .*timeoutMs/);
  assert.equal(sim.requests().length, 0);
});

test("finding 11: a value of the wrong kind is named in JavaScript's words, never by the boundary's internals", async () => {
  const { checkParams, planChain } = await import("../../pkg/index.node.js");
  const message = (fn) => {
    try {
      fn();
    } catch (e) {
      return e.message;
    }
    assert.fail("refused");
  };
  const words = [
    [() => checkParams("text2video", { model_name: "kling-v1-6", prompt: {} }), "`prompt` is an object; expected a string"],
    [() => checkParams("text2video", { model_name: "kling-v1-6", prompt: [1] }), "`prompt` is an array; expected a string"],
    [
      () => checkParams("video-extend", { video_id: SOURCE, watermark_info: { enabled: {} } }),
      "`watermark_info` is an object; expected a boolean",
    ],
    [() => planChain({ video_id: SOURCE, prompts: {} }), "`prompts` is an object; expected an array"],
  ];
  for (const [fn, expected] of words) {
    const m = message(fn);
    assert.equal(m, expected);
    assert.doesNotMatch(m, /JsValue|Object\(|struct |Reflect|\bf64\b/);
  }
});

test("finding 11: a custom fetch that resolves to something else is a network error that says so, not in the engine's words", async () => {
  const { KlingClient } = await import("../../pkg/index.node.js");
  const kling = new KlingClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9", maxRetries: 0, fetch: async () => 5 });
  try {
    await kling.extensions.get("1");
    assert.fail("rejected");
  } catch (e) {
    assert.equal(e.code, "ERR_KLING_NETWORK");
    assert.match(e.message, /the fetch function did not resolve to a Response/);
    assert.doesNotMatch(e.message, /Reflect|Cannot read properties/);
  } finally {
    kling.free();
  }
});

test("every export, given arguments of any kind, answers or throws a KlingError: never a trap or the engine's TypeError", async () => {
  const pkg = await import("../../pkg/index.node.js");
  const odd = [undefined, null, 3, true, {}, [], [null], [[1]], new Map([["enabled", true]]), "x"];
  const calls = {
    signToken: (v) => [pkg.signToken(v, "sk"), pkg.signToken("ak", v), pkg.signToken("ak", "sk", v)],
    verifyCallback: (v) => [
      pkg.verifyCallback(v, "{}", "whsec_aGk="),
      pkg.verifyCallback({}, v, "whsec_aGk="),
      pkg.verifyCallback({}, "{}", v),
    ],
    parseCallback: (v) => [pkg.parseCallback(v)],
    planChain: (v) => [pkg.planChain(v), pkg.planChain({ video_id: "1", prompts: ["a"] }, v)],
    chainStep: (v) => [pkg.chainStep(v, []), pkg.chainStep({ video_id: "1", prompts: ["a"], external_task_id: "p" }, v)],
    pollIntervalMs: (v) => [pkg.pollIntervalMs(v)],
    checkParams: (v) => [
      pkg.checkParams(v, {}),
      pkg.checkParams("video-extend", v),
      pkg.checkParams("video-extend", { video_id: "1", watermark_info: v }),
    ],
    price: (v) => [pkg.price(v, {}), pkg.price("text2video", v)],
    limits: () => [pkg.limits()],
    statusRank: (v) => [pkg.statusRank(v)],
    isValidId: (v) => [pkg.isValidId(v)],
    errorAdvice: (v) => [pkg.errorAdvice(v), pkg.errorAdvice("ERR_KLING_ACCOUNT", v)],
  };
  assert.deepEqual(
    Object.keys(calls).sort(),
    Object.keys(pkg)
      .filter((k) => typeof pkg[k] === "function" && /^[a-z]/.test(k) && !["init", "initSync"].includes(k))
      .sort(),
  );
  for (const [name, call] of Object.entries(calls)) {
    for (const v of odd) {
      try {
        call(v);
      } catch (e) {
        assert.equal(e?.name, "KlingError", `${name}(${String(v)}) threw ${e?.name}: ${e?.message}`);
        assert.doesNotMatch(e.message, /Cannot read properties|is not a function|JsValue|memory access/);
      }
    }
  }
  // The module is still sound afterwards.
  assert.equal(pkg.statusRank("succeed"), 3);
  assert.equal(pkg.isValidId("ext-1"), true);
  const kling = new pkg.KlingClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
  for (const v of odd) {
    const e = await kling.extensions.create({ video_id: "1", watermark_info: v }).catch((e) => e);
    assert.equal(e?.name, "KlingError", `watermark_info ${JSON.stringify(v)}: ${e?.message}`);
  }
  kling.free();
});
