//! The joined file: its header (`ftyp`, `moov`, the `mdat` header) built from the clips' `moov`s,
//! and the plan of byte ranges of the clips that follow it.

use mp4_atom::{
    BufMut, Co64, Ctts, CttsEntry, Edts, Elst, ElstEntry, Encode, FourCC, Ftyp, Mdhd, Stco, Stsc,
    StscEntry, Stss, Stsz, StszSamples, Stts, SttsEntry, Tkhd,
};

use crate::clip::{self, rescale, Clip, Track};
use crate::error::{Error, ErrorKind, Result};
use crate::layout::find_moov;
use crate::tree::{children, Child};

/// What the planner needs of one clip: its length and its `moov` box (header included).
#[derive(Debug, Clone, Copy)]
pub struct ClipHeader<'a> {
    /// The clip file's length in bytes.
    pub size: u64,
    /// Its whole `moov` box.
    pub moov: &'a [u8],
}

/// Bytes `offset .. offset + length` of clip `clip`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// The clip's index (0-based).
    pub clip: usize,
    /// Where the range starts in that clip's file.
    pub offset: u64,
    /// How many bytes.
    pub length: u64,
}

/// The joined file: `header`, then each piece's bytes in order; `size` bytes in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// `ftyp`, `moov` and the `mdat` box's header.
    pub header: Vec<u8>,
    /// The joined file's length: the header's plus the pieces'.
    pub size: u64,
    /// The clips' media, one range per clip.
    pub pieces: Vec<Piece>,
}

/// Plans the joined file from the clips' headers, or says which clip cannot be joined and why.
pub fn plan(clips: &[ClipHeader<'_>]) -> Result<Plan> {
    if clips.is_empty() {
        return Err(Error {
            kind: ErrorKind::InvalidRequest,
            clip: None,
            message: "no clips to join: pass at least one MP4 clip".into(),
        });
    }
    let read: Vec<Clip<'_>> = clips
        .iter()
        .enumerate()
        .map(|(i, c)| clip::read(i, c.moov, c.size))
        .collect::<Result<_>>()?;
    let first = &read[0];
    for (k, c) in read.iter().enumerate().skip(1) {
        clip::check(k, first, c)?;
    }

    // The media: each clip's sample bytes as one range, one after the other.
    let mut pieces = Vec::with_capacity(read.len());
    let mut starts = Vec::with_capacity(read.len());
    let mut payload = 0u64;
    for (k, c) in read.iter().enumerate() {
        starts.push(payload);
        let length = c.span.1 - c.span.0;
        pieces.push(Piece {
            clip: k,
            offset: c.span.0,
            length,
        });
        payload = payload
            .checked_add(length)
            .ok_or_else(|| Error::decode(Some(k), "its sizes overflow"))?;
    }

    // The timeline: clip k starts where the clips before it end, by their video's presented
    // duration (what a player shows of each clip).
    let video_scale = first.tracks[0].timescale;
    let mut clip_starts = Vec::with_capacity(read.len());
    let mut total = 0u64;
    for c in &read {
        clip_starts.push(total);
        total = total.saturating_add(c.tracks[0].presented);
    }
    let movie_scale = first.mvhd.timescale;

    let mut tracks = Vec::with_capacity(first.tracks.len());
    for (n, t0) in first.tracks.iter().enumerate() {
        let mut out = Joined::default();
        for (k, c) in read.iter().enumerate() {
            let t = &c.tracks[n];
            let start = rescale(clip_starts[k], t0.timescale, video_scale);
            // Clip k's first presented media time lands at its place on the timeline.
            let at = i128::from(start) + i128::from(t0.media_time) - i128::from(t.media_time);
            out.append(k, t, at, starts[k] as i128 - c.span.0 as i128)?;
        }
        let last = read.len() - 1;
        let last_video = read[last].tracks[0].presented;
        let shown = rescale(clip_starts[last], t0.timescale, video_scale).saturating_add(
            read[last].tracks[n]
                .presented
                .min(rescale(last_video, t0.timescale, video_scale)),
        );
        tracks.push(Out {
            trak: t0.trak,
            tkhd: t0.tkhd.clone(),
            mdhd: t0.mdhd.clone(),
            media_time: t0.media_time,
            joined: out,
            shown: rescale(shown, movie_scale, t0.timescale),
        });
    }

    let ftyp = Ftyp {
        major_brand: FourCC::new(b"isom"),
        minor_version: 512,
        compatible_brands: [b"isom", b"iso2", b"avc1", b"mp41"]
            .into_iter()
            .map(FourCC::new)
            .collect(),
    };
    let mut header = Vec::new();
    ftyp.encode(&mut header).map_err(internal)?;
    let mdat_header = if payload.saturating_add(8) > u64::from(u32::MAX) {
        16
    } else {
        8
    };

    // The moov's length does not depend on the offsets' values, only on their width: measure it
    // with 32-bit offsets, widen them if the file needs it, then write it for real.
    let fixed = header.len() as u64 + mdat_header;
    let mut wide = false;
    let mut len = moov(first, &tracks, None, wide)?.len() as u64;
    if fixed.saturating_add(len).saturating_add(payload) > u64::from(u32::MAX) {
        wide = true;
        len = moov(first, &tracks, None, wide)?.len() as u64;
    }
    let body = moov(first, &tracks, Some(fixed + len), wide)?;
    if body.len() as u64 != len {
        return Err(internal("the moov changed length"));
    }
    header.extend_from_slice(&body);
    // The mdat header, written by hand for the 64-bit form: mp4-atom sizes boxes as `usize`,
    // 32 bits in wasm.
    if mdat_header == 16 {
        header.extend_from_slice(&1u32.to_be_bytes());
        header.extend_from_slice(b"mdat");
        header.extend_from_slice(&payload.saturating_add(16).to_be_bytes());
    } else {
        header.extend_from_slice(&((payload + 8) as u32).to_be_bytes());
        header.extend_from_slice(b"mdat");
    }
    let size = (header.len() as u64).saturating_add(payload);
    Ok(Plan {
        header,
        size,
        pieces,
    })
}

/// Joins whole clip files into one MP4.
pub fn join(files: &[&[u8]]) -> Result<Vec<u8>> {
    let moovs: Vec<&[u8]> = files
        .iter()
        .enumerate()
        .map(|(i, f)| find_moov(i, f))
        .collect::<Result<_>>()?;
    let headers: Vec<ClipHeader<'_>> = files
        .iter()
        .zip(&moovs)
        .map(|(f, m)| ClipHeader {
            size: f.len() as u64,
            moov: m,
        })
        .collect();
    let plan = plan(&headers)?;
    let mut out = Vec::with_capacity(
        usize::try_from(plan.size)
            .map_err(|_| Error::decode(None, "the joined file is too large"))?,
    );
    out.extend_from_slice(&plan.header);
    for p in &plan.pieces {
        let range = usize::try_from(p.offset)
            .ok()
            .zip(usize::try_from(p.offset + p.length).ok());
        let bytes = range
            .and_then(|(a, b)| files[p.clip].get(a..b))
            .ok_or_else(|| Error::decode(Some(p.clip), "its media is out of reach"))?;
        out.extend_from_slice(bytes);
    }
    Ok(out)
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::decode(
        None,
        format!("the joined header could not be written ({e})"),
    )
}

/// One track of the joined file, sample by sample.
#[derive(Debug, Default)]
struct Joined {
    durations: Vec<u32>,
    ctts: Vec<i64>,
    any_ctts: bool,
    sizes: Vec<u32>,
    sync: Vec<bool>,
    any_stss: bool,
    /// Offsets relative to the start of the mdat's payload.
    chunks: Vec<(u64, u32)>,
    /// The decode time after the last sample.
    end: i128,
    /// Where the previous clip's samples start in the lists.
    clip_start: usize,
}

impl Joined {
    /// Appends clip `k`'s track `t` with its first sample decoded at `at`, its chunks moved by
    /// `shift` bytes. Where the previous clip's samples run past `at` (AAC's last frames overlap
    /// the next clip's priming frame), its trailing samples are dropped (they stay in the mdat,
    /// unreferenced) and its last sample is shortened; where they stop short, it is lengthened.
    fn append(&mut self, k: usize, t: &Track, at: i128, shift: i128) -> Result<()> {
        let mut at = at;
        if k > 0 {
            while self.durations.len() > self.clip_start + 1 && self.last_start() >= at {
                self.pop();
            }
            let last = self.last_start();
            let gap = (at - last).max(1);
            at = last + gap;
            let gap = u32::try_from(gap).map_err(|_| {
                Error::incompatible(k, format!("clip {k}'s {} starts too late", t.kind.name()))
            })?;
            if let Some(d) = self.durations.last_mut() {
                *d = gap;
            }
        }
        if self.durations.len() + t.durations.len() > u32::MAX as usize {
            return Err(Error::incompatible(
                k,
                format!("clip {k} brings the {} past 2^32 samples", t.kind.name()),
            ));
        }
        self.clip_start = self.durations.len();
        self.durations.extend_from_slice(&t.durations);
        self.sizes.extend_from_slice(&t.sizes);
        match &t.ctts {
            Some(c) => {
                self.any_ctts = true;
                self.ctts.extend_from_slice(c);
            }
            None => self.ctts.extend(std::iter::repeat_n(0, t.durations.len())),
        }
        match &t.sync {
            Some(s) => {
                self.any_stss = true;
                self.sync.extend_from_slice(s);
            }
            None => self
                .sync
                .extend(std::iter::repeat_n(true, t.durations.len())),
        }
        for c in &t.chunks {
            let offset = u64::try_from(i128::from(c.offset) + shift)
                .map_err(|_| Error::decode(Some(k), "its chunk offsets are out of order"))?;
            self.chunks.push((offset, c.samples));
        }
        self.end = at + t.durations.iter().map(|d| i128::from(*d)).sum::<i128>();
        Ok(())
    }

    fn last_start(&self) -> i128 {
        self.end - self.durations.last().map_or(0, |d| i128::from(*d))
    }

    fn pop(&mut self) {
        if let Some(d) = self.durations.pop() {
            self.end -= i128::from(d);
        }
        self.sizes.pop();
        self.ctts.pop();
        self.sync.pop();
        if let Some(last) = self.chunks.last_mut() {
            last.1 = last.1.saturating_sub(1);
            if last.1 == 0 {
                self.chunks.pop();
            }
        }
    }
}

/// A track of the joined file: where it is in clip 0's moov, its edit's media time, its samples,
/// and its duration as presented (movie timescale).
struct Out {
    trak: usize,
    tkhd: Tkhd,
    mdhd: Mdhd,
    media_time: u64,
    joined: Joined,
    shown: u64,
}

/// Runs of equal values: (count, value).
fn runs<T: PartialEq + Copy>(values: &[T]) -> Vec<(u32, T)> {
    let mut out: Vec<(u32, T)> = Vec::new();
    for &v in values {
        match out.last_mut() {
            Some((n, last)) if *last == v && *n < u32::MAX => *n += 1,
            _ => out.push((1, v)),
        }
    }
    out
}

/// Clip 0's `moov` with each track's tables, durations and edit replaced by the joined ones, its
/// chunk offsets moved by `base` (where the mdat's payload starts; `None` to measure: zeros),
/// 64-bit when `wide`. Every box the join does not change is copied as it is (`mvex` and the
/// per-sample groups and hints of `stbl` are dropped: they would be wrong for the joined samples).
fn moov(first: &Clip<'_>, tracks: &[Out], base: Option<u64>, wide: bool) -> Result<Vec<u8>> {
    let root = children(first.moov)
        .and_then(|top| top.first().copied())
        .ok_or_else(|| internal("clip 0's moov moved"))?;
    let longest = tracks.iter().map(|o| o.shown).max().unwrap_or(0);
    let mut out = Vec::new();
    out.encode_atom(FourCC::new(b"moov"), |buf| {
        let mut n = 0;
        for c in inside(root)? {
            match &c.kind {
                b"mvhd" => {
                    let mut mvhd = first.mvhd.clone();
                    mvhd.duration = longest;
                    mvhd.encode(buf)?;
                }
                b"mvex" => {}
                b"trak" => {
                    match tracks.iter().find(|o| o.trak == n) {
                        Some(o) => trak(buf, c, o, base, wide)?,
                        None => buf.append_slice(c.whole),
                    }
                    n += 1;
                }
                _ => buf.append_slice(c.whole),
            }
        }
        Ok(())
    })
    .map_err(internal)?;
    Ok(out)
}

fn inside(c: Child<'_>) -> mp4_atom::Result<Vec<Child<'_>>> {
    children(c.body).ok_or(mp4_atom::Error::OutOfBounds)
}

fn trak(
    buf: &mut Vec<u8>,
    trak: Child<'_>,
    o: &Out,
    base: Option<u64>,
    wide: bool,
) -> mp4_atom::Result<()> {
    buf.encode_atom(FourCC::new(b"trak"), |buf| {
        for c in inside(trak)? {
            match &c.kind {
                b"tkhd" => {
                    let mut tkhd = o.tkhd.clone();
                    tkhd.duration = o.shown;
                    tkhd.encode(buf)?;
                    // One edit: the whole joined track, from clip 0's first presented media time
                    // (see README).
                    let entry = ElstEntry {
                        segment_duration: o.shown,
                        media_time: Some(o.media_time),
                        media_rate: 1i16.into(),
                    };
                    Edts {
                        elst: Some(Elst {
                            entries: vec![entry],
                        }),
                    }
                    .encode(buf)?;
                }
                b"edts" => {}
                b"mdia" => mdia(buf, c, o, base, wide)?,
                _ => buf.append_slice(c.whole),
            }
        }
        Ok(())
    })
}

fn mdia(
    buf: &mut Vec<u8>,
    mdia: Child<'_>,
    o: &Out,
    base: Option<u64>,
    wide: bool,
) -> mp4_atom::Result<()> {
    buf.encode_atom(FourCC::new(b"mdia"), |buf| {
        for c in inside(mdia)? {
            match &c.kind {
                b"mdhd" => {
                    let mut mdhd = o.mdhd.clone();
                    mdhd.duration = o.joined.durations.iter().map(|d| u64::from(*d)).sum();
                    mdhd.encode(buf)?;
                }
                b"minf" => buf.encode_atom(FourCC::new(b"minf"), |buf| {
                    for c in inside(c)? {
                        match &c.kind {
                            b"stbl" => stbl(buf, c, &o.joined, base, wide)?,
                            _ => buf.append_slice(c.whole),
                        }
                    }
                    Ok(())
                })?,
                _ => buf.append_slice(c.whole),
            }
        }
        Ok(())
    })
}

/// Clip 0's sample description, then the joined sample tables.
fn stbl(
    buf: &mut Vec<u8>,
    stbl: Child<'_>,
    j: &Joined,
    base: Option<u64>,
    wide: bool,
) -> mp4_atom::Result<()> {
    buf.encode_atom(FourCC::new(b"stbl"), |buf| {
        for c in inside(stbl)? {
            if &c.kind == b"stsd" {
                buf.append_slice(c.whole);
            }
        }
        Stts {
            entries: runs(&j.durations)
                .into_iter()
                .map(|(sample_count, sample_delta)| SttsEntry {
                    sample_count,
                    sample_delta,
                })
                .collect(),
        }
        .encode(buf)?;
        if j.any_ctts {
            Ctts {
                entries: runs(&j.ctts)
                    .into_iter()
                    .map(|(sample_count, sample_offset)| CttsEntry {
                        sample_count,
                        sample_offset,
                    })
                    .collect(),
            }
            .encode(buf)?;
        }
        if j.any_stss {
            Stss {
                entries: j
                    .sync
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| **s)
                    .map(|(n, _)| n as u32 + 1)
                    .collect(),
            }
            .encode(buf)?;
        }
        let samples = match runs(&j.sizes).as_slice() {
            [(count, size)] => StszSamples::Identical {
                count: *count,
                size: *size,
            },
            _ => StszSamples::Different {
                sizes: j.sizes.clone(),
            },
        };
        Stsz { samples }.encode(buf)?;
        let per_chunk: Vec<u32> = j.chunks.iter().map(|c| c.1).collect();
        let mut first_chunk = 1u32;
        let mut entries = Vec::new();
        for (n, samples_per_chunk) in runs(&per_chunk) {
            entries.push(StscEntry {
                first_chunk,
                samples_per_chunk,
                sample_description_index: 1,
            });
            first_chunk = first_chunk.saturating_add(n);
        }
        Stsc { entries }.encode(buf)?;
        let offsets = j.chunks.iter().map(|c| base.map_or(0, |b| c.0 + b));
        if wide {
            Co64 {
                entries: offsets.collect(),
            }
            .encode(buf)
        } else {
            let entries = offsets
                .map(|o| {
                    u32::try_from(o).map_err(|_| mp4_atom::Error::TooLarge(FourCC::new(b"stco")))
                })
                .collect::<mp4_atom::Result<_>>()?;
            Stco { entries }.encode(buf)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn runs_group_equal_neighbours() {
        assert_eq!(
            runs(&[512u32, 512, 512, 204, 1024]),
            vec![(3, 512), (1, 204), (1, 1024)]
        );
        assert!(runs::<u32>(&[]).is_empty());
    }
}
