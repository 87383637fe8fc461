//! One clip's `moov`, read into what joining needs: each track's samples one by one (durations,
//! composition offsets, sizes, sync flags), its chunks, its edit, its sample description, and the
//! checks that two clips can share one. Only leaf boxes are decoded (mp4-atom's typed decoders).

use mp4_atom::{
    Audio, Avcc, Co64, Ctts, Decode, Elst, Esds, FourCC, Hdlr, Mdhd, Mvhd, Stco, Stsc, Stss, Stsz,
    StszSamples, Stts, Tkhd, Visual,
};

use crate::tree::{children, find, Child};

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
    pub tkhd: Tkhd,
    pub mdhd: Mdhd,
    pub entry: Entry,
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

/// A clip's `moov`: the box's bytes (clip 0's are the joined file's template), its `mvhd`, and its
/// tracks: the video first, then the audio if any.
#[derive(Debug, Clone)]
pub struct Clip<'a> {
    pub moov: &'a [u8],
    pub mvhd: Mvhd,
    pub tracks: Vec<Track>,
    /// The bytes of the file that hold its samples: from the first sample's offset to the end of
    /// the last one.
    pub span: (u64, u64),
}

impl<'a> Clip<'a> {
    pub fn track(&self, kind: Kind) -> Option<&Track> {
        self.tracks.iter().find(|t| t.kind == kind)
    }
}

/// What a track's one sample description says, as far as joining cares.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The sample entry's type, e.g. `avc1`.
    pub codec: FourCC,
    /// A visual entry's width and height.
    pub size: Option<(u16, u16)>,
    /// An audio entry's sample rate and channel count.
    pub audio: Option<(u16, u16)>,
    /// The bytes that must be identical for two clips' samples to share one description.
    pub settings: Vec<u8>,
    /// What those bytes are, for a message.
    pub settings_name: &'static str,
    /// A short description of the settings (profile, level), when one can tell them apart.
    pub describe: Option<String>,
}

/// The parsed leaf of `list` named `kind`, if there is one.
fn leaf<T: Decode>(list: &[Child<'_>], kind: &[u8; 4]) -> std::result::Result<Option<T>, String> {
    match find(list, kind) {
        None => Ok(None),
        Some(c) => {
            let mut bytes = c.whole;
            T::decode(&mut &mut bytes).map(Some).map_err(|e| {
                format!(
                    "has a {} box that cannot be read ({e})",
                    FourCC::from(*kind)
                )
            })
        }
    }
}

fn need<T: Decode>(list: &[Child<'_>], kind: &[u8; 4]) -> std::result::Result<T, String> {
    leaf(list, kind)?.ok_or_else(|| format!("has no {} box", FourCC::from(*kind)))
}

fn kids<'a>(parent: Child<'a>) -> std::result::Result<Vec<Child<'a>>, String> {
    children(parent.body).ok_or_else(|| {
        format!(
            "has a {} box whose contents run past its end",
            FourCC::from(parent.kind)
        )
    })
}

fn box_in<'a>(list: &[Child<'a>], kind: &[u8; 4]) -> std::result::Result<Child<'a>, String> {
    find(list, kind).ok_or_else(|| format!("has no {} box", FourCC::from(*kind)))
}

/// Reads clip `i`'s `moov` box (`file_size` bounds the chunk offsets).
pub fn read(i: usize, moov: &[u8], file_size: u64) -> Result<Clip<'_>> {
    let bad = |why: String| Error::decode(Some(i), format!("its moov {why}"));
    let top = children(moov).ok_or_else(|| bad("box runs past its end".into()))?;
    let root = match top.as_slice() {
        [c] if &c.kind == b"moov" => *c,
        _ => return Err(Error::decode(Some(i), "its moov box cannot be read")),
    };
    let list = kids(root).map_err(bad)?;
    if find(&list, b"mvex").is_some() {
        return Err(Error::decode(
            Some(i),
            "it is a fragmented MP4 (moof boxes), which the joiner does not read",
        ));
    }
    let mvhd: Mvhd = need(&list, b"mvhd").map_err(bad)?;
    if mvhd.timescale == 0 {
        return Err(Error::decode(Some(i), "its movie timescale is 0"));
    }
    let mut tracks: Vec<Track> = Vec::new();
    for (n, trak) in list.iter().filter(|c| &c.kind == b"trak").enumerate() {
        let track = read_track(i, n, *trak, mvhd.timescale, file_size)?;
        if tracks.iter().any(|t| t.kind == track.kind) {
            return Err(Error::incompatible(
                i,
                format!("clip {i} has more than one {} track", track.kind.name()),
            ));
        }
        tracks.push(track);
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
    Ok(Clip {
        moov,
        mvhd,
        tracks,
        span,
    })
}

/// The one sample description of a track's `stsd`, or how many there are when not one.
fn entry(
    stsd: Child<'_>,
    kind: Kind,
) -> std::result::Result<std::result::Result<Entry, usize>, String> {
    let fail = |e: mp4_atom::Error| format!("has a sample description that cannot be read ({e})");
    let mut body = stsd.body;
    let _version_and_flags = u32::decode(&mut &mut body).map_err(fail)?;
    let count = u32::decode(&mut &mut body).map_err(fail)?;
    let list = children(body)
        .ok_or_else(|| "has a sample description that runs past its end".to_string())?;
    let e = match list.as_slice() {
        [e] if count == 1 => *e,
        _ => return Ok(Err(list.len().max(count as usize))),
    };
    let codec = FourCC::from(e.kind);
    let mut rest = e.body;
    let mut out = Entry {
        codec,
        size: None,
        audio: None,
        settings: e.whole.to_vec(),
        settings_name: "sample descriptions",
        describe: None,
    };
    match kind {
        Kind::Video => {
            let v = Visual::decode(&mut &mut rest).map_err(fail)?;
            out.size = Some((v.width, v.height));
            let inner = children(rest).unwrap_or_default();
            if let Some(c) = find(&inner, b"avcC") {
                out.settings = c.body.to_vec();
                out.settings_name = "avcC (the H.264 parameter sets)";
                let mut bytes = c.whole;
                out.describe = Avcc::decode(&mut &mut bytes).ok().map(|a| describe_avc(&a));
            } else if let Some(c) = find(&inner, b"hvcC") {
                out.settings = c.body.to_vec();
                out.settings_name = "hvcC (the HEVC parameter sets)";
            }
        }
        Kind::Audio => {
            let a = Audio::decode(&mut &mut rest).map_err(fail)?;
            out.audio = Some((a.sample_rate.integer(), a.channel_count));
            let inner = children(rest).unwrap_or_default();
            if let Some(esds) = leaf::<Esds>(&inner, b"esds")? {
                // The object type and the AudioSpecificConfig, not the whole esds: its bitrate
                // fields differ from clip to clip of one encoder.
                let dc = &esds.es_desc.dec_config;
                out.settings = vec![dc.object_type_indication];
                out.settings.extend(
                    dc.dec_specific
                        .as_ref()
                        .map(|d| d.raw.clone())
                        .unwrap_or_default(),
                );
                out.settings_name = "esds (the AAC AudioSpecificConfig)";
                out.describe = dc.dec_specific.as_ref().map(|d| match d.profile {
                    1 => "AAC Main".to_string(),
                    2 => "AAC LC".to_string(),
                    5 => "HE-AAC".to_string(),
                    29 => "HE-AAC v2".to_string(),
                    p => format!("AAC object type {p}"),
                });
            }
        }
    }
    Ok(Ok(out))
}

fn describe_avc(avcc: &Avcc) -> String {
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
    format!("H.264 {profile} level {}.{}", level / 10, level % 10)
}

fn read_track(
    i: usize,
    n: usize,
    trak: Child<'_>,
    movie_timescale: u32,
    file_size: u64,
) -> Result<Track> {
    let list = kids(trak).map_err(|why| Error::decode(Some(i), format!("its track {n} {why}")))?;
    let tkhd: Tkhd = need(&list, b"tkhd")
        .map_err(|why| Error::decode(Some(i), format!("its track {n} {why}")))?;
    let mdia = box_in(&list, b"mdia")
        .and_then(kids)
        .map_err(|why| Error::decode(Some(i), format!("its track {n} {why}")))?;
    let hdlr: Hdlr = need(&mdia, b"hdlr")
        .map_err(|why| Error::decode(Some(i), format!("its track {n} {why}")))?;
    let kind = match &<[u8; 4]>::from(hdlr.handler) {
        b"vide" => Kind::Video,
        b"soun" => Kind::Audio,
        _ => {
            return Err(Error::incompatible(
                i,
                format!("clip {i} has a track of type \"{}\"; only one video and one audio track can be joined", hdlr.handler),
            ))
        }
    };
    let what = kind.name();
    let bad = |why: String| Error::decode(Some(i), format!("its {what} track {why}"));
    let mdhd: Mdhd = need(&mdia, b"mdhd").map_err(bad)?;
    let stbl = box_in(&mdia, b"minf")
        .and_then(kids)
        .and_then(|minf| box_in(&minf, b"stbl"))
        .and_then(kids)
        .map_err(bad)?;
    let timescale = mdhd.timescale;
    if timescale == 0 {
        return Err(bad("has a timescale of 0".into()));
    }
    let entry = match entry(box_in(&stbl, b"stsd").map_err(bad)?, kind).map_err(bad)? {
        Ok(e) => e,
        Err(count) => {
            return Err(Error::incompatible(i, format!("clip {i}'s {what} has {count} sample descriptions; clips with exactly one can be joined")))
        }
    };

    let stsz: Stsz = need(&stbl, b"stsz").map_err(bad)?;
    let stts: Stts = need(&stbl, b"stts").map_err(bad)?;
    let stsc: Stsc = need(&stbl, b"stsc").map_err(bad)?;
    let ctts: Option<Ctts> = leaf(&stbl, b"ctts").map_err(bad)?;
    let stss: Option<Stss> = leaf(&stbl, b"stss").map_err(bad)?;
    let stco: Option<Stco> = leaf(&stbl, b"stco").map_err(bad)?;
    let co64: Option<Co64> = leaf(&stbl, b"co64").map_err(bad)?;
    let elst: Option<Elst> = match find(&list, b"edts") {
        Some(edts) => leaf(&kids(edts).map_err(bad)?, b"elst").map_err(bad)?,
        None => None,
    };

    let (count, sizes) = match &stsz.samples {
        StszSamples::Identical { count, .. } => (u64::from(*count), None),
        StszSamples::Different { sizes } => (sizes.len() as u64, Some(sizes)),
    };
    if count > MAX_SAMPLES {
        return Err(bad(format!("lists {count} samples, more than a clip has")));
    }
    if count == 0 {
        return Err(bad("has no samples".into()));
    }
    let sizes = match (sizes, &stsz.samples) {
        (Some(s), _) => s.clone(),
        (None, StszSamples::Identical { size, .. }) => vec![*size; count as usize],
        (None, StszSamples::Different { .. }) => Vec::new(),
    };

    let stts_count: u64 = stts.entries.iter().map(|e| u64::from(e.sample_count)).sum();
    if stts_count != count {
        return Err(bad(format!(
            "times {stts_count} samples (stts) but sizes {count} (stsz)"
        )));
    }
    let mut durations = Vec::with_capacity(sizes.len());
    for e in &stts.entries {
        durations.extend(std::iter::repeat_n(e.sample_delta, e.sample_count as usize));
    }

    let ctts = match &ctts {
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

    let sync = match &stss {
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

    let offsets: Vec<u64> = match (&stco, &co64) {
        (Some(stco), None) => stco.entries.iter().map(|&o| u64::from(o)).collect(),
        (None, Some(co64)) => co64.entries.clone(),
        _ => return Err(bad("has no single chunk offset table (stco or co64)".into())),
    };
    let mut chunks = Vec::with_capacity(offsets.len());
    let entries = &stsc.entries;
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
    let (media_time, presented) = match elst.as_ref().map(|e| e.entries.as_slice()) {
        None | Some([]) => (0, media),
        Some([e]) => {
            let m = e.media_time.ok_or_else(|| bad("has only an empty edit".into()))?;
            if e.media_rate.integer() != 1 || e.media_rate.decimal() != 0 {
                return Err(Error::incompatible(i, format!("clip {i}'s {what} is played at another rate by its edit list")));
            }
            let shown = if e.segment_duration == 0 { media.saturating_sub(m) } else { rescale(e.segment_duration, timescale, movie_timescale) };
            (m, shown)
        }
        Some(more) => {
            return Err(Error::incompatible(
                i,
                format!("clip {i}'s {what} has an edit list of {} entries; clips with one edit (or none) can be joined", more.len()),
            ))
        }
    };
    if presented == 0 {
        return Err(bad("presents nothing (a duration of 0)".into()));
    }
    Ok(Track {
        kind,
        trak: n,
        tkhd,
        mdhd,
        entry,
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
pub fn check(k: usize, first: &Clip<'_>, clip: &Clip<'_>) -> Result<()> {
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
        let (ea, eb) = (&a.entry, &b.entry);
        if ea.codec != eb.codec {
            return Err(Error::incompatible(
                k,
                format!(
                    "clip {k}'s {what} codec is {}, clip 0's is {}",
                    eb.codec, ea.codec
                ),
            ));
        }
        if let (Some((wa, ha)), Some((wb, hb))) = (ea.size, eb.size) {
            if (wa, ha) != (wb, hb) {
                return Err(Error::incompatible(
                    k,
                    format!("clip {k}'s {what} is {wb}x{hb}, clip 0's is {wa}x{ha}"),
                ));
            }
        }
        if let (Some((ra, ca)), Some((rb, cb))) = (ea.audio, eb.audio) {
            if ra != rb {
                return Err(Error::incompatible(
                    k,
                    format!("clip {k}'s {what} is {rb} Hz, clip 0's is {ra} Hz"),
                ));
            }
            if ca != cb {
                return Err(Error::incompatible(
                    k,
                    format!("clip {k}'s {what} has {cb} channel(s), clip 0's has {ca}"),
                ));
            }
        }
        if ea.settings != eb.settings {
            let detail = match (&ea.describe, &eb.describe) {
                (Some(da), Some(db)) if da != db => format!(" ({db} against {da})"),
                _ => format!(" (their {} differ)", ea.settings_name),
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
