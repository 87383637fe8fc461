//! `GET /account/costs`: the whole request, the checks made before sending, the inner envelope
//! and its code, and retries.
#![cfg(not(target_arch = "wasm32"))]
// Errors carry every identifier (as in the library); their size does not matter in tests.
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::account::Costs;
use kling_edge::api::http::{Method, TransportError};
use kling_edge::api::{Error, ErrorKind, RequestOptions};
use serde_json::{json, Value};
use support::*;

const COSTS_URL: &str = "https://api-singapore.klingai.com/account/costs";

fn pack(name: &str, remaining: f64) -> Value {
    json!({
        "resource_pack_name": name,
        "resource_pack_id": format!("id-{name}"),
        "resource_pack_type": "decreasing_total",
        "total_quantity": 200.0,
        "remaining_quantity": remaining,
        "purchase_time": 1_999_000_000_000_i64,
        "effective_time": 1_999_000_000_000_i64,
        "invalid_time": 2_030_000_000_000_i64,
        "status": "online",
    })
}

fn inner(code: i64, msg: &str, packs: Value) -> Value {
    json!({"code": code, "msg": msg, "resource_pack_subscribe_infos": packs})
}

fn costs(env: &ScriptedEnv, params: Value) -> Result<Costs<Value>, Error> {
    block_on(ak_client().account_costs(env, &params, RequestOptions::default()))
}

fn range() -> Value {
    json!({"start_time": 1_999_000_000_000_i64, "end_time": 1_999_998_200_000_i64})
}

#[test]
fn account_costs_gets_the_documented_query_with_the_vector_token_and_no_body() {
    let env = ScriptedEnv::new();
    let data = inner(0, "success", json!([pack("video-pack", 150.0)]));
    env.reply(ok(data.clone()));
    let answer = costs(&env, range()).unwrap();
    assert_eq!(answer.data, data);
    assert_eq!(answer.request_id.as_deref(), Some("req-ok"));
    assert_eq!(answer.packs().len(), 1);
    let sent = env.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method(), Method::Get);
    assert_eq!(
        sent[0].url(),
        format!("{COSTS_URL}?start_time=1999000000000&end_time=1999998200000")
    );
    assert_eq!(
        sent[0].request.headers,
        vec![
            ("accept".to_string(), "application/json".to_string()),
            (
                "authorization".to_string(),
                format!("Bearer {VECTOR_TOKEN}")
            ),
        ]
    );
    assert_eq!(sent[0].request.body, None);
}

#[test]
fn account_costs_percent_encodes_the_resource_pack_name() {
    let env = ScriptedEnv::new();
    env.reply(ok(inner(0, "", json!([]))));
    let mut params = range();
    params["resource_pack_name"] = json!("video pack & more/é");
    costs(&env, params).unwrap();
    assert_eq!(
        env.sent()[0].url(),
        format!("{COSTS_URL}?start_time=1999000000000&end_time=1999998200000&resource_pack_name=video%20pack%20%26%20more%2F%C3%A9")
    );
}

#[test]
fn account_costs_keeps_unknown_fields_of_the_answer() {
    let env = ScriptedEnv::new();
    let mut data = inner(0, "", json!([pack("p", 1.0)]));
    data["something_new"] = json!({"a": 1});
    data["resource_pack_subscribe_infos"][0]["new_field"] = json!("kept");
    env.reply(ok(data.clone()));
    assert_eq!(costs(&env, range()).unwrap().data, data);
}

#[test]
fn account_costs_refuses_bad_parameters_and_sends_nothing() {
    let cases = [
        (json!(null), "params"),
        (json!([1, 2]), "params"),
        (json!({"end_time": 1}), "start_time"),
        (json!({"start_time": 1}), "end_time"),
        (json!({"start_time": "1", "end_time": 2}), "start_time"),
        (json!({"start_time": 1.5, "end_time": 2}), "start_time"),
        (json!({"start_time": -1, "end_time": 2}), "start_time"),
        (json!({"start_time": 0, "end_time": 2.25}), "end_time"),
        (json!({"start_time": 0, "end_time": 1e300}), "end_time"),
        (json!({"start_time": 5, "end_time": 4}), "end_time"),
        (
            json!({"start_time": 0, "end_time": 1, "resource_pack_name": ""}),
            "resource_pack_name",
        ),
        (
            json!({"start_time": 0, "end_time": 1, "resource_pack_name": 7}),
            "resource_pack_name",
        ),
        (
            json!({"start_time": 0, "end_time": 1, "startTime": 0}),
            "startTime",
        ),
    ];
    for (params, field) in cases {
        let env = ScriptedEnv::new();
        let e = costs(&env, params.clone()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidRequest, "{params}");
        assert_eq!(e.field.as_deref(), Some(field), "{params}: {}", e.message);
        assert_eq!(env.count(), 0);
    }
}

#[test]
fn account_costs_accepts_equal_start_and_end_and_time_zero() {
    let env = ScriptedEnv::new();
    env.reply(ok(inner(0, "", json!([]))));
    costs(
        &env,
        json!({"start_time": 0, "end_time": 0, "resource_pack_name": null}),
    )
    .unwrap();
    assert_eq!(
        env.sent()[0].url(),
        format!("{COSTS_URL}?start_time=0&end_time=0")
    );
}

#[test]
fn a_non_zero_inner_code_is_an_error_with_that_code_msg_and_request_id() {
    let env = ScriptedEnv::new();
    env.reply(ok(inner(1201, "start_time is out of range", json!(null))));
    let e = costs(&env, range()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadRequest);
    assert_eq!(e.api_code, Some(1201));
    assert_eq!(e.request_id.as_deref(), Some("req-ok"));
    assert!(
        e.message.contains("start_time is out of range"),
        "{}",
        e.message
    );
    assert!(!e.retryable);
    assert_eq!(env.count(), 1);
}

#[test]
fn an_inner_1302_is_retried_like_an_outer_one() {
    let env = ScriptedEnv::new();
    env.reply(ok(inner(1302, "too fast", json!(null))))
        .reply(ok(inner(0, "", json!([pack("p", 3.0)]))));
    assert_eq!(costs(&env, range()).unwrap().packs().len(), 1);
    assert_eq!(env.count(), 2);
    assert_eq!(env.sleeps(), [438]);
}

#[test]
fn outer_failures_are_retried_then_the_last_error_returned() {
    let env = ScriptedEnv::new();
    env.reply(api_error(500, 5000, "internal"))
        .fail(TransportError::Timeout)
        .reply(api_error(429, 1302, "too many"));
    let e = costs(&env, range()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(env.count(), 3);
    assert_eq!(env.sleeps(), [438, 875]);
}

#[test]
fn an_outer_1102_is_never_retried() {
    let env = ScriptedEnv::new();
    env.reply(api_error(429, 1102, "pack exhausted"));
    let e = costs(&env, range()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Account);
    assert_eq!(env.count(), 1);
}

#[test]
fn an_answer_without_the_inner_envelope_is_a_decode_error() {
    for data in [
        json!([]),
        json!({"msg": "no code"}),
        json!({"code": 0, "resource_pack_subscribe_infos": {"not": "an array"}}),
    ] {
        let env = ScriptedEnv::new();
        env.reply(ok(data.clone()));
        let e = costs(&env, range()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Decode, "{data}");
        assert_eq!(e.request_id.as_deref(), Some("req-ok"));
        assert_eq!(env.count(), 1, "{data}");
    }
}
