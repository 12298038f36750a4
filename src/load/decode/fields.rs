//! Reading the fields declared in `config::fields`: the bounds and choices
//! come from the declaration, so the decoder and the schema apply the same
//! ones. Each `*_value` reads a field that may be absent (`None` when it is
//! absent or invalid, the error reported); each `*_field` falls back to a
//! default.

use std::time::Duration;

use super::{Decoder, Fields};
use crate::config::fields::{Field, Kind};
use crate::config::{Level, Size, format_duration};
use crate::error::join;
use crate::load::node::Node;

/// The value of `key` and its path, when the mapping has it.
fn take<'n>(f: &mut Fields<'n>, path: &str, key: &'static str) -> Option<(&'n Node, String)> {
    f.take(key).map(|n| (n, join(path, key)))
}

impl Decoder<'_> {
    /// The duration `field`, or `default` when it is absent or invalid (the
    /// error is reported).
    pub(super) fn duration_field(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
        default: Duration,
    ) -> Duration {
        let Kind::Duration { max, .. } = field.kind else {
            return default;
        };
        match self.duration_value(f, path, field) {
            Some(Err(())) => max.map_or(default, |(max, _)| max),
            Some(Ok(d)) => d,
            None => default,
        }
    }

    /// The duration `field` when it is set and valid; `Err` when it is past
    /// its maximum (reported).
    fn duration_value(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
    ) -> Option<Result<Duration, ()>> {
        let Kind::Duration { positive, max } = field.kind else {
            return None;
        };
        let key = field.name;
        let (n, p) = take(f, path, key)?;
        match self.duration(n, &p)? {
            d if positive && d.is_zero() => {
                self.error(n, &p, format!("`{key}` must be longer than 0"));
                None
            }
            d => match max {
                Some((max, why)) if d > max => {
                    let max_text = format_duration(max);
                    self.error(n, &p, format!("`{key}` must be at most {max_text}: {why}"));
                    Some(Err(()))
                }
                _ => Some(Ok(d)),
            },
        }
    }

    /// The optional duration `field` (no default: unset means none).
    pub(super) fn optional_duration(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
    ) -> Option<Duration> {
        self.duration_value(f, path, field)?.ok()
    }

    /// The size `field`, or `default` when it is absent or invalid.
    pub(super) fn size_field(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
        default: Size,
    ) -> Size {
        self.size_value(f, path, field).unwrap_or(default)
    }

    /// The size `field` when it is set and within its bounds.
    pub(super) fn size_value(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
    ) -> Option<Size> {
        let Kind::Size { min, max, why } = field.kind else {
            return None;
        };
        let key = field.name;
        let (n, p) = take(f, path, key)?;
        let b = self.size(n, &p)?;
        if b < min {
            let unit = if min == 1 { "byte" } else { "bytes" };
            let why = why.map(|w| format!(" ({w})")).unwrap_or_default();
            self.error(n, &p, format!("`{key}` must be at least {min} {unit}{why}"));
            return None;
        }
        if b > max {
            let why = why.map_or_else(|| format!("expected {min} to {max} bytes"), str::to_owned);
            self.error(n, &p, format!("{b} is out of range: {why}"));
            return None;
        }
        Some(Size(b))
    }

    /// The count `field`, or `default` when it is absent or invalid.
    pub(super) fn count_field(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
        default: u32,
    ) -> u32 {
        self.count_value(f, path, field).unwrap_or(default)
    }

    /// The count `field` when it is set and within its range.
    pub(super) fn count_value(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
    ) -> Option<u32> {
        let Kind::Count { min, max } = field.kind else {
            return None;
        };
        let (n, p) = take(f, path, field.name)?;
        self.integer(n, &p, i128::from(min), i128::from(max))
            .map(|v| v as u32)
    }

    /// The choice `field`, as the value its name stands for: `values[i]` is
    /// what the table's `names[i]` means (`config::fields`'s tests hold the
    /// names to the types' own).
    pub(super) fn choice_value<T: Copy>(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
        values: &[T],
    ) -> Option<T> {
        self.choice_field(f, path, field)
            .and_then(|i| values.get(i).copied())
    }

    /// The body of [`Decoder::choice_value`], once for every choice type:
    /// the index in the table's names of the name `field` is set to.
    fn choice_field(&mut self, f: &mut Fields<'_>, path: &str, field: Field) -> Option<usize> {
        let Kind::Choice { what, names } = field.kind else {
            return None;
        };
        let (n, p) = take(f, path, field.name)?;
        self.choice(n, &p, what, names)
    }

    /// The boolean `field` when it is set and valid.
    pub(super) fn bool_value(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
    ) -> Option<bool> {
        debug_assert!(matches!(field.kind, Kind::Bool), "{}", field.name);
        self.read_value(f, path, field, Self::bool)
    }

    /// The level `field` when it is set and valid.
    pub(super) fn level_value(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
    ) -> Option<Level> {
        debug_assert!(matches!(field.kind, Kind::Level), "{}", field.name);
        self.read_value(f, path, field, Self::level)
    }

    /// The permissions `field` when it is set and valid.
    pub(super) fn permissions_value(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
    ) -> Option<u32> {
        debug_assert!(matches!(field.kind, Kind::Permissions), "{}", field.name);
        self.read_value(f, path, field, Self::permissions)
    }

    /// `field` read by `read` when the mapping has it.
    fn read_value<T>(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
        read: fn(&mut Self, &Node, &str) -> Option<T>,
    ) -> Option<T> {
        let (n, p) = take(f, path, field.name)?;
        read(self, n, &p)
    }

    /// The token `field` (printable ASCII without spaces, `1..=max` bytes,
    /// none of `forbidden`) when it is set and valid; `what` and `like` shape
    /// the message.
    pub(super) fn token_value(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
    ) -> Option<String> {
        let Kind::Token {
            what,
            max,
            forbidden,
            why,
        } = field.kind
        else {
            return None;
        };
        let (n, p) = take(f, path, field.name)?;
        let s = self.string(n, &p)?;
        if crate::config::fields::is_token(&s, max, forbidden) {
            return Some(s);
        }
        let mut without: Vec<String> = forbidden
            .iter()
            .map(|b| format!("`{}`", *b as char))
            .collect();
        without.push("spaces".to_owned());
        let without = match without.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        };
        self.error(
            n,
            &p,
            format!("invalid {what} `{s}`: expected 1 to {max} printable ASCII characters without {without}{why}"),
        );
        None
    }
}
