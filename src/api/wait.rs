//! Waiting for a task: poll until it succeeds or fails, never past a deadline.

use serde_json::Value;

use crate::api::client::{transport_error, Client, RequestOptions};
use crate::api::env::Env;
use crate::api::error::{Error, ErrorKind};
use crate::api::model::Family;
use crate::api::task::{Task, TaskStatus};
use crate::api::validate::{check_id, num};

/// Thirty minutes: long enough for a busy queue, short enough that nobody waits forever.
pub const DEFAULT_WAIT_TIMEOUT_MS: f64 = 30.0 * 60_000.0;
/// Kling asks for polls every 5–15 s.
pub const DEFAULT_POLL_INTERVAL_MS: u32 = 5_000;
/// A poll near the deadline may still take this long, so a wait overshoots by at most this.
const MIN_POLL_ATTEMPT_MS: f64 = 5_000.0;
const MAX_WAIT_TIMEOUT_MS: f64 = 7.0 * 24.0 * 3_600_000.0;

/// How to wait.
#[derive(Debug, Clone, Copy)]
pub struct WaitOptions {
    /// Give up (with `ERR_KLING_WAIT_TIMEOUT`) after this long.
    pub timeout_ms: f64,
    /// Pause between polls.
    pub poll_interval_ms: u32,
    /// Options for each poll.
    pub request: RequestOptions,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            timeout_ms: DEFAULT_WAIT_TIMEOUT_MS,
            poll_interval_ms: DEFAULT_POLL_INTERVAL_MS,
            request: RequestOptions::default(),
        }
    }
}

impl WaitOptions {
    /// Checks raw wait options.
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
            if !(p.is_finite() && (0.0..=600_000.0).contains(&p)) {
                return Err(Error::invalid_options(format!(
                    "`pollIntervalMs` must be from 0 to 600000, not {}",
                    num(p)
                )));
            }
            w.poll_interval_ms = p.round() as u32;
        }
        Ok(w)
    }
}

/// Called with every task state seen while waiting.
pub type Progress<'a> = &'a mut dyn FnMut(&Task);

impl Client {
    /// Polls `task_id` until it ends. `first` is a state already known (a create's answer): it is
    /// reported, and the first poll comes one interval later.
    pub async fn wait<E: Env>(
        &self,
        env: &E,
        family: Family,
        task_id: &str,
        first: Option<Task>,
        opts: &WaitOptions,
        progress: Progress<'_>,
    ) -> Result<Task, Error> {
        check_id("taskId", task_id)?;
        let deadline = env.now_ms() + opts.timeout_ms;
        let mut last_status = None;
        let mut last_error: Option<Error> = None;
        let mut known = first;
        // A state already known (a create's answer) is reported, then the first poll waits.
        let mut pause = known.is_some();
        loop {
            if let Some(task) = known.take() {
                progress(&task);
                match task.status() {
                    TaskStatus::Succeed => return Ok(task),
                    TaskStatus::Failed => return Err(task_failed(&task)),
                    _ => last_status = Some(task.status_str().to_string()),
                }
            }
            if pause {
                let interval = opts.poll_interval_ms;
                self.pause(env, task_id, deadline, interval, &last_status, &last_error)
                    .await?;
            }
            pause = true;
            match self
                .get_task(env, family, task_id, self.poll_options(env, deadline, opts))
                .await
            {
                Ok(task) => {
                    last_error = None;
                    known = Some(task);
                }
                // A flaky network must not end a wait that the deadline still allows.
                Err(e) if e.retryable => last_error = Some(e),
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
        params: &Value,
        opts: &WaitOptions,
        progress: Progress<'_>,
    ) -> Result<Task, Error> {
        family.check_create(params)?;
        let _slot = match self.slots() {
            Some(slots) => Some(slots.acquire(env).await?),
            None => None,
        };
        let created = self.create(env, family, params, opts.request).await?;
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

    async fn pause<E: Env>(
        &self,
        env: &E,
        task_id: &str,
        deadline: f64,
        interval: u32,
        last_status: &Option<String>,
        last_error: &Option<Error>,
    ) -> Result<(), Error> {
        let remaining = deadline - env.now_ms();
        if remaining <= 0.0 {
            return Err(wait_timeout(task_id, last_status, last_error));
        }
        let ms = f64::from(interval).min(remaining).ceil() as u32;
        env.sleep(ms).await.map_err(|t| {
            let mut e = transport_error(t, 0).with_task_id(task_id);
            e.message = format!("stopped waiting for task {task_id}: the caller aborted. The task keeps running on Kling and is billable");
            e
        })
    }
}

fn task_failed(task: &Task) -> Error {
    let id = task.id();
    let reason = task.status_msg().unwrap_or("Kling gave no reason");
    let mut e = Error::new(ErrorKind::TaskFailed, format!("task {id} failed: {reason}"));
    e.task_id = Some(id);
    e.task_status_msg = task.status_msg().map(str::to_string);
    e.external_task_id = task.external_task_id().map(str::to_string);
    e.last_status = Some("failed".into());
    e
}

fn wait_timeout(task_id: &str, last_status: &Option<String>, last_error: &Option<Error>) -> Error {
    let status = last_status.as_deref().unwrap_or("unknown");
    let mut message = format!(
        "stopped waiting for task {task_id} at the deadline (timeoutMs); its last status was `{status}`. The task keeps running on Kling and is billable: wait again or look it up later"
    );
    if let Some(e) = last_error {
        message.push_str(&format!(" (the last poll failed: {})", e.message));
    }
    let mut e = Error::new(ErrorKind::WaitTimeout, message);
    e.task_id = Some(task_id.to_string());
    e.last_status = last_status.clone();
    e
}
