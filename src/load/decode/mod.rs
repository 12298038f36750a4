//! [`Node`] tree → [`Config`], collecting every problem instead of stopping at
//! the first.
//!
//! serde's derived `Deserialize` stops at the first error of a struct and loses
//! positions inside internally tagged enums (serde#1621), so the config is read
//! here field by field: each field that cannot be read adds a diagnostic with its
//! path and position, and reading goes on with the next one.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::budget::Budget;
use super::node::{Node, Trail, Value};
use crate::config::fields::{DEBOUNCE, ENABLED, HANDLER_LEVEL, MAX_WAIT, ON_SIGHUP, RELOAD_MODE};
use crate::config::{
    CommonHandlerConfig, Config, CustomHandlerConfig, CustomOptions, EnvFilterConfig,
    HandlerConfig, Level, LoggerConfig, NullHandlerConfig, ReloadConfig, ReloadMode, RootConfig,
    SecretSpots,
};
use crate::error::{Diagnostic, MAX_DIAGNOSTICS, hint, join};

mod console;
mod control;
mod fields;
mod file;
mod filter;
mod formatter;
mod http;
mod journald;
mod net;
mod otlp;
mod queue;
mod scalar;
mod smtp;
mod syslog;
mod worker;

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
const KEPT: usize = 4 * MAX_DIAGNOSTICS;

/// The entries of one mapping, read key by key; keys never asked for are
/// reported as unknown, with a hint among the keys that were.
struct Fields<'n> {
    path: String,
    entries: &'n [(super::node::Key, Node)],
    used: Vec<bool>,
    known: Vec<&'static str>,
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
        } else if d.severity() == crate::error::Severity::Error {
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
                .filter(|d| d.severity() == crate::error::Severity::Error)
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

    // ---- the config ----------------------------------------------------

    pub(crate) fn config(&mut self, root: &Node) -> Option<Config> {
        let mut f = self.fields(root, "")?;
        let mut config = Config::default();
        match f.take("version") {
            Some(n) => {
                let v = self.integer(n, "version", i128::MIN, i128::MAX);
                if let Some(v) = v.filter(|&v| v != 1) {
                    self.error(n, "version", format!("unsupported version {v}: expected 1"));
                }
            }
            None => {
                let add = match self.format {
                    super::Format::Yaml => "version: 1",
                    super::Format::Toml => "version = 1",
                    super::Format::Json => "\"version\": 1",
                    // The INI reader always writes it.
                    super::Format::Ini => "version = 1",
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
        if let Some(n) = f.take("env_filter") {
            config.env_filter = self.env_filter(n, "env_filter").unwrap_or_default();
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
        if let Some(n) = f.take("control") {
            config.control = self.control(n, "control");
        }
        // Issue #4: editors read the schema from a top-level `$schema` key (JSON
        // configs); accept and ignore it, without listing it among the known keys.
        if let Some(i) = super::node::index_of(f.entries, "$schema") {
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
        if let Some(enabled) = self.bool_value(&mut f, path, ENABLED) {
            r.enabled = enabled;
        }
        let modes = [ReloadMode::Auto, ReloadMode::Events, ReloadMode::Poll];
        if let Some(mode) = self.choice_value(&mut f, path, RELOAD_MODE, &modes) {
            r.mode = mode;
        }
        r.debounce = self.duration_field(&mut f, path, DEBOUNCE, r.debounce);
        r.max_wait = self.duration_field(&mut f, path, MAX_WAIT, r.max_wait);
        if let Some(n) = f.take("poll_interval") {
            r.poll_interval = self.duration(n, &join(path, "poll_interval"));
        }
        if let Some(on_sighup) = self.bool_value(&mut f, path, ON_SIGHUP) {
            r.on_sighup = on_sighup;
        }
        f.finish(self);
        Some(r)
    }

    fn env_filter(&mut self, node: &Node, path: &str) -> Option<EnvFilterConfig> {
        let mut f = self.fields(node, path)?;
        let mut e = EnvFilterConfig::default();
        if let Some(n) = f.take("enabled") {
            e.enabled = self.bool(n, &join(path, "enabled")).unwrap_or(e.enabled);
        }
        if let Some(n) = f.take("var") {
            let p = join(path, "var");
            if let Some(var) = self.string(n, &p) {
                match crate::config::check_var_name(&var) {
                    Ok(()) => e.var = var,
                    Err(msg) => self.error(n, &p, msg),
                }
            }
        }
        f.finish(self);
        Some(e)
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
            "console" => self.console(&mut f, path),
            "file" => self.file(&mut f, path),
            "rotating_file" => self.rotating_file(&mut f, path),
            "watched_file" => self.watched_file(&mut f, path),
            "queue" => self.queue(&mut f, path),
            "memory" => self.memory(&mut f, path),
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

    fn common(&mut self, f: &mut Fields<'_>, path: &str) -> CommonHandlerConfig {
        let mut c = CommonHandlerConfig {
            level: self.level_value(f, path, HANDLER_LEVEL),
            ..CommonHandlerConfig::default()
        };
        if let Some(n) = f.take("formatter") {
            c.formatter = self.string(n, &join(path, "formatter"));
        }
        if let Some(n) = f.take("filters") {
            c.filters = self.string_list(n, &join(path, "filters"));
        }
        c
    }
}

impl<'n> Fields<'n> {
    fn position(&self, key: &str) -> Option<usize> {
        super::node::index_of(self.entries, key)
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
