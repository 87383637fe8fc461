//! The host's JSON value as the core reads it: typed reads of just the fields it decides on, and
//! the few constructors it needs. `serde_json::Value` natively; the platform's own objects in wasm.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A host's parsed JSON value, read as typed structs of just the fields the core decides on.
pub trait Json: Clone + std::fmt::Debug + DeserializeOwned + Serialize {
    /// Reads `T` out of this value; `None` when its shape does not fit `T`. Readers ignore
    /// unknown fields, so new fields from Kling never break a read.
    fn read<T: DeserializeOwned>(&self) -> Option<T>;

    /// Reads a caller's parameters as `T`, or says why they do not fit (in serde's words).
    fn parse<T: DeserializeOwned>(&self) -> Result<T, String>;

    /// The keys of an object (none for anything else).
    fn keys(&self) -> Vec<String>;

    /// An object with only `key` of this one (to find which field a failed read is about).
    fn only(&self, key: &str) -> Self;

    /// The host's value for `value` (a request body, a log record, parameters handed back).
    fn make<T: Serialize>(value: &T) -> Self;

    /// The host's parse of JSON text the core was handed as text (a token's claims); `None` when
    /// it is not JSON.
    fn from_text(text: &str) -> Option<Self>;

    /// Whether the value is an object (not an array, not `null`).
    fn is_object(&self) -> bool;

    /// Whether the value is an array.
    fn is_array(&self) -> bool;

    /// A copy without the `null` members of its objects, at any depth: checked parameters as
    /// they are sent (a `null` means "not given").
    fn without_nulls(&self) -> Self;

    /// This object with `key` set to the string `value` (on a copy the core made, such as
    /// [`Json::without_nulls`]'s).
    fn with_text(self, key: &str, value: &str) -> Self;
}

#[cfg(not(target_arch = "wasm32"))]
impl Json for serde_json::Value {
    fn read<T: DeserializeOwned>(&self) -> Option<T> {
        T::deserialize(self).ok()
    }

    fn parse<T: DeserializeOwned>(&self) -> Result<T, String> {
        T::deserialize(self).map_err(|e| e.to_string())
    }

    fn keys(&self) -> Vec<String> {
        self.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn only(&self, key: &str) -> Self {
        let mut one = serde_json::Map::new();
        if let Some(v) = self.get(key) {
            one.insert(key.to_string(), v.clone());
        }
        serde_json::Value::Object(one)
    }

    fn make<T: Serialize>(value: &T) -> Self {
        // Our own types always serialize.
        serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
    }

    fn from_text(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    fn is_object(&self) -> bool {
        serde_json::Value::is_object(self)
    }

    fn is_array(&self) -> bool {
        serde_json::Value::is_array(self)
    }

    fn without_nulls(&self) -> Self {
        match self {
            serde_json::Value::Object(o) => serde_json::Value::Object(
                o.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), v.without_nulls()))
                    .collect(),
            ),
            serde_json::Value::Array(a) => {
                serde_json::Value::Array(a.iter().map(Json::without_nulls).collect())
            }
            other => other.clone(),
        }
    }

    fn with_text(mut self, key: &str, value: &str) -> Self {
        if let Some(o) = self.as_object_mut() {
            o.insert(key.to_string(), value.into());
        }
        self
    }
}
