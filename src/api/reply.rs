//! Kling's answers: the envelope every response carries, read into a [`Reply`] or classified
//! into an [`Error`] (by business code first, HTTP status second).

use crate::api::error::Error;
use crate::api::http::{http_date_ms, retry_after_ms, Response};
use crate::api::json::Json;
use crate::api::reader::lenient;
use crate::api::task::Task;

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
