//! The package's rules, for the code around it (a page's form, a service's records) to use instead
//! of copying them: limits, the id rule, status order, parameter checks and advice per error code.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::api::caps::{self, Row, Rule};
use crate::api::chain::{MAX_STEP_SECONDS, MAX_TOTAL_SECONDS};
use crate::api::estimate::{self, Source};
use crate::api::model::{DEFAULT_PAGE_SIZE, MAX_PAGE_NUM, MAX_PAGE_SIZE};
use crate::api::validate::{check_id, MAX_ID_CHARS, MAX_PROMPT_CHARS};
use crate::api::{Error, ErrorKind, Family, TaskStatus};
use crate::wasm::convert::Bag;
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
/// `discontinuedModels`, `retiredModels`, `statuses` (in the order a task moves through them),
/// and `families`: the capability table — per family, today's model, every model the package
/// knows with its modes, durations, aspect ratios, features, rules, whether video-extend takes
/// its videos, its retirement and its estimated units, and `anyModel`, the rules of a model the
/// package does not know (sent as it is). Build forms and checks from it.
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
    set(&o, "extendableModels", strings(&caps::extendable_models()));
    set(&o, "discontinuedModels", strings(&["kling-v1"]));
    set(&o, "retiredModels", strings(&caps::retired_models()));
    set(&o, "statuses", strings(&TaskStatus::KNOWN));
    let families = Object::new();
    for family in Family::ALL {
        let f = Object::new();
        set(&f, "path", family.path().into());
        let current = match family {
            Family::VideoExtend => JsValue::NULL,
            _ => caps::current(family).into(),
        };
        set(&f, "currentModel", current);
        let models: Array = caps::rows(family).skip(1).map(row).collect();
        set(&f, "models", models.into());
        set(&f, "anyModel", row(caps::any_model(family)));
        set(&families, family.name(), f.into());
    }
    set(&o, "families", families.into());
    o.into()
}

fn row(r: &Row) -> JsValue {
    let o = Object::new();
    set(&o, "name", r.model.into());
    set(&o, "modes", strings(r.modes));
    let durations: Array = r
        .durations
        .list()
        .iter()
        .map(|d| JsValue::from_str(d))
        .collect();
    set(&o, "durations", durations.into());
    set(&o, "aspectRatios", strings(r.aspect_ratios));
    set(&o, "features", strings(r.features));
    let rules: Array = r.rules.iter().map(rule).collect();
    set(&o, "rules", rules.into());
    set(&o, "extendable", r.extendable.into());
    let retired = match r.retired {
        Some(t) => {
            let x = Object::new();
            set(&x, "date", t.date.into());
            set(&x, "source", t.source.into());
            set(&x, "instead", t.instead.into());
            x.into()
        }
        None => JsValue::NULL,
    };
    set(&o, "retired", retired);
    set(
        &o,
        "unitsPer5s",
        Array::of2(&r.per_5s[0].into(), &r.per_5s[1].into()).into(),
    );
    o.into()
}

fn rule(r: &Rule) -> JsValue {
    let o = Object::new();
    let (kind, when) = match *r {
        Rule::OnlyInMode { when, mode } => {
            set(&o, "mode", mode.into());
            ("onlyInMode", when)
        }
        Rule::Needs { when, needs } => {
            set(&o, "needs", needs.into());
            ("needs", when)
        }
        Rule::NotWith { when, not } => {
            set(&o, "not", not.into());
            ("notWith", when)
        }
        Rule::DurationsWhen { when, durations } => {
            let list: Array = durations
                .list()
                .iter()
                .map(|d| JsValue::from_str(d))
                .collect();
            set(&o, "durations", list.into());
            ("durationsWhen", when)
        }
        Rule::RequiredUnless { field, unless } => {
            set(&o, "field", field.into());
            set(&o, "unless", strings(unless));
            ("requiredUnless", "always")
        }
        Rule::AtMost { count, max, when } => {
            set(&o, "count", strings(count));
            set(&o, "max", max.into());
            ("atMost", when)
        }
        Rule::ShotsSumToDuration => ("shotsSumToDuration", "multi_prompt"),
    };
    set(&o, "kind", kind.into());
    set(&o, "when", when.into());
    o.into()
}

/// Whether `{ allowRetiredModels: true }` was given.
fn allow_retired(options: Option<JsValue>) -> Result<bool, Error> {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    let bag = Bag::new(&options, "options", &["allowRetiredModels"])?;
    Ok(bag.flag("allowRetiredModels")?.unwrap_or(false))
}

/// `price`'s options: `{ allowRetiredModels?, source?: {model?, mode?} }`.
fn price_options(options: Option<JsValue>) -> Result<(bool, Source), Error> {
    let options = options.unwrap_or(JsValue::UNDEFINED);
    let bag = Bag::new(&options, "options", &["allowRetiredModels", "source"])?;
    let allow = bag.flag("allowRetiredModels")?.unwrap_or(false);
    let source = Reflect::get(&options, &JsValue::from_str("source"))
        .ok()
        .filter(|s| s.is_object());
    let text = |key: &str| {
        source
            .as_ref()
            .and_then(|s| Reflect::get(s, &JsValue::from_str(key)).ok())
            .and_then(|v| v.as_string())
    };
    Ok((
        allow,
        Source {
            model: text("model"),
            mode: text("mode"),
        },
    ))
}

fn family_of(name: &str) -> Result<Family, Error> {
    Family::from_name(name).ok_or_else(|| {
        Error::invalid_request(
            "family",
            "the family is \"video-extend\", \"text2video\", \"image2video\" or \"omni-video\"",
        )
    })
}

/// The most a create of `family` with `params` can cost, in units — for a service to reserve
/// before sending: `{units, estimate: true, model, mode, duration}`. From the capability table's
/// estimates (per model and mode, per 5 s; doubled with `sound: "on"`; a model the package does
/// not know is priced as its family's dearest; an extension by its `source` `{model, mode}` when
/// the caller knows it, else as the dearest source, 3.5), not
/// Kling's price list: the charge is the task's `final_unit_deduction`. Checks `params` first,
/// as `checkParams` does (throws `ERR_KLING_INVALID_REQUEST` with `field`).
#[wasm_bindgen(unchecked_return_type = "KlingPrice")]
pub fn price(
    #[wasm_bindgen(unchecked_param_type = "KlingFamily")] family: JsValue,
    params: JsValue,
    #[wasm_bindgen(
        unchecked_optional_param_type = "{ allowRetiredModels?: boolean; source?: { model?: string | null; mode?: string | null } }"
    )]
    options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let family = family_of(&family.as_string().unwrap_or_default())?;
        let (allow, source) = price_options(options)?;
        let estimate = estimate::price(family, &Js::params(&params, "params")?, allow, &source)?;
        let o = Object::new();
        let text = |s: Option<String>| s.map_or(JsValue::NULL, |s| JsValue::from_str(&s));
        set(&o, "units", estimate.units.into());
        set(&o, "estimate", true.into());
        set(&o, "model", text(estimate.model));
        set(&o, "mode", text(estimate.mode));
        set(&o, "duration", estimate.duration.into());
        Ok(o.into())
    };
    run().map_err(|e| to_js_error(&e))
}

/// Checks create parameters of `family` (`"video-extend"`, `"text2video"`, `"image2video"` or
/// `"omni-video"`) exactly as `create` does — the capability table included — without sending
/// anything: returns the parameters as they would be sent (nulls dropped), or throws
/// `ERR_KLING_INVALID_REQUEST` with `field`. A retired model is refused unless
/// `{ allowRetiredModels: true }`, as for the client option.
#[wasm_bindgen(js_name = checkParams, unchecked_return_type = "Record<string, unknown>")]
pub fn check_params(
    #[wasm_bindgen(unchecked_param_type = "KlingFamily")] family: JsValue,
    params: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "{ allowRetiredModels?: boolean }")]
    options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let run = || -> Result<JsValue, Error> {
        let family = family_of(&family.as_string().unwrap_or_default())?;
        Ok(family
            .check_create_with(&Js::params(&params, "params")?, allow_retired(options)?)?
            .to_json()
            .0)
    };
    run().map_err(|e| to_js_error(&e))
}

/// Whether `id` passes the package's id rule (task ids, external task ids, video ids): not
/// blank, at most `maxIdChars` characters, no control characters.
#[wasm_bindgen(js_name = isValidId)]
pub fn is_valid_id(#[wasm_bindgen(unchecked_param_type = "string")] id: JsValue) -> bool {
    id.as_string().is_some_and(|id| check_id("id", &id).is_ok())
}

/// Where a status stands in a task's life: submitted 1, processing 2, succeed and failed 3,
/// anything else (a value that is not a string too) 0. Keep records from moving to a lower rank:
/// callbacks arrive in any order.
#[wasm_bindgen(js_name = statusRank)]
pub fn status_rank(#[wasm_bindgen(unchecked_param_type = "string")] status: JsValue) -> u8 {
    status
        .as_string()
        .map_or(0, |s| TaskStatus::parse(&s).rank())
}

/// What to do about an error with this `code` (and Kling business code, when known), in one
/// sentence: the advice the package's own messages end with.
#[wasm_bindgen(js_name = errorAdvice)]
pub fn error_advice(
    #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
    #[wasm_bindgen(js_name = "apiCode")] api_code: Option<f64>,
) -> String {
    match ErrorKind::from_code(&code.as_string().unwrap_or_default()) {
        Some(kind) => kind.advice(api_code.map(|c| c as i64)).to_string(),
        None => "Retry later; if it persists, report the request id".to_string(),
    }
}
