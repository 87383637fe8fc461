//! Callbacks: Kling POSTs the bare task object to `callback_url`; signed ones follow Standard
//! Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`).

use crate::api::base64::decode_standard;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::api::error::{Error, ErrorKind};
use crate::api::json::Json;
use crate::api::task::Task;

/// Standard Webhooks' default tolerance between the sender's clock and ours: 5 minutes.
pub const DEFAULT_TOLERANCE_SECONDS: i64 = 300;

/// The task a callback body carries, as the host parsed it (`None`: the body is not JSON).
/// Callbacks are the bare task; an enveloped one (`{code, data}`) is accepted too.
pub fn callback_task<J: Json>(body: Option<J>) -> Result<Task<J>, Error> {
    let value = body.ok_or_else(|| Error::decode("the callback body is not JSON"))?;
    struct Enveloped<J> {
        task_id: Option<serde::de::IgnoredAny>,
        data: Option<J>,
    }
    crate::api::reader::lenient!(Enveloped<J>, FIELDS = ["task_id" => task_id, "data" => data]);
    let value = match value.read::<Enveloped<J>>() {
        Some(Enveloped {
            task_id: None,
            data: Some(data),
        }) => data,
        _ => value,
    };
    Task::from_json(value).map_err(|mut e| {
        e.message = format!("the callback body is not a Kling task: {}", e.message);
        e
    })
}

/// Parses an unsigned callback body into the task it carries.
#[cfg(not(target_arch = "wasm32"))]
pub fn parse_callback(raw_body: &[u8]) -> Result<Task<serde_json::Value>, Error> {
    callback_task(serde_json::from_slice(raw_body).ok())
}

/// The HMAC key of a `whsec_…` secret. An empty key is refused: HMAC accepts one, and anybody
/// can sign with it, so a misconfigured (empty) secret would verify every forged callback.
fn webhook_key(secret: &str) -> Result<Vec<u8>, Error> {
    let encoded = secret.trim();
    let encoded = encoded.strip_prefix("whsec_").unwrap_or(encoded);
    let key = decode_standard(encoded).ok_or_else(|| {
        Error::invalid_options("the webhook secret must be `whsec_` followed by base64")
    })?;
    if key.is_empty() {
        return Err(Error::invalid_options(
            "the webhook secret is empty: give the `whsec_…` secret from Kling's console; an empty key would accept callbacks anybody can sign",
        ));
    }
    Ok(key)
}

fn signature_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::CallbackSignature, message)
}

/// Verifies a Standard-Webhooks-signed callback and returns its task.
#[cfg(not(target_arch = "wasm32"))]
pub fn verify_callback(
    header: &dyn Fn(&str) -> Option<String>,
    raw_body: &[u8],
    secret: &str,
    tolerance_seconds: i64,
    now_seconds: i64,
) -> Result<Task<serde_json::Value>, Error> {
    verify_signature(header, raw_body, secret, tolerance_seconds, now_seconds)?;
    parse_callback(raw_body)
}

/// Verifies a Standard-Webhooks signature over a callback's exact bytes (the body is then the
/// host's to parse, and [`callback_task`]'s to read).
///
/// `header` looks a header up by its lower-case name. `secret` is the `whsec_…` webhook secret.
/// Refuses timestamps more than `tolerance_seconds` from `now_seconds`, either way. Every `v1,`
/// signature in the header is tried (secret rotation sends several); comparison is constant-time.
pub fn verify_signature(
    header: &dyn Fn(&str) -> Option<String>,
    raw_body: &[u8],
    secret: &str,
    tolerance_seconds: i64,
    now_seconds: i64,
) -> Result<(), Error> {
    let key = webhook_key(secret)?;
    let get = |name: &str| {
        header(name)
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| signature_error(format!("the callback has no `{name}` header")))
    };
    let id = get("webhook-id")?;
    let timestamp = get("webhook-timestamp")?;
    let signatures = get("webhook-signature")?;
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| signature_error("`webhook-timestamp` is not a Unix time in seconds"))?;
    // Saturating: a hostile timestamp (i64::MIN) must be refused, not overflow.
    let age = now_seconds.saturating_sub(ts);
    if age > tolerance_seconds {
        return Err(signature_error(format!("the callback's timestamp is {age} s old, more than the {tolerance_seconds} s tolerance (a replay?)")));
    }
    let ahead = ts.saturating_sub(now_seconds);
    if ahead > tolerance_seconds {
        return Err(signature_error(format!("the callback's timestamp is {ahead} s in the future, more than the {tolerance_seconds} s tolerance")));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|_| Error::invalid_options("the webhook secret is empty"))?;
    mac.update(id.trim().as_bytes());
    mac.update(b".");
    mac.update(ts.to_string().as_bytes());
    mac.update(b".");
    mac.update(raw_body);
    let matched = signatures
        .split_whitespace()
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .filter_map(decode_standard)
        .any(|sig| mac.clone().verify_slice(&sig).is_ok());
    if !matched {
        return Err(signature_error("no `v1` signature of the callback matches the webhook secret: the body or headers were altered, or the secret is wrong"));
    }
    Ok(())
}
