import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { readMp4 } from "../lib/mp4.mjs";

/** An ISO BMFF box: 32-bit size, or the 64-bit "largesize" form when `large`. */
function box(type, payload = Buffer.alloc(0), { large = false } = {}) {
  const header = Buffer.alloc(large ? 16 : 8);
  if (large) {
    header.writeUInt32BE(1, 0);
    header.writeBigUInt64BE(BigInt(16 + payload.length), 8);
  } else {
    header.writeUInt32BE(8 + payload.length, 0);
  }
  header.write(type, 4, "latin1");
  return Buffer.concat([header, payload]);
}

function mvhd(version, timescale, duration) {
  const body = Buffer.alloc(version === 1 ? 32 : 20);
  body[0] = version;
  if (version === 1) {
    body.writeUInt32BE(timescale, 20);
    body.writeBigUInt64BE(BigInt(duration), 24);
  } else {
    body.writeUInt32BE(timescale, 12);
    body.writeUInt32BE(duration, 16);
  }
  return box("mvhd", body);
}

const ftyp = box("ftyp", Buffer.from("isom\0\0\0\x01isomavc1", "latin1"));

test("readMp4 reads the movie duration from mvhd, version 0 or 1, with moov anywhere", () => {
  assert.equal(readMp4(Buffer.concat([ftyp, box("moov", mvhd(0, 1000, 7500))])).duration, 7.5);
  assert.equal(readMp4(Buffer.concat([ftyp, box("moov", mvhd(1, 90000, 90000 * 12))])).duration, 12);
  // moov after a large mdat (not faststart), the mdat in the 64-bit size form.
  const mdat = box("mdat", Buffer.alloc(64), { large: true });
  assert.equal(readMp4(Buffer.concat([ftyp, mdat, box("moov", mvhd(0, 600, 1800))])).duration, 3);
  // A QuickTime file may start with a 'wide' box and have no ftyp.
  assert.equal(readMp4(Buffer.concat([box("wide"), box("moov", mvhd(0, 600, 3000))])).duration, 5);
});

test("readMp4 answers null for what is not an MP4, or one it cannot read", () => {
  assert.equal(readMp4(Buffer.from("<!doctype html><title>not a video</title>")), null);
  assert.equal(readMp4(Buffer.alloc(0)), null);
  assert.equal(readMp4(Buffer.concat([ftyp, box("free")])), null, "no moov");
  assert.equal(readMp4(Buffer.concat([ftyp, box("moov", box("trak"))])), null, "no mvhd");
  assert.equal(readMp4(Buffer.concat([ftyp, box("moov", mvhd(0, 0, 100))])), null, "timescale 0");
  const whole = Buffer.concat([ftyp, box("moov", mvhd(0, 1000, 5000))]);
  assert.equal(readMp4(whole.subarray(0, whole.length - 4)), null, "cut short: moov overruns the file");
  assert.equal(readMp4("not a buffer"), null);
});

test("readMp4 describes a real clip's tracks: H.264 with its avcC, AAC with its AudioSpecificConfig", () => {
  const info = readMp4(readFileSync(new URL("../media/gen/16x9-05s-c0-aac.mp4", import.meta.url)));
  assert.equal(info.duration, 5);
  const [video, audio] = info.tracks;
  assert.deepEqual([video.kind, video.codec, video.width, video.height], ["video", "avc1", 160, 90]);
  assert.match(video.config, /^01640/, "avcC version 1, profile 100 (High)");
  assert.deepEqual([audio.kind, audio.codec, audio.channels, audio.sampleRate], ["audio", "mp4a", 1, 16000]);
  // AAC-LC (object type 2), 16 kHz (index 8), mono: 0001 0100 0000 1000 = 0x1408.
  assert.match(audio.config, /^1408/);
});
