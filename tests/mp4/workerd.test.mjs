// kling-edge/mp4's workerd entry in Miniflare's workerd: the .wasm imported as a module (workerd
// refuses to compile bytes), join and joinStream on a clip the request carries.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { Miniflare } from "miniflare";

const root = new URL("../../", import.meta.url).pathname;

test("join and joinStream run in workerd from the workerd entry", async () => {
  mkdirSync(`${root}.tmp/mp4`, { recursive: true });
  const script = `${root}.tmp/mp4/worker.mjs`;
  writeFileSync(
    script,
    `import { join, joinStream, KlingError } from "../../pkg/mp4/index.workerd.js";
export default {
  async fetch(request) {
    const clip = new Uint8Array(await request.arrayBuffer());
    const out = join([clip, clip]);
    const source = { size: clip.length, read: async (offset, length) => clip.slice(offset, offset + length) };
    const joined = await joinStream([source, source]);
    const streamed = new Uint8Array(await new Response(joined.stream()).arrayBuffer());
    let refused;
    try { join([clip, clip.subarray(0, 100)]); } catch (e) { refused = { kling: e instanceof KlingError, code: e.code, clip: e.clip }; }
    return Response.json({ size: out.length, same: streamed.length === out.length && streamed.every((b, i) => b === out[i]), refused });
  },
};
`,
  );
  const mf = new Miniflare({
    modules: true,
    scriptPath: script,
    modulesRoot: root,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2025-09-01",
  });
  try {
    const clip = readFileSync(`${root}sim/media/clips/a-3s.mp4`);
    const response = await mf.dispatchFetch("http://localhost/", { method: "POST", body: clip });
    const result = await response.json();
    assert.equal(result.same, true, "joinStream's bytes are join's");
    assert.ok(result.size > clip.length * 1.8, `${result.size} bytes`);
    assert.deepEqual(result.refused, { kling: true, code: "ERR_KLING_DECODE", clip: 1 });
  } finally {
    await mf.dispose();
  }
});
