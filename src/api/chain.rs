//! Chains: extend a video again and again, each step from the previous result, never past 3 minutes.

use serde_json::{Map, Value};

use crate::api::client::Client;
use crate::api::env::Env;
use crate::api::error::Error;
use crate::api::model::Family;
use crate::api::task::{seconds, Task};
use crate::api::validate::num;
use crate::api::wait::WaitOptions;

/// Kling's cap on a video's total length, in seconds.
pub const MAX_TOTAL_SECONDS: f64 = 180.0;
/// The most one extension adds, in seconds (Kling documents 4–5 s).
pub const MAX_STEP_SECONDS: f64 = 5.0;
/// The fields a chain takes besides those every step shares with `extendVideo`.
const CHAIN_ONLY: &[&str] = &["prompts", "video_duration"];

/// A checked chain: the source, its known length, and every step's body but its `video_id`.
#[derive(Debug)]
pub struct ChainPlan {
    video_id: String,
    duration: Option<f64>,
    steps: Vec<Map<String, Value>>,
}

impl ChainPlan {
    /// The number of steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether the chain has no steps (never true of a checked plan).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Checks `{video_id, prompts, video_duration?, external_task_id?, ...shared fields}`; every step
    /// is validated as the extension it will be, before anything is sent.
    pub fn from_value(params: &Value) -> Result<ChainPlan, Error> {
        let Some(obj) = params.as_object() else {
            return Err(Error::invalid_request(
                "params",
                "the chain parameters must be an object",
            ));
        };
        let prompts = match obj.get("prompts") {
            Some(Value::Array(p)) if !p.is_empty() => p,
            _ => {
                return Err(Error::invalid_request(
                    "prompts",
                    "`prompts` must be a non-empty array of strings or objects",
                ))
            }
        };
        let duration = match obj.get("video_duration") {
            None | Some(Value::Null) => None,
            Some(v) => Some(seconds(v).ok_or_else(|| {
                Error::invalid_request(
                    "video_duration",
                    "`video_duration` must be the source's length in seconds",
                )
            })?),
        };
        let mut shared = Map::new();
        for (k, v) in obj {
            if !CHAIN_ONLY.contains(&k.as_str()) && k != "external_task_id" {
                shared.insert(k.clone(), v.clone());
            }
        }
        // Left out of the steps' shared fields, so checked here: a prefix that is not a string
        // must not be dropped silently (every step would then get an unrelated generated id).
        let prefix = match obj.get("external_task_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(p)) if !p.trim().is_empty() => Some(p.clone()),
            Some(_) => {
                return Err(Error::invalid_request(
                    "external_task_id",
                    "`external_task_id` of a chain must be a non-empty string: step n sends it with `-n` appended",
                ))
            }
        };
        let video_id = shared
            .get("video_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut steps = Vec::with_capacity(prompts.len());
        for (i, step) in prompts.iter().enumerate() {
            let mut body = shared.clone();
            match step {
                Value::String(p) => {
                    body.insert("prompt".into(), Value::String(p.clone()));
                }
                Value::Object(o) => body.extend(o.iter().map(|(k, v)| (k.clone(), v.clone()))),
                _ => {
                    return Err(Error::invalid_request(
                        "prompts",
                        format!("prompts[{i}] must be a string or an object"),
                    ))
                }
            }
            if step.get("video_id").is_some() {
                return Err(Error::invalid_request(
                    "prompts",
                    format!(
                        "prompts[{i}] must not set video_id: each step extends the previous result"
                    ),
                ));
            }
            if let Some(p) = &prefix {
                body.insert(
                    "external_task_id".into(),
                    Value::String(format!("{p}-{}", i + 1)),
                );
            }
            let checked = Family::VideoExtend
                .check_create(&Value::Object(body))
                .map_err(|mut e| {
                    e.message = format!("step {} of the chain: {}", i + 1, e.message);
                    e
                })?;
            steps.push(checked);
        }
        let plan = ChainPlan {
            video_id,
            duration,
            steps,
        };
        if let Some(d) = plan.duration {
            let end = d + MAX_STEP_SECONDS * plan.steps.len() as f64;
            if end > MAX_TOTAL_SECONDS {
                return Err(too_long(&format!(
                    "{} steps from a {} s video could reach {} s",
                    plan.steps.len(),
                    num(d),
                    num(end)
                )));
            }
        } else if plan.steps.len() as f64 > MAX_TOTAL_SECONDS / MAX_STEP_SECONDS {
            return Err(too_long(&format!(
                "{} steps of up to {} s each",
                plan.steps.len(),
                num(MAX_STEP_SECONDS)
            )));
        }
        Ok(plan)
    }
}

fn too_long(what: &str) -> Error {
    Error::invalid_request(
        "prompts",
        format!("{what}, past Kling's 3-minute (180 s) cap; nothing was sent"),
    )
}

/// Called with every task state of every step, and the step's index from 0.
pub type StepProgress<'a> = &'a mut dyn FnMut(&Task, usize);

impl Client {
    /// Runs a chain: each step extends the previous result's video and is waited for before the
    /// next. A step that could pass 180 s is refused before it is submitted. On error, the steps
    /// already finished ride along in [`Error::completed`].
    pub async fn chain<E: Env>(
        &self,
        env: &E,
        plan: ChainPlan,
        wait: &WaitOptions,
        progress: StepProgress<'_>,
    ) -> Result<Vec<Task>, Error> {
        let mut done: Vec<Task> = Vec::with_capacity(plan.steps.len());
        let mut video_id = plan.video_id;
        let mut duration = plan.duration;
        for (i, mut body) in plan.steps.into_iter().enumerate() {
            let step = self
                .chain_step(env, i, &mut body, &video_id, duration, wait, progress)
                .await;
            let task = match step {
                Ok(task) => task,
                Err(mut e) => {
                    e.completed = Some(done.into_iter().map(Task::into_value).collect());
                    return Err(e);
                }
            };
            duration = task
                .result_duration()
                .or_else(|| task.parent_duration().map(|d| d + MAX_STEP_SECONDS));
            video_id = match task.result_video_id() {
                Some(id) => id.to_string(),
                None => {
                    let mut e = Error::decode(format!(
                        "step {} succeeded without a result video id to extend next",
                        i + 1
                    ))
                    .with_task_id(&task.id());
                    done.push(task);
                    e.completed = Some(done.into_iter().map(Task::into_value).collect());
                    return Err(e);
                }
            };
            done.push(task);
        }
        Ok(done)
    }

    #[allow(clippy::too_many_arguments)]
    async fn chain_step<E: Env>(
        &self,
        env: &E,
        i: usize,
        body: &mut Map<String, Value>,
        video_id: &str,
        duration: Option<f64>,
        wait: &WaitOptions,
        progress: StepProgress<'_>,
    ) -> Result<Task, Error> {
        if let Some(d) = duration {
            if d + MAX_STEP_SECONDS > MAX_TOTAL_SECONDS {
                return Err(too_long(&format!(
                    "step {} would extend a {} s video",
                    i + 1,
                    num(d)
                )));
            }
        }
        body.insert("video_id".into(), Value::String(video_id.to_string()));
        let body = Value::Object(body.clone());
        self.create_and_wait(env, Family::VideoExtend, &body, wait, &mut |t| {
            progress(t, i)
        })
        .await
    }
}
