//! Creating a task never creates it twice: after an ambiguous failure the task is looked up by its
//! `external_task_id` before anything is submitted again.
#![cfg(not(target_arch = "wasm32"))]
// Errors carry every identifier (as in the library); their size does not matter in tests.
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::http::{Method, TransportError};
use kling_edge::api::{Error, ErrorKind, Family, RequestOptions, Task};
use serde_json::{json, Value};
use support::*;

const DEFAULT: RequestOptions = RequestOptions {
    timeout_ms: None,
    max_retries: None,
};

fn extend(env: &ScriptedEnv, params: Value) -> Result<Task<Value>, Error> {
    block_on(ak_client().create(env, Family::VideoExtend, &params, DEFAULT))
}

/// A task holding the id for the same request as `extend(.., {"video_id": "v"})`.
fn held(id: &str, status: &str) -> Value {
    extension_task(id, status, "v")
}

fn lookup_url() -> String {
    format!("{EXTEND_URL}/{GENERATED_ID}")
}

fn post_then_lookup() -> Vec<(Method, String)> {
    vec![
        (Method::Post, EXTEND_URL.into()),
        (Method::Get, lookup_url()),
    ]
}

fn assert_found_after_ambiguous(first: Result<Response, TransportError>) {
    let env = ScriptedEnv::new();
    match first.clone() {
        Ok(r) => env.reply(r),
        Err(t) => env.fail(t),
    };
    env.reply(ok(held("t-found", "processing")));
    let t = extend(&env, json!({"video_id": "v"})).unwrap();
    assert_eq!(t.id(), "t-found", "{first:?}");
    assert_eq!(env.calls(), post_then_lookup(), "{first:?}");
    assert_eq!(env.sleeps(), [438], "{first:?}");
    let sent = env.sent();
    assert_eq!(
        sent[1].at_ms,
        T0_MS + 438.0,
        "the lookup comes after the backoff"
    );
    assert_eq!(sent[1].request.body, None);
    assert_eq!(sent[1].header("content-type"), None);
    assert_eq!(
        sent[0].json(),
        json!({"video_id": "v", "external_task_id": GENERATED_ID})
    );
}

#[test]
fn network_error_on_post_looks_the_task_up_and_returns_it() {
    assert_found_after_ambiguous(Err(TransportError::Network("connection reset".into())));
}

#[test]
fn timeout_on_post_looks_the_task_up_and_returns_it() {
    assert_found_after_ambiguous(Err(TransportError::Timeout));
}

#[test]
fn server_5000_on_post_looks_the_task_up_and_returns_it() {
    assert_found_after_ambiguous(Ok(api_error(500, 5000, "internal error")));
}

#[test]
fn server_5002_and_bare_502_on_post_look_the_task_up() {
    assert_found_after_ambiguous(Ok(api_error(504, 5002, "internal timeout")));
    assert_found_after_ambiguous(Ok(raw(502, b"<html>Bad Gateway</html>")));
}

#[test]
fn truncated_2xx_on_post_looks_the_task_up_and_returns_it() {
    assert_found_after_ambiguous(Ok(raw(
        200,
        br#"{"code":0,"message":"SUCCEED","data":{"task_"#,
    )));
}

#[test]
fn a_2xx_that_is_not_a_task_looks_the_task_up() {
    assert_found_after_ambiguous(Ok(ok(json!({"task_status": "submitted"}))));
}

#[test]
fn absent_after_an_ambiguous_failure_re_posts_exactly_once_with_the_same_body() {
    let env = ScriptedEnv::new();
    env.fail(TransportError::Timeout)
        .reply(api_error(404, 1203, "resource does not exist"))
        .reply(ok(task("t-new", "submitted")));
    let t = extend(&env, json!({"video_id": "v", "prompt": "p"})).unwrap();
    assert_eq!(t.id(), "t-new");
    let mut expected = post_then_lookup();
    expected.push((Method::Post, EXTEND_URL.into()));
    assert_eq!(env.calls(), expected);
    let sent = env.sent();
    assert_eq!(sent[2].request, sent[0].request, "same headers, same body");
    assert_eq!(sent[2].json()["external_task_id"], GENERATED_ID);
    assert_eq!(env.sleeps(), [438]);
}

#[test]
fn a_lookup_that_fails_transiently_is_repeated() {
    let env = ScriptedEnv::new();
    env.fail(TransportError::Network("reset".into()))
        .reply(api_error(500, 5000, "x"))
        .reply(ok(held("t-found", "submitted")));
    assert_eq!(
        extend(&env, json!({"video_id": "v"})).unwrap().id(),
        "t-found"
    );
    let mut expected = post_then_lookup();
    expected.push((Method::Get, lookup_url()));
    assert_eq!(env.calls(), expected);
    assert_eq!(env.sleeps(), [438, 875]);
}

#[test]
fn re_post_refused_as_a_duplicate_external_id_is_looked_up_once_more() {
    let env = ScriptedEnv::new();
    env.fail(TransportError::Timeout)
        .reply(api_error(404, 1203, "not found yet"))
        .reply(api_error(400, 1201, "external_task_id already exists"))
        .reply(ok(held("t-late", "processing")));
    assert_eq!(
        extend(&env, json!({"video_id": "v"})).unwrap().id(),
        "t-late"
    );
    assert_eq!(
        env.calls(),
        vec![
            (Method::Post, EXTEND_URL.to_string()),
            (Method::Get, lookup_url()),
            (Method::Post, EXTEND_URL.to_string()),
            (Method::Get, lookup_url()),
        ]
    );
    assert_eq!(env.sleeps(), [438]);
}

#[test]
fn a_refusal_when_nothing_holds_the_id_is_kling_s_own_answer() {
    let env = ScriptedEnv::new();
    env.fail(TransportError::Timeout)
        .reply(api_error(404, 1203, "no"))
        .reply(api_error(400, 1201, "video is too old"))
        .reply(api_error(404, 1203, "no"));
    let e = extend(&env, json!({"video_id": "v"})).unwrap_err();
    assert_eq!(e.api_code, Some(1201));
    assert!(e.message.contains("video is too old"), "{}", e.message);
    assert_eq!(
        env.count(),
        4,
        "POST, lookup, POST, lookup: never a third POST"
    );
    assert_eq!(e.external_task_id.as_deref(), Some(GENERATED_ID));
    assert!(
        !e.task_may_exist,
        "the last lookup proved no task holds the id"
    );
}

const MAY_EXIST: &str = "The task may have been created: call again with external_task_id";

#[test]
fn a_create_that_cannot_be_settled_says_task_may_exist_and_is_not_retryable() {
    let env = ScriptedEnv::with([
        Err(TransportError::Network("down".into())),
        Err(TransportError::Network("down".into())),
        Err(TransportError::Network("down".into())),
    ]);
    let e = extend(&env, json!({"video_id": "v"})).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network);
    assert_eq!(e.external_task_id.as_deref(), Some(GENERATED_ID));
    assert!(e.task_may_exist);
    assert!(
        !e.retryable,
        "a generic retry wrapper would call again with a fresh id: a second paid task"
    );
    assert!(
        e.message.ends_with(&format!(
            ". {MAY_EXIST} \"{GENERATED_ID}\": the same id returns that task if it exists and creates it once if not"
        )),
        "{}",
        e.message
    );
    let mut expected = post_then_lookup();
    expected.push((Method::Get, lookup_url()));
    assert_eq!(env.calls(), expected, "one POST, then only lookups");
}

#[test]
fn an_unsettled_create_of_every_family_is_looked_up_at_its_own_endpoint() {
    for (family, params) in [
        (
            Family::TextToVideo,
            json!({"prompt": "p", "model_name": "kling-v3"}),
        ),
        (
            Family::ImageToVideo,
            json!({"image": "https://example.com/i.png", "model_name": "kling-v3"}),
        ),
    ] {
        let env = ScriptedEnv::with(std::iter::repeat_n(Err(TransportError::Timeout), 3));
        let e = block_on(ak_client().create(&env, family, &params, DEFAULT)).unwrap_err();
        assert!(e.task_may_exist && !e.retryable);
        assert!(e.message.contains(MAY_EXIST), "{}", e.message);
        assert_eq!(
            env.sent()[1].url(),
            format!("{GLOBAL}{}/{GENERATED_ID}", family.path())
        );
    }
}

#[test]
fn caller_supplied_external_task_id_is_kept_and_looked_up_percent_encoded() {
    let env = ScriptedEnv::new();
    env.fail(TransportError::Timeout)
        .reply(ok(held("t-found", "submitted")));
    extend(
        &env,
        json!({"video_id": "v", "external_task_id": "order 42/a"}),
    )
    .unwrap();
    let sent = env.sent();
    assert_eq!(sent[0].json()["external_task_id"], "order 42/a");
    assert_eq!(sent[1].url(), format!("{EXTEND_URL}/order%2042%2Fa"));
}

#[test]
fn rate_limit_and_concurrency_on_post_re_post_directly_without_a_lookup() {
    for (code, sleep) in [(1302, 438), (1303, 1000)] {
        let env = ScriptedEnv::new();
        env.reply(api_error(429, code, "later"))
            .reply(ok(task("t-1", "submitted")));
        extend(&env, json!({"video_id": "v"})).unwrap();
        assert_eq!(
            env.calls(),
            vec![
                (Method::Post, EXTEND_URL.to_string()),
                (Method::Post, EXTEND_URL.to_string())
            ],
            "code {code}"
        );
        assert_eq!(env.sleeps(), [sleep]);
        let sent = env.sent();
        assert_eq!(sent[0].request.body, sent[1].request.body);
    }
}

#[test]
fn pack_exhausted_1102_is_not_retried_and_carries_the_external_task_id() {
    let env = ScriptedEnv::new();
    env.reply(api_error(429, 1102, "resource pack exhausted"));
    let e = extend(&env, json!({"video_id": "v"})).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Account);
    assert_eq!(e.api_code, Some(1102));
    assert_eq!(e.external_task_id.as_deref(), Some(GENERATED_ID));
    assert!(
        !e.message.contains("may have been created"),
        "{}",
        e.message
    );
    assert!(!e.task_may_exist);
    assert_eq!(env.count(), 1);
}

#[test]
fn bad_request_on_the_first_post_is_not_retried() {
    let env = ScriptedEnv::new();
    env.reply(api_error(400, 1201, "video_id is not extendable"));
    let e = extend(&env, json!({"video_id": "v"})).unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadRequest);
    assert_eq!(env.count(), 1);
}

#[test]
fn abort_during_the_backoff_after_a_timeout_says_the_task_may_exist() {
    let env = ScriptedEnv::new();
    env.fail(TransportError::Timeout);
    env.abort_at_sleep(1);
    let e = extend(&env, json!({"video_id": "v"})).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Aborted);
    assert_eq!(e.external_task_id.as_deref(), Some(GENERATED_ID));
    assert!(e.message.contains(MAY_EXIST), "{}", e.message);
    assert!(e.task_may_exist && !e.retryable);
    assert_eq!(env.count(), 1);
}

#[test]
fn abort_while_posting_is_not_retried_and_says_the_task_may_exist() {
    let env = ScriptedEnv::new();
    env.fail(TransportError::Aborted);
    let e = extend(&env, json!({"video_id": "v"})).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Aborted);
    assert!(e.message.contains(MAY_EXIST), "{}", e.message);
    assert!(e.task_may_exist);
    assert_eq!(env.count(), 1);
}

#[test]
fn max_retries_zero_still_reports_the_external_task_id() {
    let env = ScriptedEnv::new();
    env.fail(TransportError::Timeout);
    let e = block_on(ak_client().create(
        &env,
        Family::VideoExtend,
        &json!({"video_id": "v"}),
        RequestOptions {
            timeout_ms: None,
            max_retries: Some(0),
        },
    ))
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert_eq!(e.external_task_id.as_deref(), Some(GENERATED_ID));
    assert!(e.message.contains(MAY_EXIST), "{}", e.message);
    assert!(e.task_may_exist && !e.retryable);
    assert_eq!(env.count(), 1);
}

#[test]
fn empty_external_task_id_is_refused_before_sending() {
    let env = ScriptedEnv::new();
    let e = extend(&env, json!({"video_id": "v", "external_task_id": ""})).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
    assert_eq!(e.field.as_deref(), Some("external_task_id"));
    assert_eq!(env.count(), 0);
}

#[test]
fn a_lookup_answered_1202_is_not_taken_as_absence() {
    let env = ScriptedEnv::new();
    env.fail(TransportError::Network("reset".into()))
        .reply(api_error(404, 1202, "invalid request method"));
    let e = extend(&env, json!({"video_id": "v"})).unwrap_err();
    assert_eq!(e.api_code, Some(1202));
    assert_eq!(env.calls(), post_then_lookup(), "no second POST");
    assert_eq!(e.external_task_id.as_deref(), Some(GENERATED_ID));
    assert!(e.message.contains(MAY_EXIST), "{}", e.message);
    assert!(e.task_may_exist);
}

#[test]
fn a_create_answer_past_max_response_bytes_is_looked_up_not_resent() {
    let env = ScriptedEnv::new();
    env.fail(TransportError::TooLarge {
        limit: 1024,
        status: 200,
        request_id: Some("req-big".into()),
    })
    .reply(ok(held("t-found", "submitted")));
    let t = extend(&env, json!({"video_id": "v"})).unwrap();
    assert_eq!(t.id(), "t-found");
    assert_eq!(env.calls(), post_then_lookup());
}

// The idempotency rule: same id + same request → the task that holds it; same id + another
// request → refused; a lookup answer that does not match is never this call's task.

const ORDER_URL: &str = "https://api-singapore.klingai.com/v1/videos/video-extend/order-1";

#[test]
fn a_reused_id_refused_by_kling_resolves_with_the_task_that_holds_it_for_the_same_video() {
    let env = ScriptedEnv::new();
    env.reply(api_error(400, 1201, "external_task_id already exists"))
        .reply(ok(held("t-first", "processing")));
    let t = extend(
        &env,
        json!({"video_id": "v", "external_task_id": "order-1"}),
    )
    .unwrap();
    assert_eq!(t.id(), "t-first");
    assert_eq!(
        env.calls(),
        vec![
            (Method::Post, EXTEND_URL.to_string()),
            (Method::Get, ORDER_URL.to_string())
        ],
        "nothing created: one refused POST, one lookup"
    );
    assert!(env.sleeps().is_empty());
}

#[test]
fn a_reused_id_for_another_video_is_refused_naming_the_task_that_holds_it() {
    let env = ScriptedEnv::new();
    env.reply(api_error(400, 1201, "external_task_id already exists"))
        .reply(ok(extension_task("t-other", "succeed", "v-else")));
    let e = extend(
        &env,
        json!({"video_id": "v", "external_task_id": "order-1"}),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadRequest);
    assert_eq!(e.kind.code(), "ERR_KLING_BAD_REQUEST");
    assert_eq!(e.field.as_deref(), Some("external_task_id"));
    assert_eq!(e.task_id.as_deref(), Some("t-other"));
    assert_eq!(e.external_task_id.as_deref(), Some("order-1"));
    assert!(!e.retryable && !e.task_may_exist);
    assert_eq!(
        e.message,
        "external_task_id \"order-1\" already belongs to task t-other, which extends video v-else, not video v; nothing was created. Give this request an external_task_id of its own, or get task t-other if it is the one you meant"
    );
    assert_eq!(env.count(), 2);
}

#[test]
fn after_an_ambiguous_failure_a_lookup_answer_for_another_video_is_never_returned() {
    let env = ScriptedEnv::new();
    env.fail(TransportError::Timeout)
        .reply(ok(extension_task("t-other", "succeed", "v-else")));
    let e = extend(&env, json!({"video_id": "v"})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("external_task_id"));
    assert_eq!(e.task_id.as_deref(), Some("t-other"));
    assert!(
        !e.task_may_exist,
        "the id is held by another request: this call's POST cannot have created a task"
    );
    assert_eq!(env.calls(), post_then_lookup(), "no second POST");
}

#[test]
fn a_task_that_does_not_say_which_video_it_extends_is_not_taken_as_this_request_s() {
    let env = ScriptedEnv::new();
    env.reply(api_error(400, 1201, "duplicate"))
        .reply(ok(task("t-vague", "succeed")));
    let e = extend(
        &env,
        json!({"video_id": "v", "external_task_id": "order-1"}),
    )
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("external_task_id"));
    assert!(
        e.message.contains("does not say which video it extends"),
        "{}",
        e.message
    );
}

#[test]
fn for_text2video_and_image2video_the_id_alone_decides() {
    for (family, params) in [
        (
            Family::TextToVideo,
            json!({"prompt": "p", "model_name": "kling-v3", "external_task_id": "order-1"}),
        ),
        (
            Family::ImageToVideo,
            json!({"image": "https://example.com/i.png", "model_name": "kling-v3", "external_task_id": "order-1"}),
        ),
    ] {
        let env = ScriptedEnv::new();
        env.reply(api_error(400, 1201, "duplicate"))
            .reply(ok(task("t-first", "succeed")));
        let t = block_on(ak_client().create(&env, family, &params, DEFAULT)).unwrap();
        assert_eq!(t.id(), "t-first");
        assert_eq!(
            env.sent()[1].url(),
            format!("{GLOBAL}{}/order-1", family.path())
        );
    }
}

#[test]
fn a_bad_request_with_a_caller_id_nobody_holds_is_kling_s_own_refusal_after_one_lookup() {
    let env = ScriptedEnv::new();
    env.reply(api_error(400, 1201, "the source video is too old"))
        .reply(api_error(404, 1203, "resource does not exist"));
    let e = extend(
        &env,
        json!({"video_id": "v", "external_task_id": "order-1"}),
    )
    .unwrap_err();
    assert_eq!(e.api_code, Some(1201));
    assert_eq!(e.field, None);
    assert!(e.message.contains("too old"), "{}", e.message);
    assert!(!e.task_may_exist);
    assert_eq!(env.count(), 2);
}

#[test]
fn a_refusal_whose_lookup_keeps_failing_is_reported_as_kling_s_refusal() {
    let env = ScriptedEnv::new();
    env.reply(api_error(400, 1201, "the source video is too old"))
        .fail(TransportError::Network("down".into()))
        .fail(TransportError::Network("down".into()))
        .fail(TransportError::Network("down".into()));
    let e = extend(
        &env,
        json!({"video_id": "v", "external_task_id": "order-1"}),
    )
    .unwrap_err();
    assert_eq!(e.api_code, Some(1201));
    assert!(!e.task_may_exist, "Kling refused the only POST");
    assert_eq!(env.count(), 4, "one POST and its lookup, retried");
}

#[test]
fn a_generated_id_is_never_held_so_a_first_bad_request_is_not_looked_up() {
    let env = ScriptedEnv::new();
    env.reply(api_error(400, 1201, "bad value"));
    let e = extend(&env, json!({"video_id": "v"})).unwrap_err();
    assert_eq!(e.api_code, Some(1201));
    assert_eq!(env.count(), 1);
}
