//! Decoding scalars, lists and maps: strings, secrets, booleans, numbers,
//! levels, sizes, durations, choices.

use std::collections::BTreeMap;
use std::time::Duration;

use super::Decoder;
use crate::config::{Level, Secret, SecretUrl};
use crate::error::{hint, join};
use crate::load::node::{Node, Value};

impl Decoder<'_> {
    pub(super) fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        self.note(path, node);
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => {
                self.error(
                    node,
                    path,
                    format!("expected a string, found {}", node.kind()),
                );
                None
            }
        }
    }

    /// A string that is never shown: a password, a header value. Its place
    /// is recorded even when it is not a string, so the source line a
    /// diagnostic quotes is cut there.
    pub(super) fn secret(&mut self, node: &Node, path: &str) -> Option<Secret> {
        let value = self.string(node, path);
        let text = value.clone().unwrap_or_default();
        self.secrets
            .add(node.line, node.column, &text, vec![text.clone()]);
        value.map(Secret::new)
    }

    /// A URL whose user information and token-like parameters are never
    /// shown.
    pub(super) fn secret_url(&mut self, node: &Node, path: &str) -> Option<SecretUrl> {
        let url = self.string(node, path)?;
        let parts = crate::config::url_secrets(&url);
        // Without `scheme://` the user information cannot be told apart: the
        // whole (invalid) URL is kept out of diagnostics.
        if !url.contains("://") {
            self.secrets
                .add(node.line, node.column, &url, vec![url.clone()]);
        } else if !parts.is_empty() {
            self.secrets.add(node.line, node.column, &url, parts);
        }
        Some(SecretUrl::new(url))
    }

    /// Records the secrets of a custom handler's options: values of keys
    /// with secret-like names, and URLs' secrets, at any depth.
    pub(super) fn note_option_secrets(&mut self, node: &Node) {
        match &node.value {
            Value::Map(entries) => {
                for (k, v) in entries {
                    if crate::config::is_secret_name(&k.name) && v.value != Value::Null {
                        let text = match &v.value {
                            Value::Str(s) => s.clone(),
                            _ => String::new(),
                        };
                        self.secrets
                            .add(v.line, v.column, &text, vec![text.clone()]);
                    } else {
                        self.note_option_secrets(v);
                    }
                }
            }
            Value::Seq(items) => items.iter().for_each(|i| self.note_option_secrets(i)),
            Value::Str(s) => {
                let parts = crate::config::url_secrets(s);
                if !parts.is_empty() {
                    self.secrets.add(node.line, node.column, s, parts);
                }
            }
            _ => {}
        }
    }

    pub(super) fn bool(&mut self, node: &Node, path: &str) -> Option<bool> {
        self.note(path, node);
        match &node.value {
            Value::Bool(b) => Some(*b),
            // YAML 1.1 spellings (PyYAML reads them as booleans, so Python
            // configs use them); the YAML parser itself keeps them as text.
            Value::Str(s)
                if node.expanded
                    || (self.format == crate::load::Format::Yaml
                        && ["yes", "no", "on", "off"]
                            .contains(&s.to_ascii_lowercase().as_str())) =>
            {
                match s.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "on" | "1" => Some(true),
                    "false" | "no" | "off" | "0" => Some(false),
                    _ => {
                        self.error(node, path, format!("expected true or false, found `{s}`"));
                        None
                    }
                }
            }
            _ => {
                self.error(
                    node,
                    path,
                    format!("expected true or false, found {}", node.kind()),
                );
                None
            }
        }
    }

    pub(super) fn integer(
        &mut self,
        node: &Node,
        path: &str,
        min: i128,
        max: i128,
    ) -> Option<i128> {
        self.note(path, node);
        let n = match &node.value {
            Value::Int(i) => *i,
            Value::Str(s) if node.expanded && s.trim().parse::<i128>().is_ok() => {
                s.trim().parse().ok()?
            }
            _ => {
                self.error(
                    node,
                    path,
                    format!("expected an integer, found {}", node.kind()),
                );
                return None;
            }
        };
        if n < min || n > max {
            self.error(
                node,
                path,
                format!("{n} is out of range: expected {min} to {max}"),
            );
            return None;
        }
        Some(n)
    }

    /// A number (integer or decimal) of at least `min`.
    pub(super) fn number(&mut self, node: &Node, path: &str, min: f64) -> Option<f64> {
        self.note(path, node);
        let n = match &node.value {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            Value::Str(s) if node.expanded && s.trim().parse::<f64>().is_ok() => {
                s.trim().parse().ok()?
            }
            _ => {
                self.error(
                    node,
                    path,
                    format!("expected a number, found {}", node.kind()),
                );
                return None;
            }
        };
        if !n.is_finite() || n < min {
            self.error(
                node,
                path,
                format!("{n} is out of range: expected a number of at least {min}"),
            );
            return None;
        }
        Some(n)
    }

    pub(super) fn level(&mut self, node: &Node, path: &str) -> Option<Level> {
        self.note(path, node);
        let parsed = match &node.value {
            Value::Str(s) => s.parse::<Level>(),
            Value::Int(i) => Ok(Level::from_number(i64::try_from(*i).unwrap_or(i64::MAX))),
            _ => Err(format!("expected a level name, found {}", node.kind())),
        };
        parsed.map_err(|e| self.error(node, path, e)).ok()
    }

    pub(super) fn size(&mut self, node: &Node, path: &str) -> Option<u64> {
        self.note(path, node);
        let parsed = match &node.value {
            Value::Int(i) if *i >= 0 => u64::try_from(*i).map_err(|_| "size too large".to_owned()),
            Value::Int(i) => Err(format!("size must not be negative, found {i}")),
            Value::Str(s) => crate::config::parse_size(s),
            _ => Err(format!(
                "expected a size such as `10MiB`, found {}",
                node.kind()
            )),
        };
        parsed.map_err(|e| self.error(node, path, e)).ok()
    }

    pub(super) fn duration(&mut self, node: &Node, path: &str) -> Option<Duration> {
        self.note(path, node);
        let parsed = match &node.value {
            Value::Str(s) => crate::config::parse_duration(s),
            Value::Int(0) => Ok(Duration::ZERO),
            Value::Int(i) => Err(format!(
                "invalid duration `{i}`: add a unit, such as `{i}s` or `{i}ms`"
            )),
            _ => Err(format!(
                "expected a duration such as `250ms`, found {}",
                node.kind()
            )),
        };
        parsed.map_err(|e| self.error(node, path, e)).ok()
    }

    /// One of a closed set of words; `names[i]` maps to `values[i]`.
    /// The index in `names` of the name `node` gives (any case), or the
    /// error that it is none of them. An index, not the value it stands
    /// for: one body for every choice type.
    pub(super) fn choice(
        &mut self,
        node: &Node,
        path: &str,
        what: &str,
        names: &[&str],
    ) -> Option<usize> {
        let s = self.string(node, path)?;
        let lower = s.to_ascii_lowercase();
        match names.iter().position(|n| *n == lower) {
            Some(i) => Some(i),
            None => {
                let h = hint(&s, names.iter().copied());
                let list = names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.error(
                    node,
                    path,
                    format!("unknown {what} `{s}`{h}; expected one of {list}"),
                );
                None
            }
        }
    }

    pub(super) fn string_list(&mut self, node: &Node, path: &str) -> Vec<String> {
        self.note(path, node);
        match &node.value {
            Value::Seq(items) => {
                let mut names = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    if self.exhausted() {
                        break;
                    }
                    let p = format!("{path}[{i}]");
                    if item.value == Value::Null {
                        // `handlers: [null]`: a component named `null`.
                        self.note(&p, item);
                        names.push("null".to_owned());
                    } else {
                        names.extend(self.string(item, &p));
                    }
                }
                names
            }
            // A single name is a list of one, as YAML users often write.
            Value::Str(_) => self
                .string(node, &format!("{path}[0]"))
                .into_iter()
                .collect(),
            Value::Null => Vec::new(),
            _ => {
                self.error(
                    node,
                    path,
                    format!("expected a list of names, found {}", node.kind()),
                );
                Vec::new()
            }
        }
    }

    pub(super) fn string_map(&mut self, node: &Node, path: &str) -> BTreeMap<String, String> {
        self.map_of(node, path, Self::string)
    }

    /// A mapping of names to secrets (HTTP headers).
    pub(super) fn secret_map(&mut self, node: &Node, path: &str) -> BTreeMap<String, Secret> {
        self.map_of(node, path, Self::secret)
    }

    /// A mapping of names to values read by `value`.
    pub(super) fn map_of<T>(
        &mut self,
        node: &Node,
        path: &str,
        value: fn(&mut Self, &Node, &str) -> Option<T>,
    ) -> BTreeMap<String, T> {
        let mut out = BTreeMap::new();
        if let Some(f) = self.fields(node, path) {
            for (k, v) in f.entries {
                if let Some(s) = value(self, v, &join(path, &k.name)) {
                    out.insert(k.name.clone(), s);
                }
            }
        }
        out
    }
}
