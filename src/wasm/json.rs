//! JSON as the platform parsed it: the core reads typed fields out of it through
//! `serde-wasm-bindgen`, and the user gets the object itself, never a copy made from text.

use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use wasm_bindgen::JsValue;

use crate::api::env::Json;

/// A value made by the platform's `JSON.parse` (or handed in by the caller).
#[derive(Debug, Clone)]
pub struct Js(pub JsValue);

impl<'de> Deserialize<'de> for Js {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Js, D::Error> {
        // Kept as the JS value it is: only `serde-wasm-bindgen`'s deserializer can do this, and
        // it is the only one in the wasm build.
        serde_wasm_bindgen::preserve::deserialize(d).map(Js)
    }
}

impl Json for Js {
    fn read<T: DeserializeOwned>(&self) -> Option<T> {
        serde_wasm_bindgen::from_value(self.0.clone()).ok()
    }
}
