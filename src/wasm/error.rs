//! `api::Error` → a real JavaScript `KlingError` (`instanceof Error`, with a stack and a `code`).

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

use crate::api::chain::ChainError;
use crate::api::Error;
use crate::wasm::convert::task_to_js;
use crate::wasm::host;
use crate::wasm::json::Js;

fn set(obj: &Object, key: &str, value: JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value);
}

/// The JavaScript error for a chain that stopped, with the steps it finished in `completed`.
pub fn chain_error_to_js(e: &ChainError<Js>) -> JsValue {
    let completed: js_sys::Array = e.completed.iter().map(task_to_js).collect();
    make(&e.error, Some(completed.into()))
}

/// The JavaScript error for `e`, with every field that is known.
pub fn to_js_error(e: &Error) -> JsValue {
    make(e, None)
}

fn make(e: &Error, completed: Option<JsValue>) -> JsValue {
    let fields = Object::new();
    let str_fields = [
        ("requestId", &e.request_id),
        ("taskId", &e.task_id),
        ("externalTaskId", &e.external_task_id),
        ("field", &e.field),
        ("lastStatus", &e.last_status),
        ("taskStatusMsg", &e.task_status_msg),
    ];
    for (key, value) in str_fields {
        if let Some(v) = value {
            set(&fields, key, JsValue::from_str(v));
        }
    }
    if let Some(status) = e.status {
        set(&fields, "status", JsValue::from(status));
    }
    if let Some(code) = e.api_code {
        set(&fields, "apiCode", JsValue::from_f64(code as f64));
    }
    if let Some(completed) = completed {
        set(&fields, "completed", completed);
    }
    set(&fields, "retryable", JsValue::from_bool(e.retryable));
    if e.task_may_exist {
        set(&fields, "taskMayExist", JsValue::TRUE);
    }
    host::make_error(e.kind.code(), &e.message, &fields)
}
