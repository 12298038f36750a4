//! [`Node`] tree → [`Config`], collecting every problem instead of stopping at
//! the first.
//!
//! serde's derived `Deserialize` stops at the first error of a struct and loses
//! positions inside internally tagged enums (serde#1621), so the config is read
//! here field by field: each field that cannot be read adds a diagnostic with its
//! path and position, and reading goes on with the next one.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

use super::budget::Budget;
use super::node::{Node, Trail, Value};
use crate::config::{
    ColorMode, CommonHandlerConfig, Compression, Config, ConsoleHandlerConfig, CustomHandlerConfig,
    CustomOptions, DedupFilterConfig, FileHandlerConfig, FileMode, FilterAction, FilterConfig,
    FormatStyle, FormatterConfig, HandlerConfig, JsonFormatterConfig, Level, LevelFilterConfig,
    LoggerConfig, MemoryHandlerConfig, NameFilterConfig, NullHandlerConfig, Overflow,
    PatternFormatterConfig, QueueHandlerConfig, RateLimitFilterConfig, RegexFilterConfig,
    ReloadConfig, ReloadMode, RootConfig, RotateWhen, RotatingFileHandlerConfig, Secret,
    SecretSpots, SecretUrl, Stream, WatchedFileHandlerConfig,
};
use crate::error::{Diagnostic, hint};

mod net;
mod platform;

pub(crate) struct Decoder<'e> {
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Errors found past the first [`KEPT`], counted only.
    pub(crate) omitted: usize,
    pub(crate) spans: HashMap<String, (u32, u32)>,
    /// Components that failed to decode (`handlers.app`): references to them
    /// are not reported again as undefined.
    pub(crate) failed: HashSet<String>,
    /// Where the secrets are, so diagnostics never quote them.
    pub(crate) secrets: SecretSpots,
    /// What the config may still make the load hold: the positions kept by
    /// path take from it too.
    pub(crate) budget: Budget,
    env: &'e dyn Fn(&str) -> Option<String>,
    format: super::Format,
}

/// The most diagnostics the decoder keeps; a load reports fewer still
/// (`MAX_DIAGNOSTICS`), and counts the rest. A config of 250,000 unknown keys
/// makes one error each, and each names the keys it could have been.
const KEPT: usize = 4 * super::MAX_DIAGNOSTICS;

/// The entries of one mapping, read key by key; keys never asked for are
/// reported as unknown, with a hint among the keys that were.
struct Fields<'n> {
    path: String,
    entries: &'n [(super::node::Key, Node)],
    used: Vec<bool>,
    known: Vec<&'static str>,
}

pub(crate) fn join(path: &str, key: &str) -> String {
    // A key with no letters or digits (`""`, `::`) is quoted, so the path
    // stays readable.
    let key = if key.chars().any(char::is_alphanumeric) {
        key.to_owned()
    } else {
        format!("{key:?}")
    };
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

impl<'e> Decoder<'e> {
    pub(crate) fn new(
        env: &'e dyn Fn(&str) -> Option<String>,
        format: super::Format,
        budget: Budget,
    ) -> Self {
        Decoder {
            diagnostics: Vec::new(),
            omitted: 0,
            spans: HashMap::new(),
            failed: HashSet::new(),
            secrets: SecretSpots::default(),
            budget,
            env,
            format,
        }
    }

    /// Whether the config went over its budget: the load stops.
    pub(crate) fn exhausted(&self) -> bool {
        self.budget.exhausted()
    }

    /// Keeps `d`, or only counts it once [`KEPT`] are kept.
    pub(crate) fn push(&mut self, d: Diagnostic) {
        if self.diagnostics.len() < KEPT {
            self.diagnostics.push(d);
        } else if d.severity() == crate::Severity::Error {
            self.omitted += 1;
        }
    }

    /// An error placed at the position recorded for `path` (a component's
    /// name), for problems of the component as a whole.
    fn error_at_path(&mut self, path: &str, message: impl Into<String>) {
        self.push(Diagnostic::error(path, message));
    }

    pub(crate) fn errors(&self) -> usize {
        self.omitted
            + self
                .diagnostics
                .iter()
                .filter(|d| d.severity() == crate::Severity::Error)
                .count()
    }

    fn error(&mut self, node: &Node, path: &str, message: impl Into<String>) {
        self.push(Diagnostic::error(path, message).at(node.line, node.column, None));
    }

    /// Records where `path` is, for diagnostics found later; the path's
    /// text is taken from the budget (a long key over a long list would make
    /// these paths quadratic in the text).
    fn note(&mut self, path: &str, node: &Node) {
        if self.budget.exhausted() {
            return;
        }
        if let Err(message) = self.budget.take(0, path.len()) {
            self.error(node, path, message);
            return;
        }
        self.spans.insert(path.to_owned(), (node.line, node.column));
    }

    /// Expands `${VAR}` in every string of the tree, in place.
    pub(crate) fn expand(&mut self, node: &mut Node) {
        self.expand_at(node, &Trail::Root);
    }

    fn expand_at(&mut self, node: &mut Node, trail: &Trail<'_>) {
        if self.budget.exhausted() {
            return;
        }
        match &mut node.value {
            Value::Str(s) => {
                match super::env::expand(s, self.env, self.budget.bytes_left()) {
                    Ok(Some(expanded)) => {
                        let grown = expanded.len().saturating_sub(s.len());
                        *s = expanded;
                        node.expanded = true;
                        if let Err(message) = self.budget.take(0, grown) {
                            self.error(node, &trail.render(), message);
                        }
                    }
                    Ok(None) => {}
                    Err(message) => {
                        if message == super::budget::too_many_bytes() {
                            // Mark the budget spent, so the load stops here.
                            let _ = self.budget.take(0, usize::MAX);
                        }
                        self.error(node, &trail.render(), message);
                    }
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.expand_at(item, &Trail::Index(trail, i));
                }
            }
            Value::Map(entries) => {
                // Python's `$`-style formats are made of `${name}`: in a
                // formatter with `style: $`, `format` is not expanded.
                let dollar_format =
                    matches!(trail, Trail::Key(Trail::Key(Trail::Root, "formatters"), _))
                        && entries
                            .iter()
                            .any(|(k, v)| k.name == "style" && v.value == Value::Str("$".into()));
                for (k, v) in entries.iter_mut() {
                    if dollar_format && k.name == "format" {
                        continue;
                    }
                    self.expand_at(v, &Trail::Key(trail, &k.name));
                }
            }
            _ => {}
        }
    }

    fn fields<'n>(&mut self, node: &'n Node, path: &str) -> Option<Fields<'n>> {
        self.note(path, node);
        match &node.value {
            Value::Map(entries) => Some(Fields {
                path: path.to_owned(),
                entries,
                used: vec![false; entries.len()],
                known: Vec::new(),
            }),
            // An empty value (`root:` with nothing after it) is an empty mapping.
            Value::Null => Some(Fields {
                path: path.to_owned(),
                entries: &[],
                used: Vec::new(),
                known: Vec::new(),
            }),
            _ => {
                self.error(
                    node,
                    path,
                    format!("expected a mapping, found {}", node.kind()),
                );
                None
            }
        }
    }

    // ---- scalars -------------------------------------------------------

    fn string(&mut self, node: &Node, path: &str) -> Option<String> {
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
    fn secret(&mut self, node: &Node, path: &str) -> Option<Secret> {
        let value = self.string(node, path);
        let text = value.clone().unwrap_or_default();
        self.secrets
            .add(node.line, node.column, &text, vec![text.clone()]);
        value.map(Secret::new)
    }

    /// A URL whose user information and token-like parameters are never
    /// shown.
    fn secret_url(&mut self, node: &Node, path: &str) -> Option<SecretUrl> {
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
    fn note_option_secrets(&mut self, node: &Node) {
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

    fn bool(&mut self, node: &Node, path: &str) -> Option<bool> {
        self.note(path, node);
        match &node.value {
            Value::Bool(b) => Some(*b),
            // YAML 1.1 spellings (PyYAML reads them as booleans, so Python
            // configs use them); the YAML parser itself keeps them as text.
            Value::Str(s)
                if node.expanded
                    || (self.format == super::Format::Yaml
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

    fn integer(&mut self, node: &Node, path: &str, min: i128, max: i128) -> Option<i128> {
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
    fn number(&mut self, node: &Node, path: &str, min: f64) -> Option<f64> {
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

    fn level(&mut self, node: &Node, path: &str) -> Option<Level> {
        self.note(path, node);
        let parsed = match &node.value {
            Value::Str(s) => s.parse::<Level>(),
            Value::Int(i) => Ok(Level::from_number(i64::try_from(*i).unwrap_or(i64::MAX))),
            _ => Err(format!("expected a level name, found {}", node.kind())),
        };
        parsed.map_err(|e| self.error(node, path, e)).ok()
    }

    fn size(&mut self, node: &Node, path: &str) -> Option<u64> {
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

    fn duration(&mut self, node: &Node, path: &str) -> Option<Duration> {
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
    fn choice<T: Copy>(
        &mut self,
        node: &Node,
        path: &str,
        what: &str,
        names: &[&str],
        values: &[T],
    ) -> Option<T> {
        let s = self.string(node, path)?;
        let lower = s.to_ascii_lowercase();
        match names.iter().position(|n| *n == lower) {
            Some(i) => Some(values[i]),
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

    fn string_list(&mut self, node: &Node, path: &str) -> Vec<String> {
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

    fn string_map(&mut self, node: &Node, path: &str) -> BTreeMap<String, String> {
        self.map_of(node, path, Self::string)
    }

    /// A mapping of names to secrets (HTTP headers).
    fn secret_map(&mut self, node: &Node, path: &str) -> BTreeMap<String, Secret> {
        self.map_of(node, path, Self::secret)
    }

    /// A mapping of names to values read by `value`.
    fn map_of<T>(
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

    // ---- the config ----------------------------------------------------

    pub(crate) fn config(&mut self, root: &Node) -> Option<Config> {
        let mut f = self.fields(root, "")?;
        let mut config = Config::default();
        match f.take("version") {
            Some(n) => {
                if let Some(v) = self.integer(n, "version", i128::MIN, i128::MAX)
                    && v != 1
                {
                    self.error(n, "version", format!("unsupported version {v}: expected 1"));
                }
            }
            None => {
                let add = match self.format {
                    super::Format::Yaml => "version: 1",
                    super::Format::Toml => "version = 1",
                    super::Format::Json => "\"version\": 1",
                };
                self.error_at_path("", format!("missing key `version` (add `{add}`)"));
            }
        }
        if let Some(n) = f.take("disable_existing_loggers") {
            config.disable_existing_loggers =
                self.bool(n, "disable_existing_loggers").unwrap_or_default();
        }
        if let Some(n) = f.take("incremental") {
            config.incremental = self.bool(n, "incremental").unwrap_or_default();
        }
        if let Some(n) = f.take("reload") {
            config.reload = self.reload(n, "reload").unwrap_or_default();
        }
        if let Some(n) = f.take("formatters") {
            config.formatters = self.named(n, "formatters", Self::formatter);
        }
        if let Some(n) = f.take("filters") {
            config.filters = self.named(n, "filters", Self::filter);
        }
        if let Some(n) = f.take("handlers") {
            if config.incremental {
                config.handler_levels = self.named(n, "handlers", Self::handler_level);
            } else {
                config.handlers = self.named(n, "handlers", Self::handler);
            }
        }
        if let Some(n) = f.take("loggers") {
            config.loggers = self.named(n, "loggers", Self::logger);
        }
        if let Some(n) = f.take("root") {
            config.root = self.root(n, "root").unwrap_or_default();
        }
        // Issue #4: editors read the schema from a top-level `$schema` key (JSON
        // configs); accept and ignore it, without listing it among the known keys.
        if let Some(i) = f.entries.iter().position(|(k, _)| k.name == "$schema") {
            f.used[i] = true;
        }
        f.finish(self);
        Some(config)
    }

    fn named<T>(
        &mut self,
        node: &Node,
        path: &str,
        read: impl Fn(&mut Self, &Node, &str) -> Option<T>,
    ) -> BTreeMap<String, T> {
        let mut out = BTreeMap::new();
        let Some(f) = self.fields(node, path) else {
            return out;
        };
        for (k, v) in f.entries {
            if self.exhausted() {
                break;
            }
            let p = join(path, &k.name);
            self.spans.insert(p.clone(), (k.line, k.column));
            let before = self.errors();
            match read(self, v, &p) {
                // A component with any error is left out whole, so checks
                // that build on it do not report knock-on problems.
                Some(item) if self.errors() == before => {
                    out.insert(k.name.clone(), item);
                }
                _ => {
                    self.failed.insert(p.clone());
                }
            }
            // Re-point the name at its key, which is where users look for it.
            self.spans.insert(p, (k.line, k.column));
        }
        out
    }

    fn reload(&mut self, node: &Node, path: &str) -> Option<ReloadConfig> {
        let mut f = self.fields(node, path)?;
        let mut r = ReloadConfig::default();
        if let Some(n) = f.take("enabled") {
            r.enabled = self.bool(n, &join(path, "enabled")).unwrap_or(r.enabled);
        }
        if let Some(n) = f.take("mode") {
            let modes = [ReloadMode::Auto, ReloadMode::Events, ReloadMode::Poll];
            r.mode = self
                .choice(
                    n,
                    &join(path, "mode"),
                    "reload mode",
                    &["auto", "events", "poll"],
                    &modes,
                )
                .unwrap_or_default();
        }
        if let Some(n) = f.take("debounce") {
            r.debounce = self
                .duration(n, &join(path, "debounce"))
                .unwrap_or(r.debounce);
        }
        if let Some(n) = f.take("max_wait") {
            r.max_wait = self
                .duration(n, &join(path, "max_wait"))
                .unwrap_or(r.max_wait);
        }
        if let Some(n) = f.take("poll_interval") {
            r.poll_interval = self.duration(n, &join(path, "poll_interval"));
        }
        if let Some(n) = f.take("on_sighup") {
            r.on_sighup = self.bool(n, &join(path, "on_sighup")).unwrap_or_default();
        }
        f.finish(self);
        Some(r)
    }

    fn logger(&mut self, node: &Node, path: &str) -> Option<LoggerConfig> {
        let mut f = self.fields(node, path)?;
        let mut l = LoggerConfig::default();
        if let Some(n) = f.take("level") {
            l.level = self.level(n, &join(path, "level"));
        }
        if let Some(n) = f.take("handlers") {
            l.handlers = self.string_list(n, &join(path, "handlers"));
        }
        if let Some(n) = f.take("propagate") {
            l.propagate = self.bool(n, &join(path, "propagate")).unwrap_or(true);
        }
        if let Some(n) = f.take("filters") {
            l.filters = self.string_list(n, &join(path, "filters"));
        }
        f.finish(self);
        Some(l)
    }

    fn root(&mut self, node: &Node, path: &str) -> Option<RootConfig> {
        let mut f = self.fields(node, path)?;
        let mut r = RootConfig::default();
        if let Some(n) = f.take("level") {
            r.level = self.level(n, &join(path, "level"));
        }
        if let Some(n) = f.take("handlers") {
            r.handlers = self.string_list(n, &join(path, "handlers"));
        }
        if let Some(n) = f.take("filters") {
            r.filters = self.string_list(n, &join(path, "filters"));
        }
        f.finish(self);
        Some(r)
    }

    /// Reads `type` and checks it against `types`; `None` when it is missing and
    /// there is no default, or unknown.
    fn kind(
        &mut self,
        f: &mut Fields<'_>,
        what: &str,
        types: &[&str],
        default: Option<&str>,
    ) -> Option<String> {
        let path = join(&f.path, "type");
        let Some(n) = f.take("type") else {
            if default.is_none() {
                let list = types
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let p = f.path.clone();
                self.error_at_path(
                    &p,
                    format!("missing key `type`: the {what} type, one of {list}"),
                );
            }
            return default.map(str::to_owned);
        };
        // YAML reads a plain `null` as null: `type: null` names the null handler.
        let t = match n.value {
            Value::Null => {
                self.note(&path, n);
                "null".to_owned()
            }
            _ => self.string(n, &path)?,
        };
        if types.contains(&t.as_str()) {
            return Some(t);
        }
        let h = hint(&t, types.iter().copied());
        let list = types
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ");
        self.error(
            n,
            &path,
            format!("unknown {what} type `{t}`{h}; expected one of {list}"),
        );
        // Mark the other keys as read: they belong to a kind we don't know.
        f.used.iter_mut().for_each(|u| *u = true);
        None
    }

    fn handler(&mut self, node: &Node, path: &str) -> Option<HandlerConfig> {
        let mut f = self.fields(node, path)?;
        // Python's `class:` form never gets here: load::python rewrites it
        // (or removes the handler with an error) before decoding.
        let kind = self.kind(&mut f, "handler", HandlerConfig::TYPES, None)?;
        let handler = match kind.as_str() {
            "console" => {
                let mut c = ConsoleHandlerConfig::default();
                if let Some(n) = f.take("stream") {
                    c.stream = self
                        .choice(
                            n,
                            &join(path, "stream"),
                            "stream",
                            &["stdout", "stderr"],
                            &[Stream::Stdout, Stream::Stderr],
                        )
                        .unwrap_or_default();
                }
                if let Some(n) = f.take("color") {
                    let modes = [ColorMode::Auto, ColorMode::Always, ColorMode::Never];
                    c.color = self
                        .choice(
                            n,
                            &join(path, "color"),
                            "color mode",
                            &["auto", "always", "never"],
                            &modes,
                        )
                        .unwrap_or_default();
                }
                c.common = self.common(&mut f, path);
                Some(HandlerConfig::Console(c))
            }
            "file" => {
                let file_path = match f.take("path") {
                    Some(n) => self.string(n, &join(path, "path")),
                    None => {
                        self.error_at_path(path, "missing key `path`: the log file's path");
                        None
                    }
                };
                let mut c =
                    FileHandlerConfig::new(PathBuf::from(file_path.clone().unwrap_or_default()));
                if file_path.as_deref() == Some("")
                    && let Some(n) = f.get("path")
                {
                    self.error(n, &join(path, "path"), "the path is empty");
                }
                if let Some(n) = f.take("mode") {
                    let modes = [FileMode::Append, FileMode::Truncate];
                    c.mode = self
                        .choice(
                            n,
                            &join(path, "mode"),
                            "file mode",
                            &["append", "truncate"],
                            &modes,
                        )
                        .unwrap_or_default();
                }
                if let Some(n) = f.take("permissions") {
                    c.permissions = self
                        .permissions(n, &join(path, "permissions"))
                        .unwrap_or(c.permissions);
                }
                if let Some(n) = f.take("flush_level") {
                    c.flush_level = self
                        .level(n, &join(path, "flush_level"))
                        .unwrap_or(c.flush_level);
                }
                if let Some(n) = f.take("buffer") {
                    let p = join(path, "buffer");
                    match self.size(n, &p) {
                        Some(0) => self.error(n, &p, "the buffer size must be at least 1 byte"),
                        Some(b) => c.buffer = crate::config::Size(b),
                        None => {}
                    }
                }
                c.common = self.common(&mut f, path);
                file_path.map(|_| HandlerConfig::File(c))
            }
            "rotating_file" => self.rotating_file(&mut f, path),
            "watched_file" => {
                let file_path = self.file_path(&mut f, path);
                let mut c = WatchedFileHandlerConfig::new(file_path.clone().unwrap_or_default());
                if let Some(n) = f.take("permissions") {
                    c.permissions = self
                        .permissions(n, &join(path, "permissions"))
                        .unwrap_or(c.permissions);
                }
                c.common = self.common(&mut f, path);
                file_path.map(|_| HandlerConfig::WatchedFile(c))
            }
            "queue" => {
                let handlers = match f.take("handlers") {
                    Some(n) => {
                        let p = join(path, "handlers");
                        let list = self.string_list(n, &p);
                        let empty = match &n.value {
                            Value::Seq(items) => items.is_empty(),
                            v => *v == Value::Null,
                        };
                        if empty {
                            self.error(n, &p, "a queue needs at least one handler to write to");
                        }
                        Some(list)
                    }
                    None => {
                        self.error_at_path(
                            path,
                            "missing key `handlers`: the handlers the queue writes to",
                        );
                        None
                    }
                };
                let mut c = QueueHandlerConfig::new(handlers.clone().unwrap_or_default());
                if let Some(n) = f.take("capacity") {
                    c.capacity = self
                        .integer(n, &join(path, "capacity"), 1, i128::from(u32::MAX))
                        .map_or(c.capacity, |v| v as u32);
                }
                if let Some(n) = f.take("overflow") {
                    let policies = [Overflow::Block, Overflow::DropNewest, Overflow::DropOldest];
                    c.overflow = self
                        .choice(
                            n,
                            &join(path, "overflow"),
                            "overflow policy",
                            &["block", "drop_newest", "drop_oldest"],
                            &policies,
                        )
                        .unwrap_or_default();
                }
                if let Some(n) = f.take("drop_below") {
                    c.drop_below = self.level(n, &join(path, "drop_below"));
                }
                c.worker = self.worker(&mut f, path);
                c.common = self.common(&mut f, path);
                handlers.map(|_| HandlerConfig::Queue(c))
            }
            "memory" => {
                let target = match f.take("target") {
                    Some(n) => self.string(n, &join(path, "target")),
                    None => {
                        self.error_at_path(
                            path,
                            "missing key `target`: the handler that receives the buffered records",
                        );
                        None
                    }
                };
                let mut c = MemoryHandlerConfig::new(target.clone().unwrap_or_default());
                if let Some(n) = f.take("capacity") {
                    c.capacity = self
                        .integer(n, &join(path, "capacity"), 1, i128::from(u32::MAX))
                        .map_or(c.capacity, |v| v as u32);
                }
                if let Some(n) = f.take("flush_level") {
                    c.flush_level = self
                        .level(n, &join(path, "flush_level"))
                        .unwrap_or(c.flush_level);
                }
                c.common = self.common(&mut f, path);
                target.map(|_| HandlerConfig::Memory(c))
            }
            "null" => Some(HandlerConfig::Null(NullHandlerConfig {
                common: self.common(&mut f, path),
            })),
            "tcp" => self.tcp(&mut f, path),
            "udp" => self.udp(&mut f, path),
            "syslog" => self.syslog(&mut f, path),
            "http" => self.http(&mut f, path),
            "smtp" => self.smtp(&mut f, path),
            "otlp" => self.otlp(&mut f, path),
            "journald" => self.journald(&mut f, path),
            "custom" => {
                let factory = match f.take("factory") {
                    Some(n) => self.string(n, &join(path, "factory")),
                    None => {
                        self.error_at_path(path, "missing key `factory`: the name a handler factory was registered under");
                        None
                    }
                };
                let options = match f.take("options") {
                    Some(n) => {
                        self.note_option_secrets(n);
                        CustomOptions::new(n.to_json())
                    }
                    None => CustomOptions::default(),
                };
                let common = self.common(&mut f, path);
                factory.map(|factory| {
                    HandlerConfig::Custom(CustomHandlerConfig {
                        factory,
                        options,
                        common,
                    })
                })
            }
            _ => None,
        };
        f.finish(self);
        handler
    }

    /// A handler of an incremental config: only its level counts, as in
    /// Python; other keys are ignored.
    fn handler_level(&mut self, node: &Node, path: &str) -> Option<Option<Level>> {
        let mut f = self.fields(node, path)?;
        let level = f
            .take("level")
            .and_then(|n| self.level(n, &join(path, "level")));
        Some(level)
    }

    /// The required, non-empty `path` of a file handler.
    fn file_path(&mut self, f: &mut Fields<'_>, path: &str) -> Option<PathBuf> {
        let file_path = match f.take("path") {
            Some(n) => self.string(n, &join(path, "path")),
            None => {
                self.error_at_path(path, "missing key `path`: the log file's path");
                None
            }
        };
        if file_path.as_deref() == Some("")
            && let Some(n) = f.get("path")
        {
            self.error(n, &join(path, "path"), "the path is empty");
        }
        file_path.map(PathBuf::from)
    }

    fn rotating_file(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let file_path = self.file_path(f, path);
        let mut c = RotatingFileHandlerConfig::new(file_path.clone().unwrap_or_default());
        if let Some(n) = f.take("permissions") {
            c.permissions = self
                .permissions(n, &join(path, "permissions"))
                .unwrap_or(c.permissions);
        }
        if let Some(n) = f.take("max_bytes") {
            let p = join(path, "max_bytes");
            match self.size(n, &p) {
                Some(0) => self.error(
                    n,
                    &p,
                    "`max_bytes` must be at least 1 byte (leave it out for no size limit)",
                ),
                Some(b) => c.max_bytes = Some(crate::config::Size(b)),
                None => {}
            }
        }
        if let Some(n) = f.take("when") {
            c.when = self.choice(
                n,
                &join(path, "when"),
                "rotation time",
                RotateWhen::NAMES,
                RotateWhen::ALL,
            );
        }
        if let Some(n) = f.take("interval") {
            c.interval = self
                .integer(n, &join(path, "interval"), 1, i128::from(u32::MAX))
                .map_or(1, |v| v as u32);
        }
        if let Some(n) = f.take("at_time") {
            let p = join(path, "at_time");
            if let Some(t) = self.string(n, &p) {
                match crate::config::parse_time_of_day(&t) {
                    Ok(_) => c.at_time = Some(t),
                    Err(e) => self.error(n, &p, e),
                }
            }
        }
        if let Some(n) = f.take("utc") {
            c.utc = self.bool(n, &join(path, "utc")).unwrap_or_default();
        }
        if let Some(n) = f.take("archive") {
            let p = join(path, "archive");
            if let Some(a) = self.string(n, &p) {
                if a.is_empty() || a.contains('/') || a.contains('\\') {
                    self.error(
                        n,
                        &p,
                        format!("invalid archive name `{a}`: expected a file name (no directory), such as `app.%Y-%m-%d.log`"),
                    );
                } else if !a.contains('%') {
                    self.error(
                        n,
                        &p,
                        format!("archive name `{a}` has no strftime field such as `%Y-%m-%d`: every archive would get the same name"),
                    );
                } else {
                    c.archive = Some(a);
                }
            }
        }
        if let Some(n) = f.take("backups") {
            c.backups = self
                .integer(n, &join(path, "backups"), 0, i128::from(u32::MAX))
                .map(|v| v as u32);
        }
        if let Some(n) = f.take("max_age") {
            let p = join(path, "max_age");
            match self.duration(n, &p) {
                Some(d) if d.is_zero() => self.error(n, &p, "`max_age` must be longer than 0"),
                d => c.max_age = d,
            }
        }
        if let Some(n) = f.take("max_total_size") {
            let p = join(path, "max_total_size");
            match self.size(n, &p) {
                Some(0) => self.error(n, &p, "`max_total_size` must be at least 1 byte"),
                b => c.max_total_size = b.map(crate::config::Size),
            }
        }
        if let Some(n) = f.take("compress") {
            c.compress = self
                .choice(
                    n,
                    &join(path, "compress"),
                    "compression",
                    &["none", "gzip"],
                    &[Compression::None, Compression::Gzip],
                )
                .unwrap_or_default();
        }
        c.common = self.common(f, path);
        file_path.map(|_| HandlerConfig::RotatingFile(c))
    }

    fn common(&mut self, f: &mut Fields<'_>, path: &str) -> CommonHandlerConfig {
        let mut c = CommonHandlerConfig::default();
        if let Some(n) = f.take("level") {
            c.level = self.level(n, &join(path, "level"));
        }
        if let Some(n) = f.take("formatter") {
            c.formatter = self.string(n, &join(path, "formatter"));
        }
        if let Some(n) = f.take("filters") {
            c.filters = self.string_list(n, &join(path, "filters"));
        }
        c
    }

    fn permissions(&mut self, node: &Node, path: &str) -> Option<u32> {
        self.note(path, node);
        let mode = match &node.value {
            Value::Int(i) => u32::try_from(*i).ok(),
            Value::Str(s) => {
                let t = s.trim();
                let t = t.strip_prefix("0o").unwrap_or(t);
                u32::from_str_radix(t, 8).ok()
            }
            _ => None,
        };
        match mode {
            Some(m) if m <= 0o7777 => Some(m),
            _ => {
                let shown = match &node.value {
                    Value::Str(s) => format!("`{s}`"),
                    Value::Int(i) => format!("`{i}`"),
                    _ => node.kind().to_owned(),
                };
                self.error(
                    node,
                    path,
                    format!("invalid permissions {shown}: expected unix permission bits as an octal string, such as `\"0640\"`"),
                );
                None
            }
        }
    }

    fn formatter(&mut self, node: &Node, path: &str) -> Option<FormatterConfig> {
        let mut f = self.fields(node, path)?;
        let kind = self.kind(&mut f, "formatter", FormatterConfig::TYPES, Some("pattern"))?;
        let formatter = match kind.as_str() {
            "pattern" => {
                let mut c = PatternFormatterConfig::default();
                if let Some(n) = f.take("format") {
                    c.format = self.string(n, &join(path, "format"));
                }
                if let Some(n) = f.take("datefmt") {
                    c.datefmt = self.string(n, &join(path, "datefmt"));
                }
                if let Some(n) = f.take("style") {
                    let styles = [
                        FormatStyle::Percent,
                        FormatStyle::Brace,
                        FormatStyle::Dollar,
                    ];
                    c.style = self
                        .choice(n, &join(path, "style"), "style", &["%", "{", "$"], &styles)
                        .unwrap_or_default();
                }
                if let Some(n) = f.take("utc") {
                    c.utc = self.bool(n, &join(path, "utc")).unwrap_or_default();
                }
                if let Some(n) = f.take("validate") {
                    c.validate = self.bool(n, &join(path, "validate")).unwrap_or(true);
                }
                if let Some(n) = f.take("defaults") {
                    c.defaults = self.string_map(n, &join(path, "defaults"));
                }
                if let Some(n) = f.take("escape") {
                    use crate::config::Escape;
                    let modes = [Escape::Control, Escape::Lines, Escape::None];
                    c.escape = self
                        .choice(n, &join(path, "escape"), "escape", Escape::NAMES, &modes)
                        .unwrap_or_default();
                }
                FormatterConfig::Pattern(c)
            }
            "json" => {
                let mut c = JsonFormatterConfig::default();
                if let Some(n) = f.take("fields") {
                    c.fields = self.string_list(n, &join(path, "fields"));
                }
                if let Some(n) = f.take("rename") {
                    c.rename = self.string_map(n, &join(path, "rename"));
                }
                if let Some(n) = f.take("flatten_kv") {
                    c.flatten_kv = self.bool(n, &join(path, "flatten_kv")).unwrap_or_default();
                }
                if let Some(n) = f.take("datefmt") {
                    c.datefmt = self.string(n, &join(path, "datefmt"));
                }
                if let Some(n) = f.take("utc") {
                    c.utc = self.bool(n, &join(path, "utc")).unwrap_or_default();
                }
                FormatterConfig::Json(c)
            }
            _ => return None,
        };
        f.finish(self);
        Some(formatter)
    }

    fn filter(&mut self, node: &Node, path: &str) -> Option<FilterConfig> {
        let mut f = self.fields(node, path)?;
        let default = (!f.has("type") && f.has("name")).then_some("name");
        let kind = self.kind(&mut f, "filter", FilterConfig::TYPES, default)?;
        let filter = match kind.as_str() {
            "level" => {
                let mut c = LevelFilterConfig::default();
                if let Some(n) = f.take("min") {
                    c.min = self.level(n, &join(path, "min"));
                }
                if let Some(n) = f.take("max") {
                    c.max = self.level(n, &join(path, "max"));
                }
                Some(FilterConfig::Level(c))
            }
            "name" => {
                let mut c = NameFilterConfig::default();
                if let Some(n) = f.take("name") {
                    c.name = self.string(n, &join(path, "name")).unwrap_or_default();
                }
                Some(FilterConfig::Name(c))
            }
            "regex" => {
                let pattern = match f.take("pattern") {
                    Some(n) => self.string(n, &join(path, "pattern")),
                    None => {
                        self.error_at_path(
                            path,
                            "missing key `pattern`: the regular expression to match",
                        );
                        None
                    }
                };
                let mut action = FilterAction::Allow;
                if let Some(n) = f.take("action") {
                    let actions = [FilterAction::Allow, FilterAction::Deny];
                    action = self
                        .choice(
                            n,
                            &join(path, "action"),
                            "action",
                            &["allow", "deny"],
                            &actions,
                        )
                        .unwrap_or_default();
                }
                pattern.map(|pattern| FilterConfig::Regex(RegexFilterConfig { pattern, action }))
            }
            "rate_limit" => {
                let rate = match f.take("rate") {
                    Some(n) => {
                        let p = join(path, "rate");
                        match self.number(n, &p, 0.0) {
                            Some(0.0) => {
                                self.error(n, &p, "`rate` must be above 0 records a second");
                                None
                            }
                            r => r,
                        }
                    }
                    None => {
                        self.error_at_path(
                            path,
                            "missing key `rate`: how many records a second pass on average",
                        );
                        None
                    }
                };
                let mut c = RateLimitFilterConfig::new(rate.unwrap_or(1.0));
                if let Some(n) = f.take("burst") {
                    c.burst = self
                        .integer(n, &join(path, "burst"), 1, i128::from(u32::MAX))
                        .map(|v| v as u32);
                }
                if let Some(n) = f.take("level") {
                    c.level = self.level(n, &join(path, "level")).unwrap_or(c.level);
                }
                rate.map(|_| FilterConfig::RateLimit(c))
            }
            "dedup" => {
                let mut c = DedupFilterConfig::default();
                if let Some(n) = f.take("repeats") {
                    c.repeats = self
                        .integer(n, &join(path, "repeats"), 1, i128::from(u32::MAX))
                        .map_or(c.repeats, |v| v as u32);
                }
                if let Some(n) = f.take("window") {
                    let p = join(path, "window");
                    match self.duration(n, &p) {
                        Some(d) if d.is_zero() => {
                            self.error(n, &p, "`window` must be longer than 0")
                        }
                        Some(d) => c.window = d,
                        None => {}
                    }
                }
                Some(FilterConfig::Dedup(c))
            }
            _ => None,
        };
        f.finish(self);
        filter
    }
}

impl<'n> Fields<'n> {
    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k.name == key)
    }

    fn has(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    fn get(&self, key: &str) -> Option<&'n Node> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    /// The value of `key`, which becomes a known key of this mapping.
    fn take(&mut self, key: &'static str) -> Option<&'n Node> {
        self.known.push(key);
        let i = self.position(key)?;
        self.used[i] = true;
        Some(&self.entries[i].1)
    }

    /// Reports every key that was never asked for.
    fn finish(self, d: &mut Decoder<'_>) {
        for (i, (k, _)) in self.entries.iter().enumerate() {
            if self.used[i] {
                continue;
            }
            if d.diagnostics.len() >= KEPT {
                // Counted without the work of a message and a hint.
                d.omitted += 1;
                continue;
            }
            let mut h = hint(&k.name, self.known.iter().copied());
            // Python's argument names, for users bringing a dictConfig.
            let python = [
                ("filename", "path"),
                ("maxBytes", "max_bytes"),
                ("backupCount", "backups"),
            ];
            if let Some((_, ours)) = python
                .iter()
                .find(|(p, o)| *p == k.name && self.known.contains(o))
            {
                h = format!(" (Python's `{}` is `{ours}` here)", k.name);
            }
            let path = join(&self.path, &k.name);
            let list = self
                .known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let message = if h.is_empty() {
                format!("unknown key `{}`; expected one of {list}", k.name)
            } else {
                format!("unknown key `{}`{h}", k.name)
            };
            d.push(Diagnostic::error(path, message).at(k.line, k.column, None));
        }
    }
}
