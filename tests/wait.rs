//! Waiting for a task on the virtual clock: poll every interval until it ends, never past the
//! deadline, tolerating transient poll failures.
// Errors carry every identifier (as in the library); their size does not matter in tests.
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::http::TransportError;
use kling_edge::api::wait::{DEFAULT_POLL_INTERVAL_MS, DEFAULT_WAIT_TIMEOUT_MS};
use kling_edge::api::{Error, ErrorKind, Family, RequestOptions, Task, WaitOptions};
use serde_json::json;
use support::*;

fn opts(timeout_ms: f64, poll_interval_ms: u32, max_retries: Option<u32>) -> WaitOptions {
    WaitOptions {
        timeout_ms,
        poll_interval_ms,
        request: RequestOptions {
            timeout_ms: None,
            max_retries,
        },
    }
}

/// Waits for `t-1`, recording every status reported to the progress callback.
fn wait(
    env: &ScriptedEnv,
    first: Option<Task>,
    options: &WaitOptions,
) -> (Result<Task, Error>, Vec<String>) {
    let mut seen = Vec::new();
    let result = block_on(ak_client().wait(
        env,
        Family::VideoExtend,
        "t-1",
        first,
        options,
        &mut |t: &Task| seen.push(t.status_str().to_string()),
    ));
    (result, seen)
}

fn times(env: &ScriptedEnv) -> Vec<f64> {
    env.sent().iter().map(|s| s.at_ms - T0_MS).collect()
}

#[test]
fn polls_every_five_seconds_until_succeed_and_returns_the_task() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "submitted")))
        .reply(ok(task("t-1", "processing")))
        .reply(ok(extended("t-1", "v-2", "10")));
    let (result, seen) = wait(&env, None, &WaitOptions::default());
    let t = result.unwrap();
    assert_eq!(t.result_video_id(), Some("v-2"));
    assert_eq!(seen, ["submitted", "processing", "succeed"]);
    assert_eq!(times(&env), [0.0, 5000.0, 10_000.0]);
    assert_eq!(env.sleeps(), [5000, 5000]);
    assert!(env
        .sent()
        .iter()
        .all(|s| s.url() == format!("{EXTEND_URL}/t-1")));
    assert_eq!(DEFAULT_POLL_INTERVAL_MS, 5000);
    assert_eq!(DEFAULT_WAIT_TIMEOUT_MS, 1_800_000.0);
}

#[test]
fn failed_task_is_task_failed_with_id_and_reason() {
    let env = ScriptedEnv::new();
    let mut f = failed("t-1", "content safety: source rejected");
    f["task_info"] = json!({"external_task_id": "ext-9"});
    env.reply(ok(task("t-1", "processing"))).reply(ok(f));
    let (result, seen) = wait(&env, None, &WaitOptions::default());
    let e = result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::TaskFailed);
    assert_eq!(e.kind.code(), "ERR_KLING_TASK_FAILED");
    assert_eq!(e.task_id.as_deref(), Some("t-1"));
    assert_eq!(
        e.task_status_msg.as_deref(),
        Some("content safety: source rejected")
    );
    assert_eq!(e.external_task_id.as_deref(), Some("ext-9"));
    assert_eq!(e.last_status.as_deref(), Some("failed"));
    assert_eq!(
        e.message,
        "task t-1 failed: content safety: source rejected"
    );
    assert!(!e.retryable);
    assert_eq!(seen, ["processing", "failed"]);
}

#[test]
fn failed_task_without_a_reason_says_so() {
    let env = ScriptedEnv::new();
    env.reply(ok(failed("t-1", "")));
    let e = wait(&env, None, &WaitOptions::default()).0.unwrap_err();
    assert_eq!(e.task_status_msg, None);
    assert_eq!(e.message, "task t-1 failed: Kling gave no reason");
}

#[test]
fn poll_interval_is_honoured() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "submitted")))
        .reply(ok(task("t-1", "processing")))
        .reply(ok(task("t-1", "succeed")));
    wait(&env, None, &opts(600_000.0, 12_000, None)).0.unwrap();
    assert_eq!(times(&env), [0.0, 12_000.0, 24_000.0]);
}

#[test]
fn unknown_statuses_keep_the_wait_going() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "queued")))
        .reply(ok(task("t-1", "succeed")));
    let (result, seen) = wait(&env, None, &WaitOptions::default());
    result.unwrap();
    assert_eq!(seen, ["queued", "succeed"]);
}

#[test]
fn deadline_is_wait_timeout_with_the_last_status_and_the_final_poll_is_at_the_deadline() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "submitted")));
    for _ in 0..3 {
        env.reply(ok(task("t-1", "processing")));
    }
    let (result, seen) = wait(&env, None, &opts(12_000.0, 5000, None));
    let e = result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::WaitTimeout);
    assert_eq!(e.kind.code(), "ERR_KLING_WAIT_TIMEOUT");
    assert_eq!(e.task_id.as_deref(), Some("t-1"));
    assert_eq!(e.last_status.as_deref(), Some("processing"));
    assert!(e.message.contains("billable"), "{}", e.message);
    assert_eq!(times(&env), [0.0, 5000.0, 10_000.0, 12_000.0]);
    assert_eq!(env.sleeps(), [5000, 5000, 2000]);
    assert_eq!(seen.len(), 4);
    assert_eq!(env.remaining(), 0);
}

#[test]
fn transient_poll_errors_are_tolerated() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "processing")))
        .reply(api_error(500, 5000, "x"))
        .fail(TransportError::Network("reset".into()))
        .reply(api_error(429, 1302, "slow down"))
        .reply(ok(task("t-1", "succeed")));
    let (result, seen) = wait(&env, None, &opts(600_000.0, 5000, Some(0)));
    result.unwrap();
    assert_eq!(seen, ["processing", "succeed"]);
    assert_eq!(times(&env), [0.0, 5000.0, 10_000.0, 15_000.0, 20_000.0]);
}

#[test]
fn a_poll_does_not_retry_on_its_own_the_wait_pauses_instead() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "processing")))
        .reply(api_error(500, 5000, "x"))
        .reply(ok(task("t-1", "succeed")));
    wait(&env, None, &WaitOptions::default()).0.unwrap();
    assert_eq!(env.sleeps(), [5000, 5000]);
}

#[test]
fn poll_attempts_are_cut_to_the_time_left_but_never_below_five_seconds() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "processing")))
        .reply(ok(task("t-1", "processing")))
        .reply(ok(task("t-1", "processing")));
    let e = wait(&env, None, &opts(7_000.0, 5000, None)).0.unwrap_err();
    assert_eq!(e.kind, ErrorKind::WaitTimeout);
    let timeouts: Vec<u32> = env.sent().iter().map(|s| s.timeout_ms).collect();
    assert_eq!(timeouts, [7_000, 5_000, 5_000]);
}

#[test]
fn transient_errors_until_the_deadline_are_wait_timeout_with_the_last_known_status() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "processing")))
        .fail(TransportError::Timeout)
        .fail(TransportError::Timeout);
    let e = wait(&env, None, &opts(10_000.0, 5000, Some(0)))
        .0
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::WaitTimeout);
    assert_eq!(e.last_status.as_deref(), Some("processing"));
    assert!(e.message.contains("the last poll failed"), "{}", e.message);
    assert_eq!(times(&env), [0.0, 5000.0, 10_000.0]);
}

#[test]
fn non_retryable_poll_error_is_returned_with_the_task_id() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "processing")))
        .reply(api_error(404, 1203, "task does not exist"));
    let e = wait(&env, None, &WaitOptions::default()).0.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.api_code, Some(1203));
    assert_eq!(e.task_id.as_deref(), Some("t-1"));
    assert_eq!(env.count(), 2);
}

#[test]
fn abort_during_the_pause_is_aborted_with_the_task_id() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "processing")))
        .reply(ok(task("t-1", "processing")));
    env.abort_at_sleep(2);
    let e = wait(&env, None, &WaitOptions::default()).0.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Aborted);
    assert_eq!(e.task_id.as_deref(), Some("t-1"));
    assert!(e.message.contains("keeps running"), "{}", e.message);
    assert_eq!(env.count(), 2);
}

#[test]
fn abort_during_a_poll_is_aborted_with_the_task_id() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "processing")))
        .fail(TransportError::Aborted);
    let e = wait(&env, None, &WaitOptions::default()).0.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Aborted);
    assert_eq!(e.task_id.as_deref(), Some("t-1"));
}

#[test]
fn a_known_first_state_is_reported_and_the_first_poll_is_one_interval_later() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "succeed")));
    let first = Task::from_value(task("t-1", "submitted")).unwrap();
    let (result, seen) = wait(&env, Some(first), &opts(600_000.0, 7000, None));
    result.unwrap();
    assert_eq!(seen, ["submitted", "succeed"]);
    assert_eq!(times(&env), [7000.0]);
}

#[test]
fn a_known_final_first_state_sends_nothing() {
    let env = ScriptedEnv::new();
    let done = Task::from_value(task("t-1", "succeed")).unwrap();
    assert_eq!(
        wait(&env, Some(done), &WaitOptions::default())
            .0
            .unwrap()
            .id(),
        "t-1"
    );
    let gone = Task::from_value(failed("t-1", "nope")).unwrap();
    let e = wait(&env, Some(gone), &WaitOptions::default())
        .0
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::TaskFailed);
    assert_eq!(env.count(), 0);
}

#[test]
fn an_empty_task_id_is_refused_without_a_request() {
    let env = ScriptedEnv::new();
    for id in ["", "  ", "a\nb"] {
        let e = block_on(ak_client().wait(
            &env,
            Family::VideoExtend,
            id,
            None,
            &WaitOptions::default(),
            &mut |_: &Task| {},
        ))
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidRequest);
        assert_eq!(e.field.as_deref(), Some("taskId"));
    }
    assert_eq!(env.count(), 0);
}

#[test]
fn wait_options_are_checked() {
    let w = WaitOptions::from_raw(Some(1000.0), Some(15_000.0)).unwrap();
    assert_eq!((w.timeout_ms, w.poll_interval_ms), (1000.0, 15_000));
    let w = WaitOptions::from_raw(None, None).unwrap();
    assert_eq!((w.timeout_ms, w.poll_interval_ms), (1_800_000.0, 5000));
    for (t, p) in [
        (Some(0.0), None),
        (Some(-5.0), None),
        (Some(f64::INFINITY), None),
        (Some(7.0 * 24.0 * 3_600_000.0 + 1.0), None),
        (None, Some(-1.0)),
        (None, Some(600_001.0)),
        (None, Some(f64::NAN)),
    ] {
        let e = WaitOptions::from_raw(t, p).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidOptions, "{t:?} {p:?}");
    }
}

#[test]
fn text_to_video_waits_poll_the_text2video_path() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t 2", "succeed")));
    block_on(ak_client().wait(
        &env,
        Family::TextToVideo,
        "t 2",
        None,
        &WaitOptions::default(),
        &mut |_: &Task| {},
    ))
    .unwrap();
    assert_eq!(env.sent()[0].url(), format!("{T2V_URL}/t%202"));
}
