//! Any callback request → `callback::verify_callback` and `parse_callback`, plus an oracle: the
//! same body signed correctly with `api::auth::hs256` must verify exactly when it parses as a task,
//! and must stop verifying when the body, the id or the secret changes.
//!
//! Input format: header lines `name: value` up to an empty line, then the body, byte for byte.
//! Three pseudo-headers set the call's other arguments: `x-secret` (the webhook secret, as given),
//! `x-tolerance` (seconds) and `x-now` (Unix seconds). Their ranges are those the wasm boundary lets
//! through: `now` in 0..1e11, `toleranceSeconds` any non-negative number (cast to i64, saturating).
//! The webhook headers themselves come from the network and are not limited.

#![no_main]
// Errors carry every identifier (as in the library); their size does not matter here.
#![allow(clippy::result_large_err)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use kling_edge::api::auth::{hs256, sign_token};
use kling_edge::api::callback::{parse_callback, verify_callback, DEFAULT_TOLERANCE_SECONDS};
use kling_edge::api::error::ErrorKind;
use libfuzzer_sys::fuzz_target;

/// The wasm boundary refuses `now` outside 0..1e11.
const MAX_NOW: u64 = 100_000_000_000;

fuzz_target!(|data: &[u8]| {
    let input = Input::parse(data);
    no_panic(&input);
    oracle(&input);
    tokens(&input);
});

struct Input {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    secret: String,
    tolerance: i64,
    now: i64,
}

impl Input {
    fn parse(data: &[u8]) -> Input {
        let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
            Some(i) => (&data[..i], &data[i + 2..]),
            None => (data, &[][..]),
        };
        let mut headers = Vec::new();
        let mut secret = None;
        let mut tolerance = DEFAULT_TOLERANCE_SECONDS;
        let mut now = 1_722_769_560;
        for line in head.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let line = String::from_utf8_lossy(line);
            let (k, v) = line.split_once(':').unwrap_or((&line, ""));
            let v = v.strip_prefix(' ').unwrap_or(v);
            match k {
                "x-secret" => secret = Some(v.to_string()),
                // Any non-negative finite number passes the boundary; `as i64` saturates.
                "x-tolerance" => {
                    if let Ok(t) = v.trim().parse::<f64>() {
                        if t.is_finite() && t >= 0.0 {
                            tolerance = t as i64;
                        }
                    }
                }
                "x-now" => {
                    if let Ok(n) = v.trim().parse::<u64>() {
                        now = (n % MAX_NOW) as i64;
                    }
                }
                _ => headers.push((k.to_string(), v.to_string())),
            }
        }
        Input {
            headers,
            body: body.to_vec(),
            secret: secret.unwrap_or_else(|| "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into()),
            tolerance,
            now,
        }
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

/// The call exactly as the input says: it may fail, it must not panic, and a success must agree
/// with `parse_callback`.
fn no_panic(input: &Input) {
    let parsed = parse_callback(&input.body);
    if let Ok(task) = &parsed {
        assert!(!task.id().is_empty());
        let _ = (
            task.status(),
            task.result_video_id(),
            task.result_duration(),
        );
    }
    let header = |name: &str| input.header(name);
    match verify_callback(
        &header,
        &input.body,
        &input.secret,
        input.tolerance,
        input.now,
    ) {
        Ok(task) => assert_eq!(Some(&task), parsed.as_ref().ok(), "verified ≠ parsed"),
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// A correctly signed request: verifies iff the body is a task; any change breaks it.
fn oracle(input: &Input) {
    // The key: the input's secret bytes (HMAC takes any non-empty key).
    let key: Vec<u8> = if input.secret.is_empty() {
        b"k".to_vec()
    } else {
        input.secret.as_bytes().to_vec()
    };
    let secret = format!("whsec_{}", STANDARD.encode(&key));
    let id = input
        .header("webhook-id")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "msg_2mRZ1s6dH3cX".to_string());
    // A timestamp inside the window: `skew` from the input, within ±tolerance.
    let skew = input.body.len() as i64 % (input.tolerance.min(1_000_000) + 1);
    let ts = if input.body.len().is_multiple_of(2) {
        input.now - skew
    } else {
        input.now + skew
    };
    let signed = [
        id.as_bytes(),
        b".",
        ts.to_string().as_bytes(),
        b".",
        &input.body,
    ]
    .concat();
    let signature = STANDARD.encode(hs256(&key, &signed));
    // Rotation: the valid signature may sit after other (fuzzed) entries.
    let others = input.header("webhook-signature").unwrap_or_default();
    let sig_header = format!("{others} v1,{signature}");
    let verify = |id: &str, ts: String, body: &[u8], secret: &str| {
        let headers = [
            ("webhook-id", id.to_string()),
            ("webhook-timestamp", ts),
            ("webhook-signature", sig_header.clone()),
        ];
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        };
        verify_callback(&header, body, secret, input.tolerance, input.now)
    };

    let parsed = parse_callback(&input.body);
    match (verify(&id, ts.to_string(), &input.body, &secret), &parsed) {
        (Ok(task), Ok(expected)) => assert_eq!(&task, expected),
        (Err(e), Err(_)) => assert_eq!(e.kind, ErrorKind::Decode, "valid signature refused: {e}"),
        (Ok(_), Err(_)) => panic!("verified a body that does not parse as a task"),
        (Err(e), Ok(_)) => panic!("a correctly signed task was refused: {e}"),
    }

    let forged = |what: &str, r: Result<_, kling_edge::api::Error>| match r {
        Ok(_) => panic!("{what}: verified"),
        Err(e) => assert_eq!(e.kind, ErrorKind::CallbackSignature, "{what}: {e}"),
    };
    // Altered body.
    let mut body = input.body.clone();
    match body.first_mut() {
        Some(b) => *b ^= 1,
        None => body.push(b'{'),
    }
    forged("altered body", verify(&id, ts.to_string(), &body, &secret));
    // Altered id.
    forged(
        "altered id",
        verify(&format!("{id}x"), ts.to_string(), &input.body, &secret),
    );
    // Another secret.
    let other = format!("whsec_{}", STANDARD.encode([&key[..], b"!"].concat()));
    forged(
        "other secret",
        verify(&id, ts.to_string(), &input.body, &other),
    );
    // Outside the tolerance (only where it cannot overflow: the boundary's `now` is < 1e11).
    if input.tolerance < 1_000_000_000_000 {
        let late = input.now - input.tolerance - 1;
        forged(
            "stale timestamp",
            verify(&id, late.to_string(), &input.body, &secret),
        );
    }
}

/// `sign_token` over the boundary's domain: any key strings, `now` < 1e11, ttl 10..=86400.
fn tokens(input: &Input) {
    let ak = input.header("webhook-id").unwrap_or_default();
    let ttl = 10 + input.tolerance.rem_euclid(86_391);
    let token = sign_token(&ak, &input.secret, input.now, ttl);
    assert_eq!(token.split('.').count(), 3, "a JWT has three parts");
}
