//! The client: one HTTP exchange, and the retry driver every endpoint shares.

use crate::api::auth::Auth;
use crate::api::env::{Env, Json};
use crate::api::error::{transport_error, Error};
use crate::api::http::{http_date_ms, retry_after_ms, Method, Request, Response, TransportError};
use crate::api::limiter::Slots;
use crate::api::log::{LogLevel, LogRecord};
use crate::api::reader::lenient;
use crate::api::retry::RetryState;
use crate::api::task::Task;

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

/// A successful answer: its HTTP status, Kling's request id and the envelope's `data`.
#[derive(Debug)]
pub struct Reply<J> {
    /// The HTTP status.
    pub status: u16,
    /// The envelope's `request_id` (or the `X-Request-Id` header).
    pub request_id: Option<String>,
    /// The envelope's `data`.
    pub data: J,
}

impl<J: Json> Reply<J> {
    /// The `data` as one task, carrying the request id.
    pub fn into_task(self) -> Result<Task<J>, Error> {
        match Task::from_json(self.data) {
            Ok(task) => Ok(task.with_request_id(self.request_id)),
            Err(e) => Err(e.with_request_id(self.request_id)),
        }
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

    /// One attempt, counted in `state` and logged at `debug`. No retries.
    pub(crate) async fn exchange<E: Env>(
        &self,
        env: &E,
        method: Method,
        path: &str,
        body: Option<&E::Json>,
        opts: RequestOptions,
        state: &mut RetryState,
    ) -> Result<Reply<E::Json>, Error> {
        state.attempts += 1;
        if self.config.log_level != LogLevel::Off {
            state.last = Some(LogRecord::request(method, path));
        }
        let started_ms = env.now_ms();
        let result = self.attempt(env, method, path, body, opts).await;
        self.log_attempt(env, state, started_ms, &result);
        result
    }

    /// One attempt: sign, send, decode.
    async fn attempt<E: Env>(
        &self,
        env: &E,
        method: Method,
        path: &str,
        body: Option<&E::Json>,
        opts: RequestOptions,
    ) -> Result<Reply<E::Json>, Error> {
        let mut headers = vec![("accept".to_string(), "application/json".to_string())];
        if let Some(value) = self.auth.authorization(env).await? {
            headers.push(("authorization".to_string(), value));
        }
        if body.is_some() {
            headers.push(("content-type".to_string(), "application/json".to_string()));
        }
        let request = Request {
            method,
            url: format!("{}{}", self.config.base_url, path),
            headers,
            body: body.cloned(),
        };
        let timeout = opts.timeout_ms.unwrap_or(self.config.timeout_ms);
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
}

/// Kling's envelope: the fields read out of every answer.
struct Envelope<J> {
    code: Option<i64>,
    message: Option<String>,
    request_id: Option<String>,
    data: Option<J>,
}

lenient!(Envelope<J>, ENVELOPE_FIELDS = [
    "code" => code,
    "message" => message,
    "request_id" => request_id,
    "data" => data,
]);

/// Reads Kling's envelope. `code == 0` on a 2xx is success; anything else is an error, classified
/// by business code first and HTTP status second.
pub fn decode<J: Json>(response: Response<J>) -> Result<Reply<J>, Error> {
    let header_request_id = response.header("x-request-id").map(str::to_string);
    let server_date_ms = response.header("date").and_then(http_date_ms);
    let ok_status = (200..300).contains(&response.status);
    let envelope = response.body.as_ref().and_then(J::read::<Envelope<J>>);
    let mut err = match envelope {
        Some(envelope) => {
            let request_id = envelope.request_id.or(header_request_id);
            match (envelope.code, envelope.data) {
                (Some(0), Some(data)) if ok_status => {
                    return Ok(Reply {
                        status: response.status,
                        request_id,
                        data,
                    })
                }
                (None, _) | (Some(0), None) if ok_status => {
                    let mut e = Error::decode(
                        "the response is not Kling's envelope (no `code` or no `data`)",
                    );
                    e.request_id = request_id;
                    e
                }
                (code, _) => Error::from_api(
                    response.status,
                    code,
                    envelope.message.as_deref().unwrap_or(""),
                    request_id,
                ),
            }
        }
        None if ok_status => {
            let what = match response.body {
                None => "not JSON",
                Some(_) => "not Kling's envelope",
            };
            let mut e = Error::decode(format!(
                "HTTP {} with a body that is {what} ({} bytes)",
                response.status, response.body_len
            ));
            e.request_id = header_request_id;
            e
        }
        None => Error::from_api(
            response.status,
            None,
            "the body is not Kling's JSON (an HTML error page or a proxy's answer?)",
            header_request_id,
        ),
    };
    err.status = Some(response.status);
    err.server_date_ms = server_date_ms;
    err.retry_after_ms = retry_after_ms(&response, server_date_ms);
    Err(err)
}

/// Percent-encodes one path segment (everything but RFC 3986 unreserved characters).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
