//! Creating a task without ever creating it twice.
//!
//! Kling has no idempotency header; `external_task_id` is the only handle, and this module makes it
//! an idempotency key with Stripe's semantics:
//!
//! - every create carries one (generated when the caller gave none);
//! - the **same id with the same request** resolves with the task that holds the id and creates
//!   nothing — whether the duplicate shows up as Kling's refusal of a create (the id is then looked
//!   up) or as the lookup after an ambiguous failure;
//! - the **same id with a different request** is refused (`ERR_KLING_BAD_REQUEST`, `field:
//!   "external_task_id"`, `taskId` of the holder), and nothing is created.
//!
//! "The same request" is what Kling echoes back: for video-extend the source video
//! (`task_info.parent_video.id`); text2video and image2video echo no parameters, so for them the id
//! alone decides.
//!
//! After a failure that may have reached Kling — a dropped connection, a timeout, a 5xx, a garbled
//! 2xx — the task is looked up by its id before anything is submitted again. When even that cannot
//! settle it, the error says `taskMayExist` and is not `retryable`: calling again with the same id
//! is the safe retry.

use crate::api::client::{Call, Client, RequestOptions};
use crate::api::env::Env;
use crate::api::error::{Error, ErrorKind};
use crate::api::fit::explain_model_refusal;
use crate::api::json::Json;
use crate::api::model::{CreateParams, Family};
use crate::api::reply::Reply;
use crate::api::retry::RetryState;
use crate::api::task::Task;

/// What a lookup by external task id found.
pub(crate) enum Lookup<J> {
    Found(Task<J>),
    Absent,
}

/// The identity of one create: its key, and what of the request Kling echoes back.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key<'a> {
    pub family: Family,
    pub external_id: &'a str,
    /// The `video_id` of an extension.
    pub video_id: Option<&'a str>,
}

impl Key<'_> {
    /// Where the task that holds this key is looked up.
    fn path(&self) -> String {
        self.family.task_path(self.external_id)
    }

    /// The task that holds this key, if it answers this request; the refusal otherwise.
    pub(crate) fn claim<J: Json>(&self, task: Task<J>) -> Result<Task<J>, Error> {
        let Some(wanted) = self.video_id else {
            return Ok(task);
        };
        let held = task.parent_video_id();
        if held.as_deref() == Some(wanted) {
            return Ok(task);
        }
        let holder = task.id();
        let extends = match held {
            Some(v) => format!("extends video {v}"),
            None => "does not say which video it extends".to_string(),
        };
        let mut e = Error::new(
            ErrorKind::BadRequest,
            format!(
                "external_task_id \"{}\" already belongs to task {holder}, which {extends}, not video {wanted}; nothing was created. Give this request an external_task_id of its own, or get task {holder} if it is the one you meant",
                self.external_id
            ),
        );
        e.field = Some("external_task_id".into());
        e.task_id = Some(holder);
        e.request_id = task.request_id().map(str::to_string);
        Err(e)
    }
}

/// Where a keyed create stands: the idempotency rule, one step at a time.
// One `Step` lives per create, on the stack: boxing the refusal would save nothing.
#[allow(clippy::large_enum_variant)]
enum Step {
    /// Send the create. `held`: the id may already belong to a task — the caller chose it, or an
    /// earlier attempt of this call sent it.
    Submit { held: bool },
    /// An attempt may have created the task: look it up by its id before sending again.
    Settle,
    /// Kling refused the create as a bad request while the id may be held. Its refusal of a
    /// duplicate is undocumented, so the id's holder is looked up once: a duplicate resolves with
    /// the holder; otherwise the refusal stands.
    CheckRefusal(Error),
}

impl Client {
    /// Validates `params`, then creates one task of `family` and returns Kling's create answer (or,
    /// under the idempotency rule above, the task that already holds the `external_task_id`).
    pub async fn create<E: Env>(
        &self,
        env: &E,
        family: Family,
        params: &E::Json,
        opts: RequestOptions,
    ) -> Result<Task<E::Json>, Error> {
        let body = family.check_create_with(params, self.config().allow_retired_models)?;
        self.create_checked(env, family, body, opts).await
    }

    /// [`Client::create`] of parameters already checked: the id is generated when absent, and
    /// every failure carries it (with advice on calling again when the task may exist).
    pub(crate) async fn create_checked<E: Env>(
        &self,
        env: &E,
        family: Family,
        mut body: CreateParams<E::Json>,
        opts: RequestOptions,
    ) -> Result<Task<E::Json>, Error> {
        let given = body.external_task_id().is_some();
        let external_id = match body.external_task_id() {
            Some(id) => id.to_string(),
            None => {
                let id = new_external_task_id(env);
                body.set_external_task_id(id.clone());
                id
            }
        };
        let key = Key {
            family,
            external_id: &external_id,
            video_id: body.video_id(),
        };
        self.create_keyed(env, key, &body.to_json(), given, opts)
            .await
            .map_err(|e| {
                let advice = format!(
                    "call again with external_task_id \"{external_id}\": the same id returns that task if it exists and creates it once if not"
                );
                let e = explain_model_refusal(e, family, body.model_name());
                in_doubt(e, &external_id, &advice)
            })
    }

    /// Creates the task under `key`, already checked and made into `json`. `given`: the
    /// caller chose the id, so it may already be held (by an earlier call) from the first attempt.
    /// A failure after which the task may exist all the same says so in
    /// [`Error::task_may_exist`].
    pub(crate) async fn create_keyed<E: Env>(
        &self,
        env: &E,
        key: Key<'_>,
        json: &E::Json,
        given: bool,
        opts: RequestOptions,
    ) -> Result<Task<E::Json>, Error> {
        let post = Call::post(key.family.path(), json, opts);
        let path = key.path();
        let get = Call::get(&path, opts);
        let mut retry = RetryState::create();
        let mut step = Step::Submit { held: given };
        loop {
            let (call, e) = match step {
                Step::Submit { held } => match self.submit(env, &post, &mut retry).await {
                    Ok(task) => return Ok(task),
                    Err(e) if held && e.kind == ErrorKind::BadRequest => {
                        step = Step::CheckRefusal(e);
                        continue;
                    }
                    Err(e) => {
                        step = if e.may_have_created() {
                            Step::Settle
                        } else {
                            Step::Submit { held: true }
                        };
                        (&post, e)
                    }
                },
                Step::Settle | Step::CheckRefusal(_) => {
                    match lookup_answer(self.exchange(env, &get, &mut retry).await) {
                        Ok(Lookup::Found(task)) => return key.claim(task),
                        // Nothing holds the id: no attempt created the task, and a refusal
                        // was about the request itself.
                        Ok(Lookup::Absent) => match step {
                            Step::CheckRefusal(refused) => return Err(refused),
                            _ => {
                                step = Step::Submit { held: true };
                                continue;
                            }
                        },
                        Err(e) => (&get, e),
                    }
                }
            };
            let may_exist = matches!(step, Step::Settle);
            // An abort mid-request ends the create at once, unlogged.
            let e = match e.kind {
                ErrorKind::Aborted => e,
                _ => match self.pause_before_retry(env, call, e, &mut retry).await {
                    Ok(()) => continue,
                    Err(e) if e.kind == ErrorKind::Aborted => return Err(doubt(e, may_exist)),
                    Err(e) => e,
                },
            };
            // A refusal the lookup could not check: Kling's own answer says more.
            let e = match step {
                Step::CheckRefusal(refused) => refused,
                _ => e,
            };
            return Err(doubt(e, may_exist));
        }
    }

    async fn submit<E: Env>(
        &self,
        env: &E,
        post: &Call<'_, E::Json>,
        retry: &mut RetryState,
    ) -> Result<Task<E::Json>, Error> {
        let reply = self.exchange(env, post, retry).await?;
        let status = reply.status;
        reply.into_task().map_err(|mut e| {
            // A 2xx that is not a task still means Kling accepted the request.
            e.status = Some(status);
            e
        })
    }

    /// A lookup by external task id, retried as any read is: the task, or proof that no task
    /// holds the id.
    pub(crate) async fn lookup<E: Env>(
        &self,
        env: &E,
        family: Family,
        external_id: &str,
        opts: RequestOptions,
    ) -> Result<Lookup<E::Json>, Error> {
        let path = family.task_path(external_id);
        let get = Call::get(&path, opts);
        let mut retry = RetryState::default();
        loop {
            match lookup_answer(self.exchange(env, &get, &mut retry).await) {
                Ok(found) => return Ok(found),
                Err(e) => self.pause_before_retry(env, &get, e, &mut retry).await?,
            }
        }
    }
}

/// What one GET by external task id found.
fn lookup_answer<J: Json>(answer: Result<Reply<J>, Error>) -> Result<Lookup<J>, Error> {
    match answer {
        Ok(reply) => reply.into_task().map(Lookup::Found),
        // Only "resource does not exist" proves absence; 1202 (wrong method) proves nothing.
        Err(e) if e.kind == ErrorKind::NotFound && e.api_code != Some(1202) => Ok(Lookup::Absent),
        Err(e) => Err(e),
    }
}

/// Marks a create's failure after which the task may exist all the same.
fn doubt(mut e: Error, may_exist: bool) -> Error {
    if may_exist {
        e.task_may_exist = true;
    }
    e
}

/// Every create error carries the id it was made under (`external_id`). One that could not be
/// settled ([`Error::task_may_exist`]) is not `retryable`, and says so in words too, with
/// `advice` on the safe way to call again.
pub(crate) fn in_doubt(mut e: Error, external_id: &str, advice: &str) -> Error {
    e.external_task_id = Some(external_id.to_string());
    if e.task_may_exist {
        e.retryable = false;
        e.message
            .push_str(&format!(". The task may have been created: {advice}"));
    }
    e
}

/// A fresh `external_task_id`: `ke-` and 24 random hex digits.
pub fn new_external_task_id<E: Env>(env: &E) -> String {
    let mut bytes = [0u8; 12];
    env.fill_random(&mut bytes);
    let mut id = String::from("ke-");
    for b in bytes {
        id.push_str(&format!("{b:02x}"));
    }
    id
}
