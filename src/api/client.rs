//! The client and its transport: one [`Call`] sent as HTTP attempts — signed, sent, decoded — with
//! the retry loop every endpoint shares and the log lines it writes. The endpoints above (read,
//! create, wait, account, chains) describe calls; the arithmetic below (`retry.rs`, `log.rs`,
//! `reply.rs`) decides and formats without doing.

use crate::api::auth::Auth;
use crate::api::env::Env;
use crate::api::error::{transport_error, Error};
use crate::api::http::{Method, Request, TransportError};
use crate::api::limiter::Slots;
use crate::api::log::{Answer, LogLevel, LogRecord};
use crate::api::reply::{decode, Reply};
use crate::api::retry::{RetryState, Verdict};

pub use crate::api::options::{
    ClientConfig, ClientOptions, RequestOptions, CN_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, GLOBAL_BASE_URL,
};

/// A Kling client: configuration plus the token cache. Hosts are passed per call.
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    auth: Auth,
    slots: Option<Slots>,
}

/// One API call: what an endpoint asks of the transport. Each attempt makes an HTTP
/// [`Request`] of it (the base URL, the headers, a fresh token).
#[derive(Debug)]
pub(crate) struct Call<'a, J> {
    /// The method.
    pub method: Method,
    /// The path and query under the base URL.
    pub path: &'a str,
    /// The JSON body of a `POST`.
    pub body: Option<&'a J>,
    /// The caller's per-call options.
    pub opts: RequestOptions,
}

impl<'a, J> Call<'a, J> {
    /// `GET path`.
    pub fn get(path: &'a str, opts: RequestOptions) -> Self {
        Call {
            method: Method::Get,
            path,
            body: None,
            opts,
        }
    }

    /// `POST path` with `body`.
    pub fn post(path: &'a str, body: &'a J, opts: RequestOptions) -> Self {
        Call {
            method: Method::Post,
            path,
            body: Some(body),
            opts,
        }
    }

    /// The start of every log line about this call.
    fn record(&self) -> LogRecord {
        LogRecord::request(self.method, self.path)
    }
}

impl Client {
    /// Checks `options` and builds a client.
    pub fn new<F>(options: &ClientOptions<F>) -> Result<Client, Error> {
        let (config, credentials) = ClientConfig::from_options(options)?;
        let auth = Auth::new(credentials, config.token_ttl_seconds);
        let slots = config.max_concurrent_tasks.map(Slots::new);
        Ok(Client {
            config,
            auth,
            slots,
        })
    }

    /// The checked configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The task limiter, when `maxConcurrentTasks` is set.
    pub fn slots(&self) -> Option<&Slots> {
        self.slots.as_ref()
    }

    /// The authenticator (token cache and clock offset).
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// Whether lines of `level` are written.
    pub fn logs(&self, level: LogLevel) -> bool {
        level != LogLevel::Off && level <= self.config.log_level
    }

    /// Sends `call`, retrying as the contract says, and returns the envelope's `data`.
    pub(crate) async fn call<E: Env>(
        &self,
        env: &E,
        call: &Call<'_, E::Json>,
    ) -> Result<Reply<E::Json>, Error> {
        self.call_with(env, call, |_| Ok(())).await
    }

    /// [`Client::call`], with `check` applied to every answer inside the loop: an error it finds
    /// (an inner envelope's code) is retried or not by the same rules as any other. A plain `fn`,
    /// not a generic: one copy of the loop in the wasm serves every endpoint.
    pub(crate) async fn call_with<E: Env>(
        &self,
        env: &E,
        call: &Call<'_, E::Json>,
        check: fn(&Reply<E::Json>) -> Result<(), Error>,
    ) -> Result<Reply<E::Json>, Error> {
        let mut retry = RetryState::default();
        loop {
            let answer = self.exchange(env, call, &mut retry);
            match answer.await.and_then(|reply| check(&reply).map(|()| reply)) {
                Ok(value) => return Ok(value),
                Err(e) => self.pause_before_retry(env, call, e, &mut retry).await?,
            }
        }
    }

    /// One attempt, counted in `state` and logged at `debug`. No retries.
    pub(crate) async fn exchange<E: Env>(
        &self,
        env: &E,
        call: &Call<'_, E::Json>,
        state: &mut RetryState,
    ) -> Result<Reply<E::Json>, Error> {
        state.attempts += 1;
        let started_ms = env.now_ms();
        let result = self.attempt(env, call).await;
        if self.logs(LogLevel::Debug) {
            let ms = (env.now_ms() - started_ms).max(0.0).round();
            let answer = match &result {
                Ok(reply) => Answer::Ok(reply.status, reply.request_id.as_deref()),
                Err(e) => Answer::Failed(e),
            };
            let (message, record) = call.record().attempt_line(state.attempts, ms, answer);
            env.log(LogLevel::Debug, &message, &record);
        }
        result
    }

    /// One attempt: sign, send, decode.
    async fn attempt<E: Env>(
        &self,
        env: &E,
        call: &Call<'_, E::Json>,
    ) -> Result<Reply<E::Json>, Error> {
        let mut headers = vec![("accept".to_string(), "application/json".to_string())];
        if let Some(value) = self.auth.authorization(env).await? {
            headers.push(("authorization".to_string(), value));
        }
        if call.body.is_some() {
            headers.push(("content-type".to_string(), "application/json".to_string()));
        }
        let request = Request {
            method: call.method,
            url: format!("{}{}", self.config.base_url, call.path),
            headers,
            body: call.body.cloned(),
        };
        let timeout = call.opts.timeout_ms.unwrap_or(self.config.timeout_ms);
        let limit = self.config.max_response_bytes;
        let response = env
            .send(&request, timeout, limit)
            .await
            .map_err(|e| transport_error(e, timeout))?;
        if response.body_len > limit {
            // The host should have stopped reading already; the rule holds either way.
            let too_large = TransportError::TooLarge {
                limit,
                status: response.status,
                request_id: response.header("x-request-id").map(str::to_string),
            };
            return Err(transport_error(too_large, timeout));
        }
        decode(response)
    }

    /// After `call` failed with `e`: decides whether it is worth another attempt and, if so,
    /// waits (or re-signs the token). Gives `e` back when not, and `ERR_KLING_ABORTED` when the
    /// caller aborts during the wait.
    pub(crate) async fn pause_before_retry<E: Env>(
        &self,
        env: &E,
        call: &Call<'_, E::Json>,
        e: Error,
        state: &mut RetryState,
    ) -> Result<(), Error> {
        let max = call.opts.max_retries.unwrap_or(self.config.max_retries);
        let can_refresh = self.auth.credentials().can_refresh();
        match state.verdict(&e, can_refresh, max) {
            Verdict::Reauth => {
                self.log_retry(env, call, state, &e, None);
                self.auth.invalidate(e.server_date_ms, env.now_ms());
                Ok(())
            }
            Verdict::GiveUp => {
                self.log_failure(env, call, state, &e);
                Err(e)
            }
            Verdict::Backoff => {
                let delay = state.delay(&e, random_unit(env));
                self.log_retry(env, call, state, &e, Some(delay));
                if delay > 0 {
                    if let Err(t) = env.sleep(delay).await {
                        let e = transport_error(t, 0);
                        self.log_failure(env, call, state, &e);
                        return Err(e);
                    }
                }
                Ok(())
            }
        }
    }

    /// `warn`: a retry after `e`, with the wait chosen (`None`: re-signing the token at once).
    fn log_retry<E: Env>(
        &self,
        env: &E,
        call: &Call<'_, E::Json>,
        state: &RetryState,
        e: &Error,
        delay_ms: Option<u32>,
    ) {
        if self.logs(LogLevel::Warn) {
            let (message, record) = call.record().retry_line(state.attempts + 1, e, delay_ms);
            env.log(LogLevel::Warn, &message, &record);
        }
    }

    /// `error`: the call failed for good.
    fn log_failure<E: Env>(
        &self,
        env: &E,
        call: &Call<'_, E::Json>,
        state: &RetryState,
        e: &Error,
    ) {
        if self.logs(LogLevel::Error) {
            let (message, record) = call.record().failure_line(state.attempts, e);
            env.log(LogLevel::Error, &message, &record);
        }
    }
}

/// A uniform draw in `[0, 1)` from the host's random bytes.
fn random_unit<E: Env>(env: &E) -> f64 {
    let mut b = [0u8; 4];
    env.fill_random(&mut b);
    f64::from(u32::from_le_bytes(b)) / 4_294_967_296.0
}
