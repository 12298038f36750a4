//! [`SpanRecord`]: one span of the scope a `tracing` event was logged in.
//!
//! Plain data with no `tracing` type in it, so formatters, filters and handlers
//! see spans the same way whether or not the `tracing` feature is on. The
//! layer (feature `tracing`) records a span's fields when the span is created
//! and when `Span::record` adds some, and hands the scope of each event, root
//! first, to the graph through [`Entry::spans`](crate::Entry::spans).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::value::OwnedValue;

/// A span of the current scope: its name and its fields, types kept.
///
/// Cheap to clone (the fields are shared), so an event in a deep scope costs a
/// reference count per span, not a copy of its fields. Records logged through
/// `log` have no spans.
///
/// As a [`log::kv::Source`](https://docs.rs/log/latest/log/kv/trait.Source.html), it visits its fields like a record's key-values,
/// with their types: integers, floats and booleans stay what they are; other
/// values are text.
///
/// # Examples
///
/// ```
/// use log::kv::{Source, Value};
/// use logfig::SpanRecord;
///
/// let span = SpanRecord::new("request")
///     .with_field("id", Value::from(7u64))
///     .with_field("path", Value::from("/health"));
/// assert_eq!(span.name(), "request");
/// assert_eq!(span.get(log::kv::Key::from_str("id")).and_then(|v| v.to_u64()), Some(7));
/// assert_eq!(span.count(), 2);
/// ```
#[derive(Clone, PartialEq)]
pub struct SpanRecord {
    inner: Arc<Inner>,
}

#[derive(Clone, PartialEq)]
struct Inner {
    name: Cow<'static, str>,
    fields: Vec<(Cow<'static, str>, OwnedValue)>,
}

impl SpanRecord {
    /// A span with this name and no fields.
    ///
    /// # Examples
    ///
    /// ```
    /// let span = logfig::SpanRecord::new("db");
    /// assert_eq!(span.name(), "db");
    /// ```
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        SpanRecord {
            inner: Arc::new(Inner {
                name: name.into(),
                fields: Vec::new(),
            }),
        }
    }

    /// Adds a field, or replaces the value of the field of that name.
    ///
    /// # Examples
    ///
    /// ```
    /// use log::kv::{Source, Value};
    ///
    /// let span = logfig::SpanRecord::new("job")
    ///     .with_field("try", Value::from(1u64))
    ///     .with_field("try", Value::from(2u64));
    /// assert_eq!(span.count(), 1);
    /// ```
    pub fn with_field(
        mut self,
        key: impl Into<Cow<'static, str>>,
        value: log::kv::Value<'_>,
    ) -> Self {
        self.set(key.into(), OwnedValue::capture(&value));
        self
    }

    /// The span's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Sets a field (copying the shared fields first if an event still holds
    /// them).
    pub(crate) fn set(&mut self, key: Cow<'static, str>, value: OwnedValue) {
        let inner = Arc::make_mut(&mut self.inner);
        match inner.fields.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => inner.fields.push((key, value)),
        }
    }
}

impl log::kv::Source for SpanRecord {
    fn visit<'kvs>(
        &'kvs self,
        visitor: &mut dyn log::kv::VisitSource<'kvs>,
    ) -> Result<(), log::kv::Error> {
        for (k, v) in &self.inner.fields {
            visitor.visit_pair(log::kv::Key::from_str(k), v.to_value())?;
        }
        Ok(())
    }
}

impl fmt::Debug for SpanRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_struct("SpanRecord");
        m.field("name", &self.inner.name);
        for (k, v) in &self.inner.fields {
            m.field(k, v);
        }
        m.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use log::kv::Source;

    #[test]
    fn types_are_kept_and_keys_replaced() {
        let span = SpanRecord::new("s")
            .with_field("b", log::kv::Value::from(true))
            .with_field("i", log::kv::Value::from(-3i64))
            .with_field("f", log::kv::Value::from(1.5f64))
            .with_field("s", log::kv::Value::from("x y"))
            .with_field("i", log::kv::Value::from(4i64));
        let fields = &span.inner.fields;
        assert_eq!(
            fields.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
            [
                OwnedValue::Bool(true),
                OwnedValue::I64(4),
                OwnedValue::F64(1.5),
                OwnedValue::Str("x y".into())
            ]
        );
        assert_eq!(span.count(), 4);
        // A clone held elsewhere keeps its values when the span is updated.
        let held = span.clone();
        let mut span = span;
        span.set("i".into(), OwnedValue::I64(5));
        assert_eq!(held.inner.fields[1].1, OwnedValue::I64(4));
    }
}
