//! Waiting for a task: poll until it succeeds or fails, never past a deadline.

#[cfg(target_arch = "wasm32")]
use tsify::Tsify;

use crate::api::client::{Client, RequestOptions};
use crate::api::env::Env;
use crate::api::error::transport_error;
use crate::api::error::{Error, ErrorKind};
use crate::api::json::Json;
use crate::api::model::Family;
use crate::api::reader::reader;
use crate::api::task::{Task, TaskStatus};
use crate::api::text::num;
use crate::api::validate::check_id;

/// Thirty minutes: long enough for a busy queue, short enough that nobody waits forever.
pub const DEFAULT_WAIT_TIMEOUT_MS: f64 = 30.0 * 60_000.0;
/// The shortest pause of the default schedule: Kling asks for polls every 5–15 s.
pub const ADAPTIVE_POLL_MIN_MS: u32 = 5_000;
/// The longest pause of the default schedule, and so the longest a finished task goes unnoticed.
pub const ADAPTIVE_POLL_MAX_MS: u32 = 15_000;
/// The default pause is the time waited so far divided by this.
pub const ADAPTIVE_POLL_DIVISOR: f64 = 8.0;
/// A poll near the deadline may still take this long, so a wait overshoots by at most this.
const MIN_POLL_ATTEMPT_MS: f64 = 5_000.0;
const MAX_WAIT_TIMEOUT_MS: f64 = 7.0 * 24.0 * 3_600_000.0;
const MAX_POLL_INTERVAL_MS: f64 = 600_000.0;

/// How long a wait pauses before each poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PollSchedule {
    /// The default (no `pollIntervalMs`): an eighth of the time waited so far, from 5 s to 15 s.
    /// That is every 5 s for the first 40 s, then ~12.5 % longer each poll, 15 s from 2 minutes
    /// on.
    #[default]
    Adaptive,
    /// The caller's `pollIntervalMs`: this many milliseconds every time (0: poll back to back).
    Fixed(u32),
}

impl PollSchedule {
    /// The pause before the next poll, `waited_ms` after the wait started.
    pub fn interval_ms(self, waited_ms: f64) -> u32 {
        match self {
            PollSchedule::Fixed(ms) => ms,
            // Short tasks are noticed within 5 s. The longer a task has run, the less a few
            // seconds more matter beside the time already waited, so the pause grows with it:
            // a 10-minute task costs 51 polls instead of 121 at a fixed 5 s, and a finished task
            // still goes unnoticed for 15 s at most, the slowest Kling asks for.
            PollSchedule::Adaptive => (waited_ms / ADAPTIVE_POLL_DIVISOR)
                .clamp(
                    f64::from(ADAPTIVE_POLL_MIN_MS),
                    f64::from(ADAPTIVE_POLL_MAX_MS),
                )
                .ceil() as u32,
        }
    }
}

/// How to wait.
#[derive(Debug, Clone, Copy)]
pub struct WaitOptions {
    /// Give up (with `ERR_KLING_WAIT_TIMEOUT`) after this long.
    pub timeout_ms: f64,
    /// Pauses between polls.
    pub poll: PollSchedule,
    /// Options for each poll.
    pub request: RequestOptions,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            timeout_ms: DEFAULT_WAIT_TIMEOUT_MS,
            poll: PollSchedule::Adaptive,
            request: RequestOptions::default(),
        }
    }
}

/// The options of every call that waits (`wait`, `createAndWait`, `chain`), as the caller gives
/// them; `F` is the host's value for the signal and the callback.
#[derive(Debug, Clone)]
#[cfg_attr(
    target_arch = "wasm32",
    derive(Tsify),
    tsify(rename = "WaitOptions"),
    serde(rename_all = "camelCase")
)]
pub struct WaitCallOptions<F = ()> {
    /// Stops the wait (`ERR_KLING_ABORTED`). The task keeps running on Kling and is billable.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "AbortSignal", type_params = "", optional)
    )]
    pub signal: Option<F>,
    /// Give up waiting after this long, default 30 minutes.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub timeout_ms: Option<f64>,
    /// Pause between polls, in milliseconds (0–600000), the same every time. Default: adaptive —
    /// every 5 s for the first 40 s, then longer (an eighth of the time waited so far), up to 15 s
    /// from 2 minutes on.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub poll_interval_ms: Option<f64>,
    /// Called with every state seen; in chains `info` is `{ step, steps }` (from 1).
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(
            type = "(task: Task, info?: { step: number; steps: number }) => void",
            type_params = "",
            optional
        )
    )]
    pub on_progress: Option<F>,
}

impl<F> Default for WaitCallOptions<F> {
    fn default() -> Self {
        WaitCallOptions {
            signal: None,
            timeout_ms: None,
            poll_interval_ms: None,
            on_progress: None,
        }
    }
}

reader!(WaitCallOptions over F, "an object of options", WAIT_FIELDS = [
    "signal" => signal,
    "timeoutMs" => timeout_ms,
    "pollIntervalMs" => poll_interval_ms,
    "onProgress" => on_progress,
]);

impl<F> WaitCallOptions<F> {
    /// The checked schedule and deadline.
    pub fn wait(&self) -> Result<WaitOptions, Error> {
        WaitOptions::from_raw(self.timeout_ms, self.poll_interval_ms)
    }
}

impl WaitOptions {
    /// Checks raw wait options; without `poll_interval_ms` the schedule is adaptive.
    pub fn from_raw(
        timeout_ms: Option<f64>,
        poll_interval_ms: Option<f64>,
    ) -> Result<WaitOptions, Error> {
        let mut w = WaitOptions::default();
        if let Some(t) = timeout_ms {
            if !(t.is_finite() && t > 0.0 && t <= MAX_WAIT_TIMEOUT_MS) {
                return Err(Error::invalid_options(format!("`timeoutMs` of a wait must be a positive number of milliseconds up to a week, not {}", num(t))));
            }
            w.timeout_ms = t;
        }
        if let Some(p) = poll_interval_ms {
            if !(p.is_finite() && (0.0..=MAX_POLL_INTERVAL_MS).contains(&p)) {
                return Err(Error::invalid_options(format!(
                    "`pollIntervalMs` must be from 0 to 600000, not {}",
                    num(p)
                )));
            }
            w.poll = PollSchedule::Fixed(p.round() as u32);
        }
        Ok(w)
    }
}

/// Called with every task state seen while waiting.
pub type Progress<'a, J> = &'a mut dyn FnMut(&Task<J>);

impl Client {
    /// Polls `task_id` until it ends. `first` is a state already known (a create's answer): it is
    /// reported, and the first poll comes one pause later.
    pub async fn wait<E: Env>(
        &self,
        env: &E,
        family: Family,
        task_id: &str,
        first: Option<Task<E::Json>>,
        opts: &WaitOptions,
        progress: Progress<'_, E::Json>,
    ) -> Result<Task<E::Json>, Error> {
        check_id("taskId", task_id)?;
        let mut waiting = Waiting::start(env, task_id, opts);
        let mut known = first;
        // A state already known (a create's answer) is reported, then the first poll waits.
        let mut pause = known.is_some();
        loop {
            if let Some(task) = known.take() {
                progress(&task);
                match task.status() {
                    TaskStatus::Succeed => return Ok(task),
                    TaskStatus::Failed => return Err(task_failed(&task)),
                    _ => waiting.last_status = Some(task.status_str().to_string()),
                }
            }
            if pause {
                waiting.pause(env).await?;
            }
            pause = true;
            let request = self.poll_options(env, waiting.deadline, opts);
            match self.get_task(env, family, task_id, request).await {
                Ok(task) => {
                    waiting.last_error = None;
                    known = Some(task);
                }
                // A flaky network must not end a wait that the deadline still allows.
                Err(e) if e.retryable => waiting.last_error = Some(e),
                Err(e) => return Err(e.with_task_id(task_id)),
            }
        }
    }

    /// Creates a task and waits for it. With `maxConcurrentTasks`, the call first queues for a
    /// slot (after its parameters are checked, so a bad one fails at once) and holds it until the
    /// task ends.
    pub async fn create_and_wait<E: Env>(
        &self,
        env: &E,
        family: Family,
        params: &E::Json,
        opts: &WaitOptions,
        progress: Progress<'_, E::Json>,
    ) -> Result<Task<E::Json>, Error> {
        let body = family.check_create_with(params, self.config().allow_retired_models)?;
        let _slot = match self.slots() {
            Some(slots) => Some(slots.acquire(env).await?),
            None => None,
        };
        let created = self.create_checked(env, family, body, opts.request).await?;
        let id = created.id();
        self.wait(env, family, &id, Some(created), opts, progress)
            .await
    }

    /// One poll never outlives the wait by much: no retries of its own (the wait's loop
    /// tolerates transient failures until the deadline) and no attempt longer than the time left.
    fn poll_options<E: Env>(&self, env: &E, deadline: f64, opts: &WaitOptions) -> RequestOptions {
        let configured = opts.request.timeout_ms.unwrap_or(self.config().timeout_ms);
        // The last poll, at the deadline, still gets a fair chance to answer.
        let left = (deadline - env.now_ms()).ceil().max(MIN_POLL_ATTEMPT_MS) as u32;
        RequestOptions {
            timeout_ms: Some(configured.min(left)),
            max_retries: Some(opts.request.max_retries.unwrap_or(0)),
        }
    }
}

/// One wait in progress: when it started, when it gives up, and what it saw last (for the error
/// at the deadline).
struct Waiting<'a> {
    task_id: &'a str,
    schedule: PollSchedule,
    started: f64,
    deadline: f64,
    last_status: Option<String>,
    last_error: Option<Error>,
}

impl<'a> Waiting<'a> {
    fn start<E: Env>(env: &E, task_id: &'a str, opts: &WaitOptions) -> Waiting<'a> {
        let started = env.now_ms();
        Waiting {
            task_id,
            schedule: opts.poll,
            started,
            deadline: started + opts.timeout_ms,
            last_status: None,
            last_error: None,
        }
    }

    /// Sleeps until the next poll, never past the deadline (the last poll comes at it); at or
    /// after the deadline, ends the wait instead.
    async fn pause<E: Env>(&self, env: &E) -> Result<(), Error> {
        let now = env.now_ms();
        let remaining = self.deadline - now;
        if remaining <= 0.0 {
            return Err(self.timeout());
        }
        let interval = self.schedule.interval_ms(now - self.started);
        let ms = f64::from(interval).min(remaining).ceil() as u32;
        let task_id = self.task_id;
        env.sleep(ms).await.map_err(|t| {
            let mut e = transport_error(t, 0).with_task_id(task_id);
            e.message = format!("stopped waiting for task {task_id}: the caller aborted. The task keeps running on Kling and is billable");
            e
        })
    }

    /// The error at the deadline: the task is still running, and this is what was last seen.
    fn timeout(&self) -> Error {
        let task_id = self.task_id;
        let status = self.last_status.as_deref().unwrap_or("unknown");
        let mut message = format!(
            "stopped waiting for task {task_id} at the deadline (timeoutMs); its last status was `{status}`. The task keeps running on Kling and is billable: wait again or look it up later"
        );
        if let Some(e) = &self.last_error {
            message.push_str(&format!(" (the last poll failed: {})", e.message));
        }
        let mut e = Error::new(ErrorKind::WaitTimeout, message);
        e.task_id = Some(task_id.to_string());
        e.last_status = self.last_status.clone();
        e
    }
}

fn task_failed<J: Json>(task: &Task<J>) -> Error {
    let id = task.id();
    let reason = task.status_msg().unwrap_or("Kling gave no reason");
    let mut e = Error::new(ErrorKind::TaskFailed, format!("task {id} failed: {reason}"));
    e.task_id = Some(id);
    e.task_status_msg = task.status_msg().map(str::to_string);
    e.external_task_id = task.external_task_id();
    e.last_status = Some("failed".into());
    e
}
