// A minimal MP4/MOV reader, enough for a test fake: the movie's duration (moov/mvhd timescale and
// duration) for omni-video's 3–10 s reference rule, and each track's kind, sample entry and codec
// configuration, so tests can tell whether two clips can be joined by a remux. It walks the box tree
// only; it decodes no media, ignores edit lists and fragments, and is not a general parser.

// Top-level boxes an ISO BMFF / QuickTime file may begin with.
const FIRST_BOXES = new Set(["ftyp", "moov", "mdat", "free", "skip", "wide", "pdin"]);

/** Boxes between `start` and `end`: { type, start (of the payload), end }. Throws on a bad layout. */
function* boxes(buf, start, end) {
  let at = start;
  while (at + 8 <= end) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString("latin1", at + 4, at + 8);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) throw new Error("truncated box header");
      size = Number(buf.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) {
      size = end - at; // to the end of the enclosing space
    }
    if (size < header || at + size > end) throw new Error(`box ${JSON.stringify(type)} overruns its parent`);
    yield { type, start: at + header, end: at + size };
    at += size;
  }
}

function child(buf, parent, type) {
  for (const box of boxes(buf, parent.start, parent.end)) if (box.type === type) return box;
  return null;
}

function path(buf, parent, types) {
  let box = parent;
  for (const type of types) {
    box = box && child(buf, box, type);
  }
  return box;
}

/** mvhd / mdhd: version 0 has 32-bit times, version 1 64-bit ones. */
function timeHeader(buf, box) {
  const version = buf[box.start];
  if (version === 1) {
    return { timescale: buf.readUInt32BE(box.start + 20), duration: Number(buf.readBigUInt64BE(box.start + 24)) };
  }
  return { timescale: buf.readUInt32BE(box.start + 12), duration: buf.readUInt32BE(box.start + 16) };
}

function track(buf, trak) {
  const hdlr = path(buf, trak, ["mdia", "hdlr"]);
  const handler = hdlr ? buf.toString("latin1", hdlr.start + 8, hdlr.start + 12) : null;
  const stsd = path(buf, trak, ["mdia", "minf", "stbl", "stsd"]);
  const info = { kind: handler === "vide" ? "video" : handler === "soun" ? "audio" : handler, codec: null, config: null };
  const mdhd = path(buf, trak, ["mdia", "mdhd"]);
  if (mdhd) info.timescale = timeHeader(buf, mdhd).timescale;
  if (!stsd) return info;
  // stsd: version/flags (4), entry count (4), then sample entries (boxes).
  const [entry] = boxes(buf, stsd.start + 8, stsd.end);
  if (!entry) return info;
  info.codec = entry.type;
  if (info.kind === "video") {
    // VisualSampleEntry: 6 reserved + 2 data ref index + 16 predefined/reserved, then width, height.
    info.width = buf.readUInt16BE(entry.start + 24);
    info.height = buf.readUInt16BE(entry.start + 26);
    const config = [...boxes(buf, entry.start + 78, entry.end)].find((box) => ["avcC", "hvcC"].includes(box.type));
    if (config) info.config = buf.subarray(config.start, config.end).toString("hex");
  } else if (info.kind === "audio") {
    // AudioSampleEntry: 8 reserved/index + 8 reserved, channel count, sample size, 4, sample rate 16.16.
    info.channels = buf.readUInt16BE(entry.start + 16);
    info.sampleRate = buf.readUInt32BE(entry.start + 24) >>> 16;
    const esds = [...boxes(buf, entry.start + 28, entry.end)].find((box) => box.type === "esds");
    if (esds) info.config = decoderSpecificInfo(buf.subarray(esds.start + 4, esds.end));
  }
  return info;
}

/** An MPEG-4 descriptor at `at`: { tag, start (of the payload), end }; sizes use 7 bits a byte. */
function descriptor(bytes, at) {
  const tag = bytes[at];
  let size = 0;
  let i = at + 1;
  for (let n = 0; n < 4; n++, i++) {
    size = (size << 7) | (bytes[i] & 0x7f);
    if ((bytes[i] & 0x80) === 0) break;
  }
  return { tag, start: i + 1, end: i + 1 + size };
}

/**
 * The AudioSpecificConfig (hex) inside an esds payload: ES_Descriptor (tag 3) → DecoderConfig
 * (tag 4) → DecoderSpecificInfo (tag 5). Unlike the whole esds it holds no bitrate, so it is what
 * two AAC tracks must share to be joined.
 */
function decoderSpecificInfo(bytes) {
  const es = descriptor(bytes, 0);
  if (es.tag !== 3) return null;
  const flags = bytes[es.start + 2];
  let at = es.start + 3;
  if (flags & 0x80) at += 2; // dependsOn_ES_ID
  if (flags & 0x40) at += 1 + bytes[at]; // URL
  if (flags & 0x20) at += 2; // OCR_ES_ID
  const config = descriptor(bytes, at);
  if (config.tag !== 4) return null;
  const specific = descriptor(bytes, config.start + 13);
  return specific.tag === 5 ? bytes.subarray(specific.start, specific.end).toString("hex") : null;
}

/**
 * Reads an MP4/MOV file's movie header and tracks.
 * @param {Buffer} buf  the whole file
 * @returns {{ duration: number, timescale: number, tracks: object[] } | null}  duration in seconds;
 *   null when `buf` is not an MP4/MOV (no box structure, or no moov/mvhd)
 */
export function readMp4(buf) {
  if (!Buffer.isBuffer(buf) || buf.length < 16) return null;
  if (!FIRST_BOXES.has(buf.toString("latin1", 4, 8))) return null;
  try {
    const file = { start: 0, end: buf.length };
    const moov = child(buf, file, "moov");
    const mvhd = moov && child(buf, moov, "mvhd");
    if (!mvhd) return null;
    const { timescale, duration } = timeHeader(buf, mvhd);
    if (timescale === 0) return null;
    const tracks = [...boxes(buf, moov.start, moov.end)].filter((box) => box.type === "trak").map((trak) => track(buf, trak));
    return { duration: duration / timescale, timescale, tracks };
  } catch {
    return null; // a box overran its parent, or a header was cut short: not a file we can read
  }
}
