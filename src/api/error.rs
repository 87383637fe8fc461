//! The one error type of kling-edge, its stable codes, and the mapping from Kling's answers.

use std::fmt;

use crate::api::http::TransportError;

/// The kind of an error; each has one stable code that JavaScript callers branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Bad client options.
    InvalidOptions,
    /// A parameter breaks a documented rule; nothing was sent.
    InvalidRequest,
    /// Kling codes 1000–1004.
    Auth,
    /// Kling codes 1103 and 1304.
    Permission,
    /// Kling codes 1100–1102: account abnormal, in arrears, resource pack exhausted.
    Account,
    /// Kling codes 1200 and 1201.
    BadRequest,
    /// Kling codes 1202 and 1203.
    NotFound,
    /// Kling codes 1300 and 1301.
    Policy,
    /// Kling code 1302.
    RateLimited,
    /// Kling code 1303.
    Concurrency,
    /// Kling codes 5000–5002 and other server failures.
    Server,
    /// The request did not complete.
    Network,
    /// One HTTP attempt ran past its timeout.
    Timeout,
    /// The caller's abort signal fired.
    Aborted,
    /// The response is not what the API documents.
    Decode,
    /// The task ended `failed`.
    TaskFailed,
    /// Waiting ran past its deadline; the task is still running.
    WaitTimeout,
    /// A callback failed verification.
    CallbackSignature,
}

impl ErrorKind {
    /// The stable code, as promised in the public contract.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidOptions => "ERR_KLING_INVALID_OPTIONS",
            ErrorKind::InvalidRequest => "ERR_KLING_INVALID_REQUEST",
            ErrorKind::Auth => "ERR_KLING_AUTH",
            ErrorKind::Permission => "ERR_KLING_PERMISSION",
            ErrorKind::Account => "ERR_KLING_ACCOUNT",
            ErrorKind::BadRequest => "ERR_KLING_BAD_REQUEST",
            ErrorKind::NotFound => "ERR_KLING_NOT_FOUND",
            ErrorKind::Policy => "ERR_KLING_POLICY",
            ErrorKind::RateLimited => "ERR_KLING_RATE_LIMITED",
            ErrorKind::Concurrency => "ERR_KLING_CONCURRENCY",
            ErrorKind::Server => "ERR_KLING_SERVER",
            ErrorKind::Network => "ERR_KLING_NETWORK",
            ErrorKind::Timeout => "ERR_KLING_TIMEOUT",
            ErrorKind::Aborted => "ERR_KLING_ABORTED",
            ErrorKind::Decode => "ERR_KLING_DECODE",
            ErrorKind::TaskFailed => "ERR_KLING_TASK_FAILED",
            ErrorKind::WaitTimeout => "ERR_KLING_WAIT_TIMEOUT",
            ErrorKind::CallbackSignature => "ERR_KLING_CALLBACK_SIGNATURE",
        }
    }

    /// Every kind, in the order of the public contract's table.
    pub const ALL: [ErrorKind; 18] = [
        ErrorKind::InvalidOptions,
        ErrorKind::InvalidRequest,
        ErrorKind::Auth,
        ErrorKind::Permission,
        ErrorKind::Account,
        ErrorKind::BadRequest,
        ErrorKind::NotFound,
        ErrorKind::Policy,
        ErrorKind::RateLimited,
        ErrorKind::Concurrency,
        ErrorKind::Server,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::Aborted,
        ErrorKind::Decode,
        ErrorKind::TaskFailed,
        ErrorKind::WaitTimeout,
        ErrorKind::CallbackSignature,
    ];

    /// The kind of a stable code (`ERR_KLING_…`), if it is one.
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// What to do about an error of this kind (and Kling business code, when known).
    pub fn advice(self, api_code: Option<i64>) -> &'static str {
        advice(self, api_code)
    }

    /// The kind for a Kling business code, if the code is documented.
    pub fn from_api_code(code: i64) -> Option<ErrorKind> {
        Some(match code {
            1000..=1004 => ErrorKind::Auth,
            1100..=1102 => ErrorKind::Account,
            1103 | 1304 => ErrorKind::Permission,
            1200 | 1201 => ErrorKind::BadRequest,
            1202 | 1203 => ErrorKind::NotFound,
            1300 | 1301 => ErrorKind::Policy,
            1302 => ErrorKind::RateLimited,
            1303 => ErrorKind::Concurrency,
            5000..=5002 => ErrorKind::Server,
            _ => return None,
        })
    }

    /// The kind for an HTTP status when the business code says nothing.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            401 => ErrorKind::Auth,
            403 => ErrorKind::Permission,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::RateLimited,
            // An unknown code on a 2xx: Kling refused, for a reason this client cannot name.
            200..=299 | 500..=599 => ErrorKind::Server,
            _ => ErrorKind::BadRequest,
        }
    }
}

/// Everything kling-edge reports: a kind with a stable code, a message that says what happened
/// and what to do, and every identifier known at the time.
///
/// Messages and fields never hold a secret key, an API key or a whole token.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// The kind (and so the stable code).
    pub kind: ErrorKind,
    /// What happened and what to do about it.
    pub message: String,
    /// Whether repeating the same call may succeed.
    pub retryable: bool,
    /// The HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// Kling's business `code`, when the body had one.
    pub api_code: Option<i64>,
    /// Kling's `request_id` (or the `X-Request-Id` header).
    pub request_id: Option<String>,
    /// The task concerned.
    pub task_id: Option<String>,
    /// The `external_task_id` of a create (a chain's prefix for chain errors): calling again with
    /// it is safe, since the same id never creates a second task.
    pub external_task_id: Option<String>,
    /// A create that may have reached Kling could not be settled: the task may exist. Such an
    /// error is never `retryable` (a blind retry with a fresh id could pay twice); calling again
    /// with `external_task_id` is the safe way.
    pub task_may_exist: bool,
    /// The parameter that broke a rule.
    pub field: Option<String>,
    /// The task's last known status (wait timeouts).
    pub last_status: Option<String>,
    /// Kling's failure reason (failed tasks).
    pub task_status_msg: Option<String>,
    /// The server's `Retry-After`, in milliseconds, when it sent one.
    pub retry_after_ms: Option<u32>,
    /// The server's `Date`, in Unix milliseconds, when it sent one.
    pub server_date_ms: Option<f64>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.message)
    }
}

impl std::error::Error for Error {}

impl Error {
    /// A new error of `kind` with `message` and nothing else known.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        let retryable = matches!(
            kind,
            ErrorKind::RateLimited
                | ErrorKind::Concurrency
                | ErrorKind::Network
                | ErrorKind::Timeout
        );
        Error {
            kind,
            message: message.into(),
            retryable,
            status: None,
            api_code: None,
            request_id: None,
            task_id: None,
            external_task_id: None,
            task_may_exist: false,
            field: None,
            last_status: None,
            task_status_msg: None,
            retry_after_ms: None,
            server_date_ms: None,
        }
    }

    /// `ERR_KLING_INVALID_OPTIONS`.
    pub fn invalid_options(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidOptions, message)
    }

    /// `ERR_KLING_INVALID_REQUEST` naming `field`.
    pub fn invalid_request(field: &str, message: impl Into<String>) -> Error {
        let mut e = Error::new(ErrorKind::InvalidRequest, message);
        e.field = Some(field.to_string());
        e
    }

    /// `ERR_KLING_DECODE`.
    pub fn decode(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Decode, message)
    }

    /// An error answer from Kling: classified by business code first, HTTP status second.
    pub fn from_api(
        status: u16,
        code: Option<i64>,
        message: &str,
        request_id: Option<String>,
    ) -> Error {
        let kind = code
            .and_then(ErrorKind::from_api_code)
            .unwrap_or_else(|| ErrorKind::from_status(status));
        let retryable = match kind {
            // A 429 with a code this client does not know may be an account state like 1100–1102,
            // which retrying cannot fix; a bare 429 without a Kling body (a gateway's) is retried.
            ErrorKind::RateLimited | ErrorKind::Concurrency => {
                matches!(code, None | Some(1302 | 1303))
            }
            // A documented 5xxx code, or a bare 5xx without one; not an unknown code on a 2xx.
            ErrorKind::Server => status >= 500 || matches!(code, Some(5000..=5002)),
            _ => false,
        };
        let what = match code {
            Some(c) => format!("Kling answered HTTP {status} with code {c}"),
            None => format!("Kling answered HTTP {status}"),
        };
        let detail = if message.is_empty() {
            String::new()
        } else {
            format!(": {message}")
        };
        let mut e = Error::new(kind, format!("{what}{detail}. {}", advice(kind, code)));
        e.retryable = retryable;
        e.status = Some(status);
        e.api_code = code;
        e.request_id = request_id;
        e
    }

    /// Whether a create that failed this way may nevertheless have created the task.
    pub fn may_have_created(&self) -> bool {
        match self.kind {
            ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Aborted => true,
            ErrorKind::Server => self.retryable,
            ErrorKind::Decode => matches!(self.status, Some(200..=299)),
            _ => false,
        }
    }

    /// Whether Kling said the token is not yet valid (1003) or expired (1004).
    pub fn is_token_time_error(&self) -> bool {
        matches!(self.api_code, Some(1003 | 1004))
    }

    /// Adds the request id, keeping one already known.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Error {
        if self.request_id.is_none() {
            self.request_id = request_id;
        }
        self
    }

    /// Adds the task id, keeping one already known.
    pub fn with_task_id(mut self, task_id: &str) -> Error {
        if self.task_id.is_none() {
            self.task_id = Some(task_id.to_string());
        }
        self
    }
}

fn advice(kind: ErrorKind, code: Option<i64>) -> &'static str {
    match (kind, code) {
        (ErrorKind::InvalidOptions, _) => "Fix the client or call options named in the message",
        (ErrorKind::InvalidRequest, _) => "Fix the parameter named in `field`; nothing was sent",
        (ErrorKind::Network | ErrorKind::Timeout, _) => {
            "Check the network and baseUrl; a create that failed this way is safe to call again with its external_task_id"
        }
        (ErrorKind::Aborted, _) => "The caller stopped waiting; the task, if any, keeps running on Kling",
        (ErrorKind::TaskFailed, _) => "Kling gave the reason in taskStatusMsg; failed tasks are not charged",
        (ErrorKind::WaitTimeout, _) => "The task still runs and is billable: wait again with its taskId",
        (ErrorKind::CallbackSignature, _) => "Refuse the callback; check the webhook secret",
        (ErrorKind::Decode, _) => "The answer was not Kling's; retry later, and report the request id if it persists",
        (ErrorKind::Auth, Some(1001)) => {
            "Give the client accessKey and secretKey, an apiKey or a token"
        }
        (ErrorKind::Auth, Some(1003)) => "The token is not valid yet: check the machine's clock",
        (ErrorKind::Auth, Some(1004)) => "The token has expired: sign a fresh one",
        (ErrorKind::Auth, _) => "Check the access key and secret key (or API key) and the host",
        (ErrorKind::Account, Some(1100)) => "The account is abnormal: contact Kling support",
        (ErrorKind::Account, Some(1101)) => "The account is in arrears: top it up before retrying",
        (ErrorKind::Account, _) => "The resource pack is exhausted or expired: buy more units",
        (ErrorKind::Permission, _) => "This account may not use this resource, model or IP address",
        (ErrorKind::BadRequest, _) => "Fix the request parameters",
        (ErrorKind::NotFound, _) => "Check the task or video id and the endpoint",
        (ErrorKind::Policy, _) => "Change the prompt or the source; this content was refused",
        (ErrorKind::RateLimited, Some(1302) | None) => {
            "Too many requests: slow down and retry later"
        }
        (ErrorKind::RateLimited, _) => {
            "Kling refused with a code this client does not know; it was not retried, as it may be an account state (like 1100–1102): check the account"
        }
        (ErrorKind::Concurrency, _) => "Too many tasks at once: wait for running tasks to finish",
        _ => "Retry later; if it persists, give Kling the request id",
    }
}

/// Turns a transport failure into the contract's error.
pub fn transport_error(e: TransportError, timeout_ms: u32) -> Error {
    match e {
        TransportError::Network(msg) => Error::new(
            ErrorKind::Network,
            format!("the request did not complete: {msg}. Check the network and baseUrl"),
        ),
        TransportError::Timeout => Error::new(
            ErrorKind::Timeout,
            format!("no complete response within {timeout_ms} ms (timeoutMs)"),
        ),
        TransportError::Aborted => Error::new(
            ErrorKind::Aborted,
            "the operation was aborted by the caller's signal",
        ),
        TransportError::TooLarge {
            limit,
            status,
            request_id,
        } => {
            let mut e = Error::decode(format!(
                "the response body is larger than {limit} bytes (maxResponseBytes): this is not a Kling answer"
            ));
            // A 2xx this large still means the request was accepted (a create may have happened).
            e.status = Some(status);
            e.request_id = request_id;
            e
        }
    }
}
