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

use crate::api::client::{encode_segment, Client, RequestOptions};
use crate::api::env::{Env, Json};
use crate::api::error::{Error, ErrorKind};
use crate::api::fit::explain_model_refusal;
use crate::api::http::Method;
use crate::api::model::Family;
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

/// How a create ended when it did not: the error, and whether the task may exist all the same.
pub(crate) type CreateFailure = (Error, bool);

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
        let mut body = family.check_create_with(params, self.config().allow_retired_models)?;
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
            .map_err(|(e, may_exist)| {
                let advice = format!(
                    "call again with external_task_id \"{external_id}\": the same id returns that task if it exists and creates it once if not"
                );
                let e = explain_model_refusal(e, family, body.model_name());
                in_doubt(e, &external_id, may_exist, &advice)
            })
    }

    /// Creates the task under `key`, already checked and made into `json`. `given`: the
    /// caller chose the id, so it may already be held (by an earlier call) from the first attempt.
    pub(crate) async fn create_keyed<E: Env>(
        &self,
        env: &E,
        key: Key<'_>,
        json: &E::Json,
        given: bool,
        opts: RequestOptions,
    ) -> Result<Task<E::Json>, CreateFailure> {
        let mut retry = RetryState {
            create: true,
            ..RetryState::default()
        };
        // An attempt may have created the task and no lookup has shown otherwise.
        let mut may_exist = false;
        // The next step is a lookup rather than a submit.
        let mut look_up = false;
        // Kling refused a create as a bad request: is the id held (a duplicate) or the request bad?
        let mut refusal: Option<Error> = None;
        let mut refusal_checked = false;
        let mut posted = false;
        loop {
            let e = if look_up {
                match self
                    .lookup(env, key.family, key.external_id, opts, &mut retry)
                    .await
                {
                    Ok(Lookup::Found(task)) => return key.claim(task).map_err(|e| (e, false)),
                    Ok(Lookup::Absent) => {
                        // Nothing holds the id: no attempt created the task.
                        may_exist = false;
                        if let Some(refused) = refusal.take() {
                            return Err((refused, false));
                        }
                        look_up = false;
                        continue;
                    }
                    Err(e) => e,
                }
            } else {
                let sent_before = posted;
                posted = true;
                match self.submit(env, key.family, json, opts, &mut retry).await {
                    Ok(task) => return Ok(task),
                    // The id may be held — by an earlier attempt of this call, or by an earlier
                    // call with the caller's id: Kling's refusal of a duplicate is undocumented,
                    // so any bad-request answer is checked once against the id's holder.
                    Err(e)
                        if e.kind == ErrorKind::BadRequest
                            && (given || sent_before)
                            && !refusal_checked =>
                    {
                        refusal_checked = true;
                        refusal = Some(e);
                        look_up = true;
                        continue;
                    }
                    Err(e) => {
                        if e.may_have_created() {
                            may_exist = true;
                            look_up = true;
                        }
                        e
                    }
                }
            };
            if e.kind == ErrorKind::Aborted {
                return Err((refusal.unwrap_or(e), may_exist));
            }
            if let Err(e) = self.pause_before_retry(env, e, &mut retry, opts).await {
                // A lookup that could not check a refusal: Kling's own answer says more.
                let e = match refusal {
                    Some(refused) if e.kind != ErrorKind::Aborted => refused,
                    _ => e,
                };
                return Err((e, may_exist));
            }
        }
    }

    async fn submit<E: Env>(
        &self,
        env: &E,
        family: Family,
        json: &E::Json,
        opts: RequestOptions,
        retry: &mut RetryState,
    ) -> Result<Task<E::Json>, Error> {
        let reply = self
            .exchange(env, Method::Post, family.path(), Some(json), opts, retry)
            .await?;
        let status = reply.status;
        reply.into_task().map_err(|mut e| {
            // A 2xx that is not a task still means Kling accepted the request.
            e.status = Some(status);
            e
        })
    }

    /// One GET by external task id: the task, or proof that no task holds the id.
    pub(crate) async fn lookup<E: Env>(
        &self,
        env: &E,
        family: Family,
        external_id: &str,
        opts: RequestOptions,
        retry: &mut RetryState,
    ) -> Result<Lookup<E::Json>, Error> {
        let path = format!("{}/{}", family.path(), encode_segment(external_id));
        match self
            .exchange(env, Method::Get, &path, None, opts, retry)
            .await
        {
            Ok(reply) => reply.into_task().map(Lookup::Found),
            // Only "resource does not exist" proves absence; 1202 (wrong method) proves nothing.
            Err(e) if e.kind == ErrorKind::NotFound && e.api_code != Some(1202) => {
                Ok(Lookup::Absent)
            }
            Err(e) => Err(e),
        }
    }
}

/// Every create error carries the id it was made under (`external_id`). One that could not be
/// settled says so in fields — `taskMayExist`, not `retryable` — and in words, with `advice` on
/// the safe way to call again.
pub(crate) fn in_doubt(mut e: Error, external_id: &str, may_exist: bool, advice: &str) -> Error {
    e.external_task_id = Some(external_id.to_string());
    if may_exist {
        e.task_may_exist = true;
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
