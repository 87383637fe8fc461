//! The worst-case price a service reserves before a create: never below Kling's charge, the
//! dearest case for what is not known, and nothing priced that the checks refuse.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::result_large_err)]

use kling_edge::api::price::{price_of, Source};
use kling_edge::api::{ErrorKind, Family};
use serde_json::json;

fn units(family: Family, params: serde_json::Value, source: Source) -> u32 {
    price_of(family, &params, &source)
        .unwrap_or_else(|e| panic!("{params} was refused: {e}"))
        .milli_units
}

#[test]
fn generations_are_priced_by_model_mode_and_seconds() {
    let t2v = |mode: &str, duration: &str| {
        units(
            Family::TextToVideo,
            json!({"model_name": "kling-v1-6", "prompt": "a cat", "mode": mode, "duration": duration}),
            Source::default(),
        )
    };
    assert_eq!(t2v("std", "5"), 2_000);
    assert_eq!(t2v("std", "10"), 4_000);
    assert_eq!(t2v("pro", "5"), 3_500);
    assert_eq!(t2v("pro", "10"), 7_000);
    // Kling's defaults: std, 5 s.
    let default = units(
        Family::ImageToVideo,
        json!({"model_name": "kling-v1-5", "image": "https://example.test/a.png"}),
        Source::default(),
    );
    assert_eq!(default, 2_000);
}

#[test]
fn an_unknown_model_is_priced_as_the_dearest_known_one() {
    let p = price_of(
        Family::TextToVideo,
        &json!({"model_name": "kling-v9-future", "prompt": "a cat", "mode": "pro"}),
        &Source::default(),
    )
    .expect("an unknown model is priced, not refused");
    assert_eq!(p.milli_units, 3_500);
    assert_eq!(p.model.as_deref(), Some("kling-v9-future"));
}

#[test]
fn an_extension_is_priced_by_its_source_and_the_dearest_case_when_unknown() {
    let params = json!({"video_id": "v1"});
    let source = |model: Option<&str>, mode: Option<&str>| Source {
        model: model.map(str::to_string),
        mode: mode.map(str::to_string),
    };
    let ext = |s| units(Family::VideoExtend, params.clone(), s);
    assert_eq!(ext(source(Some("kling-v1"), Some("std"))), 1_000);
    assert_eq!(ext(source(Some("kling-v1-6"), Some("std"))), 2_000);
    assert_eq!(ext(source(Some("kling-v1-5"), Some("pro"))), 3_500);
    assert_eq!(ext(source(None, None)), 3_500);
    assert_eq!(ext(source(Some("kling-v2-master"), Some("std"))), 3_500);
    let p = price_of(Family::VideoExtend, &params, &source(None, Some("std"))).expect("priced");
    assert_eq!((p.model, p.mode), (None, None));
}

#[test]
fn nothing_the_checks_refuse_is_priced() {
    // A mode that is not one of Kling's (a prototype property's name in JavaScript, say).
    for (field, params) in [
        (
            "mode",
            json!({"model_name": "kling-v1-6", "prompt": "a", "mode": "constructor"}),
        ),
        (
            "duration",
            json!({"model_name": "kling-v1-6", "prompt": "a", "duration": "7"}),
        ),
        ("prompt", json!({"model_name": "kling-v1-6"})),
    ] {
        let e = price_of(Family::TextToVideo, &params, &Source::default())
            .expect_err("refused before it is priced");
        assert_eq!(e.kind, ErrorKind::InvalidRequest);
        assert_eq!(e.field.as_deref(), Some(field), "{params}");
    }
}
