//! Chains: extend a video again and again, each step from the previous result, never past 3 minutes.

use crate::api::client::{Client, RequestOptions};
use crate::api::create::{in_doubt, new_external_task_id, CreateFailure, Key, Lookup};
use crate::api::env::{Env, Json};
use crate::api::error::{Error, ErrorKind};
use crate::api::model::check_extend;
use crate::api::model::Family;
use crate::api::params::{ChainParams, ChainPrompt, ExtendParams};
use crate::api::retry::RetryState;
use crate::api::task::{Task, TaskStatus};
use crate::api::text::num;
use crate::api::validate::parse;
use crate::api::wait::WaitOptions;

/// Kling's cap on a video's total length, in seconds.
pub const MAX_TOTAL_SECONDS: f64 = 180.0;
/// The most one extension adds, in seconds (Kling documents 4–5 s).
pub const MAX_STEP_SECONDS: f64 = 5.0;

/// A checked chain: the source, its known length, the caller's id prefix, and every step's body
/// but its `video_id` and `external_task_id`.
#[derive(Debug)]
pub struct ChainPlan {
    video_id: String,
    duration: Option<f64>,
    prefix: Option<String>,
    steps: Vec<ExtendParams>,
}

/// How many times one step may be tried (a failed task holds its id, so each try has its own).
pub const MAX_STEP_ATTEMPTS: u32 = 20;

/// The `external_task_id` of try `attempt` (from 1) of step `step` (from 1): `<prefix>-<step>`,
/// and `<prefix>-<step>.<attempt>` for the tries after a failed one. Deterministic, so a chain
/// re-run under the same prefix finds every step it already paid for.
pub fn step_external_id(prefix: &str, step: usize, attempt: u32) -> String {
    if attempt <= 1 {
        format!("{prefix}-{step}")
    } else {
        format!("{prefix}-{step}.{attempt}")
    }
}

/// Refuses step `step` (from 1) when extending a video of `duration` seconds could pass Kling's
/// 3-minute cap. An unknown length passes: the plan bounded the number of steps instead.
pub fn check_room(step: usize, duration: Option<f64>) -> Result<(), Error> {
    match duration {
        Some(d) if d + MAX_STEP_SECONDS > MAX_TOTAL_SECONDS => Err(too_long(&format!(
            "step {step} would extend a {} s video",
            num(d)
        ))),
        _ => Ok(()),
    }
}

/// The length after a finished step: its result's duration, else its source's plus a step, else
/// the previous length plus a step — so the cap stays guarded when Kling omits both durations.
pub fn next_duration<J: Json>(task: &Task<J>, previous: Option<f64>) -> Option<f64> {
    task.result_duration()
        .or_else(|| task.parent_duration().map(|d| d + MAX_STEP_SECONDS))
        .or_else(|| previous.map(|d| d + MAX_STEP_SECONDS))
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

    /// The caller's id prefix, when one was given.
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }

    /// The source video's id.
    pub fn video_id(&self) -> &str {
        &self.video_id
    }

    /// The source's length in seconds, when given.
    pub fn duration(&self) -> Option<f64> {
        self.duration
    }

    /// The request of try `attempt` of step `n` (from 1) under `prefix`, extending `video_id`.
    /// `None` past the last step.
    pub fn step_body(
        &self,
        n: usize,
        prefix: &str,
        attempt: u32,
        video_id: &str,
    ) -> Option<ExtendParams> {
        let mut body = self.steps.get(n.checked_sub(1)?)?.clone();
        body.video_id = Some(video_id.to_string());
        body.external_task_id = Some(step_external_id(prefix, n, attempt));
        Some(body)
    }

    /// For a runner that keeps a chain's state itself (a durable workflow): the next step's
    /// request, from the tasks the finished steps ended with, in order. `None` when every step is
    /// done. The same arithmetic as [`Client::chain`]: the next `video_id` is the last result's
    /// video, the length is guarded against the 180 s cap before every paid step, and the step's
    /// id is [`step_external_id`] under the plan's prefix (which such a runner must give).
    pub fn next_step<J: Json>(
        &self,
        done: &[Task<J>],
        attempt: u32,
    ) -> Result<Option<StepRequest>, Error> {
        let Some(prefix) = self.prefix.as_deref() else {
            return Err(Error::invalid_request(
                "external_task_id",
                "a chain run step by step needs its `external_task_id` prefix: every step's id derives from it",
            ));
        };
        let n = done.len() + 1;
        if n > self.steps.len() {
            return Ok(None);
        }
        if !(1..=MAX_STEP_ATTEMPTS).contains(&attempt) {
            return Err(Error::invalid_request(
                "attempt",
                format!("`attempt` must be from 1 to {MAX_STEP_ATTEMPTS}"),
            ));
        }
        let mut video_id = self.video_id.clone();
        let mut duration = self.duration;
        for (i, task) in done.iter().enumerate() {
            video_id = task
                .result_video_id()
                .ok_or_else(|| no_result_video(i + 1, task))?;
            duration = next_duration(task, duration);
        }
        check_room(n, duration)?;
        let body = self.step_body(n, prefix, attempt, &video_id);
        Ok(body.map(|body| StepRequest {
            step: n,
            duration,
            body,
        }))
    }
}

/// One step's request, for a runner that performs it itself.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRequest {
    /// The step, from 1.
    pub step: usize,
    /// The length of the video it extends, when known.
    pub duration: Option<f64>,
    /// The extension's parameters, `video_id` and `external_task_id` included.
    pub body: ExtendParams,
}

fn no_result_video<J>(step: usize, task: &Task<J>) -> Error {
    Error::decode(format!(
        "step {step} succeeded without a result video id to extend next"
    ))
    .with_task_id(&task.id())
}

impl ChainPlan {
    /// Checks `{video_id, prompts, video_duration?, external_task_id?, ...shared fields}`; every step
    /// is validated as the extension it will be, before anything is sent.
    pub fn from_params<J: Json>(params: &J) -> Result<ChainPlan, Error> {
        let p: ChainParams = parse(params, CHAIN_HINTS)?;
        let prompts = match &p.prompts {
            Some(prompts) if !prompts.is_empty() => prompts,
            _ => {
                return Err(Error::invalid_request(
                    "prompts",
                    "`prompts` must be a non-empty array of strings or objects",
                ))
            }
        };
        let duration = match &p.video_duration {
            None => None,
            Some(d) => Some(d.seconds().ok_or_else(|| {
                Error::invalid_request(
                    "video_duration",
                    "`video_duration` must be the source's length in seconds",
                )
            })?),
        };
        // A prefix that is blank must not be dropped silently (every step would then get an
        // unrelated generated id).
        let prefix = match p.external_task_id.as_deref() {
            None => None,
            Some(prefix) if !prefix.trim().is_empty() => Some(prefix.to_string()),
            Some(_) => {
                return Err(Error::invalid_request(
                    "external_task_id",
                    "`external_task_id` of a chain must be a non-empty string: step n sends it with `-n` appended",
                ))
            }
        };
        let mut steps = Vec::with_capacity(prompts.len());
        for (i, prompt) in prompts.iter().enumerate() {
            let mut step = ExtendParams {
                video_id: p.video_id.clone(),
                prompt: p.prompt.clone(),
                negative_prompt: p.negative_prompt.clone(),
                cfg_scale: p.cfg_scale,
                watermark_info: p.watermark_info.clone(),
                callback_url: p.callback_url.clone(),
                external_task_id: None,
            };
            match prompt {
                ChainPrompt::Prompt(text) => step.prompt = Some(text.clone()),
                ChainPrompt::Fields(own) => {
                    let own = own.clone();
                    step.prompt = own.prompt.or(step.prompt);
                    step.negative_prompt = own.negative_prompt.or(step.negative_prompt);
                    step.cfg_scale = own.cfg_scale.or(step.cfg_scale);
                    step.watermark_info = own.watermark_info.or(step.watermark_info);
                    step.callback_url = own.callback_url.or(step.callback_url);
                }
            }
            // The longest id the step may carry must fit the id rule too.
            step.external_task_id = prefix
                .as_deref()
                .map(|p| step_external_id(p, i + 1, MAX_STEP_ATTEMPTS));
            check_extend(&step).map_err(|mut e| {
                e.message = format!("step {} of the chain: {}", i + 1, e.message);
                e
            })?;
            step.external_task_id = None;
            steps.push(step);
        }
        let plan = ChainPlan {
            video_id: p.video_id.unwrap_or_default(),
            duration,
            prefix,
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

/// A chain's own fields that a step may not set, each answered with why.
const CHAIN_HINTS: &[(&str, &str)] = &[
    (
        "video_id",
        "a step extends the previous step's result: only the chain sets `video_id`",
    ),
    (
        "external_task_id",
        "each step's id derives from the chain's `external_task_id` prefix (`<prefix>-<n>`)",
    ),
    (
        "task_id",
        "a chain takes `video_id`, the id of a video (task_result.videos[0].id of the source task), not a task id",
    ),
    ("duration", "an extension inherits the model, mode and length step from its source video"),
    ("mode", "an extension inherits the model, mode and length step from its source video"),
    ("model_name", "an extension inherits the model, mode and length step from its source video"),
];

fn too_long(what: &str) -> Error {
    Error::invalid_request(
        "prompts",
        format!("{what}, past Kling's 3-minute (180 s) cap; nothing was sent"),
    )
}

/// Called with every task state of every step, and the step's index from 0.
pub type StepProgress<'a, J> = &'a mut dyn FnMut(&Task<J>, usize);

/// How a chain stopped: the error, and the steps it finished before (every error of a chain
/// carries the prefix to re-run it under in [`Error::external_task_id`]).
#[derive(Debug)]
pub struct ChainError<J> {
    /// What stopped the chain.
    pub error: Error,
    /// The steps finished before it stopped, in order (possibly none).
    pub completed: Vec<Task<J>>,
}

impl<J> std::ops::Deref for ChainError<J> {
    type Target = Error;
    fn deref(&self) -> &Error {
        &self.error
    }
}

/// Where a running chain stands.
struct Run<'p> {
    prefix: &'p str,
    /// Earlier runs under this prefix may have created steps: look each up before creating it.
    /// Step n+1 extends step n's result, so past the first step that does not exist, none does.
    probing: bool,
}

impl Client {
    /// Runs a chain: each step extends the previous result's video and is waited for before the
    /// next. A step that could pass 180 s is refused before it is submitted.
    ///
    /// Step n is created under `<prefix>-<n>` (the caller's `external_task_id`, or a generated
    /// one). Re-running a chain under the same prefix resumes it: a step that exists is reused
    /// (waited for if still running), never created again; a step whose task failed is tried again
    /// under `<prefix>-<n>.2`, `.3`, …. On error, the steps already finished ride along in
    /// [`ChainError::completed`] and the prefix in [`Error::external_task_id`].
    pub async fn chain<E: Env>(
        &self,
        env: &E,
        plan: ChainPlan,
        wait: &WaitOptions,
        progress: StepProgress<'_, E::Json>,
    ) -> Result<Vec<Task<E::Json>>, ChainError<E::Json>> {
        let probing = plan.prefix.is_some();
        let prefix = plan
            .prefix
            .clone()
            .unwrap_or_else(|| new_external_task_id(env));
        let mut run = Run {
            prefix: &prefix,
            probing,
        };
        let mut done: Vec<Task<E::Json>> = Vec::with_capacity(plan.len());
        let mut video_id = plan.video_id.clone();
        let mut duration = plan.duration;
        for n in 1..=plan.len() {
            let step = self
                .chain_step(env, &plan, &mut run, n, &video_id, duration, wait, progress)
                .await;
            let task = match step {
                Ok(task) => task,
                Err((e, may_exist)) => return Err(chain_error(e, &prefix, may_exist, done)),
            };
            duration = next_duration(&task, duration);
            let Some(next) = task.result_video_id() else {
                let e = no_result_video(n, &task);
                done.push(task);
                return Err(chain_error(e, &prefix, false, done));
            };
            video_id = next;
            done.push(task);
        }
        Ok(done)
    }

    /// Step `n` (from 1): reuses the task an earlier run made for it, or creates one; then waits.
    #[allow(clippy::too_many_arguments)]
    async fn chain_step<E: Env>(
        &self,
        env: &E,
        plan: &ChainPlan,
        run: &mut Run<'_>,
        n: usize,
        video_id: &str,
        duration: Option<f64>,
        wait: &WaitOptions,
        progress: StepProgress<'_, E::Json>,
    ) -> Result<Task<E::Json>, CreateFailure> {
        check_room(n, duration).map_err(|e| (e, false))?;
        let mut report = |t: &Task<E::Json>| progress(t, n - 1);
        let mut attempt = 1;
        let mut existing = None;
        while run.probing {
            let id = step_external_id(run.prefix, n, attempt);
            let key = Key {
                family: Family::VideoExtend,
                external_id: &id,
                video_id: Some(video_id),
            };
            match self.lookup_retrying(env, &id, wait.request).await {
                Err(e) => return Err((e.with_task_id(&id), false)),
                Ok(Lookup::Absent) => run.probing = false,
                Ok(Lookup::Found(task)) => {
                    let task = key.claim(task).map_err(|e| (e, false))?;
                    if task.status() != TaskStatus::Failed {
                        existing = Some(task);
                        break;
                    }
                    // A failed try holds its id and cost nothing: the next try gets the next id.
                    report(&task);
                    attempt += 1;
                    if attempt > MAX_STEP_ATTEMPTS {
                        let e = Error::new(
                            ErrorKind::TaskFailed,
                            format!("step {n} of the chain failed {MAX_STEP_ATTEMPTS} times; the last try was task {}", task.id()),
                        )
                        .with_task_id(&task.id());
                        return Err((e, false));
                    }
                }
            }
        }
        let _slot = match self.slots() {
            Some(slots) => Some(slots.acquire(env).await.map_err(|e| (e, false))?),
            None => None,
        };
        let task = match (existing, plan.step_body(n, run.prefix, attempt, video_id)) {
            (Some(task), _) => task,
            (None, Some(body)) => {
                let id = step_external_id(run.prefix, n, attempt);
                let key = Key {
                    family: Family::VideoExtend,
                    external_id: &id,
                    video_id: Some(video_id),
                };
                let json = E::Json::make(&body);
                self.create_keyed(env, key, &json, true, wait.request)
                    .await?
            }
            (None, None) => {
                return Err((
                    Error::invalid_request("prompts", format!("the chain has no step {n}")),
                    false,
                ))
            }
        };
        let id = task.id();
        self.wait(env, Family::VideoExtend, &id, Some(task), wait, &mut report)
            .await
            .map_err(|e| (e, false))
    }

    /// A lookup by external task id, retried as any read is.
    async fn lookup_retrying<E: Env>(
        &self,
        env: &E,
        external_id: &str,
        opts: RequestOptions,
    ) -> Result<Lookup<E::Json>, Error> {
        let mut retry = RetryState::default();
        loop {
            match self
                .lookup(env, Family::VideoExtend, external_id, opts, &mut retry)
                .await
            {
                Ok(found) => return Ok(found),
                Err(e) => self.pause_before_retry(env, e, &mut retry, opts).await?,
            }
        }
    }
}

/// Every chain error carries the prefix to re-run it under and the steps it finished.
fn chain_error<J>(e: Error, prefix: &str, may_exist: bool, done: Vec<Task<J>>) -> ChainError<J> {
    let advice = format!(
        "re-run the chain with external_task_id \"{prefix}\": steps that exist are reused, never paid again"
    );
    let mut e = in_doubt(e, prefix, may_exist, &advice);
    if !may_exist {
        e.message.push_str(&format!(". To continue, {advice}"));
    }
    ChainError {
        error: e,
        completed: done,
    }
}
