//! Creating a task without ever creating it twice.
//!
//! Kling has no idempotency header; `external_task_id` is the only handle. Every create carries
//! one (generated when the caller gave none). After a failure that may have reached Kling — a
//! dropped connection, a timeout, a 5xx, a garbled 2xx — the task is looked up by that id before
//! anything is submitted again.

use serde_json::Value;

use crate::api::client::{encode_segment, Client, RequestOptions, RetryState};
use crate::api::env::Env;
use crate::api::error::{Error, ErrorKind};
use crate::api::http::Method;
use crate::api::model::Family;
use crate::api::task::Task;
use crate::api::validate::json_text;

/// What a lookup by external task id found.
enum Lookup {
    Found(Task),
    Absent,
}

impl Client {
    /// Validates `params`, then creates one task of `family` and returns Kling's create answer.
    pub async fn create<E: Env>(
        &self,
        env: &E,
        family: Family,
        params: &Value,
        opts: RequestOptions,
    ) -> Result<Task, Error> {
        let mut body = family.check_create(params)?;
        let external_id = match body.get("external_task_id").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None => {
                let id = new_external_task_id(env);
                body.insert("external_task_id".into(), Value::String(id.clone()));
                id
            }
        };
        let json = json_text(&Value::Object(body));
        self.create_checked(env, family, &json, &external_id, opts)
            .await
            .map_err(|(e, in_doubt)| annotate(e, family, &external_id, in_doubt))
    }

    async fn create_checked<E: Env>(
        &self,
        env: &E,
        family: Family,
        json: &str,
        external_id: &str,
        opts: RequestOptions,
    ) -> Result<Task, (Error, bool)> {
        let mut retry = RetryState {
            create: true,
            ..RetryState::default()
        };
        let mut in_doubt = false;
        let mut resubmitted = false;
        let mut duplicate_checked = false;
        loop {
            let result = if in_doubt {
                match self.lookup(env, family, external_id, opts).await {
                    Ok(Lookup::Found(task)) => return Ok(task),
                    Ok(Lookup::Absent) => {
                        // The earlier attempt never reached Kling: submitting again is safe.
                        in_doubt = false;
                        resubmitted = true;
                        continue;
                    }
                    Err(e) => Err(e),
                }
            } else {
                self.submit(env, family, json, opts).await
            };
            let e = match result {
                Ok(task) => return Ok(task),
                Err(e) => e,
            };
            if resubmitted && !duplicate_checked && e.kind == ErrorKind::BadRequest {
                // Kling refuses a reused external_task_id: the first attempt landed after all.
                duplicate_checked = true;
                in_doubt = true;
                continue;
            }
            in_doubt = in_doubt || e.may_have_created();
            if e.kind == ErrorKind::Aborted {
                return Err((e, in_doubt));
            }
            if let Err(e) = self.pause_before_retry(env, e, &mut retry, opts).await {
                return Err((e, in_doubt));
            }
        }
    }

    async fn submit<E: Env>(
        &self,
        env: &E,
        family: Family,
        json: &str,
        opts: RequestOptions,
    ) -> Result<Task, Error> {
        let reply = self
            .exchange(env, Method::Post, family.path(), Some(json), opts)
            .await?;
        let status = reply.status;
        reply.into_task().map_err(|mut e| {
            // A 2xx that is not a task still means Kling accepted the request.
            e.status = Some(status);
            e
        })
    }

    async fn lookup<E: Env>(
        &self,
        env: &E,
        family: Family,
        external_id: &str,
        opts: RequestOptions,
    ) -> Result<Lookup, Error> {
        let path = format!("{}/{}", family.path(), encode_segment(external_id));
        match self.exchange(env, Method::Get, &path, None, opts).await {
            Ok(reply) => reply.into_task().map(Lookup::Found),
            // Only "resource does not exist" proves absence; 1202 (wrong method) proves nothing.
            Err(e) if e.kind == ErrorKind::NotFound && e.api_code != Some(1202) => {
                Ok(Lookup::Absent)
            }
            Err(e) => Err(e),
        }
    }
}

/// Every create error carries the external task id; one that may have created the task says so.
fn annotate(mut e: Error, family: Family, external_id: &str, in_doubt: bool) -> Error {
    e.external_task_id = Some(external_id.to_string());
    if in_doubt {
        let getter = match family {
            Family::VideoExtend => "getExtension",
            Family::TextToVideo => "getTextToVideo",
            Family::ImageToVideo => "getImageToVideo",
        };
        e.message.push_str(&format!(
            ". The task may have been created: look it up with {getter}(\"{external_id}\") before submitting again"
        ));
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
