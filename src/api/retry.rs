//! When to retry and how long to wait: capped exponential backoff with jitter, and the server's
//! own `Retry-After` when it gives one.

use crate::api::error::{Error, ErrorKind};
use crate::api::http::Response;
use crate::api::validate::parse_number;

/// The first backoff step.
const BASE_DELAY_MS: f64 = 500.0;
/// Kling's advice for 1303: back off from at least one second.
const CONCURRENCY_FLOOR_MS: f64 = 1000.0;
/// No single backoff step waits longer than this.
const MAX_DELAY_MS: f64 = 8000.0;
/// A `Retry-After` beyond this is not honoured (the default backoff is used instead).
const MAX_RETRY_AFTER_MS: f64 = 60_000.0;

/// The wait before retry number `retry` (0 for the first retry) after `error`.
///
/// `random` is uniform in `[0, 1)`; jitter takes off up to a quarter of the step so that many
/// clients do not retry in lockstep.
pub fn backoff_ms(retry: u32, error: &Error, random: f64) -> u32 {
    let concurrency = error.kind == ErrorKind::Concurrency;
    let delay = match error.retry_after_ms {
        Some(ms) => f64::from(ms),
        None => {
            let base = if concurrency {
                CONCURRENCY_FLOOR_MS
            } else {
                BASE_DELAY_MS
            };
            let step = (base * 2f64.powi(retry.min(16) as i32)).min(MAX_DELAY_MS);
            step * (1.0 - 0.25 * random.clamp(0.0, 1.0))
        }
    };
    // Kling's advice for 1303 holds even against a shorter Retry-After.
    let delay = if concurrency {
        delay.max(CONCURRENCY_FLOOR_MS)
    } else {
        delay
    };
    delay.round() as u32
}

/// The server's requested wait, from `retry-after-ms` or `retry-after` (seconds or an HTTP date),
/// when it lies within 0–60 s.
pub fn retry_after_ms(response: &Response, server_date_ms: Option<f64>) -> Option<u32> {
    let from_ms = response.header("retry-after-ms").and_then(parse_number);
    let ms = match from_ms {
        Some(ms) => ms,
        None => {
            let v = response.header("retry-after")?.trim();
            match parse_number(v) {
                Some(seconds) => seconds * 1000.0,
                None => http_date_ms(v)? - server_date_ms?,
            }
        }
    };
    (ms.is_finite() && (0.0..=MAX_RETRY_AFTER_MS).contains(&ms)).then(|| ms.round() as u32)
}

/// An HTTP date in IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`, the only form RFC 9110
/// lets servers send) in Unix milliseconds; `None` for anything else. Small on purpose: the client
/// needs it for `Date` and `Retry-After` only, and a general date library costs kilobytes of wasm.
pub fn http_date_ms(value: &str) -> Option<f64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut fields = value.split_ascii_whitespace();
    let (weekday, day, month, year, time, zone) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if fields.next().is_some() || zone != "GMT" || weekday.len() != 4 || !weekday.ends_with(',') {
        return None;
    }
    let day: i64 = digits(day, 2)?;
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let year: i64 = digits(year, 4)?;
    let mut hms = time.split(':');
    let (h, m, s) = (
        digits(hms.next()?, 2)?,
        digits(hms.next()?, 2)?,
        digits(hms.next()?, 2)?,
    );
    if hms.next().is_some() || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 86_400 + h * 3600 + m * 60 + s) * 1000) as f64)
}

/// Exactly `n` ASCII digits.
fn digits(s: &str, n: usize) -> Option<i64> {
    if s.len() != n || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
