//! How Kling's answers become errors: every documented code, HTTP status fallbacks, and bodies
//! that are not what the API documents.
#![cfg(not(target_arch = "wasm32"))]
// Errors carry every identifier (as in the library); their size does not matter in tests.
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::reply::decode;
use kling_edge::api::{Client, Error, ErrorKind, Family, RequestOptions, TaskStatus};
use serde_json::json;
use support::*;

const NO_RETRY: RequestOptions = RequestOptions {
    timeout_ms: None,
    max_retries: Some(0),
};

/// One GET answered with `response`, without retries (an API key: 1003/1004 are not re-signed).
fn get_error(response: Response) -> Error {
    let env = ScriptedEnv::new();
    env.reply(response);
    let e = block_on(api_key_client("the-api-key").get_task(
        &env,
        Family::VideoExtend,
        "t-9",
        NO_RETRY,
    ))
    .expect_err("the answer is an error");
    assert_eq!(env.count(), 1);
    e
}

/// Kling's error-code table: HTTP status, code, kind, stable code, retryable.
const TABLE: &[(u16, i64, ErrorKind, &str, bool)] = &[
    (401, 1000, ErrorKind::Auth, "ERR_KLING_AUTH", false),
    (401, 1001, ErrorKind::Auth, "ERR_KLING_AUTH", false),
    (401, 1002, ErrorKind::Auth, "ERR_KLING_AUTH", false),
    (401, 1003, ErrorKind::Auth, "ERR_KLING_AUTH", false),
    (401, 1004, ErrorKind::Auth, "ERR_KLING_AUTH", false),
    (429, 1100, ErrorKind::Account, "ERR_KLING_ACCOUNT", false),
    (429, 1101, ErrorKind::Account, "ERR_KLING_ACCOUNT", false),
    (429, 1102, ErrorKind::Account, "ERR_KLING_ACCOUNT", false),
    (
        403,
        1103,
        ErrorKind::Permission,
        "ERR_KLING_PERMISSION",
        false,
    ),
    (
        400,
        1200,
        ErrorKind::BadRequest,
        "ERR_KLING_BAD_REQUEST",
        false,
    ),
    (
        400,
        1201,
        ErrorKind::BadRequest,
        "ERR_KLING_BAD_REQUEST",
        false,
    ),
    (404, 1202, ErrorKind::NotFound, "ERR_KLING_NOT_FOUND", false),
    (404, 1203, ErrorKind::NotFound, "ERR_KLING_NOT_FOUND", false),
    (400, 1300, ErrorKind::Policy, "ERR_KLING_POLICY", false),
    (400, 1301, ErrorKind::Policy, "ERR_KLING_POLICY", false),
    (
        429,
        1302,
        ErrorKind::RateLimited,
        "ERR_KLING_RATE_LIMITED",
        true,
    ),
    (
        429,
        1303,
        ErrorKind::Concurrency,
        "ERR_KLING_CONCURRENCY",
        true,
    ),
    (
        429,
        1304,
        ErrorKind::Permission,
        "ERR_KLING_PERMISSION",
        false,
    ),
    (500, 5000, ErrorKind::Server, "ERR_KLING_SERVER", true),
    (503, 5001, ErrorKind::Server, "ERR_KLING_SERVER", true),
    (504, 5002, ErrorKind::Server, "ERR_KLING_SERVER", true),
];

#[test]
fn every_documented_code_maps_to_its_kind_with_status_code_and_request_id() {
    for &(status, code, kind, stable, retryable) in TABLE {
        let e = get_error(api_error(status, code, "kling says no"));
        assert_eq!(e.kind, kind, "code {code}");
        assert_eq!(e.kind.code(), stable, "code {code}");
        assert_eq!(e.api_code, Some(code), "code {code}");
        assert_eq!(e.status, Some(status), "code {code}");
        assert_eq!(
            e.request_id.as_deref(),
            Some(format!("req-{code}").as_str())
        );
        assert_eq!(e.retryable, retryable, "code {code}");
        assert_eq!(
            e.task_id.as_deref(),
            Some("t-9"),
            "code {code}: the task asked for"
        );
        assert!(e.message.contains("kling says no"), "{}", e.message);
        assert!(
            e.message.starts_with(&format!(
                "Kling answered HTTP {status} with code {code}: kling says no. "
            )),
            "{}",
            e.message
        );
        assert_eq!(e.to_string(), format!("{stable}: {}", e.message));
    }
}

#[test]
fn the_kind_of_a_documented_code_does_not_depend_on_the_http_status() {
    for &(_, code, kind, _, _) in TABLE {
        assert_eq!(ErrorKind::from_api_code(code), Some(kind), "code {code}");
    }
    assert_eq!(ErrorKind::from_api_code(0), None);
    assert_eq!(ErrorKind::from_api_code(1005), None);
    assert_eq!(ErrorKind::from_api_code(5003), None);
}

#[test]
fn unknown_code_falls_back_to_the_http_status() {
    let cases = [
        (401, ErrorKind::Auth, false),
        (403, ErrorKind::Permission, false),
        (404, ErrorKind::NotFound, false),
        // It may be a new account state like 1100–1102: not retried.
        (429, ErrorKind::RateLimited, false),
        (400, ErrorKind::BadRequest, false),
        (422, ErrorKind::BadRequest, false),
        (500, ErrorKind::Server, true),
        (502, ErrorKind::Server, true),
    ];
    for (status, kind, retryable) in cases {
        let e = get_error(api_error(status, 1999, "new code"));
        assert_eq!((e.kind, e.retryable), (kind, retryable), "HTTP {status}");
        assert_eq!(e.api_code, Some(1999));
        assert_eq!(e.status, Some(status));
    }
}

#[test]
fn non_zero_code_on_http_200_is_an_error() {
    let e = get_error(json_response(
        200,
        &json!({"code": 1201, "message": "bad value", "request_id": "r-200", "data": null}),
    ));
    assert_eq!(e.kind, ErrorKind::BadRequest);
    assert_eq!((e.status, e.api_code), (Some(200), Some(1201)));
    assert_eq!(e.request_id.as_deref(), Some("r-200"));
    assert!(!e.retryable);

    let e = get_error(api_error(200, 1303, "busy"));
    assert_eq!((e.kind, e.retryable), (ErrorKind::Concurrency, true));

    // An unknown code on a 2xx: refused for a reason this client cannot name, not retried.
    let e = get_error(api_error(200, 4242, "?"));
    assert_eq!((e.kind, e.retryable), (ErrorKind::Server, false));
}

#[test]
fn html_502_from_a_proxy_is_a_retryable_server_error() {
    let e = get_error(
        raw(502, b"<html><body>502 Bad Gateway</body></html>").with("X-Request-Id", "edge-7"),
    );
    assert_eq!(e.kind, ErrorKind::Server);
    assert_eq!(e.kind.code(), "ERR_KLING_SERVER");
    assert_eq!(e.status, Some(502));
    assert_eq!(e.api_code, None);
    assert_eq!(e.request_id.as_deref(), Some("edge-7"));
    assert!(e.retryable);
}

#[test]
fn request_id_falls_back_to_the_x_request_id_header() {
    let e = get_error(
        json_response(400, &json!({"code": 1200, "message": "m"})).with("x-request-id", "hdr-1"),
    );
    assert_eq!(e.request_id.as_deref(), Some("hdr-1"));
    let e = get_error(api_error(400, 1200, "m").with("x-request-id", "hdr-1"));
    assert_eq!(
        e.request_id.as_deref(),
        Some("req-1200"),
        "the body's id wins"
    );
}

#[test]
fn non_json_200_is_a_decode_error() {
    let e = get_error(raw(200, b"OK").with("x-request-id", "r-1"));
    assert_eq!(e.kind, ErrorKind::Decode);
    assert_eq!(e.kind.code(), "ERR_KLING_DECODE");
    assert_eq!(e.status, Some(200));
    assert_eq!(e.request_id.as_deref(), Some("r-1"));
    assert!(!e.retryable);
    assert_eq!(e.message, "HTTP 200 with a body that is not JSON (2 bytes)");
}

#[test]
fn success_without_data_is_a_decode_error() {
    let e = get_error(json_response(
        200,
        &json!({"code": 0, "message": "SUCCEED", "request_id": "r-2"}),
    ));
    assert_eq!(e.kind, ErrorKind::Decode);
    assert_eq!(e.status, Some(200));
    assert_eq!(e.request_id.as_deref(), Some("r-2"));
}

#[test]
fn json_without_a_code_is_a_decode_error() {
    let e = get_error(json_response(200, &json!({"data": task("t", "succeed")})));
    assert_eq!(e.kind, ErrorKind::Decode);
    let e = get_error(json_response(200, &json!([1, 2])));
    assert_eq!(e.kind, ErrorKind::Decode);
}

#[test]
fn data_that_is_not_a_task_is_a_decode_error_naming_the_task() {
    for data in [
        json!({"task_status": "succeed"}),
        json!({"task_id": "x"}),
        json!("x"),
    ] {
        let e = get_error(ok(data));
        assert_eq!(e.kind, ErrorKind::Decode);
        assert_eq!(e.task_id.as_deref(), Some("t-9"));
    }
}

#[test]
fn envelope_with_extra_fields_and_task_with_unknown_fields_are_fine() {
    let env = ScriptedEnv::new();
    let mut t = task("t-1", "processing");
    t["brand_new_field"] = json!({"nested": [1, 2]});
    env.reply(json_response(
        200,
        &json!({"code": 0, "message": "ok", "request_id": "r", "data": t, "trace": "xyz", "cost": 3}),
    ));
    let task = block_on(ak_client().get_task(&env, Family::VideoExtend, "t-1", NO_RETRY)).unwrap();
    assert_eq!(task.as_value(), &t);
    assert_eq!(task.status(), TaskStatus::Processing);
}

#[test]
fn unknown_task_status_is_kept() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "queued_for_review")));
    let task = block_on(ak_client().get_task(&env, Family::VideoExtend, "t-1", NO_RETRY)).unwrap();
    assert_eq!(task.status(), TaskStatus::Other("queued_for_review".into()));
    assert_eq!(task.status_str(), "queued_for_review");
}

#[test]
fn numeric_task_ids_are_read_as_their_decimal_string() {
    let env = ScriptedEnv::new();
    env.reply(ok(json!({"task_id": 8_675_309, "task_status": "succeed"})));
    let task =
        block_on(ak_client().get_task(&env, Family::VideoExtend, "8675309", NO_RETRY)).unwrap();
    assert_eq!(task.id(), "8675309");
    assert_eq!(task.status(), TaskStatus::Succeed);
}

#[test]
fn list_data_that_is_not_an_array_is_a_decode_error() {
    let env = ScriptedEnv::new();
    env.reply(ok(json!({"tasks": []})));
    let e = block_on(ak_client().list_tasks(
        &env,
        Family::VideoExtend,
        kling_edge::api::Page { num: 1, size: 30 },
        NO_RETRY,
    ))
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
}

#[test]
fn transport_failures_map_to_network_timeout_aborted_and_decode() {
    use kling_edge::api::http::TransportError as T;
    let cases = [
        (
            T::Network("connection reset".into()),
            ErrorKind::Network,
            true,
        ),
        (T::Timeout, ErrorKind::Timeout, true),
        (T::Aborted, ErrorKind::Aborted, false),
        (
            T::TooLarge {
                limit: 1 << 20,
                status: 200,
                request_id: None,
            },
            ErrorKind::Decode,
            false,
        ),
    ];
    for (t, kind, retryable) in cases {
        let env = ScriptedEnv::new();
        env.fail(t);
        let e =
            block_on(ak_client().get_task(&env, Family::VideoExtend, "t", NO_RETRY)).unwrap_err();
        assert_eq!((e.kind, e.retryable), (kind, retryable));
        // Only a too-large answer arrived at all, and it keeps its status.
        let status = (kind == ErrorKind::Decode).then_some(200);
        assert_eq!(e.status, status);
    }
    let env = ScriptedEnv::new();
    env.fail(T::Timeout);
    let e = block_on(ak_client().get_task(
        &env,
        Family::VideoExtend,
        "t",
        RequestOptions {
            timeout_ms: Some(777),
            max_retries: Some(0),
        },
    ))
    .unwrap_err();
    assert_eq!(e.kind.code(), "ERR_KLING_TIMEOUT");
    assert!(e.message.contains("777 ms"), "{}", e.message);
}

#[test]
fn decode_reads_the_date_header_and_retry_after() {
    let response = api_error(429, 1302, "slow down")
        .with("Date", &http_date(1_999_998_800))
        .with("Retry-After", "3");
    let e = decode(response.clone().parsed()).unwrap_err();
    assert_eq!(e.server_date_ms, Some(1_999_998_800_000.0));
    assert_eq!(e.retry_after_ms, Some(3000));
}

#[test]
fn no_error_message_contains_the_secret_or_the_token() {
    for &(status, code, ..) in TABLE {
        let e = get_error(api_error(status, code, "m"));
        assert!(!e.message.contains("the-api-key"));
        assert!(!format!("{e:?}").contains("the-api-key"));
    }
}

#[test]
fn bodies_past_max_response_bytes_are_refused_even_when_the_host_reads_them() {
    let mut options = ak_options();
    options.max_response_bytes = Some(1024.0);
    let client = Client::new(&options).unwrap();
    let env = ScriptedEnv::new();
    env.reply(raw(200, &[b' '; 1025]));
    let e = block_on(client.get_task(&env, Family::VideoExtend, "t", NO_RETRY)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
    assert!(e.message.contains("maxResponseBytes"), "{}", e.message);
    assert_eq!(env.sent()[0].max_bytes, 1024);
    let default = ScriptedEnv::new();
    default.reply(ok(task("t", "submitted")));
    block_on(ak_client().get_task(&default, Family::VideoExtend, "t", NO_RETRY)).unwrap();
    assert_eq!(default.sent()[0].max_bytes, 8 * 1024 * 1024);
}

#[test]
fn errors_of_a_get_name_the_task_and_keep_the_request_id() {
    let env = ScriptedEnv::new();
    env.reply(api_error(429, 1102, "pack exhausted"))
        .reply(ok(json!({"task_id": "t-9"})))
        .reply(ok(json!([{"task_id": "a"}])));
    let client = ak_client();
    let e = block_on(client.get_task(&env, Family::VideoExtend, "t-9", NO_RETRY)).unwrap_err();
    assert_eq!(
        (e.task_id.as_deref(), e.api_code),
        (Some("t-9"), Some(1102))
    );
    let e = block_on(client.get_task(&env, Family::VideoExtend, "t-9", NO_RETRY)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
    assert_eq!(
        (e.task_id.as_deref(), e.request_id.as_deref()),
        (Some("t-9"), Some("req-ok"))
    );
    let page = kling_edge::api::Page { num: 1, size: 5 };
    let e = block_on(client.list_tasks(&env, Family::VideoExtend, page, NO_RETRY)).unwrap_err();
    assert_eq!(
        (e.kind, e.request_id.as_deref()),
        (ErrorKind::Decode, Some("req-ok"))
    );
}
