//! A chain's plan: the pure arithmetic of growing a video step by step — the method, every step's
//! request, the step ids, the lengths and the guards checked before a step is paid for. No I/O:
//! the runner (`run.rs`) and runners that keep a chain's state themselves (a durable workflow,
//! through `chainStep`) both walk a chain with it.
//!
//! Three methods continue a video ([`Method`]): `extend` (video-extend; each result is the whole
//! longer video), `next-shot` (Omni-Video with the previous clip as its `feature` reference) and
//! `last-frame` (image2video, or Omni-Video's `first_frame`, from the previous clip's last frame).
//! The last two make clips, joined afterwards (`kling-edge/mp4`).

use serde::Serialize;

use crate::api::caps::{self, REFERENCE_VIDEO_SECONDS};
use crate::api::chain::steps::{
    clip_steps, extend_steps, in_step, resolve, step_external_id, Method, Platform, Step,
    MAX_STEP_ATTEMPTS,
};
use crate::api::error::Error;
use crate::api::family::Family;
use crate::api::json::Json;
use crate::api::params::ChainParams;
use crate::api::task::{Scalar, Task};
use crate::api::text::num;
use crate::api::validate::parse;

/// Kling's cap on an extended video's total length, in seconds.
pub const MAX_TOTAL_SECONDS: f64 = 180.0;
/// The most one extension adds, in seconds (Kling documents 4–5 s).
pub const MAX_STEP_SECONDS: f64 = 5.0;
/// A chain's length limit when `max_seconds` is not given.
pub const DEFAULT_MAX_SECONDS: f64 = 180.0;

/// A checked chain: the method, the source, the caller's id prefix, the length limit and every
/// step's request but its input (the video it continues) and its `external_task_id`.
#[derive(Debug)]
pub struct ChainPlan {
    method: Method,
    video_id: Option<String>,
    video_url: Option<String>,
    duration: Option<f64>,
    prefix: Option<String>,
    max_seconds: f64,
    allow_retired: bool,
    steps: Vec<Step>,
}

/// Where a chain stands before its next step: what that step continues and how long the video
/// is so far. Derived from the source and the tasks of the finished steps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Position {
    /// The next step, from 1.
    pub step: usize,
    /// `extend`: the video the next step extends.
    pub video_id: Option<String>,
    /// Clip methods: the clip the next step continues (the source's, or the last step's).
    pub clip_url: Option<String>,
    /// That clip's length in seconds, when known.
    pub clip_seconds: Option<f64>,
    /// The whole video's length so far, when known.
    pub total: Option<f64>,
    /// The seconds the finished steps added (what is known when the source's length is not).
    pub added: f64,
}

/// One step's request, for a runner that performs it itself.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRequest<J> {
    /// The step, from 1.
    pub step: usize,
    /// The endpoint the request is for.
    pub family: Family,
    /// The video's length before this step, when known.
    pub duration: Option<f64>,
    /// The request, checked as a create of `family` is: its input and `external_task_id`
    /// (`<prefix>-<step>`, or `<prefix>-<step>.<attempt>` for a later try) included.
    pub body: J,
}

/// One clip of a chain's video, in order: what joining them needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clip {
    /// Where the clip is (Kling's URL; it expires, so keep what you join).
    pub url: Option<String>,
    /// Its length in seconds, when known.
    pub duration: Option<f64>,
    /// Its video id.
    pub video_id: Option<String>,
    /// The task that made it (none for the source).
    pub task_id: Option<String>,
}

/// The length after a finished extension: its result's duration, else its source's plus a step,
/// else the previous length plus a step — so the cap stays guarded when Kling omits both.
pub fn next_duration<J: Json>(task: &Task<J>, previous: Option<f64>) -> Option<f64> {
    task.result_duration()
        .or_else(|| task.parent_duration().map(|d| d + MAX_STEP_SECONDS))
        .or_else(|| previous.map(|d| d + MAX_STEP_SECONDS))
}

impl ChainPlan {
    /// Checks chain parameters with `extend` as the default method (`extensions.chain`).
    pub fn from_params<J: Json>(params: &J) -> Result<ChainPlan, Error> {
        ChainPlan::read(
            params,
            Platform {
                default_method: Some(Method::Extend),
                ..Platform::default()
            },
        )
    }

    /// Checks `{method?, video_id | video_url, video_duration?, prompts, max_seconds?,
    /// external_task_id?, ...the steps' shared fields}`: the method is resolved, and every step
    /// is validated as the create it will be, and a chain that would pass its length limit is
    /// refused, before anything is sent.
    pub fn read<J: Json>(params: &J, platform: Platform) -> Result<ChainPlan, Error> {
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
        let duration = seconds_of("video_duration", &p.video_duration)?;
        let max_seconds = match p.max_seconds {
            None => DEFAULT_MAX_SECONDS,
            Some(s) if s.is_finite() && s > 0.0 => s,
            Some(_) => {
                return Err(Error::invalid_request(
                    "max_seconds",
                    "`max_seconds` must be a number of seconds above 0",
                ))
            }
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
        let method = resolve(&p, platform)?;
        let steps = match method {
            Method::Extend => extend_steps(&p, prompts, prefix.as_deref())?,
            _ => clip_steps::<J>(&p, prompts, method, prefix.as_deref(), platform)?,
        };
        let plan = ChainPlan {
            method,
            video_id: p.video_id,
            video_url: p.video_url,
            duration,
            prefix,
            max_seconds,
            allow_retired: platform.allow_retired,
            steps,
        };
        plan.check_length()?;
        Ok(plan)
    }

    /// The number of steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether the chain has no steps (never true of a checked plan).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The method every step continues the video by.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The caller's id prefix, when one was given.
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }

    /// The source video's id, when given.
    pub fn video_id(&self) -> Option<&str> {
        self.video_id.as_deref()
    }

    /// The source clip's URL, when given.
    pub fn video_url(&self) -> Option<&str> {
        self.video_url.as_deref()
    }

    /// The source's length in seconds, when given.
    pub fn duration(&self) -> Option<f64> {
        self.duration
    }

    /// The length the video may grow to: `max_seconds`, and never past 180 s by extension.
    pub fn max_seconds(&self) -> f64 {
        match self.method {
            Method::Extend => self.max_seconds.min(MAX_TOTAL_SECONDS),
            _ => self.max_seconds,
        }
    }

    /// The endpoint step `n` (from 1) creates its task at.
    pub fn family(&self, n: usize) -> Family {
        match self.steps.get(n.saturating_sub(1)) {
            Some(Step::Clip { family, .. }) => *family,
            _ => Family::VideoExtend,
        }
    }

    /// The seconds every step adds, in order, where the plan knows them (clip steps).
    pub fn step_seconds(&self) -> Vec<Option<f64>> {
        self.steps
            .iter()
            .map(|s| match s {
                Step::Clip { seconds, .. } => Some(*seconds),
                Step::Extend(_) => None,
            })
            .collect()
    }

    /// Refuses a chain that could pass its length limit, before anything is sent.
    fn check_length(&self) -> Result<(), Error> {
        let max = self.max_seconds();
        let n = self.steps.len();
        if self.method == Method::Extend {
            return match self.duration {
                Some(d) if d + MAX_STEP_SECONDS * n as f64 > max => Err(too_long(
                    &format!(
                        "{n} steps from a {} s video could reach {} s",
                        num(d),
                        num(d + MAX_STEP_SECONDS * n as f64)
                    ),
                    max,
                )),
                None if n as f64 > max / MAX_STEP_SECONDS => Err(too_long(
                    &format!("{n} steps of up to {} s each", num(MAX_STEP_SECONDS)),
                    max,
                )),
                _ => Ok(()),
            };
        }
        let added: f64 = self.step_seconds().into_iter().flatten().sum();
        let end = self.duration.unwrap_or(0.0) + added;
        if end > max {
            let from = match self.duration {
                Some(d) => format!(" from a {} s source", num(d)),
                None => String::new(),
            };
            return Err(too_long(
                &format!(
                    "{n} steps of {} s in all{from} reach {} s",
                    num(added),
                    num(end)
                ),
                max,
            ));
        }
        if self.method == Method::NextShot {
            // Every clip but the last is the next step's reference.
            if let Some(d) = self.duration {
                check_reference(1, "the source", d)?;
            }
            for (i, s) in self.step_seconds().into_iter().enumerate().take(n - 1) {
                if let Some(s) = s {
                    check_reference(i + 2, &format!("step {}'s clip", i + 1), s)?;
                }
            }
        }
        Ok(())
    }

    /// Where the chain stands after `done`, the tasks its finished steps ended with, in order.
    pub fn position<J: Json>(&self, done: &[Task<J>]) -> Result<Position, Error> {
        let mut at = Position {
            step: done.len() + 1,
            video_id: self.video_id.clone(),
            clip_url: self.video_url.clone(),
            clip_seconds: self.duration,
            total: self.duration,
            added: 0.0,
        };
        for (i, task) in done.iter().enumerate() {
            if self.method == Method::Extend {
                at.video_id =
                    Some(task.result_video_id().ok_or_else(|| {
                        no_result(i + 1, task, "a result video id to extend next")
                    })?);
                let before = at.total;
                at.total = next_duration(task, at.total);
                at.added += match (before, at.total) {
                    (Some(b), Some(t)) => (t - b).max(0.0),
                    _ => MAX_STEP_SECONDS,
                };
                continue;
            }
            at.clip_url = Some(
                task.result_video_url()
                    .ok_or_else(|| no_result(i + 1, task, "a result video URL to continue"))?,
            );
            let seconds = task
                .result_duration()
                .or_else(|| self.step_seconds().get(i).copied().flatten())
                .unwrap_or(0.0);
            at.clip_seconds = Some(seconds);
            at.video_id = task.result_video_id();
            at.total = at.total.map(|t| t + seconds);
            at.added += seconds;
        }
        Ok(at)
    }

    /// Refuses step `at.step` when it could pass the chain's length limit, or (`next-shot`) when
    /// the clip it would take as its reference is not a length Omni-Video takes. Checked before
    /// every paid step, with the lengths the finished steps really had.
    pub fn check_room(&self, at: &Position) -> Result<(), Error> {
        let n = at.step;
        let max = self.max_seconds();
        let (adds, so_far) = match self.steps.get(n.saturating_sub(1)) {
            Some(Step::Clip { seconds, .. }) => (*seconds, at.total.unwrap_or(at.added)),
            // An unknown length passes: the plan bounded the number of steps instead.
            _ => match at.total {
                Some(d) => (MAX_STEP_SECONDS, d),
                None => return Ok(()),
            },
        };
        if so_far + adds > max {
            let verb = if self.method == Method::Extend {
                "extend"
            } else {
                "continue"
            };
            return Err(too_long(
                &format!("step {n} would {verb} a {} s video", num(so_far)),
                max,
            ));
        }
        if self.method == Method::NextShot {
            if let Some(d) = at.clip_seconds {
                let clip = if n == 1 {
                    "the source".to_string()
                } else {
                    format!("step {}'s clip", n - 1)
                };
                check_reference(n, &clip, d)?;
            }
        }
        Ok(())
    }

    /// The request of try `attempt` of step `at.step` under `prefix`, from where the chain
    /// stands. `frame` is the previous clip's last frame (a URL or raw base64), which a
    /// `last-frame` step needs. Checked as the create it is, and against the length limit.
    pub fn request<J: Json>(
        &self,
        at: &Position,
        prefix: &str,
        attempt: u32,
        frame: Option<&str>,
    ) -> Result<StepRequest<J>, Error> {
        let n = at.step;
        self.check_room(at)?;
        let id = step_external_id(prefix, n, attempt);
        let (family, body) = match self.steps.get(n.wrapping_sub(1)) {
            None => {
                return Err(Error::invalid_request(
                    "prompts",
                    format!("the chain has no step {n}"),
                ))
            }
            Some(Step::Extend(step)) => {
                let mut body = step.clone();
                body.video_id = at.video_id.clone();
                body.external_task_id = Some(id);
                (Family::VideoExtend, J::make(&body))
            }
            Some(Step::Clip { family, body, .. }) => {
                let clip_url = at.clip_url.as_deref().unwrap_or_default();
                let frame = match (self.method, frame) {
                    (Method::LastFrame, None) => {
                        return Err(Error::invalid_request(
                            "frame",
                            format!(
                                "step {n} of a last-frame chain starts from the last frame of {clip_url}: decode it and pass it as the step's frame"
                            ),
                        ))
                    }
                    (Method::LastFrame, frame) => frame,
                    _ => None,
                };
                let mut body = body.clone().with_input(*family, clip_url, frame);
                body.external_task_id = Some(id);
                let checked = family
                    .check_create_with(&J::make(&body), self.allow_retired)
                    .map_err(|e| in_step(n, e))?;
                (*family, checked.to_json())
            }
        };
        Ok(StepRequest {
            step: n,
            family,
            duration: at.total,
            body,
        })
    }

    /// For a runner that keeps a chain's state itself (a durable workflow): the next step's
    /// request, from the tasks the finished steps ended with, in order, and (`last-frame`) the
    /// last frame of the previous clip. `None` when every step is done. The same arithmetic as
    /// the client's chain: the length is guarded before every paid step, and the step's id is
    /// [`step_external_id`] under the plan's prefix (which such a runner must give).
    pub fn next_step<J: Json>(
        &self,
        done: &[Task<J>],
        attempt: u32,
        frame: Option<&str>,
    ) -> Result<Option<StepRequest<J>>, Error> {
        let Some(prefix) = self.prefix.as_deref() else {
            return Err(Error::invalid_request(
                "external_task_id",
                "a chain run step by step needs its `external_task_id` prefix: every step's id derives from it",
            ));
        };
        if done.len() >= self.steps.len() {
            return Ok(None);
        }
        if !(1..=MAX_STEP_ATTEMPTS).contains(&attempt) {
            return Err(Error::invalid_request(
                "attempt",
                format!("`attempt` must be from 1 to {MAX_STEP_ATTEMPTS}"),
            ));
        }
        let at = self.position(done)?;
        self.request(&at, prefix, attempt, frame).map(Some)
    }

    /// The clips of the video the finished steps make, in order: for clip methods the source
    /// and every step's clip; for `extend` the last result (the whole video).
    pub fn clips<J: Json>(&self, done: &[Task<J>]) -> Vec<Clip> {
        let source = Clip {
            url: self.video_url.clone(),
            duration: self.duration,
            video_id: self.video_id.clone(),
            task_id: None,
        };
        let clip = |t: &Task<J>| Clip {
            url: t.result_video_url(),
            duration: t.result_duration(),
            video_id: t.result_video_id(),
            task_id: Some(t.id()),
        };
        match (self.method, done.last()) {
            (Method::Extend, Some(last)) => vec![clip(last)],
            (Method::Extend, None) => vec![source],
            _ => std::iter::once(source)
                .chain(done.iter().map(clip))
                .collect(),
        }
    }
}

fn seconds_of(name: &str, value: &Option<Scalar>) -> Result<Option<f64>, Error> {
    match value {
        None => Ok(None),
        Some(d) => d.seconds().map(Some).ok_or_else(|| {
            Error::invalid_request(name, format!("`{name}` must be a length in seconds"))
        }),
    }
}

/// Refuses a reference clip Omni-Video does not take (3–10 s).
fn check_reference(step: usize, clip: &str, seconds: f64) -> Result<(), Error> {
    let Window(lo, hi) = reference_window();
    // Clip lengths are whole frames: a frame's worth either side is the same length.
    if seconds + 0.25 < lo || seconds - 0.25 > hi {
        return Err(Error::invalid_request(
            "duration",
            format!(
                "step {step} would take {clip} ({} s) as its reference, and Omni-Video takes {} s references; nothing was sent. Make the clips {} s long, or use the method last-frame",
                num(seconds),
                REFERENCE_VIDEO_SECONDS.describe(),
                REFERENCE_VIDEO_SECONDS.describe()
            ),
        ));
    }
    Ok(())
}

/// The shortest and longest reference, in seconds.
struct Window(f64, f64);

fn reference_window() -> Window {
    match REFERENCE_VIDEO_SECONDS {
        caps::Seconds::Range(lo, hi) => Window(f64::from(lo), f64::from(hi)),
        only => Window(0.0, only.max()),
    }
}

fn no_result<J: Json>(step: usize, task: &Task<J>, what: &str) -> Error {
    Error::decode(format!("step {step} succeeded without {what}")).with_task_id(&task.id())
}

/// A chain's own fields that a step may not set, each answered with why.
const CHAIN_HINTS: &[(&str, &str)] = &[
    (
        "external_task_id",
        "each step's id derives from the chain's `external_task_id` prefix (`<prefix>-<n>`)",
    ),
    (
        "task_id",
        "a chain takes `video_id`, the id of a video (task_result.videos[0].id of the source task), not a task id",
    ),
    (
        "maxSeconds",
        "the chain's length limit is `max_seconds`, as the other chain fields are spelt",
    ),
];

fn too_long(what: &str, max: f64) -> Error {
    Error::invalid_request(
        "prompts",
        format!(
            "{what}, past the chain's {} s limit (`max_seconds`, default 180; extensions never pass Kling's 3-minute cap); nothing was sent",
            num(max)
        ),
    )
}
