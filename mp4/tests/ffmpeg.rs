//! Joined files judged by ffmpeg (the static build PyPI's imageio-ffmpeg ships; it has no ffprobe,
//! so ffmpeg's own reports stand in): they decode without a message, hold every clip's frames
//! (decoded frame for frame), last as long as the clips together, and keep the audio.

mod support;

use std::process::Command;

use kling_edge_mp4::join;
use support::{clips, ffmpeg, refs, tmp, CLIPS};

/// ffmpeg's stderr for `args`; fails the test if ffmpeg fails.
fn run(args: &[&str]) -> (String, String) {
    let out = Command::new(ffmpeg())
        .args(args)
        .output()
        .expect("ffmpeg runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "ffmpeg {args:?} failed: {stderr}");
    (stdout, stderr)
}

/// The decoded video frames' checksums (ffmpeg's framemd5), in presentation order.
fn frames(path: &str) -> Vec<String> {
    let (out, _) = run(&[
        "-v", "error", "-i", path, "-map", "0:v:0", "-f", "framemd5", "-",
    ]);
    out.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit(',').next())
        .map(|s| s.trim().to_string())
        .collect()
}

/// The container's duration in milliseconds, and whether it has an audio stream.
fn info(path: &str) -> (u64, bool) {
    let out = Command::new(ffmpeg())
        .args(["-hide_banner", "-i", path])
        .output()
        .expect("ffmpeg runs");
    let text = String::from_utf8_lossy(&out.stderr);
    let d = text
        .split("Duration: ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .expect("a duration");
    let parts: Vec<f64> = d.split(':').map(|p| p.parse().expect("a number")).collect();
    let ms = ((parts[0] * 3600.0 + parts[1] * 60.0 + parts[2]) * 1000.0).round() as u64;
    (ms, text.contains("Audio: aac"))
}

/// Joins `names`, writes the result to .tmp/mp4/`out`, and checks it as ffmpeg sees it.
fn judge(names: &[&str], out: &str) {
    let files = clips(names);
    let path = tmp(out);
    std::fs::write(&path, join(&refs(&files)).expect("joined")).expect("written");

    let (_, errors) = run(&["-v", "error", "-i", &path, "-f", "null", "-"]);
    assert_eq!(errors, "", "{out}: ffmpeg reports problems decoding it");

    let inputs: Vec<String> = names.iter().map(|n| format!("{CLIPS}{n}")).collect();
    let want: Vec<String> = inputs.iter().flat_map(|p| frames(p)).collect();
    assert_eq!(
        frames(&path),
        want,
        "{out}: every frame of every clip, in order, decoded identically"
    );

    let (ms, audio) = info(&path);
    let sum: u64 = inputs.iter().map(|p| info(p).0).sum();
    assert!(
        ms.abs_diff(sum) <= 10,
        "{out}: {ms} ms, the clips last {sum} ms"
    );
    let had_audio = info(&inputs[0]).1;
    assert_eq!(
        audio, had_audio,
        "{out}: audio kept exactly when the clips have it"
    );

    if had_audio {
        // The audio decodes to as long as the video, within one AAC frame at each join.
        let (_, report) = run(&[
            "-hide_banner",
            "-i",
            &path,
            "-map",
            "0:a:0",
            "-f",
            "null",
            "-",
        ]);
        let time = report
            .rsplit("time=")
            .next()
            .and_then(|s| s.split_whitespace().next())
            .expect("a time");
        let parts: Vec<f64> = time
            .split(':')
            .map(|p| p.parse().expect("a number"))
            .collect();
        let audio_ms = ((parts[0] * 3600.0 + parts[1] * 60.0 + parts[2]) * 1000.0).round() as u64;
        let slack = 24 * names.len() as u64;
        assert!(
            audio_ms.abs_diff(sum) <= slack,
            "{out}: audio lasts {audio_ms} ms, the video {sum} ms"
        );
    }
}

#[test]
fn clips_with_sound_join_into_a_file_ffmpeg_decodes_cleanly() {
    judge(&["a-3s.mp4", "b-5s.mp4", "c-10s.mp4"], "sound.mp4");
}

#[test]
fn a_clip_with_its_moov_at_the_end_can_come_first() {
    judge(
        &["b-5s.mp4", "a-3s.mp4", "b-5s.mp4", "a-3s.mp4"],
        "moov-at-end-first.mp4",
    );
}

#[test]
fn silent_clips_join_without_an_audio_track() {
    judge(&["s-3s.mp4", "s-5s.mp4", "s-3s.mp4"], "silent.mp4");
}

#[test]
fn baseline_clips_join_too() {
    judge(&["base-3s.mp4", "base-5s.mp4"], "baseline.mp4");
}

#[test]
fn the_result_matches_ffmpeg_concat_copy() {
    // The behaviour to match: ffmpeg's concat demuxer with -c copy on the same clips.
    let names = ["a-3s.mp4", "b-5s.mp4", "c-10s.mp4"];
    let list = tmp("concat.txt");
    let lines: String = names
        .iter()
        .map(|n| format!("file '{CLIPS}{n}'\n"))
        .collect();
    std::fs::write(&list, lines).expect("written");
    let theirs = tmp("concat.mp4");
    run(&[
        "-v",
        "error",
        "-y",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        &list,
        "-c",
        "copy",
        "-movflags",
        "+faststart",
        &theirs,
    ]);
    let ours = tmp("ours.mp4");
    std::fs::write(&ours, join(&refs(&clips(&names))).expect("joined")).expect("written");
    assert_eq!(
        frames(&ours),
        frames(&theirs),
        "the same decoded frames as ffmpeg's concat"
    );
    let (a, b) = (info(&ours), info(&theirs));
    assert!(
        a.0.abs_diff(b.0) <= 50 && a.1 == b.1,
        "ours {a:?}, ffmpeg's {b:?}"
    );
}
