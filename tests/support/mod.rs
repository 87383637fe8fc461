//! The scripted host every native test drives the core with: a queue of HTTP outcomes, a virtual
//! clock that only `sleep` moves, deterministic randomness and a scripted token provider.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use kling_edge::api::http::{Method, Request, TransportError};
use kling_edge::api::{Client, ClientOptions, Env, Error, LogLevel, LogRecord, Secret};
use serde_json::{json, Value};

/// The access key of vectors.md.
pub const AK: &str = "AXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
/// The secret key of vectors.md.
pub const SK: &str = "SXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
/// The frozen clock: vectors.md's `now` (1999998200 s), in milliseconds.
pub const T0_MS: f64 = 1_999_998_200_000.0;
/// The frozen clock in seconds.
pub const T0_S: i64 = 1_999_998_200;
/// The Kling-shaped token of vectors.md, signed at `T0_S` with a 1800 s lifetime.
pub const VECTOR_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJBWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWCIsImV4cCI6MjAwMDAwMDAwMCwibmJmIjoxOTk5OTk4MTk1fQ.r7Zf1CUgwSM6tSpYVi6jO60Cczu6GavBu2iUn21lrQo";

pub const GLOBAL: &str = "https://api-singapore.klingai.com";
pub const EXTEND_URL: &str = "https://api-singapore.klingai.com/v1/videos/video-extend";
pub const T2V_URL: &str = "https://api-singapore.klingai.com/v1/videos/text2video";
pub const I2V_URL: &str = "https://api-singapore.klingai.com/v1/videos/image2video";

/// The default random bytes: `00 00 00 80` makes `random_unit` exactly 0.5.
pub const HALF: [u8; 4] = [0, 0, 0, 0x80];
/// The external task id generated from `HALF` repeated over 12 bytes.
pub const GENERATED_ID: &str = "ke-000000800000008000000080";

/// One request the core sent, with the virtual time and the timeout it was sent with.
#[derive(Debug, Clone)]
pub struct Sent {
    pub request: Request<Value>,
    pub at_ms: f64,
    pub timeout_ms: u32,
    pub max_bytes: u64,
}

impl Sent {
    pub fn method(&self) -> Method {
        self.request.method
    }
    pub fn url(&self) -> &str {
        &self.request.url
    }
    /// The JSON body.
    pub fn json(&self) -> Value {
        self.request.body.clone().expect("the request has no body")
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.request.header(name)
    }
    /// The bearer token of the `authorization` header.
    pub fn bearer(&self) -> &str {
        self.header("authorization")
            .expect("no authorization header")
            .strip_prefix("Bearer ")
            .expect("authorization is not a Bearer token")
    }
}

/// A response as it comes off the wire: the bytes a test scripts. [`ScriptedEnv`] parses the body
/// as a host does before the core sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// What a host hands the core: the body parsed (`None` when empty or not JSON).
    pub fn parsed(self) -> kling_edge::api::http::Response<Value> {
        kling_edge::api::http::Response {
            status: self.status,
            headers: self.headers,
            body: serde_json::from_slice(&self.body).ok(),
            body_len: self.body.len() as u64,
        }
    }
}

/// A host whose every answer is scripted.
pub struct ScriptedEnv {
    script: RefCell<VecDeque<Result<Response, TransportError>>>,
    sent: RefCell<Vec<Sent>>,
    now: Cell<f64>,
    sleeps: RefCell<Vec<u32>>,
    /// `sleep` number `n` (counting from 1) fails with `Aborted`.
    abort_at_sleep: Cell<Option<usize>>,
    random: RefCell<Vec<u8>>,
    random_calls: Cell<usize>,
    tokens: RefCell<VecDeque<Result<String, Error>>>,
    token_calls: Cell<usize>,
    /// Virtual time each `send` takes.
    latency_ms: Cell<f64>,
    /// Every log line: level, message, the record as the logger's fields object.
    logs: RefCell<Vec<(LogLevel, String, Value)>>,
    /// A frame decoder: every clip's last frame is `frame:<clip url>`; the URLs asked, in order.
    frames: RefCell<Option<Vec<String>>>,
}

impl Default for ScriptedEnv {
    fn default() -> Self {
        ScriptedEnv::new()
    }
}

impl ScriptedEnv {
    /// A host at `T0_MS` with an empty script and `random_unit` = 0.5.
    pub fn new() -> ScriptedEnv {
        ScriptedEnv {
            script: RefCell::new(VecDeque::new()),
            sent: RefCell::new(Vec::new()),
            now: Cell::new(T0_MS),
            sleeps: RefCell::new(Vec::new()),
            abort_at_sleep: Cell::new(None),
            random: RefCell::new(HALF.to_vec()),
            random_calls: Cell::new(0),
            tokens: RefCell::new(VecDeque::new()),
            token_calls: Cell::new(0),
            latency_ms: Cell::new(0.0),
            logs: RefCell::new(Vec::new()),
            frames: RefCell::new(None),
        }
    }

    /// Gives the host a frame decoder (as a browser, or a `lastFrame` hook, does).
    pub fn decode_frames(&self) -> &Self {
        *self.frames.borrow_mut() = Some(Vec::new());
        self
    }

    /// The clips whose last frame was asked for, in order.
    pub fn frames_asked(&self) -> Vec<String> {
        self.frames.borrow().clone().unwrap_or_default()
    }

    /// A host whose script is `outcomes`.
    pub fn with(outcomes: impl IntoIterator<Item = Result<Response, TransportError>>) -> Self {
        let env = ScriptedEnv::new();
        for o in outcomes {
            env.script.borrow_mut().push_back(o);
        }
        env
    }

    /// Appends a response.
    pub fn reply(&self, response: Response) -> &Self {
        self.script.borrow_mut().push_back(Ok(response));
        self
    }

    /// Appends a transport failure.
    pub fn fail(&self, error: TransportError) -> &Self {
        self.script.borrow_mut().push_back(Err(error));
        self
    }

    /// Every request sent so far.
    pub fn sent(&self) -> Vec<Sent> {
        self.sent.borrow().clone()
    }

    /// The number of requests sent so far.
    pub fn count(&self) -> usize {
        self.sent.borrow().len()
    }

    /// `(method, url)` of every request sent so far.
    pub fn calls(&self) -> Vec<(Method, String)> {
        self.sent
            .borrow()
            .iter()
            .map(|s| (s.request.method, s.request.url.clone()))
            .collect()
    }

    /// Every `sleep` so far, in milliseconds.
    pub fn sleeps(&self) -> Vec<u32> {
        self.sleeps.borrow().clone()
    }

    /// Outcomes not consumed yet.
    pub fn remaining(&self) -> usize {
        self.script.borrow().len()
    }

    /// Moves the virtual clock.
    pub fn advance(&self, ms: f64) {
        self.now.set(self.now.get() + ms);
    }

    /// Sets the virtual clock.
    pub fn set_now(&self, ms: f64) {
        self.now.set(ms);
    }

    /// Makes sleep number `n` (from 1) fail with `Aborted`, as if the caller's signal fired.
    pub fn abort_at_sleep(&self, n: usize) {
        self.abort_at_sleep.set(Some(n));
    }

    /// Bytes `fill_random` repeats, from the start, on every call.
    pub fn set_random(&self, pattern: &[u8]) {
        *self.random.borrow_mut() = pattern.to_vec();
    }

    pub fn random_calls(&self) -> usize {
        self.random_calls.get()
    }

    /// Scripts the token provider's next answer.
    pub fn token(&self, token: Result<&str, Error>) -> &Self {
        self.tokens
            .borrow_mut()
            .push_back(token.map(str::to_string));
        self
    }

    pub fn token_calls(&self) -> usize {
        self.token_calls.get()
    }

    /// Every `send` takes this much virtual time.
    pub fn set_latency(&self, ms: f64) {
        self.latency_ms.set(ms);
    }

    /// Every log line so far: level, message and fields.
    pub fn logs(&self) -> Vec<(LogLevel, String, Value)> {
        self.logs.borrow().clone()
    }

    /// The messages logged so far, prefixed with their level (`"warn kling-edge: ..."`).
    pub fn log_lines(&self) -> Vec<String> {
        self.logs
            .borrow()
            .iter()
            .map(|(level, message, _)| format!("{} {message}", level.as_str()))
            .collect()
    }
}

impl Env for ScriptedEnv {
    type Json = Value;

    async fn send(
        &self,
        request: &Request<Value>,
        timeout_ms: u32,
        max_bytes: u64,
    ) -> Result<kling_edge::api::http::Response<Value>, TransportError> {
        self.sent.borrow_mut().push(Sent {
            request: request.clone(),
            at_ms: self.now.get(),
            timeout_ms,
            max_bytes,
        });
        self.advance(self.latency_ms.get());
        let next = self.script.borrow_mut().pop_front();
        match next {
            Some(outcome) => outcome.map(Response::parsed),
            None => panic!(
                "the script ran out: unexpected request #{} {} {}",
                self.sent.borrow().len(),
                request.method.as_str(),
                request.url
            ),
        }
    }

    async fn sleep(&self, ms: u32) -> Result<(), TransportError> {
        self.sleeps.borrow_mut().push(ms);
        if self.abort_at_sleep.get() == Some(self.sleeps.borrow().len()) {
            return Err(TransportError::Aborted);
        }
        self.advance(f64::from(ms));
        Ok(())
    }

    fn now_ms(&self) -> f64 {
        self.now.get()
    }

    fn fill_random(&self, buf: &mut [u8]) {
        self.random_calls.set(self.random_calls.get() + 1);
        let pattern = self.random.borrow();
        for (i, b) in buf.iter_mut().enumerate() {
            *b = pattern[i % pattern.len()];
        }
    }

    async fn provide_token(&self) -> Result<String, Error> {
        self.token_calls.set(self.token_calls.get() + 1);
        let next = self.tokens.borrow_mut().pop_front();
        next.unwrap_or_else(|| panic!("the token provider's script ran out"))
    }

    fn decodes_frames(&self) -> bool {
        self.frames.borrow().is_some()
    }

    async fn last_frame(&self, clip_url: &str) -> Result<String, Error> {
        match self.frames.borrow_mut().as_mut() {
            Some(asked) => {
                asked.push(clip_url.to_string());
                Ok(format!("frame:{clip_url}"))
            }
            None => Err(Error::invalid_options("no frame decoder")),
        }
    }

    fn log(&self, level: LogLevel, message: &str, record: &LogRecord) {
        self.logs
            .borrow_mut()
            .push((level, message.to_string(), record.to_json::<Value>()));
    }
}

/// A client with the vectors' AK/SK logging at `level`.
pub fn logging_client(level: &str) -> Client {
    Client::new(&ClientOptions::<()> {
        log_level: Some(level.to_string()),
        ..ak_options()
    })
    .expect("valid options")
}

/// Runs a future that never waits on anything real (ScriptedEnv is always ready).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("the future stayed pending: something in the core waits on more than the ScriptedEnv");
}

// ---------- responses ----------

/// Adds a header to a response.
pub trait With {
    fn with(self, name: &str, value: &str) -> Response;
}

impl With for Response {
    fn with(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// HTTP 200 with Kling's success envelope around `data`.
pub fn ok(data: Value) -> Response {
    json_response(
        200,
        &json!({"code": 0, "message": "SUCCEED", "request_id": "req-ok", "data": data}),
    )
}

/// Kling's error envelope (no `data`), request id `req-<code>`.
pub fn api_error(status: u16, code: i64, message: &str) -> Response {
    json_response(
        status,
        &json!({"code": code, "message": message, "request_id": format!("req-{code}")}),
    )
}

/// A JSON response.
pub fn json_response(status: u16, body: &Value) -> Response {
    raw(status, body.to_string().as_bytes()).with("content-type", "application/json; charset=utf-8")
}

/// A response with exactly this body and no headers.
pub fn raw(status: u16, body: &[u8]) -> Response {
    Response {
        status,
        headers: Vec::new(),
        body: body.to_vec(),
    }
}

/// An HTTP date (`Date` header) for Unix seconds.
pub fn http_date(seconds: u64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(seconds))
}

// ---------- tasks ----------

/// A task in `status`.
pub fn task(id: &str, status: &str) -> Value {
    json!({
        "task_id": id,
        "task_status": status,
        "task_info": {"external_task_id": format!("ext-{id}")},
        "created_at": 1_999_998_200_000_i64,
        "updated_at": 1_999_998_200_000_i64,
    })
}

/// An extension task of `parent` (what a lookup by external task id of an extension answers).
pub fn extension_task(id: &str, status: &str, parent: &str) -> Value {
    let mut t = task(id, status);
    t["task_info"]["parent_video"] = json!({"id": parent, "url": format!("https://cdn.example.com/{parent}.mp4"), "duration": "5"});
    t
}

/// A finished extension whose result video is `video_id`, `duration` seconds long.
pub fn extended(id: &str, video_id: &str, duration: &str) -> Value {
    json!({
        "task_id": id,
        "task_status": "succeed",
        "task_status_msg": "",
        "task_info": {"external_task_id": format!("ext-{id}")},
        "task_result": {"videos": [{
            "id": video_id,
            "url": format!("https://cdn.example.com/{video_id}.mp4"),
            "duration": duration,
        }]},
        "final_unit_deduction": "2",
        "created_at": 1_999_998_200_000_i64,
        "updated_at": 1_999_998_260_000_i64,
    })
}

/// A failed task with Kling's reason.
pub fn failed(id: &str, reason: &str) -> Value {
    json!({"task_id": id, "task_status": "failed", "task_status_msg": reason})
}

// ---------- clients ----------

/// Options with the vectors' access key and secret key.
pub fn ak_options() -> ClientOptions<()> {
    ClientOptions::<()> {
        access_key: Some(AK.to_string()),
        secret_key: Some(Secret::new(SK)),
        ..ClientOptions::default()
    }
}

/// A client with the vectors' AK/SK against the global host.
pub fn ak_client() -> Client {
    Client::new(&ak_options()).expect("valid options")
}

/// A client with an API key.
pub fn api_key_client(key: &str) -> Client {
    Client::new(&ClientOptions::<()> {
        api_key: Some(Secret::new(key)),
        ..ClientOptions::default()
    })
    .expect("valid options")
}

/// A client without credentials (behind a proxy).
pub fn bare_client() -> Client {
    Client::new(&ClientOptions::<()>::default()).expect("valid options")
}

// ---------- JWT ----------

/// The claims of a JWT, decoded.
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT has three parts");
    let bytes = URL_SAFE_NO_PAD.decode(payload).expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// The `exp` claim.
pub fn exp(jwt: &str) -> i64 {
    claims(jwt)["exp"].as_i64().expect("exp")
}

/// The `nbf` claim.
pub fn nbf(jwt: &str) -> i64 {
    claims(jwt)["nbf"].as_i64().expect("nbf")
}

/// Hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of hex.
pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// A string of `n` copies of `c`.
pub fn chars(c: char, n: usize) -> String {
    std::iter::repeat_n(c, n).collect()
}
