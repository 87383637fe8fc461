//! One clip's `moov`, read into what joining needs: each track's samples one by one (durations,
//! composition offsets, sizes, sync flags), its chunks, its edit, and the checks that two clips
//! can share one sample description.

use mp4_atom::{Codec, Decode, Encode, FourCC, Moov, StszSamples, Trak};

use crate::error::{Error, Result};

/// More samples than this in one track is not a clip (an hour at 60 fps is 216 000): refused
/// before a table is expanded, so a forged count cannot exhaust memory.
const MAX_SAMPLES: u64 = 5_000_000;

/// A track's role; a joinable clip has one video track and at most one audio track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Video,
    Audio,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Video => "video",
            Kind::Audio => "audio",
        }
    }
}

/// A run of consecutive samples stored together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    pub offset: u64,
    pub samples: u32,
}

/// One track of a clip, its tables expanded to one entry per sample.
#[derive(Debug, Clone)]
pub struct Track {
    pub kind: Kind,
    /// Its position among the clip's `trak` boxes.
    pub trak: usize,
    pub timescale: u32,
    pub durations: Vec<u32>,
    pub ctts: Option<Vec<i64>>,
    pub sizes: Vec<u32>,
    /// `None`: every sample is a sync sample (no `stss`).
    pub sync: Option<Vec<bool>>,
    pub chunks: Vec<Chunk>,
    /// Where presentation starts in the media (the edit's media_time; 0 without an edit list).
    pub media_time: u64,
    /// How much of the media is presented from `media_time`, in the track's timescale.
    pub presented: u64,
}

/// A clip's `moov`, decoded, and its tracks: the video first, then the audio if any.
#[derive(Debug, Clone)]
pub struct Clip {
    pub moov: Moov,
    pub tracks: Vec<Track>,
    /// The bytes of the file that hold its samples: from the first sample's offset to the end of
    /// the last one.
    pub span: (u64, u64),
}

impl Clip {
    pub fn track(&self, kind: Kind) -> Option<&Track> {
        self.tracks.iter().find(|t| t.kind == kind)
    }
}

/// Reads clip `i`'s `moov` (`file_size` bounds the chunk offsets).
pub fn read(i: usize, moov: &[u8], file_size: u64) -> Result<Clip> {
    // Decoded through `&mut &[u8]`, the buffer type mp4-atom's nested boxes use, so the module
    // holds one copy of its decoders, not two.
    let mut bytes = moov;
    let moov = Moov::decode(&mut &mut bytes)
        .map_err(|e| Error::decode(Some(i), format!("its moov box cannot be read ({e})")))?;
    if moov.mvex.is_some() {
        return Err(Error::decode(
            Some(i),
            "it is a fragmented MP4 (moof boxes), which the joiner does not read",
        ));
    }
    if moov.mvhd.timescale == 0 {
        return Err(Error::decode(Some(i), "its movie timescale is 0"));
    }
    let mut tracks = Vec::new();
    for (n, trak) in moov.trak.iter().enumerate() {
        let handler = trak.mdia.hdlr.handler;
        let kind = match &<[u8; 4]>::from(handler) {
            b"vide" => Kind::Video,
            b"soun" => Kind::Audio,
            _ => {
                return Err(Error::incompatible(
                    i,
                    format!("clip {i} has a track of type \"{handler}\"; only one video and one audio track can be joined"),
                ))
            }
        };
        if tracks.iter().any(|t: &Track| t.kind == kind) {
            return Err(Error::incompatible(
                i,
                format!("clip {i} has more than one {} track", kind.name()),
            ));
        }
        tracks.push(read_track(
            i,
            n,
            kind,
            trak,
            moov.mvhd.timescale,
            file_size,
        )?);
    }
    tracks.sort_by_key(|t| t.kind != Kind::Video);
    if tracks.first().map(|t| t.kind) != Some(Kind::Video) {
        return Err(Error::incompatible(
            i,
            format!("clip {i} has no video track"),
        ));
    }
    let mut span: Option<(u64, u64)> = None;
    for t in &tracks {
        let mut sample = 0usize;
        for c in &t.chunks {
            let n = c.samples as usize;
            let bytes: u64 = t
                .sizes
                .get(sample..sample + n)
                .unwrap_or_default()
                .iter()
                .map(|s| u64::from(*s))
                .sum();
            sample += n;
            let end = c.offset.saturating_add(bytes);
            if end > file_size {
                return Err(Error::decode(
                    Some(i),
                    format!("its {} samples run to byte {end}, past the end of the file ({file_size} bytes; is it truncated?)", t.kind.name()),
                ));
            }
            if n > 0 {
                span = Some(match span {
                    None => (c.offset, end),
                    Some((a, b)) => (a.min(c.offset), b.max(end)),
                });
            }
        }
    }
    let span = span.ok_or_else(|| Error::decode(Some(i), "it holds no samples"))?;
    Ok(Clip { moov, tracks, span })
}

fn read_track(
    i: usize,
    n: usize,
    kind: Kind,
    trak: &Trak,
    movie_timescale: u32,
    file_size: u64,
) -> Result<Track> {
    let what = kind.name();
    let bad = |why: String| Error::decode(Some(i), format!("its {what} track {why}"));
    let stbl = &trak.mdia.minf.stbl;
    let timescale = trak.mdia.mdhd.timescale;
    if timescale == 0 {
        return Err(bad("has a timescale of 0".into()));
    }
    if stbl.stsd.codecs.len() != 1 {
        return Err(Error::incompatible(
            i,
            format!("clip {i}'s {what} has {} sample descriptions; clips with exactly one can be joined", stbl.stsd.codecs.len()),
        ));
    }

    let (count, sizes) = match &stbl.stsz.samples {
        StszSamples::Identical { count, .. } => (u64::from(*count), None),
        StszSamples::Different { sizes } => (sizes.len() as u64, Some(sizes)),
    };
    if count > MAX_SAMPLES {
        return Err(bad(format!("lists {count} samples, more than a clip has")));
    }
    if count == 0 {
        return Err(bad("has no samples".into()));
    }
    let sizes = match (sizes, &stbl.stsz.samples) {
        (Some(s), _) => s.clone(),
        (None, StszSamples::Identical { size, .. }) => vec![*size; count as usize],
        (None, StszSamples::Different { .. }) => Vec::new(),
    };

    let stts_count: u64 = stbl
        .stts
        .entries
        .iter()
        .map(|e| u64::from(e.sample_count))
        .sum();
    if stts_count != count {
        return Err(bad(format!(
            "times {stts_count} samples (stts) but sizes {count} (stsz)"
        )));
    }
    let mut durations = Vec::with_capacity(sizes.len());
    for e in &stbl.stts.entries {
        durations.extend(std::iter::repeat_n(e.sample_delta, e.sample_count as usize));
    }

    let ctts = match &stbl.ctts {
        None => None,
        Some(ctts) => {
            let total: u64 = ctts.entries.iter().map(|e| u64::from(e.sample_count)).sum();
            if total != count {
                return Err(bad(format!(
                    "offsets {total} samples (ctts) but sizes {count} (stsz)"
                )));
            }
            let mut out = Vec::with_capacity(sizes.len());
            for e in &ctts.entries {
                out.extend(std::iter::repeat_n(
                    e.sample_offset,
                    e.sample_count as usize,
                ));
            }
            Some(out)
        }
    };

    let sync = match &stbl.stss {
        None => None,
        Some(stss) => {
            let mut flags = vec![false; sizes.len()];
            for &s in &stss.entries {
                let slot = (s as usize)
                    .checked_sub(1)
                    .and_then(|k| flags.get_mut(k))
                    .ok_or_else(|| {
                        bad(format!(
                            "marks sample {s} as a sync sample, but has {count}"
                        ))
                    })?;
                *slot = true;
            }
            Some(flags)
        }
    };

    let offsets: Vec<u64> = match (&stbl.stco, &stbl.co64) {
        (Some(stco), None) => stco.entries.iter().map(|&o| u64::from(o)).collect(),
        (None, Some(co64)) => co64.entries.clone(),
        _ => return Err(bad("has no single chunk offset table (stco or co64)".into())),
    };
    let mut chunks = Vec::with_capacity(offsets.len());
    let entries = &stbl.stsc.entries;
    for (k, e) in entries.iter().enumerate() {
        if e.sample_description_index != 1 {
            return Err(bad(format!(
                "uses sample description {}, but has one",
                e.sample_description_index
            )));
        }
        let first = e.first_chunk as usize;
        let next = entries
            .get(k + 1)
            .map_or(offsets.len() + 1, |n| n.first_chunk as usize);
        if first == 0 || next <= first || next > offsets.len() + 1 || (k == 0 && first != 1) {
            return Err(bad(
                "has a sample-to-chunk table (stsc) that does not match its chunks".into(),
            ));
        }
        for offset in &offsets[first - 1..next - 1] {
            chunks.push(Chunk {
                offset: *offset,
                samples: e.samples_per_chunk,
            });
        }
    }
    let in_chunks: u64 = chunks.iter().map(|c| u64::from(c.samples)).sum();
    if in_chunks != count || chunks.len() != offsets.len() {
        return Err(bad(format!(
            "puts {in_chunks} samples in its chunks but sizes {count}"
        )));
    }
    if chunks.iter().any(|c| c.offset >= file_size) {
        return Err(bad(
            "has a chunk past the end of the file (is it truncated?)".into(),
        ));
    }

    let media: u64 = durations.iter().map(|d| u64::from(*d)).sum();
    let (media_time, presented) = match trak.edts.as_ref().and_then(|e| e.elst.as_ref()) {
        None => (0, media),
        Some(elst) => match elst.entries.as_slice() {
            [] => (0, media),
            [e] => {
                let m = e.media_time.ok_or_else(|| bad("has only an empty edit".into()))?;
                if e.media_rate.integer() != 1 || e.media_rate.decimal() != 0 {
                    return Err(Error::incompatible(i, format!("clip {i}'s {what} is played at another rate by its edit list")));
                }
                let shown = if e.segment_duration == 0 {
                    media.saturating_sub(m)
                } else {
                    rescale(e.segment_duration, timescale, movie_timescale)
                };
                (m, shown)
            }
            more => {
                return Err(Error::incompatible(
                    i,
                    format!("clip {i}'s {what} has an edit list of {} entries; clips with one edit (or none) can be joined", more.len()),
                ))
            }
        },
    };
    if presented == 0 {
        return Err(bad("presents nothing (a duration of 0)".into()));
    }
    Ok(Track {
        kind,
        trak: n,
        timescale,
        durations,
        ctts,
        sizes,
        sync,
        chunks,
        media_time,
        presented,
    })
}

/// `value` in `from` units as `to` units, rounded down.
pub fn rescale(value: u64, to: u32, from: u32) -> u64 {
    if from == 0 {
        return 0;
    }
    let v = u128::from(value) * u128::from(to) / u128::from(from);
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// Refuses clip `k` unless it can share clip 0's tracks: the same tracks, codecs, sample
/// descriptions and timescales. The message names the clip and what differs.
pub fn check(k: usize, first: &Clip, clip: &Clip) -> Result<()> {
    for kind in [Kind::Video, Kind::Audio] {
        let (a, b) = match (first.track(kind), clip.track(kind)) {
            (None, None) => continue,
            (Some(_), None) => {
                return Err(Error::incompatible(
                    k,
                    format!("clip {k} has no {} track, clip 0 has one", kind.name()),
                ))
            }
            (None, Some(_)) => {
                return Err(Error::incompatible(
                    k,
                    format!("clip {k} has an {} track, clip 0 has none", kind.name()),
                ))
            }
            (Some(a), Some(b)) => (a, b),
        };
        let what = kind.name();
        let (ea, eb) = (entry(first, a), entry(clip, b));
        let (ca, cb) = (codec_name(ea), codec_name(eb));
        if ca != cb {
            return Err(Error::incompatible(
                k,
                format!("clip {k}'s {what} codec is {cb}, clip 0's is {ca}"),
            ));
        }
        if let (Some(va), Some(vb)) = (ea.and_then(Codec::visual), eb.and_then(Codec::visual)) {
            if (va.width, va.height) != (vb.width, vb.height) {
                return Err(Error::incompatible(
                    k,
                    format!(
                        "clip {k}'s {what} is {}x{}, clip 0's is {}x{}",
                        vb.width, vb.height, va.width, va.height
                    ),
                ));
            }
        }
        if let (Some(aa), Some(ab)) = (ea.and_then(Codec::audio), eb.and_then(Codec::audio)) {
            let (ra, rb) = (aa.sample_rate.integer(), ab.sample_rate.integer());
            if ra != rb {
                return Err(Error::incompatible(
                    k,
                    format!("clip {k}'s {what} is {rb} Hz, clip 0's is {ra} Hz"),
                ));
            }
            if aa.channel_count != ab.channel_count {
                return Err(Error::incompatible(
                    k,
                    format!(
                        "clip {k}'s {what} has {} channel(s), clip 0's has {}",
                        ab.channel_count, aa.channel_count
                    ),
                ));
            }
        }
        let (sa, sb) = (settings(ea), settings(eb));
        if sa != sb {
            let detail = match (describe(ea), describe(eb)) {
                (Some(da), Some(db)) if da != db => format!(" ({db} against {da})"),
                _ => format!(" (their {} differ)", settings_name(ea)),
            };
            return Err(Error::incompatible(
                k,
                format!("clip {k}'s {what} codec settings differ from clip 0's{detail}"),
            ));
        }
        if a.timescale != b.timescale {
            return Err(Error::incompatible(
                k,
                format!(
                    "clip {k}'s {what} timescale is {}, clip 0's is {}",
                    b.timescale, a.timescale
                ),
            ));
        }
    }
    Ok(())
}

fn entry<'a>(clip: &'a Clip, track: &Track) -> Option<&'a Codec> {
    clip.moov
        .trak
        .get(track.trak)
        .and_then(|t| t.mdia.minf.stbl.stsd.codecs.first())
}

/// The sample entry's type, e.g. "avc1".
fn codec_name(codec: Option<&Codec>) -> String {
    let mut bytes = Vec::new();
    match codec.map(|c| c.encode(&mut bytes)) {
        Some(Ok(())) if bytes.len() >= 8 => {
            FourCC::from([bytes[4], bytes[5], bytes[6], bytes[7]]).to_string()
        }
        _ => "unknown".into(),
    }
}

/// The bytes that must be identical for two clips' samples to be decoded by one sample
/// description: H.264's avcC, HEVC's hvcC, AAC's object type and AudioSpecificConfig (not the
/// whole esds: its bitrate fields differ from clip to clip). Other codecs: the whole entry.
fn settings(codec: Option<&Codec>) -> Vec<u8> {
    let mut out = Vec::new();
    let written = match codec {
        Some(Codec::Avc1(c)) => c.avcc.encode(&mut out),
        Some(Codec::Avc3(c)) => c.avcc.encode(&mut out),
        Some(Codec::Hvc1(c)) => c.hvcc.encode(&mut out),
        Some(Codec::Hev1(c)) => c.hvcc.encode(&mut out),
        Some(Codec::Mp4a(c)) => {
            let dc = &c.esds.es_desc.dec_config;
            out.push(dc.object_type_indication);
            out.extend(
                dc.dec_specific
                    .as_ref()
                    .map(|d| d.raw.clone())
                    .unwrap_or_default(),
            );
            Ok(())
        }
        Some(other) => other.encode(&mut out),
        None => Ok(()),
    };
    if written.is_err() {
        out.clear();
    }
    out
}

fn settings_name(codec: Option<&Codec>) -> &'static str {
    match codec {
        Some(Codec::Avc1(_) | Codec::Avc3(_)) => "avcC (the H.264 parameter sets)",
        Some(Codec::Hvc1(_) | Codec::Hev1(_)) => "hvcC (the HEVC parameter sets)",
        Some(Codec::Mp4a(_)) => "esds (the AAC AudioSpecificConfig)",
        _ => "sample descriptions",
    }
}

/// A short human description of the settings, when one can tell them apart.
fn describe(codec: Option<&Codec>) -> Option<String> {
    let avcc = match codec {
        Some(Codec::Avc1(c)) => &c.avcc,
        Some(Codec::Avc3(c)) => &c.avcc,
        Some(Codec::Mp4a(c)) => {
            let d = c.esds.es_desc.dec_config.dec_specific.as_ref()?;
            let profile = match d.profile {
                1 => "AAC Main".to_string(),
                2 => "AAC LC".to_string(),
                5 => "HE-AAC".to_string(),
                29 => "HE-AAC v2".to_string(),
                p => format!("AAC object type {p}"),
            };
            return Some(profile);
        }
        _ => return None,
    };
    let profile = match avcc.avc_profile_indication {
        66 if avcc.profile_compatibility & 0x40 != 0 => "Constrained Baseline".to_string(),
        66 => "Baseline".to_string(),
        77 => "Main".to_string(),
        88 => "Extended".to_string(),
        100 => "High".to_string(),
        110 => "High 10".to_string(),
        122 => "High 4:2:2".to_string(),
        244 => "High 4:4:4".to_string(),
        p => format!("profile {p}"),
    };
    let level = avcc.avc_level_indication;
    Some(format!(
        "H.264 {profile} level {}.{}",
        level / 10,
        level % 10
    ))
}
