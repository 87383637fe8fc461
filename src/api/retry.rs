//! When to retry and how long to wait: capped exponential backoff with jitter, and the server's
//! own `Retry-After` when it gives one.

use crate::api::error::{Error, ErrorKind};

/// The first backoff step.
const BASE_DELAY_MS: f64 = 500.0;
/// Kling's advice for 1303: back off from at least one second.
const CONCURRENCY_FLOOR_MS: f64 = 1000.0;
/// No single backoff step waits longer than this.
const MAX_DELAY_MS: f64 = 8000.0;

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

/// Retry bookkeeping for one operation (one call, or one create with its lookups).
#[derive(Debug, Default)]
pub(crate) struct RetryState {
    /// Retries after a backoff so far.
    pub retries: u32,
    /// The token was re-signed after a clock error (once per operation).
    pub reauthed: bool,
    /// A create: failures that may have created the task are retried (after a lookup).
    pub create: bool,
    /// Attempts sent so far.
    pub attempts: u32,
}

/// What comes after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Re-sign the token and try again at once.
    Reauth,
    /// Try again after [`RetryState::delay`].
    Backoff,
    /// The error stands.
    GiveUp,
}

impl RetryState {
    /// The bookkeeping of a create.
    pub fn create() -> RetryState {
        RetryState {
            create: true,
            ..RetryState::default()
        }
    }

    /// Whether `e` is worth another attempt: a token-time error once, by re-signing (when the
    /// credentials can); a retryable error — or, in a create, one that may have created the task
    /// (the caller looks it up first) — until `max_retries` are spent.
    pub fn verdict(&mut self, e: &Error, can_refresh: bool, max_retries: u32) -> Verdict {
        if e.is_token_time_error() && !self.reauthed && can_refresh {
            self.reauthed = true;
            return Verdict::Reauth;
        }
        let worth =
            e.retryable || (self.create && e.may_have_created() && e.kind != ErrorKind::Aborted);
        if worth && self.retries < max_retries {
            Verdict::Backoff
        } else {
            Verdict::GiveUp
        }
    }

    /// The wait before the retry just decided on, counted. `random` is uniform in `[0, 1)`.
    pub fn delay(&mut self, e: &Error, random: f64) -> u32 {
        let ms = backoff_ms(self.retries, e, random);
        self.retries += 1;
        ms
    }
}
