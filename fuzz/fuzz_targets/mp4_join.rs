//! Any bytes as an MP4 clip → kling-edge/mp4's `join` (which finds the moov, reads every table
//! and plans), alone and after a real clip: an error or a joined file, never a panic (a panic in
//! wasm poisons the module instance). A joined file starts with ftyp and its moov can be found.

#![no_main]

use libfuzzer_sys::fuzz_target;

const CLIP: &[u8] = include_bytes!("../../sim/media/clips/s-3s.mp4");

fuzz_target!(|data: &[u8]| {
    for clips in [&[data][..], &[CLIP, data][..]] {
        if let Ok(out) = kling_edge_mp4::join(clips) {
            assert_eq!(&out[4..8], b"ftyp");
            assert!(kling_edge_mp4::find_moov(0, &out).is_ok());
        }
    }
});
