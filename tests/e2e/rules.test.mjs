// The package's rules, exported for the code around it (the demo page, the edge service) so that
// nobody copies them: limits, the id rule, status order, parameter checks, advice per code.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { checkParams, errorAdvice, isValidId, KlingError, limits, SOURCE, statusRank } from "./support.mjs";

test("limits are the numbers the package enforces", () => {
  const l = limits();
  assert.equal(l.maxPromptChars, 2500);
  assert.deepEqual(l.cfgScale, [0, 1]);
  assert.equal(l.maxTotalSeconds, 180);
  assert.equal(l.maxStepSeconds, 5);
  assert.equal(l.maxChainSteps, 36);
  assert.deepEqual(l.pageSize, [1, 500]);
  assert.deepEqual(l.pageNum, [1, 1000]);
  assert.deepEqual(l.statuses, ["submitted", "processing", "succeed", "failed"]);
  assert.ok(l.extendableModels.includes("kling-v1-6") && l.discontinuedModels.includes("kling-v1"));
  // Exactly the properties the package's `KlingLimits` declares.
  const dts = readFileSync(new URL("../../pkg/kling_edge.d.ts", import.meta.url), "utf8");
  const body = dts.match(/export interface KlingLimits \{([^}]*)\}/)?.[1] ?? "";
  const declared = [...body.matchAll(/^\s*(\w+)\??:/gm)].map((m) => m[1]);
  assert.deepEqual(declared.toSorted(), Object.keys(l).toSorted());
});

test("checkParams refuses exactly what a create refuses, and sends nothing", () => {
  assert.deepEqual(checkParams("video-extend", { video_id: SOURCE, prompt: null, cfg_scale: 0.5 }), { video_id: SOURCE, cfg_scale: 0.5 });
  for (const [family, params, field] of [
    ["video-extend", { video_id: SOURCE, prompt: "x".repeat(2501) }, "prompt"],
    ["video-extend", { task_id: "1" }, "task_id"],
    ["text2video", { prompt: "p" }, "model_name"],
    ["image2video", { model_name: "kling-v3" }, "image"],
    ["text2video", { model_name: "kling-v3", prompt: "p", duration: "16" }, "duration"],
    ["text2video", { model_name: "kling-v1-6", prompt: "p" }, "model_name"],
    ["omni-video", { model_name: "kling-v3-omni", prompt: "<<<video_1>>>", aspect_ratio: "1:1" }, "video_list"],
    ["nope", {}, "family"],
  ]) {
    let e;
    try {
      checkParams(family, params);
    } catch (thrown) {
      e = thrown;
    }
    assert.ok(e instanceof KlingError, `${family} ${JSON.stringify(params).slice(0, 40)}`);
    assert.equal(e.code, "ERR_KLING_INVALID_REQUEST");
    assert.equal(e.field, field);
  }
});

test("the id rule, the status order and the advice per code", () => {
  assert.equal(isValidId("order 42/a"), true, "any printable id, as Kling's lookups take it percent-encoded");
  assert.equal(isValidId("x".repeat(256)), true);
  assert.equal(isValidId("x".repeat(257)), false);
  assert.equal(isValidId("  "), false);
  assert.equal(isValidId("a\nb"), false);
  assert.deepEqual(["submitted", "processing", "succeed", "failed", "queued"].map(statusRank), [1, 2, 3, 3, 0]);
  assert.match(errorAdvice("ERR_KLING_ACCOUNT", 1101), /arrears/);
  assert.match(errorAdvice("ERR_KLING_CONCURRENCY"), /wait for running tasks/);
  assert.match(errorAdvice("ERR_KLING_INVALID_REQUEST"), /nothing was sent/);
  assert.match(errorAdvice("ERR_SOMETHING_ELSE"), /request id/);
});
