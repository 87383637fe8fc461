//! Chains of clips on today's models: `next-shot` (Omni-Video with the previous clip as its
//! reference), `last-frame` (from the previous clip's last frame) and `auto`; their lengths, ids,
//! resumption and refusals, against a scripted host.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::chain::{ChainPlan, ChainRun, Method, Platform};
use kling_edge::api::http::Method as Http;
use kling_edge::api::{Env, Error, ErrorKind, Task, WaitOptions};
use serde_json::{json, Value};
use support::*;

const SOURCE: &str = "https://cdn.example.com/src.mp4";

fn plan(params: Value, decodes_frames: bool) -> Result<ChainPlan, Error> {
    ChainPlan::read(
        &params,
        Platform {
            decodes_frames,
            ..Platform::default()
        },
    )
}

fn run(env: &ScriptedEnv, params: Value) -> Result<ChainRun<Value>, (Error, usize)> {
    let plan = plan(params, env.decodes_frames()).expect("a valid chain");
    block_on(ak_client().chain(env, plan, &WaitOptions::default(), &mut |_, _| {}))
        .map_err(|e| (e.error, e.completed.len()))
}

/// A finished clip task whose result is `video`, at `https://cdn.example.com/<video>.mp4`.
fn clip(id: &str, video: &str, duration: &str) -> Value {
    json!({
        "task_id": id,
        "task_status": "succeed",
        "task_info": {"external_task_id": format!("ext-{id}")},
        "task_result": {"videos": [{
            "id": video,
            "url": format!("https://cdn.example.com/{video}.mp4"),
            "duration": duration,
        }]},
    })
}

/// Scripts one step: the create answer, then its first poll finding it done.
fn step(env: &ScriptedEnv, id: &str, video: &str, duration: &str) {
    env.reply(ok(task(id, "submitted")))
        .reply(ok(clip(id, video, duration)));
}

fn posts(env: &ScriptedEnv) -> Vec<(String, Value)> {
    env.sent()
        .iter()
        .filter(|s| s.method() == Http::Post)
        .map(|s| (s.url().to_string(), s.json()))
        .collect()
}

fn refused(params: Value, decodes_frames: bool) -> Error {
    let e = plan(params, decodes_frames).expect_err("the chain must be refused");
    assert_eq!(e.kind, ErrorKind::InvalidRequest, "{e:?}");
    e
}

#[test]
fn next_shot_refers_each_step_to_the_previous_clip_and_resolves_every_clip_in_order() {
    let env = ScriptedEnv::new();
    step(&env, "s1", "c1", "5.04");
    step(&env, "s2", "c2", "5.04");
    step(&env, "s3", "c3", "10.0");
    let run = run(
        &env,
        json!({
            "method": "next-shot",
            "video_url": SOURCE,
            "video_duration": 5,
            "prompts": ["the door opens", "<<<video_1>>>, then rain", {"prompt": "night", "duration": 10, "mode": "pro"}],
        }),
    )
    .unwrap();
    let sent = posts(&env);
    assert_eq!(sent.len(), 3);
    for (url, _) in &sent {
        assert!(url.ends_with("/v1/videos/omni-video"), "{url}");
    }
    let refs: Vec<&str> = sent
        .iter()
        .map(|(_, b)| b["video_list"][0]["video_url"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs,
        [
            SOURCE,
            "https://cdn.example.com/c1.mp4",
            "https://cdn.example.com/c2.mp4"
        ]
    );
    let first = &sent[0].1;
    assert_eq!(first["video_list"][0]["refer_type"], "feature");
    assert_eq!(first["model_name"], "kling-v3-omni");
    assert_eq!(first["aspect_ratio"], "16:9");
    assert_eq!(first["duration"], "5");
    assert_eq!(
        first["prompt"],
        "The next shot after <<<video_1>>>: the door opens"
    );
    // A prompt that names the reference itself is sent as it is.
    assert_eq!(sent[1].1["prompt"], "<<<video_1>>>, then rain");
    assert_eq!(sent[2].1["duration"], "10");
    assert_eq!(sent[2].1["mode"], "pro");
    // Without a prefix every step still gets `<prefix>-<n>` of one generated prefix.
    let ids: Vec<&str> = sent
        .iter()
        .map(|(_, b)| b["external_task_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[0], format!("{}-1", run.prefix));
    assert_eq!(ids[2], format!("{}-3", run.prefix));

    assert_eq!(run.method, Method::NextShot);
    assert_eq!(run.tasks.len(), 3);
    let urls: Vec<_> = run.clips.iter().map(|c| c.url.clone().unwrap()).collect();
    assert_eq!(
        urls,
        [
            SOURCE,
            "https://cdn.example.com/c1.mp4",
            "https://cdn.example.com/c2.mp4",
            "https://cdn.example.com/c3.mp4"
        ]
    );
    assert_eq!(run.clips[0].task_id, None);
    assert_eq!(run.clips[3].task_id.as_deref(), Some("s3"));
    assert_eq!(run.duration, Some(25.08));
}

#[test]
fn last_frame_starts_each_step_from_the_previous_clips_last_frame() {
    let env = ScriptedEnv::new();
    env.decode_frames();
    env.reply(api_error(404, 1203, "resource does not exist"));
    step(&env, "s1", "c1", "5");
    step(&env, "s2", "c2", "5");
    let run = run(
        &env,
        json!({
            "method": "last-frame",
            "video_url": SOURCE,
            "prompts": ["a", {"prompt": "b", "model_name": "kling-v3-omni"}],
            "external_task_id": "job",
        }),
    )
    .unwrap();
    assert_eq!(
        env.frames_asked(),
        [SOURCE, "https://cdn.example.com/c1.mp4"]
    );
    let sent = posts(&env);
    assert!(sent[0].0.ends_with("/v1/videos/image2video"));
    assert_eq!(sent[0].1["image"], format!("frame:{SOURCE}"));
    assert_eq!(sent[0].1["model_name"], "kling-v3");
    assert_eq!(sent[0].1["external_task_id"], "job-1");
    assert!(sent[0].1.get("aspect_ratio").is_none());
    // An Omni-Video model takes the frame as its first frame.
    assert!(sent[1].0.ends_with("/v1/videos/omni-video"));
    assert_eq!(
        sent[1].1["image_list"],
        json!([{"image_url": "frame:https://cdn.example.com/c1.mp4", "type": "first_frame"}])
    );
    assert_eq!(sent[1].1["external_task_id"], "job-2");
    assert_eq!(run.clips.len(), 3);
    assert_eq!(run.duration, None, "the source's length was not given");
}

#[test]
fn last_frame_without_a_decoder_is_refused_before_anything_is_sent() {
    let env = ScriptedEnv::new();
    let (e, completed) = run(
        &env,
        json!({"method": "last-frame", "video_url": SOURCE, "prompts": ["a"]}),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
    assert_eq!(e.field.as_deref(), Some("method"));
    assert!(e.message.contains("lastFrame"), "{}", e.message);
    assert_eq!(completed, 0);
    assert_eq!(env.count(), 0);
}

#[test]
fn auto_extends_what_kling_can_extend_else_decodes_a_frame_else_takes_the_next_shot() {
    let method = |params: Value, decodes: bool, allow_retired: bool| {
        ChainPlan::read(
            &params,
            Platform {
                decodes_frames: decodes,
                allow_retired,
                default_method: None,
            },
        )
        .unwrap()
        .method()
    };
    let legacy = json!({"video_id": "v0", "prompts": ["a"]});
    assert_eq!(method(legacy.clone(), true, false), Method::Extend);
    let clip = json!({"video_id": "v0", "video_url": SOURCE, "prompts": ["a"]});
    assert_eq!(method(clip.clone(), true, false), Method::LastFrame);
    assert_eq!(method(clip, false, false), Method::NextShot);
    let v16 = json!({"video_id": "v0", "video_url": SOURCE, "source_model": "kling-v1-6", "prompts": ["a"]});
    // kling-v1-6 is retired: only an operator who allows retired models still extends it.
    assert_eq!(method(v16.clone(), false, false), Method::NextShot);
    assert_eq!(method(v16, false, true), Method::Extend);
    let mut explicit = legacy;
    explicit["method"] = json!("auto");
    assert_eq!(method(explicit, false, false), Method::Extend);
    // `extensions.chain`'s default stays extend.
    assert_eq!(
        ChainPlan::from_params(&json!({"video_id": "v0", "prompts": ["a"]}))
            .unwrap()
            .method(),
        Method::Extend
    );
}

#[test]
fn the_length_limit_is_checked_before_anything_is_paid() {
    // 36 steps of 5 s from a 5 s source reach 185 s: past the default 180.
    let prompts: Vec<Value> = (0..36).map(|i| json!(format!("shot {i}"))).collect();
    let e = refused(
        json!({"method": "next-shot", "video_url": SOURCE, "video_duration": 5, "prompts": prompts}),
        false,
    );
    assert!(e.message.contains("185 s"), "{}", e.message);
    assert!(e.message.contains("180 s limit"), "{}", e.message);
    let prompts: Vec<Value> = (0..35).map(|i| json!(format!("shot {i}"))).collect();
    assert!(plan(
        json!({"method": "next-shot", "video_url": SOURCE, "video_duration": 5, "prompts": prompts}),
        false
    )
    .is_ok());
    // A longer limit lets a longer chain through.
    let prompts: Vec<Value> = (0..100).map(|i| json!(format!("shot {i}"))).collect();
    assert!(plan(
        json!({"method": "last-frame", "video_url": SOURCE, "max_seconds": 600, "prompts": prompts}),
        true
    )
    .is_ok());
    let e = refused(
        json!({"method": "next-shot", "video_url": SOURCE, "max_seconds": -1, "prompts": ["a"]}),
        false,
    );
    assert_eq!(e.field.as_deref(), Some("max_seconds"));
}

#[test]
fn a_clip_longer_than_planned_stops_the_chain_before_the_step_that_would_pass_the_limit() {
    let env = ScriptedEnv::new();
    step(&env, "s1", "c1", "10");
    let (e, completed) = run(
        &env,
        json!({"method": "next-shot", "video_url": SOURCE, "video_duration": 5, "max_seconds": 16, "prompts": ["a", "b"]}),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
    assert!(
        e.message.contains("step 2 would continue a 15 s video"),
        "{}",
        e.message
    );
    assert_eq!(completed, 1);
    assert_eq!(posts(&env).len(), 1);
}

#[test]
fn a_next_shot_reference_must_be_a_length_omni_video_takes() {
    // Step 1's 15 s clip would be step 2's reference: Omni-Video takes 3–10 s.
    let e = refused(
        json!({"method": "next-shot", "video_url": SOURCE, "prompts": [{"prompt": "a", "duration": 15}, "b"]}),
        false,
    );
    assert!(
        e.message.contains("step 2 would take step 1's clip (15 s)"),
        "{}",
        e.message
    );
    // The last clip is no one's reference.
    assert!(plan(
        json!({"method": "next-shot", "video_url": SOURCE, "prompts": ["a", {"prompt": "b", "duration": 15}]}),
        false
    )
    .is_ok());
    let e = refused(
        json!({"method": "next-shot", "video_url": SOURCE, "video_duration": 12, "prompts": ["a"]}),
        false,
    );
    assert!(e.message.contains("the source (12 s)"), "{}", e.message);
}

#[test]
fn every_step_is_checked_as_the_create_it_will_be() {
    let e = refused(
        json!({"method": "next-shot", "video_url": SOURCE, "prompts": ["a", {"prompt": "b", "model_name": "kling-v3"}]}),
        false,
    );
    assert_eq!(e.field.as_deref(), Some("model_name"));
    assert!(
        e.message.starts_with("step 2 of the chain:"),
        "{}",
        e.message
    );
    // A step's own mode is held to the capability table.
    let e = refused(
        json!({"method": "last-frame", "video_url": SOURCE, "prompts": [{"prompt": "a", "mode": "max"}]}),
        true,
    );
    assert_eq!(e.field.as_deref(), Some("mode"));
    // A retired model is refused as a create is.
    let e = refused(
        json!({"method": "last-frame", "video_url": SOURCE, "model_name": "kling-v1-6", "prompts": ["a"]}),
        true,
    );
    assert!(e.message.contains("kling-v3"), "{}", e.message);
    // A model released after this package is sent under its family's generic rules.
    assert!(plan(
        json!({"method": "next-shot", "video_url": SOURCE, "model_name": "kling-v4-omni", "prompts": ["a"]}),
        false
    )
    .is_ok());
    let e = refused(json!({"method": "next-shot", "prompts": ["a"]}), false);
    assert_eq!(e.field.as_deref(), Some("video_url"));
    let e = refused(
        json!({"method": "sideways", "video_url": SOURCE, "prompts": ["a"]}),
        false,
    );
    assert_eq!(e.field.as_deref(), Some("method"));
    // An extension inherits its source's model: a chain of extensions takes none.
    let e = refused(
        json!({"method": "extend", "video_id": "v0", "prompts": [{"prompt": "a", "duration": 10}]}),
        false,
    );
    assert_eq!(e.field.as_deref(), Some("duration"));
}

#[test]
fn a_re_run_reuses_the_clips_it_has_and_creates_only_the_rest() {
    let env = ScriptedEnv::new();
    // Step 1 exists (found by its id, at omni-video), step 2 does not.
    env.reply(ok(clip("s1", "c1", "5")));
    env.reply(api_error(404, 1203, "resource does not exist"));
    step(&env, "s2", "c2", "5");
    let run = run(
        &env,
        json!({"method": "next-shot", "video_url": SOURCE, "external_task_id": "job", "prompts": ["a", "b"]}),
    )
    .unwrap();
    let calls = env.calls();
    assert_eq!(calls[0].0, Http::Get);
    assert!(
        calls[0].1.ends_with("/v1/videos/omni-video/job-1"),
        "{}",
        calls[0].1
    );
    assert!(
        calls[1].1.ends_with("/v1/videos/omni-video/job-2"),
        "{}",
        calls[1].1
    );
    let sent = posts(&env);
    assert_eq!(sent.len(), 1, "only step 2 is paid for");
    assert_eq!(sent[0].1["external_task_id"], "job-2");
    assert_eq!(
        sent[0].1["video_list"][0]["video_url"],
        "https://cdn.example.com/c1.mp4"
    );
    assert_eq!(run.tasks.len(), 2);
}

#[test]
fn next_step_walks_a_chain_of_clips_for_a_durable_runner() {
    let plan = plan(
        json!({"method": "last-frame", "video_url": SOURCE, "video_duration": 5, "external_task_id": "job", "prompts": ["a", "b"]}),
        false,
    )
    .unwrap();
    let e = plan.next_step::<Value>(&[], 1, None).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("frame"));
    assert!(e.message.contains(SOURCE), "{}", e.message);
    let first = plan
        .next_step::<Value>(&[], 1, Some("aGVsbG8="))
        .unwrap()
        .unwrap();
    assert_eq!(first.body["image"], "aGVsbG8=");
    assert_eq!(first.body["external_task_id"], "job-1");
    assert_eq!(first.duration, Some(5.0));
    let done = [Task::from_value(clip("s1", "c1", "5")).unwrap()];
    let second = plan.next_step(&done, 2, Some("f2")).unwrap().unwrap();
    assert_eq!(second.body["external_task_id"], "job-2.2");
    assert_eq!(second.duration, Some(10.0));
    let all = [
        Task::from_value(clip("s1", "c1", "5")).unwrap(),
        Task::from_value(clip("s2", "c2", "5")).unwrap(),
    ];
    assert_eq!(plan.next_step(&all, 1, None).unwrap(), None);
    let clips = plan.clips(&all);
    assert_eq!(clips.len(), 3);
    assert_eq!(
        clips[2].url.as_deref(),
        Some("https://cdn.example.com/c2.mp4")
    );
}
