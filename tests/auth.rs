//! The token cache and its refresh: 1003/1004 re-sign once (on the server's clock when Kling sends
//! its `Date`), cached tokens are reused until the refresh margin, fixed credentials are not retried.
#![cfg(not(target_arch = "wasm32"))]
// Errors carry every identifier (as in the library); their size does not matter in tests.
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::http::Method;
use kling_edge::api::options::Token;
use kling_edge::api::{
    sign_token, Client, ClientOptions, ErrorKind, Family, RequestOptions, Secret,
};
use serde_json::json;
use support::*;

const NO_RETRY: RequestOptions = RequestOptions {
    timeout_ms: None,
    max_retries: Some(0),
};

fn get(
    client: &Client,
    env: &ScriptedEnv,
    opts: RequestOptions,
) -> Result<String, kling_edge::api::Error> {
    block_on(client.get_task(env, Family::VideoExtend, "t-1", opts)).map(|t| t.id())
}

#[test]
fn the_first_token_is_the_vector_token_at_the_frozen_clock() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "succeed")));
    get(&ak_client(), &env, NO_RETRY).unwrap();
    assert_eq!(env.sent()[0].bearer(), VECTOR_TOKEN);
}

#[test]
fn token_is_cached_between_calls() {
    let env = ScriptedEnv::new();
    for _ in 0..3 {
        env.reply(ok(task("t-1", "succeed")));
    }
    let client = ak_client();
    get(&client, &env, NO_RETRY).unwrap();
    env.advance(60_000.0);
    get(&client, &env, NO_RETRY).unwrap();
    env.advance(1_439_000.0); // T0 + 1499 s: 301 s of life left
    get(&client, &env, NO_RETRY).unwrap();
    let tokens: Vec<String> = env.sent().iter().map(|s| s.bearer().to_string()).collect();
    assert_eq!(tokens, [VECTOR_TOKEN; 3]);
}

#[test]
fn token_is_re_signed_within_the_five_minute_refresh_margin() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "succeed")))
        .reply(ok(task("t-1", "succeed")));
    let client = ak_client();
    get(&client, &env, NO_RETRY).unwrap();
    env.advance(1_500_000.0); // 300 s of life left: re-sign
    get(&client, &env, NO_RETRY).unwrap();
    let fresh = env.sent()[1].bearer().to_string();
    assert_eq!(fresh, sign_token(AK, SK, T0_S + 1500, 1800));
    assert_eq!(exp(&fresh), T0_S + 1500 + 1800);
    assert_eq!(nbf(&fresh), T0_S + 1500 - 5);
}

#[test]
fn token_ttl_option_sets_exp() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "succeed")));
    let client = Client::new(&ClientOptions::<()> {
        token_ttl_seconds: Some(600.0),
        ..ak_options()
    })
    .unwrap();
    get(&client, &env, NO_RETRY).unwrap();
    assert_eq!(
        claims(env.sent()[0].bearer()),
        json!({"iss": AK, "exp": T0_S + 600, "nbf": T0_S - 5})
    );
}

#[test]
fn expired_1004_re_signs_and_retries_once_without_counting_against_max_retries() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "succeed")))
        .reply(api_error(401, 1004, "token expired"))
        .reply(ok(task("t-1", "succeed")));
    let client = ak_client();
    get(&client, &env, NO_RETRY).unwrap();
    env.advance(1_000_000.0); // the cached token still has 800 s by our clock
    assert_eq!(get(&client, &env, NO_RETRY).unwrap(), "t-1");
    let sent = env.sent();
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[1].bearer(), VECTOR_TOKEN);
    let fresh = sent[2].bearer();
    assert_ne!(fresh, VECTOR_TOKEN);
    assert_eq!(fresh, sign_token(AK, SK, T0_S + 1000, 1800));
    assert!(exp(fresh) > exp(VECTOR_TOKEN));
    assert_eq!(exp(fresh), T0_S + 2800);
    assert!(env.sleeps().is_empty(), "a re-sign is not a backoff");
    assert_eq!(sent[2].method(), Method::Get);
    assert_eq!(sent[2].url(), sent[1].url());
}

#[test]
fn a_second_1004_is_returned() {
    let env = ScriptedEnv::new();
    env.reply(api_error(401, 1004, "expired"))
        .reply(api_error(401, 1004, "expired"));
    let e = get(&ak_client(), &env, RequestOptions::default()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(e.api_code, Some(1004));
    assert_eq!(e.status, Some(401));
    assert_eq!(env.count(), 2);
    assert!(!e.message.contains(VECTOR_TOKEN));
    assert!(!e.message.contains(SK));
}

#[test]
fn the_re_sign_leaves_every_retry_for_transient_errors() {
    let env = ScriptedEnv::new();
    env.reply(api_error(401, 1004, "expired"))
        .reply(api_error(500, 5000, "x"))
        .reply(api_error(500, 5000, "x"))
        .reply(ok(task("t-1", "succeed")));
    get(&ak_client(), &env, RequestOptions::default()).unwrap();
    assert_eq!(env.count(), 4);
    assert_eq!(env.sleeps(), [438, 875]);
}

#[test]
fn not_yet_valid_1003_with_a_server_date_10_minutes_ahead_re_signs_on_the_server_clock() {
    let env = ScriptedEnv::new();
    env.reply(
        api_error(401, 1003, "token not yet valid").with("Date", &http_date(T0_S as u64 + 600)),
    )
    .reply(ok(task("t-1", "succeed")));
    let client = ak_client();
    get(&client, &env, NO_RETRY).unwrap();
    assert_eq!(client.auth().clock_offset_ms(), 600_000.0);
    let fresh = env.sent()[1].bearer().to_string();
    assert_eq!(
        claims(&fresh),
        json!({"iss": AK, "exp": T0_S + 600 + 1800, "nbf": T0_S + 600 - 5})
    );
    assert_eq!(fresh, sign_token(AK, SK, T0_S + 600, 1800));
}

#[test]
fn not_yet_valid_1003_with_a_server_date_40_minutes_behind_re_signs_on_the_server_clock() {
    let env = ScriptedEnv::new();
    env.reply(
        api_error(401, 1003, "token not yet valid").with("date", &http_date(T0_S as u64 - 2400)),
    )
    .reply(ok(task("t-1", "succeed")))
    .reply(ok(task("t-1", "succeed")));
    let client = ak_client();
    get(&client, &env, NO_RETRY).unwrap();
    assert_eq!(client.auth().clock_offset_ms(), -2_400_000.0);
    let fresh = env.sent()[1].bearer().to_string();
    assert_eq!(
        claims(&fresh),
        json!({"iss": AK, "exp": T0_S - 2400 + 1800, "nbf": T0_S - 2400 - 5})
    );
    // The corrected token is cached on the server's clock, not thrown away as "expired" locally.
    get(&client, &env, NO_RETRY).unwrap();
    assert_eq!(env.sent()[2].bearer(), fresh);
}

#[test]
fn api_key_gets_no_refresh_retry() {
    let env = ScriptedEnv::new();
    env.reply(api_error(401, 1004, "expired"));
    let e = get(&api_key_client("k-1"), &env, RequestOptions::default()).unwrap_err();
    assert_eq!(e.api_code, Some(1004));
    assert_eq!(env.count(), 1);
}

#[test]
fn static_token_gets_no_refresh_retry() {
    let env = ScriptedEnv::new();
    env.reply(api_error(401, 1003, "not yet valid").with("date", &http_date(T0_S as u64)));
    let client = Client::new(&ClientOptions::<()> {
        token: Some(Token::Fixed(Secret::new("pre.signed.jwt"))),
        ..ClientOptions::default()
    })
    .unwrap();
    let e = get(&client, &env, RequestOptions::default()).unwrap_err();
    assert_eq!(e.api_code, Some(1003));
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(env.count(), 1);
}

#[test]
fn token_provider_is_asked_again_after_1004() {
    let env = ScriptedEnv::new();
    env.token(Ok("old-token")).token(Ok("new-token"));
    env.reply(api_error(401, 1004, "expired"))
        .reply(ok(task("t-1", "succeed")));
    let client = Client::new(&ClientOptions::<()> {
        token: Some(Token::Provider(())),
        ..ClientOptions::default()
    })
    .unwrap();
    get(&client, &env, NO_RETRY).unwrap();
    assert_eq!(env.token_calls(), 2);
    assert_eq!(env.sent()[0].bearer(), "old-token");
    assert_eq!(env.sent()[1].bearer(), "new-token");
}

#[test]
fn token_provider_failure_is_returned_without_sending() {
    let env = ScriptedEnv::new();
    env.token(Err(kling_edge::api::Error::new(
        ErrorKind::Auth,
        "provider down",
    )));
    let client = Client::new(&ClientOptions::<()> {
        token: Some(Token::Provider(())),
        ..ClientOptions::default()
    })
    .unwrap();
    let e = get(&client, &env, RequestOptions::default()).unwrap_err();
    assert_eq!(e.message, "provider down");
    assert_eq!(env.count(), 0);
}

#[test]
fn expired_1004_on_a_create_re_posts_the_same_body_without_a_lookup() {
    let env = ScriptedEnv::new();
    env.reply(api_error(401, 1004, "expired"))
        .reply(ok(task("t-1", "submitted")));
    env.set_latency(0.0);
    let client = ak_client();
    block_on(client.create(
        &env,
        Family::VideoExtend,
        &json!({"video_id": "v"}),
        NO_RETRY,
    ))
    .unwrap();
    let sent = env.sent();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].method(), Method::Post);
    assert_eq!(sent[1].request.body, sent[0].request.body);
}
