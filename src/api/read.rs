//! Reading tasks: one by id, one page of a list.

use crate::api::client::{Call, Client, RequestOptions};
use crate::api::env::Env;
use crate::api::error::Error;
use crate::api::json::Json;
use crate::api::model::{Family, Page};
use crate::api::task::Task;
use crate::api::validate::check_id;

impl Client {
    /// `GET {family}/{id}`: one task by task id or external task id.
    pub async fn get_task<E: Env>(
        &self,
        env: &E,
        family: Family,
        id: &str,
        opts: RequestOptions,
    ) -> Result<Task<E::Json>, Error> {
        check_id("id", id)?;
        let path = family.task_path(id);
        let reply = self
            .call(env, &Call::get(&path, opts))
            .await
            .map_err(|e| e.with_task_id(id))?;
        reply.into_task().map_err(|e| e.with_task_id(id))
    }

    /// `GET {family}?pageNum&pageSize`: one page of tasks, newest first.
    pub async fn list_tasks<E: Env>(
        &self,
        env: &E,
        family: Family,
        page: Page,
        opts: RequestOptions,
    ) -> Result<Vec<Task<E::Json>>, Error> {
        let path = format!(
            "{}?pageNum={}&pageSize={}",
            family.path(),
            page.num,
            page.size
        );
        let reply = self.call(env, &Call::get(&path, opts)).await?;
        let request_id = reply.request_id;
        let Some(items) = reply.data.read::<Vec<E::Json>>() else {
            return Err(Error::decode("the list response's data is not an array")
                .with_request_id(request_id));
        };
        items
            .into_iter()
            .map(|item| match Task::from_json(item) {
                Ok(task) => Ok(task.with_request_id(request_id.clone())),
                Err(e) => Err(e.with_request_id(request_id.clone())),
            })
            .collect()
    }
}
