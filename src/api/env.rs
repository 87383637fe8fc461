//! The one trait through which the core reaches its host.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::api::error::Error;
use crate::api::http::{Request, Response, TransportError};
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

/// A host's parsed JSON value, read as typed structs of just the fields the core decides on.
pub trait Json: Clone + std::fmt::Debug + DeserializeOwned + Serialize {
    /// Reads `T` out of this value; `None` when its shape does not fit `T`. Readers ignore
    /// unknown fields, so new fields from Kling never break a read.
    fn read<T: DeserializeOwned>(&self) -> Option<T>;

    /// Reads a caller's parameters as `T`, or says why they do not fit (in serde's words).
    fn parse<T: DeserializeOwned>(&self) -> Result<T, String>;

    /// The keys of an object (none for anything else).
    fn keys(&self) -> Vec<String>;

    /// An object with only `key` of this one (to find which field a failed read is about).
    fn only(&self, key: &str) -> Self;

    /// The host's value for `value` (a request body, a log record, parameters handed back).
    fn make<T: Serialize>(value: &T) -> Self;

    /// The host's parse of JSON text the core was handed as text (a token's claims); `None` when
    /// it is not JSON.
    fn from_text(text: &str) -> Option<Self>;

    /// Whether the value is an object (not an array, not `null`).
    fn is_object(&self) -> bool;

    /// Whether the value is an array.
    fn is_array(&self) -> bool;

    /// A copy without the `null` members of its objects, at any depth: checked parameters as
    /// they are sent (a `null` means "not given").
    fn without_nulls(&self) -> Self;

    /// This object with `key` set to the string `value` (on a copy the core made, such as
    /// [`Json::without_nulls`]'s).
    fn with_text(self, key: &str, value: &str) -> Self;
}

#[cfg(not(target_arch = "wasm32"))]
impl Json for serde_json::Value {
    fn read<T: DeserializeOwned>(&self) -> Option<T> {
        T::deserialize(self).ok()
    }

    fn parse<T: DeserializeOwned>(&self) -> Result<T, String> {
        T::deserialize(self).map_err(|e| e.to_string())
    }

    fn keys(&self) -> Vec<String> {
        self.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn only(&self, key: &str) -> Self {
        let mut one = serde_json::Map::new();
        if let Some(v) = self.get(key) {
            one.insert(key.to_string(), v.clone());
        }
        serde_json::Value::Object(one)
    }

    fn make<T: Serialize>(value: &T) -> Self {
        // Our own types always serialize.
        serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
    }

    fn from_text(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    fn is_object(&self) -> bool {
        serde_json::Value::is_object(self)
    }

    fn is_array(&self) -> bool {
        serde_json::Value::is_array(self)
    }

    fn without_nulls(&self) -> Self {
        match self {
            serde_json::Value::Object(o) => serde_json::Value::Object(
                o.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), v.without_nulls()))
                    .collect(),
            ),
            serde_json::Value::Array(a) => {
                serde_json::Value::Array(a.iter().map(Json::without_nulls).collect())
            }
            other => other.clone(),
        }
    }

    fn with_text(mut self, key: &str, value: &str) -> Self {
        if let Some(o) = self.as_object_mut() {
            o.insert(key.to_string(), value.into());
        }
        self
    }
}
