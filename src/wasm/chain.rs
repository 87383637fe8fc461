//! A chain's arithmetic for runners that keep its state themselves (a durable workflow): the same
//! rules as `kling.chains.run`, one step at a time, with no I/O.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::api::chain::{ChainPlan, Platform};
use crate::api::json::Json;
use crate::api::{Error, PollSchedule, Task};
use crate::wasm::convert::Bag;
use crate::wasm::error::to_js_error;
use crate::wasm::json::Js;

fn set(obj: &Object, key: &str, value: JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value);
}

/// Options of `planChain` and `chainStep`: `{ allowRetiredModels?, frame? }`.
fn chain_options(options: Option<JsValue>) -> Result<(Platform, Option<String>), Error> {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    let bag = Bag::new(&options, "options", &["allowRetiredModels", "frame"])?;
    let platform = Platform {
        allow_retired: bag.flag("allowRetiredModels")?.unwrap_or(false),
        ..Platform::default()
    };
    Ok((platform, bag.text("frame")?))
}

/// Sets `key` when there is a value (an absent one is no key at all).
fn set_text(obj: &Object, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        set(obj, key, JsValue::from_str(v));
    }
}

/// Checks chain parameters as `kling.chains.run` does — the method resolved (`"auto"`, or none,
/// is `extend` for a source Kling can still extend, else `next-shot`: a runner without a frame
/// decoder), every step validated as the create it will be, a chain that could pass its length
/// limit refused — without sending anything. Returns `{ steps, method, families, step_seconds,
/// max_seconds, video_id?, video_url?, video_duration?, external_task_id? }`. Options:
/// `{ allowRetiredModels? }`.
#[wasm_bindgen(js_name = planChain, unchecked_return_type = "ChainPlan")]
pub fn plan_chain(
    #[wasm_bindgen(unchecked_param_type = "ChainParams")] params: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "{ allowRetiredModels?: boolean }")]
    options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let (platform, _) = chain_options(options)?;
        let plan = ChainPlan::read(&Js::params(&params, "params")?, platform)?;
        let out = Object::new();
        set(&out, "steps", JsValue::from(plan.len() as u32));
        set(&out, "method", JsValue::from_str(plan.method().name()));
        let families: Array = (1..=plan.len())
            .map(|n| JsValue::from_str(plan.family(n).name()))
            .collect();
        set(&out, "families", families.into());
        let seconds: Array = plan
            .step_seconds()
            .into_iter()
            .map(|s| s.map_or(JsValue::NULL, JsValue::from_f64))
            .collect();
        set(&out, "step_seconds", seconds.into());
        set(&out, "max_seconds", JsValue::from_f64(plan.max_seconds()));
        set_text(&out, "video_id", plan.video_id());
        set_text(&out, "video_url", plan.video_url());
        if let Some(d) = plan.duration() {
            set(&out, "video_duration", JsValue::from_f64(d));
        }
        set_text(&out, "external_task_id", plan.prefix());
        Ok(out.into())
    };
    run().map_err(|e| to_js_error(&e))
}

/// The next step of a chain whose state the caller keeps: from the chain's parameters (with their
/// `external_task_id` prefix and, best, their resolved `method`) and the tasks its finished steps
/// ended with, in order. Returns `{ step, family, duration?, params }` — `params` are the create
/// of `family` to send, its input (the video extended, the clip referred to, or the frame) and
/// `external_task_id` (`<prefix>-<step>`, or `<prefix>-<step>.<attempt>` for a later try of a
/// failed step) included — or `null` when every step is done. A `last-frame` step needs
/// `{ frame }`: the previous clip's last frame (an image URL or raw base64). Throws
/// `ERR_KLING_INVALID_REQUEST` when the step could pass the chain's length limit: nothing may be
/// paid for then.
#[wasm_bindgen(js_name = chainStep, unchecked_return_type = "ChainStep | null")]
pub fn chain_step(
    #[wasm_bindgen(unchecked_param_type = "ChainParams")] params: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Task[]")] done: JsValue,
    attempt: Option<u32>,
    #[wasm_bindgen(
        unchecked_optional_param_type = "{ frame?: string; allowRetiredModels?: boolean }"
    )]
    options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let (platform, frame) = chain_options(options)?;
        let plan = ChainPlan::read(&Js::params(&params, "params")?, platform)?;
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
        let Some(next) = plan.next_step(&tasks, attempt.unwrap_or(1), frame.as_deref())? else {
            return Ok(JsValue::NULL);
        };
        let out = Object::new();
        set(&out, "step", JsValue::from(next.step as u32));
        set(&out, "family", JsValue::from_str(next.family.name()));
        if let Some(d) = next.duration {
            set(&out, "duration", JsValue::from_f64(d));
        }
        set(&out, "params", next.body.0);
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
