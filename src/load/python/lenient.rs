//! What CPython's `dictConfig` accepts, coerces or ignores, done the same way
//! on the Python path (a config whose handlers are written with `class:` or
//! `()`, and every `fileConfig` INI file). logfig's own spelling stays
//! strict: none of this applies to a config written with `type:`.
//!
//! Each rewrite that changes what the file seems to say leaves a warning
//! (`logfig check`, `ReloadStatus::diagnostics`), never an error, and never
//! a line in the application's outputs: CPython writes none.
//!
//! Line references are to `Lib/logging/config.py` of CPython 3.11.7
//! (`tests/python_real/LENIENCY.md` has the whole list).

use super::{Translator, renamed, string_of};
use crate::error::Diagnostic;
use crate::error::join;
use crate::load::node::{Key, Node, Value, index_of, remove_all};

/// The keys `configure_logger` reads (787-812); every other one is ignored.
const LOGGER_KEYS: &[&str] = &["level", "handlers", "filters", "propagate"];

/// The keys `configure_root` reads (814-816): not `propagate`.
const ROOT_KEYS: &[&str] = &["level", "handlers", "filters"];

/// The keys `configure_formatter` reads without `()` (675-692), plus
/// logfig's own, which a mixed file may use.
const FORMATTER_KEYS: &[&str] = &[
    "format", "datefmt", "style", "validate", "defaults", "type", "utc", "escape", "missing",
];

/// Record attributes CPython has that a Rust record lacks, and what
/// `%(name)s` gives for them on a record logged without an exception or a
/// stack: `None`.
const NONE_ATTRIBUTES: &[&str] = &["exc_info", "exc_text", "stack_info"];

/// Whether `top` is written for Python: a handler with `class:` or `()`.
pub(super) fn is_python(top: &[(Key, Node)]) -> bool {
    top.iter()
        .filter(|(k, _)| k.name == "handlers")
        .any(|(_, section)| match &section.value {
            Value::Map(handlers) => handlers.iter().any(|(_, h)| match &h.value {
                Value::Map(keys) => keys
                    .iter()
                    .any(|(k, _)| k.name == "class" || k.name == "()"),
                _ => false,
            }),
            _ => false,
        })
}

/// Python's `bool(value)`, for a value CPython tests for truthiness. `None`
/// for null, which CPython reads as "not given".
pub(super) fn truthy(node: &Node, source: Option<&str>) -> Option<bool> {
    Some(match &node.value {
        Value::Null => return None,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => match yaml11_bool(s, node, source) {
            Some(b) => b,
            None => !s.is_empty(),
        },
        Value::Seq(items) => !items.is_empty(),
        Value::Map(entries) => !entries.is_empty(),
    })
}

/// PyYAML (YAML 1.1) reads a bare `no`, `off`, `yes`, `on` as a boolean;
/// logfig's YAML parser (1.2) keeps them as text. A quoted `"no"` is text to
/// both, and true to Python. `source` is the YAML text, to tell them apart.
fn yaml11_bool(s: &str, node: &Node, source: Option<&str>) -> Option<bool> {
    let value = match s {
        "yes" | "Yes" | "YES" | "on" | "On" | "ON" => true,
        "no" | "No" | "NO" | "off" | "Off" | "OFF" => false,
        _ => return None,
    };
    let text = source?;
    let line = text.lines().nth((node.line as usize).checked_sub(1)?)?;
    let first = line.chars().nth((node.column as usize).checked_sub(1)?)?;
    (first != '"' && first != '\'').then_some(value)
}

/// `level: ext://logging.DEBUG`: CPython converts any `ext://` value (D13);
/// a level is the only place one makes sense.
pub(super) fn ext_level(entries: &mut [(Key, Node)]) {
    for (k, v) in entries.iter_mut() {
        if k.name != "level" {
            continue;
        }
        if let Value::Str(s) = &mut v.value {
            if let Some(level) = s.strip_prefix("ext://logging.") {
                *s = level.to_owned();
            }
        }
    }
}

/// `NOTSET` on the root logger: CPython's root then passes every record
/// (`getEffectiveLevel` finds no level and returns 0); logfig's own reading
/// of a root without a level is WARNING, so the Python path writes TRACE.
fn root_notset(root: &mut Node) {
    let Value::Map(entries) = &mut root.value else {
        return;
    };
    for (k, v) in entries.iter_mut() {
        if k.name == "level"
            && (matches!(&v.value, Value::Str(s) if s == "NOTSET") || v.value == Value::Int(0))
        {
            v.value = Value::Str("TRACE".into());
        }
    }
}

/// The root logger after `common_logger_config` (787-803) ran with each of
/// `configs` in turn: a level stays until one gives another; the handlers
/// are removed each time, so the last config's are the ones left; filters
/// are only ever added.
fn configure_root(configs: impl Iterator<Item = Node>) -> Node {
    let (mut line, mut column) = (0, 0);
    let mut level = None;
    let mut handlers = None;
    let mut filters: Option<(Key, Node)> = None;
    for config in configs {
        (line, column) = (config.line, config.column);
        let Value::Map(entries) = config.value else {
            continue;
        };
        handlers = None;
        for (k, v) in entries {
            match k.name.as_str() {
                "level" => level = Some((k, v)),
                "handlers" => handlers = Some((k, v)),
                "filters" => match (&mut filters, v.value) {
                    (Some((_, all)), Value::Seq(more)) => {
                        if let Value::Seq(items) = &mut all.value {
                            items.extend(more);
                        }
                    }
                    (_, value) => filters = Some((k, Node { value, ..v })),
                },
                _ => {}
            }
        }
    }
    let entries = [level, handlers, filters].into_iter().flatten().collect();
    Node::new(Value::Map(entries), line, column)
}

/// Whether a string that Python reads as true looks meant as false.
fn looks_false(node: &Node) -> bool {
    matches!(&node.value, Value::Str(s) if ["no", "false", "off", "0", "n"].contains(&s.to_ascii_lowercase().as_str()))
}

impl Translator<'_, '_> {
    pub(super) fn warn(&mut self, path: &str, line: u32, column: u32, message: impl Into<String>) {
        self.d
            .push(Diagnostic::warning(path, message).at(line, column, None));
    }

    /// Drops the keys of `entries` that CPython does not read, with a warning
    /// each.
    fn ignore_unread(&mut self, entries: &mut Vec<(Key, Node)>, path: &str, read: &[&str]) {
        let mut kept = Vec::with_capacity(entries.len());
        for (k, v) in std::mem::take(entries) {
            if read.contains(&k.name.as_str()) {
                kept.push((k, v));
            } else {
                self.warn(
                    &join(path, &k.name),
                    k.line,
                    k.column,
                    format!(
                        "`{}` is ignored here: Python's logging reads only {}",
                        k.name,
                        super::backticked(read)
                    ),
                );
            }
        }
        *entries = kept;
    }

    /// A value CPython tests for truthiness, as a boolean (`None`: dropped,
    /// as CPython leaves the default for null).
    fn truthiness(&mut self, entries: &mut Vec<(Key, Node)>, key: &str, path: &str) {
        let Some(i) = index_of(entries, key) else {
            return;
        };
        let node = &entries[i].1;
        match truthy(node, self.source) {
            None => {
                entries.remove(i);
            }
            Some(b) => {
                if b && looks_false(node) {
                    let shown = string_of(node);
                    self.warn(
                        &join(path, key),
                        node.line,
                        node.column,
                        format!(
                            "`{shown}` is a non-empty string, which Python reads as true (and so does logfig here); write `false` if you mean false"
                        ),
                    );
                }
                let node = &mut entries[i].1;
                node.value = Value::Bool(b);
            }
        }
    }

    /// The top level: `disable_existing_loggers` and `incremental` by
    /// truthiness (509, 544), loggers and root as CPython reads them.
    pub(super) fn lenient_top(&mut self, top: &mut Vec<(Key, Node)>) {
        // `configure` never reads a key it does not know (D2).
        self.ignore_unread(top, "", super::TOP_LEVEL);
        // `version` is compared with `== 1` (505-507): `1.0` and `true` pass.
        let one = |v: &Node| {
            matches!(v.value, Value::Float(f) if f == 1.0) | matches!(v.value, Value::Bool(true))
        };
        if let Some((_, v)) = top.iter_mut().find(|(k, v)| k.name == "version" && one(v)) {
            v.value = Value::Int(1);
        }
        self.truthiness(top, "disable_existing_loggers", "");
        self.truthiness(top, "incremental", "");
        // `getLogger('')` and, since 3.9, `getLogger('root')` are the root
        // logger (807): such loggers configure it, in the file's order.
        let mut roots = Vec::new();
        for (key, node) in top.iter_mut() {
            match key.name.as_str() {
                "loggers" => {
                    let Value::Map(loggers) = &mut node.value else {
                        continue;
                    };
                    let (named_root, others) = std::mem::take(loggers)
                        .into_iter()
                        .partition(|(k, _)| k.name.is_empty() || k.name == "root");
                    *loggers = others;
                    roots = named_root;
                    for (name, logger) in loggers.iter_mut() {
                        let path = join("loggers", &name.name);
                        self.lenient_logger(logger, &path, LOGGER_KEYS);
                    }
                }
                "root" => {
                    self.lenient_logger(node, "root", ROOT_KEYS);
                    root_notset(node);
                }
                _ => {}
            }
        }
        if roots.is_empty() {
            return;
        }
        let Some(key) = roots.first().map(|(k, _)| k.clone()) else {
            return;
        };
        for (name, logger) in &mut roots {
            self.lenient_logger(logger, &join("loggers", &name.name), ROOT_KEYS);
            root_notset(logger);
        }
        // The `root` section comes last (`if root:`, so not `~` nor `{}`).
        let section = top.iter().position(|(k, v)| {
            k.name == "root" && matches!(&v.value, Value::Map(e) if !e.is_empty())
        });
        if let Some(i) = section {
            roots.push(top.remove(i));
        }
        remove_all(top, "root");
        let merged = configure_root(roots.into_iter().map(|(_, v)| v));
        top.push((renamed(&key, "root"), merged));
    }

    /// A logger (or root) as `configure_logger` reads it: unread keys
    /// dropped, `level`, `handlers` and `filters` given as null mean not
    /// given (792-803), `propagate` by truthiness (810-812).
    fn lenient_logger(&mut self, node: &mut Node, path: &str, read: &[&str]) {
        let Value::Map(entries) = &mut node.value else {
            return;
        };
        self.ignore_unread(entries, path, read);
        entries.retain(|(k, v)| k.name == "propagate" || v.value != Value::Null);
        self.truthiness(entries, "propagate", path);
        ext_level(entries);
    }

    /// A filter without `type`, or with `(): logging.Filter`: CPython's
    /// `logging.Filter(name)` (695-702), whatever else the mapping holds, so
    /// `{}` passes every record.
    pub(super) fn lenient_filter(&mut self, entries: &mut Vec<(Key, Node)>, path: &str) {
        if let Some(i) = index_of(entries, "()") {
            let callable = string_of(&entries[i].1);
            if callable.strip_prefix("ext://").unwrap_or(&callable) != "logging.Filter" {
                return;
            }
            entries.remove(i);
        } else if entries.iter().any(|(k, _)| k.name == "type") {
            return;
        }
        self.ignore_unread(entries, path, &["name"]);
        if entries.is_empty() {
            entries.push((
                Key {
                    name: "name".into(),
                    line: 0,
                    column: 0,
                },
                Node::new(Value::Str(String::new()), 0, 0),
            ));
        }
    }

    /// A formatter without `()`: unread keys dropped, an empty `format`
    /// means `%(message)s` (677), `validate` by truthiness, and placeholders
    /// that no record attribute matches read the record's key-values, as
    /// `extra=` fields, a record lacking one giving CPython's logging error.
    pub(super) fn lenient_formatter(
        &mut self,
        entries: &mut Vec<(Key, Node)>,
        path: &str,
        factory: bool,
    ) {
        if entries
            .iter()
            .any(|(k, v)| k.name == "type" && string_of(v) != "pattern")
        {
            return;
        }
        if !factory {
            self.ignore_unread(entries, path, FORMATTER_KEYS);
        }
        // An empty `format` or `datefmt` is falsy: the default (677, and
        // `Formatter.formatTime`'s `if datefmt`).
        entries.retain(|(k, v)| {
            !((k.name == "format" || k.name == "datefmt")
                && matches!(&v.value, Value::Str(s) if s.is_empty())
                || v.value == Value::Null)
        });
        self.truthiness(entries, "validate", path);
        let format = entries
            .iter()
            .find(|(k, _)| k.name == "format")
            .map(|(_, v)| string_of(v))
            .unwrap_or_default();
        let (line, column) = entries.first().map_or((0, 0), |(k, _)| (k.line, k.column));
        let at = |name: &str| Key {
            name: name.into(),
            line,
            column,
        };
        let attrs: Vec<&str> = NONE_ATTRIBUTES
            .iter()
            .copied()
            .filter(|a| format.contains(a))
            .collect();
        if !attrs.is_empty() {
            let i = match index_of(entries, "defaults") {
                Some(i) => i,
                None => {
                    entries.push((
                        at("defaults"),
                        Node::new(Value::Map(Vec::new()), line, column),
                    ));
                    entries.len() - 1
                }
            };
            if let Value::Map(defaults) = &mut entries[i].1.value {
                for a in attrs {
                    if !defaults.iter().any(|(k, _)| k.name == a) {
                        defaults.push((at(a), Node::new(Value::Str("None".into()), line, column)));
                    }
                }
            }
        }
        if !entries.iter().any(|(k, _)| k.name == "missing") {
            entries.push((
                at("missing"),
                Node::new(Value::Str("logging_error".into()), line, column),
            ));
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::config::Config;
    use crate::config::{FilterConfig, FormatterConfig, Level, MissingField};
    use crate::error::Severity;
    use crate::load::Format;

    const HANDLER: &str = "handlers:\n  h: { class: logging.StreamHandler }\n";

    fn yaml(body: &str) -> Result<Config, crate::error::Error> {
        Config::from_str(&format!("version: 1\n{HANDLER}{body}"), Format::Yaml)
    }

    fn warnings(c: &Config) -> Vec<String> {
        c.validate()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .filter(|d| d.severity() == Severity::Warning)
            .map(|d| format!("{}:{}: {}", d.line(), d.path(), d.message()))
            .collect()
    }

    #[test]
    fn keys_cpython_does_not_read_are_ignored_with_a_warning() {
        let c = yaml("loggers:\n  gunicorn.error: { level: INFO, handlers: [h], propagate: true, qualname: gunicorn.error }\nroot: { level: INFO, handlers: [h], propagate: false }\n").unwrap();
        assert_eq!(c.loggers["gunicorn.error"].level, Some(Level::Info));
        let w = warnings(&c);
        assert!(
            w.iter()
                .any(|w| w.starts_with("5:loggers.gunicorn.error.qualname: `qualname` is ignored")),
            "{w:?}"
        );
        assert!(
            w.iter()
                .any(|w| w.starts_with("6:root.propagate: `propagate` is ignored")),
            "{w:?}"
        );
        // logfig's own spelling stays strict.
        let strict = "version: 1\nhandlers:\n  h: { type: console }\nloggers:\n  a: { handlers: [h], qualname: a }\n";
        assert!(Config::from_str(strict, Format::Yaml).is_err());
    }

    #[test]
    fn an_empty_logger_name_is_the_root() {
        let c = yaml("loggers:\n  '': { level: DEBUG, handlers: [h] }\n").unwrap();
        assert_eq!(c.root.level, Some(Level::Debug));
        assert_eq!(c.root.handlers, ["h"]);
        assert!(!c.loggers.contains_key(""));
        // A `root` section, configured after the loggers, wins.
        let c = yaml("loggers:\n  '': { level: DEBUG, handlers: [h] }\nroot: { handlers: [] }\n")
            .unwrap();
        assert_eq!(c.root.level, Some(Level::Debug));
        assert!(c.root.handlers.is_empty());
    }

    #[test]
    fn a_logger_named_root_is_the_root_and_each_configures_it_in_turn() {
        let c = yaml("loggers:\n  root: { level: INFO, handlers: [h] }\n  app: { level: DEBUG }\n")
            .unwrap();
        assert_eq!(c.root.level, Some(Level::Info));
        assert_eq!(c.root.handlers, ["h"]);
        assert!(!c.loggers.contains_key("root"));
        assert_eq!(c.loggers["app"].level, Some(Level::Debug));
        // In the file's order, then the `root` section: each removes the
        // handlers the one before added, a level stays until another is
        // given, and filters add up (`common_logger_config`).
        let c = yaml("filters:\n  f: { name: a }\n  g: { name: b }\nloggers:\n  root: { level: INFO, handlers: [h], filters: [f] }\n  '': { filters: [g] }\n").unwrap();
        assert_eq!(c.root.level, Some(Level::Info));
        assert!(c.root.handlers.is_empty());
        assert_eq!(c.root.filters, ["f", "g"]);
        let c = yaml("loggers:\n  '': { level: DEBUG }\n  root: { handlers: [h] }\nroot: { level: ERROR, handlers: [h] }\n").unwrap();
        assert_eq!(c.root.level, Some(Level::Error));
        assert_eq!(c.root.handlers, ["h"]);
        // `root: ~` is skipped: the loggers' root stays.
        let c = yaml("loggers:\n  root: { level: DEBUG, handlers: [h] }\nroot: ~\n").unwrap();
        assert_eq!(c.root.handlers, ["h"]);
    }

    #[test]
    fn a_memory_flush_level_named_is_a_level_as_in_3_13() {
        // 3.11 and 3.12 keep the name a string and raise into every logging
        // call; 3.13 reads it as a level, and so does logfig (D34).
        let c = yaml("  m: { class: logging.handlers.MemoryHandler, capacity: 10, flushLevel: ERROR, target: h }\nroot: { handlers: [m] }\n").unwrap();
        let crate::config::HandlerConfig::Memory(m) = &c.handlers["m"] else {
            panic!("{:?}", c.handlers["m"]);
        };
        assert_eq!(m.flush_level, Level::Error);
    }

    #[test]
    fn propagate_is_read_with_pythons_truthiness() {
        for (value, want, warns) in [
            ("'no'", true, true),
            ("\"false\"", true, true),
            ("no", false, false),
            ("0", false, false),
            ("1", true, false),
            ("~", true, false),
            ("''", false, false),
        ] {
            let c = yaml(&format!(
                "loggers:\n  a: {{ handlers: [h], propagate: {value} }}\n"
            ))
            .unwrap_or_else(|e| panic!("{value}: {e}"));
            assert_eq!(c.loggers["a"].propagate, want, "{value}");
            let w = warnings(&c);
            assert_eq!(
                w.iter().any(|w| w.contains("non-empty string")),
                warns,
                "{value}: {w:?}"
            );
        }
        let json = r#"{"version": 1, "handlers": {"h": {"class": "logging.StreamHandler"}}, "loggers": {"a": {"handlers": ["h"], "propagate": "no"}}}"#;
        let c = Config::from_str(json, Format::Json).unwrap();
        assert!(c.loggers["a"].propagate);
        let c = yaml("disable_existing_loggers: 'no'\nincremental: 0\n").unwrap();
        assert!(c.disable_existing_loggers);
    }

    #[test]
    fn a_filter_without_type_is_logging_filter() {
        let c = yaml(
            "filters:\n  all: {}\n  other: { foo: bar }\n  f: { (): logging.Filter, name: app }\n",
        )
        .unwrap();
        for (name, want) in [("all", ""), ("other", ""), ("f", "app")] {
            let FilterConfig::Name(n) = &c.filters[name] else {
                panic!("{name}: {:?}", c.filters[name])
            };
            assert_eq!(n.name, want, "{name}");
        }
        assert!(warnings(&c).iter().any(|w| w.contains("filters.other.foo")));
        let e = yaml("filters:\n  f: { (): myapp.Filter }\n").unwrap_err();
        assert!(
            e.to_string().contains("names a Python filter factory"),
            "{e}"
        );
        let strict = "version: 1\nfilters:\n  all: {}\n";
        assert!(Config::from_str(strict, Format::Yaml).is_err());
    }

    #[test]
    fn formatters_read_as_cpython_does() {
        let c = yaml("formatters:\n  f: { format: '', validate: 'no', json_indent: 2 }\n  x: { format: '%(request)s %(exc_info)s %(message)s' }\n").unwrap();
        let FormatterConfig::Pattern(f) = &c.formatters["f"] else {
            panic!()
        };
        assert_eq!(f.format, None);
        assert!(f.validate);
        let FormatterConfig::Pattern(x) = &c.formatters["x"] else {
            panic!()
        };
        assert_eq!(x.missing, MissingField::LoggingError);
        assert_eq!(x.defaults["exc_info"], "None");
        // With `()`, unknown keys are arguments, which CPython refuses.
        assert!(
            yaml("formatters:\n  f: { (): logging.Formatter, fmt: '%(message)s', bogus: 1 }\n")
                .is_err()
        );
        // logfig's own spelling: an unknown placeholder is an error.
        let strict = "version: 1\nformatters:\n  f: { format: '%(request)s' }\n";
        assert!(Config::from_str(strict, Format::Yaml).is_err());
    }

    #[test]
    fn a_record_lacking_an_extra_field_is_not_written_and_is_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let text = format!(
            "version: 1\nformatters:\n  f: {{ format: '%(request)s %(message)s' }}\nhandlers:\n  h: {{ class: logging.FileHandler, filename: '{}', formatter: f }}\nroot: {{ level: INFO, handlers: [h] }}\n",
            path.display()
        );
        let d = crate::runtime::Dispatcher::new(&Config::from_str(&text, Format::Yaml).unwrap())
            .unwrap();
        let kvs = [("request", log::kv::Value::from("GET-1"))];
        let with = log::Record::builder()
            .args(format_args!("with"))
            .level(log::Level::Info)
            .key_values(&kvs)
            .build();
        let without = log::Record::builder()
            .args(format_args!("without"))
            .level(log::Level::Info)
            .build();
        d.log_entry(&crate::entry::Entry::new(&with));
        d.log_entry(&crate::entry::Entry::new(&without));
        assert_eq!(d.stats()["h"].failed, 1);
        d.shutdown();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "GET-1 with\n");
    }

    #[test]
    fn version_top_level_keys_ext_levels_and_factories() {
        let text = "version: 1.0\nsettings: { a: 1 }\nhandlers:\n  h: { (): logging.StreamHandler, stream: 'ext://sys.__stdout__', formatter: '', level: 'ext://logging.DEBUG' }\nroot: { level: 'ext://logging.WARNING', handlers: [h] }\n";
        let c = Config::from_str(text, Format::Yaml).unwrap();
        assert_eq!(c.root.level, Some(Level::Warning));
        assert_eq!(c.handlers["h"].type_name(), "console");
        assert_eq!(c.handlers["h"].common().level, Some(Level::Debug));
        assert_eq!(c.handlers["h"].common().formatter, None);
        assert!(
            warnings(&c)
                .iter()
                .any(|w| w.starts_with("2:settings: `settings` is ignored"))
        );
        let c = yaml("").map(|_| ());
        assert!(c.is_ok());
        let t = Config::from_str(&format!("version: true\n{HANDLER}"), Format::Yaml);
        assert!(t.is_ok());
        // logfig's own spelling: an unknown top-level key is an error.
        assert!(Config::from_str("version: 1\nsettings: 1\n", Format::Yaml).is_err());
    }

    #[test]
    fn notset_on_root_passes_everything_and_an_empty_datefmt_is_the_default() {
        let c = yaml("formatters:\n  f: { format: '%(asctime)s %(message)s', datefmt: '' }\nroot: { level: NOTSET, handlers: [h] }\n").unwrap();
        assert_eq!(c.root.level, Some(Level::Trace));
        let FormatterConfig::Pattern(f) = &c.formatters["f"] else {
            panic!()
        };
        assert_eq!(f.datefmt, None);
        let c = yaml("loggers:\n  '': { level: 0 }\n").unwrap();
        assert_eq!(c.root.level, Some(Level::Trace));
        // A logger's NOTSET is inheritance, as in CPython.
        let c = yaml("loggers:\n  a: { level: NOTSET }\n").unwrap();
        assert_eq!(c.loggers["a"].level, Some(Level::NotSet));
    }

    #[test]
    fn a_timed_backup_count_written_as_a_string_is_read_with_a_warning() {
        let c = yaml("  t: { class: logging.handlers.TimedRotatingFileHandler, filename: t.log, when: MIDNIGHT, backupCount: '31' }\nroot: { handlers: [h, t] }\n").unwrap();
        let crate::config::HandlerConfig::RotatingFile(t) = &c.handlers["t"] else {
            panic!()
        };
        assert_eq!(t.backups, Some(31));
        assert!(
            warnings(&c)
                .iter()
                .any(|w| w.contains("fails at its first rollover"))
        );
    }
}
