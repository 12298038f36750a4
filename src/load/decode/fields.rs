//! Reading the fields declared in `config::fields`: the bounds come from the
//! declaration, so the decoder and the schema apply the same ones.

use std::time::Duration;

use super::{Decoder, Fields};
use crate::config::fields::{Field, Kind};
use crate::config::{Size, format_duration};
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
        let Kind::Duration { positive, max } = field.kind else {
            return default;
        };
        let key = field.name;
        let Some((n, p)) = take(f, path, key) else {
            return default;
        };
        match self.duration(n, &p) {
            Some(d) if positive && d.is_zero() => {
                self.error(n, &p, format!("`{key}` must be longer than 0"));
                default
            }
            Some(d) => match max {
                Some((max, why)) if d > max => {
                    let max_text = format_duration(max);
                    self.error(n, &p, format!("`{key}` must be at most {max_text}: {why}"));
                    max
                }
                _ => d,
            },
            None => default,
        }
    }

    /// The size `field`, or `default` when it is absent or invalid.
    pub(super) fn size_field(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
        default: Size,
    ) -> Size {
        let Kind::Size { min } = field.kind else {
            return default;
        };
        let key = field.name;
        let Some((n, p)) = take(f, path, key) else {
            return default;
        };
        match self.size(n, &p) {
            Some(b) if b < min => {
                let unit = if min == 1 { "byte" } else { "bytes" };
                self.error(n, &p, format!("`{key}` must be at least {min} {unit}"));
                default
            }
            Some(b) => Size(b),
            None => default,
        }
    }

    /// The count `field`, or `default` when it is absent or invalid.
    pub(super) fn count_field(
        &mut self,
        f: &mut Fields<'_>,
        path: &str,
        field: Field,
        default: u32,
    ) -> u32 {
        let Kind::Count { min, max } = field.kind else {
            return default;
        };
        f.take(field.name)
            .and_then(|n| {
                self.integer(n, &join(path, field.name), i128::from(min), i128::from(max))
            })
            .map_or(default, |v| v as u32)
    }
}
