//! JSON as the platform parsed it: the core reads typed fields out of it through
//! `serde-wasm-bindgen`, and the user gets the object itself, never a copy made from text.

use serde::de::{Deserialize, DeserializeOwned, Deserializer, Visitor};
use serde::{Serialize, Serializer};
use wasm_bindgen::JsValue;

use wasm_bindgen::JsCast;

use crate::api::env::Json;
use crate::api::Error;
use crate::wasm::host;

/// A value made by the platform's `JSON.parse`, or handed in by the caller.
#[derive(Debug, Clone)]
pub struct Js(pub JsValue);

impl Js {
    /// The caller's parameters (`what`), as a plain copy the core can read safely; refused when
    /// they cannot be sent as JSON.
    pub fn params(value: &JsValue, what: &str) -> Result<Js, Error> {
        let copy = host::plain_params(value);
        match host::unsendable(&copy) {
            None => Ok(Js(copy)),
            Some(why) => {
                let key = js_sys::Reflect::get(&copy, &"key".into())
                    .ok()
                    .and_then(|k| k.as_string());
                Err(Error::invalid_request(
                    key.as_deref().unwrap_or(what),
                    format!("`{what}` cannot be sent as JSON: {why}"),
                ))
            }
        }
    }

    /// The caller's optional parameters: `undefined` and `null` count as absent.
    pub fn given(value: Option<JsValue>, what: &str) -> Result<Option<Js>, Error> {
        match value.filter(|v| !v.is_undefined() && !v.is_null()) {
            Some(v) => Js::params(&v, what).map(Some),
            None => Ok(None),
        }
    }
}

impl<'de> Deserialize<'de> for Js {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Js, D::Error> {
        // Kept as the JS value it is: only `serde-wasm-bindgen`'s deserializer can do this, and
        // it is the only one in the wasm build.
        serde_wasm_bindgen::preserve::deserialize(d).map(Js)
    }
}

impl Serialize for Js {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde_wasm_bindgen::preserve::serialize(&self.0, s)
    }
}

/// The caller's object with every key it has: serde-wasm-bindgen reads only a struct's declared
/// fields, so an unknown one (a typo, a field from a third-party guide) would pass unnoticed;
/// read as a map, `deny_unknown_fields` sees it. Only objects come here (`validate::parse`
/// checks first), so a map is read from the object's own entries — one map reader per type,
/// where serde-wasm-bindgen's `deserialize_any` would compile every kind of value and two map
/// readers into each.
struct EveryKey(JsValue);

impl<'de> Deserializer<'de> for EveryKey {
    type Error = serde_wasm_bindgen::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        serde_wasm_bindgen::Deserializer::from(self.0).deserialize_any(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match entries(&self.0) {
            Some(entries) => visitor.visit_map(Entries {
                entries,
                next: 0,
                value: JsValue::UNDEFINED,
            }),
            None => Err(not_an_object(&visitor)),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct struct enum identifier
        ignored_any
    }
}

/// An object's own `[key, value]` pairs, as serde-wasm-bindgen reads an object.
fn entries(value: &JsValue) -> Option<js_sys::Array> {
    (value.is_object() && !js_sys::Array::is_array(value))
        .then(|| js_sys::Object::entries(value.unchecked_ref()))
}

fn not_an_object(expected: &dyn serde::de::Expected) -> serde_wasm_bindgen::Error {
    serde::de::Error::invalid_type(serde::de::Unexpected::Other("not an object"), expected)
}

/// An object's entries, read one pair at a time.
struct Entries {
    entries: js_sys::Array,
    next: u32,
    value: JsValue,
}

impl<'de> serde::de::MapAccess<'de> for Entries {
    type Error = serde_wasm_bindgen::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        if self.next >= self.entries.length() {
            return Ok(None);
        }
        let pair: js_sys::Array = self.entries.get(self.next).unchecked_into();
        self.next += 1;
        self.value = pair.get(1);
        seed.deserialize(serde_wasm_bindgen::Deserializer::from(pair.get(0)))
            .map(Some)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let value = std::mem::replace(&mut self.value, JsValue::UNDEFINED);
        seed.deserialize(serde_wasm_bindgen::Deserializer::from(value))
    }
}

/// The text of a reader's error: a JS `Error`'s, without the "Error: " its string adds.
#[inline(never)]
fn error_text(e: serde_wasm_bindgen::Error) -> String {
    let text = e.to_string();
    text.strip_prefix("Error: ")
        .map(str::to_string)
        .unwrap_or(text)
}

impl crate::api::options::HostValue for Js {
    fn as_text(&self) -> Option<String> {
        self.0.as_string()
    }
}

impl Json for Js {
    fn read<T: DeserializeOwned>(&self) -> Option<T> {
        serde_wasm_bindgen::from_value(self.0.clone()).ok()
    }

    fn parse<T: DeserializeOwned>(&self) -> Result<T, String> {
        T::deserialize(EveryKey(self.0.clone())).map_err(error_text)
    }

    fn keys(&self) -> Vec<String> {
        if !self.is_object() {
            return Vec::new();
        }
        js_sys::Object::keys(self.0.unchecked_ref::<js_sys::Object>())
            .iter()
            .filter_map(|k| k.as_string())
            .collect()
    }

    fn only(&self, key: &str) -> Js {
        let one = js_sys::Object::new();
        let key = JsValue::from_str(key);
        // Plain data made by `plainParams`: reading and setting cannot throw.
        if let Ok(v) = js_sys::Reflect::get(&self.0, &key) {
            let _ = js_sys::Reflect::set(&one, &key, &v);
        }
        Js(one.into())
    }

    fn make<T: Serialize>(value: &T) -> Js {
        // Plain objects (not `Map`s), as `JSON.stringify` and the user expect; our own types
        // always serialize.
        let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
        Js(value.serialize(&ser).unwrap_or(JsValue::NULL))
    }

    fn from_text(text: &str) -> Option<Js> {
        js_sys::JSON::parse(text).ok().map(Js)
    }

    fn is_object(&self) -> bool {
        self.0.is_object() && !js_sys::Array::is_array(&self.0)
    }

    fn is_array(&self) -> bool {
        js_sys::Array::is_array(&self.0)
    }

    fn without_nulls(&self) -> Js {
        Js(host::without_nulls(&self.0))
    }

    fn with_text(self, key: &str, value: &str) -> Js {
        // A plain object the core made: setting a property cannot fail.
        let _ = js_sys::Reflect::set(&self.0, &key.into(), &value.into());
        self
    }
}
