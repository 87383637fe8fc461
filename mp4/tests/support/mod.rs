//! Shared by the joiner's tests: the committed clips, and an independent reading of an MP4's
//! samples (through mp4-atom's boxes, not the joiner's code) to compare joined files with.
#![allow(dead_code)]

use mp4_atom::{Decode, Moov, StszSamples};

pub const CLIPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../sim/media/clips/");

pub fn clip(name: &str) -> Vec<u8> {
    std::fs::read(format!("{CLIPS}{name}"))
        .unwrap_or_else(|e| panic!("{name}: {e} (run sim/media/clips/generate.sh)"))
}

pub fn clips(names: &[&str]) -> Vec<Vec<u8>> {
    names.iter().map(|n| clip(n)).collect()
}

pub fn refs(files: &[Vec<u8>]) -> Vec<&[u8]> {
    files.iter().map(Vec::as_slice).collect()
}

pub fn moov_of(file: &[u8]) -> Moov {
    let moov = kling_edge_mp4::find_moov(0, file).expect("a moov");
    Moov::decode(&mut &moov[..]).expect("a readable moov")
}

/// One track's samples as the file's tables describe them.
#[derive(Debug, Default)]
pub struct Samples {
    pub handler: String,
    pub timescale: u32,
    /// Each sample's bytes.
    pub data: Vec<Vec<u8>>,
    pub durations: Vec<u32>,
    /// 1-based numbers of the sync samples (`None`: all are).
    pub sync: Option<Vec<u32>>,
    pub media_time: Option<u64>,
    pub edits: usize,
}

/// Each track's samples, located from stsz, stsc and stco/co64.
pub fn samples(file: &[u8]) -> Vec<Samples> {
    let moov = moov_of(file);
    let mut out = Vec::new();
    for trak in &moov.trak {
        let stbl = &trak.mdia.minf.stbl;
        let sizes: Vec<u32> = match &stbl.stsz.samples {
            StszSamples::Identical { count, size } => vec![*size; *count as usize],
            StszSamples::Different { sizes } => sizes.clone(),
        };
        let offsets: Vec<u64> = match (&stbl.stco, &stbl.co64) {
            (Some(s), _) => s.entries.iter().map(|&o| u64::from(o)).collect(),
            (_, Some(c)) => c.entries.clone(),
            _ => panic!("no chunk offsets"),
        };
        let mut per_chunk = Vec::new();
        for (k, e) in stbl.stsc.entries.iter().enumerate() {
            let next = stbl
                .stsc
                .entries
                .get(k + 1)
                .map_or(offsets.len() as u32 + 1, |n| n.first_chunk);
            for _ in e.first_chunk..next {
                per_chunk.push(e.samples_per_chunk);
            }
        }
        let mut data = Vec::new();
        let mut n = 0;
        for (chunk, count) in per_chunk.iter().enumerate() {
            let mut at = offsets[chunk] as usize;
            for _ in 0..*count {
                data.push(file[at..at + sizes[n] as usize].to_vec());
                at += sizes[n] as usize;
                n += 1;
            }
        }
        assert_eq!(n, sizes.len(), "the chunks hold every sample");
        let durations = stbl
            .stts
            .entries
            .iter()
            .flat_map(|e| std::iter::repeat_n(e.sample_delta, e.sample_count as usize))
            .collect();
        let elst = trak.edts.as_ref().and_then(|e| e.elst.as_ref());
        out.push(Samples {
            handler: trak.mdia.hdlr.handler.to_string(),
            timescale: trak.mdia.mdhd.timescale,
            data,
            durations,
            sync: stbl.stss.as_ref().map(|s| s.entries.clone()),
            media_time: elst
                .and_then(|e| e.entries.first())
                .and_then(|e| e.media_time),
            edits: elst.map_or(0, |e| e.entries.len()),
        });
    }
    out
}

/// The ffmpeg that PyPI's imageio-ffmpeg ships (scripts/bootstrap installs it).
pub fn ffmpeg() -> String {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())",
        ])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "imageio-ffmpeg is missing: run scripts/bootstrap (pip install imageio-ffmpeg)"
    );
    String::from_utf8(out.stdout)
        .expect("a path")
        .trim()
        .to_string()
}

/// Where the tests write: the workspace's .tmp/mp4.
pub fn tmp(name: &str) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../.tmp/mp4");
    std::fs::create_dir_all(dir).expect("a .tmp directory");
    format!("{dir}/{name}")
}
