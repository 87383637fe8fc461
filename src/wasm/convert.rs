//! Values across the boundary: tasks handed out, and reading option bags.

use std::cell::RefCell;

use js_sys::{Function, Reflect};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

use crate::api::validate::parse;
use crate::api::{Error, Task};
use crate::wasm::host;
use crate::wasm::json::Js;

/// A task as the plain JS object the platform parsed from Kling's answer, plus a non-enumerable
/// `_request_id`.
pub fn task_to_js(task: &Task<Js>) -> JsValue {
    host::tag_task(&task.json().0, task.request_id().map(str::to_string))
}

thread_local! {
    // JS strings for the fixed option names, made once each: a string passed into JS is decoded
    // there on every call, and options come with every call.
    static MADE_ONCE: RefCell<Vec<((usize, usize), JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// A JS value made from fixed Rust data, cached by the data's address and length.
fn cached(id: (usize, usize), make: impl FnOnce() -> JsValue) -> JsValue {
    MADE_ONCE.with(|made| {
        let mut made = made.borrow_mut();
        if let Some((_, value)) = made.iter().find(|(k, _)| *k == id) {
            return value.clone();
        }
        let value = make();
        made.push((id, value.clone()));
        value
    })
}

/// The response header names the core reads, as a JS array made once.
pub fn response_headers() -> JsValue {
    let names = &crate::api::http::RESPONSE_HEADERS;
    cached((names.as_ptr() as usize, names.len()), || {
        names
            .iter()
            .map(|n| JsValue::from_str(n))
            .collect::<js_sys::Array>()
            .into()
    })
}

fn js_key(key: &'static str) -> JsValue {
    cached((key.as_ptr() as usize, key.len()), || {
        JsValue::from_str(key)
    })
}

/// Options the caller gave (`what`: "KlingClient options", "request options", …), read into
/// their one declaration `T`; `None` when absent (`undefined` or `null`).
pub fn options_of<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<Option<T>, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    // A copy of the own properties, so a getter that throws is reported, not thrown through.
    let copy = host::plain_options(value);
    if let Some(why) = host::unsendable(&copy) {
        return Err(Error::invalid_options(format!(
            "{what} cannot be read: {why}"
        )));
    }
    parse::<T, Js>(&Js(copy), &[])
        .map(Some)
        .map_err(|e| options_error(&e, what))
}

/// A refusal of parameters, said of options (`what`). Not generic: one copy for every options
/// type.
#[inline(never)]
fn options_error(e: &Error, what: &str) -> Error {
    let name = e.field.clone().unwrap_or_default();
    let message = match e.message.strip_prefix("unknown field ") {
        Some(rest) => format!(
            "unknown option {} in {what}",
            rest.replace(": accepted fields are", "; known options are")
        ),
        None if name == "params" => format!("{what} must be an object"),
        None => format!("option {}", e.message),
    };
    Error::invalid_options(message)
}

/// An `AbortSignal` option. Checked by shape, not `instanceof`: a signal from another realm (an
/// iframe) or a polyfill is a signal too.
pub fn signal_of(value: Option<Js>) -> Result<Option<AbortSignal>, Error> {
    match value {
        None => Ok(None),
        Some(s) if Reflect::has(&s.0, &"aborted".into()).unwrap_or(false) => {
            Ok(Some(s.0.unchecked_into()))
        }
        Some(_) => Err(type_error("signal", "an AbortSignal")),
    }
}

/// An options bag read in as few crossings as possible: `signToken` and `verifyCallback`, whose
/// options come with every token signed or callback checked.
pub struct Bag {
    obj: JsValue,
}

impl Bag {
    /// Checks that `value` is absent or an object with only `known` keys.
    pub fn new(value: &JsValue, what: &str, known: &'static [&'static str]) -> Result<Bag, Error> {
        let list = cached((known.as_ptr() as usize, known.len()), || {
            JsValue::from(known.join(","))
        });
        match host::bag_state(value, &list) {
            0 => Ok(Bag {
                obj: JsValue::UNDEFINED,
            }),
            1 => Ok(Bag { obj: value.clone() }),
            2 => Err(Error::invalid_options(format!("{what} must be an object"))),
            4 => Err(unknown_key(value, what, known)),
            _ => Err(Error::invalid_options(format!("{what} cannot be read"))),
        }
    }

    /// A number option.
    pub fn number(&self, key: &'static str) -> Result<Option<f64>, Error> {
        if self.obj.is_undefined() {
            return Ok(None);
        }
        // One crossing on the common path. NaN stands for a NaN given, a value of another type,
        // or a getter that threw: only then is the value looked at again.
        match host::number_option(&self.obj, &js_key(key)) {
            Some(n) if !n.is_nan() => Ok(Some(n)),
            None => Ok(None),
            Some(_) => match Reflect::get(&self.obj, &js_key(key)) {
                Err(_) => Err(Error::invalid_options(format!(
                    "option `{key}` cannot be read (its getter threw)"
                ))),
                Ok(v) if v.is_undefined() || v.is_null() => Ok(None),
                Ok(v) => v
                    .as_f64()
                    .map(Some)
                    .ok_or_else(|| type_error(key, "a number")),
            },
        }
    }
}

impl Bag {
    /// A boolean option.
    pub fn flag(&self, key: &'static str) -> Result<Option<bool>, Error> {
        self.get(key, JsValue::as_bool, "true or false")
    }

    /// A string option.
    pub fn text(&self, key: &'static str) -> Result<Option<String>, Error> {
        self.get(key, JsValue::as_string, "a string")
    }

    /// The option `key` read by `read`, refused as not being `what` when it reads nothing.
    fn get<T>(
        &self,
        key: &'static str,
        read: fn(&JsValue) -> Option<T>,
        what: &str,
    ) -> Result<Option<T>, Error> {
        if self.obj.is_undefined() {
            return Ok(None);
        }
        match Reflect::get(&self.obj, &js_key(key)) {
            Err(_) => Err(Error::invalid_options(format!(
                "option `{key}` cannot be read (its getter threw)"
            ))),
            Ok(v) if v.is_undefined() || v.is_null() => Ok(None),
            Ok(v) => read(&v).map(Some).ok_or_else(|| type_error(key, what)),
        }
    }
}

/// The error for a bag with an unknown key, naming the first one.
fn unknown_key(value: &JsValue, what: &str, known: &[&str]) -> Error {
    let key = Reflect::own_keys(value)
        .ok()
        .and_then(|keys| {
            keys.iter()
                .filter_map(|k| k.as_string())
                .find(|k| !known.contains(&k.as_str()))
        })
        .unwrap_or_default();
    Error::invalid_options(format!(
        "unknown option `{key}` in {what}; known options are {}",
        known.join(", ")
    ))
}

fn type_error(key: &str, what: &str) -> Error {
    Error::invalid_options(format!("option `{key}` must be {what}"))
}

/// A function option (`name`), refused as not being `what` otherwise.
pub(crate) fn function(value: &Js, name: &str, what: &str) -> Result<Function, Error> {
    value
        .0
        .clone()
        .dyn_into::<Function>()
        .map_err(|_| Error::invalid_options(format!("option `{name}` must be {what}")))
}
