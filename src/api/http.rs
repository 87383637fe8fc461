//! The HTTP exchange as the core sees it: plain data, no I/O.

/// The two methods the Kling API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`: queries.
    Get,
    /// `POST`: task creation.
    Post,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One HTTP request, fully formed by the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// Header names (lower case) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The JSON body of a `POST`.
    pub body: Option<String>,
}

impl Request {
    /// The value of a header, by its lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// The response headers the client reads. A host may pass only these: copying the others across
/// would cost time on every request for nothing.
pub const RESPONSE_HEADERS: [&str; 4] = ["x-request-id", "date", "retry-after", "retry-after-ms"];

/// One HTTP response as the host received it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// Header names and values (any case).
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
}

impl Response {
    /// The value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Why a request produced no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The connection failed or broke; the message comes from the host.
    Network(String),
    /// The attempt ran past its timeout.
    Timeout,
    /// The caller's abort signal fired.
    Aborted,
    /// The response body was larger than the configured cap (`limit` bytes); `status` is the
    /// HTTP status of the answer that was cut off.
    TooLarge {
        /// The cap, in bytes.
        limit: u64,
        /// The answer's HTTP status.
        status: u16,
        /// The answer's `X-Request-Id`, when it had one.
        request_id: Option<String>,
    },
}
