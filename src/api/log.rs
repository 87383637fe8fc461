//! What the client logs: levels as in openai-node, and one small structured record per line, with
//! its message. The transport (`client.rs`) decides when; the host only writes (`Env::log`). Credentials never reach a record:
//! it holds the method, the path (whose query never carries one), statuses, codes, ids and times.

use serde::Serialize;

use crate::api::error::Error;
use crate::api::http::Method;
use crate::api::json::Json;
use crate::api::text::num;

/// How much the client logs. Each level includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum LogLevel {
    /// Nothing (the default).
    #[default]
    Off,
    /// Calls that finally fail.
    Error,
    /// Retries, too.
    Warn,
    /// Nothing more than `Warn` yet; accepted for openai-node's vocabulary.
    Info,
    /// Every HTTP attempt, too.
    Debug,
}

impl LogLevel {
    /// Every level, from the quietest.
    pub const ALL: [LogLevel; 5] = [
        LogLevel::Off,
        LogLevel::Error,
        LogLevel::Warn,
        LogLevel::Info,
        LogLevel::Debug,
    ];

    /// The level by its name: `off`, `error`, `warn`, `info`, `debug`.
    pub fn from_name(name: &str) -> Option<LogLevel> {
        LogLevel::ALL.into_iter().find(|l| l.as_str() == name)
    }

    /// The level's name, which is also the console method that writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Off => "off",
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
        }
    }
}

/// The fields of one log line. Absent fields are left out of the object the logger receives.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogRecord {
    /// `GET` or `POST`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    /// The path and query, without the host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The attempt this line is about (from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    /// The HTTP status, when a response arrived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Kling's business code (0 on success).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_code: Option<i64>,
    /// Kling's request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// How long the attempt took, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
    /// The wait chosen before the next attempt, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u32>,
    /// The error's stable code (`ERR_KLING_…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
}

impl LogRecord {
    /// A record about `method path`.
    pub fn request(method: Method, path: &str) -> LogRecord {
        LogRecord {
            method: Some(method),
            path: Some(path.to_string()),
            ..LogRecord::default()
        }
    }

    /// Adds what an error tells: its code, HTTP status, Kling code and request id.
    pub fn error(mut self, e: &Error) -> LogRecord {
        self.code = Some(e.kind.code());
        self.status = e.status.or(self.status);
        self.api_code = e.api_code.or(self.api_code);
        self.request_id = e.request_id.clone().or(self.request_id);
        self
    }

    /// The record as the host's JSON object: camelCase keys, absent fields left out.
    pub fn to_json<J: Json>(&self) -> J {
        J::make(self)
    }

    /// `GET /path`, for messages.
    pub fn target(&self) -> String {
        let method = self.method.map_or("", Method::as_str);
        format!("{method} {}", self.path.as_deref().unwrap_or(""))
    }

    /// ` (HTTP 429, code 1302, request r-1)`, or nothing when no answer arrived.
    pub fn answer(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status {
            parts.push(format!("HTTP {s}"));
        }
        if let Some(c) = self.api_code {
            parts.push(format!("code {c}"));
        }
        if let Some(r) = &self.request_id {
            parts.push(format!("request {r}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        }
    }
}

/// How one attempt ended, as its `debug` line tells it.
pub enum Answer<'a> {
    /// Kling's envelope with code 0: the HTTP status and the request id.
    Ok(u16, Option<&'a str>),
    /// Any failure.
    Failed(&'a Error),
}

impl LogRecord {
    /// `debug`: one HTTP attempt — its answer (or failure), how long it took, its number.
    pub fn attempt_line(
        mut self,
        attempt: u32,
        ms: f64,
        answer: Answer<'_>,
    ) -> (String, LogRecord) {
        self.attempt = Some(attempt);
        self.duration_ms = Some(ms);
        let failure = match answer {
            Answer::Ok(status, request_id) => {
                self.status = Some(status);
                self.api_code = Some(0);
                self.request_id = request_id.map(str::to_string);
                String::new()
            }
            Answer::Failed(e) => {
                self = self.error(e);
                format!(": {}", e.kind.code())
            }
        };
        let message = format!(
            "kling-edge: {}{}{failure} in {} ms (attempt {attempt})",
            self.target(),
            self.answer(),
            num(ms),
        );
        (message, self)
    }

    /// `warn`: attempt `attempt` comes after `e`, with the wait chosen (`None`: re-signing the
    /// token at once).
    pub fn retry_line(self, attempt: u32, e: &Error, delay_ms: Option<u32>) -> (String, LogRecord) {
        let mut r = self.error(e);
        r.attempt = Some(attempt);
        r.delay_ms = Some(delay_ms.unwrap_or(0));
        let how = match delay_ms {
            Some(ms) => format!("retrying in {ms} ms"),
            None => "re-signing the token and retrying".to_string(),
        };
        let message = format!(
            "kling-edge: {}{}: {}; {how} (attempt {attempt})",
            r.target(),
            r.answer(),
            e.kind.code(),
        );
        (message, r)
    }

    /// `error`: the request failed for good after `attempts` attempts.
    pub fn failure_line(self, attempts: u32, e: &Error) -> (String, LogRecord) {
        let mut r = self.error(e);
        r.attempt = Some(attempts);
        let message = format!(
            "kling-edge: {}{} failed: {} (after {attempts} attempt{})",
            r.target(),
            r.answer(),
            e.kind.code(),
            if attempts == 1 { "" } else { "s" }
        );
        (message, r)
    }
}
