//! Request validation: every documented rule is checked before anything is sent, and the error
//! names the offending field.
#![cfg(not(target_arch = "wasm32"))]
// Errors carry every identifier (as in the library); their size does not matter in tests.
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::{Error, ErrorKind, Family, Page, RequestOptions};
use serde_json::{json, Value};
use support::*;

/// A model for a generation that names none (the table's rules for kling-v2-5-turbo apply).
fn with_model(family: Family, mut params: Value) -> Value {
    if family != Family::VideoExtend && params.is_object() && params.get("model_name").is_none() {
        params["model_name"] = json!("kling-v2-5-turbo");
    }
    params
}

/// Creates with `params` (with a model, see [`with_model`]) against a host that must see no
/// request; returns the refusal.
fn refused(family: Family, params: Value, field: &str) -> Error {
    refused_as_is(family, with_model(family, params), field)
}

/// Creates with `params` as given against a host that must see no request; returns the refusal.
fn refused_as_is(family: Family, params: Value, field: &str) -> Error {
    let env = ScriptedEnv::new();
    let e = block_on(ak_client().create(&env, family, &params, RequestOptions::default()))
        .expect_err("the parameters must be refused");
    assert_eq!(e.kind, ErrorKind::InvalidRequest, "{params}");
    assert_eq!(e.kind.code(), "ERR_KLING_INVALID_REQUEST");
    assert_eq!(e.field.as_deref(), Some(field), "{params}: {}", e.message);
    assert_eq!(env.count(), 0, "a request was sent for {params}");
    assert!(!e.retryable);
    e
}

/// Creates with `params`; the one request must be sent.
fn accepted(family: Family, params: Value) {
    let params = with_model(family, params);
    let env = ScriptedEnv::new();
    env.reply(ok(task("t", "submitted")));
    block_on(ak_client().create(&env, family, &params, RequestOptions::default()))
        .unwrap_or_else(|e| panic!("{params} was refused: {e}"));
    assert_eq!(env.count(), 1);
}

fn extend_refused(params: Value, field: &str) -> Error {
    refused(Family::VideoExtend, params, field)
}

fn extend_ok(params: Value) {
    accepted(Family::VideoExtend, params)
}

#[test]
fn video_id_is_required_non_empty_and_a_string() {
    extend_refused(json!({}), "video_id");
    extend_refused(json!({"video_id": null}), "video_id");
    extend_refused(json!({"video_id": ""}), "video_id");
    extend_refused(json!({"video_id": "   "}), "video_id");
    extend_refused(json!({"video_id": 123}), "video_id");
    extend_refused(json!({"video_id": ["v"]}), "video_id");
    extend_refused(json!({"video_id": chars('v', 257)}), "video_id");
    extend_ok(json!({"video_id": chars('v', 256)}));
}

#[test]
fn params_must_be_an_object() {
    extend_refused(json!("v"), "params");
    extend_refused(Value::Null, "params");
}

#[test]
fn prompts_of_2500_characters_pass_and_2501_are_refused() {
    for field in ["prompt", "negative_prompt"] {
        extend_ok(json!({"video_id": "v", field: chars('a', 2500)}));
        let e = extend_refused(json!({"video_id": "v", field: chars('a', 2501)}), field);
        assert!(e.message.contains("2501 characters"), "{}", e.message);
        extend_refused(json!({"video_id": "v", field: 5}), field);
    }
}

#[test]
fn prompts_are_counted_in_characters_not_bytes() {
    extend_ok(json!({"video_id": "v", "prompt": chars('视', 2500)}));
    extend_ok(json!({"video_id": "v", "negative_prompt": chars('😀', 2500)}));
    extend_refused(
        json!({"video_id": "v", "prompt": chars('视', 2501)}),
        "prompt",
    );
    extend_refused(
        json!({"video_id": "v", "prompt": chars('😀', 2501)}),
        "prompt",
    );
}

#[test]
fn cfg_scale_must_be_a_number_from_0_to_1() {
    extend_refused(json!({"video_id": "v", "cfg_scale": -0.1}), "cfg_scale");
    extend_refused(json!({"video_id": "v", "cfg_scale": 1.1}), "cfg_scale");
    extend_refused(json!({"video_id": "v", "cfg_scale": "0.5"}), "cfg_scale");
    extend_refused(json!({"video_id": "v", "cfg_scale": true}), "cfg_scale");
    extend_ok(json!({"video_id": "v", "cfg_scale": 0}));
    extend_ok(json!({"video_id": "v", "cfg_scale": 1}));
    extend_ok(json!({"video_id": "v", "cfg_scale": 0.5}));
}

#[test]
fn watermark_info_must_be_enabled_true_or_false() {
    for bad in [
        json!(true),
        json!({}),
        json!({"enabled": "yes"}),
        json!({"enabled": 1}),
        json!({"enabled": true, "position": "tl"}),
        json!([{"enabled": true}]),
    ] {
        extend_refused(
            json!({"video_id": "v", "watermark_info": bad}),
            "watermark_info",
        );
    }
    extend_ok(json!({"video_id": "v", "watermark_info": {"enabled": true}}));
    extend_ok(json!({"video_id": "v", "watermark_info": {"enabled": false}}));
}

#[test]
fn callback_url_must_be_http_or_empty() {
    for bad in [
        json!("ftp://example.com/hook"),
        json!("not a url"),
        json!("https://"),
        json!("https://exa mple.com"),
        json!("//example.com"),
        json!(5),
    ] {
        extend_refused(
            json!({"video_id": "v", "callback_url": bad}),
            "callback_url",
        );
    }
    extend_ok(json!({"video_id": "v", "callback_url": ""}));
    extend_ok(json!({"video_id": "v", "callback_url": "https://example.com/kling?t=x"}));
    extend_ok(json!({"video_id": "v", "callback_url": "http://localhost:8080"}));
}

#[test]
fn external_task_id_must_be_a_non_blank_string() {
    for bad in [
        json!(""),
        json!("  "),
        json!(42),
        json!("a\nb"),
        json!(chars('x', 257)),
    ] {
        extend_refused(
            json!({"video_id": "v", "external_task_id": bad}),
            "external_task_id",
        );
    }
    extend_ok(json!({"video_id": "v", "external_task_id": chars('x', 256)}));
}

#[test]
fn unknown_fields_are_refused_with_a_hint_for_the_third_party_guide_fields() {
    let e = extend_refused(json!({"video_id": "v", "task_id": "t"}), "task_id");
    assert!(
        e.message.contains("task_result.videos[0].id"),
        "{}",
        e.message
    );
    for field in ["duration", "mode", "model_name"] {
        let e = extend_refused(json!({"video_id": "v", field: "x"}), field);
        assert!(
            e.message.contains("inherits the model, mode and length"),
            "{}",
            e.message
        );
    }
    let e = extend_refused(json!({"video_id": "v", "promt": "typo"}), "promt");
    assert!(
        e.message.contains("accepted fields are video_id, prompt"),
        "{}",
        e.message
    );
    let e = refused(
        Family::TextToVideo,
        json!({"prompt": "p", "video_id": "v", "model_name": "kling-v3"}),
        "video_id",
    );
    assert!(e.message.contains("extensions.create"), "{}", e.message);
}

#[test]
fn text2video_needs_a_prompt() {
    let t2v = Family::TextToVideo;
    refused(t2v, json!({}), "prompt");
    refused(t2v, json!({"prompt": ""}), "prompt");
    refused(t2v, json!({"prompt": chars('p', 2501)}), "prompt");
    accepted(t2v, json!({"prompt": "p"}));
}

#[test]
fn text2video_duration_is_the_string_5_or_10() {
    let t2v = Family::TextToVideo;
    refused(t2v, json!({"prompt": "p", "duration": 5}), "duration");
    refused(t2v, json!({"prompt": "p", "duration": "7"}), "duration");
    refused(t2v, json!({"prompt": "p", "duration": 10}), "duration");
    accepted(t2v, json!({"prompt": "p", "duration": "5"}));
    accepted(t2v, json!({"prompt": "p", "duration": "10"}));
}

#[test]
fn text2video_mode_and_aspect_ratio_are_from_the_documented_lists() {
    let t2v = Family::TextToVideo;
    refused(t2v, json!({"prompt": "p", "mode": "fast"}), "mode");
    refused(
        t2v,
        json!({"prompt": "p", "aspect_ratio": "4:3"}),
        "aspect_ratio",
    );
    refused(
        t2v,
        json!({"prompt": "p", "camera_control": "zoom"}),
        "camera_control",
    );
    refused(t2v, json!({"prompt": "p", "model_name": 1}), "model_name");
    for mode in ["std", "pro"] {
        accepted(t2v, json!({"prompt": "p", "mode": mode}));
    }
    for ratio in ["16:9", "9:16", "1:1"] {
        accepted(t2v, json!({"prompt": "p", "aspect_ratio": ratio}));
    }
}

#[test]
fn image2video_needs_an_image_without_a_data_prefix() {
    let i2v = Family::ImageToVideo;
    refused(i2v, json!({"prompt": "p"}), "image");
    refused(i2v, json!({"image": ""}), "image");
    refused(i2v, json!({"image": 5}), "image");
    let e = refused(
        i2v,
        json!({"image": "data:image/png;base64,iVBORw0KGgo="}),
        "image",
    );
    assert!(e.message.contains("data:"), "{}", e.message);
    refused(
        i2v,
        json!({"image": "https://example.com/a.png", "image_tail": "data:image/png;base64,AA=="}),
        "image_tail",
    );
    refused(
        i2v,
        json!({"image": "https://example.com/a.png", "dynamic_masks": {}}),
        "dynamic_masks",
    );
    accepted(i2v, json!({"image": "iVBORw0KGgo="}));
    accepted(
        i2v,
        json!({"image": "https://example.com/a.png", "dynamic_masks": []}),
    );
}

#[test]
fn page_num_and_page_size_are_whole_numbers_in_range() {
    for (params, field) in [
        (json!({"pageNum": 0}), "pageNum"),
        (json!({"pageNum": 1001}), "pageNum"),
        (json!({"pageNum": 1.5}), "pageNum"),
        (json!({"pageNum": "2"}), "pageNum"),
        (json!({"pageSize": 0}), "pageSize"),
        (json!({"pageSize": 501}), "pageSize"),
        (json!({"pageSize": -1}), "pageSize"),
    ] {
        let e = Page::from_params(Some(&params)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidRequest);
        assert_eq!(e.field.as_deref(), Some(field), "{params}");
    }
    assert_eq!(
        Page::from_params(Some(&json!([])))
            .unwrap_err()
            .field
            .as_deref(),
        Some("params")
    );
    assert_eq!(
        Page::from_params(Some(&json!({"pageNum": 1000, "pageSize": 500}))).unwrap(),
        Page {
            num: 1000,
            size: 500
        }
    );
    assert_eq!(
        Page::from_params(Some(&json!({"pageNum": 1, "pageSize": 1}))).unwrap(),
        Page { num: 1, size: 1 }
    );
}

#[test]
fn ids_of_get_are_checked_before_sending() {
    let env = ScriptedEnv::new();
    for id in ["", " ", "a\u{0}b", &chars('x', 257)] {
        let e = block_on(ak_client().get_task(
            &env,
            Family::VideoExtend,
            id,
            RequestOptions::default(),
        ))
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidRequest);
        assert_eq!(e.field.as_deref(), Some("id"));
    }
    assert_eq!(env.count(), 0);
}

#[test]
fn a_generation_for_the_discontinued_kling_v1_is_refused_before_sending() {
    for family in [Family::TextToVideo, Family::ImageToVideo] {
        let base = json!({"prompt": "p", "image": "https://example.com/i.png"});
        let base = if family == Family::TextToVideo {
            json!({"prompt": "p"})
        } else {
            base
        };
        let e = refused_as_is(family, base.clone(), "model_name");
        assert!(
            e.message
                .contains("Kling's default, kling-v1, is discontinued"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("kling-v3 is today's model"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("kling-v1-6"), "{}", e.message);
        let mut v1 = base.clone();
        v1["model_name"] = json!("kling-v1");
        let e = refused(family, v1, "model_name");
        assert!(e.message.contains("Use kling-v3 instead"), "{}", e.message);
        for model in [
            "kling-v3",
            "kling-v2-6",
            "kling-v2-5-turbo",
            "kling-v2-master",
        ] {
            let mut ok_params = base.clone();
            ok_params["model_name"] = json!(model);
            accepted(family, ok_params);
        }
    }
}
