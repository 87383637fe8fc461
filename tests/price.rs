//! The worst-case price a service reserves before a create: an extension priced by its source
//! when known, the dearest source otherwise, and nothing priced that the checks refuse.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::result_large_err)]

use kling_edge::api::estimate::{price, Source};
use kling_edge::api::{ErrorKind, Family};
use serde_json::json;

fn source(model: Option<&str>, mode: Option<&str>) -> Source {
    Source {
        model: model.map(str::to_string),
        mode: mode.map(str::to_string),
    }
}

#[test]
fn an_extension_is_priced_by_its_source_and_the_dearest_case_when_unknown() {
    let params = json!({"video_id": "v1"});
    let ext = |s: Source| {
        price(Family::VideoExtend, &params, false, &s)
            .expect("priced")
            .units
    };
    assert_eq!(ext(source(Some("kling-v1"), Some("std"))), 1.0);
    assert_eq!(ext(source(Some("kling-v1-6"), Some("std"))), 2.0);
    assert_eq!(ext(source(Some("kling-v1-5"), Some("pro"))), 3.5);
    assert_eq!(ext(source(None, None)), 3.5);
    assert_eq!(ext(source(Some("kling-v2-master"), Some("std"))), 3.5);
    let p = price(
        Family::VideoExtend,
        &params,
        false,
        &source(None, Some("std")),
    )
    .expect("priced");
    assert_eq!((p.model, p.mode), (None, None));
    let p = price(
        Family::VideoExtend,
        &params,
        false,
        &source(Some("kling-v1-6"), Some("std")),
    )
    .expect("priced");
    assert_eq!(
        (p.model.as_deref(), p.mode.as_deref()),
        (Some("kling-v1-6"), Some("std"))
    );
}

#[test]
fn nothing_the_checks_refuse_is_priced() {
    // A mode that is not one of Kling's (a prototype property's name in JavaScript, say).
    for (field, params) in [
        (
            "mode",
            json!({"model_name": "kling-v3", "prompt": "a", "mode": "constructor"}),
        ),
        (
            "duration",
            json!({"model_name": "kling-v3", "prompt": "a", "duration": "length"}),
        ),
        ("prompt", json!({"model_name": "kling-v3"})),
    ] {
        let e = price(Family::TextToVideo, &params, false, &Source::default())
            .expect_err("refused before it is priced");
        assert_eq!(e.kind, ErrorKind::InvalidRequest);
        assert_eq!(e.field.as_deref(), Some(field), "{params}");
    }
}
