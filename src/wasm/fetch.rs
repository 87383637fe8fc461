//! The host the core runs on in JavaScript: the global (or the user's) `fetch`, `setTimeout`,
//! `Date.now()` and `crypto.getRandomValues`.

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Crypto};

use crate::api::http::{Request, Response, TransportError};
use crate::api::{Env, Error, ErrorKind, LogLevel, LogRecord};
use crate::wasm::convert::response_headers;
use crate::wasm::host::{self, Outcome};
use crate::wasm::json::Js;

#[wasm_bindgen]
extern "C" {
    /// The global `crypto` (Web Crypto): `globalThis.crypto` in every supported runtime.
    #[wasm_bindgen(thread_local_v2, js_name = crypto)]
    static CRYPTO: Option<Crypto>;
}

/// One operation's host: the fetch to use, the caller's abort signal, the token provider, the
/// logger, the `lastFrame` hook.
pub struct FetchEnv {
    pub fetch: Function,
    pub signal: Option<AbortSignal>,
    pub provider: Option<Function>,
    pub logger: JsValue,
    pub last_frame: Option<Function>,
}

impl Env for FetchEnv {
    type Json = Js;

    async fn send(
        &self,
        request: &Request<Js>,
        timeout_ms: u32,
        max_bytes: u64,
    ) -> Result<Response<Js>, TransportError> {
        if self.signal.as_ref().is_some_and(AbortSignal::aborted) {
            return Err(TransportError::Aborted);
        }
        let headers = request
            .headers
            .iter()
            .flat_map(|(k, v)| [k.clone(), v.clone()])
            .collect();
        let promise = host::send(
            &self.fetch,
            request.method.as_str(),
            &request.url,
            headers,
            request.body.as_ref().map(|b| b.0.clone()),
            timeout_ms,
            max_bytes as f64,
            self.signal.as_ref(),
            &response_headers(),
        );
        // `send` never rejects; an Err here would mean the host itself broke.
        let outcome: Outcome = JsFuture::from(promise)
            .await
            .map_err(|_| TransportError::Network("the fetch host failed".into()))?
            .unchecked_into();
        match outcome.kind().as_str() {
            "ok" => {
                let pairs = outcome.headers();
                let headers = pairs
                    .chunks_exact(2)
                    .map(|p| (p[0].clone(), p[1].clone()))
                    .collect();
                let body = outcome.body();
                Ok(Response {
                    status: outcome.status(),
                    headers,
                    body: (!body.is_undefined()).then_some(Js(body)),
                    body_len: outcome.length() as u64,
                })
            }
            "too_large" => Err(TransportError::TooLarge {
                limit: max_bytes,
                status: outcome.status(),
                request_id: outcome.message(),
            }),
            "timeout" => Err(TransportError::Timeout),
            "aborted" => Err(TransportError::Aborted),
            _ => Err(TransportError::Network(
                outcome.message().unwrap_or_default(),
            )),
        }
    }

    async fn sleep(&self, ms: u32) -> Result<(), TransportError> {
        match JsFuture::from(host::sleep(ms, self.signal.as_ref())).await {
            Ok(v) if v.as_bool() == Some(true) => Ok(()),
            _ => Err(TransportError::Aborted),
        }
    }

    fn now_ms(&self) -> f64 {
        // Not SystemTime: it panics on wasm32-unknown-unknown.
        js_sys::Date::now()
    }

    fn fill_random(&self, buf: &mut [u8]) {
        // Every runtime this package supports has Web Crypto as a global.
        let filled = CRYPTO.with(|c| {
            c.as_ref()
                .is_some_and(|c| c.get_random_values_with_u8_array(buf).is_ok())
        });
        if !filled {
            // Jitter and generated ids only; never key material.
            for b in buf.iter_mut() {
                *b = (js_sys::Math::random() * 256.0) as u8;
            }
        }
    }

    async fn provide_token(&self) -> Result<String, Error> {
        let Some(provider) = &self.provider else {
            return Err(Error::invalid_options("this client has no token provider"));
        };
        let outcome: Outcome = JsFuture::from(host::call_provider(provider))
            .await
            .map_err(|_| Error::invalid_options("the token provider failed"))?
            .unchecked_into();
        match outcome.token() {
            Some(token) if outcome.kind() == "ok" => Ok(token),
            _ => Err(Error::invalid_options(
                outcome
                    .message()
                    .unwrap_or_else(|| "the token provider failed".into()),
            )),
        }
    }

    fn decodes_frames(&self) -> bool {
        self.last_frame.is_some() || host::decodes_frames()
    }

    async fn last_frame(&self, clip_url: &str) -> Result<String, Error> {
        let outcome: Outcome = JsFuture::from(host::last_frame(self.last_frame.clone(), clip_url))
            .await
            .map_err(|_| {
                Error::new(
                    ErrorKind::Network,
                    "the clip's last frame could not be read",
                )
            })?
            .unchecked_into();
        match outcome.token() {
            Some(frame) if outcome.kind() == "ok" => Ok(frame),
            _ => Err(Error::new(
                ErrorKind::Network,
                outcome
                    .message()
                    .unwrap_or_else(|| "the clip's last frame could not be read".into()),
            )),
        }
    }

    fn log(&self, level: LogLevel, message: &str, record: &LogRecord) {
        host::log(
            &self.logger,
            level.as_str(),
            message,
            &record.to_json::<Js>().0,
        );
    }
}
