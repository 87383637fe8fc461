// kling-edge/mp4 as users import it: the built package (pkg/) in Node, on the committed clips.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { KlingError as MainKlingError } from "../../pkg/index.node.js";
import { join, joinStream, KlingError, plan } from "../../pkg/mp4/index.node.js";

const dir = new URL("../../sim/media/clips/", import.meta.url);
const clip = (name) => new Uint8Array(readFileSync(new URL(name, dir)));

/** A clip read by ranges, counting what is read. */
function source(bytes) {
  const s = {
    size: bytes.length,
    bytesRead: 0,
    reads: 0,
    async read(offset, length) {
      s.reads += 1;
      s.bytesRead += length;
      return bytes.slice(offset, offset + length);
    },
  };
  return s;
}

async function collect(stream) {
  const parts = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

const names = ["a-3s.mp4", "b-5s.mp4", "c-10s.mp4"];

test("join turns the clips into one faststart MP4", () => {
  const clips = names.map(clip);
  const out = join(clips);
  assert.ok(out instanceof Uint8Array);
  assert.equal(Buffer.from(out.subarray(4, 8)).toString(), "ftyp");
  const ftyp = new DataView(out.buffer, out.byteOffset).getUint32(0);
  assert.equal(Buffer.from(out.subarray(ftyp + 4, ftyp + 8)).toString(), "moov", "moov before the media");
  // The media is every clip's, so the result is about their sum.
  const sum = clips.reduce((n, c) => n + c.length, 0);
  assert.ok(out.length > sum * 0.9 && out.length < sum * 1.1, `${out.length} bytes from ${sum}`);
});

test("joinStream's bytes are join's, from the headers and the media read by ranges", async () => {
  const sources = names.map((n) => source(clip(n)));
  const joined = await joinStream(sources);
  const whole = join(names.map(clip));
  assert.equal(joined.size, whole.length);
  assert.deepEqual(joined.header, whole.subarray(0, joined.header.length));
  // Planning read the box headers and the moovs only: a fraction of the clips.
  const planned = sources.reduce((n, s) => n + s.bytesRead, 0);
  const total = sources.reduce((n, s) => n + s.size, 0);
  assert.ok(planned < total / 5, `planning read ${planned} of ${total} bytes`);
  assert.deepEqual(await collect(joined.stream()), Buffer.from(whole));
});

test("a ranged stream is exactly that slice of the joined file", async () => {
  const joined = await joinStream(names.map((n) => source(clip(n))));
  const whole = Buffer.from(join(names.map(clip)));
  const h = joined.header.length;
  const p0 = joined.pieces[0].length;
  const ranges = [
    [0, 1],
    [0, h],
    [h - 3, h + 5], // across the header and the first clip's media
    [h + p0 - 10, h + p0 + 10], // across two clips
    [1000, joined.size],
    [joined.size - 1, joined.size],
    [joined.size, joined.size],
  ];
  for (const [start, end] of ranges) {
    assert.deepEqual(await collect(joined.stream(start, end)), whole.subarray(start, end), `bytes ${start}-${end}`);
  }
  assert.throws(() => joined.stream(5, 4), { name: "KlingError", code: "ERR_KLING_INVALID_REQUEST" });
  assert.throws(() => joined.stream(0, joined.size + 1), { name: "KlingError", code: "ERR_KLING_INVALID_REQUEST" });
});

test("plan gives the header and the pieces the stream form follows", () => {
  const clips = names.map(clip);
  const headers = clips.map((bytes) => {
    // Each clip's moov, found by hand here so plan is tested on its own.
    let at = 0;
    for (;;) {
      const size = new DataView(bytes.buffer, bytes.byteOffset).getUint32(at);
      if (Buffer.from(bytes.subarray(at + 4, at + 8)).toString() === "moov")
        return { size: bytes.length, moov: bytes.subarray(at, at + size) };
      at += size;
    }
  });
  const p = plan(headers);
  assert.deepEqual(
    p.pieces.map((x) => x.clip),
    [0, 1, 2],
  );
  assert.equal(p.size, p.header.length + p.pieces.reduce((n, x) => n + x.length, 0));
  const rebuilt = Buffer.concat([p.header, ...p.pieces.map((x) => clips[x.clip].subarray(x.offset, x.offset + x.length))]);
  assert.deepEqual(rebuilt, Buffer.from(join(clips)));
});

test("a mismatched clip is refused with ERR_KLING_MP4_INCOMPATIBLE naming it", async () => {
  const clips = ["a-3s.mp4", "b-5s.mp4", "x-size.mp4"].map(clip);
  const e = (() => {
    try {
      join(clips);
    } catch (err) {
      return err;
    }
    assert.fail("joined mismatched clips");
  })();
  assert.ok(e instanceof KlingError && e instanceof MainKlingError && e instanceof Error, "the package's one KlingError class");
  assert.equal(e.name, "KlingError");
  assert.equal(e.code, "ERR_KLING_MP4_INCOMPATIBLE");
  assert.equal(e.clip, 2);
  assert.equal(e.retryable, false);
  assert.match(e.message, /^clip 2's video is 480x270, clip 0's is 320x180/);
  assert.ok(e.stack.includes("KlingError"));

  await assert.rejects(joinStream(["a-3s.mp4", "s-3s.mp4"].map((n) => source(clip(n)))), {
    name: "KlingError",
    code: "ERR_KLING_MP4_INCOMPATIBLE",
    clip: 1,
    message: /^clip 1 has no audio track, clip 0 has one/,
  });
});

test("what is not an MP4 is ERR_KLING_DECODE naming the clip; wrong arguments are ERR_KLING_INVALID_REQUEST", async () => {
  const text = new TextEncoder().encode("<html>not a video</html>");
  assert.throws(() => join([clip("a-3s.mp4"), text]), { name: "KlingError", code: "ERR_KLING_DECODE", clip: 1 });
  await assert.rejects(joinStream([source(clip("a-3s.mp4")), source(text)]), { name: "KlingError", code: "ERR_KLING_DECODE", clip: 1 });
  const cut = clip("a-3s.mp4").subarray(0, 5000);
  await assert.rejects(joinStream([source(cut)]), { code: "ERR_KLING_DECODE", clip: 0, message: /truncated/ });
  assert.throws(() => join([]), { name: "KlingError", code: "ERR_KLING_INVALID_REQUEST" });
  assert.throws(() => join("a.mp4"), { name: "KlingError", code: "ERR_KLING_INVALID_REQUEST" });
  assert.throws(() => join([clip("a-3s.mp4"), "b.mp4"]), { name: "KlingError", code: "ERR_KLING_INVALID_REQUEST", message: /clip 1/ });
  await assert.rejects(joinStream([{ size: 10 }]), { code: "ERR_KLING_INVALID_REQUEST", clip: 0 });
  const short = { size: 100, read: async () => new Uint8Array(3) };
  await assert.rejects(joinStream([short]), { code: "ERR_KLING_INVALID_REQUEST", clip: 0 });
});

test("the main entry does not load the joiner's wasm", () => {
  for (const entry of ["index.node.js", "index.workerd.js", "index.browser.js", "kling_edge.js", "kling-error.js"]) {
    const source = readFileSync(new URL(`../../pkg/${entry}`, import.meta.url), "utf8");
    // Imports only: the docs may name kling-edge/mp4 (the chains' clips are joined with it).
    assert.doesNotMatch(source, /(from\s*|import\s*\(?\s*)["'][^"']*mp4/, `${entry} imports nothing of kling-edge/mp4`);
  }
});
