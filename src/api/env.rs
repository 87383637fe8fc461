//! The one trait through which the core reaches its host.

use crate::api::error::Error;
use crate::api::http::{Request, Response, TransportError};
use crate::api::json::Json;
use crate::api::log::{LogLevel, LogRecord};

/// What the core needs from the world: HTTP, timers, a clock, randomness and, when the client
/// was given a token provider, a way to call it.
///
/// Hosts are created per operation, so a host may carry that operation's abort signal: `send`
/// and `sleep` then fail with [`TransportError::Aborted`] as soon as it fires. Futures are not
/// `Send`: JavaScript is single-threaded.
#[allow(async_fn_in_trait)]
pub trait Env {
    /// A JSON value as this host parsed it (`serde_json::Value` natively, the platform's own
    /// object in JavaScript). The core never parses JSON text: it reads the few fields it decides
    /// on out of these values, as typed structs, and hands the value itself to the user.
    type Json: Json;

    /// Sends one request and reads the whole response, giving up after `timeout_ms` and as soon
    /// as the body passes `max_bytes` ([`TransportError::TooLarge`]).
    async fn send(
        &self,
        request: &Request<Self::Json>,
        timeout_ms: u32,
        max_bytes: u64,
    ) -> Result<Response<Self::Json>, TransportError>;

    /// Waits `ms` milliseconds, or fails with [`TransportError::Aborted`].
    async fn sleep(&self, ms: u32) -> Result<(), TransportError>;

    /// The host's wall clock, in Unix milliseconds.
    fn now_ms(&self) -> f64;

    /// Fills `buf` with random bytes (cryptographically strong where the host has them).
    fn fill_random(&self, buf: &mut [u8]);

    /// Asks the user's token provider for a bearer token (`Credentials::Provider`).
    async fn provide_token(&self) -> Result<String, Error> {
        Err(Error::invalid_options("this client has no token provider"))
    }

    /// Whether [`Env::last_frame`] can decode a frame here (a browser, or the client's
    /// `lastFrame` hook): a `last-frame` chain is refused before anything is paid without it.
    fn decodes_frames(&self) -> bool {
        false
    }

    /// The last frame of the clip at `clip_url`, as an image URL or raw base64 without a
    /// `data:` prefix: the first frame of a `last-frame` chain's next step.
    async fn last_frame(&self, clip_url: &str) -> Result<String, Error> {
        let _ = clip_url;
        Err(Error::invalid_options(
            "this runtime cannot decode a video frame: give the client a `lastFrame(clipUrl)` hook",
        ))
    }

    /// Writes one log line the client decided on (never called at `LogLevel::Off`). A host
    /// without a logger ignores it; a logger that fails must not fail the call.
    fn log(&self, level: LogLevel, message: &str, record: &LogRecord) {
        let _ = (level, message, record);
    }
}
