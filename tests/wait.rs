//! Waiting for a task on the virtual clock: poll on the schedule (adaptive by default, fixed with
//! `pollIntervalMs`) until it ends, never past the deadline, tolerating transient poll failures.
#![cfg(not(target_arch = "wasm32"))]
// Errors carry every identifier (as in the library); their size does not matter in tests.
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::http::TransportError;
use kling_edge::api::wait::{
    ADAPTIVE_POLL_DIVISOR, ADAPTIVE_POLL_MAX_MS, ADAPTIVE_POLL_MIN_MS, DEFAULT_WAIT_TIMEOUT_MS,
};
use kling_edge::api::{Error, ErrorKind, Family, PollSchedule, RequestOptions, Task, WaitOptions};
use serde_json::{json, Value};
use support::*;

fn opts(timeout_ms: f64, poll_interval_ms: u32, max_retries: Option<u32>) -> WaitOptions {
    WaitOptions {
        timeout_ms,
        poll: PollSchedule::Fixed(poll_interval_ms),
        request: RequestOptions {
            timeout_ms: None,
            max_retries,
        },
    }
}

/// Waits for `t-1`, recording every status reported to the progress callback.
fn wait(
    env: &ScriptedEnv,
    first: Option<Task<Value>>,
    options: &WaitOptions,
) -> (Result<Task<Value>, Error>, Vec<String>) {
    let mut seen = Vec::new();
    let result = block_on(ak_client().wait(
        env,
        Family::VideoExtend,
        "t-1",
        first,
        options,
        &mut |t: &Task<Value>| seen.push(t.status_str().to_string()),
    ));
    (result, seen)
}

fn times(env: &ScriptedEnv) -> Vec<f64> {
    env.sent().iter().map(|s| s.at_ms - T0_MS).collect()
}

/// Default wait options with another deadline.
fn adaptive(timeout_ms: f64) -> WaitOptions {
    WaitOptions {
        timeout_ms,
        ..WaitOptions::default()
    }
}

/// Scripts `n` answers of a task still processing, then one of it succeeded.
fn processing_then_succeed(env: &ScriptedEnv, n: usize) {
    for _ in 0..n {
        env.reply(ok(task("t-1", "processing")));
    }
    env.reply(ok(task("t-1", "succeed")));
}

/// The default pauses, worked out by hand: 5 s up to 40 s waited, then waited / 8 (rounded up to
/// the millisecond) at 45 s, 50.625 s, 56.954 s, …, and 15 s from 129.9 s on.
const ADAPTIVE_SLEEPS: [u32; 20] = [
    5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5625, 6329, 7120, 8010, 9011, 10_137,
    11_404, 12_830, 14_434, 15_000, 15_000,
];

#[test]
fn polls_at_once_then_every_five_seconds_at_first_until_succeed_and_returns_the_task() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "submitted")))
        .reply(ok(task("t-1", "processing")))
        .reply(ok(extended("t-1", "v-2", "10")));
    let (result, seen) = wait(&env, None, &WaitOptions::default());
    let t = result.unwrap();
    assert_eq!(t.result_video_id().as_deref(), Some("v-2"));
    assert_eq!(seen, ["submitted", "processing", "succeed"]);
    assert_eq!(times(&env), [0.0, 5000.0, 10_000.0]);
    assert_eq!(env.sleeps(), [5000, 5000]);
    assert!(env
        .sent()
        .iter()
        .all(|s| s.url() == format!("{EXTEND_URL}/t-1")));
    assert_eq!(DEFAULT_WAIT_TIMEOUT_MS, 1_800_000.0);
}

#[test]
fn default_polling_backs_off_from_5_to_15_seconds() {
    let env = ScriptedEnv::new();
    processing_then_succeed(&env, 20);
    let (result, seen) = wait(&env, None, &WaitOptions::default());
    assert_eq!(result.unwrap().status_str(), "succeed");
    assert_eq!(seen.len(), 21);
    assert_eq!(env.sleeps(), ADAPTIVE_SLEEPS);
    let t = times(&env);
    assert_eq!(
        t[..10],
        [
            0.0, 5000.0, 10_000.0, 15_000.0, 20_000.0, 25_000.0, 30_000.0, 35_000.0, 40_000.0,
            45_000.0
        ]
    );
    assert_eq!(t[17..], [115_466.0, 129_900.0, 144_900.0, 159_900.0]);
    assert_eq!((ADAPTIVE_POLL_MIN_MS, ADAPTIVE_POLL_MAX_MS), (5000, 15_000));
    assert_eq!(ADAPTIVE_POLL_DIVISOR, 8.0);
}

/// GETs spent on tasks of 30 s, 2 min and 10 min: one wait of 10 min on a task that never ends
/// gives every poll time; a task ending at `d` is noticed by the first poll at or after `d`.
fn gets_for_30_s_2_min_10_min(poll: PollSchedule) -> (Vec<usize>, Vec<f64>) {
    let env = ScriptedEnv::new();
    for _ in 0..200 {
        env.reply(ok(task("t-1", "processing")));
    }
    let options = WaitOptions {
        poll,
        ..adaptive(600_000.0)
    };
    let e = wait(&env, None, &options).0.unwrap_err();
    assert_eq!(e.kind, ErrorKind::WaitTimeout);
    let t = times(&env);
    assert_eq!(
        t.last(),
        Some(&600_000.0),
        "the last poll is at the deadline"
    );
    let gets = |d: f64| t.iter().filter(|&&at| at < d).count() + 1;
    (vec![gets(30_000.0), gets(120_000.0), gets(600_000.0)], t)
}

#[test]
fn default_polling_spends_about_7_19_and_51_gets_on_30_s_2_min_and_10_min_tasks() {
    let (gets, t) = gets_for_30_s_2_min_10_min(PollSchedule::Adaptive);
    assert_eq!(gets, [7, 19, 51]);
    // However long the task, it ends at most 15 s before a poll sees it.
    assert!(t.windows(2).all(|w| w[1] - w[0] <= 15_000.0), "{t:?}");
    // A fixed 5 s, the former default, spends 7, 25 and 121.
    let (fixed, _) = gets_for_30_s_2_min_10_min(PollSchedule::Fixed(5000));
    assert_eq!(fixed, [7, 25, 121]);
}

#[test]
fn default_polling_never_sleeps_past_the_deadline() {
    let env = ScriptedEnv::new();
    for _ in 0..12 {
        env.reply(ok(task("t-1", "processing")));
    }
    let e = wait(&env, None, &adaptive(53_000.0)).0.unwrap_err();
    assert_eq!(e.kind, ErrorKind::WaitTimeout);
    assert_eq!(e.last_status.as_deref(), Some("processing"));
    // At 50.625 s the schedule says 6.329 s; 2.375 s are left, so the last poll is at 53 s.
    assert_eq!(env.sleeps()[9..], [5625, 2375]);
    assert_eq!(times(&env).last(), Some(&53_000.0));
    assert_eq!(env.remaining(), 0);
}

#[test]
fn default_polling_counts_from_the_start_of_each_wait() {
    let env = ScriptedEnv::new();
    processing_then_succeed(&env, 20);
    wait(&env, None, &WaitOptions::default()).0.unwrap();
    assert_eq!(env.sleeps(), ADAPTIVE_SLEEPS);
    // The next wait (the next chain step, say) starts at 5 s again, not at the first one's 15 s.
    processing_then_succeed(&env, 2);
    wait(&env, None, &WaitOptions::default()).0.unwrap();
    assert_eq!(env.sleeps()[20..], [5000, 5000]);
}

#[test]
fn default_polling_after_a_known_first_state_starts_at_5_seconds() {
    let env = ScriptedEnv::new();
    processing_then_succeed(&env, 10);
    let first = Task::from_value(task("t-1", "submitted")).unwrap();
    wait(&env, Some(first), &WaitOptions::default()).0.unwrap();
    // The create's answer stands for the immediate poll: the pauses are the usual ones.
    assert_eq!(env.sleeps(), ADAPTIVE_SLEEPS[..11]);
    assert_eq!(times(&env)[0], 5000.0);
}

#[test]
fn transient_poll_errors_keep_the_default_schedule() {
    let env = ScriptedEnv::new();
    for i in 0..20 {
        if i % 2 == 0 {
            env.reply(api_error(500, 5000, "x"));
        } else {
            env.fail(TransportError::Network("reset".into()));
        }
    }
    env.reply(ok(task("t-1", "succeed")));
    wait(&env, None, &WaitOptions::default()).0.unwrap();
    assert_eq!(env.sleeps(), ADAPTIVE_SLEEPS);
}

#[test]
fn explicit_poll_interval_stays_fixed() {
    let env = ScriptedEnv::new();
    processing_then_succeed(&env, 40);
    wait(&env, None, &opts(600_000.0, 5000, None)).0.unwrap();
    assert_eq!(env.sleeps(), [5000; 40]);
    assert_eq!(times(&env).last(), Some(&200_000.0));
}

#[test]
fn explicit_poll_interval_of_0_polls_back_to_back() {
    let env = ScriptedEnv::new();
    processing_then_succeed(&env, 3);
    wait(&env, None, &opts(600_000.0, 0, None)).0.unwrap();
    assert_eq!(env.sleeps(), [0, 0, 0]);
    assert_eq!(times(&env), [0.0; 4]);
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
            &mut |_: &Task<Value>| {},
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
    assert_eq!(
        (w.timeout_ms, w.poll),
        (1000.0, PollSchedule::Fixed(15_000))
    );
    let w = WaitOptions::from_raw(None, None).unwrap();
    assert_eq!(
        (w.timeout_ms, w.poll),
        (1_800_000.0, PollSchedule::Adaptive)
    );
    let w = WaitOptions::from_raw(None, Some(0.0)).unwrap();
    assert_eq!(w.poll, PollSchedule::Fixed(0));
    let w = WaitOptions::from_raw(None, Some(4999.6)).unwrap();
    assert_eq!(w.poll, PollSchedule::Fixed(5000));
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
        &mut |_: &Task<Value>| {},
    ))
    .unwrap();
    assert_eq!(env.sent()[0].url(), format!("{T2V_URL}/t%202"));
}
