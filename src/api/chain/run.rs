//! A chain's runner: every step created (or found again) under its id and waited for, then the
//! next, by the plan's arithmetic (`plan.rs`).

use crate::api::chain::plan::{ChainPlan, Clip, Position};
use crate::api::chain::steps::{step_external_id, Method, MAX_STEP_ATTEMPTS};
use crate::api::client::Client;
use crate::api::create::{in_doubt, new_external_task_id, Key, Lookup};
use crate::api::env::Env;
use crate::api::error::{Error, ErrorKind};
use crate::api::model::Family;
use crate::api::task::{Task, TaskStatus};
use crate::api::wait::WaitOptions;

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

/// A finished chain: its method, its prefix, every step's task and the clips of its video.
#[derive(Debug)]
pub struct ChainRun<J> {
    /// How the steps continued the video.
    pub method: Method,
    /// The prefix every step's id derives from (the caller's, or the generated one).
    pub prefix: String,
    /// Every step's finished task, in order.
    pub tasks: Vec<Task<J>>,
    /// The clips of the video, in order: the source and every step's clip (one, the whole
    /// video, for `extend`).
    pub clips: Vec<Clip>,
    /// The video's length in seconds, when known.
    pub duration: Option<f64>,
}

/// Where a running chain stands.
struct Run<'p> {
    prefix: &'p str,
    /// Earlier runs under this prefix may have created steps: look each up before creating it.
    /// Step n+1 continues step n's result, so past the first step that does not exist, none does.
    probing: bool,
    wait: &'p WaitOptions,
}

impl Client {
    /// Runs a chain: each step continues the previous result by the plan's method and is waited
    /// for before the next. A step that could pass the chain's length limit is refused before it
    /// is submitted; a `last-frame` chain on a host that cannot decode a frame, before anything.
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
    ) -> Result<ChainRun<E::Json>, ChainError<E::Json>> {
        let probing = plan.prefix().is_some();
        let prefix = plan
            .prefix()
            .map_or_else(|| new_external_task_id(env), str::to_string);
        let mut done: Vec<Task<E::Json>> = Vec::with_capacity(plan.len());
        if plan.method() == Method::LastFrame && !env.decodes_frames() {
            let e = Error::invalid_request(
                "method",
                "a last-frame chain starts each step from the previous clip's last frame, and this runtime cannot decode one: give the client a `lastFrame(clipUrl)` hook, or use the method next-shot",
            );
            return Err(chain_error(e, &prefix, done));
        }
        let mut run = Run {
            prefix: &prefix,
            probing,
            wait,
        };
        for n in 1..=plan.len() {
            let at = match plan.position(&done) {
                Ok(at) => at,
                Err(e) => return Err(chain_error(e, &prefix, done)),
            };
            match self.chain_step(env, &plan, &mut run, &at, progress).await {
                Ok(task) => done.push(task),
                Err(e) => return Err(chain_error(e, &prefix, done)),
            }
            debug_assert_eq!(done.len(), n);
        }
        // The last step's result must be there too, as every earlier one's was.
        let end = match plan.position(&done) {
            Ok(end) => end,
            Err(e) => return Err(chain_error(e, &prefix, done)),
        };
        Ok(ChainRun {
            method: plan.method(),
            clips: plan.clips(&done),
            duration: end.total,
            prefix,
            tasks: done,
        })
    }

    /// Step `at.step`: reuses the task an earlier run made for it, or creates one; then waits.
    async fn chain_step<E: Env>(
        &self,
        env: &E,
        plan: &ChainPlan,
        run: &mut Run<'_>,
        at: &Position,
        progress: StepProgress<'_, E::Json>,
    ) -> Result<Task<E::Json>, Error> {
        let n = at.step;
        let family = plan.family(n);
        plan.check_room(at)?;
        let mut report = |t: &Task<E::Json>| progress(t, n - 1);
        // An extension's id is held to the video it extends; a clip's id alone decides.
        let key_video = match family {
            Family::VideoExtend => at.video_id.as_deref(),
            _ => None,
        };
        let mut attempt = 1;
        let mut existing = None;
        while run.probing {
            let id = step_external_id(run.prefix, n, attempt);
            let key = Key {
                family,
                external_id: &id,
                video_id: key_video,
            };
            match self.lookup(env, family, &id, run.wait.request).await {
                Err(e) => return Err(e.with_task_id(&id)),
                Ok(Lookup::Absent) => run.probing = false,
                Ok(Lookup::Found(task)) => {
                    let task = key.claim(task)?;
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
                        return Err(e);
                    }
                }
            }
        }
        let _slot = match self.slots() {
            Some(slots) => Some(slots.acquire(env).await?),
            None => None,
        };
        let task = match existing {
            Some(task) => task,
            None => {
                let frame = match (plan.method(), at.clip_url.as_deref()) {
                    (Method::LastFrame, Some(url)) => Some(env.last_frame(url).await?),
                    _ => None,
                };
                let request = plan.request::<E::Json>(at, run.prefix, attempt, frame.as_deref())?;
                let id = step_external_id(run.prefix, n, attempt);
                let key = Key {
                    family,
                    external_id: &id,
                    video_id: key_video,
                };
                self.create_keyed(env, key, &request.body, true, run.wait.request)
                    .await?
            }
        };
        let id = task.id();
        self.wait(env, family, &id, Some(task), run.wait, &mut report)
            .await
    }
}

/// Every chain error carries the prefix to re-run it under and the steps it finished.
fn chain_error<J>(e: Error, prefix: &str, done: Vec<Task<J>>) -> ChainError<J> {
    let advice = format!(
        "re-run the chain with external_task_id \"{prefix}\": steps that exist are reused, never paid again"
    );
    let may_exist = e.task_may_exist;
    let mut e = in_doubt(e, prefix, &advice);
    if !may_exist {
        e.message.push_str(&format!(". To continue, {advice}"));
    }
    ChainError {
        error: e,
        completed: done,
    }
}
