//! The capability table (`src/api/caps.rs`), tested from itself: for every row, each allowed
//! mode, duration, aspect ratio and feature is sent, and each value outside the row is refused
//! with its `field` and nothing sent. Adding a row adds its tests. Then the rules the rows share
//! (Omni-Video's inputs, multi-shot, retirement, Kling's own refusal of a model) and `price`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::caps::{self, Row, Rule, GATES, TABLE};
use kling_edge::api::estimate::{price, Source};
use kling_edge::api::fit::field_of;
use kling_edge::api::{Client, ClientOptions, Error, ErrorKind, Family, RequestOptions, Secret};
use serde_json::{json, Value};
use support::*;

const IMG: &str = "https://example.com/a.png";
const FUTURE: &str = "kling-v9-future";

fn client(allow_retired: bool) -> Client {
    Client::new(&ClientOptions::<()> {
        access_key: Some("ak".into()),
        secret_key: Some(Secret::new("sk")),
        allow_retired_models: allow_retired,
        ..ClientOptions::default()
    })
    .expect("valid options")
}

fn send(client: &Client, family: Family, params: &Value) -> (Result<(), Error>, usize) {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t", "submitted")));
    let r = block_on(client.create(&env, family, params, RequestOptions::default())).map(|_| ());
    (r, env.count())
}

fn accepted(client: &Client, family: Family, params: &Value) {
    let (r, sent) = send(client, family, params);
    r.unwrap_or_else(|e| panic!("{} {params} was refused: {e}", family.name()));
    assert_eq!(sent, 1, "{params}");
}

fn refused(client: &Client, family: Family, params: &Value, field: &str) -> Error {
    let (r, sent) = send(client, family, params);
    let e = r.expect_err(&format!("{} {params} must be refused", family.name()));
    assert_eq!(e.kind, ErrorKind::InvalidRequest, "{params}: {e}");
    assert_eq!(e.field.as_deref(), Some(field), "{params}: {e}");
    assert_eq!(sent, 0, "nothing is sent for {params}");
    e
}

/// The smallest valid create of `family` with `model`.
fn base(family: Family, model: &str) -> Value {
    match family {
        Family::TextToVideo => json!({"model_name": model, "prompt": "a fox"}),
        Family::ImageToVideo => json!({"model_name": model, "image": IMG}),
        _ => json!({"model_name": model, "prompt": "a fox", "aspect_ratio": "16:9"}),
    }
}

fn with(mut params: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().expect("an object") {
        params[k] = v.clone();
    }
    params
}

/// A request that uses `gate`, and the fact a model without it is refused on.
fn example(gate: &str) -> (Value, &'static str) {
    match gate {
        "image_tail" => (json!({"image_tail": IMG}), "image_tail"),
        "sound" => (json!({"sound": "on"}), "sound"),
        "multi_shot" => (
            json!({"multi_shot": true, "shot_type": "customize", "duration": "5",
                   "multi_prompt": [{"index": 1, "prompt": "a", "duration": "2"},
                                    {"index": 2, "prompt": "b", "duration": "3"}]}),
            "multi_shot",
        ),
        "reference_video" => (
            json!({"video_list": [{"video_url": "https://example.com/v.mp4", "refer_type": "feature"}]}),
            "video",
        ),
        "elements" => (
            json!({"element_list": [{"element_id": "e1"}]}),
            "element_list",
        ),
        "end_frame" => (
            json!({"image_list": [{"image_url": IMG, "type": "first_frame"},
                                  {"image_url": IMG, "type": "end_frame"}]}),
            "end_frame",
        ),
        other => panic!("no example for the gate {other}: add one"),
    }
}

/// The durations a text-only request may have under the row's (and its family's) rules.
fn text_only_allows(row: &Row, d: &str) -> bool {
    let generic = caps::any_model(row.family);
    row.durations.allows(d)
        && generic.rules.iter().chain(row.rules).all(|r| match r {
            Rule::DurationsWhen { when, durations } if *when == "text_or_first_frame" => {
                row.family != Family::OmniVideo || durations.allows(d)
            }
            _ => true,
        })
}

/// The rows a test walks: every known model, and a model the table does not know (the generic
/// row's rules, sent as it is).
fn walked() -> Vec<(&'static Row, &'static str)> {
    TABLE
        .iter()
        .filter(|r| r.family != Family::VideoExtend)
        .map(|r| (r, if r.model == "*" { FUTURE } else { r.model }))
        .collect()
}

#[test]
fn every_family_has_its_generic_row_first_and_each_model_once() {
    for family in Family::ALL {
        let rows: Vec<&Row> = caps::rows(family).collect();
        assert_eq!(rows[0].model, "*", "{}", family.name());
        for (i, r) in rows.iter().enumerate().skip(1) {
            assert!(
                rows[i + 1..].iter().all(|o| o.model != r.model),
                "{} twice",
                r.model
            );
            for f in r.features {
                assert!(
                    rows[0].features.contains(f),
                    "{} has {f}, its family not",
                    r.model
                );
            }
        }
    }
    for (gate, _) in GATES {
        example(gate);
    }
}

#[test]
fn every_row_accepts_each_of_its_modes_and_refuses_another() {
    for (row, model) in walked() {
        let c = client(row.retired.is_some());
        for mode in row.modes {
            accepted(
                &c,
                row.family,
                &with(base(row.family, model), json!({"mode": mode})),
            );
        }
        refused(
            &c,
            row.family,
            &with(base(row.family, model), json!({"mode": "fast"})),
            "mode",
        );
    }
}

#[test]
fn every_row_accepts_each_of_its_durations_and_refuses_every_other() {
    for (row, model) in walked() {
        let c = client(row.retired.is_some());
        for n in 0..=61 {
            let d = n.to_string();
            let params = with(base(row.family, model), json!({"duration": d}));
            if text_only_allows(row, &d) {
                accepted(&c, row.family, &params);
            } else {
                let e = refused(&c, row.family, &params, "duration");
                assert!(e.message.contains(model), "{}", e.message);
            }
        }
        let e = refused(
            &c,
            row.family,
            &with(base(row.family, model), json!({"duration": 5})),
            "duration",
        );
        assert!(e.message.contains("string"), "{}", e.message);
    }
}

#[test]
fn every_row_accepts_each_of_its_aspect_ratios_and_refuses_another() {
    for (row, model) in walked() {
        let c = client(row.retired.is_some());
        for ratio in row.aspect_ratios {
            accepted(
                &c,
                row.family,
                &with(base(row.family, model), json!({"aspect_ratio": ratio})),
            );
        }
        // image2video has no aspect_ratio: an unknown field, refused all the same.
        refused(
            &c,
            row.family,
            &with(base(row.family, model), json!({"aspect_ratio": "4:3"})),
            "aspect_ratio",
        );
    }
}

#[test]
fn every_row_takes_exactly_its_features_and_their_mode_rules() {
    for (row, model) in walked() {
        let c = client(row.retired.is_some());
        let generic = caps::any_model(row.family);
        for gate in generic.features {
            let (extra, fact) = example(gate);
            let pro = with(
                with(base(row.family, model), extra.clone()),
                json!({"mode": "pro"}),
            );
            if !row.features.contains(gate) {
                let e = refused(&c, row.family, &pro, field_of(fact));
                assert!(e.message.contains("does not take"), "{}", e.message);
                continue;
            }
            accepted(&c, row.family, &pro);
            let only_pro = row.rules.iter().any(|r| matches!(r, Rule::OnlyInMode { when, .. } if *when == fact || *when == "sound:on" && fact == "sound"));
            let std = with(with(base(row.family, model), extra), json!({"mode": "std"}));
            if only_pro {
                let e = refused(&c, row.family, &std, field_of(fact));
                assert!(
                    e.message.contains(&format!("{model} allows"))
                        && e.message.contains("only in pro mode"),
                    "{}",
                    e.message
                );
            } else {
                accepted(&c, row.family, &std);
            }
        }
    }
}

#[test]
fn a_retired_model_is_refused_naming_today_s_model_unless_allowed() {
    for row in TABLE.iter().filter(|r| r.retired.is_some()) {
        let params = base(row.family, row.model);
        let e = refused(&client(false), row.family, &params, "model_name");
        assert!(e.message.contains("Use kling-v3 instead"), "{}", e.message);
        assert!(e.message.contains("allowRetiredModels"), "{}", e.message);
        if row.extendable {
            assert!(
                e.message.contains("Video-extend takes only"),
                "{}",
                e.message
            );
        }
        accepted(&client(true), row.family, &params);
    }
    assert!(caps::retired_models().contains(&"kling-v2-1-master"));
    assert_eq!(
        caps::extendable_models(),
        ["kling-v1", "kling-v1-5", "kling-v1-6"]
    );
}

#[test]
fn a_model_the_table_does_not_know_is_sent_with_its_body_untouched() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t", "submitted")));
    let params = json!({"model_name": FUTURE, "prompt": "p", "duration": "20", "sound": "on"});
    block_on(client(false).create(
        &env,
        Family::TextToVideo,
        &params,
        RequestOptions::default(),
    ))
    .unwrap();
    let body = env.sent()[0].json();
    assert_eq!(body["model_name"], FUTURE);
    assert_eq!(body["duration"], "20");
}

#[test]
fn kling_s_own_refusal_of_a_model_names_the_model_to_use() {
    for (code, status, message) in [
        (
            1201,
            400,
            "The model 'kling-v1-6' has been discontinued and is no longer available",
        ),
        (1203, 404, "model kling-v1-6 is retired"),
        (
            1103,
            403,
            "Model not available for this account: Deprecated",
        ),
    ] {
        let env = ScriptedEnv::new();
        env.reply(api_error(status, code, message));
        let params = base(Family::TextToVideo, "kling-v1-6");
        let e = block_on(client(true).create(
            &env,
            Family::TextToVideo,
            &params,
            RequestOptions::default(),
        ))
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("model_name"), "{e}");
        assert!(
            e.message
                .contains("Kling no longer generates with kling-v1-6: use kling-v3 instead"),
            "{}",
            e.message
        );
        assert!(e.message.contains(message), "{}", e.message);
        assert!(
            !e.message.contains("Fix the request parameters"),
            "{}",
            e.message
        );
    }
    // Another 1201 keeps its own words.
    let env = ScriptedEnv::new();
    env.reply(api_error(
        400,
        1201,
        "kling-v2-5-turbo/std/10 is not supported with image_tail",
    ));
    let params = base(Family::TextToVideo, "kling-v2-5-turbo");
    let e = block_on(client(false).create(
        &env,
        Family::TextToVideo,
        &params,
        RequestOptions::default(),
    ))
    .unwrap_err();
    assert!(!e.message.contains("instead"), "{}", e.message);
}

#[test]
fn kling_v3_takes_15_seconds_sound_multi_shot_and_a_last_frame() {
    let c = client(false);
    let shots = json!([{"index": 1, "prompt": "wide", "duration": "7"}, {"index": 2, "prompt": "close", "duration": "8"}]);
    accepted(
        &c,
        Family::TextToVideo,
        &json!({"model_name": "kling-v3", "prompt": "p", "duration": "15", "sound": "on", "mode": "std"}),
    );
    accepted(
        &c,
        Family::TextToVideo,
        &json!({"model_name": "kling-v3", "duration": "15", "multi_shot": true, "shot_type": "customize", "multi_prompt": shots}),
    );
    accepted(
        &c,
        Family::ImageToVideo,
        &json!({"model_name": "kling-v3", "image": IMG, "image_tail": IMG, "duration": "12"}),
    );
    let e = refused(
        &c,
        Family::TextToVideo,
        &json!({"model_name": "kling-v3", "prompt": "p", "duration": "16"}),
        "duration",
    );
    assert_eq!(
        e.message,
        "`duration` for kling-v3 must be 3–15 seconds (a string), not \"16\""
    );
    let e = refused(
        &c,
        Family::ImageToVideo,
        &json!({"model_name": "kling-v2-5-turbo", "image": IMG, "image_tail": IMG}),
        "image_tail",
    );
    assert!(
        e.message
            .starts_with("kling-v2-5-turbo allows `image_tail` only in pro mode"),
        "{}",
        e.message
    );
}

#[test]
fn multi_shot_durations_add_up_and_each_shot_is_checked() {
    let c = client(false);
    let t2v = Family::TextToVideo;
    let shots = |list: Value| json!({"model_name": "kling-v3", "duration": "10", "multi_shot": true, "shot_type": "customize", "multi_prompt": list});
    let e = refused(
        &c,
        t2v,
        &shots(json!([{"index": 1, "prompt": "a", "duration": "4"}])),
        "multi_prompt",
    );
    assert!(e.message.contains("add up to 4 s"), "{}", e.message);
    refused(&c, t2v, &shots(json!([])), "multi_prompt");
    refused(
        &c,
        t2v,
        &shots(json!([{"index": 1, "prompt": "a", "duration": "0.5"}])),
        "multi_prompt",
    );
    refused(
        &c,
        t2v,
        &shots(json!([{"index": 1, "prompt": "a".repeat(513), "duration": "10"}])),
        "multi_prompt",
    );
    refused(
        &c,
        t2v,
        &shots(json!([{"index": 1, "prompt": "a", "duration": "10", "camera": "x"}])),
        "multi_prompt",
    );
    let seven: Vec<Value> = (1..=7)
        .map(|i| json!({"index": i.min(6), "prompt": "a", "duration": "1"}))
        .collect();
    refused(
        &c,
        t2v,
        &with(shots(json!(seven)), json!({"duration": "7"})),
        "multi_prompt",
    );
    refused(
        &c,
        t2v,
        &json!({"model_name": "kling-v3", "duration": "10", "multi_shot": true, "shot_type": "customize"}),
        "shot_type",
    );
    refused(
        &c,
        t2v,
        &json!({"model_name": "kling-v3", "multi_shot": true, "shot_type": "cut"}),
        "shot_type",
    );
    // Without multi_shot the prompt is required; with it, not.
    refused(&c, t2v, &json!({"model_name": "kling-v3"}), "prompt");
    accepted(
        &c,
        t2v,
        &json!({"model_name": "kling-v3", "multi_shot": true, "shot_type": "intelligence"}),
    );
}

#[test]
fn omni_video_checks_its_inputs_and_the_names_a_prompt_gives_them() {
    let c = client(false);
    let omni = Family::OmniVideo;
    let video = json!([{"video_url": "https://example.com/v.mp4", "refer_type": "feature", "keep_original_sound": "yes"}]);
    accepted(
        &c,
        omni,
        &json!({"model_name": "kling-v3-omni", "prompt": "the next shot of <<<video_1>>>", "video_list": video, "duration": "7", "aspect_ratio": "16:9"}),
    );
    refused(
        &c,
        omni,
        &json!({"model_name": "kling-v3-omni", "prompt": "next shot of <<<video_2>>>", "video_list": video, "aspect_ratio": "16:9"}),
        "video_list",
    );
    refused(
        &c,
        omni,
        &json!({"model_name": "kling-v3-omni", "prompt": "<<<image_1>>> runs", "aspect_ratio": "16:9"}),
        "image_list",
    );
    refused(
        &c,
        omni,
        &json!({"model_name": "kling-v3-omni", "prompt": "<<<element_1>>> runs", "aspect_ratio": "16:9"}),
        "element_list",
    );
    let shot_names = json!({"model_name": "kling-v3-omni", "aspect_ratio": "16:9", "multi_shot": true, "shot_type": "customize", "duration": "5",
        "multi_prompt": [{"index": 1, "prompt": "<<<image_1>>>", "duration": "5"}]});
    refused(&c, omni, &shot_names, "image_list");
    // aspect_ratio is required without a first frame or a base video.
    refused(
        &c,
        omni,
        &json!({"model_name": "kling-v3-omni", "prompt": "p"}),
        "aspect_ratio",
    );
    accepted(
        &c,
        omni,
        &json!({"model_name": "kling-v3-omni", "prompt": "p", "image_list": [{"image_url": IMG, "type": "first_frame"}]}),
    );
    let base_video = json!([{"video_url": "https://example.com/v.mp4", "refer_type": "base"}]);
    accepted(
        &c,
        omni,
        &json!({"model_name": "kling-v3-omni", "prompt": "make it night", "video_list": base_video}),
    );
    // An end frame needs a first frame; sound not with a video; at most one video.
    refused(
        &c,
        omni,
        &json!({"model_name": "kling-v3-omni", "prompt": "p", "aspect_ratio": "1:1", "image_list": [{"image_url": IMG, "type": "end_frame"}]}),
        "image_list",
    );
    refused(
        &c,
        omni,
        &json!({"model_name": "kling-v3-omni", "prompt": "p", "aspect_ratio": "1:1", "sound": "on", "video_list": video}),
        "sound",
    );
    let two = json!([video[0], video[0]]);
    refused(
        &c,
        omni,
        &json!({"model_name": "kling-v3-omni", "prompt": "p", "aspect_ratio": "1:1", "video_list": two}),
        "video_list",
    );
    // images + elements ≤ 7, ≤ 4 with a video.
    let images = |n: usize| json!(vec![json!({"image_url": IMG}); n]);
    accepted(
        &c,
        omni,
        &json!({"model_name": "kling-v3-omni", "prompt": "p", "aspect_ratio": "1:1", "image_list": images(7)}),
    );
    refused(
        &c,
        omni,
        &json!({"model_name": "kling-v3-omni", "prompt": "p", "aspect_ratio": "1:1", "image_list": images(7), "element_list": [{"element_id": 9}]}),
        "image_list",
    );
    accepted(
        &c,
        omni,
        &json!({"model_name": "kling-v3-omni", "prompt": "p", "aspect_ratio": "1:1", "image_list": images(4), "video_list": video}),
    );
    refused(
        &c,
        omni,
        &json!({"model_name": "kling-v3-omni", "prompt": "p", "aspect_ratio": "1:1", "image_list": images(5), "video_list": video}),
        "image_list",
    );
    // Each item's fields.
    for (field, bad) in [
        (
            "image_list",
            json!({"image_list": [{"image_url": IMG, "type": "last_frame"}]}),
        ),
        (
            "image_list",
            json!({"image_list": [{"image_url": "data:image/png;base64,AA=="}]}),
        ),
        ("image_list", json!({"image_list": [{"url": IMG}]})),
        (
            "video_list",
            json!({"video_list": [{"video_url": "https://example.com/v.mp4", "refer_type": "style"}]}),
        ),
        (
            "video_list",
            json!({"video_list": [{"video_url": "https://example.com/v.mp4", "refer_type": "base", "keep_original_sound": true}]}),
        ),
        (
            "video_list",
            json!({"video_list": [{"refer_type": "base"}]}),
        ),
        ("element_list", json!({"element_list": [{}]})),
        ("model_name", json!({"model_name": null})),
    ] {
        refused(
            &c,
            omni,
            &with(
                json!({"model_name": "kling-v3-omni", "prompt": "p", "aspect_ratio": "1:1"}),
                bad,
            ),
            field,
        );
    }
    // kling-video-o1: 5 or 10 s from text alone, 3–10 s with a reference video.
    let e = refused(
        &c,
        omni,
        &json!({"model_name": "kling-video-o1", "prompt": "p", "aspect_ratio": "1:1", "duration": "7"}),
        "duration",
    );
    assert!(e.message.contains("\"5\", \"10\""), "{}", e.message);
    accepted(
        &c,
        omni,
        &json!({"model_name": "kling-video-o1", "prompt": "p", "aspect_ratio": "1:1", "duration": "7", "video_list": video}),
    );
}

#[test]
fn price_is_the_table_s_estimate_after_the_same_checks() {
    let p = |family, params: Value| price(family, &params, false, &Source::default());
    let e = p(
        Family::TextToVideo,
        json!({"model_name": "kling-v3", "prompt": "p", "duration": "15", "mode": "pro"}),
    )
    .unwrap();
    assert_eq!(
        (
            e.units,
            e.estimate,
            e.model.as_deref(),
            e.mode.as_deref(),
            e.duration.as_str()
        ),
        (15.0, true, Some("kling-v3"), Some("pro"), "15")
    );
    let e = p(Family::TextToVideo, json!({"model_name": "kling-v3", "prompt": "p", "duration": "15", "mode": "pro", "sound": "on"})).unwrap();
    assert_eq!(e.units, 30.0);
    let e = p(
        Family::TextToVideo,
        json!({"model_name": "kling-v2-5-turbo", "prompt": "p"}),
    )
    .unwrap();
    assert_eq!(
        (e.units, e.mode.as_deref(), e.duration.as_str()),
        (2.0, Some("std"), "5")
    );
    // An unknown model: the family's dearest (kling-v2-master, 10 per 5 s).
    let e = p(
        Family::TextToVideo,
        json!({"model_name": FUTURE, "prompt": "p", "duration": "10"}),
    )
    .unwrap();
    assert_eq!(e.units, 20.0);
    let e = p(Family::VideoExtend, json!({"video_id": "v"})).unwrap();
    assert_eq!((e.units, e.model, e.mode), (3.5, None, None));
    let e = p(Family::OmniVideo, json!({"model_name": "kling-v3-omni", "prompt": "p", "aspect_ratio": "1:1", "duration": "3"})).unwrap();
    assert_eq!(e.units, 2.4);
    assert_eq!(
        p(
            Family::TextToVideo,
            json!({"model_name": "kling-v3", "prompt": "p", "duration": "20"})
        )
        .unwrap_err()
        .field
        .as_deref(),
        Some("duration")
    );
    assert_eq!(
        p(
            Family::TextToVideo,
            json!({"model_name": "kling-v1-6", "prompt": "p"})
        )
        .unwrap_err()
        .field
        .as_deref(),
        Some("model_name")
    );
    assert_eq!(
        price(
            Family::TextToVideo,
            &json!({"model_name": "kling-v1-6", "prompt": "p", "mode": "pro", "duration": "10"}),
            true,
            &Source::default()
        )
        .unwrap()
        .units,
        7.0
    );
}

#[test]
fn family_names_and_paths() {
    assert_eq!(Family::from_name("omni-video"), Some(Family::OmniVideo));
    assert_eq!(Family::OmniVideo.path(), "/v1/videos/omni-video");
    for f in Family::ALL {
        assert_eq!(Family::from_name(f.name()), Some(f));
    }
}

/// The fields serde knows for `T`, from its refusal of an unknown one.
fn fields_of<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
    let e = serde_json::from_value::<T>(json!({"no such field": 1}))
        .unwrap_err()
        .to_string();
    let list = e.split_once("expected one of ").expect("serde's words").1;
    list.split(", ")
        .map(|f| f.trim_matches('`').to_string())
        .collect()
}

#[test]
fn each_family_s_field_list_is_its_type_s_fields() {
    use kling_edge::api::params::*;
    assert_eq!(fields_of::<TextToVideoParams<Value>>(), TEXT2VIDEO_FIELDS);
    assert_eq!(fields_of::<ImageToVideoParams<Value>>(), IMAGE2VIDEO_FIELDS);
    assert_eq!(fields_of::<OmniVideoParams>(), OMNI_VIDEO_FIELDS);
    // A field of another family is refused as unknown, naming the family's own.
    let e = refused(
        &client(false),
        Family::TextToVideo,
        &json!({"model_name": "kling-v3", "prompt": "p", "image": IMG}),
        "image",
    );
    assert!(
        e.message.contains("accepted fields are model_name, prompt"),
        "{}",
        e.message
    );
    refused(
        &client(false),
        Family::OmniVideo,
        &json!({"model_name": "kling-v3-omni", "prompt": "p", "aspect_ratio": "1:1", "camera_control": {}}),
        "camera_control",
    );
}
