// The build's small programs as functions: the published package.json, and the checks that the
// optimised modules still work (their failures here with stand-ins; their success on pkg/).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { checkJoiner, checkSigning } from "../../scripts/check-built.mjs";
import { crateVersion, withVersion } from "../../scripts/package-json.mjs";

const ROOT = new URL("../../", import.meta.url);

test('crateVersion: the first `version = "…"` line, the package\'s own; none is refused', () => {
  const toml = '[package]\nname = "kling-edge"\nversion = "1.2.3"\n\n[dependencies]\nserde = { version = "1" }\n[x]\nversion = "9.9.9"\n';
  assert.equal(crateVersion(toml), "1.2.3");
  assert.throws(() => crateVersion('[package]\nname = "x"\n'), /no `version = "…"` line/);
  assert.equal(
    crateVersion(readFileSync(new URL("Cargo.toml", ROOT), "utf8")),
    JSON.parse(readFileSync(new URL("pkg/package.json", ROOT))).version,
  );
});

test("withVersion: the template with the version set, as two-space JSON and a final newline", () => {
  assert.equal(
    withVersion('{"name":"kling-edge","version":"0.0.0","type":"module"}', "1.2.3"),
    '{\n  "name": "kling-edge",\n  "version": "1.2.3",\n  "type": "module"\n}\n',
  );
  const template = readFileSync(new URL("pkg-template/package.json", ROOT), "utf8");
  const built = readFileSync(new URL("pkg/package.json", ROOT), "utf8");
  assert.equal(withVersion(template, JSON.parse(built).version), built);
});

test("checkSigning: null for the built module, a reason for a module that signs wrongly", async () => {
  assert.equal(checkSigning(await import(new URL("pkg/index.node.js", ROOT))), null);
  assert.equal(checkSigning({ signToken: () => "a.b.c" }), "the optimised module signs wrongly");
});

test("checkJoiner: null for the built joiner, a reason for each way a joiner can be wrong", async () => {
  const clip = (name) => readFileSync(new URL(`sim/media/clips/${name}`, ROOT));
  const clips = { a: clip("a-3s.mp4"), b: clip("b-5s.mp4"), mismatched: clip("x-size.mp4") };
  const mp4 = await import(new URL("pkg/mp4/index.node.js", ROOT));
  assert.equal(checkJoiner(mp4, clips), null);
  const ftyp = new Uint8Array([0, 0, 0, 8, 0x66, 0x74, 0x79, 0x70]);
  assert.equal(checkJoiner({ join: () => new Uint8Array(8), KlingError: mp4.KlingError }, clips), "the optimised joiner writes no ftyp");
  assert.equal(checkJoiner({ join: () => ftyp, KlingError: mp4.KlingError }, clips), "the optimised joiner joined mismatched clips");
  const throwing = (e) => ({
    join: (c) =>
      c[1] === clips.mismatched
        ? (() => {
            throw e;
          })()
        : ftyp,
    KlingError: mp4.KlingError,
  });
  assert.match(checkJoiner(throwing(new Error("boom")), clips), /fails wrongly: Error: boom/);
  const other = new mp4.KlingError("ERR_KLING_DECODE", "not an MP4", { retryable: false, clip: 1 });
  assert.match(checkJoiner(throwing(other), clips), /fails wrongly/);
});
