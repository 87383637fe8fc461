//! Readers of parameter and option objects, filled in place key by key.

/// `Deserialize` for a parameter struct of optional fields, filled in place key by key: what
/// `derive` would do, in a third of the wasm (derived readers keep every field in its own local
/// and drop them all at each early return). Reads every key (`deserialize_map`: a JavaScript
/// object is read as a map), refusing an unknown one in serde's words.
macro_rules! reader {
    ($t:ty, $expecting:literal, $fields:ident = [$($key:literal => $field:ident $(via $conv:path)?),* $(,)?]) => {
        const $fields: &[&str] = &[$($key),*];

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $t;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut m: M) -> Result<$t, M::Error> {
                        let mut v = <$t>::default();
                        while let Some(key) = m.next_key::<String>()? {
                            match key.as_str() {
                                $($key => $crate::api::reader::field!(m, v.$field $(, $conv)?),)*
                                other => return Err(serde::de::Error::unknown_field(other, $fields)),
                            }
                        }
                        Ok(v)
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
    // A struct generic over the host's value `$g` (which must be readable, and `$extra`):
    // `reader!(CallOptions over F, …)`.
    ($t:ident over $g:ident $(+ $extra:path)?, $expecting:literal, $fields:ident = [$($key:literal => $field:ident $(via $conv:path)?),* $(,)?]) => {
        const $fields: &[&str] = &[$($key),*];

        impl<'de, $g: serde::Deserialize<'de> $(+ $extra)?> serde::Deserialize<'de> for $t<$g> {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$t<$g>, D::Error> {
                struct V<$g>(std::marker::PhantomData<$g>);
                impl<'de, $g: serde::Deserialize<'de> $(+ $extra)?> serde::de::Visitor<'de> for V<$g> {
                    type Value = $t<$g>;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut m: M) -> Result<$t<$g>, M::Error> {
                        let mut v = <$t<$g>>::default();
                        while let Some(key) = m.next_key::<String>()? {
                            match key.as_str() {
                                $($key => $crate::api::reader::field!(m, v.$field $(, $conv)?),)*
                                other => return Err(serde::de::Error::unknown_field(other, $fields)),
                            }
                        }
                        Ok(v)
                    }
                }
                d.deserialize_map(V(std::marker::PhantomData))
            }
        }
    };
}
pub(crate) use reader;

/// One field of a reader: through [`put`], or converted by `$conv`.
macro_rules! field {
    ($m:ident, $slot:expr) => {
        $crate::api::reader::put(&mut $m, &mut $slot)?
    };
    ($m:ident, $slot:expr, $conv:path) => {
        $slot = $conv($m.next_value()?)
    };
}
pub(crate) use field;

/// Reads the next value of a map into `slot`. Not inlined: one copy per value type, shared by
/// every reader, instead of one per field.
#[inline(never)]
pub(crate) fn put<'de, M: serde::de::MapAccess<'de>, T: serde::Deserialize<'de>>(
    m: &mut M,
    slot: &mut T,
) -> Result<(), M::Error> {
    *slot = m.next_value()?;
    Ok(())
}

/// `Deserialize` for a struct of optional fields read out of an answer (Kling's, a token's
/// claims): only the listed fields are read (`deserialize_struct`), others are ignored, and each
/// goes through the shared [`put`] — what `derive` does, without a field enum and a duplicate
/// check per field in every struct. Every field must be listed: the struct is built from the list.
macro_rules! lenient {
    ($name:ident $(<$g:ident>)?, $fields:ident = [$($key:literal => $field:ident),* $(,)?]) => {
        const $fields: &[&str] = &[$($key),*];

        impl<'de $(, $g: serde::Deserialize<'de>)?> serde::Deserialize<'de> for $name$(<$g>)? {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V<T>(std::marker::PhantomData<T>);
                impl<'de $(, $g: serde::Deserialize<'de>)?> serde::de::Visitor<'de> for V<$name$(<$g>)?> {
                    type Value = $name$(<$g>)?;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut m: M) -> Result<Self::Value, M::Error> {
                        let mut v = $name { $($field: None),* };
                        while let Some(key) = m.next_key::<String>()? {
                            match key.as_str() {
                                $($key => $crate::api::reader::put(&mut m, &mut v.$field)?,)*
                                _ => {
                                    m.next_value::<serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        Ok(v)
                    }
                }
                d.deserialize_struct("", $fields, V(std::marker::PhantomData))
            }
        }
    };
}
pub(crate) use lenient;
