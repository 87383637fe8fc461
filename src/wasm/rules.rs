//! The package's rules, for the code around it (a page's form, a service's records) to use instead
//! of copying them: limits, the id rule, status order, parameter checks and advice per error code.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::api::chain::{MAX_STEP_SECONDS, MAX_TOTAL_SECONDS};
use crate::api::model::{
    DEFAULT_PAGE_SIZE, DISCONTINUED_MODELS, EXTENDABLE_MODELS, MAX_PAGE_NUM, MAX_PAGE_SIZE,
};
use crate::api::price::{price_of, Source};
use crate::api::validate::{check_id, MAX_ID_CHARS, MAX_PROMPT_CHARS};
use crate::api::{Error, ErrorKind, Family, TaskStatus};
use crate::wasm::error::to_js_error;
use crate::wasm::json::Js;

fn set(obj: &Object, key: &str, value: JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value);
}

fn strings(items: &[&str]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

/// The limits the package enforces, as numbers and lists: `maxPromptChars`, `cfgScale`
/// (`[min, max]`), `maxTotalSeconds`, `maxStepSeconds`, `maxChainSteps`, `maxIdChars`,
/// `pageNum` and `pageSize` (`[min, max]`), `defaultPageSize`, `extendableModels`,
/// `discontinuedModels` and `statuses` (in the order a task moves through them).
#[wasm_bindgen(unchecked_return_type = "KlingLimits")]
pub fn limits() -> JsValue {
    let o = Object::new();
    let range = |a: f64, b: f64| -> JsValue { Array::of2(&a.into(), &b.into()).into() };
    set(&o, "maxPromptChars", (MAX_PROMPT_CHARS as u32).into());
    set(&o, "cfgScale", range(0.0, 1.0));
    set(&o, "maxTotalSeconds", MAX_TOTAL_SECONDS.into());
    set(&o, "maxStepSeconds", MAX_STEP_SECONDS.into());
    set(
        &o,
        "maxChainSteps",
        ((MAX_TOTAL_SECONDS / MAX_STEP_SECONDS) as u32).into(),
    );
    set(&o, "maxIdChars", (MAX_ID_CHARS as u32).into());
    set(&o, "pageNum", range(1.0, f64::from(MAX_PAGE_NUM)));
    set(&o, "pageSize", range(1.0, f64::from(MAX_PAGE_SIZE)));
    set(&o, "defaultPageSize", DEFAULT_PAGE_SIZE.into());
    set(&o, "extendableModels", strings(EXTENDABLE_MODELS));
    set(&o, "discontinuedModels", strings(DISCONTINUED_MODELS));
    set(&o, "statuses", strings(&TaskStatus::KNOWN));
    o.into()
}

/// Checks create parameters of `family` (`"video-extend"`, `"text2video"` or `"image2video"`)
/// exactly as `create` does, without sending anything: returns the parameters as they would be
/// sent (nulls dropped), or throws `ERR_KLING_INVALID_REQUEST` with `field`.
#[wasm_bindgen(js_name = checkParams, unchecked_return_type = "Record<string, unknown>")]
pub fn check_params(
    #[wasm_bindgen(unchecked_param_type = "\"video-extend\" | \"text2video\" | \"image2video\"")]
    family: &str,
    params: JsValue,
) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let family = family_of(family)?;
        Ok(family
            .check_create(&Js::params(&params, "params")?)?
            .to_json()
            .0)
    };
    run().map_err(|e| to_js_error(&e))
}

fn family_of(name: &str) -> Result<Family, Error> {
    Family::from_name(name).ok_or_else(|| {
        Error::invalid_request(
            "family",
            "the family is \"video-extend\", \"text2video\" or \"image2video\"",
        )
    })
}

/// Whether `id` passes the package's id rule (task ids, external task ids, video ids): not
/// blank, at most `maxIdChars` characters, no control characters.
#[wasm_bindgen(js_name = isValidId)]
pub fn is_valid_id(id: &str) -> bool {
    check_id("id", id).is_ok()
}

/// Where a status stands in a task's life: submitted 1, processing 2, succeed and failed 3,
/// anything else 0. Keep records from moving to a lower rank: callbacks arrive in any order.
#[wasm_bindgen(js_name = statusRank)]
pub fn status_rank(status: &str) -> u8 {
    TaskStatus::parse(status).rank()
}

/// What to do about an error with this `code` (and Kling business code, when known), in one
/// sentence: the advice the package's own messages end with.
#[wasm_bindgen(js_name = errorAdvice)]
pub fn error_advice(
    code: &str,
    #[wasm_bindgen(js_name = "apiCode")] api_code: Option<f64>,
) -> String {
    match ErrorKind::from_code(code) {
        Some(kind) => kind.advice(api_code.map(|c| c as i64)).to_string(),
        None => "Retry later; if it persists, report the request id".to_string(),
    }
}

/// The most a create of `family` with these parameters can cost, in Kling's units, for a service
/// that reserves a budget before sending: `{units, model, mode, seconds}`. The parameters are
/// checked first, exactly as `checkParams` does (a bad one throws `ERR_KLING_INVALID_REQUEST`
/// with `field`). An extension's price is its source's: pass `source` (`{model, mode}`, as far as
/// known); an unknown source, model or mode is priced as the dearest case. Kling's charge is the
/// task's `final_unit_deduction`; this is an estimate never below it.
#[wasm_bindgen(unchecked_return_type = "KlingPrice")]
pub fn price(
    #[wasm_bindgen(unchecked_param_type = "\"video-extend\" | \"text2video\" | \"image2video\"")]
    family: &str,
    params: JsValue,
    #[wasm_bindgen(unchecked_param_type = "{ model?: string | null; mode?: string | null }")]
    source: Option<Object>,
) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let family = family_of(family)?;
        let text = |key: &str| {
            source
                .as_ref()
                .and_then(|s| Reflect::get(s, &JsValue::from_str(key)).ok())
                .and_then(|v| v.as_string())
        };
        let source = Source {
            model: text("model"),
            mode: text("mode"),
        };
        let p = price_of(family, &Js::params(&params, "params")?, &source)?;
        let o = Object::new();
        set(&o, "units", (f64::from(p.milli_units) / 1000.0).into());
        let opt = |v: Option<String>| v.map_or(JsValue::NULL, |s| JsValue::from_str(&s));
        set(&o, "model", opt(p.model));
        set(&o, "mode", opt(p.mode));
        set(&o, "seconds", p.seconds.into());
        Ok(o.into())
    };
    run().map_err(|e| to_js_error(&e))
}
