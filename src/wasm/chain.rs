//! A chain's arithmetic for runners that keep its state themselves (a durable workflow): the same
//! rules as `extensions.chain`, one step at a time, with no I/O.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::api::chain::ChainPlan;
use crate::api::env::Json;
use crate::api::{Error, PollSchedule, Task};
use crate::wasm::error::to_js_error;
use crate::wasm::json::Js;

fn set(obj: &Object, key: &str, value: JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value);
}

/// Checks chain parameters as `extensions.chain` does — every step validated as the extension it
/// will be, a chain that could pass 180 s refused — without sending anything. Returns
/// `{ steps, video_id, video_duration?, external_task_id? }`.
#[wasm_bindgen(js_name = planChain, unchecked_return_type = "ChainPlan")]
pub fn plan_chain(
    #[wasm_bindgen(unchecked_param_type = "ChainParams")] params: JsValue,
) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let plan = ChainPlan::from_params(&Js::params(&params, "params")?)?;
        let out = Object::new();
        set(&out, "steps", JsValue::from(plan.len() as u32));
        set(&out, "video_id", JsValue::from_str(plan.video_id()));
        if let Some(d) = plan.duration() {
            set(&out, "video_duration", JsValue::from_f64(d));
        }
        if let Some(p) = plan.prefix() {
            set(&out, "external_task_id", JsValue::from_str(p));
        }
        Ok(out.into())
    };
    run().map_err(|e| to_js_error(&e))
}

/// The next step of a chain whose state the caller keeps: from the chain's parameters (with their
/// `external_task_id` prefix) and the tasks its finished steps ended with, in order. Returns
/// `{ step, duration?, params }` — `params` are the extension's, `video_id` and `external_task_id`
/// (`<prefix>-<step>`, or `<prefix>-<step>.<attempt>` for a later try of a failed step) included —
/// or `null` when every step is done. Throws `ERR_KLING_INVALID_REQUEST` when the step could pass
/// 180 s: nothing may be paid for then.
#[wasm_bindgen(js_name = chainStep, unchecked_return_type = "ChainStep | null")]
pub fn chain_step(
    #[wasm_bindgen(unchecked_param_type = "ChainParams")] params: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Task[]")] done: JsValue,
    attempt: Option<u32>,
) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let plan = ChainPlan::from_params(&Js::params(&params, "params")?)?;
        if !Array::is_array(&done) {
            return Err(Error::invalid_request(
                "done",
                "`done` must be an array of the finished steps' tasks",
            ));
        }
        let tasks = Js::params(&done, "done")?
            .read::<Vec<Js>>()
            .unwrap_or_default()
            .into_iter()
            .map(Task::from_json)
            .collect::<Result<Vec<_>, _>>()?;
        let Some(next) = plan.next_step(&tasks, attempt.unwrap_or(1))? else {
            return Ok(JsValue::NULL);
        };
        let out = Object::new();
        set(&out, "step", JsValue::from(next.step as u32));
        if let Some(d) = next.duration {
            set(&out, "duration", JsValue::from_f64(d));
        }
        set(&out, "params", Js::make(&next.body).0);
        Ok(out.into())
    };
    run().map_err(|e| to_js_error(&e))
}

/// How long to pause before the next poll of a task that has been waited on for `waitedMs`: the
/// schedule every wait of this package follows — every 5 s for the first 40 s, then an eighth of
/// the time waited so far, up to 15 s (Kling asks for polls every 5–15 s). For runners that poll
/// on their own timers (a durable workflow between callbacks).
#[wasm_bindgen(js_name = pollIntervalMs)]
pub fn poll_interval_ms(#[wasm_bindgen(js_name = "waitedMs")] waited_ms: f64) -> u32 {
    let waited = if waited_ms.is_finite() {
        waited_ms.max(0.0)
    } else {
        0.0
    };
    PollSchedule::Adaptive.interval_ms(waited)
}
