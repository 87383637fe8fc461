//! When to retry and how long to wait: capped exponential backoff with jitter, and the server's
//! own `Retry-After` when it gives one.

use crate::api::error::{Error, ErrorKind};
use crate::api::http::Response;

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
    let from_ms = response
        .header("retry-after-ms")
        .and_then(|v| v.trim().parse::<f64>().ok());
    let ms = match from_ms {
        Some(ms) => ms,
        None => {
            let v = response.header("retry-after")?.trim();
            match v.parse::<f64>() {
                Ok(seconds) => seconds * 1000.0,
                Err(_) => http_date_ms(v)? - server_date_ms?,
            }
        }
    };
    (ms.is_finite() && (0.0..=MAX_RETRY_AFTER_MS).contains(&ms)).then(|| ms.round() as u32)
}

/// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`) in Unix milliseconds.
pub fn http_date_ms(value: &str) -> Option<f64> {
    let time = httpdate::parse_http_date(value.trim()).ok()?;
    let since = time.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(since.as_millis() as f64)
}
