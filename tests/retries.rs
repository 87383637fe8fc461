//! Retries: what is retried, how many times, and exactly how long the client waits in between.
#![cfg(not(target_arch = "wasm32"))]
// Errors carry every identifier (as in the library); their size does not matter in tests.
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::http::{Method, TransportError};
use kling_edge::api::retry::backoff_ms;
use kling_edge::api::{Client, ClientOptions, Error, ErrorKind, Family, RequestOptions};
use support::*;

const DEFAULT: RequestOptions = RequestOptions {
    timeout_ms: None,
    max_retries: None,
};

/// Runs one GET against `outcomes` with the default options.
fn run(
    env: &ScriptedEnv,
    opts: RequestOptions,
) -> Result<kling_edge::api::Task<serde_json::Value>, Error> {
    block_on(ak_client().get_task(env, Family::VideoExtend, "t-1", opts))
}

fn always(outcome: Result<Response, TransportError>, n: usize) -> ScriptedEnv {
    ScriptedEnv::with(std::iter::repeat_n(outcome, n))
}

fn error_of(kind: ErrorKind) -> Error {
    Error::new(kind, "x")
}

#[test]
fn retries_1302_twice_by_default_then_returns_the_last_error() {
    let env = always(Ok(api_error(429, 1302, "too many")), 3);
    let e = run(&env, DEFAULT).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.api_code, Some(1302));
    assert_eq!(env.count(), 3);
    assert_eq!(env.sleeps(), [438, 875]);
    let at: Vec<f64> = env.sent().iter().map(|s| s.at_ms).collect();
    assert_eq!(at, [T0_MS, T0_MS + 438.0, T0_MS + 438.0 + 875.0]);
    assert!(env
        .calls()
        .iter()
        .all(|c| *c == (Method::Get, format!("{EXTEND_URL}/t-1"))));
}

#[test]
fn retries_1302_then_succeeds() {
    let env = ScriptedEnv::new();
    env.reply(api_error(429, 1302, "too many"))
        .reply(ok(task("t-1", "processing")));
    assert_eq!(run(&env, DEFAULT).unwrap().id(), "t-1");
    assert_eq!(env.count(), 2);
    assert_eq!(env.sleeps(), [438]);
}

#[test]
fn retries_every_transient_failure_up_to_max_retries() {
    let cases: Vec<(Result<Response, TransportError>, ErrorKind)> = vec![
        (Ok(api_error(429, 1303, "busy")), ErrorKind::Concurrency),
        (Ok(api_error(500, 5000, "internal")), ErrorKind::Server),
        (Ok(api_error(503, 5001, "unavailable")), ErrorKind::Server),
        (Ok(api_error(504, 5002, "timeout")), ErrorKind::Server),
        (Ok(raw(500, b"")), ErrorKind::Server),
        (Ok(raw(502, b"<html>bad gateway</html>")), ErrorKind::Server),
        (Ok(raw(503, b"Service Unavailable")), ErrorKind::Server),
        (Ok(raw(504, b"")), ErrorKind::Server),
        (
            Err(TransportError::Network("reset".into())),
            ErrorKind::Network,
        ),
        (Err(TransportError::Timeout), ErrorKind::Timeout),
    ];
    for (outcome, kind) in cases {
        let env = always(outcome.clone(), 3);
        let e = run(&env, DEFAULT).unwrap_err();
        assert_eq!(e.kind, kind, "{outcome:?}");
        assert_eq!(env.count(), 3, "{outcome:?}");
        assert_eq!(env.sleeps().len(), 2, "{outcome:?}");
        assert_eq!(env.remaining(), 0);
    }
}

#[test]
fn every_transient_failure_then_success_returns_the_task() {
    let env = ScriptedEnv::new();
    env.fail(TransportError::Network("dns".into()))
        .fail(TransportError::Timeout)
        .reply(ok(task("t-1", "succeed")));
    assert_eq!(run(&env, DEFAULT).unwrap().id(), "t-1");
    assert_eq!(env.sleeps(), [438, 875]);
}

#[test]
fn never_retries_account_permission_request_policy_and_auth_errors() {
    let never = [
        (429, 1100),
        (429, 1101),
        (429, 1102),
        (403, 1103),
        (400, 1200),
        (400, 1201),
        (404, 1202),
        (404, 1203),
        (400, 1300),
        (400, 1301),
        (429, 1304),
        (401, 1000),
        (401, 1001),
        (401, 1002),
    ];
    for (status, code) in never {
        let env = ScriptedEnv::new();
        env.reply(api_error(status, code, "no"));
        let e = run(&env, DEFAULT).unwrap_err();
        assert_eq!(e.api_code, Some(code));
        assert!(!e.retryable, "{code}");
        assert_eq!(env.count(), 1, "code {code} was retried");
        assert!(env.sleeps().is_empty());
    }
}

#[test]
fn never_retries_a_429_with_a_code_it_does_not_know() {
    // Kling's account-state codes (1100–1102) come with 429; a new one might too.
    let env = ScriptedEnv::new();
    env.reply(api_error(429, 1105, "account frozen").with("retry-after", "1"));
    let e = run(&env, DEFAULT).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.api_code, Some(1105));
    assert!(!e.retryable);
    assert!(e.message.contains("not retried"), "{}", e.message);
    assert_eq!(env.count(), 1);
}

#[test]
fn retries_a_bare_429_without_a_kling_body_as_a_gateway_s() {
    for body in [
        &b""[..],
        b"<html>Too Many Requests</html>",
        b"{\"error\":\"slow down\"}",
    ] {
        let env = ScriptedEnv::new();
        env.reply(raw(429, body)).reply(ok(task("t-1", "succeed")));
        assert_eq!(run(&env, DEFAULT).unwrap().id(), "t-1");
        assert_eq!(env.count(), 2);
    }
}

#[test]
fn never_retries_1102_even_with_retry_after() {
    let env = ScriptedEnv::new();
    env.reply(api_error(429, 1102, "pack exhausted").with("retry-after", "1"));
    let e = run(&env, DEFAULT).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Account);
    assert_eq!(env.count(), 1);
}

#[test]
fn never_retries_a_caller_abort() {
    let env = ScriptedEnv::new();
    env.fail(TransportError::Aborted);
    let e = run(&env, DEFAULT).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Aborted);
    assert_eq!(env.count(), 1);
}

#[test]
fn max_retries_zero_per_call_sends_once() {
    let env = always(Ok(api_error(500, 5000, "x")), 1);
    let e = run(
        &env,
        RequestOptions {
            timeout_ms: None,
            max_retries: Some(0),
        },
    )
    .unwrap_err();
    assert_eq!(e.api_code, Some(5000));
    assert_eq!(env.count(), 1);
    assert!(env.sleeps().is_empty());
}

#[test]
fn per_call_max_retries_overrides_the_client() {
    let env = always(Ok(api_error(500, 5000, "x")), 5);
    run(
        &env,
        RequestOptions {
            timeout_ms: None,
            max_retries: Some(4),
        },
    )
    .unwrap_err();
    assert_eq!(env.count(), 5);
    assert_eq!(env.sleeps(), [438, 875, 1750, 3500]);
}

#[test]
fn client_max_retries_option_is_the_default_for_every_call() {
    let env = always(Err(TransportError::Timeout), 6);
    env.set_random(&[0, 0, 0, 0]);
    let client = Client::new(&ClientOptions::<()> {
        max_retries: Some(5.0),
        ..ak_options()
    })
    .unwrap();
    block_on(client.get_task(&env, Family::VideoExtend, "t", DEFAULT)).unwrap_err();
    assert_eq!(env.count(), 6);
    assert_eq!(env.sleeps(), [500, 1000, 2000, 4000, 8000, 8000][..5]);
}

#[test]
fn backoff_doubles_from_500_ms_with_up_to_a_quarter_of_jitter_and_caps_at_8_s() {
    let e = error_of(ErrorKind::Server);
    let no_jitter: Vec<u32> = (0..8).map(|n| backoff_ms(n, &e, 0.0)).collect();
    assert_eq!(no_jitter, [500, 1000, 2000, 4000, 8000, 8000, 8000, 8000]);
    let half: Vec<u32> = (0..6).map(|n| backoff_ms(n, &e, 0.5)).collect();
    assert_eq!(half, [438, 875, 1750, 3500, 7000, 7000]);
    let most: Vec<u32> = (0..6).map(|n| backoff_ms(n, &e, 0.999_999)).collect();
    assert_eq!(most, [375, 750, 1500, 3000, 6000, 6000]);
    assert_eq!(backoff_ms(1000, &e, 0.0), 8000);
}

#[test]
fn backoff_for_1303_starts_at_one_second_and_never_goes_below_it() {
    let e = error_of(ErrorKind::Concurrency);
    let no_jitter: Vec<u32> = (0..5).map(|n| backoff_ms(n, &e, 0.0)).collect();
    assert_eq!(no_jitter, [1000, 2000, 4000, 8000, 8000]);
    let most: Vec<u32> = (0..5).map(|n| backoff_ms(n, &e, 0.999_999)).collect();
    assert_eq!(most, [1000, 1500, 3000, 6000, 6000]);
    for n in 0..20 {
        for r in [0.0, 0.3, 0.7, 0.999_999] {
            assert!(backoff_ms(n, &e, r) >= 1000);
        }
    }
}

#[test]
fn retries_1303_after_at_least_one_second() {
    let env = always(Ok(api_error(429, 1303, "busy")), 3);
    env.set_random(&[0xff, 0xff, 0xff, 0xff]);
    run(&env, DEFAULT).unwrap_err();
    assert_eq!(env.sleeps(), [1000, 1500]);
}

#[test]
fn jitter_comes_from_the_host_randomness() {
    let env = always(Ok(api_error(429, 1302, "x")), 3);
    env.set_random(&[0, 0, 0, 0x40]); // 0.25
    run(&env, DEFAULT).unwrap_err();
    assert_eq!(env.sleeps(), [469, 938]);
    assert_eq!(env.random_calls(), 2);
}

#[test]
fn retry_after_seconds_is_honoured() {
    let env = ScriptedEnv::new();
    env.reply(api_error(429, 1302, "x").with("Retry-After", "2"))
        .reply(api_error(429, 1302, "x").with("retry-after", "60"))
        .reply(ok(task("t-1", "succeed")));
    run(&env, DEFAULT).unwrap();
    assert_eq!(env.sleeps(), [2000, 60_000]);
}

#[test]
fn retry_after_ms_is_honoured_and_wins_over_retry_after() {
    let env = ScriptedEnv::new();
    env.reply(
        api_error(503, 5001, "x")
            .with("retry-after-ms", "1234")
            .with("retry-after", "9"),
    )
    .reply(ok(task("t-1", "succeed")));
    run(&env, DEFAULT).unwrap();
    assert_eq!(env.sleeps(), [1234]);
}

#[test]
fn retry_after_zero_retries_at_once() {
    let env = ScriptedEnv::new();
    env.reply(api_error(429, 1302, "x").with("retry-after", "0"))
        .reply(ok(task("t-1", "succeed")));
    run(&env, DEFAULT).unwrap();
    assert_eq!(env.count(), 2);
    assert!(env.sleeps().is_empty());
}

#[test]
fn retry_after_beyond_60_seconds_is_ignored_for_the_default_backoff() {
    for (name, value) in [
        ("retry-after", "61"),
        ("retry-after", "3600"),
        ("retry-after-ms", "60001"),
        ("retry-after", "-1"),
        ("retry-after", "soon"),
    ] {
        let env = ScriptedEnv::new();
        env.reply(api_error(429, 1302, "x").with(name, value))
            .reply(ok(task("t-1", "succeed")));
        run(&env, DEFAULT).unwrap();
        assert_eq!(env.sleeps(), [438], "{name}: {value}");
    }
}

#[test]
fn retry_after_as_an_http_date_is_measured_against_the_server_date() {
    let env = ScriptedEnv::new();
    env.reply(
        api_error(503, 5001, "x")
            .with("date", &http_date(2_100_000_000))
            .with("retry-after", &http_date(2_100_000_007)),
    )
    .reply(ok(task("t-1", "succeed")));
    run(&env, DEFAULT).unwrap();
    assert_eq!(env.sleeps(), [7000]);
}

#[test]
fn abort_during_the_backoff_returns_aborted() {
    let env = always(Ok(api_error(500, 5000, "x")), 1);
    env.abort_at_sleep(1);
    let e = run(&env, DEFAULT).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Aborted);
    assert_eq!(e.kind.code(), "ERR_KLING_ABORTED");
    assert!(!e.retryable);
    assert_eq!(env.count(), 1);
    assert_eq!(env.sleeps(), [438]);
}

#[test]
fn abort_during_the_second_backoff_returns_aborted_after_two_attempts() {
    let env = always(Err(TransportError::Timeout), 2);
    env.abort_at_sleep(2);
    let e = run(&env, DEFAULT).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Aborted);
    assert_eq!(env.count(), 2);
}

#[test]
fn concurrency_waits_at_least_a_second_even_when_retry_after_says_less() {
    let env = ScriptedEnv::new();
    env.reply(api_error(429, 1303, "busy").with("retry-after", "0"))
        .reply(api_error(429, 1303, "busy").with("retry-after-ms", "200"))
        .reply(ok(task("t-1", "succeed")));
    run(&env, DEFAULT).unwrap();
    assert_eq!(env.sleeps(), [1000, 1000]);
}

#[test]
fn an_unreadable_retry_after_ms_falls_back_to_retry_after() {
    let env = ScriptedEnv::new();
    env.reply(
        api_error(429, 1302, "x")
            .with("retry-after-ms", "soon")
            .with("retry-after", "3"),
    )
    .reply(ok(task("t-1", "succeed")));
    run(&env, DEFAULT).unwrap();
    assert_eq!(env.sleeps(), [3000]);
}

#[test]
fn http_dates_parse_exactly_as_httpdate_formats_them() {
    use kling_edge::api::http::http_date_ms;
    // Every day of several centuries, at changing times, both sides of the epoch and leap years.
    let mut seconds: u64 = 0;
    while seconds < 8_000_000_000 {
        let text = http_date(seconds);
        assert_eq!(http_date_ms(&text), Some(seconds as f64 * 1000.0), "{text}");
        seconds += 86_400 * 7 + 3_601;
    }
    assert_eq!(
        http_date_ms("Thu, 29 Feb 2024 23:59:60 GMT"),
        Some(1_709_251_200_000.0)
    );
    for bad in [
        "",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nox 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT extra",
        "Sun, 06 Nov +994 08:49:37 GMT",
    ] {
        assert_eq!(http_date_ms(bad), None, "{bad}");
    }
}
