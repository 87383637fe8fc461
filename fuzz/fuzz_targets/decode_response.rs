//! Any HTTP response a server (or a proxy in front of it) can send → `client::decode`, then every
//! path the client takes with the result: the task accessors, the list path, the retry decision.
//! The body reaches the core as the host parsed it (here serde_json; `None` when it is not JSON).
//!
//! Input format (so that seeds stay readable): the first line is the status, then header lines
//! `name: value` up to an empty line, then the body, byte for byte. A first line that is not a
//! number gives the status from its first two bytes, so every status is reachable.

#![no_main]

use kling_edge::api::error::ErrorKind;
use kling_edge::api::http::Response;
use kling_edge::api::http::{http_date_ms, retry_after_ms};
use kling_edge::api::reply::{decode, Reply};
use kling_edge::api::retry::backoff_ms;
use kling_edge::api::task::Task;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let response = parse(data);
    check(&response);
});

/// Splits the input into status, headers and body.
fn parse(data: &[u8]) -> Response<Value> {
    let (head, body) = match find(data, b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[][..]),
    };
    let mut lines = head.split(|b| *b == b'\n');
    let first = lines.next().unwrap_or_default();
    let status = std::str::from_utf8(first)
        .ok()
        .and_then(|s| s.trim().parse::<u16>().ok())
        .unwrap_or_else(|| match first {
            [a, b, ..] => u16::from_le_bytes([*a, *b]),
            [a] => u16::from(*a),
            [] => 200,
        });
    let headers = lines
        .map(|line| {
            let line = String::from_utf8_lossy(line);
            match line.split_once(':') {
                Some((k, v)) => (k.to_string(), v.trim_start().to_string()),
                None => (line.to_string(), String::new()),
            }
        })
        .collect();
    Response {
        status,
        headers,
        body: serde_json::from_slice(body).ok(),
        body_len: body.len() as u64,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn check(response: &Response<Value>) {
    // The header helpers on their own, on whatever the headers hold.
    let server_date = response.header("date").and_then(http_date_ms);
    if let Some(ms) = retry_after_ms(response, server_date) {
        assert!(ms <= 60_000, "retry_after_ms {ms} past the 60 s cap");
    }
    for (_, v) in &response.headers {
        let _ = http_date_ms(v);
    }

    match decode(response.clone()) {
        Ok(reply) => {
            assert!((200..300).contains(&reply.status), "Ok on a non-2xx");
            assert_eq!(reply.status, response.status);
            on_reply(reply);
        }
        Err(e) => {
            assert_eq!(
                e.status,
                Some(response.status),
                "decode error lost the status"
            );
            if let Some(ms) = e.retry_after_ms {
                assert!(ms <= 60_000, "retry_after_ms {ms} past the 60 s cap");
            }
            let _ = e.to_string();
            let _ = e.kind.code();
            let _ = e.may_have_created();
            let _ = e.is_token_time_error();
            for (retry, random) in [(0, 0.0), (3, 0.5), (40, 0.999_999), (u32::MAX, 1.0)] {
                let delay = backoff_ms(retry, &e, random);
                if e.kind == ErrorKind::Concurrency {
                    assert!(delay >= 1000, "1303 backoff {delay} below 1 s");
                }
            }
        }
    }
}

fn on_reply(reply: Reply<Value>) {
    let request_id = reply.request_id.clone();
    // The list path: `data` as an array of tasks.
    if let Value::Array(items) = &reply.data {
        for item in items {
            if let Ok(task) = Task::from_value(item.clone()) {
                accessors(&task.with_request_id(request_id.clone()));
            }
        }
    }
    // The single-task path.
    if let Ok(task) = reply.into_task() {
        assert_eq!(task.request_id(), request_id.as_deref());
        accessors(&task);
    }
}

fn accessors(task: &Task<Value>) {
    let id = task.id();
    assert!(!id.is_empty(), "a checked task has an empty id");
    let _ = task.status();
    let _ = task.status_str();
    let _ = task.status_msg();
    let _ = task.external_task_id();
    let _ = task.result_video_id();
    for d in [task.result_duration(), task.parent_duration()]
        .into_iter()
        .flatten()
    {
        assert!(d.is_finite() && d >= 0.0, "duration {d} is not a length");
    }
    let _ = task.as_value().to_string();
}
