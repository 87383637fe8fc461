//! Numbers and JSON as text, through serde_json: core's float formatting and parsing (≈ 15 KB of
//! wasm) are never linked in.

use serde_json::Value;

/// A number for a message: integers as integers, others in the shortest form that reads back
/// exactly. serde_json's formatting, so that core's float formatting (≈ 15 KB of wasm) is not
/// linked in.
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        return (x as i64).to_string();
    }
    serde_json::Number::from_f64(x).map_or_else(|| "not a finite number".into(), |n| n.to_string())
}

/// JSON text of a value. Not `Value::to_string`: its `Display` goes through `fmt` and an io
/// adapter whose error type links boxed errors; writing into a `Vec` cannot fail.
pub fn json_text(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A decimal number in a string ("5", "9.4", " 10 "), or `None`. serde_json's parser, so that
/// core's float parsing is not linked in.
pub fn parse_number(s: &str) -> Option<f64> {
    // Through `Value`: deserialising into `f64` would link serde's error messages, which print
    // floats with core's formatting.
    // From bytes, as every other parse: one instance of the parser in the wasm, not two.
    serde_json::from_slice::<Value>(s.trim().as_bytes())
        .ok()?
        .as_f64()
        .filter(|x| x.is_finite())
}
