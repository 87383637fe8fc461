//! The module functions: token signing and callback checks.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use std::cell::RefCell;

use crate::api::auth::{KeyCache, DEFAULT_TTL_SECONDS};
use crate::api::callback::{callback_task, verify_signature, DEFAULT_TOLERANCE_SECONDS};
use crate::api::text::num;
use crate::api::Error;
use crate::wasm::convert::{task_to_js, Bag};
use crate::wasm::error::to_js_error;
use crate::wasm::host;
use crate::wasm::json::Js;

thread_local! {
    // A token server signs with one secret again and again: keep that key's HMAC state.
    static KEYS: RefCell<KeyCache> = RefCell::new(KeyCache::default());
}

fn now_seconds(bag: &Bag) -> Result<i64, Error> {
    match bag.number("now")? {
        None => Ok((js_sys::Date::now() / 1000.0).floor() as i64),
        Some(n) if n.is_finite() && (0.0..1e11).contains(&n) => Ok(n.floor() as i64),
        Some(n) => Err(Error::invalid_options(format!(
            "`now` is Unix time in seconds (not milliseconds), not {}",
            num(n)
        ))),
    }
}

/// Signs a Kling JWT (HS256; claims `iss` = access key, `exp` = now + ttl, `nbf` = now − 5).
/// For a server that hands short-lived tokens to browsers, which then use `new KlingClient({ token })`.
/// `ttlSeconds` defaults to 1800; `now` (Unix seconds) defaults to the current time.
#[wasm_bindgen(js_name = signToken)]
pub fn sign_token(
    #[wasm_bindgen(js_name = "accessKey", unchecked_param_type = "string")] access_key: JsValue,
    #[wasm_bindgen(js_name = "secretKey", unchecked_param_type = "string")] secret_key: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "{ ttlSeconds?: number; now?: number }")]
    options: Option<JsValue>,
) -> Result<String, JsValue> {
    let run = || -> Result<String, Error> {
        let (access_key, secret_key) = (
            access_key.as_string().unwrap_or_default(),
            secret_key.as_string().unwrap_or_default(),
        );
        if access_key.trim().is_empty() || secret_key.trim().is_empty() {
            return Err(Error::invalid_options(
                "signToken needs a non-empty access key and secret key",
            ));
        }
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let bag = Bag::new(&options, "signToken options", &["ttlSeconds", "now"])?;
        let ttl = match bag.number("ttlSeconds")? {
            None => DEFAULT_TTL_SECONDS,
            Some(t) if t.fract() == 0.0 && (10.0..=86_400.0).contains(&t) => t as i64,
            Some(t) => {
                return Err(Error::invalid_options(format!(
                    "`ttlSeconds` must be whole seconds from 10 to 86400, not {}",
                    num(t)
                )))
            }
        };
        let now = now_seconds(&bag)?;
        Ok(KEYS.with(|keys| {
            keys.borrow_mut()
                .signer(&access_key, &secret_key)
                .sign(now, ttl)
        }))
    };
    run().map_err(|e| to_js_error(&e))
}

fn body_bytes(raw_body: &JsValue) -> Result<Vec<u8>, Error> {
    if let Some(s) = raw_body.as_string() {
        return Ok(s.into_bytes());
    }
    if raw_body.is_instance_of::<Uint8Array>() || raw_body.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(raw_body).to_vec());
    }
    Err(Error::invalid_request("rawBody", "the raw body must be a string, a Uint8Array or an ArrayBuffer — the exact bytes received, not parsed JSON"))
}

/// Verifies a Standard-Webhooks-signed Kling callback and returns the task it carries.
/// `headers` is a `Headers` object or a plain object; `rawBody` is the body exactly as received.
/// Throws `ERR_KLING_CALLBACK_SIGNATURE` when a header is missing, the timestamp is more than
/// `toleranceSeconds` (default 300) away from now, or no `v1` signature matches.
#[wasm_bindgen(js_name = verifyCallback, unchecked_return_type = "Task")]
pub fn verify_callback(
    #[wasm_bindgen(
        unchecked_param_type = "Headers | Record<string, string | string[] | undefined>"
    )]
    headers: JsValue,
    #[wasm_bindgen(
        js_name = "rawBody",
        unchecked_param_type = "string | Uint8Array | ArrayBuffer"
    )]
    raw_body: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] secret: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "{ toleranceSeconds?: number; now?: number }")]
    options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let bag = Bag::new(
            &options,
            "verifyCallback options",
            &["toleranceSeconds", "now"],
        )?;
        let tolerance = match bag.number("toleranceSeconds")? {
            None => DEFAULT_TOLERANCE_SECONDS,
            Some(t) if t.is_finite() && t >= 0.0 => t as i64,
            Some(t) => {
                return Err(Error::invalid_options(format!(
                    "`toleranceSeconds` must be a non-negative number, not {}",
                    num(t)
                )))
            }
        };
        let body = body_bytes(&raw_body)?;
        // A `Headers` is asked directly; a plain object (Node's `req.headers`) or another
        // realm's `Headers` through the host's case-insensitive lookup.
        let header = |name: &str| match headers.dyn_ref::<web_sys::Headers>() {
            Some(h) => h.get(name).ok().flatten(),
            None => host::read_header(&headers, name),
        };
        let secret = secret.as_string().unwrap_or_default();
        verify_signature(&header, &body, &secret, tolerance, now_seconds(&bag)?)?;
        Ok(task_to_js(&callback_task(parsed(&raw_body))?))
    };
    run().map_err(|e| to_js_error(&e))
}

/// Parses an unsigned callback body (the bare task object Kling POSTs) into the task.
/// Throws `ERR_KLING_DECODE` when it is not one. Confirm what it says with a GET before acting.
#[wasm_bindgen(js_name = parseCallback, unchecked_return_type = "Task")]
pub fn parse_callback(
    #[wasm_bindgen(
        js_name = "rawBody",
        unchecked_param_type = "string | Uint8Array | ArrayBuffer"
    )]
    raw_body: JsValue,
) -> Result<JsValue, JsValue> {
    body_bytes(&raw_body)
        .and_then(|_| callback_task(parsed(&raw_body)))
        .map(|t| task_to_js(&t))
        .map_err(|e| to_js_error(&e))
}

/// The body as the platform's `JSON.parse` reads it (`None`: not JSON).
fn parsed(raw_body: &JsValue) -> Option<Js> {
    let value = host::parse_body(raw_body);
    (!value.is_undefined()).then_some(Js(value))
}
