//! The joiner's plans and refusals, on the committed clips (sim/media/clips).

mod support;

use kling_edge_mp4::{join, plan, top_level_boxes, ClipHeader, ErrorKind};
use support::{clip, clips, moov_of, refs, samples};

fn headers(files: &[Vec<u8>]) -> Vec<ClipHeader<'_>> {
    files
        .iter()
        .enumerate()
        .map(|(i, f)| ClipHeader {
            size: f.len() as u64,
            moov: kling_edge_mp4::find_moov(i, f).unwrap(),
        })
        .collect()
}

/// Each clip's mdat payload: what an ffmpeg-written clip's samples fill exactly.
fn mdat_payload(file: &[u8]) -> (u64, u64) {
    let b = top_level_boxes(0, file)
        .unwrap()
        .into_iter()
        .find(|b| &b.kind == b"mdat")
        .unwrap();
    (b.offset + b.header_len, b.size - b.header_len)
}

#[test]
fn the_plan_is_the_header_then_one_range_per_clip_covering_the_output_exactly() {
    let files = clips(&["a-3s.mp4", "b-5s.mp4", "c-10s.mp4"]);
    let p = plan(&headers(&files)).unwrap();
    assert_eq!(p.pieces.len(), 3);
    for (k, piece) in p.pieces.iter().enumerate() {
        assert_eq!(piece.clip, k);
        assert_eq!(
            (piece.offset, piece.length),
            mdat_payload(&files[k]),
            "clip {k}: its whole sample region, nothing else"
        );
    }
    let media: u64 = p.pieces.iter().map(|x| x.length).sum();
    assert_eq!(p.size, p.header.len() as u64 + media);

    // The header is ftyp, moov (faststart), then the mdat header announcing exactly the pieces.
    let joined = join(&refs(&files)).unwrap();
    assert_eq!(joined.len() as u64, p.size);
    assert_eq!(&joined[..p.header.len()], &p.header[..]);
    let boxes = top_level_boxes(0, &joined).unwrap();
    let kinds: Vec<&[u8; 4]> = boxes.iter().map(|b| &b.kind).collect();
    assert_eq!(kinds, [b"ftyp", b"moov", b"mdat"]);
    assert_eq!(boxes[2].offset + boxes[2].header_len, p.header.len() as u64);
    assert_eq!(boxes[2].size - boxes[2].header_len, media);

    // Every byte after the header maps to one clip and an offset in it.
    let mut at = p.header.len();
    for piece in &p.pieces {
        let (from, len) = (piece.offset as usize, piece.length as usize);
        assert_eq!(&joined[at..at + len], &files[piece.clip][from..from + len]);
        at += len;
    }
    assert_eq!(at, joined.len());
}

#[test]
fn the_joined_tables_locate_every_video_sample_of_every_clip_in_order() {
    let files = clips(&["b-5s.mp4", "a-3s.mp4", "c-10s.mp4"]); // the first clip's moov at its end
    let joined = join(&refs(&files)).unwrap();
    let out = samples(&joined);
    let ins: Vec<_> = files.iter().map(|f| samples(f)).collect();
    assert_eq!(out.len(), 2);
    let video: Vec<Vec<u8>> = ins.iter().flat_map(|s| s[0].data.clone()).collect();
    assert_eq!(out[0].handler, "vide");
    assert_eq!(
        out[0].data, video,
        "every video sample, byte for byte, in order"
    );

    // Sync samples: each clip's, shifted by the samples before it.
    let mut want = Vec::new();
    let mut before = 0;
    for s in &ins {
        want.extend(s[0].sync.clone().unwrap().iter().map(|n| n + before));
        before += s[0].data.len() as u32;
    }
    assert_eq!(out[0].sync.clone().unwrap(), want);

    // Durations: each clip's video decode times, continuing where the one before ends.
    let total: u64 = out[0].durations.iter().map(|d| u64::from(*d)).sum();
    let sum: u64 = ins
        .iter()
        .flat_map(|s| s[0].durations.iter())
        .map(|d| u64::from(*d))
        .sum();
    assert_eq!(total, sum);

    // One edit, keeping the first clip's initial offset (B-frames: its composition delay).
    assert_eq!(out[0].edits, 1);
    assert_eq!(out[0].media_time, ins[0][0].media_time);
    assert!(
        out[0].media_time.unwrap() > 0,
        "x264 with B-frames delays composition"
    );

    // The durations in mvhd, tkhd and mdhd: 18 s in all.
    let moov = moov_of(&joined);
    assert_eq!(
        moov.mvhd.duration * 1000 / u64::from(moov.mvhd.timescale),
        18_000
    );
    assert_eq!(moov.trak[0].tkhd.duration, moov.mvhd.duration);
    assert_eq!(moov.trak[0].mdia.mdhd.duration, sum);
}

#[test]
fn audio_stays_in_step_with_video_at_every_join() {
    let files = clips(&["a-3s.mp4", "b-5s.mp4", "c-10s.mp4"]);
    let joined = join(&refs(&files)).unwrap();
    let out = samples(&joined);
    assert_eq!(out[1].handler, "soun");
    let ins: Vec<_> = files.iter().map(|f| samples(f)).collect();
    // Each clip's audio starts, as decoded, where its video starts: its priming frame at the
    // join, after the previous clip's audio cut to end there.
    let rate = u64::from(out[1].timescale);
    let mut start = 0u64; // in audio samples, of the joined media timeline
    let mut index = 0usize;
    for (k, s) in ins.iter().enumerate() {
        let first = &s[1].data[0];
        let pos = out[1].data[index..]
            .iter()
            .position(|d| d == first)
            .map(|p| p + index)
            .expect("each clip's first audio frame is there");
        let dts: u64 = out[1].durations[..pos].iter().map(|d| u64::from(*d)).sum();
        assert_eq!(
            dts, start,
            "clip {k}'s audio starts at its place on the timeline"
        );
        start += [3, 5, 10][k] * rate;
        index = pos + 1;
    }
    let all: usize = ins.iter().map(|s| s[1].data.len()).sum();
    assert!(
        out[1].data.len() < all && out[1].data.len() + 3 > all,
        "at most one overlapping AAC frame is dropped per join"
    );
}

#[test]
fn silent_and_baseline_clips_join_too() {
    for names in [
        &["s-3s.mp4", "s-5s.mp4", "s-3s.mp4"][..],
        &["base-3s.mp4", "base-5s.mp4"][..],
    ] {
        let files = clips(names);
        let joined = join(&refs(&files)).unwrap();
        let out = samples(&joined);
        assert_eq!(out.len(), 1, "{names:?}: no audio track appears");
        let frames: usize = files.iter().map(|f| samples(f)[0].data.len()).sum();
        assert_eq!(out[0].data.len(), frames);
    }
    // One clip alone is a faststart copy of itself.
    let one = join(&[&clip("b-5s.mp4")]).unwrap();
    assert_eq!(samples(&one)[0].data, samples(&clip("b-5s.mp4"))[0].data);
}

fn refusal(names: &[&str]) -> kling_edge_mp4::Error {
    let files = clips(names);
    join(&refs(&files)).expect_err("refused")
}

#[test]
fn a_clip_of_another_size_is_refused_by_index_and_size() {
    let e = refusal(&["a-3s.mp4", "b-5s.mp4", "x-size.mp4"]);
    assert_eq!(e.kind, ErrorKind::Incompatible);
    assert_eq!(e.kind.code(), "ERR_KLING_MP4_INCOMPATIBLE");
    assert_eq!(e.clip, Some(2));
    assert!(
        e.message
            .starts_with("clip 2's video is 480x270, clip 0's is 320x180;"),
        "{}",
        e.message
    );
}

#[test]
fn a_clip_of_other_codec_settings_is_refused() {
    let e = refusal(&["a-3s.mp4", "x-main.mp4"]);
    assert_eq!((e.kind, e.clip), (ErrorKind::Incompatible, Some(1)));
    assert!(
        e.message
            .starts_with("clip 1's video codec settings differ from clip 0's (H.264 Main level"),
        "{}",
        e.message
    );
    let e = refusal(&["base-3s.mp4", "s-3s.mp4"]);
    assert_eq!(e.clip, Some(1));
    assert!(
        e.message
            .contains("H.264 High level 1.2 against H.264 Constrained Baseline level 1.2"),
        "{}",
        e.message
    );
}

#[test]
fn a_clip_of_other_audio_settings_is_refused() {
    let e = refusal(&["a-3s.mp4", "c-10s.mp4", "b-5s.mp4", "x-48k.mp4"]);
    assert_eq!((e.kind, e.clip), (ErrorKind::Incompatible, Some(3)));
    assert!(
        e.message
            .starts_with("clip 3's audio is 48000 Hz, clip 0's is 44100 Hz"),
        "{}",
        e.message
    );
}

#[test]
fn audio_against_no_audio_is_refused_both_ways() {
    let e = refusal(&["a-3s.mp4", "s-3s.mp4"]);
    assert_eq!((e.kind, e.clip), (ErrorKind::Incompatible, Some(1)));
    assert!(
        e.message
            .starts_with("clip 1 has no audio track, clip 0 has one"),
        "{}",
        e.message
    );
    let e = refusal(&["s-3s.mp4", "s-5s.mp4", "a-3s.mp4"]);
    assert_eq!(e.clip, Some(2));
    assert!(
        e.message
            .starts_with("clip 2 has an audio track, clip 0 has none"),
        "{}",
        e.message
    );
}

#[test]
fn what_is_not_an_mp4_is_a_decode_error_naming_the_clip() {
    let a = clip("a-3s.mp4");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let e = join(&[&a, &png]).unwrap_err();
    assert_eq!((e.kind, e.clip), (ErrorKind::Decode, Some(1)));
    assert_eq!(e.kind.code(), "ERR_KLING_DECODE");
    assert!(
        e.message
            .starts_with("clip 1 is not an MP4 file that can be joined"),
        "{}",
        e.message
    );

    // Truncated: the mdat (moov first) runs past the end.
    let cut = &a[..a.len() - 100];
    let e = join(&[&a, &a, cut]).unwrap_err();
    assert_eq!((e.kind, e.clip), (ErrorKind::Decode, Some(2)));
    assert!(e.message.contains("truncated"), "{}", e.message);

    // Only an ftyp: no moov.
    let ftyp_len = u32::from_be_bytes(a[..4].try_into().unwrap()) as usize;
    let e = join(&[&a[..ftyp_len]]).unwrap_err();
    assert_eq!((e.kind, e.clip), (ErrorKind::Decode, Some(0)));
    assert!(e.message.contains("no moov"), "{}", e.message);

    // A moov whose tables are cut short.
    let files = clips(&["a-3s.mp4"]);
    let moov = kling_edge_mp4::find_moov(0, &files[0]).unwrap();
    let mut broken = moov[..moov.len() / 2].to_vec();
    let len = broken.len() as u32;
    broken[..4].copy_from_slice(&len.to_be_bytes());
    let e = plan(&[ClipHeader {
        size: files[0].len() as u64,
        moov: &broken,
    }])
    .unwrap_err();
    assert_eq!((e.kind, e.clip), (ErrorKind::Decode, Some(0)));

    // A plan from a size smaller than the clip's samples need.
    let e = plan(&[ClipHeader { size: 1000, moov }]).unwrap_err();
    assert_eq!((e.kind, e.clip), (ErrorKind::Decode, Some(0)));

    let e = join(&[]).unwrap_err();
    assert_eq!((e.kind, e.clip), (ErrorKind::InvalidRequest, None));
}

#[test]
fn garbage_never_panics() {
    // Every prefix and a few corruptions of a real moov: an error or a plan, never a panic.
    let a = clip("a-3s.mp4");
    let moov = kling_edge_mp4::find_moov(0, &a).unwrap().to_vec();
    for cut in (8..moov.len()).step_by(7) {
        let _ = plan(&[ClipHeader {
            size: a.len() as u64,
            moov: &moov[..cut],
        }]);
    }
    for at in (8..moov.len()).step_by(3) {
        let mut bad = moov.clone();
        bad[at] ^= 0xff;
        let _ = plan(&[ClipHeader {
            size: a.len() as u64,
            moov: &bad,
        }]);
    }
}

#[test]
fn past_4_gib_the_offsets_are_64_bit_and_so_is_the_mdat_size() {
    use mp4_atom::{Co64, Decode, Encode, Moov};
    // A clip whose audio's last chunk sits 5 GB further on: its sample region, so the joined
    // mdat, passes 4 GiB. Only the moov and the size are needed to plan it.
    let a = clip("a-3s.mp4");
    let mut moov = Moov::decode(&mut kling_edge_mp4::find_moov(0, &a).unwrap()).unwrap();
    const FAR: u64 = 5_000_000_000;
    for trak in &mut moov.trak {
        let stbl = &mut trak.mdia.minf.stbl;
        let mut offsets: Vec<u64> = stbl
            .stco
            .take()
            .unwrap()
            .entries
            .iter()
            .map(|&o| u64::from(o))
            .collect();
        if trak.mdia.hdlr.handler.to_string() == "soun" {
            *offsets.last_mut().unwrap() += FAR;
        }
        stbl.co64 = Some(Co64 { entries: offsets });
    }
    let mut far = Vec::new();
    moov.encode(&mut far).unwrap();
    let size = a.len() as u64 + FAR;
    let b = clip("b-5s.mp4");
    let p = plan(&[
        ClipHeader { size, moov: &far },
        ClipHeader {
            size: b.len() as u64,
            moov: kling_edge_mp4::find_moov(1, &b).unwrap(),
        },
    ])
    .unwrap();

    let media: u64 = p.pieces.iter().map(|x| x.length).sum();
    assert!(media > u64::from(u32::MAX));
    assert_eq!(p.size, p.header.len() as u64 + media);
    let n = p.header.len();
    assert_eq!(
        &p.header[n - 16..n - 8],
        &[0, 0, 0, 1, b'm', b'd', b'a', b't'],
        "a 64-bit mdat header"
    );
    assert_eq!(
        u64::from_be_bytes(p.header[n - 8..].try_into().unwrap()),
        media + 16
    );

    // The header's boxes, read as a server reading the joined file would: ftyp, moov, mdat.
    let ftyp = kling_edge_mp4::read_box_header(0, &p.header, 0, p.size).unwrap();
    let at = ftyp.size as usize;
    let m = kling_edge_mp4::read_box_header(0, &p.header[at..], at as u64, p.size).unwrap();
    assert_eq!((&ftyp.kind, &m.kind), (b"ftyp", b"moov"));
    let mdat =
        kling_edge_mp4::read_box_header(0, &p.header[n - 16..], n as u64 - 16, p.size).unwrap();
    assert_eq!(
        (&mdat.kind, mdat.header_len, mdat.offset + mdat.size),
        (b"mdat", 16, p.size)
    );
    let joined = Moov::decode(&mut &p.header[at..at + m.size as usize]).unwrap();
    let (first, second) = (&p.pieces[0], &p.pieces[1]);
    for (t, trak) in joined.trak.iter().enumerate() {
        let stbl = &trak.mdia.minf.stbl;
        assert!(stbl.stco.is_none(), "track {t}: no 32-bit offsets");
        let offsets = &stbl.co64.as_ref().expect("64-bit offsets").entries;
        let before = moov.trak[t]
            .mdia
            .minf
            .stbl
            .co64
            .as_ref()
            .unwrap()
            .entries
            .len();
        // Clip 0's chunks keep their distances from its first sample; clip 1's follow its range.
        let src = &moov.trak[t].mdia.minf.stbl.co64.as_ref().unwrap().entries;
        for (k, o) in offsets[..before].iter().enumerate() {
            assert_eq!(
                *o,
                n as u64 + (src[k] - first.offset),
                "track {t}, clip 0's chunk {k}"
            );
        }
        assert!(
            offsets[before..]
                .iter()
                .all(|o| *o >= n as u64 + first.length
                    && *o < n as u64 + first.length + second.length)
        );
    }
}

#[test]
fn random_corruption_is_refused_or_planned_never_a_panic() {
    // A fixed pseudo-random walk over the three clips' moovs: bytes flipped, set to 0 or 0xff.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for name in ["a-3s.mp4", "b-5s.mp4", "s-3s.mp4"] {
        let file = clip(name);
        let moov = kling_edge_mp4::find_moov(0, &file).unwrap().to_vec();
        for _ in 0..700 {
            let mut bad = moov.clone();
            for _ in 0..1 + next() % 4 {
                let at = 8 + (next() as usize) % (bad.len() - 8);
                bad[at] = match next() % 3 {
                    0 => bad[at] ^ (1 << (next() % 8)),
                    1 => 0,
                    _ => 0xff,
                };
            }
            let _ = plan(&[
                ClipHeader {
                    size: file.len() as u64,
                    moov: &bad,
                },
                ClipHeader {
                    size: file.len() as u64,
                    moov: &moov,
                },
            ]);
        }
    }
}
