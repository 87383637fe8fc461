//! The HTTP exchange as the core sees it: plain data, no I/O, and the headers the client reads.

use crate::api::text::parse_number;

/// A `Retry-After` beyond this is not honoured (the default backoff is used instead).
const MAX_RETRY_AFTER_MS: f64 = 60_000.0;

/// The two methods the Kling API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`: queries.
    Get,
    /// `POST`: task creation.
    Post,
}

impl serde::Serialize for Method {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
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

/// One HTTP request, fully formed by the core; the body is the host's JSON value, for the host to
/// serialize.
#[derive(Debug, Clone, PartialEq)]
pub struct Request<J> {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// Header names (lower case) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The JSON body of a `POST`.
    pub body: Option<J>,
}

impl<J> Request<J> {
    /// The value of a header, by its lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// The response headers the client reads. A host may pass only these: copying the others across
/// would cost time on every request for nothing.
pub const RESPONSE_HEADERS: [&str; 4] = ["x-request-id", "date", "retry-after", "retry-after-ms"];

/// One HTTP response as the host received it, its body parsed by the host.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<J> {
    /// The HTTP status.
    pub status: u16,
    /// Header names and values (any case).
    pub headers: Vec<(String, String)>,
    /// The body as the host's JSON value; `None` when it is empty or not JSON.
    pub body: Option<J>,
    /// The body's length in bytes.
    pub body_len: u64,
}

impl<J> Response<J> {
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

/// The server's requested wait, from `retry-after-ms` or `retry-after` (seconds or an HTTP date),
/// when it lies within 0–60 s.
pub fn retry_after_ms<J>(response: &Response<J>, server_date_ms: Option<f64>) -> Option<u32> {
    let from_ms = response.header("retry-after-ms").and_then(parse_number);
    let ms = match from_ms {
        Some(ms) => ms,
        None => {
            let v = response.header("retry-after")?.trim();
            match parse_number(v) {
                Some(seconds) => seconds * 1000.0,
                None => http_date_ms(v)? - server_date_ms?,
            }
        }
    };
    (ms.is_finite() && (0.0..=MAX_RETRY_AFTER_MS).contains(&ms)).then(|| ms.round() as u32)
}

/// An HTTP date in IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`, the only form RFC 9110
/// lets servers send) in Unix milliseconds; `None` for anything else. Small on purpose: the client
/// needs it for `Date` and `Retry-After` only, and a general date library costs kilobytes of wasm.
pub fn http_date_ms(value: &str) -> Option<f64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut fields = value.split_ascii_whitespace();
    let (weekday, day, month, year, time, zone) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if fields.next().is_some() || zone != "GMT" || weekday.len() != 4 || !weekday.ends_with(',') {
        return None;
    }
    let day: i64 = digits(day, 2)?;
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let year: i64 = digits(year, 4)?;
    let mut hms = time.split(':');
    let (h, m, s) = (
        digits(hms.next()?, 2)?,
        digits(hms.next()?, 2)?,
        digits(hms.next()?, 2)?,
    );
    if hms.next().is_some() || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 86_400 + h * 3600 + m * 60 + s) * 1000) as f64)
}

/// Exactly `n` ASCII digits.
fn digits(s: &str, n: usize) -> Option<i64> {
    if s.len() != n || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
