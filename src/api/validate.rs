//! The rules every parameter is checked against before anything is sent, on typed values: the
//! types themselves (`params.rs`) settle the shape, these settle the documented limits.

use crate::api::error::Error;
use crate::api::json::Json;
use crate::api::text::num;

/// Kling's limit on `prompt` and `negative_prompt`, in characters.
pub const MAX_PROMPT_CHARS: usize = 2500;

/// The longest task id, external task id or video id accepted, in characters.
pub const MAX_ID_CHARS: usize = 256;

fn refuse(name: &str, what: impl std::fmt::Display) -> Error {
    Error::invalid_request(name, format!("`{name}` {what}"))
}

/// A field the request cannot go without.
pub fn required<'a, T>(name: &str, value: &'a Option<T>) -> Result<&'a T, Error> {
    value.as_ref().ok_or_else(|| refuse(name, "is required"))
}

/// A non-empty (when required) string of at most `max` characters (Unicode scalar values).
pub fn text(name: &str, value: &Option<String>, max: usize, required: bool) -> Result<(), Error> {
    match value.as_deref() {
        None if required => Err(refuse(name, "is required")),
        Some("") if required => Err(refuse(name, "must not be empty")),
        Some(s) => {
            let n = s.chars().count();
            if n > max {
                Err(refuse(
                    name,
                    format!("is {n} characters long; the limit is {max}"),
                ))
            } else {
                Ok(())
            }
        }
        None => Ok(()),
    }
}

/// An identifier (`video_id`, `external_task_id`): not blank, no control characters, at most
/// [`MAX_ID_CHARS`]. An empty `external_task_id` would be sent, and the lookup by it after an
/// ambiguous failure would hit the list endpoint instead.
pub fn id(name: &str, value: &Option<String>, required: bool) -> Result<(), Error> {
    match value.as_deref() {
        None if required => Err(refuse(name, "is required")),
        None => Ok(()),
        Some(s) if s.trim().is_empty() => Err(refuse(name, "must not be empty")),
        Some(s) if !fits_id(s, MAX_ID_CHARS) => Err(refuse(
            name,
            format!("must be at most {MAX_ID_CHARS} characters, without control characters"),
        )),
        Some(_) => Ok(()),
    }
}

/// A number in `[min, max]` (NaN is outside every range).
pub fn number(name: &str, value: Option<f64>, min: f64, max: f64) -> Result<(), Error> {
    match value {
        Some(x) if !(x >= min && x <= max) => Err(refuse(
            name,
            format!(
                "is {}; it must be between {} and {}",
                num(x),
                num(min),
                num(max)
            ),
        )),
        _ => Ok(()),
    }
}

/// One of these strings.
pub fn one_of(name: &str, value: &Option<String>, allowed: &[&str]) -> Result<(), Error> {
    match value.as_deref() {
        Some(s) if !allowed.contains(&s) => Err(refuse(
            name,
            format!("must be one of {} (a string), not \"{s}\"", quoted(allowed)),
        )),
        _ => Ok(()),
    }
}

/// An http(s) URL, or the empty string (no callback).
pub fn callback_url(name: &str, value: &Option<String>) -> Result<(), Error> {
    match value.as_deref() {
        None | Some("") => Ok(()),
        Some(s) if is_http_url(s) => Ok(()),
        Some(_) => Err(refuse(name, "must be an http:// or https:// URL")),
    }
}

/// Image input: an http(s) URL or raw base64 without a `data:` prefix.
pub fn image(name: &str, value: &Option<String>, required: bool) -> Result<(), Error> {
    match value.as_deref() {
        None if required => Err(refuse(name, "is required")),
        None => Ok(()),
        Some(s) if s.starts_with("data:") => Err(refuse(
            name,
            "must be a URL or raw base64 without the `data:...;base64,` prefix",
        )),
        Some(s) if s.trim().is_empty() => {
            Err(refuse(name, "must be an image URL or base64 string"))
        }
        Some(_) => Ok(()),
    }
}

/// A JSON object whose shape is Kling's to check.
pub fn object<J: Json>(name: &str, value: &Option<J>) -> Result<(), Error> {
    match value {
        Some(v) if !v.is_object() => Err(refuse(name, "must be an object")),
        _ => Ok(()),
    }
}

/// A JSON array whose items are Kling's to check.
pub fn array<J: Json>(name: &str, value: &Option<J>) -> Result<(), Error> {
    match value {
        Some(v) if !v.is_array() => Err(refuse(name, "must be an array")),
        _ => Ok(()),
    }
}

/// Refuses a key of `params` that is not one of `fields` (with `hint` when one is given for it),
/// as `parse` does for a type's own fields: for readers shared by several families.
pub fn only_fields<J: Json>(
    params: &J,
    fields: &[&str],
    hints: &[(&str, &str)],
) -> Result<(), Error> {
    match params
        .keys()
        .into_iter()
        .find(|k| !fields.contains(&k.as_str()))
    {
        Some(key) => {
            let expected: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            let reason = format!(
                "unknown field `{key}`, expected one of {}",
                expected.join(", ")
            );
            Err(refusal(&key, &reason, hints))
        }
        None => Ok(()),
    }
}

/// Reads the caller's `params` as `T`. A field of the wrong type is refused with its name; an
/// unknown one with `hint` when one is given for it (mistakes copied from third-party guides are
/// answered with the right way), else with the fields `T` accepts.
pub fn parse<T: serde::de::DeserializeOwned, J: Json>(
    params: &J,
    hints: &[(&str, &str)],
) -> Result<T, Error> {
    // Checked first: serde would read an array as a struct's fields in order.
    if !params.is_object() {
        return Err(Error::invalid_request(
            "params",
            "the parameters must be an object",
        ));
    }
    match params.parse::<T>() {
        Ok(t) => Ok(t),
        Err(reason) => Err(misfit(params, reason, hints, &|one| one.parse::<T>().err())),
    }
}

/// Why `params` do not fit, `reason` being serde's word for the whole: which field, the first
/// that fails on its own (`fails`). Reading again only on failure keeps the common path at one
/// read, and needs no path-tracking deserializer in the wasm. One copy for every `T`.
#[inline(never)]
fn misfit<J: Json>(
    params: &J,
    reason: String,
    hints: &[(&str, &str)],
    fails: &dyn Fn(&J) -> Option<String>,
) -> Error {
    let culprit = params.keys().into_iter().find_map(|key| {
        let alone = fails(&params.only(&key))?;
        Some((key, alone))
    });
    match culprit {
        Some((field, reason)) => refusal(&field, &reason, hints),
        None => Error::invalid_request("params", format!("the parameters do not fit: {reason}")),
    }
}

/// The refusal of `field`, from serde's `reason`.
fn refusal(field: &str, reason: &str, hints: &[(&str, &str)]) -> Error {
    // serde's words: "unknown field `x`, expected one of `a`, `b`", "missing field `x`",
    // "invalid type: string \"5\", expected f64".
    let quoted = reason.split('`').nth(1).unwrap_or_default();
    let inside = if quoted == field {
        String::new()
    } else {
        format!(" in `{field}`")
    };
    if reason.starts_with("unknown field") {
        let hint = hints
            .iter()
            .find(|(n, _)| *n == quoted)
            .map(|(_, h)| (*h).to_string())
            .unwrap_or_else(|| {
                let accepted = reason
                    .split_once("expected ")
                    .map_or("", |(_, e)| e)
                    .replace('`', "");
                format!(
                    "accepted fields are {}",
                    accepted.trim_start_matches("one of ")
                )
            });
        return Error::invalid_request(field, format!("unknown field `{quoted}`{inside}: {hint}"));
    }
    if reason.starts_with("missing field") {
        return Error::invalid_request(field, format!("`{quoted}` is required{inside}"));
    }
    let reason = match reason
        .strip_prefix("invalid type: ")
        .and_then(|r| r.split_once(", expected "))
    {
        Some((got, expected)) => {
            format!("is {}; expected {}", plain(got), expected_words(expected))
        }
        None => reason.to_string(),
    };
    Error::invalid_request(field, format!("`{field}` {reason}"))
}

/// serde's words for a value in JavaScript's: "floating point `5.0`" and "integer `5`" are the
/// number 5; a map is an object; and serde-wasm-bindgen's debug form of a JavaScript value
/// (`JsValue(Object({}))`) is never shown, only what kind of value it is.
fn plain(got: &str) -> String {
    if let Some(n) = got
        .strip_prefix("floating point `")
        .or_else(|| got.strip_prefix("integer `"))
        .and_then(|n| n.strip_suffix('`'))
    {
        return format!("the number {}", n.strip_suffix(".0").unwrap_or(n));
    }
    let kind = match got {
        "map" => "an object",
        "sequence" => "an array",
        "unit value" | "JsValue(null)" => "null",
        "JsValue(undefined)" => "undefined",
        _ if got.starts_with("JsValue(Object(") => "an object",
        _ if got.starts_with("JsValue([") => "an array",
        _ if got.starts_with("JsValue(Function") => "a function",
        _ if got.starts_with("JsValue(Symbol") => "a symbol",
        _ if got.starts_with("JsValue(") => "a value of another type",
        _ => return got.to_string(),
    };
    kind.to_string()
}

/// serde's words for what a field takes, in JavaScript's: never a Rust type's name.
fn expected_words(expected: &str) -> &str {
    match expected {
        "f64" | "f32" | "u32" | "u64" | "i64" => "a number",
        "a sequence" => "an array",
        _ if expected.starts_with("struct ") || expected == "a map" => "an object",
        other => other,
    }
}

/// Whether `s` looks like an absolute http(s) URL with a host.
pub fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// `"a", "b"`: a list of values for a message.
pub fn quoted(allowed: &[&str]) -> String {
    allowed
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks an optional whole number in `[min, max]`.
pub fn whole(name: &str, value: Option<f64>, min: u32, max: u32) -> Result<Option<u32>, Error> {
    match value {
        None => Ok(None),
        Some(x) if x.fract() == 0.0 && x >= f64::from(min) && x <= f64::from(max) => {
            Ok(Some(x as u32))
        }
        Some(x) => Err(refuse(
            name,
            format!("must be a whole number from {min} to {max}, not {}", num(x)),
        )),
    }
}

/// The rule every id shares: at most `max` characters, none of them control characters.
fn fits_id(s: &str, max: usize) -> bool {
    s.chars().count() <= max && !s.chars().any(char::is_control)
}

/// Checks a task id or external task id used in a path.
pub fn check_id(name: &str, id: &str) -> Result<(), Error> {
    if id.trim().is_empty() {
        return Err(Error::invalid_request(
            name,
            format!("`{name}` must be a non-empty string"),
        ));
    }
    if !fits_id(id, MAX_ID_CHARS) {
        return Err(Error::invalid_request(
            name,
            format!("`{name}` is not a valid id"),
        ));
    }
    Ok(())
}

/// The fields every family shares.
pub fn check_shared(
    negative_prompt: &Option<String>,
    cfg_scale: Option<f64>,
    callback: &Option<String>,
    external_task_id: &Option<String>,
) -> Result<(), Error> {
    text("negative_prompt", negative_prompt, MAX_PROMPT_CHARS, false)?;
    number("cfg_scale", cfg_scale, 0.0, 1.0)?;
    callback_url("callback_url", callback)?;
    id("external_task_id", external_task_id, false)
}
