//! Numbers as text, without linking a JSON library or core's float parser into the wasm.

/// A number for a message: integers as integers, others in the shortest form that reads back
/// exactly (as Rust's `Display` writes it: [`float_text`]).
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        return (x as i64).to_string();
    }
    if !x.is_finite() {
        return "not a finite number".into();
    }
    float_text(x)
}

/// The host's writer of a float (see [`set_float_text`]).
static FLOAT_TEXT: std::sync::OnceLock<fn(f64) -> String> = std::sync::OnceLock::new();

/// Gives the core the host's writer of a float, which must write what Rust's `Display` writes
/// (the shortest digits that read back exactly, never an exponent). The wasm build sets
/// JavaScript's `String(x)` through [`plain_decimal`] when it starts: core's own float printer
/// (Grisu, Dragon, their big-number arithmetic and tables) is ≈ 9 KB of wasm, ≈ 4 KB gzip
/// (measured with `make size-profile`), for numbers that appear only in messages.
pub fn set_float_text(writer: fn(f64) -> String) {
    let _ = FLOAT_TEXT.set(writer);
}

/// `x` as Rust's `Display` writes it: the host's writer when one is set, else Rust's own
/// (natively; the wasm build always sets one, so there core's printer is never linked).
pub fn float_text(x: f64) -> String {
    match FLOAT_TEXT.get() {
        Some(writer) => writer(x),
        None => own_float_text(x),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn own_float_text(x: f64) -> String {
    x.to_string()
}

/// Never reached: the boundary sets the writer before any export can run.
#[cfg(target_arch = "wasm32")]
fn own_float_text(_: f64) -> String {
    "a number".into()
}

/// The shortest round-trip digits of a float, in exponent form (`"1.5e-7"`, `"1e+21"`, as
/// JavaScript's `String(x)` writes beyond 1e21 and below 1e-6) or plain (`"0.25"`), as a plain
/// decimal, as Rust's `Display` writes them: `"0.00000015"`, `"1000000000000000000000"`.
pub fn plain_decimal(shortest: &str) -> String {
    let Some((mantissa, exp)) = shortest.split_once('e') else {
        return shortest.to_string();
    };
    let Ok(exp) = exp.trim_start_matches('+').parse::<i32>() else {
        return shortest.to_string();
    };
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // The decimal point goes after `point` digits (which may be before the first or after the
    // last). Built by pushes, not `format!`: this runs in the wasm.
    let digits = [int, frac].concat();
    let point = int.len() as i32 + exp;
    let mut out = String::from(sign);
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
        out.push_str(&digits);
    } else if point as usize >= digits.len() {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
    } else {
        let (a, b) = digits.split_at(point as usize);
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Rust's shortest exponent form (`{:e}`), read by `plain_decimal`, is Rust's `Display`: the
    /// digits are the same, only the point moves. JavaScript's form differs only by `e+`.
    #[test]
    fn plain_decimal_writes_what_display_writes() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut values = vec![
            0.1,
            0.25,
            1.5,
            -7.5,
            1e-7,
            1.5e-7,
            123.456,
            1e21,
            1.2345e22,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.1 + 0.2,
            9.007_199_254_740_993e15,
            -1e-10,
            4.35,
            1e300,
        ];
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let x = f64::from_bits(seed);
            if x.is_finite() {
                values.push(x);
            }
            values.push((seed % 1_000_000) as f64 / 1000.0);
        }
        for x in values {
            let display = x.to_string();
            assert_eq!(plain_decimal(&format!("{x:e}")), display, "{x:e}");
            let js = format!("{x:e}").replace("e", "e+").replace("e+-", "e-");
            assert_eq!(plain_decimal(&js), display, "{js}");
            assert_eq!(plain_decimal(&display), display);
        }
    }

    #[test]
    fn num_writes_whole_numbers_as_integers_and_others_shortest() {
        assert_eq!(num(5.0), "5");
        assert_eq!(num(-3.0), "-3");
        assert_eq!(num(7.5), "7.5");
        assert_eq!(num(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(num(f64::NAN), "not a finite number");
    }
}
