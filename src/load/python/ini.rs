//! `logging.config.fileConfig` INI files (`logging.conf`, `logging.ini`, the
//! logging sections of `alembic.ini` or a Pyramid `development.ini`) → the
//! dictConfig tree that `translate` then reads, with CPython's semantics.
//!
//! Two layers, as in CPython:
//!
//! - [`Ini`]: `configparser.ConfigParser`'s reading. Sections `[name]`
//!   (case-sensitive), options `key = value` or `key: value` (the first `=` or
//!   `:` ends the key; keys are lowercased), whole-line comments (`#`, `;`),
//!   indented continuation lines, `[DEFAULT]` keys seen in every section,
//!   duplicate sections and options refused (`strict=True`), and
//!   `BasicInterpolation`: `%(key)s` from the same section or `[DEFAULT]`,
//!   `%%` for `%`, applied lazily, to the values read only (a section never
//!   read is never interpolated, so paster's `${...}` and `%(here)s` in an
//!   `[app:main]` cost nothing).
//! - [`build`]: `fileConfig`'s reading (CPython 3.11 `logging/config.py`
//!   52-279): only what `[formatters]`, `[handlers]` and `[loggers]` list in
//!   `keys` is read, and every listed handler is built, used or not;
//!   `qualname` names a logger, `handlers` is required, `propagate` is an
//!   integer; `format`, `datefmt`, `style` and `defaults` are read raw;
//!   `args`, `kwargs` and `defaults` are read by `args.rs`; the file is
//!   applied with `disable_existing_loggers` true.
//!
//! Bounded: at most [`MAX_SECTIONS`] sections, [`MAX_NAMES`] names in one
//! `keys`/`handlers` list, interpolation [`MAX_INTERPOLATION_DEPTH`] deep
//! (CPython's limit) and [`MAX_VALUE`] bytes long; every value made is taken
//! from the config's budget.

use std::collections::HashMap;

use super::args;
use crate::error::Diagnostic;
use crate::load::budget::Budget;
use crate::load::node::{Key, Node, Value, remove_all};

/// The most sections a file may have.
pub(crate) const MAX_SECTIONS: usize = 10_000;
/// The most names one `keys` or `handlers` list may hold.
pub(crate) const MAX_NAMES: usize = 10_000;
/// How deep `%(key)s` may refer to values that refer to others
/// (`configparser.MAX_INTERPOLATION_DEPTH`).
pub(crate) const MAX_INTERPOLATION_DEPTH: usize = 10;
/// The longest value after interpolation, in bytes.
pub(crate) const MAX_VALUE: usize = 64 << 10;

/// One `key = value` of a section.
#[derive(Debug)]
struct Opt {
    /// The value as written: its lines, joined at the end of parsing.
    lines: Vec<String>,
    value: String,
    line: u32,
    /// Where the value starts (the column after the delimiter's spaces).
    column: u32,
}

#[derive(Debug)]
struct Section {
    line: u32,
    options: Vec<(String, Opt)>,
}

impl Section {
    fn get(&self, key: &str) -> Option<&Opt> {
        self.options.iter().find(|(k, _)| k == key).map(|(_, o)| o)
    }
}

/// The file, read as ConfigParser reads it.
#[derive(Debug)]
struct Ini {
    defaults: Section,
    sections: Vec<(String, Section)>,
    index: HashMap<String, usize>,
}

fn error(path: &str, line: u32, column: u32, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(path, message).at(line, column, None)
}

/// The 1-based column of byte `offset` of `line`.
fn column(line: &str, offset: usize) -> u32 {
    line.get(..offset).map_or(0, |s| s.chars().count()) as u32 + 1
}

impl Ini {
    /// ConfigParser's `read_string`: every problem is collected.
    fn read(text: &str) -> Result<Ini, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut ini = Ini {
            defaults: Section {
                line: 0,
                options: Vec::new(),
            },
            sections: Vec::new(),
            index: HashMap::new(),
        };
        // The current section (`None`: DEFAULT), once there is one.
        let mut current: Option<Option<usize>> = None;
        // The option that continuation lines extend, and its indent.
        let mut option: Option<usize> = None;
        let mut indent = usize::MAX;
        for (n, raw) in text.lines().enumerate() {
            let line_no = n as u32 + 1;
            let value = raw.trim();
            if value.starts_with('#') || value.starts_with(';') {
                continue;
            }
            if value.is_empty() {
                // `empty_lines_in_values`: kept inside a value, trimmed at
                // its end.
                if let (Some(sect), Some(i)) = (current, option) {
                    ini.section_mut(sect).options[i].1.lines.push(String::new());
                }
                continue;
            }
            let cur_indent = raw.len() - raw.trim_start().len();
            if let (Some(sect), Some(i), true) = (current, option, cur_indent > indent) {
                ini.section_mut(sect).options[i]
                    .1
                    .lines
                    .push(value.to_owned());
                continue;
            }
            indent = cur_indent;
            let start = cur_indent;
            let header = value.strip_prefix('[').and_then(|inner| {
                let end = inner.rfind(']').filter(|&end| end > 0)?;
                Some(&inner[..end])
            });
            if let Some(name) = header {
                option = None;
                if name == "DEFAULT" {
                    current = Some(None);
                    continue;
                }
                if ini.index.contains_key(name) {
                    errors.push(error(
                        name,
                        line_no,
                        column(raw, start),
                        format!("section `[{name}]` appears twice (configparser refuses a repeated section)"),
                    ));
                    current = Some(ini.index.get(name).copied());
                    option = None;
                    continue;
                }
                if ini.sections.len() >= MAX_SECTIONS {
                    errors.push(error(
                        name,
                        line_no,
                        column(raw, start),
                        format!("more than {MAX_SECTIONS} sections"),
                    ));
                    return Err(errors);
                }
                ini.index.insert(name.to_owned(), ini.sections.len());
                ini.sections.push((
                    name.to_owned(),
                    Section {
                        line: line_no,
                        options: Vec::new(),
                    },
                ));
                current = Some(Some(ini.sections.len() - 1));
                continue;
            }
            let Some(sect) = current else {
                errors.push(error(
                    "",
                    line_no,
                    column(raw, start),
                    "a value before the first `[section]` header",
                ));
                return Err(errors);
            };
            let Some(delim) = value.find(['=', ':']) else {
                errors.push(error(
                    ini.section_name(sect),
                    line_no,
                    column(raw, start),
                    format!(
                        "`{}` is not `key = value` (configparser needs `=` or `:`)",
                        value.chars().take(40).collect::<String>()
                    ),
                ));
                option = None;
                continue;
            };
            let key = value[..delim].trim_end().to_lowercase();
            let after = &value[delim + 1..];
            let val = after.trim();
            let val_offset = start + delim + 1 + (after.len() - after.trim_start().len());
            let path = format!("{}.{key}", ini.section_name(sect));
            if key.is_empty() {
                errors.push(error(
                    &path,
                    line_no,
                    column(raw, start),
                    "an option with no name",
                ));
                option = None;
                continue;
            }
            let section = ini.section_mut(sect);
            if let Some(first) = section.get(&key) {
                let first = first.line;
                errors.push(error(
                    &path,
                    line_no,
                    column(raw, start),
                    format!("option `{key}` appears twice in this section (first on line {first}; configparser refuses a repeated option)"),
                ));
                option = None;
                continue;
            }
            section.options.push((
                key,
                Opt {
                    lines: vec![val.to_owned()],
                    value: String::new(),
                    line: line_no,
                    column: column(raw, val_offset),
                },
            ));
            option = Some(section.options.len() - 1);
        }
        for s in std::iter::once(&mut ini.defaults).chain(ini.sections.iter_mut().map(|(_, s)| s)) {
            for (_, o) in &mut s.options {
                o.value = o.lines.join("\n").trim_end().to_owned();
                o.lines = Vec::new();
            }
        }
        if errors.is_empty() {
            Ok(ini)
        } else {
            Err(errors)
        }
    }

    fn section_mut(&mut self, sect: Option<usize>) -> &mut Section {
        match sect {
            Some(i) => &mut self.sections[i].1,
            None => &mut self.defaults,
        }
    }

    fn section_name(&self, sect: Option<usize>) -> &str {
        match sect {
            Some(i) => &self.sections[i].0,
            None => "DEFAULT",
        }
    }

    fn section(&self, name: &str) -> Option<&Section> {
        self.index.get(name).map(|&i| &self.sections[i].1)
    }

    /// The raw option `key` of `section`, or of `[DEFAULT]`.
    fn raw<'s>(&'s self, section: &'s Section, key: &str) -> Option<&'s Opt> {
        section.get(key).or_else(|| self.defaults.get(key))
    }
}

/// A value read from the file, with where it was written.
#[derive(Debug, Clone)]
struct Got {
    text: String,
    line: u32,
    column: u32,
}

/// fileConfig's reading of the parsed file, gathering every problem.
struct Reader<'i, 'b> {
    ini: &'i Ini,
    errors: Vec<Diagnostic>,
    budget: &'b mut Budget,
}

impl Reader<'_, '_> {
    fn error(&mut self, path: &str, line: u32, column: u32, message: impl Into<String>) {
        self.errors.push(error(path, line, column, message));
    }

    fn section(&mut self, name: &str, wanted_by: (&str, u32, u32)) -> Option<&Section> {
        let ini = self.ini;
        let found = ini.section(name);
        if found.is_none() {
            let (path, line, column) = wanted_by;
            self.error(
                path,
                line,
                column,
                format!("section `[{name}]` is missing (fileConfig reads it for this name)"),
            );
        }
        found
    }

    /// `section[key]`, interpolated unless `raw` (a missing key: `None`).
    fn get(&mut self, name: &str, key: &str, raw: bool) -> Option<Got> {
        let ini = self.ini;
        let section = ini.section(name)?;
        let opt = ini.raw(section, key)?;
        let path = format!("{name}.{key}");
        let text = if raw {
            opt.value.clone()
        } else {
            let mut out = String::new();
            if let Err(message) = self.interpolate(section, &opt.value, &mut out, 1) {
                self.error(&path, opt.line, opt.column, message);
                return None;
            }
            out
        };
        if let Err(message) = self.budget.take(1, text.len() + path.len()) {
            self.error(&path, opt.line, opt.column, message);
            return None;
        }
        Some(Got {
            text,
            line: opt.line,
            column: opt.column,
        })
    }

    /// `BasicInterpolation._interpolate_some`.
    fn interpolate(
        &self,
        section: &Section,
        mut rest: &str,
        out: &mut String,
        depth: usize,
    ) -> Result<(), String> {
        if depth > MAX_INTERPOLATION_DEPTH {
            return Err(format!(
                "`%(...)s` references nest more than {MAX_INTERPOLATION_DEPTH} deep (configparser's limit; a reference to itself, perhaps)"
            ));
        }
        while !rest.is_empty() {
            let Some(p) = rest.find('%') else {
                out.push_str(rest);
                break;
            };
            out.push_str(&rest[..p]);
            rest = &rest[p..];
            if let Some(r) = rest.strip_prefix("%%") {
                out.push('%');
                rest = r;
            } else if let Some(r) = rest.strip_prefix("%(") {
                let Some(end) = r.find(")s").filter(|&e| e > 0 && !r[..e].contains(')')) else {
                    return Err(format!(
                        "bad interpolation `{}`: write `%(name)s`, or `%%` for a `%`",
                        rest.chars().take(30).collect::<String>()
                    ));
                };
                let var = r[..end].to_lowercase();
                rest = &r[end + 2..];
                let Some(opt) = self.ini.raw(section, &var) else {
                    return Err(format!(
                        "`%({var})s` names no option of this section or of [DEFAULT] (write `%%` for a literal `%`)"
                    ));
                };
                if opt.value.contains('%') {
                    self.interpolate(section, &opt.value, out, depth + 1)?;
                } else {
                    out.push_str(&opt.value);
                }
            } else {
                return Err(format!(
                    "`%` must be followed by `%` or `(`, found `{}` (write `%%` for a literal `%`)",
                    rest.chars().take(30).collect::<String>()
                ));
            }
            if out.len() > MAX_VALUE {
                return Err(format!(
                    "the value grows past {MAX_VALUE} bytes through `%(...)s` references"
                ));
            }
        }
        Ok(())
    }

    /// A node, taken from the budget.
    fn node(&mut self, value: Value, line: u32, column: u32) -> Node {
        if let Err(message) = self.budget.take(1, 0) {
            self.error("", line, column, message);
        }
        Node::new(value, line, column)
    }

    /// A comma-separated list of names (`keys`, `handlers`), stripped; an
    /// empty text is no names.
    fn names(&mut self, got: &Got, path: &str) -> Vec<(String, u32, u32)> {
        if got.text.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut offset = 0;
        for part in got.text.split(',') {
            if out.len() >= MAX_NAMES {
                self.error(
                    path,
                    got.line,
                    got.column,
                    format!("more than {MAX_NAMES} names in one list"),
                );
                break;
            }
            let lead = part.len() - part.trim_start().len();
            let column = got.column + got.text[..offset + lead].chars().count() as u32;
            out.push((part.trim().to_owned(), got.line, column));
            offset += part.len() + 1;
        }
        out
    }

    /// `[formatters]`, `[handlers]` or `[loggers]`: its `keys`.
    fn keys(&mut self, list: &str) -> Option<Vec<(String, u32, u32)>> {
        if self.ini.section(list).is_none() {
            self.error(
                list,
                1,
                1,
                format!("section `[{list}]` is missing: fileConfig needs `[formatters]`, `[handlers]` and `[loggers]`, each with `keys`"),
            );
            return None;
        }
        let Some(got) = self.get(list, "keys", false) else {
            let line = self.ini.section(list).map_or(1, |s| s.line);
            self.error(
                list,
                line,
                1,
                format!("section `[{list}]` has no `keys` (write `keys =` for none)"),
            );
            return None;
        };
        Some(self.names(&got, &format!("{list}.keys")))
    }

    fn key(&mut self, name: &str, line: u32, column: u32) -> Key {
        let _ = self.budget.take(0, name.len());
        Key {
            name: name.to_owned(),
            line,
            column,
        }
    }

    /// Whether `got`, the `level` of section `sect`, is a level name as
    /// `_checkLevel` takes a string: one of `logging`'s names, exactly (an
    /// INI value is always a string, so `debug` and `10` are CPython's
    /// ValueError), or logfig's TRACE. Reports it when not.
    fn level_name(&mut self, got: &Got, sect: &str) -> bool {
        const NAMES: &[&str] = &[
            "CRITICAL", "FATAL", "ERROR", "WARN", "WARNING", "INFO", "DEBUG", "NOTSET", "TRACE",
        ];
        if NAMES.contains(&got.text.as_str()) {
            return true;
        }
        let hint = NAMES
            .iter()
            .find(|n| n.eq_ignore_ascii_case(&got.text))
            .map(|n| format!(" (did you mean `{n}`?)"))
            .unwrap_or_default();
        self.error(
            &format!("{sect}.level"),
            got.line,
            got.column,
            format!(
                "unknown level `{}`{hint}: fileConfig takes CPython's level names, case-sensitive ({}), not numbers",
                got.text,
                NAMES.join(", ")
            ),
        );
        false
    }

    fn string(&mut self, got: &Got) -> Node {
        self.node(Value::Str(got.text.clone()), got.line, got.column)
    }

    fn formatters(&mut self) -> Vec<(Key, Node)> {
        let mut out = Vec::new();
        for (name, line, column) in self.keys("formatters").unwrap_or_default() {
            let sect = format!("formatter_{name}");
            let Some(section) = self.section(&sect, ("formatters.keys", line, column)) else {
                continue;
            };
            let at = (section.line, 1);
            let mut entries = Vec::new();
            for (key, raw) in [
                ("format", true),
                ("datefmt", true),
                ("style", true),
                ("class", false),
            ] {
                if let Some(got) = self.get(&sect, key, raw) {
                    let k = self.key(key, got.line, got.column);
                    let v = self.string(&got);
                    entries.push((k, v));
                }
            }
            if let Some(got) = self.get(&sect, "defaults", true) {
                let path = format!("{sect}.defaults");
                if let Some(v) = self.literal(&got, &path) {
                    if matches!(v.value, Value::Map(_)) {
                        let k = self.key("defaults", got.line, got.column);
                        entries.push((k, v));
                    } else {
                        self.error(
                            &path,
                            got.line,
                            got.column,
                            "expected a dict, such as `{'user': '-'}`",
                        );
                    }
                }
            }
            let k = self.key(&name, at.0, at.1);
            let v = self.node(Value::Map(entries), at.0, at.1);
            out.push((k, v));
        }
        out
    }

    /// A Python literal of the file (`args`, `kwargs`, `defaults`).
    fn literal(&mut self, got: &Got, path: &str) -> Option<Node> {
        let origin = args::Origin {
            line: got.line,
            column: got.column,
        };
        match args::parse(&got.text, origin) {
            Ok(node) => {
                if let Err(message) = self.budget.take(0, got.text.len()) {
                    self.error(path, got.line, got.column, message);
                    return None;
                }
                Some(node)
            }
            Err(e) => {
                let before = &got.text[..e.offset.min(got.text.len())];
                let line = got.line + before.matches('\n').count() as u32;
                let column = match before.rfind('\n') {
                    Some(i) => before[i + 1..].chars().count() as u32 + 1,
                    None => got.column + before.chars().count() as u32,
                };
                self.error(path, line, column, e.message);
                None
            }
        }
    }

    fn handlers(&mut self) -> Vec<(Key, Node)> {
        let mut out = Vec::new();
        for (name, line, column) in self.keys("handlers").unwrap_or_default() {
            let sect = format!("handler_{name}");
            let Some(section) = self.section(&sect, ("handlers.keys", line, column)) else {
                continue;
            };
            let at = (section.line, 1);
            let Some(class) = self.get(&sect, "class", false) else {
                self.error(
                    &sect,
                    at.0,
                    at.1,
                    "missing `class`, such as `class = StreamHandler`",
                );
                continue;
            };
            // `eval(class, vars(logging))`, else an import: `StreamHandler`,
            // `handlers.X` and `logging.X` all name logging's classes.
            // Another dotted name is imported as it is (`myapp.Handler`).
            let full = if class.text.starts_with("logging.")
                || (class.text.contains('.') && !class.text.starts_with("handlers."))
            {
                class.text.clone()
            } else {
                format!("logging.{}", class.text)
            };
            // `logging`'s classes by their own name, others by their whole
            // path, as the translation names them (`systemd.journal.JournalHandler`).
            let short = if full.starts_with("logging.") {
                full.rsplit('.').next().unwrap_or("").to_owned()
            } else {
                full.clone()
            };
            let mut entries = Vec::new();
            let k = self.key("class", class.line, class.column);
            let v = self.node(Value::Str(full), class.line, class.column);
            entries.push((k, v));
            for key in ["level", "formatter", "target"] {
                if let Some(got) = self.get(&sect, key, false) {
                    if key == "level" && !self.level_name(&got, &sect) {
                        continue;
                    }
                    // An empty formatter or target means none.
                    if got.text.is_empty() && key != "level" {
                        continue;
                    }
                    if key == "target" && short != "MemoryHandler" {
                        continue;
                    }
                    let k = self.key(key, got.line, got.column);
                    let v = self.string(&got);
                    entries.push((k, v));
                }
            }
            self.arguments(&sect, &short, &mut entries);
            let k = self.key(&name, at.0, at.1);
            let v = self.node(Value::Map(entries), at.0, at.1);
            out.push((k, v));
        }
        out
    }

    /// `args` (positional, named by the class's parameters) and `kwargs`, as
    /// keyword arguments; `None` is every parameter's default, so it is left
    /// out.
    fn arguments(&mut self, sect: &str, short: &str, entries: &mut Vec<(Key, Node)>) {
        // The translation names a class that has no counterpart.
        let Some((_, params)) = super::handler::class_of(short) else {
            return;
        };
        // QueueHandler's constructor takes the queue alone.
        let params = match short {
            "QueueHandler" => &params[..1],
            // python-systemd's `JournalHandler(level, sender_function,
            // **fields)`: its journal fields are keyword arguments only.
            super::handler::JOURNAL => &["level", "sender_function"],
            _ => params,
        };
        let mut given: Vec<(Key, Node)> = Vec::new();
        if let Some(got) = self.get(sect, "args", false) {
            let path = format!("{sect}.args");
            if let Some(node) = self.literal(&got, &path) {
                match node.value {
                    Value::Seq(items) => {
                        if items.len() > params.len() {
                            self.error(
                                &path,
                                got.line,
                                got.column,
                                format!(
                                    "{} arguments, but `{short}` takes at most {}{}",
                                    items.len(),
                                    params.len(),
                                    if params.is_empty() {
                                        String::new()
                                    } else {
                                        format!(" ({})", params.join(", "))
                                    }
                                ),
                            );
                        }
                        for (item, param) in items.into_iter().zip(params) {
                            let k = self.key(param, item.line, item.column);
                            given.push((k, item));
                        }
                    }
                    _ => self.error(
                        &path,
                        got.line,
                        got.column,
                        "expected a tuple, such as `(sys.stdout,)` (a single argument needs its comma)",
                    ),
                }
            }
        }
        if let Some(got) = self.get(sect, "kwargs", false) {
            let path = format!("{sect}.kwargs");
            if let Some(node) = self.literal(&got, &path) {
                match node.value {
                    Value::Map(kwargs) => {
                        for (k, v) in kwargs {
                            if given.iter().any(|(g, _)| g.name == k.name) {
                                self.error(
                                    &path,
                                    k.line,
                                    k.column,
                                    format!("`{}` is given by `args` too", k.name),
                                );
                            }
                            given.push((k, v));
                        }
                    }
                    _ => self.error(
                        &path,
                        got.line,
                        got.column,
                        "expected a dict, such as `{'encoding': 'utf-8'}`",
                    ),
                }
            }
        }
        for (k, mut v) in given {
            if v.value == Value::Null {
                continue;
            }
            // fileConfig sets the section's `level` after construction: it
            // wins over a level given to the constructor.
            if k.name == "level" && entries.iter().any(|(e, _)| e.name == "level") {
                continue;
            }
            let code = match v.value {
                Value::Int(code) if k.name == "facility" => Some(code),
                _ => None,
            };
            if let Some(code) = code {
                // `SysLogHandler.LOG_USER` is a code; logfig names facilities.
                match usize::try_from(code)
                    .ok()
                    .and_then(|c| crate::config::Facility::NAMES.get(c))
                {
                    Some(name) => v.value = Value::Str((*name).to_owned()),
                    None => {
                        self.error(
                            &format!("{sect}.args"),
                            v.line,
                            v.column,
                            format!("{code} is not a syslog facility code (0 to 23)"),
                        );
                        continue;
                    }
                }
            }
            entries.push((k, v));
        }
    }

    fn loggers(&mut self) -> (Vec<(Key, Node)>, Option<Node>) {
        let mut out: Vec<(Key, Node)> = Vec::new();
        let mut root = None;
        let Some(list) = self.keys("loggers") else {
            return (out, root);
        };
        if !list.iter().any(|(n, _, _)| n == "root") {
            let line = self.ini.section("loggers").map_or(1, |s| s.line);
            self.error(
                "loggers.keys",
                line,
                1,
                "`root` is not listed: fileConfig needs `root` in `[loggers] keys` and a `[logger_root]` section",
            );
        }
        for (name, line, column) in list {
            let sect = format!("logger_{name}");
            let Some(section) = self.section(&sect, ("loggers.keys", line, column)) else {
                continue;
            };
            let at = (section.line, 1);
            let is_root = name == "root";
            let mut entries = Vec::new();
            let level = self.get(&sect, "level", false);
            if let Some(got) = level.filter(|got| self.level_name(got, &sect)) {
                let k = self.key("level", got.line, got.column);
                let v = self.string(&got);
                entries.push((k, v));
            }
            match self.get(&sect, "handlers", false) {
                Some(got) => {
                    let path = format!("{sect}.handlers");
                    let names = self.names(&got, &path);
                    let items = names
                        .into_iter()
                        .map(|(n, l, c)| self.node(Value::Str(n), l, c))
                        .collect();
                    let k = self.key("handlers", got.line, got.column);
                    let v = self.node(Value::Seq(items), got.line, got.column);
                    entries.push((k, v));
                }
                None => self.error(
                    &sect,
                    at.0,
                    at.1,
                    "missing `handlers` (fileConfig requires it; write `handlers =` for none)",
                ),
            }
            if is_root {
                // Root's `qualname` and `propagate` are never read.
                let v = self.node(Value::Map(entries), at.0, at.1);
                root = Some(v);
                continue;
            }
            // `section.getint("propagate", fallback=1)`.
            if let Some(got) = self.get(&sect, "propagate", false) {
                let digits: String = got.text.trim().chars().filter(|&c| c != '_').collect();
                match digits.parse::<i128>() {
                    Ok(n) => {
                        let k = self.key("propagate", got.line, got.column);
                        let v = self.node(Value::Bool(n != 0), got.line, got.column);
                        entries.push((k, v));
                    }
                    Err(_) => self.error(
                        &format!("{sect}.propagate"),
                        got.line,
                        got.column,
                        format!("expected an integer (`0` or `1`), found `{}`", got.text),
                    ),
                }
            }
            let Some(qualname) = self.get(&sect, "qualname", false) else {
                self.error(
                    &sect,
                    at.0,
                    at.1,
                    format!("missing `qualname`: the logger's name (`qualname = {name}`, say)"),
                );
                continue;
            };
            let k = self.key(&qualname.text, qualname.line, qualname.column);
            let v = self.node(Value::Map(entries), at.0, at.1);
            // A logger configured twice keeps the last configuration.
            remove_all(&mut out, &k.name);
            out.push((k, v));
        }
        (out, root)
    }
}

/// Reads a `fileConfig` INI text into the dictConfig tree that CPython's
/// `fileConfig` would apply.
pub(crate) fn parse(text: &str, budget: &mut Budget) -> Result<Node, Vec<Diagnostic>> {
    let ini = Ini::read(text)?;
    if ini.sections.is_empty() && ini.defaults.options.is_empty() {
        return Err(vec![error(
            "",
            1,
            1,
            "the file holds no sections: fileConfig needs `[loggers]`, `[handlers]` and `[formatters]`",
        )]);
    }
    let mut r = Reader {
        ini: &ini,
        errors: Vec::new(),
        budget,
    };
    let formatters = r.formatters();
    let handlers = r.handlers();
    let (loggers, root) = r.loggers();
    if !r.errors.is_empty() {
        return Err(r.errors);
    }
    let at = |name: &str| Key {
        name: name.to_owned(),
        line: 0,
        column: 0,
    };
    let map = |entries| Node::new(Value::Map(entries), 0, 0);
    let mut top = vec![
        (at("version"), Node::new(Value::Int(1), 0, 0)),
        // fileConfig's default.
        (
            at("disable_existing_loggers"),
            Node::new(Value::Bool(true), 0, 0),
        ),
        (at("formatters"), map(formatters)),
        (at("handlers"), map(handlers)),
        (at("loggers"), map(loggers)),
    ];
    if let Some(root) = root {
        top.push((at("root"), root));
    }
    Ok(map(top))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Node, Vec<Diagnostic>> {
        parse(text, &mut Budget::new())
    }

    fn errors(text: &str) -> Vec<String> {
        read(text)
            .unwrap_err()
            .iter()
            .map(|d| format!("{}:{}: {}: {}", d.line(), d.column(), d.path(), d.message()))
            .collect()
    }

    fn get<'n>(node: &'n Node, path: &[&str]) -> &'n Node {
        let mut n = node;
        for p in path {
            let Value::Map(entries) = &n.value else {
                panic!("{p}: not a map: {n:?}")
            };
            n = &entries
                .iter()
                .find(|(k, _)| k.name == *p)
                .unwrap_or_else(|| panic!("no {p} in {entries:?}"))
                .1;
        }
        n
    }

    const BASE: &str = "[loggers]\nkeys = root, db\n\n[handlers]\nkeys=console\n\n[formatters]\nkeys=f\n\n[logger_root]\nlevel=WARN\nhandlers=console\n\n[logger_db]\nqualname = app.db\nhandlers =\npropagate = 0\nlevel=DEBUG\n\n[handler_console]\nclass=StreamHandler\nargs=(sys.stdout, )\nformatter=f\n\n[formatter_f]\nformat=%(levelname)s %(message)s\ndatefmt=\n";

    #[test]
    fn a_logging_conf_becomes_the_dictconfig_tree() {
        let n = read(BASE).unwrap();
        assert_eq!(
            get(&n, &["loggers", "app.db", "propagate"]).value,
            Value::Bool(false)
        );
        assert_eq!(
            get(&n, &["loggers", "app.db", "handlers"]).value,
            Value::Seq(vec![])
        );
        assert_eq!(get(&n, &["root", "level"]).value, Value::Str("WARN".into()));
        let stream = get(&n, &["handlers", "console", "stream"]);
        assert_eq!(stream.value, Value::Str("ext://sys.stdout".into()));
        assert_eq!((stream.line, stream.column), (22, 7));
        assert_eq!(
            get(&n, &["handlers", "console", "class"]).value,
            Value::Str("logging.StreamHandler".into())
        );
        assert_eq!(
            get(&n, &["formatters", "f", "format"]).value,
            Value::Str("%(levelname)s %(message)s".into())
        );
        assert_eq!(
            get(&n, &["disable_existing_loggers"]).value,
            Value::Bool(true)
        );
    }

    #[test]
    fn configparser_rules() {
        // DEFAULT in every section, interpolation of read values only, `%%`,
        // `:` as delimiter, continuation lines, case-insensitive keys.
        let text = "[DEFAULT]\nlogdir = /var/log\n\n[app:main]\nsecret = ${x} %(undefined)s %bad\n\n[loggers]\nkeys=root\n[handlers]\nKEYS: file\n[formatters]\nkeys=\n[logger_root]\nhandlers=file\n[handler_file]\nclass = handlers.RotatingFileHandler\nargs = ('%(logdir)s/app.log', 'a',\n    10*1024*1024, 5)\nlevel = NOTSET\n";
        let n = read(text).unwrap();
        let h = get(&n, &["handlers", "file"]);
        assert_eq!(
            get(h, &["filename"]).value,
            Value::Str("/var/log/app.log".into())
        );
        assert_eq!(get(h, &["maxBytes"]).value, Value::Int(10 << 20));
        assert_eq!(get(h, &["backupCount"]).value, Value::Int(5));
        assert_eq!(get(h, &["backupCount"]).line, 18);
        // Format strings are read raw; `%%` elsewhere is `%`.
        let raw = BASE
            .replace("datefmt=", "datefmt=%H:%M %%")
            .replace("keys=console", "keys=console\nx = 100%%");
        let n = read(&raw).unwrap();
        assert_eq!(
            get(&n, &["formatters", "f", "datefmt"]).value,
            Value::Str("%H:%M %%".into())
        );
    }

    #[test]
    fn unlisted_sections_are_never_read() {
        let text = format!(
            "{BASE}\n[logger_x]\nqualname\n[handler_y]\nclass = %(nope)s\nargs = os.system('x')\n"
        );
        // `qualname` without `=` is a syntax error configparser reports
        // wherever it is.
        let e = errors(&text);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("30:1: logger_x: `qualname` is not `key = value`"),
            "{e:?}"
        );
        let text = format!("{BASE}\n[handler_y]\nclass = %(nope)s\nargs = os.system('x')\n");
        assert!(read(&text).is_ok());
    }

    #[test]
    fn errors_carry_positions() {
        let e = errors("level = x\n");
        assert_eq!(e, ["1:1: : a value before the first `[section]` header"]);
        let e = errors(&BASE.replace("args=(sys.stdout, )", "args=(sys.stdout, os.getcwd())"));
        assert!(
            e[0].starts_with("22:19: handler_console.args: `os.getcwd(...)` is a call"),
            "{e:?}"
        );
        let e = errors(&BASE.replace("propagate = 0", "propagate = no"));
        assert!(
            e[0].starts_with("17:13: logger_db.propagate: expected an integer"),
            "{e:?}"
        );
        let e = errors(&BASE.replace("qualname = app.db\n", ""));
        assert!(e[0].contains("missing `qualname`"), "{e:?}");
        let e = errors(&BASE.replace("keys = root, db", "keys = db"));
        assert!(e[0].contains("`root` is not listed"), "{e:?}");
        let e = errors(&BASE.replace("keys=console", "keys=console, gone"));
        assert!(
            e[0].starts_with("5:15: handlers.keys: section `[handler_gone]` is missing"),
            "{e:?}"
        );
        let e = errors(&BASE.replace("level=WARN\n", "level=WARN\nlevel=INFO\n"));
        assert!(
            e[0].starts_with("12:1: logger_root.level: option `level` appears twice"),
            "{e:?}"
        );
        let e = errors(&format!("{BASE}[loggers]\n"));
        assert!(e[0].contains("section `[loggers]` appears twice"), "{e:?}");
        let e = errors(&BASE.replace("args=(sys.stdout, )", "args=%(a)s\na=%(b)s\nb=%(a)s"));
        assert!(e[0].contains("nest more than 10 deep"), "{e:?}");
        let e = errors(&BASE.replace("args=(sys.stdout, )", "args=('100%')"));
        assert!(e[0].contains("`%` must be followed by"), "{e:?}");
        assert!(errors("")[0].contains("holds no sections"));
    }

    #[test]
    fn levels_are_cpythons_names_case_sensitive() {
        // `_checkLevel` on the string: every value of an INI file is one, so
        // `debug` and `10` are ValueErrors in CPython; `WARN` and `FATAL`
        // are names (and TRACE, logfig's, is one too).
        for ok in ["FATAL", "WARN", "NOTSET", "TRACE"] {
            let n = read(&BASE.replace("level=DEBUG", &format!("level={ok}"))).unwrap();
            assert_eq!(
                get(&n, &["loggers", "app.db", "level"]).value,
                Value::Str(ok.into())
            );
        }
        let e = errors(&BASE.replace("level=DEBUG", "level=debug"));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with(
                "18:7: logger_db.level: unknown level `debug` (did you mean `DEBUG`?)"
            ),
            "{e:?}"
        );
        let e = errors(&BASE.replace("formatter=f", "formatter=f\nlevel = 10"));
        assert!(
            e[0].starts_with("24:9: handler_console.level: unknown level `10`"),
            "{e:?}"
        );
        let e = errors(&BASE.replace("level=WARN", "level="));
        assert!(
            e[0].starts_with("11:7: logger_root.level: unknown level ``"),
            "{e:?}"
        );
    }

    #[test]
    fn sections_read_as_fileconfig_reads_them() {
        use crate::config::{Config, HandlerConfig, Level};
        use crate::load::Format;
        let load = |text: &str| Config::from_str(text, Format::Ini);
        // Root's `qualname` and `propagate` are never read.
        let c =
            load(&BASE.replace("level=WARN\n", "level=WARN\nqualname=x\npropagate=0\n")).unwrap();
        assert!(!c.loggers.contains_key("x"));
        assert_eq!(c.root.level, Some(Level::Warning));
        // Rotation written as section keys is ignored: only `args` counts,
        // and a RotatingFileHandler with maxBytes 0 never rolls over.
        let with_file = |section: &str| {
            BASE.replace("keys=console", "keys=console, file") + "\n[handler_file]\n" + section
        };
        let c = load(&with_file(
            "class=handlers.RotatingFileHandler\nargs=('a.log',)\nmaxBytes=100\nbackupCount=3\n",
        ))
        .unwrap();
        assert_eq!(c.handlers["file"].type_name(), "file");
        // `kwargs`, and a class named by its module's path.
        let c = load(&with_file(
            "class=logging.handlers.WatchedFileHandler\nargs=('w.log',)\nkwargs={'delay': True}\n",
        ))
        .unwrap();
        let HandlerConfig::WatchedFile(w) = &c.handlers["file"] else {
            panic!("{:?}", c.handlers["file"]);
        };
        assert!(w.delay);
        // An empty `format` is `%(message)s`; `;` inside a value is text.
        let c = load(&BASE.replace(
            "format=%(levelname)s %(message)s",
            "format=%(message)s ; not a comment",
        ))
        .unwrap();
        let crate::config::FormatterConfig::Pattern(f) = &c.formatters["f"] else {
            panic!()
        };
        assert_eq!(f.format.as_deref(), Some("%(message)s ; not a comment"));
        let c = load(&BASE.replace("format=%(levelname)s %(message)s", "format=")).unwrap();
        let crate::config::FormatterConfig::Pattern(f) = &c.formatters["f"] else {
            panic!()
        };
        assert!(
            f.format.as_deref().is_none_or(|f| f == "%(message)s"),
            "{f:?}"
        );
        // A class outside `logging` is named as written, at its position.
        let e = load(&BASE.replace("class=StreamHandler", "class=myapp.Handler")).unwrap_err();
        let d = &e.diagnostics()[0];
        assert_eq!((d.line(), d.column()), (21, 7), "{e}");
        assert!(
            d.message()
                .contains("handler class `myapp.Handler` has no logfig counterpart"),
            "{e}"
        );
        // An unknown formatter name, at its position.
        let e = load(&BASE.replace("formatter=f", "formatter=nope")).unwrap_err();
        let d = &e.diagnostics()[0];
        assert_eq!((d.line(), d.column()), (23, 11), "{e}");
        assert!(
            d.message().contains("formatter `nope` is not defined"),
            "{e}"
        );
    }

    /// python-systemd's `JournalHandler(level=NOTSET, sender_function=send,
    /// **fields)`: named by its module's path, its `args` and `kwargs` are
    /// read as for `logging`'s classes, never left out.
    #[test]
    fn journal_handler_takes_its_args_and_kwargs() {
        let with = |section: &str| {
            BASE.replace("keys=console", "keys=console, j")
                + "\n[handler_j]\nclass=systemd.journal.JournalHandler\n"
                + section
        };
        let n = read(&with("args=()\nkwargs={'SYSLOG_IDENTIFIER': 'shop'}\n")).unwrap();
        assert_eq!(
            get(&n, &["handlers", "j", "SYSLOG_IDENTIFIER"]).value,
            Value::Str("shop".into())
        );
        // The first positional argument is the level; the section's wins.
        let n = read(&with("args=(logging.INFO,)\n")).unwrap();
        assert_eq!(get(&n, &["handlers", "j", "level"]).value, Value::Int(20));
        let n = read(&with("level=ERROR\nargs=(logging.INFO,)\n")).unwrap();
        assert_eq!(
            get(&n, &["handlers", "j", "level"]).value,
            Value::Str("ERROR".into())
        );
        let e = errors(&with("args=(10, None, 'x')\n"));
        assert!(e.iter().any(|e| e.contains("takes at most 2")), "{e:?}");
    }

    #[test]
    fn interpolation_cannot_grow_without_bound() {
        let mut text = BASE.replace(
            "args=(sys.stdout, )",
            "args=%(v9)s\nv0=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        );
        for i in 1..10 {
            text.push_str("");
            text = text.replace(
                "v0=",
                &format!("v{i}=%(v{p})s%(v{p})s%(v{p})s%(v{p})s\nv0=", p = i - 1),
            );
        }
        let e = errors(&text);
        assert!(e[0].contains("grows past 65536 bytes"), "{e:?}");
    }

    #[test]
    fn the_example_loads() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/logging.ini");
        let c = crate::config::Config::from_path(path).unwrap();
        assert!(!c.loggers["app.jobs"].propagate);
        assert_eq!(c.handlers["file"].type_name(), "rotating_file");
    }
}
