//! JSON as the platform parsed it: the core reads typed fields out of it through serde, with this
//! file's reader of JS values (serde-wasm-bindgen's rules and words, without its crate), and the
//! user gets the object itself, never a copy made from text.

use serde::de::{Deserialize, DeserializeOwned, Deserializer, Visitor};
use serde::{Serialize, Serializer};
use wasm_bindgen::JsValue;

use wasm_bindgen::JsCast;

use crate::api::json::Json;
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

/// Why a value could not be read: serde's words, written here without serde's own writer of
/// the value found (`Unexpected`), which links core's float printer and Unicode-aware string
/// escaper for one message. With JavaScript's float text and serde-wasm-bindgen's deserializer
/// replaced too, 8.4 KB gzip less wasm (bench/README.md, "Size steps").
#[derive(Debug)]
pub(crate) struct ReadError(String);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

impl serde::de::Error for ReadError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        ReadError(msg.to_string())
    }

    fn invalid_type(found: serde::de::Unexpected, expected: &dyn serde::de::Expected) -> Self {
        ReadError(format!(
            "invalid type: {}, expected {expected}",
            found_text(found)
        ))
    }

    fn invalid_value(found: serde::de::Unexpected, expected: &dyn serde::de::Expected) -> Self {
        ReadError(format!(
            "invalid value: {}, expected {expected}",
            found_text(found)
        ))
    }
}

impl serde::ser::Error for ReadError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        ReadError(msg.to_string())
    }
}

/// A value JavaScript threw while it was read (an iterator's exception): its `String()`, without
/// the "Error: " a plain `Error` adds.
impl From<JsValue> for ReadError {
    fn from(e: JsValue) -> ReadError {
        let text = js_string(&e);
        ReadError(
            text.strip_prefix("Error: ")
                .map(str::to_string)
                .unwrap_or(text),
        )
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;
}

/// Gives the core JavaScript's float writer when the module starts, before any export can run.
/// (wasm-bindgen's glue exports it as `start` too; the package's entries do not, nor its types.)
#[wasm_bindgen::prelude::wasm_bindgen(start, skip_typescript)]
fn start() {
    crate::api::text::set_float_text(float_text);
}

/// `x` as Rust's `Display` writes it, from JavaScript's shortest round-trip digits (the core's
/// float writer in the wasm build: [`crate::api::text::set_float_text`]).
pub fn float_text(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else if x == 0.0 && x.is_sign_negative() {
        "-0".into()
    } else {
        crate::api::text::plain_decimal(&js_string(&JsValue::from_f64(x)))
    }
}

/// serde's words for the value found (`Unexpected`'s `Display`).
fn found_text(found: serde::de::Unexpected) -> String {
    use serde::de::Unexpected as U;
    match found {
        U::Bool(b) => format!("boolean `{b}`"),
        U::Unsigned(i) => format!("integer `{i}`"),
        U::Signed(i) => format!("integer `{i}`"),
        U::Float(x) => {
            let text = float_text(x);
            let point = if x.is_finite() && !text.contains('.') {
                ".0"
            } else {
                ""
            };
            format!("floating point `{text}{point}`")
        }
        U::Char(c) => format!("character `{c}`"),
        U::Str(s) => format!("string {}", quoted(s)),
        U::Bytes(_) => "byte array".into(),
        U::Unit => "unit value".into(),
        U::Option => "Option value".into(),
        U::NewtypeStruct => "newtype struct".into(),
        U::Seq => "sequence".into(),
        U::Map => "map".into(),
        U::Enum => "enum".into(),
        U::UnitVariant => "unit variant".into(),
        U::NewtypeVariant => "newtype variant".into(),
        U::TupleVariant => "tuple variant".into(),
        U::StructVariant => "struct variant".into(),
        U::Other(other) => other.into(),
    }
}

/// A string in double quotes, escaped as Rust's `Debug` escapes one: quotes, backslashes and
/// control characters (`Debug` also escapes unprintable Unicode, whose tables cost ≈ 3 KB).
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A number that is a safe integer, as an `i64` (serde-wasm-bindgen's integer reads).
fn safe_integer(value: &JsValue) -> Option<i64> {
    if js_sys::Number::is_safe_integer(value) {
        value.as_f64().map(|v| v as i64)
    } else {
        None
    }
}

/// The newtype name under which [`Value`] hands a [`Js`] the JS value as it is.
const AS_IS: &str = "kling_edge::Js";

thread_local! {
    /// The value [`Value`] hands over, for [`Js`]'s reader to take at once (and [`Js`] to
/// [`Make`], its writer).
    static HANDED: std::cell::Cell<Option<JsValue>> = const { std::cell::Cell::new(None) };
}

impl<'de> Deserialize<'de> for Js {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Js, D::Error> {
        // Kept as the JS value it is: `Value` (every reader of a JS value in this crate) puts it
        // aside and says "unit"; serde has no way to carry a JS value through its visitors.
        struct V;
        impl Visitor<'_> for V {
            type Value = Js;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JavaScript value")
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Js, E> {
                HANDED.with(std::cell::Cell::take).map(Js).ok_or_else(|| {
                    E::custom("a JavaScript value is read only from a JavaScript value")
                })
            }
        }
        d.deserialize_newtype_struct(AS_IS, V)
    }
}

impl Serialize for Js {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Written as it is by `Make` (the only writer in the wasm build), which takes it back.
        HANDED.with(|h| h.set(Some(self.0.clone())));
        s.serialize_newtype_struct(AS_IS, &())
    }
}

/// The caller's object with every key it has: serde-wasm-bindgen reads only a struct's declared
/// fields, so an unknown one (a typo, a field from a third-party guide) would pass unnoticed;
/// read as a map, `deny_unknown_fields` sees it. Only objects come here (`validate::parse`
/// checks first).
struct EveryKey(JsValue);

impl<'de> Deserializer<'de> for EveryKey {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        Value(self.0).deserialize_any(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        Value(self.0).deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct struct enum identifier
        ignored_any
    }
}

/// A value in the caller's object, read as serde-wasm-bindgen reads it, except that maps and
/// sequences are read here, from one array of pairs or items: one map reader and one sequence
/// reader per type, where serde-wasm-bindgen compiles two of each (iterator and object) into
/// every type it reads.
struct Value(JsValue);

impl<'de> Deserializer<'de> for Value {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match kind(&self.0) {
            Kind::Unit => visitor.visit_unit(),
            Kind::Bool(v) => visitor.visit_bool(v),
            Kind::I64(v) => visitor.visit_i64(v),
            Kind::U64(v) => visitor.visit_u64(v),
            Kind::F64(v) => visitor.visit_f64(v),
            Kind::Str(v) => visitor.visit_string(v),
            Kind::Seq => self.deserialize_seq(visitor),
            Kind::Bytes(v) => visitor.visit_byte_buf(v),
            Kind::Map => self.deserialize_map(visitor),
            Kind::Refused(e) => Err(e),
            Kind::Other => Err(invalid_type(&self.0, &visitor)),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0.as_bool() {
            Some(v) => visitor.visit_bool(v),
            None => Err(invalid_type(&self.0, &visitor)),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0.as_f64() {
            Some(v) => visitor.visit_f64(v),
            None => Err(invalid_type(&self.0, &visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0.as_string() {
            Some(v) => visitor.visit_string(v),
            None => Err(invalid_type(&self.0, &visitor)),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        if self.0.is_bigint() {
            return match i64::try_from(self.0) {
                Ok(v) => visitor.visit_i64(v),
                Err(_) => Err(serde::de::Error::custom(
                    "Couldn't deserialize i64 from a BigInt outside i64::MIN..i64::MAX bounds",
                )),
            };
        }
        match safe_integer(&self.0) {
            Some(v) => visitor.visit_i64(v),
            None => Err(invalid_type(&self.0, &visitor)),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        if self.0.is_bigint() {
            return match u64::try_from(self.0) {
                Ok(v) => visitor.visit_u64(v),
                Err(_) => Err(serde::de::Error::custom(
                    "Couldn't deserialize u64 from a BigInt outside u64::MIN..u64::MAX bounds",
                )),
            };
        }
        match safe_integer(&self.0) {
            Some(v) if v >= 0 => visitor.visit_u64(v as u64),
            _ => Err(invalid_type(&self.0, &visitor)),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        if self.0.loose_eq(&JsValue::NULL) {
            visitor.visit_unit()
        } else {
            Err(invalid_type(&self.0, &visitor))
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        visitor.visit_unit()
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        if let Some(v) = bytes(&self.0) {
            return visitor.visit_byte_buf(v);
        }
        if let Some(array) = self.0.dyn_ref::<js_sys::Array>() {
            return visitor.visit_seq(Items {
                items: array.clone(),
                next: 0,
            });
        }
        Err(invalid_type(&self.0, &visitor))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        if let Some(c) = self
            .0
            .dyn_ref::<js_sys::JsString>()
            .and_then(js_sys::JsString::as_char)
        {
            return visitor.visit_char(c);
        }
        Err(invalid_type(&self.0, &visitor))
    }

    // The crate reads no enum, nor 128-bit integer, from a JS value.
    serde::forward_to_deserialize_any! {
        i128 u128 enum
    }

    /// Integers of every width read as 64-bit ones (serde checks the range), as
    /// serde-wasm-bindgen reads them.
    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_f64(visitor)
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_string(visitor)
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_string(visitor)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_byte_buf(visitor)
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.deserialize_unit(visitor)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.0.loose_eq(&JsValue::NULL) {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        if name == AS_IS {
            HANDED.with(|h| h.set(Some(self.0)));
            return visitor.visit_unit();
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let items = items(&self.0, &visitor)?;
        visitor.visit_seq(Items { items, next: 0 })
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        if !self.0.is_object() {
            return Err(invalid_type(&self.0, &visitor));
        }
        visitor.visit_map(Declared {
            object: self.0,
            fields: fields.iter(),
            value: JsValue::UNDEFINED,
        })
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let entries = pairs(&self.0, &visitor)?;
        visitor.visit_map(Entries {
            entries,
            next: 0,
            value: JsValue::UNDEFINED,
        })
    }
}

/// What serde-wasm-bindgen's `deserialize_any` sees in a value, in its order.
enum Kind {
    Unit,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(String),
    Seq,
    Bytes(Vec<u8>),
    Map,
    Refused(ReadError),
    Other,
}

fn kind(value: &JsValue) -> Kind {
    if value.loose_eq(&JsValue::NULL) {
        Kind::Unit
    } else if let Some(v) = value.as_bool() {
        Kind::Bool(v)
    } else if value.is_bigint() {
        match i64::try_from(value.clone()) {
            Ok(v) => Kind::I64(v),
            Err(value) => match u64::try_from(value) {
                Ok(v) => Kind::U64(v),
                Err(_) => Kind::Refused(serde::de::Error::custom(
                    "Couldn't deserialize i64 or u64 from a BigInt outside i64::MIN..u64::MAX bounds",
                )),
            },
        }
    } else if let Some(v) = value.as_f64() {
        if js_sys::Number::is_safe_integer(value) {
            Kind::I64(v as i64)
        } else {
            Kind::F64(v)
        }
    } else if let Some(v) = value.as_string() {
        Kind::Str(v)
    } else if js_sys::Array::is_array(value) {
        Kind::Seq
    } else if let Some(v) = bytes(value) {
        Kind::Bytes(v)
    } else if value.is_object()
        && (!js_sys::Symbol::iterator().js_in(value) || value.has_type::<js_sys::Map>())
    {
        Kind::Map
    } else {
        Kind::Other
    }
}

/// The bytes of a `Uint8Array` or an `ArrayBuffer`.
fn bytes(value: &JsValue) -> Option<Vec<u8>> {
    if let Some(v) = value.dyn_ref::<js_sys::Uint8Array>() {
        return Some(v.to_vec());
    }
    value
        .dyn_ref::<js_sys::ArrayBuffer>()
        .map(|v| js_sys::Uint8Array::new(v).to_vec())
}

/// A sequence's items: an array's, or an iterable's (serde-wasm-bindgen's `deserialize_seq`).
fn items(value: &JsValue, expected: &dyn serde::de::Expected) -> Result<js_sys::Array, ReadError> {
    if let Some(array) = value.dyn_ref::<js_sys::Array>() {
        return Ok(array.clone());
    }
    if js_sys::try_iter(value)?.is_some() {
        return Ok(js_sys::Array::from(value));
    }
    Err(invalid_type(value, expected))
}

/// A map's `[key, value]` pairs: an iterable's, or an object's own entries
/// (serde-wasm-bindgen's `deserialize_map`).
fn pairs(value: &JsValue, expected: &dyn serde::de::Expected) -> Result<js_sys::Array, ReadError> {
    // An array is a sequence, never a map (its items need not be pairs).
    if js_sys::Array::is_array(value) {
        return Err(invalid_type(value, expected));
    }
    if js_sys::try_iter(value)?.is_some() {
        let entries = js_sys::Array::from(value);
        // A `Map`'s entries are pairs; any other iterable's items may not be.
        if entries.iter().all(|pair| js_sys::Array::is_array(&pair)) {
            return Ok(entries);
        }
        return Err(invalid_type(value, expected));
    }
    if value.is_object() {
        return Ok(js_sys::Object::entries(value.unchecked_ref()));
    }
    Err(invalid_type(value, expected))
}

/// serde-wasm-bindgen's refusal of a value of the wrong kind, in its words.
fn invalid_type(value: &JsValue, expected: &dyn serde::de::Expected) -> ReadError {
    use serde::de::Unexpected;
    let text;
    let data;
    let unexpected = if value.loose_eq(&JsValue::NULL) {
        Unexpected::Unit
    } else if let Some(v) = value.as_bool() {
        Unexpected::Bool(v)
    } else if let Some(v) = value.as_f64() {
        Unexpected::Float(v)
    } else if let Some(v) = value.as_string() {
        text = v;
        Unexpected::Str(&text)
    } else if let Some(v) = bytes(value) {
        data = v;
        Unexpected::Bytes(&data)
    } else {
        text = format!("{value:?}");
        Unexpected::Other(&text)
    };
    serde::de::Error::invalid_type(unexpected, expected)
}

/// A map's pairs, read one at a time.
struct Entries {
    entries: js_sys::Array,
    next: u32,
    value: JsValue,
}

impl<'de> serde::de::MapAccess<'de> for Entries {
    type Error = ReadError;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        if self.next >= self.entries.length() {
            return Ok(None);
        }
        let pair: js_sys::Array = self.entries.get(self.next).unchecked_into();
        self.next += 1;
        // The key first, as serde-wasm-bindgen reads a pair.
        let key = pair.get(0);
        self.value = pair.get(1);
        seed.deserialize(Value(key)).map(Some)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        seed.deserialize(Value(std::mem::replace(
            &mut self.value,
            JsValue::UNDEFINED,
        )))
    }
}

/// A struct's declared fields that an object has, one at a time: what serde-wasm-bindgen's
/// `deserialize_struct` reads.
struct Declared {
    object: JsValue,
    fields: std::slice::Iter<'static, &'static str>,
    value: JsValue,
}

impl<'de> serde::de::MapAccess<'de> for Declared {
    type Error = ReadError;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        for field in self.fields.by_ref() {
            let key = JsValue::from_str(field);
            let value = js_sys::Reflect::get(&self.object, &key)
                .unwrap_or_else(|e| wasm_bindgen::throw_val(e));
            // `undefined` may be a missing field: present only if `in` says so.
            if !value.is_undefined() || key.js_in(&self.object) {
                self.value = value;
                return seed
                    .deserialize(serde::de::value::StrDeserializer::new(field))
                    .map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        seed.deserialize(Value(std::mem::replace(
            &mut self.value,
            JsValue::UNDEFINED,
        )))
    }
}

/// A sequence's items, read one at a time.
struct Items {
    items: js_sys::Array,
    next: u32,
}

impl<'de> serde::de::SeqAccess<'de> for Items {
    type Error = ReadError;

    fn next_element_seed<T: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        if self.next >= self.items.length() {
            return Ok(None);
        }
        let item = self.items.get(self.next);
        self.next += 1;
        seed.deserialize(Value(item)).map(Some)
    }
}

/// The text of a reader's error.
fn error_text(e: ReadError) -> String {
    e.0
}

impl crate::api::options::HostValue for Js {
    fn as_text(&self) -> Option<String> {
        self.0.as_string()
    }
}

impl Json for Js {
    fn read<T: DeserializeOwned>(&self) -> Option<T> {
        T::deserialize(Value(self.0.clone())).ok()
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
        Js(value.serialize(Make).unwrap_or(JsValue::NULL))
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

/// Writes the crate's own records (a request body, a log record) as serde-wasm-bindgen writes
/// them — structs as plain objects, sequences as arrays, `None` as `undefined`, numbers beyond 2^53 refused — and
/// nothing else: one small writer instead of its general one with a cache of key strings.
struct Make;

type Unsupported = serde::ser::Impossible<JsValue, ReadError>;

fn unsupported(what: &str) -> ReadError {
    serde::ser::Error::custom(format_args!("{what} are not written here"))
}

/// A struct's fields, set on a plain object.
struct MakeFields(js_sys::Object);

impl serde::ser::SerializeStruct for MakeFields {
    type Ok = JsValue;
    type Error = ReadError;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        let value = value.serialize(Make)?;
        // A plain object the writer made: setting a property cannot fail.
        let _ = js_sys::Reflect::set(&self.0, &JsValue::from_str(key), &value);
        Ok(())
    }

    fn end(self) -> Result<JsValue, Self::Error> {
        Ok(self.0.into())
    }
}

/// A sequence's items, pushed onto an array.
struct MakeItems(js_sys::Array);

impl serde::ser::SerializeSeq for MakeItems {
    type Ok = JsValue;
    type Error = ReadError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Self::Error> {
        self.0.push(&value.serialize(Make)?);
        Ok(())
    }

    fn end(self) -> Result<JsValue, Self::Error> {
        Ok(self.0.into())
    }
}

/// A whole number as a JS number, when it is one exactly (`text` says which, when not).
fn whole(v: f64, exact: bool, text: &dyn std::fmt::Display) -> Result<JsValue, ReadError> {
    if exact {
        Ok(JsValue::from_f64(v))
    } else {
        Err(serde::ser::Error::custom(format_args!(
            "{text} can't be represented as a JavaScript number"
        )))
    }
}

/// 2^53 − 1, the largest whole number a JS number holds exactly along with its neighbours.
const MAX_SAFE: i64 = (1 << 53) - 1;

impl Serializer for Make {
    type Ok = JsValue;
    type Error = ReadError;
    type SerializeSeq = MakeItems;
    type SerializeTuple = Unsupported;
    type SerializeTupleStruct = Unsupported;
    type SerializeTupleVariant = Unsupported;
    type SerializeMap = Unsupported;
    type SerializeStruct = MakeFields;
    type SerializeStructVariant = Unsupported;

    fn serialize_bool(self, v: bool) -> Result<JsValue, Self::Error> {
        Ok(JsValue::from_bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<JsValue, Self::Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<JsValue, Self::Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<JsValue, Self::Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<JsValue, Self::Error> {
        whole(v as f64, (-MAX_SAFE..=MAX_SAFE).contains(&v), &v)
    }
    fn serialize_u8(self, v: u8) -> Result<JsValue, Self::Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<JsValue, Self::Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<JsValue, Self::Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<JsValue, Self::Error> {
        whole(v as f64, v <= MAX_SAFE as u64, &v)
    }
    fn serialize_f32(self, v: f32) -> Result<JsValue, Self::Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<JsValue, Self::Error> {
        Ok(JsValue::from_f64(v))
    }
    fn serialize_char(self, v: char) -> Result<JsValue, Self::Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<JsValue, Self::Error> {
        Ok(JsValue::from_str(v))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<JsValue, Self::Error> {
        Err(unsupported("bytes"))
    }
    fn serialize_none(self) -> Result<JsValue, Self::Error> {
        Ok(JsValue::UNDEFINED)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<JsValue, Self::Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<JsValue, Self::Error> {
        Ok(JsValue::UNDEFINED)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<JsValue, Self::Error> {
        Ok(JsValue::UNDEFINED)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<JsValue, Self::Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<JsValue, Self::Error> {
        if name == AS_IS {
            return HANDED
                .with(std::cell::Cell::take)
                .ok_or_else(|| unsupported("JavaScript values not handed over"));
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<JsValue, Self::Error> {
        Err(unsupported("enums with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<MakeItems, Self::Error> {
        Ok(MakeItems(js_sys::Array::new()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Unsupported, Self::Error> {
        Err(unsupported("tuples"))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Unsupported, Self::Error> {
        Err(unsupported("tuples"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Unsupported, Self::Error> {
        Err(unsupported("enums with data"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Unsupported, Self::Error> {
        Err(unsupported("maps"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<MakeFields, Self::Error> {
        Ok(MakeFields(js_sys::Object::new()))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Unsupported, Self::Error> {
        Err(unsupported("enums with data"))
    }
}
