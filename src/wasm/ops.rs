//! Every asynchronous operation of the client, run through one future type. Each distinct future
//! handed to `future_to_promise` is compiled into its own copy of the executor glue and the whole
//! operation; one `execute` for all of them keeps the wasm several kilobytes smaller. Each
//! operation's future is boxed (`Box::pin`), so `execute`'s own state holds a pointer, not the
//! largest of them: 0.5 KB gzip less (measured with `make size-profile`), for one allocation a call.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

use crate::api::chain::{ChainError, ChainPlan, ChainRun, Platform};
use crate::api::env::Env;
use crate::api::json::Json;
use crate::api::model::Page;
use crate::api::options::CallOptions;
use crate::api::pages::Pages;
use crate::api::wait::WaitCallOptions;
use crate::api::{Error, Family, RequestOptions, Task, WaitOptions};
use crate::wasm::convert::{function, options_of, signal_of, task_to_js};
use crate::wasm::error::{chain_error_to_js, to_js_error};
use crate::wasm::host;
use crate::wasm::inner::Inner;
use crate::wasm::json::Js;

/// One call of the public API, with its arguments as JavaScript gave them.
pub(crate) enum Op {
    Create(Family, JsValue, Option<JsValue>),
    Get(Family, JsValue, Option<JsValue>),
    List(Family, Option<JsValue>, Option<JsValue>),
    Wait(Family, JsValue, Option<JsValue>),
    CreateAndWait(Family, JsValue, Option<JsValue>),
    /// `chains.run` resolves the run (method, prefix, tasks, clips, length); `extensions.chain`
    /// (`legacy`) extends by default and resolves the tasks.
    Chain {
        params: JsValue,
        opts: Option<JsValue>,
        legacy: bool,
    },
    /// The next task of an iterator: resolves `{done, value}`.
    Next(Family, Rc<RefCell<Pages<Js>>>),
    /// `account.costs`: resolves Kling's `data` as sent.
    Costs(JsValue, Option<JsValue>),
}

/// Runs `op` and returns its promise; failures reject with a `KlingError`.
pub(crate) fn start(inner: Rc<Inner>, op: Op) -> Promise {
    future_to_promise(async move {
        execute(&inner, op).await.map_err(|e| match e {
            Failure::Call(e) => to_js_error(&e),
            Failure::Chain(e) => chain_error_to_js(&e),
        })
    })
}

/// Why an operation failed: every one with an error, a chain with the steps it finished too.
enum Failure {
    Call(Error),
    Chain(ChainError<Js>),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Call(e)
    }
}

async fn execute(inner: &Inner, op: Op) -> Result<JsValue, Failure> {
    let client = &inner.client;
    match op {
        Op::Create(family, params, opts) => {
            let (opts, signal) = request_options(&opts)?;
            let task = Box::pin(client.create(
                &inner.env(signal),
                family,
                &Js::params(&params, "params")?,
                opts,
            ))
            .await?;
            Ok(task_to_js(&task))
        }
        Op::Get(family, id, opts) => {
            let (opts, signal) = request_options(&opts)?;
            let id = string(&id, "id")?;
            let task = Box::pin(client.get_task(&inner.env(signal), family, &id, opts)).await?;
            Ok(task_to_js(&task))
        }
        Op::List(family, params, opts) => {
            let (opts, signal) = request_options(&opts)?;
            let page = Page::from_params(Js::given(params, "params")?.as_ref())?;
            let tasks = Box::pin(client.list_tasks(&inner.env(signal), family, page, opts)).await?;
            Ok(tasks_to_js(tasks))
        }
        Op::Wait(family, task_id, opts) => {
            let (wait, signal, on_progress) = wait_options(&opts)?;
            let id = string(&task_id, "taskId")?;
            let mut report = reporter(on_progress, None);
            let env = inner.env(signal);
            let progress = &mut |t: &Task<Js>| report(t, 0);
            let task = Box::pin(client.wait(&env, family, &id, None, &wait, progress)).await?;
            Ok(task_to_js(&task))
        }
        Op::CreateAndWait(family, params, opts) => {
            let (wait, signal, on_progress) = wait_options(&opts)?;
            let mut report = reporter(on_progress, None);
            let env = inner.env(signal);
            let progress = &mut |t: &Task<Js>| report(t, 0);
            let task = Box::pin(client.create_and_wait(
                &env,
                family,
                &Js::params(&params, "params")?,
                &wait,
                progress,
            ))
            .await?;
            Ok(task_to_js(&task))
        }
        Op::Chain {
            params,
            opts,
            legacy,
        } => {
            let (wait, signal, on_progress) = wait_options(&opts)?;
            let env = inner.env(signal);
            let params = Js::params(&params, "params")?;
            let plan = if legacy {
                ChainPlan::from_params(&params)?
            } else {
                let platform = Platform {
                    decodes_frames: env.decodes_frames(),
                    allow_retired: client.config().allow_retired_models,
                    default_method: None,
                };
                ChainPlan::read(&params, platform)?
            };
            let mut report = reporter(on_progress, Some(plan.len()));
            match Box::pin(client.chain(&env, plan, &wait, &mut report)).await {
                Ok(run) if legacy => Ok(tasks_to_js(run.tasks)),
                Ok(run) => Ok(run_to_js(run)),
                Err(e) => Err(Failure::Chain(e)),
            }
        }
        Op::Costs(params, opts) => {
            let (opts, signal) = request_options(&opts)?;
            let costs = Box::pin(client.account_costs(
                &inner.env(signal),
                &Js::params(&params, "params")?,
                opts,
            ))
            .await?;
            Ok(host::tag_task(&costs.data.0, costs.request_id))
        }
        Op::Next(family, pages) => {
            let env = inner.env(None);
            let next =
                Box::pin(client.next_task(&env, family, &pages, RequestOptions::default())).await?;
            Ok(match next {
                Some(task) => step(false, task_to_js(&task)),
                None => step(true, JsValue::UNDEFINED),
            })
        }
    }
}

fn string(value: &JsValue, name: &str) -> Result<String, Error> {
    value
        .as_string()
        .ok_or_else(|| Error::invalid_request(name, format!("`{name}` must be a string")))
}

fn request_options(opts: &Option<JsValue>) -> Result<(RequestOptions, Option<AbortSignal>), Error> {
    let Some(opts) = opts else {
        return Ok((RequestOptions::default(), None));
    };
    match options_of::<CallOptions<Js>>(opts, "request options")? {
        Some(o) => Ok((o.request()?, signal_of(o.signal)?)),
        None => Ok((RequestOptions::default(), None)),
    }
}

fn wait_options(
    opts: &Option<JsValue>,
) -> Result<(WaitOptions, Option<AbortSignal>, Option<Function>), Error> {
    let Some(opts) = opts else {
        return Ok((WaitOptions::default(), None, None));
    };
    let Some(o) = options_of::<WaitCallOptions<Js>>(opts, "wait options")? else {
        return Ok((WaitOptions::default(), None, None));
    };
    let on_progress = match &o.on_progress {
        Some(f) => Some(function(f, "onProgress", "a function")?),
        None => None,
    };
    Ok((o.wait()?, signal_of(o.signal)?, on_progress))
}

fn tasks_to_js(tasks: Vec<Task<Js>>) -> JsValue {
    tasks.iter().map(task_to_js).collect::<Array>().into()
}

/// `{method, external_task_id, tasks, clips, duration}`.
fn run_to_js(run: ChainRun<Js>) -> JsValue {
    let o = Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&o, &k.into(), v);
    };
    set("method", &JsValue::from_str(run.method.name()));
    set("external_task_id", &JsValue::from_str(&run.prefix));
    set("clips", &Js::make(&run.clips).0);
    set(
        "duration",
        &run.duration.map_or(JsValue::NULL, JsValue::from_f64),
    );
    set("tasks", &tasks_to_js(run.tasks));
    o.into()
}

fn step(done: bool, value: JsValue) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"done".into(), &JsValue::from_bool(done));
    let _ = Reflect::set(&o, &"value".into(), &value);
    o.into()
}

/// Calls `onProgress(task, info)` for every state seen; `info` is `{step, steps}` in chains.
fn reporter(callback: Option<Function>, steps: Option<usize>) -> impl FnMut(&Task<Js>, usize) {
    move |task, step| {
        if let Some(cb) = &callback {
            let info = match steps {
                Some(n) => {
                    let o = Object::new();
                    let _ = Reflect::set(&o, &"step".into(), &JsValue::from((step + 1) as u32));
                    let _ = Reflect::set(&o, &"steps".into(), &JsValue::from(n as u32));
                    o.into()
                }
                None => JsValue::UNDEFINED,
            };
            host::notify(cb, &task_to_js(task), &info);
        }
    }
}
