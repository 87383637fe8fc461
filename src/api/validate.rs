//! The rule engine behind request validation: every rule checked before anything is sent.

use serde_json::{Map, Value};

use crate::api::error::Error;
use crate::api::text::{json_text, num};

/// Kling's limit on `prompt` and `negative_prompt`, in characters.
pub const MAX_PROMPT_CHARS: usize = 2500;

/// One documented rule for one field.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// A non-empty string of at most this many characters (Unicode scalar values, not bytes).
    Text(usize),
    /// An identifier (`video_id`, `external_task_id`): a string that is not blank, without control
    /// characters, of at most this many characters. An empty `external_task_id` would be sent,
    /// and the lookup by it after an ambiguous failure would hit the list endpoint instead.
    Id(usize),
    /// A number in `[min, max]`.
    Number(f64, f64),
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// An http(s) URL, or the empty string (no callback).
    CallbackUrl,
    /// `{ "enabled": boolean }`.
    Watermark,
    /// A JSON object (shape left to Kling).
    Object,
    /// A JSON array (shape left to Kling).
    Array,
    /// Image input: an http(s) URL or raw base64 without a `data:` prefix.
    Image,
}

/// A field the endpoint accepts.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The wire name.
    pub name: &'static str,
    /// Whether the request is refused without it.
    pub required: bool,
    /// What its value must be.
    pub rule: Rule,
}

/// Checks a request body against an endpoint's fields. Unknown fields are refused with `hint` when
/// one is given for them, so that mistakes copied from third-party guides are caught here.
pub fn check_body(
    body: &Value,
    fields: &[Field],
    hints: &[(&str, &str)],
) -> Result<Map<String, Value>, Error> {
    let Value::Object(map) = body else {
        return Err(Error::invalid_request(
            "params",
            "the parameters must be an object",
        ));
    };
    for (name, value) in map {
        let Some(field) = fields.iter().find(|f| f.name == name) else {
            let hint = hints
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, h)| (*h).to_string())
                .unwrap_or_else(|| format!("accepted fields are {}", names(fields)));
            return Err(Error::invalid_request(
                name,
                format!("unknown field `{name}`: {hint}"),
            ));
        };
        if !value.is_null() {
            check_value(field, value)?;
        }
    }
    for field in fields.iter().filter(|f| f.required) {
        if map.get(field.name).is_none_or(Value::is_null) {
            return Err(Error::invalid_request(
                field.name,
                format!("`{}` is required", field.name),
            ));
        }
    }
    // Nulls mean "not given": drop them rather than send them.
    Ok(map
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect())
}

fn names(fields: &[Field]) -> String {
    fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
}

fn check_value(field: &Field, value: &Value) -> Result<(), Error> {
    let name = field.name;
    let fail = |what: String| Err(Error::invalid_request(name, format!("`{name}` {what}")));
    match field.rule {
        Rule::Text(max) => match value.as_str() {
            None => fail(format!("must be a string, not {}", type_name(value))),
            Some("") if field.required => fail("must not be empty".into()),
            Some(s) => {
                let n = s.chars().count();
                if n > max {
                    fail(format!("is {n} characters long; the limit is {max}"))
                } else {
                    Ok(())
                }
            }
        },
        Rule::Id(max) => match value.as_str() {
            None => fail(format!("must be a string, not {}", type_name(value))),
            Some(s) if s.trim().is_empty() => fail("must not be empty".into()),
            Some(s) if !fits_id(s, max) => fail(format!(
                "must be at most {max} characters, without control characters"
            )),
            Some(_) => Ok(()),
        },
        Rule::Number(min, max) => match value.as_f64() {
            Some(x) if x >= min && x <= max => Ok(()),
            Some(x) => fail(format!(
                "is {}; it must be between {} and {}",
                num(x),
                num(min),
                num(max)
            )),
            None => fail(format!(
                "must be a number between {} and {}, not {}",
                num(min),
                num(max),
                type_name(value)
            )),
        },
        Rule::OneOf(allowed) => match value.as_str() {
            Some(s) if allowed.contains(&s) => Ok(()),
            _ => fail(format!(
                "must be one of {} (a string), not {}",
                quoted(allowed),
                json_text(value)
            )),
        },
        Rule::CallbackUrl => match value.as_str() {
            Some("") => Ok(()),
            Some(s) if is_http_url(s) => Ok(()),
            _ => fail("must be an http:// or https:// URL".into()),
        },
        Rule::Watermark => match value.as_object() {
            Some(o) if o.len() == 1 && o.get("enabled").is_some_and(Value::is_boolean) => Ok(()),
            _ => fail("must be { \"enabled\": true } or { \"enabled\": false }".into()),
        },
        Rule::Object if value.is_object() => Ok(()),
        Rule::Object => fail("must be an object".into()),
        Rule::Array if value.is_array() => Ok(()),
        Rule::Array => fail("must be an array".into()),
        Rule::Image => match value.as_str() {
            Some(s) if s.starts_with("data:") => {
                fail("must be a URL or raw base64 without the `data:...;base64,` prefix".into())
            }
            Some(s) if !s.trim().is_empty() => Ok(()),
            _ => fail("must be an image URL or base64 string".into()),
        },
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

fn quoted(allowed: &[&str]) -> String {
    allowed
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks an optional integer query parameter in `[min, max]`.
pub fn check_int(
    name: &str,
    value: Option<&Value>,
    min: u32,
    max: u32,
) -> Result<Option<u32>, Error> {
    let Some(v) = value.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 && x >= f64::from(min) && x <= f64::from(max) => {
            Ok(Some(x as u32))
        }
        _ => Err(Error::invalid_request(
            name,
            format!(
                "`{name}` must be a whole number from {min} to {max}, not {}",
                json_text(v)
            ),
        )),
    }
}

/// The longest task id, external task id or video id accepted, in characters.
pub const MAX_ID_CHARS: usize = 256;

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
