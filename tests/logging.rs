//! Logging: exactly what is logged at each level, with which fields — and never a credential.
#![cfg(not(target_arch = "wasm32"))]
// Errors carry every identifier (as in the library); their size does not matter in tests.
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::http::TransportError;
use kling_edge::api::{Client, ClientOptions, ErrorKind, Family, LogLevel, RequestOptions};
use serde_json::json;
use support::*;

fn get(
    env: &ScriptedEnv,
    client: &Client,
) -> Result<kling_edge::api::Task<serde_json::Value>, kling_edge::api::Error> {
    block_on(client.get_task(env, Family::VideoExtend, "t-1", RequestOptions::default()))
}

/// A 1302, then a success, each answer taking 40 ms.
fn retried_then_ok() -> ScriptedEnv {
    let env = ScriptedEnv::new();
    env.set_latency(40.0);
    env.reply(api_error(429, 1302, "too many"))
        .reply(ok(task("t-1", "processing")));
    env
}

#[test]
fn debug_logs_every_attempt_and_every_retry_with_its_delay() {
    let env = retried_then_ok();
    get(&env, &logging_client("debug")).unwrap();
    assert_eq!(
        env.log_lines(),
        [
            "debug kling-edge: GET /v1/videos/video-extend/t-1 (HTTP 429, code 1302, request req-1302): ERR_KLING_RATE_LIMITED in 40 ms (attempt 1)",
            "warn kling-edge: GET /v1/videos/video-extend/t-1 (HTTP 429, code 1302, request req-1302): ERR_KLING_RATE_LIMITED; retrying in 438 ms (attempt 2)",
            "debug kling-edge: GET /v1/videos/video-extend/t-1 (HTTP 200, code 0, request req-ok) in 40 ms (attempt 2)",
        ]
    );
    let fields: Vec<_> = env.logs().into_iter().map(|(_, _, f)| f).collect();
    assert_eq!(
        fields,
        [
            json!({"method": "GET", "path": "/v1/videos/video-extend/t-1", "attempt": 1, "status": 429, "apiCode": 1302, "requestId": "req-1302", "durationMs": 40.0, "code": "ERR_KLING_RATE_LIMITED"}),
            json!({"method": "GET", "path": "/v1/videos/video-extend/t-1", "attempt": 2, "status": 429, "apiCode": 1302, "requestId": "req-1302", "delayMs": 438, "code": "ERR_KLING_RATE_LIMITED"}),
            json!({"method": "GET", "path": "/v1/videos/video-extend/t-1", "attempt": 2, "status": 200, "apiCode": 0, "requestId": "req-ok", "durationMs": 40.0}),
        ]
    );
}

#[test]
fn warn_and_info_log_retries_only() {
    for level in ["warn", "info"] {
        let env = retried_then_ok();
        get(&env, &logging_client(level)).unwrap();
        let levels: Vec<LogLevel> = env.logs().into_iter().map(|(l, _, _)| l).collect();
        assert_eq!(levels, [LogLevel::Warn], "{level}");
    }
}

#[test]
fn error_logs_only_the_call_that_finally_fails() {
    let env = retried_then_ok();
    get(&env, &logging_client("error")).unwrap();
    assert!(env.logs().is_empty());

    let env = ScriptedEnv::with([
        Err(TransportError::Timeout),
        Err(TransportError::Timeout),
        Err(TransportError::Timeout),
    ]);
    let e = get(&env, &logging_client("error")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert_eq!(
        env.log_lines(),
        ["error kling-edge: GET /v1/videos/video-extend/t-1 failed: ERR_KLING_TIMEOUT (after 3 attempts)"]
    );
    assert_eq!(
        env.logs()[0].2,
        json!({"method": "GET", "path": "/v1/videos/video-extend/t-1", "attempt": 3, "code": "ERR_KLING_TIMEOUT"})
    );
}

#[test]
fn a_failure_without_retries_is_logged_once_at_error() {
    let env = ScriptedEnv::new();
    env.reply(api_error(429, 1102, "pack exhausted"));
    get(&env, &logging_client("warn")).unwrap_err();
    assert_eq!(
        env.log_lines(),
        ["error kling-edge: GET /v1/videos/video-extend/t-1 (HTTP 429, code 1102, request req-1102) failed: ERR_KLING_ACCOUNT (after 1 attempt)"]
    );
}

#[test]
fn off_is_the_default_and_logs_nothing() {
    let env = retried_then_ok();
    get(&env, &ak_client()).unwrap();
    assert!(env.logs().is_empty());
    let env = retried_then_ok();
    get(&env, &logging_client("off")).unwrap();
    assert!(env.logs().is_empty());
}

#[test]
fn a_re_signed_token_is_logged_as_a_retry_without_delay() {
    let env = ScriptedEnv::new();
    env.reply(api_error(401, 1004, "expired"))
        .reply(ok(task("t-1", "processing")));
    get(&env, &logging_client("warn")).unwrap();
    assert_eq!(
        env.log_lines(),
        ["warn kling-edge: GET /v1/videos/video-extend/t-1 (HTTP 401, code 1004, request req-1004): ERR_KLING_AUTH; re-signing the token and retrying (attempt 2)"]
    );
    assert_eq!(env.logs()[0].2["delayMs"], json!(0));
}

#[test]
fn account_costs_logs_its_query_and_the_inner_code() {
    let env = ScriptedEnv::new();
    env.reply(ok(json!({"code": 1302, "msg": "slow down"})))
        .reply(ok(
            json!({"code": 0, "msg": "", "resource_pack_subscribe_infos": []}),
        ));
    let params = json!({"start_time": 1, "end_time": 2});
    block_on(logging_client("debug").account_costs(&env, &params, RequestOptions::default()))
        .unwrap();
    let lines = env.log_lines();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[1],
        "warn kling-edge: GET /account/costs?start_time=1&end_time=2 (HTTP 200, code 1302, request req-ok): ERR_KLING_RATE_LIMITED; retrying in 438 ms (attempt 2)"
    );
}

#[test]
fn no_log_line_holds_a_credential() {
    for client in [
        logging_client("debug"),
        {
            Client::new(&ClientOptions::<()> {
                log_level: Some("debug".into()),
                ..ClientOptions::default()
            })
            .unwrap()
        },
        {
            let mut o = ClientOptions::<()> {
                log_level: Some("debug".into()),
                ..ClientOptions::default()
            };
            o.api_key = Some(kling_edge::api::Secret::new("apikey-never-logged"));
            Client::new(&o).unwrap()
        },
    ] {
        let env = ScriptedEnv::new();
        env.reply(api_error(401, 1004, "expired"))
            .reply(api_error(500, 5000, "internal"))
            .fail(TransportError::Network("reset".into()))
            .reply(api_error(500, 5000, "internal"));
        let _ = get(&env, &client);
        let sent_auth: Vec<String> = env
            .sent()
            .iter()
            .filter_map(|s| s.header("authorization").map(str::to_string))
            .collect();
        for (_, message, fields) in env.logs() {
            let text = format!("{message} {fields}");
            assert!(
                !text.contains(SK) && !text.contains("apikey-never-logged"),
                "{text}"
            );
            assert!(!text.to_ascii_lowercase().contains("bearer"), "{text}");
            for auth in &sent_auth {
                assert!(!text.contains(auth.trim_start_matches("Bearer ")), "{text}");
            }
        }
    }
}

#[test]
fn log_level_option_is_checked_and_kling_log_decides_when_it_is_absent() {
    let level = |opt: Option<&str>, env: Option<&str>| {
        Client::new(&ClientOptions::<()> {
            log_level: opt.map(str::to_string),
            log_level_env: env.map(str::to_string),
            ..ClientOptions::default()
        })
        .map(|c| c.config().log_level)
    };
    assert_eq!(level(None, None).unwrap(), LogLevel::Off);
    assert_eq!(level(None, Some("debug")).unwrap(), LogLevel::Debug);
    assert_eq!(level(None, Some(" WARN ")).unwrap(), LogLevel::Warn);
    assert_eq!(level(None, Some("loud")).unwrap(), LogLevel::Off);
    assert_eq!(
        level(Some("error"), Some("debug")).unwrap(),
        LogLevel::Error
    );
    assert_eq!(level(Some("off"), Some("debug")).unwrap(), LogLevel::Off);
    for bad in ["verbose", "DEBUG", ""] {
        let e = level(Some(bad), None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidOptions, "{bad}");
        assert!(e.message.contains("logLevel"));
    }
}
