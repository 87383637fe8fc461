//! Callbacks: Standard Webhooks signatures (recomputed here with `hs256`) and unsigned bodies.
#![cfg(not(target_arch = "wasm32"))]
// Errors carry every identifier (as in the library); their size does not matter in tests.
#![allow(clippy::result_large_err)]

mod support;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use kling_edge::api::auth::hs256;
use kling_edge::api::callback::{parse_callback, verify_callback, DEFAULT_TOLERANCE_SECONDS};
use kling_edge::api::{Error, ErrorKind, TaskStatus};
use serde_json::json;
use support::*;

const KEY: &[u8] = b"kling-webhook-signing-key-32byte";
const OTHER_KEY: &[u8] = b"an-older-rotated-out-signing-key";
const ID: &str = "msg_2Kf8x";
const NOW: i64 = 1_999_998_200;

fn secret(key: &[u8]) -> String {
    format!("whsec_{}", STANDARD.encode(key))
}

fn sign(key: &[u8], id: &str, ts: i64, body: &[u8]) -> String {
    let mut content = format!("{id}.{ts}.").into_bytes();
    content.extend_from_slice(body);
    format!("v1,{}", STANDARD.encode(hs256(key, &content)))
}

fn body() -> Vec<u8> {
    extended("t-7", "v-7", "10").to_string().into_bytes()
}

fn verify(
    headers: &[(&str, String)],
    body: &[u8],
    secret: &str,
    now: i64,
) -> Result<String, Error> {
    let lookup = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    verify_callback(&lookup, body, secret, DEFAULT_TOLERANCE_SECONDS, now).map(|t| t.id())
}

fn headers(ts: i64, signature: String) -> Vec<(&'static str, String)> {
    vec![
        ("webhook-id", ID.to_string()),
        ("webhook-timestamp", ts.to_string()),
        ("webhook-signature", signature),
    ]
}

fn signature_error(r: Result<String, Error>) -> Error {
    let e = r.expect_err("the callback must be refused");
    assert_eq!(e.kind, ErrorKind::CallbackSignature);
    assert_eq!(e.kind.code(), "ERR_KLING_CALLBACK_SIGNATURE");
    e
}

#[test]
fn a_correctly_signed_callback_returns_its_task() {
    let b = body();
    let h = headers(NOW, sign(KEY, ID, NOW, &b));
    assert_eq!(verify(&h, &b, &secret(KEY), NOW).unwrap(), "t-7");
}

#[test]
fn every_v1_entry_is_tried_so_rotation_works() {
    let b = body();
    let sig = format!(
        "v1,{} {} v2,ignored {}",
        STANDARD.encode([0u8; 32]),
        sign(OTHER_KEY, ID, NOW, &b),
        sign(KEY, ID, NOW, &b)
    );
    assert_eq!(
        verify(&headers(NOW, sig), &b, &secret(KEY), NOW).unwrap(),
        "t-7"
    );
    let only_second = format!(
        "{} {}",
        sign(OTHER_KEY, ID, NOW, &b),
        sign(KEY, ID, NOW, &b)
    );
    assert_eq!(
        verify(&headers(NOW, only_second), &b, &secret(KEY), NOW).unwrap(),
        "t-7"
    );
}

#[test]
fn a_tampered_body_is_refused() {
    let b = body();
    let h = headers(NOW, sign(KEY, ID, NOW, &b));
    let tampered = String::from_utf8(b).unwrap().replace("v-7", "v-8");
    signature_error(verify(&h, tampered.as_bytes(), &secret(KEY), NOW));
}

#[test]
fn a_tampered_id_or_timestamp_is_refused() {
    let b = body();
    let mut h = headers(NOW, sign(KEY, ID, NOW, &b));
    h[0].1 = "msg_other".into();
    signature_error(verify(&h, &b, &secret(KEY), NOW));
    let h = headers(NOW - 1, sign(KEY, ID, NOW, &b));
    signature_error(verify(&h, &b, &secret(KEY), NOW));
}

#[test]
fn the_wrong_secret_is_refused() {
    let b = body();
    let h = headers(NOW, sign(KEY, ID, NOW, &b));
    let e = signature_error(verify(&h, &b, &secret(OTHER_KEY), NOW));
    assert!(e.message.contains("no `v1` signature"), "{}", e.message);
    assert!(!e.message.contains(&secret(OTHER_KEY)));
}

#[test]
fn an_empty_secret_is_refused_before_the_signature_is_looked_at() {
    let b = body();
    // Signed with the empty key: HMAC accepts it, and so would anybody's forgery.
    let forged = headers(NOW, sign(b"", ID, NOW, &b));
    for empty in ["whsec_", "", "  ", "whsec_ "] {
        let e = verify(&forged, &b, empty, NOW).expect_err("an empty key must be refused");
        assert_eq!(e.kind, ErrorKind::InvalidOptions, "{empty:?}");
        assert!(
            e.message.contains("webhook secret is empty"),
            "{}",
            e.message
        );
        // Before anything else: even a callback without headers gets the options error.
        let e = verify(&[], &b, empty, NOW).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidOptions, "{empty:?}");
    }
}

#[test]
fn a_secret_that_is_not_base64_is_an_options_error() {
    let b = body();
    let h = headers(NOW, sign(KEY, ID, NOW, &b));
    let e = verify(&h, &b, "whsec_***not base64***", NOW).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidOptions);
}

#[test]
fn timestamps_more_than_five_minutes_away_are_refused_either_way() {
    let b = body();
    for ts in [NOW - 300, NOW + 300] {
        let h = headers(ts, sign(KEY, ID, ts, &b));
        assert_eq!(verify(&h, &b, &secret(KEY), NOW).unwrap(), "t-7", "{ts}");
    }
    let stale = NOW - 301;
    let e = signature_error(verify(
        &headers(stale, sign(KEY, ID, stale, &b)),
        &b,
        &secret(KEY),
        NOW,
    ));
    assert!(e.message.contains("301 s old"), "{}", e.message);
    let future = NOW + 301;
    let e = signature_error(verify(
        &headers(future, sign(KEY, ID, future, &b)),
        &b,
        &secret(KEY),
        NOW,
    ));
    assert!(e.message.contains("in the future"), "{}", e.message);
}

#[test]
fn each_missing_header_is_refused_by_name() {
    let b = body();
    let full = headers(NOW, sign(KEY, ID, NOW, &b));
    for i in 0..3 {
        let mut h = full.clone();
        let (name, _) = h.remove(i);
        let e = signature_error(verify(&h, &b, &secret(KEY), NOW));
        assert!(e.message.contains(&format!("`{name}`")), "{}", e.message);
        let mut h = full.clone();
        h[i].1 = " ".into();
        signature_error(verify(&h, &b, &secret(KEY), NOW));
    }
}

#[test]
fn a_malformed_timestamp_is_refused() {
    let b = body();
    for ts in ["soon", "1999998200.5", "", "0x77359400"] {
        let mut h = headers(NOW, sign(KEY, ID, NOW, &b));
        h[1].1 = ts.into();
        signature_error(verify(&h, &b, &secret(KEY), NOW));
    }
}

#[test]
fn a_signature_that_is_not_v1_or_not_base64_is_refused() {
    let b = body();
    let good = sign(KEY, ID, NOW, &b);
    for sig in [
        good.replace("v1,", "v2,"),
        good.replace("v1,", ""),
        "v1,!!!".into(),
    ] {
        signature_error(verify(&headers(NOW, sig), &b, &secret(KEY), NOW));
    }
}

#[test]
fn a_signed_body_that_is_not_a_task_is_a_decode_error() {
    let b = br#"{"hello":"world"}"#;
    let e = verify(&headers(NOW, sign(KEY, ID, NOW, b)), b, &secret(KEY), NOW).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
}

#[test]
fn parse_callback_reads_a_bare_task() {
    let t = parse_callback(&body()).unwrap();
    assert_eq!(t.id(), "t-7");
    assert_eq!(t.status(), TaskStatus::Succeed);
    assert_eq!(t.result_video_id().as_deref(), Some("v-7"));
    assert_eq!(t.result_duration(), Some(10.0));
    assert_eq!(t.as_value(), &extended("t-7", "v-7", "10"));
}

#[test]
fn parse_callback_accepts_an_enveloped_task_too() {
    let b = json!({"code": 0, "data": task("t-8", "processing")}).to_string();
    assert_eq!(parse_callback(b.as_bytes()).unwrap().id(), "t-8");
}

#[test]
fn parse_callback_refuses_non_json() {
    let e = parse_callback(b"task_id=t-1&task_status=succeed").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
    assert_eq!(e.kind.code(), "ERR_KLING_DECODE");
    assert_eq!(e.message, "the callback body is not JSON");
}

#[test]
fn parse_callback_refuses_json_that_is_not_a_task() {
    for b in [
        json!({"event": "ping"}),
        json!([task("t", "succeed")]),
        json!("t-1"),
        json!({"task_id": "t-1"}),
        json!({"task_id": "", "task_status": "succeed"}),
    ] {
        let e = parse_callback(b.to_string().as_bytes()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Decode, "{b}");
        assert!(
            e.message
                .starts_with("the callback body is not a Kling task"),
            "{}",
            e.message
        );
    }
}

#[test]
fn extreme_timestamps_are_refused_without_overflow() {
    for ts in ["-9223372036854775808", "9223372036854775807", "-1"] {
        let headers = [
            ("webhook-id", "msg_1"),
            ("webhook-timestamp", ts),
            ("webhook-signature", "v1,AAAA"),
        ];
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        let e = verify_callback(&header, b"{}", "whsec_c2VjcmV0", 300, 1_999_998_200).unwrap_err();
        assert_eq!(e.kind, ErrorKind::CallbackSignature, "{ts}");
    }
}
