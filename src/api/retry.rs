//! When to retry and how long to wait: capped exponential backoff with jitter, and the server's
//! own `Retry-After` when it gives one.

use crate::api::client::{Client, Reply, RequestOptions};
use crate::api::env::Env;
use crate::api::error::{transport_error, Error, ErrorKind};
use crate::api::http::Method;
use crate::api::log::LogRecord;

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

/// Retry bookkeeping for one operation.
#[derive(Debug, Default)]
pub(crate) struct RetryState {
    pub retries: u32,
    pub reauthed: bool,
    /// A create: failures that may have created the task are retried (after a lookup).
    pub create: bool,
    /// Attempts sent so far.
    pub attempts: u32,
    /// The last attempt's method and path, kept for log lines when logging is on.
    pub last: Option<LogRecord>,
}

impl Client {
    /// Sends one request, retrying as the contract says, and returns the envelope's `data`.
    pub(crate) async fn call<E: Env>(
        &self,
        env: &E,
        method: Method,
        path: &str,
        body: Option<&E::Json>,
        opts: RequestOptions,
    ) -> Result<Reply<E::Json>, Error> {
        self.call_with(env, method, path, body, opts, |_| Ok(()))
            .await
    }

    /// [`Client::call`], with `check` applied to every answer inside the loop: an error it finds
    /// (an inner envelope's code) is retried or not by the same rules as any other. A plain `fn`,
    /// not a generic: one copy of the loop in the wasm serves every endpoint.
    pub(crate) async fn call_with<E: Env>(
        &self,
        env: &E,
        method: Method,
        path: &str,
        body: Option<&E::Json>,
        opts: RequestOptions,
        check: fn(&Reply<E::Json>) -> Result<(), Error>,
    ) -> Result<Reply<E::Json>, Error> {
        let mut retry = RetryState::default();
        loop {
            let answer = self.exchange(env, method, path, body, opts, &mut retry);
            match answer.await.and_then(|reply| check(&reply).map(|()| reply)) {
                Ok(value) => return Ok(value),
                Err(e) => self.pause_before_retry(env, e, &mut retry, opts).await?,
            }
        }
    }

    /// Decides whether `e` is worth another attempt and, if so, waits. Gives `e` back when not,
    /// and `ERR_KLING_ABORTED` when the caller aborts during the wait.
    pub(crate) async fn pause_before_retry<E: Env>(
        &self,
        env: &E,
        e: Error,
        state: &mut RetryState,
        opts: RequestOptions,
    ) -> Result<(), Error> {
        if e.is_token_time_error() && !state.reauthed && self.auth().credentials().can_refresh() {
            state.reauthed = true;
            self.log_retry(env, state, &e, None);
            self.auth().invalidate(e.server_date_ms, env.now_ms());
            return Ok(());
        }
        let max = opts.max_retries.unwrap_or(self.config().max_retries);
        if !(e.retryable || (state.create && e.may_have_created() && e.kind != ErrorKind::Aborted))
            || state.retries >= max
        {
            self.log_failure(env, state, &e);
            return Err(e);
        }
        let delay = backoff_ms(state.retries, &e, random_unit(env));
        state.retries += 1;
        self.log_retry(env, state, &e, Some(delay));
        if delay > 0 {
            if let Err(t) = env.sleep(delay).await {
                let e = transport_error(t, 0);
                self.log_failure(env, state, &e);
                return Err(e);
            }
        }
        Ok(())
    }
}

/// A uniform draw in `[0, 1)` from the host's random bytes.
pub fn random_unit<E: Env>(env: &E) -> f64 {
    let mut b = [0u8; 4];
    env.fill_random(&mut b);
    f64::from(u32::from_le_bytes(b)) / 4_294_967_296.0
}
