//! Reads plain JavaScript values (what `JSON.parse` and IndexedDB give) into serde types, with errors that name what was found by its kind only.
//!
//! In place of serde-wasm-bindgen's `Deserializer` (its `Serializer` still writes every answer):
//! on a type mismatch, that one hands serde an `Unexpected` to display, and serde displays a
//! number found as a float and a string found with its escapes, which bring Rust's float
//! formatting and `Debug` escaping into the wasm. This reader never displays one: the page's wasm
//! went from 81,851 to 74,566 B brotli (the full wasm from 112,567 to 105,480), and to 76,789 B
//! once a read that throws or lies (a getter, a `Proxy`, a length no array has) refuses the value
//! rather than escaping or reading as absent, and field names are made into strings once.
//!
//! It reads what the schema needs: `null` and `undefined`, booleans, numbers, strings, arrays, and
//! objects as structs (their fields read by name, prototype getters included) or as maps (their
//! own keys); bytes, symbols and BigInts, which JSON cannot hold, are refused.

use js_sys::{Array, ArrayBuffer, Reflect};
use serde::de::{self, DeserializeSeed, Deserializer, Expected, IntoDeserializer, Visitor};
use std::cell::RefCell;
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};

/// A JavaScript value to read with serde.
pub struct JsRead(JsValue);

impl JsRead {
    /// Reads `value`.
    pub fn new(value: JsValue) -> Self {
        JsRead(value)
    }
}

/// Why a value did not read: serde's message, or the kind of value found where another was expected.
#[derive(Debug)]
pub struct ReadError(String);

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

impl de::Error for ReadError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ReadError(msg.to_string())
    }

    // serde's wording, without displaying the `Unexpected` (see the module's note).
    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn Expected) -> Self {
        ReadError(format!(
            "invalid type: {}, expected {expected}",
            kind_of(&unexpected)
        ))
    }

    fn invalid_value(unexpected: de::Unexpected<'_>, expected: &dyn Expected) -> Self {
        ReadError(format!(
            "invalid value: {}, expected {expected}",
            kind_of(&unexpected)
        ))
    }
}

/// What kind of value `unexpected` is, in serde's words, without the value.
fn kind_of(unexpected: &de::Unexpected<'_>) -> &'static str {
    use de::Unexpected::*;
    match unexpected {
        Bool(_) => "boolean",
        Unsigned(_) | Signed(_) => "integer",
        Float(_) => "floating point",
        Char(_) => "character",
        Str(_) => "string",
        Bytes(_) => "byte array",
        Unit => "null",
        Option => "Option value",
        Seq => "sequence",
        Map => "map",
        _ => "other value",
    }
}

/// `value`'s kind in serde's words, for a mismatch this reader finds itself.
fn mismatch(value: &JsValue, expected: &dyn Expected) -> ReadError {
    let found = if is_absent(value) {
        "null"
    } else if value.as_bool().is_some() {
        "boolean"
    } else if let Some(n) = value.as_f64() {
        if is_safe_integer(n) {
            "integer"
        } else {
            "floating point"
        }
    } else if value.is_string() {
        "string"
    } else if is_array(value).unwrap_or(false) {
        "sequence"
    } else if is_bytes(value) {
        "byte array"
    } else if value.is_object() {
        "map"
    } else {
        "other value"
    };
    ReadError(format!("invalid type: {found}, expected {expected}"))
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `Object.keys`, whose throw (a `Proxy`'s trap) comes back as an error, not through the wasm.
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn object_keys(object: &JsValue) -> Result<Array, JsValue>;

    /// `Array.isArray`, whose throw (a revoked `Proxy`) comes back as an error, not through the wasm.
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    fn array_is_array(value: &JsValue) -> Result<bool, JsValue>;
}

/// Whether `value` is an array; a value that throws on the question is unreadable.
fn is_array(value: &JsValue) -> Result<bool, ReadError> {
    array_is_array(value).map_err(|_| unreadable("."))
}

/// Whether `value` is `null` or `undefined`, and nothing else (`== null` would also take
/// `document.all`, which would then read as an absent field).
fn is_absent(value: &JsValue) -> bool {
    value.is_null() || value.is_undefined()
}

/// A value JavaScript would not give (a getter or a `Proxy` trap threw): refused, never read as
/// absent, which could leave out a date that makes a book taxable.
fn unreadable(what: &str) -> ReadError {
    ReadError(format!("@{what}: 無法讀取（讀取時發生錯誤）"))
}

/// Whether `value` is bytes (an `ArrayBuffer`, a typed array, a `DataView`): no JSON value, so
/// refused, where reading its indexes as an object's keys would make up a value.
fn is_bytes(value: &JsValue) -> bool {
    value.is_instance_of::<ArrayBuffer>() || ArrayBuffer::is_view(value)
}

/// Whether `n` is an integer JavaScript holds exactly (`Number.isSafeInteger`).
fn is_safe_integer(n: f64) -> bool {
    n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0
}

impl<'de> Deserializer<'de> for JsRead {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        let value = self.0;
        // Strings first: most of a record is strings, and each test is a call into JavaScript.
        if let Some(s) = value.as_string() {
            visitor.visit_string(s)
        } else if is_absent(&value) {
            visitor.visit_unit()
        } else if let Some(b) = value.as_bool() {
            visitor.visit_bool(b)
        } else if let Some(n) = value.as_f64() {
            if is_safe_integer(n) {
                visitor.visit_i64(n as i64)
            } else {
                visitor.visit_f64(n)
            }
        } else if is_array(&value)? {
            visitor.visit_seq(Items::new(value.unchecked_into())?)
        } else if value.is_object() && !is_bytes(&value) {
            visitor.visit_map(Entries::new(value)?)
        } else {
            Err(mismatch(&value, &visitor))
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        if is_absent(&self.0) {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        if is_array(&self.0)? {
            visitor.visit_seq(Items::new(self.0.unchecked_into())?)
        } else {
            Err(mismatch(&self.0, &visitor))
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        if !self.0.is_object() || is_array(&self.0)? || is_bytes(&self.0) {
            return Err(mismatch(&self.0, &visitor));
        }
        visitor.visit_map(Fields {
            object: self.0,
            fields: fields.iter(),
            value: None,
        })
    }

    /// Ignored without a look at it: no call into JavaScript.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct tuple tuple_struct map enum identifier
    }
}

/// An array's items, in order.
struct Items {
    array: Array,
    length: u32,
    next: u32,
}

impl Items {
    fn new(array: Array) -> Result<Self, ReadError> {
        // Through Reflect, which hands back a throw (a `Proxy`'s trap) as an error.
        let length = Reflect::get(&array, &field_name("length"))
            .map_err(|_| unreadable("length"))?
            .as_f64()
            // A length an array cannot have (a `Proxy`'s) is no list: never read as a shorter one.
            .filter(|n| n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(n))
            .ok_or_else(|| unreadable("length"))? as u32;
        Ok(Items {
            array,
            length,
            next: 0,
        })
    }
}

impl<'de> de::SeqAccess<'de> for Items {
    type Error = ReadError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ReadError> {
        if self.next >= self.length {
            return Ok(None);
        }
        let index = self.next;
        self.next += 1;
        let item =
            Reflect::get_u32(&self.array, index).map_err(|_| unreadable(&format!("[{index}]")))?;
        seed.deserialize(JsRead(item)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.length.saturating_sub(self.next) as usize)
    }
}

/// An object's own enumerable keys and their values (a map, or an object read as any value).
struct Entries {
    object: JsValue,
    keys: Array,
    next: u32,
}

impl Entries {
    fn new(object: JsValue) -> Result<Self, ReadError> {
        let keys = object_keys(&object).map_err(|_| unreadable("."))?;
        Ok(Entries {
            object,
            keys,
            next: 0,
        })
    }
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = ReadError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ReadError> {
        if self.next >= self.keys.length() {
            return Ok(None);
        }
        seed.deserialize(JsRead(self.keys.get(self.next))).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, ReadError> {
        // As for a struct's fields: never a value for a key past the last (it would read `undefined`).
        if self.next >= self.keys.length() {
            return Err(ReadError(String::from("a value asked before its field")));
        }
        let key = self.keys.get(self.next);
        self.next += 1;
        let value = Reflect::get(&self.object, &key)
            .map_err(|_| unreadable(&key.as_string().unwrap_or_default()))?;
        seed.deserialize(JsRead(value))
    }
}

thread_local! {
    /// Field names as JavaScript strings, each made once: a list of 100,000 records reads every
    /// name 100,000 times, and making the string anew each time made `decideIsbns` 3× slower.
    static FIELD_NAMES: RefCell<Vec<(&'static str, JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// `field` as a JavaScript string, from [`FIELD_NAMES`] (matched by address and length: the names
/// are the schema's literals, and `length`).
fn field_name(field: &'static str) -> JsValue {
    FIELD_NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if let Some((_, name)) = names.iter().find(|(known, _)| std::ptr::eq(*known, field)) {
            return name.clone();
        }
        let name = JsValue::from_str(field);
        names.push((field, name.clone()));
        name
    })
}

/// A struct's fields, each read by name from the object (getters included); a field the object
/// does not have is left to its default, one it holds as `undefined` reads as `undefined`, and one
/// that throws as it is read refuses the whole value.
struct Fields {
    object: JsValue,
    fields: std::slice::Iter<'static, &'static str>,
    value: Option<JsValue>,
}

impl<'de> de::MapAccess<'de> for Fields {
    type Error = ReadError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ReadError> {
        for field in self.fields.by_ref() {
            let key = field_name(field);
            let value = Reflect::get(&self.object, &key).map_err(|_| unreadable(field))?;
            if value.is_undefined()
                && !Reflect::has(&self.object, &key).map_err(|_| unreadable(field))?
            {
                continue;
            }
            self.value = Some(value);
            return seed
                .deserialize(IntoDeserializer::<ReadError>::into_deserializer(*field))
                .map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, ReadError> {
        // Never a made-up `undefined` (it would read as absent): a value comes after its key.
        let value = self
            .value
            .take()
            .ok_or_else(|| ReadError(String::from("a value asked before its field")))?;
        seed.deserialize(JsRead(value))
    }
}
