//! Numbers as text, without linking a JSON library or core's float parser into the wasm.

/// A number for a message: integers as integers, others in the shortest form that reads back
/// exactly (Rust's own `Display`, already linked by serde's error messages).
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        return (x as i64).to_string();
    }
    if !x.is_finite() {
        return "not a finite number".into();
    }
    x.to_string()
}

/// A plain decimal in a string — `"5"`, `"9.4"`, `" 10 "` — or `None`: what durations and
/// `Retry-After` headers hold. Hand-written because core's `f64::from_str` costs ≈ 9 KB of wasm
/// (measured with `make size-profile`) for forms Kling never sends (exponents, `inf`, 17+ digits):
/// up to 15 significant digits, the value is the digits as an integer divided by a power of ten,
/// both exact in an `f64`, so the one division rounds correctly.
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let digits = int.len() + frac.len();
    if digits > 15 || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mantissa = int
        .bytes()
        .chain(frac.bytes())
        .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    Some(mantissa as f64 / 10f64.powi(frac.len() as i32))
}
