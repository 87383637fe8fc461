//! maxConcurrentTasks: a first-come, first-served limit on tasks run by waiting calls.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::limiter::{Slots, POLL_MS};
use kling_edge::api::wait::WaitOptions;
use kling_edge::api::{Client, ErrorKind, Family, Task};
use serde_json::{json, Value};
use support::*;

#[test]
fn a_free_slot_is_taken_at_once_and_given_back_on_drop() {
    let env = ScriptedEnv::new();
    let slots = Slots::new(2);
    let a = block_on(slots.acquire(&env)).unwrap();
    let b = block_on(slots.acquire(&env)).unwrap();
    assert_eq!(slots.active(), 2);
    drop(a);
    assert_eq!(slots.active(), 1);
    drop(b);
    assert_eq!(slots.active(), 0);
    assert!(env.sleeps().is_empty());
}

#[test]
fn a_queued_call_polls_until_the_caller_aborts_and_then_leaves_the_queue() {
    let env = ScriptedEnv::new();
    let slots = Slots::new(1);
    let held = block_on(slots.acquire(&env)).unwrap();
    env.abort_at_sleep(3);
    let e = block_on(slots.acquire(&env)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Aborted);
    assert!(e.message.contains("nothing was sent"), "{}", e.message);
    assert_eq!(
        env.sleeps(),
        [POLL_MS; 3],
        "two polls, then the aborted third"
    );
    assert_eq!(slots.queued(), 0, "an aborted wait gives up its place");
    drop(held);
    let fresh = ScriptedEnv::new();
    block_on(slots.acquire(&fresh)).unwrap();
    assert!(
        fresh.sleeps().is_empty(),
        "the next caller is not stuck behind a ghost"
    );
}

#[test]
fn create_and_wait_checks_parameters_before_queueing() {
    let mut options = ak_options();
    options.max_concurrent_tasks = Some(1.0);
    let client = Client::new(&options).unwrap();
    let env = ScriptedEnv::new();
    let slots = client.slots().expect("a limiter");
    let _held = block_on(slots.acquire(&env)).unwrap();
    let e = block_on(client.create_and_wait(
        &env,
        Family::VideoExtend,
        &json!({"video_id": "v", "cfg_scale": 2}),
        &WaitOptions::default(),
        &mut |_: &Task<Value>| {},
    ))
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
    assert!(env.sleeps().is_empty() && env.count() == 0);
}

#[test]
fn create_and_wait_holds_a_slot_until_the_task_ends() {
    let mut options = ak_options();
    options.max_concurrent_tasks = Some(3.0);
    let client = Client::new(&options).unwrap();
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "submitted")))
        .reply(ok(task("t-1", "succeed")));
    let active = std::cell::Cell::new(0);
    let done = block_on(client.create_and_wait(
        &env,
        Family::VideoExtend,
        &json!({"video_id": "v"}),
        &WaitOptions::default(),
        &mut |_: &Task<Value>| active.set(client.slots().map_or(0, |s| s.active())),
    ))
    .unwrap();
    assert_eq!(done.id(), "t-1");
    assert_eq!(active.get(), 1, "held while waiting");
    assert_eq!(
        client.slots().map(|s| s.active()),
        Some(0),
        "released at the end"
    );
}

#[test]
fn max_concurrent_tasks_is_checked() {
    for bad in [0.0, -1.0, 1.5, 1001.0] {
        let mut options = ak_options();
        options.max_concurrent_tasks = Some(bad);
        assert_eq!(
            Client::new(&options).unwrap_err().kind,
            ErrorKind::InvalidOptions,
            "{bad}"
        );
    }
    assert!(
        Client::new(&ak_options()).unwrap().slots().is_none(),
        "no limit by default"
    );
}
