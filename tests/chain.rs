//! Chains: each step extends the previous result's video, never past Kling's 180 s, and every
//! step is validated before anything is sent.
#![cfg(not(target_arch = "wasm32"))]
// Errors carry every identifier (as in the library); their size does not matter in tests.
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::chain::{ChainError, ChainPlan};
use kling_edge::api::http::Method;
use kling_edge::api::{Error, ErrorKind, Task, WaitOptions};
use serde_json::{json, Value};
use support::*;

/// Every status reported to the progress callback, with its step index.
type Seen = Vec<(String, usize)>;

/// A chain's failure with its finished steps as plain values, read like the error it carries.
#[derive(Debug)]
struct Failure {
    error: Error,
    completed: Option<Vec<Value>>,
}

impl std::ops::Deref for Failure {
    type Target = Error;
    fn deref(&self) -> &Error {
        &self.error
    }
}

fn failure(e: ChainError<Value>) -> Failure {
    Failure {
        error: e.error,
        completed: Some(e.completed.into_iter().map(Task::into_value).collect()),
    }
}

fn run(env: &ScriptedEnv, params: Value) -> (Result<Vec<Task<Value>>, Failure>, Seen) {
    let plan = ChainPlan::from_params(&params).expect("a valid chain");
    let mut seen = Vec::new();
    let result = block_on(ak_client().chain(
        env,
        plan,
        &WaitOptions::default(),
        &mut |t: &Task<Value>, i| seen.push((t.status_str().to_string(), i)),
    ));
    (result.map(|r| r.tasks).map_err(failure), seen)
}

/// Scripts one step: the create answer, then its first poll finding it done.
fn step(env: &ScriptedEnv, id: &str, video: &str, duration: &str) {
    env.reply(ok(task(id, "submitted")))
        .reply(ok(extended(id, video, duration)));
}

fn refused(params: Value) -> Error {
    let e = ChainPlan::from_params(&params).expect_err("the chain must be refused");
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
    e
}

#[test]
fn each_step_extends_the_previous_result_video() {
    let env = ScriptedEnv::new();
    // A caller's prefix may hold steps of an earlier run: step 1 is looked up first.
    env.reply(api_error(404, 1203, "resource does not exist"));
    step(&env, "s1", "v1", "9.9");
    step(&env, "s2", "v2", "14.8");
    step(&env, "s3", "v3", "19.7");
    let (result, seen) = run(
        &env,
        json!({
            "video_id": "v0",
            "prompts": ["a", {"prompt": "b", "negative_prompt": "n"}, "c"],
            "cfg_scale": 0.3,
            "external_task_id": "job",
        }),
    );
    let tasks = result.unwrap();
    assert_eq!(
        tasks.iter().map(|t| t.id()).collect::<Vec<_>>(),
        ["s1", "s2", "s3"]
    );
    let sent = env.sent();
    assert_eq!(sent.len(), 7);
    let posts: Vec<Value> = sent
        .iter()
        .filter(|s| s.method() == Method::Post)
        .map(|s| s.json())
        .collect();
    assert_eq!(
        posts,
        [
            json!({"video_id": "v0", "prompt": "a", "cfg_scale": 0.3, "external_task_id": "job-1"}),
            json!({"video_id": "v1", "prompt": "b", "negative_prompt": "n", "cfg_scale": 0.3, "external_task_id": "job-2"}),
            json!({"video_id": "v2", "prompt": "c", "cfg_scale": 0.3, "external_task_id": "job-3"}),
        ]
    );
    let gets: Vec<&str> = sent
        .iter()
        .filter(|s| s.method() == Method::Get)
        .map(|s| s.url())
        .collect();
    assert_eq!(
        gets,
        [
            format!("{EXTEND_URL}/job-1"),
            format!("{EXTEND_URL}/s1"),
            format!("{EXTEND_URL}/s2"),
            format!("{EXTEND_URL}/s3")
        ]
    );
    assert_eq!(
        seen,
        [
            ("submitted".to_string(), 0),
            ("succeed".to_string(), 0),
            ("submitted".to_string(), 1),
            ("succeed".to_string(), 1),
            ("submitted".to_string(), 2),
            ("succeed".to_string(), 2),
        ]
    );
}

#[test]
fn without_a_prefix_every_step_gets_its_own_generated_external_task_id() {
    let env = ScriptedEnv::new();
    step(&env, "s1", "v1", "10");
    step(&env, "s2", "v2", "15");
    run(&env, json!({"video_id": "v0", "prompts": ["a", "b"]}))
        .0
        .unwrap();
    let ids: Vec<Value> = env
        .sent()
        .iter()
        .filter(|s| s.method() == Method::Post)
        .map(|s| s.json()["external_task_id"].clone())
        .collect();
    assert_eq!(
        ids,
        [format!("{GENERATED_ID}-1"), format!("{GENERATED_ID}-2")],
        "a generated prefix, and no lookups: nothing can hold a fresh prefix"
    );
    assert_eq!(env.count(), 4);
}

#[test]
fn refuses_up_front_when_the_source_length_plus_five_seconds_a_step_passes_180() {
    let e = refused(json!({"video_id": "v0", "prompts": ["a", "b", "c"], "video_duration": 170}));
    assert_eq!(e.field.as_deref(), Some("prompts"));
    assert!(e.message.contains("185 s"), "{}", e.message);
    assert!(e.message.contains("nothing was sent"), "{}", e.message);
    let e = refused(json!({"video_id": "v0", "prompts": ["a"], "video_duration": "175.5"}));
    assert_eq!(e.field.as_deref(), Some("prompts"));
}

#[test]
fn accepts_a_chain_that_ends_exactly_at_180() {
    let plan = ChainPlan::from_params(
        &json!({"video_id": "v0", "prompts": ["a", "b", "c"], "video_duration": "165"}),
    )
    .unwrap();
    assert_eq!(plan.len(), 3);
}

#[test]
fn refuses_a_step_when_the_previous_result_plus_five_seconds_passes_180() {
    let env = ScriptedEnv::new();
    step(&env, "s1", "v1", "175");
    step(&env, "s2", "v2", "180");
    let (result, _) = run(&env, json!({"video_id": "v0", "prompts": ["a", "b", "c"]}));
    let e = result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
    assert_eq!(e.field.as_deref(), Some("prompts"));
    assert!(e.message.contains("step 3"), "{}", e.message);
    assert_eq!(
        e.completed
            .as_deref()
            .unwrap()
            .iter()
            .map(|t| t["task_id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["s1", "s2"]
    );
    assert_eq!(
        e.completed.as_deref().unwrap()[1],
        extended("s2", "v2", "180")
    );
    assert_eq!(env.count(), 4, "no third POST");
    assert_eq!(
        env.sent()
            .iter()
            .filter(|s| s.method() == Method::Post)
            .count(),
        2
    );
}

#[test]
fn uses_the_parent_duration_when_the_result_has_none() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("s1", "submitted"))).reply(ok(json!({
        "task_id": "s1",
        "task_status": "succeed",
        "task_info": {"parent_video": {"id": "v0", "duration": "176"}},
        "task_result": {"videos": [{"id": "v1"}]},
    })));
    let (result, _) = run(&env, json!({"video_id": "v0", "prompts": ["a", "b"]}));
    let e = result.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("prompts"));
    assert_eq!(e.completed.as_deref().unwrap().len(), 1);
    assert_eq!(env.count(), 2);
}

#[test]
fn step_parameters_are_validated_before_anything_is_sent() {
    let env = ScriptedEnv::new();
    let long = chars('a', 2501);
    let e = refused(json!({"video_id": "v0", "prompts": ["a", "b", long]}));
    assert_eq!(e.field.as_deref(), Some("prompt"));
    assert!(
        e.message.starts_with("step 3 of the chain: "),
        "{}",
        e.message
    );
    let e = refused(json!({"video_id": "v0", "prompts": ["a", {"prompt": "b", "cfg_scale": 2}]}));
    assert_eq!(e.field.as_deref(), Some("cfg_scale"));
    let e = refused(json!({"video_id": "v0", "prompts": ["a"], "duration": "5"}));
    assert_eq!(e.field.as_deref(), Some("duration"));
    assert_eq!(env.count(), 0);
}

#[test]
fn more_than_36_steps_are_refused() {
    let prompts: Vec<String> = (0..37).map(|i| format!("p{i}")).collect();
    let e = refused(json!({"video_id": "v0", "prompts": prompts}));
    assert_eq!(e.field.as_deref(), Some("prompts"));
    assert!(e.message.contains("37 steps"), "{}", e.message);
    let prompts: Vec<String> = (0..36).map(|i| format!("p{i}")).collect();
    assert_eq!(
        ChainPlan::from_params(&json!({"video_id": "v0", "prompts": prompts}))
            .unwrap()
            .len(),
        36
    );
}

#[test]
fn malformed_chains_are_refused() {
    assert_eq!(refused(json!([])).field.as_deref(), Some("params"));
    for prompts in [json!([]), json!("a"), Value::Null] {
        let e = refused(json!({"video_id": "v0", "prompts": prompts}));
        assert_eq!(e.field.as_deref(), Some("prompts"));
    }
    assert_eq!(
        refused(json!({"video_id": "v0", "prompts": ["a", 5]}))
            .field
            .as_deref(),
        Some("prompts")
    );
    assert_eq!(
        refused(json!({"video_id": "v0", "prompts": [{"prompt": "a", "video_id": "x"}]}))
            .field
            .as_deref(),
        Some("prompts")
    );
    assert_eq!(
        refused(json!({"prompts": ["a"]})).field.as_deref(),
        Some("video_id")
    );
    assert_eq!(
        refused(json!({"video_id": "v0", "prompts": ["a"], "video_duration": "long"}))
            .field
            .as_deref(),
        Some("video_duration")
    );
}

#[test]
fn a_prefix_that_is_not_a_string_is_refused_rather_than_ignored() {
    for prefix in [json!(42), json!(""), json!({"a": 1})] {
        let e = refused(json!({"video_id": "v0", "prompts": ["a"], "external_task_id": prefix}));
        assert_eq!(e.field.as_deref(), Some("external_task_id"), "{prefix}");
    }
}

#[test]
fn a_failed_step_is_task_failed_with_the_completed_steps() {
    let env = ScriptedEnv::new();
    step(&env, "s1", "v1", "10");
    env.reply(ok(task("s2", "submitted")))
        .reply(ok(failed("s2", "source purged")));
    let (result, _) = run(&env, json!({"video_id": "v0", "prompts": ["a", "b", "c"]}));
    let e = result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::TaskFailed);
    assert_eq!(e.task_id.as_deref(), Some("s2"));
    assert_eq!(e.task_status_msg.as_deref(), Some("source purged"));
    assert_eq!(
        e.completed.as_deref().unwrap(),
        [extended("s1", "v1", "10")]
    );
    assert_eq!(env.count(), 4);
}

#[test]
fn a_step_without_a_result_video_is_a_decode_error_with_every_completed_step() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("s1", "submitted")))
        .reply(ok(task("s1", "succeed")));
    let (result, _) = run(&env, json!({"video_id": "v0", "prompts": ["a", "b"]}));
    let e = result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
    assert_eq!(e.task_id.as_deref(), Some("s1"));
    assert_eq!(e.completed.as_deref().unwrap().len(), 1);
    assert_eq!(env.count(), 2);
}

#[test]
fn a_create_error_in_a_step_carries_the_completed_steps() {
    let env = ScriptedEnv::new();
    env.reply(api_error(404, 1203, "resource does not exist"));
    step(&env, "s1", "v1", "10");
    env.reply(api_error(429, 1102, "pack exhausted"));
    let (result, _) = run(
        &env,
        json!({"video_id": "v0", "prompts": ["a", "b"], "external_task_id": "job"}),
    );
    let e = result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Account);
    assert_eq!(
        e.external_task_id.as_deref(),
        Some("job"),
        "the prefix to re-run with"
    );
    assert!(!e.task_may_exist);
    assert!(
        e.message
            .ends_with("To continue, re-run the chain with external_task_id \"job\": steps that exist are reused, never paid again"),
        "{}",
        e.message
    );
    assert_eq!(e.completed.as_deref().unwrap().len(), 1);
}

#[test]
fn a_chain_that_fails_at_its_first_step_still_says_none_completed() {
    let env = ScriptedEnv::new();
    env.reply(api_error(429, 1102, "pack exhausted"));
    let plan = ChainPlan::from_params(&json!({"video_id": "v0", "prompts": ["a", "b"]})).unwrap();
    let e = block_on(ak_client().chain(
        &env,
        plan,
        &WaitOptions::default(),
        &mut |_: &Task<Value>, _| {},
    ))
    .map_err(failure)
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Account);
    assert_eq!(e.completed, Some(vec![]));
}

/// A finished extension of `parent`, as a lookup by external task id answers it.
fn extension_of(id: &str, parent: &str, video: &str, duration: &str) -> Value {
    let mut t = extended(id, video, duration);
    t["task_info"]["parent_video"] = json!({"id": parent, "duration": "5"});
    t
}

fn posts(env: &ScriptedEnv) -> Vec<Value> {
    env.sent()
        .iter()
        .filter(|s| s.method() == Method::Post)
        .map(|s| s.json())
        .collect()
}

fn ids(tasks: &[Task<Value>]) -> Vec<String> {
    tasks.iter().map(Task::id).collect()
}

#[test]
fn a_re_run_reuses_finished_steps_waits_for_a_running_one_and_creates_only_the_rest() {
    let env = ScriptedEnv::new();
    env.reply(ok(extension_of("s1", "v0", "v1", "10")));
    let mut running = task("s2", "processing");
    running["task_info"]["parent_video"] = json!({"id": "v1"});
    env.reply(ok(running))
        .reply(ok(extension_of("s2", "v1", "v2", "15")))
        .reply(api_error(404, 1203, "resource does not exist"));
    step(&env, "s3", "v3", "20");
    let (result, seen) = run(
        &env,
        json!({"video_id": "v0", "prompts": ["a", "b", "c"], "external_task_id": "job"}),
    );
    assert_eq!(ids(&result.unwrap()), ["s1", "s2", "s3"]);
    assert_eq!(
        env.calls(),
        vec![
            (Method::Get, format!("{EXTEND_URL}/job-1")),
            (Method::Get, format!("{EXTEND_URL}/job-2")),
            (Method::Get, format!("{EXTEND_URL}/s2")),
            (Method::Get, format!("{EXTEND_URL}/job-3")),
            (Method::Post, EXTEND_URL.to_string()),
            (Method::Get, format!("{EXTEND_URL}/s3")),
        ],
        "one POST: only the step that did not exist"
    );
    assert_eq!(
        posts(&env),
        [json!({"video_id": "v2", "prompt": "c", "external_task_id": "job-3"})]
    );
    assert_eq!(seen[0], ("succeed".to_string(), 0));
    assert_eq!(seen[1], ("processing".to_string(), 1));
}

#[test]
fn a_re_run_after_a_failed_step_tries_it_again_under_the_next_id() {
    let env = ScriptedEnv::new();
    env.reply(ok(extension_of("s1", "v0", "v1", "10")));
    let mut failed_try = failed("s2", "content risk");
    failed_try["task_info"] = json!({"parent_video": {"id": "v1"}});
    env.reply(ok(failed_try))
        .reply(api_error(404, 1203, "resource does not exist"));
    step(&env, "s2b", "v2", "15");
    let (result, _) = run(
        &env,
        json!({"video_id": "v0", "prompts": ["a", "b"], "external_task_id": "job"}),
    );
    assert_eq!(ids(&result.unwrap()), ["s1", "s2b"]);
    assert_eq!(
        posts(&env),
        [json!({"video_id": "v1", "prompt": "b", "external_task_id": "job-2.2"})]
    );
    assert_eq!(
        env.sent()[2].url(),
        format!("{EXTEND_URL}/job-2.2"),
        "the next try's id is looked up before it is created"
    );
}

#[test]
fn a_step_id_held_by_an_extension_of_another_video_is_refused_and_nothing_is_created() {
    let env = ScriptedEnv::new();
    env.reply(ok(extension_of("other", "v-else", "v9", "10")));
    let (result, _) = run(
        &env,
        json!({"video_id": "v0", "prompts": ["a", "b"], "external_task_id": "job"}),
    );
    let e = result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadRequest);
    assert_eq!(e.field.as_deref(), Some("external_task_id"));
    assert_eq!(e.task_id.as_deref(), Some("other"));
    assert!(e.message.contains("job-1"), "{}", e.message);
    assert_eq!(e.completed, Some(vec![]));
    assert_eq!(env.count(), 1, "no POST");
}

#[test]
fn every_chain_error_carries_the_generated_prefix_to_re_run_with() {
    let env = ScriptedEnv::new();
    step(&env, "s1", "v1", "10");
    env.reply(api_error(429, 1102, "pack exhausted"));
    let (result, _) = run(&env, json!({"video_id": "v0", "prompts": ["a", "b"]}));
    let e = result.unwrap_err();
    assert_eq!(e.external_task_id.as_deref(), Some(GENERATED_ID));
    assert!(
        e.message.contains(&format!(
            "re-run the chain with external_task_id \"{GENERATED_ID}\""
        )),
        "{}",
        e.message
    );
    assert_eq!(
        posts(&env)[1]["external_task_id"],
        format!("{GENERATED_ID}-2")
    );
}

#[test]
fn a_step_that_could_not_be_settled_says_the_task_may_exist_and_is_not_retryable() {
    let env = ScriptedEnv::with(std::iter::repeat_n(
        Err(kling_edge::api::http::TransportError::Timeout),
        3,
    ));
    let (result, _) = run(&env, json!({"video_id": "v0", "prompts": ["a"]}));
    let e = result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert!(e.task_may_exist);
    assert!(!e.retryable);
    assert_eq!(e.external_task_id.as_deref(), Some(GENERATED_ID));
    assert!(
        e.message.ends_with(&format!(
            "The task may have been created: re-run the chain with external_task_id \"{GENERATED_ID}\": steps that exist are reused, never paid again"
        )),
        "{}",
        e.message
    );
}

#[test]
fn without_any_duration_the_cap_is_still_guarded_with_the_previous_length_plus_a_step() {
    let env = ScriptedEnv::new();
    step(&env, "s1", "v1", "174");
    env.reply(ok(task("s2", "submitted"))).reply(ok(json!({
        "task_id": "s2",
        "task_status": "succeed",
        "task_result": {"videos": [{"id": "v2"}]},
    })));
    let (result, _) = run(&env, json!({"video_id": "v0", "prompts": ["a", "b", "c"]}));
    let e = result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
    assert!(
        e.message.contains("step 3 would extend a 179 s video"),
        "{}",
        e.message
    );
    assert_eq!(posts(&env).len(), 2, "no third POST");
}

#[test]
fn step_ids_are_the_prefix_the_step_and_the_try() {
    use kling_edge::api::chain::step_external_id;
    assert_eq!(step_external_id("job", 1, 1), "job-1");
    assert_eq!(step_external_id("job", 36, 1), "job-36");
    assert_eq!(step_external_id("job", 2, 2), "job-2.2");
}

#[test]
fn a_prefix_too_long_for_its_last_step_ids_is_refused_up_front() {
    let e =
        refused(json!({"video_id": "v0", "prompts": ["a"], "external_task_id": chars('p', 252)}));
    assert_eq!(e.field.as_deref(), Some("external_task_id"));
}

// The same arithmetic for a runner that keeps the chain's state itself (a durable workflow).

fn durable_plan(extra: Value) -> ChainPlan {
    let mut params = json!({"video_id": "v0", "prompts": ["a", "b", "c"], "external_task_id": "job", "cfg_scale": 0.3});
    if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    ChainPlan::from_params(&params).unwrap()
}

fn finished(id: &str, video: &str, duration: &str) -> Task<Value> {
    Task::from_value(extended(id, video, duration)).unwrap()
}

#[test]
fn next_step_walks_the_chain_from_the_finished_tasks() {
    let plan = durable_plan(json!({}));
    let first = plan.next_step::<Value>(&[], 1, None).unwrap().unwrap();
    assert_eq!(first.step, 1);
    assert_eq!(
        serde_json::to_value(&first.body).unwrap(),
        json!({"video_id": "v0", "prompt": "a", "cfg_scale": 0.3, "external_task_id": "job-1"})
    );
    let done = [finished("s1", "v1", "10")];
    let second = plan.next_step(&done, 1, None).unwrap().unwrap();
    assert_eq!(second.step, 2);
    assert_eq!(second.duration, Some(10.0));
    assert_eq!(second.body["video_id"].as_str(), Some("v1"));
    assert_eq!(second.body["external_task_id"].as_str(), Some("job-2"));
    let retry = plan.next_step(&done, 3, None).unwrap().unwrap();
    assert_eq!(retry.body["external_task_id"].as_str(), Some("job-2.3"));
    let all = [
        finished("s1", "v1", "10"),
        finished("s2", "v2", "15"),
        finished("s3", "v3", "20"),
    ];
    assert_eq!(plan.next_step(&all, 1, None).unwrap(), None);
}

#[test]
fn next_step_guards_the_cap_before_every_paid_step() {
    let plan = durable_plan(json!({}));
    let e = plan
        .next_step(&[finished("s1", "v1", "176")], 1, None)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
    assert!(
        e.message.contains("step 2 would extend a 176 s video"),
        "{}",
        e.message
    );
    let e = plan
        .next_step(&[Task::from_value(task("s1", "succeed")).unwrap()], 1, None)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode, "no result video to extend next");
    assert_eq!(e.task_id.as_deref(), Some("s1"));
}

#[test]
fn next_step_needs_the_prefix_and_a_sane_attempt() {
    let plan = ChainPlan::from_params(&json!({"video_id": "v0", "prompts": ["a"]})).unwrap();
    let e = plan.next_step::<Value>(&[], 1, None).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("external_task_id"));
    let plan = durable_plan(json!({}));
    for attempt in [0, 21] {
        assert_eq!(
            plan.next_step::<Value>(&[], attempt, None)
                .unwrap_err()
                .field
                .as_deref(),
            Some("attempt")
        );
    }
}
