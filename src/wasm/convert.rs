//! Values across the boundary: JS objects ↔ JSON, and reading option bags.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::api::{Error, Task};
use crate::wasm::host;

/// A JS value (params object) as JSON. `undefined` becomes `null`.
pub fn from_js(value: &JsValue, what: &str) -> Result<serde_json::Value, Error> {
    let json = host::to_json(value);
    match json.as_string() {
        Some(text) => serde_json::from_str(&text)
            .map_err(|_| Error::invalid_request(what, format!("`{what}` is not a JSON value"))),
        None => {
            let reason = Reflect::get(&json, &"error".into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            Err(Error::invalid_request(
                what,
                format!("`{what}` cannot be sent as JSON: {reason}"),
            ))
        }
    }
}

/// JSON as a plain JS object.
pub fn to_js(value: &serde_json::Value) -> JsValue {
    // Re-parsing our own serialisation cannot fail.
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

/// A task as a plain JS object exactly as Kling sent it, plus a non-enumerable `_request_id` (as
/// openai-node does) so that it can be reported without changing what `JSON.stringify` shows.
pub fn task_to_js(task: &Task) -> JsValue {
    let value = to_js(task.as_value());
    if let (Some(id), Some(obj)) = (task.request_id(), value.dyn_ref::<Object>()) {
        let descriptor = Object::new();
        let _ = Reflect::set(&descriptor, &"value".into(), &JsValue::from_str(id));
        Object::define_property(obj, &JsValue::from_str("_request_id"), &descriptor);
    }
    value
}

/// An options bag: `undefined`/`null` or a plain object whose keys are all known.
pub struct Bag {
    obj: JsValue,
}

impl Bag {
    /// Checks that `value` is absent or an object with only `known` keys.
    pub fn new(value: &JsValue, what: &str, known: &[&str]) -> Result<Bag, Error> {
        if value.is_undefined() || value.is_null() {
            return Ok(Bag {
                obj: JsValue::UNDEFINED,
            });
        }
        if !value.is_object() || value.is_function() {
            return Err(Error::invalid_options(format!("{what} must be an object")));
        }
        // Reflect.ownKeys, not Object.keys: it reports a hostile object's throw (a Proxy's
        // ownKeys trap) as an Err instead of unwinding through wasm.
        let keys = Reflect::own_keys(value)
            .map_err(|_| Error::invalid_options(format!("{what} cannot be read")))?;
        for key in keys.iter().filter_map(|k| k.as_string()) {
            if !known.contains(&key.as_str()) {
                return Err(Error::invalid_options(format!(
                    "unknown option `{key}` in {what}; known options are {}",
                    known.join(", ")
                )));
            }
        }
        Ok(Bag { obj: value.clone() })
    }

    /// The raw value of `key` (`undefined` when absent).
    pub fn get(&self, key: &str) -> JsValue {
        if self.obj.is_undefined() {
            return JsValue::UNDEFINED;
        }
        Reflect::get(&self.obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn present(&self, key: &str) -> Option<JsValue> {
        let v = self.get(key);
        (!v.is_undefined() && !v.is_null()).then_some(v)
    }

    /// A string option.
    pub fn string(&self, key: &str) -> Result<Option<String>, Error> {
        self.present(key)
            .map(|v| v.as_string().ok_or_else(|| type_error(key, "a string")))
            .transpose()
    }

    /// A number option.
    pub fn number(&self, key: &str) -> Result<Option<f64>, Error> {
        self.present(key)
            .map(|v| v.as_f64().ok_or_else(|| type_error(key, "a number")))
            .transpose()
    }

    /// A boolean option (absent = false).
    pub fn flag(&self, key: &str) -> Result<bool, Error> {
        self.present(key)
            .map(|v| v.as_bool().ok_or_else(|| type_error(key, "a boolean")))
            .transpose()
            .map(|b| b.unwrap_or(false))
    }

    /// A function option.
    pub fn function(&self, key: &str) -> Result<Option<Function>, Error> {
        self.present(key)
            .map(|v| {
                v.dyn_into::<Function>()
                    .map_err(|_| type_error(key, "a function"))
            })
            .transpose()
    }

    /// An `AbortSignal` option, passed through as is (`undefined` when absent).
    pub fn signal(&self) -> Result<JsValue, Error> {
        match self.present("signal") {
            None => Ok(JsValue::UNDEFINED),
            Some(s) if Reflect::has(&s, &"aborted".into()).unwrap_or(false) => Ok(s),
            Some(_) => Err(type_error("signal", "an AbortSignal")),
        }
    }
}

fn type_error(key: &str, what: &str) -> Error {
    Error::invalid_options(format!("option `{key}` must be {what}"))
}
