//! A nested key-value (captured with `log`'s `:serde`: a map, a sequence, a
//! struct, an enum, an `Option`) as an OTLP `AnyValue`: maps and structs as
//! `kvlist_value`, sequences and tuples as `array_value`, recursively, their
//! scalars typed. A small serde `Serializer` writes the protobuf or JSON
//! straight into the record, with no tree in between.
//!
//! The value is the application's, and may hold what a peer sent: every
//! level, entry and byte is bounded, and what is left out is counted in the
//! record's `dropped_attributes_count`.

use std::fmt::{self, Write as _};

use serde_core::Serialize;
use serde_core::ser::{self, Impossible};

use super::proto;
use super::record::{Any, MAX_VALUE, any_value, cut};
use crate::formatters::write_json_str;

/// Most levels of maps and lists in one value; a map or list deeper than
/// this is left out (an empty value, counted). Each map level is three
/// protobuf messages (`AnyValue`, `KeyValueList`, `KeyValue`) and a record
/// already sits six deep in an export request: 16 levels stay well within
/// the 100 nested messages that the reference protobuf decoders (C++,
/// Python) accept by default.
pub(crate) const MAX_DEPTH: usize = 16;
/// Most entries of one map or list; the rest are left out and counted.
pub(crate) const MAX_ENTRIES: usize = 128;
/// Most `Option`s and newtypes around one value (they add no level but
/// recurse).
const MAX_WRAPS: usize = 4 * MAX_DEPTH;
/// What each value (scalar, map or list) costs in the byte budget of its
/// attribute, besides its text: one value holds at most
/// `MAX_VALUE / VALUE_COST` (8192) values.
const VALUE_COST: usize = 8;

/// Writes `value` as the body of one `AnyValue` (protobuf) or its JSON
/// object into `out`, within [`MAX_VALUE`] bytes of keys, strings and
/// bytes (each value counting [`VALUE_COST`] more); returns the count of
/// entries and levels left out. A value that cannot be written (its
/// `Serialize` failed, or a map key is not a scalar) is written as its text,
/// as a non-nested value is.
pub(super) fn write(json: bool, out: &mut Vec<u8>, value: &log::kv::Value<'_>) -> u32 {
    let start = out.len();
    let mut w = Nested {
        json,
        out,
        depth: 0,
        wraps: 0,
        budget: MAX_VALUE,
        dropped: 0,
    };
    if value.serialize(&mut w).is_ok() {
        return w.dropped;
    }
    out.truncate(start);
    any_value(json, out, &Any::Str(&bounded_text(value, MAX_VALUE)));
    0
}

/// The `Display` text of `v`, at most `max` bytes: formatting stops there.
fn bounded_text(v: &dyn fmt::Display, max: usize) -> String {
    struct Bounded {
        text: String,
        left: usize,
    }
    impl fmt::Write for Bounded {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let part = cut(s, self.left);
            self.text.push_str(part);
            self.left -= part.len();
            if part.len() < s.len() {
                // Stops the formatting: the rest would be cut anyway.
                return Err(fmt::Error);
            }
            Ok(())
        }
    }
    let mut b = Bounded {
        text: String::new(),
        left: max,
    };
    let _ = write!(b, "{v}");
    b.text
}

/// The serializer's one error: the value cannot be written as a tree.
#[derive(Debug)]
pub(super) struct Unwritable;

impl fmt::Display for Unwritable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("value cannot be written as an OTLP AnyValue")
    }
}

impl std::error::Error for Unwritable {}

impl ser::Error for Unwritable {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unwritable
    }
}

/// The value being written: each `serialize_*` writes the body of one
/// `AnyValue` (protobuf) or one JSON `AnyValue` object.
struct Nested<'o> {
    json: bool,
    out: &'o mut Vec<u8>,
    /// Maps and lists open around the value being written.
    depth: usize,
    /// `Option`s and newtypes open around it.
    wraps: usize,
    /// Bytes of text left to the whole value.
    budget: usize,
    dropped: u32,
}

impl<'o> Nested<'o> {
    fn scalar(&mut self, v: &Any<'_>) -> Result<(), Unwritable> {
        let v = match *v {
            Any::Str(s) => Any::Str(cut(s, self.budget)),
            Any::Bytes(b) => Any::Bytes(&b[..b.len().min(self.budget)]),
            ref other => *other,
        };
        any_value(self.json, self.out, &v);
        let text = match v {
            Any::Str(s) => s.len(),
            Any::Bytes(b) => b.len(),
            _ => 0,
        };
        self.budget = self.budget.saturating_sub(text + VALUE_COST);
        Ok(())
    }

    fn int(&mut self, v: impl TryInto<i64> + fmt::Display + Copy) -> Result<(), Unwritable> {
        match v.try_into() {
            Ok(i) => self.scalar(&Any::Int(i)),
            // Beyond int64: kept exact, as text (as for a non-nested value).
            Err(_) => self.scalar(&Any::Str(&v.to_string())),
        }
    }

    /// Opens a length-delimited field (protobuf) or writes `json_open`;
    /// returns where it starts, for [`Nested::close`].
    fn open(&mut self, field: u32, json_open: &[u8]) -> usize {
        if self.json {
            self.out.extend_from_slice(json_open);
            return 0;
        }
        proto::open(self.out, field)
    }

    fn close(&mut self, start: usize, json_close: &[u8]) {
        if self.json {
            self.out.extend_from_slice(json_close);
        } else {
            proto::close(self.out, start);
        }
    }

    /// A map or list, deeper by one level (past [`MAX_DEPTH`], an empty
    /// value whose entries are left out).
    fn container(&mut self, list: bool) -> Compound<'_, 'o> {
        let mut c = Compound {
            closes: [(0, b""); 6],
            open: 0,
            levels: 0,
            entries: 0,
            skip: false,
            skip_entry: false,
            ser: self,
        };
        c.level(list);
        c
    }

    /// `{variant: value}`, as serde_json writes an enum variant with data.
    fn variant(&mut self, variant: &str) -> Compound<'_, 'o> {
        let mut c = self.container(false);
        c.key(variant);
        // Left out (no room for the entry): so is what it holds.
        c.skip |= c.skip_entry;
        c
    }

    fn wrapped<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Unwritable> {
        if self.wraps >= MAX_WRAPS {
            self.dropped = self.dropped.saturating_add(1);
            return self.scalar(&Any::Empty);
        }
        self.wraps += 1;
        let r = v.serialize(&mut *self);
        self.wraps -= 1;
        r
    }
}

/// An open map or list (or a variant's map around one): the fields to
/// close at its end, innermost last.
struct Compound<'a, 'o> {
    ser: &'a mut Nested<'o>,
    /// Where each open protobuf field starts, and its JSON close.
    closes: [(usize, &'static [u8]); 6],
    open: usize,
    /// Levels this compound added to the depth.
    levels: usize,
    entries: usize,
    /// Past the depth limit: nothing of it is written.
    skip: bool,
    /// The current map entry is left out (its value is not written).
    skip_entry: bool,
}

impl Compound<'_, '_> {
    fn push(&mut self, field: u32, json_open: &[u8], json_close: &'static [u8]) {
        let start = self.ser.open(field, json_open);
        self.closes[self.open] = (start, json_close);
        self.open += 1;
    }

    fn pop(&mut self) {
        self.open -= 1;
        let (start, json_close) = self.closes[self.open];
        self.ser.close(start, json_close);
    }

    /// Opens one more level: a list, or a map whose entries follow.
    fn level(&mut self, list: bool) {
        if self.skip {
            return;
        }
        if self.ser.depth >= MAX_DEPTH {
            self.ser.dropped = self.ser.dropped.saturating_add(1);
            let _ = self.ser.scalar(&Any::Empty);
            self.skip = true;
            return;
        }
        self.ser.budget = self.ser.budget.saturating_sub(VALUE_COST);
        self.ser.depth += 1;
        self.levels += 1;
        self.entries = 0;
        if list {
            self.push(5, b"{\"arrayValue\":{\"values\":[", b"]}}");
        } else {
            self.push(6, b"{\"kvlistValue\":{\"values\":[", b"]}}");
        }
    }

    /// Whether one more entry fits (entries, bytes); counts it if not.
    fn admit(&mut self) -> bool {
        if self.entries >= MAX_ENTRIES || self.ser.budget < VALUE_COST {
            self.ser.dropped = self.ser.dropped.saturating_add(1);
            return false;
        }
        self.entries += 1;
        if self.ser.json && self.entries > 1 {
            self.ser.out.push(b',');
        }
        true
    }

    fn element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Unwritable> {
        if self.skip || !self.admit() {
            return Ok(());
        }
        let start = self.ser.open(1, b"");
        v.serialize(&mut *self.ser)?;
        self.ser.close(start, b"");
        Ok(())
    }

    /// Opens a map entry keyed `key` (already text); its value follows.
    fn key(&mut self, key: &str) {
        self.skip_entry = self.skip || !self.admit();
        if self.skip_entry {
            return;
        }
        let key = cut(key, self.ser.budget);
        self.ser.budget -= key.len();
        // KeyValue { key = 1; value = 2 }
        self.push(1, b"{\"key\":", b"}");
        if self.ser.json {
            write_json_str(self.ser.out, key);
            self.ser.out.extend_from_slice(b",\"value\":");
        } else {
            proto::bytes(self.ser.out, 1, key.as_bytes());
        }
        self.push(2, b"", b"");
    }

    fn value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Unwritable> {
        if std::mem::take(&mut self.skip_entry) || self.skip {
            return Ok(());
        }
        v.serialize(&mut *self.ser)?;
        self.pop();
        self.pop();
        Ok(())
    }

    fn finish(mut self) -> Result<(), Unwritable> {
        while self.open > 0 {
            self.pop();
        }
        self.ser.depth -= self.levels;
        Ok(())
    }
}

impl<'a, 'o> ser::Serializer for &'a mut Nested<'o> {
    type Ok = ();
    type Error = Unwritable;
    type SerializeSeq = Compound<'a, 'o>;
    type SerializeTuple = Compound<'a, 'o>;
    type SerializeTupleStruct = Compound<'a, 'o>;
    type SerializeTupleVariant = Compound<'a, 'o>;
    type SerializeMap = Compound<'a, 'o>;
    type SerializeStruct = Compound<'a, 'o>;
    type SerializeStructVariant = Compound<'a, 'o>;

    fn serialize_bool(self, v: bool) -> Result<(), Unwritable> {
        self.scalar(&Any::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<(), Unwritable> {
        self.scalar(&Any::Int(i64::from(v)))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Unwritable> {
        self.scalar(&Any::Int(i64::from(v)))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Unwritable> {
        self.scalar(&Any::Int(i64::from(v)))
    }
    fn serialize_i64(self, v: i64) -> Result<(), Unwritable> {
        self.scalar(&Any::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<(), Unwritable> {
        self.int(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Unwritable> {
        self.scalar(&Any::Int(i64::from(v)))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Unwritable> {
        self.scalar(&Any::Int(i64::from(v)))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Unwritable> {
        self.scalar(&Any::Int(i64::from(v)))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Unwritable> {
        self.int(v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Unwritable> {
        self.int(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Unwritable> {
        self.scalar(&Any::Double(f64::from(v)))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Unwritable> {
        self.scalar(&Any::Double(v))
    }
    fn serialize_char(self, v: char) -> Result<(), Unwritable> {
        self.scalar(&Any::Str(v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_str(self, v: &str) -> Result<(), Unwritable> {
        self.scalar(&Any::Str(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Unwritable> {
        self.scalar(&Any::Bytes(v))
    }
    fn serialize_none(self) -> Result<(), Unwritable> {
        self.scalar(&Any::Empty)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Unwritable> {
        self.wrapped(v)
    }
    fn serialize_unit(self) -> Result<(), Unwritable> {
        self.scalar(&Any::Empty)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unwritable> {
        self.scalar(&Any::Empty)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Unwritable> {
        self.scalar(&Any::Str(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Unwritable> {
        self.wrapped(v)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), Unwritable> {
        let mut c = self.variant(variant);
        c.value(v)?;
        c.finish()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a, 'o>, Unwritable> {
        Ok(self.container(true))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a, 'o>, Unwritable> {
        Ok(self.container(true))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'a, 'o>, Unwritable> {
        Ok(self.container(true))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a, 'o>, Unwritable> {
        let mut c = self.variant(variant);
        c.level(true);
        Ok(c)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a, 'o>, Unwritable> {
        Ok(self.container(false))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a, 'o>, Unwritable> {
        Ok(self.container(false))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a, 'o>, Unwritable> {
        let mut c = self.variant(variant);
        c.level(false);
        Ok(c)
    }

    /// A value captured with `:?` or `:%` arrives here: written as a string,
    /// formatting stopped at the byte budget.
    fn collect_str<T: fmt::Display + ?Sized>(self, v: &T) -> Result<(), Unwritable> {
        let text = bounded_text(&v, self.budget);
        self.scalar(&Any::Str(&text))
    }
}

/// The four serde traits of a list, alike but for their names.
macro_rules! list_impls {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Unwritable;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Unwritable> {
                self.element(v)
            }
            fn end(self) -> Result<(), Unwritable> {
                self.finish()
            }
        }
    )*};
}

list_impls!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Unwritable;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Unwritable> {
        if self.skip {
            return Ok(());
        }
        let mut key = KeyText(String::new());
        k.serialize(&mut key)?;
        self.key(&key.0);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Unwritable> {
        self.value(v)
    }
    fn end(self) -> Result<(), Unwritable> {
        self.finish()
    }
}

/// The two serde traits of a struct, alike but for their names.
macro_rules! struct_impls {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Unwritable;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                v: &T,
            ) -> Result<(), Unwritable> {
                self.key(key);
                self.value(v)
            }
            fn end(self) -> Result<(), Unwritable> {
                self.finish()
            }
        }
    )*};
}

struct_impls!(SerializeStruct, SerializeStructVariant);

/// A map key as text: strings as they are, other scalars as serde_json
/// writes them (`1`, `true`, a unit variant's name); a map or list as a key
/// makes the value unwritable.
struct KeyText(String);

impl KeyText {
    fn text(&mut self, v: impl fmt::Display) -> Result<(), Unwritable> {
        // Keys are cut to the budget when written; this bounds the copy.
        self.0 = bounded_text(&v, MAX_VALUE);
        Ok(())
    }
}

impl ser::Serializer for &mut KeyText {
    type Ok = ();
    type Error = Unwritable;
    type SerializeSeq = Impossible<(), Unwritable>;
    type SerializeTuple = Impossible<(), Unwritable>;
    type SerializeTupleStruct = Impossible<(), Unwritable>;
    type SerializeTupleVariant = Impossible<(), Unwritable>;
    type SerializeMap = Impossible<(), Unwritable>;
    type SerializeStruct = Impossible<(), Unwritable>;
    type SerializeStructVariant = Impossible<(), Unwritable>;

    fn serialize_bool(self, v: bool) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_i8(self, v: i8) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_char(self, v: char) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_str(self, v: &str) -> Result<(), Unwritable> {
        self.text(v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Unwritable> {
        Err(Unwritable)
    }
    fn serialize_none(self) -> Result<(), Unwritable> {
        Err(Unwritable)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Unwritable> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Unwritable> {
        Err(Unwritable)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unwritable> {
        Err(Unwritable)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Unwritable> {
        self.text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Unwritable> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unwritable> {
        Err(Unwritable)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Unwritable> {
        Err(Unwritable)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unwritable> {
        Err(Unwritable)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Unwritable> {
        Err(Unwritable)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unwritable> {
        Err(Unwritable)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unwritable> {
        Err(Unwritable)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Unwritable> {
        Err(Unwritable)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unwritable> {
        Err(Unwritable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn both(v: &impl Serialize) -> (Vec<u8>, Value, u32) {
        let value = log::kv::Value::from_serde(v);
        let mut proto = Vec::new();
        let dropped = write(false, &mut proto, &value);
        let mut json = Vec::new();
        assert_eq!(write(true, &mut json, &value), dropped, "same count");
        let json = serde_json::from_slice(&json).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&json));
        });
        (proto, json, dropped)
    }

    /// Levels of `kvlist_value` (each one entry) down to the innermost.
    fn depth(mut v: &Value) -> usize {
        let mut n = 0;
        while let Some(entries) = v["kvlistValue"]["values"].as_array() {
            n += 1;
            v = &entries[0]["value"];
        }
        n
    }

    #[test]
    fn levels_past_the_limit_are_an_empty_value_counted_once() {
        let mut deep = json!("leaf");
        for _ in 0..MAX_DEPTH + 5 {
            deep = json!({ "a": deep });
        }
        let (proto, json, dropped) = both(&deep);
        assert_eq!(depth(&json), MAX_DEPTH);
        assert_eq!(dropped, 1);
        // The protobuf nests as deep: three messages a level.
        let mut body = &proto[..];
        for _ in 0..MAX_DEPTH {
            for field in [6, 1, 2] {
                let fields = proto::fields(body).unwrap();
                let (_, proto::Field::Bytes(inner)) =
                    fields.into_iter().find(|(f, _)| *f == field).unwrap()
                else {
                    panic!("field {field} is not a message")
                };
                body = inner;
            }
        }
        assert!(body.is_empty(), "an empty AnyValue where the cut level was");

        let mut at_limit = json!(1);
        for _ in 0..MAX_DEPTH {
            at_limit = json!([at_limit]);
        }
        assert_eq!(both(&at_limit).2, 0, "{MAX_DEPTH} levels are kept whole");
    }

    #[test]
    fn entries_and_bytes_are_bounded_and_counted() {
        let wide: Vec<u8> = vec![1; MAX_ENTRIES + 3];
        let (_, json, dropped) = both(&wide);
        assert_eq!(
            json["arrayValue"]["values"].as_array().unwrap().len(),
            MAX_ENTRIES
        );
        assert_eq!(dropped, 3);

        // A map of 100 entries of 1KiB keys and values: the keys count too.
        let big: std::collections::BTreeMap<String, String> = (0..100)
            .map(|i| (format!("{i:03}{}", "k".repeat(1021)), "v".repeat(1024)))
            .collect();
        let (_, json, dropped) = both(&big);
        let entries = json["kvlistValue"]["values"].as_array().unwrap();
        let text: usize = entries
            .iter()
            .map(|e| {
                e["key"].as_str().unwrap().len() + e["value"]["stringValue"].as_str().unwrap().len()
            })
            .sum();
        assert!(text <= MAX_VALUE, "{text}");
        assert!(text > MAX_VALUE - 2048, "{text}");
        assert_eq!(entries.len() + dropped as usize, 100);
    }

    #[test]
    fn a_value_that_cannot_be_a_tree_is_its_text() {
        // A map keyed by pairs: no scalar key.
        let pairs: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        let (proto, json, dropped) = both(&pairs);
        assert_eq!(dropped, 0);
        assert_eq!(json, json!({ "stringValue": "{(1, 2): 3}" }));
        assert_eq!(
            proto::fields(&proto).unwrap(),
            [(1, proto::Field::Bytes(b"{(1, 2): 3}"))]
        );

        /// Fails half-way through a list inside a map.
        struct Failing;
        impl Serialize for Failing {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use ser::{SerializeMap, SerializeSeq};
                let mut m = s.serialize_map(None)?;
                m.serialize_key("k")?;
                struct Half;
                impl Serialize for Half {
                    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut l = s.serialize_seq(None)?;
                        l.serialize_element(&1)?;
                        Err(ser::Error::custom("broken"))
                    }
                }
                m.serialize_value(&Half)?;
                m.end()
            }
        }
        let mut out = Vec::new();
        write(false, &mut out, &log::kv::Value::from_serde(&Failing));
        let fields = proto::fields(&out).unwrap();
        assert_eq!(fields.len(), 1, "only the text is left: {fields:?}");
        assert!(matches!(fields[0], (1, proto::Field::Bytes(_))));
    }

    #[test]
    fn debug_text_stops_at_the_bound() {
        let long = vec![0u8; MAX_VALUE];
        let value = log::kv::Value::from_debug(&long);
        let mut out = Vec::new();
        write(true, &mut out, &value);
        let json: Value = serde_json::from_slice(&out).unwrap();
        let text = json["stringValue"].as_str().unwrap();
        assert_eq!(text.len(), MAX_VALUE);
        assert!(text.starts_with("[0, 0, "), "{}", &text[..10]);
    }
}
