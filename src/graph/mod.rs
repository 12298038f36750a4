//! [`Config`] → runtime graph: check references (pure), then open outputs.
//!
//! [`validate`] does no I/O and reports every problem at once. [`build`]
//! instantiates formatters, filters and handlers, reusing the handlers of a
//! previous graph whose own settings did not change; if any output fails to
//! open, the handlers it opened are closed again and nothing changes.

mod archives;
mod names;
mod nodes;
mod registry;
pub(crate) mod route;
#[cfg(feature = "control")]
pub(crate) mod seen;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::config::{
    Config, FilterConfig, FormatterConfig, HandlerConfig, Level, RotateWhen,
    RotatingFileHandlerConfig, segments,
};
use crate::error::{Diagnostic, DiagnosticKind, Error, ErrorKind, Severity, hint};
use crate::filters::Filter;
use crate::formatters::Formatter;
use crate::formatters::{JsonFormatter, PatternFormatter};
use crate::handlers::Handler;
use crate::handlers::node::HandlerNode;
use crate::handlers::{
    ConsoleHandler, FileHandler, MemoryHandler, NullHandler, QueueHandler, RotatingFileHandler,
    WatchedFileHandler,
};
use crate::handlers::{SyslogHandler, TcpHandler, UdpHandler};
#[cfg(test)]
pub(crate) use nodes::next_epoch;
pub(crate) use nodes::{Decision, Graph, LoggerNode};

pub(crate) use names::Names;
pub(crate) use registry::Registry;

/// A logger's path, handler names, filter names and level, for checks.
type LoggerRefs<'a> = (String, &'a [String], &'a [String], Option<Level>);

type PickFilters<'a> = &'a dyn Fn(&[String]) -> Vec<Arc<dyn Filter>>;

/// A config validated: its diagnostics, and the formatters and filters
/// compiled on the way, which [`build`] assembles the graph from, so that a
/// load, its build and its warnings compile each pattern and regex once.
pub(crate) struct Checked {
    /// Every problem found, placed in the config's source.
    pub(crate) diagnostics: Vec<Diagnostic>,
    formatters: Names<Arc<dyn Formatter>>,
    filters: Names<Arc<dyn Filter>>,
}

/// Every semantic problem of `config`: dangling references, formats and regexes
/// that do not compile, values out of range (errors); unused handlers and levels
/// compiled out of this binary (warnings). Placed in the config's source.
pub(crate) fn validate(config: &Config) -> Vec<Diagnostic> {
    check(config).diagnostics
}

/// [`validate`], keeping what it compiled for [`build`]. Pure: no I/O.
pub(crate) fn check(config: &Config) -> Checked {
    let mut out = Vec::new();
    let mut formatters = Names::new();
    let mut filters = Names::new();
    if config.version != 1 {
        out.push(Diagnostic::error(
            "version",
            format!("unsupported version {}: expected 1", config.version),
        ));
    }
    if config.incremental {
        // Only levels are read from an incremental config (Python's rule);
        // whether its handlers exist is checked against the running config.
        return Checked {
            diagnostics: placed(out, config),
            formatters,
            filters,
        };
    }
    for (name, f) in &config.formatters {
        let path = crate::error::join("formatters", name);
        let compiled = match f {
            FormatterConfig::Pattern(c) => {
                PatternFormatter::compile_keyed(c).map(|f| Arc::new(f) as Arc<dyn Formatter>)
            }
            FormatterConfig::Json(c) => {
                JsonFormatter::compile_keyed(c).map(|f| Arc::new(f) as Arc<dyn Formatter>)
            }
        };
        match compiled {
            Ok(f) => {
                formatters.insert(name.clone(), f);
            }
            Err((key, e)) => out.push(Diagnostic::error(format!("{path}.{key}"), e)),
        }
        out.extend(crate::formatters::datefmt_warnings(&path, f));
    }
    for (name, f) in &config.filters {
        match crate::filters::build(f) {
            Ok(f) => {
                filters.insert(name.clone(), Arc::from(f));
            }
            // A filter fails to build only on its `pattern`.
            Err(e) => out.push(
                Diagnostic::error(
                    crate::error::join("filters", name) + ".pattern",
                    e.to_string(),
                )
                .of_kind(e.kind().diagnostic_kind()),
            ),
        }
    }
    let mut used_handlers = HashSet::new();
    let mut loggers: Vec<LoggerRefs<'_>> = vec![(
        "root".to_owned(),
        &config.root.handlers,
        &config.root.filters,
        config.root.level,
    )];
    for (name, l) in &config.loggers {
        if segments(name).next().is_none() {
            out.push(Diagnostic::error(
                crate::error::join("loggers", name),
                "a logger needs a name; configure the root logger under `root`",
            ));
        }
        loggers.push((
            crate::error::join("loggers", name),
            &l.handlers,
            &l.filters,
            l.level,
        ));
    }
    for (path, handlers, filters, level) in loggers {
        let mut listed = HashSet::new();
        for (i, h) in handlers.iter().enumerate() {
            used_handlers.insert(h.as_str());
            check_ref(
                &mut out,
                &config.origin.failed,
                &format!("{path}.handlers[{i}]"),
                "handler",
                h,
                &config.handlers,
            );
            if !listed.insert(h.as_str()) {
                out.push(Diagnostic::warning(
                    format!("{path}.handlers[{i}]"),
                    format!("handler `{h}` is listed twice; it receives each record once"),
                ));
            }
        }
        check_filters_and_level(&mut out, config, &path, filters, level);
    }
    for h in config.handlers.values() {
        for t in h.targets() {
            used_handlers.insert(t.as_str());
        }
    }
    // The first handler (by name) writing to each file.
    let mut files: HashMap<&std::path::Path, &str> = HashMap::new();
    for (name, h) in &config.handlers {
        let path = crate::error::join("handlers", name);
        for (i, t) in h.targets().iter().enumerate() {
            check_ref(
                &mut out,
                &config.origin.failed,
                &target_path(&path, h, i),
                "handler",
                t,
                &config.handlers,
            );
        }
        let common = h.common();
        if let Some(f) = &common.formatter {
            check_ref(
                &mut out,
                &config.origin.failed,
                &format!("{path}.formatter"),
                "formatter",
                f,
                &config.formatters,
            );
        }
        check_filters_and_level(&mut out, config, &path, &common.filters, common.level);
        if let HandlerConfig::RotatingFile(r) = h {
            check_rotation_interval(&mut out, &path, r);
        }
        #[cfg(feature = "smtp")]
        if let HandlerConfig::Smtp(s) = h {
            if let Err(e) = crate::handlers::subject_formatter(&s.subject) {
                out.push(Diagnostic::error(format!("{path}.subject"), e));
            }
        }
        if !used_handlers.contains(name.as_str()) {
            out.push(
                Diagnostic::warning(
                    path.clone(),
                    format!("handler `{name}` is not used by any logger"),
                )
                .of_kind(DiagnosticKind::Unused),
            );
        }
        if let HandlerConfig::File(f) = h {
            // Handlers come in name order: the first one seen is the other.
            let other = *files.entry(f.path.as_path()).or_insert(name.as_str());
            if other != name.as_str() {
                out.push(Diagnostic::warning(
                    format!("{path}.path"),
                    format!(
                        "handler `{other}` writes to the same file; their lines will interleave"
                    ),
                ));
            }
        }
    }
    check_cycles(config, &mut out);
    archives::check(config, &mut out);
    let mut diagnostics = placed(out, config);
    diagnostics.extend(config.origin.notes.iter().cloned());
    Checked {
        diagnostics,
        formatters,
        filters,
    }
}

/// `diagnostics` placed in the source of `config`.
fn placed(diagnostics: Vec<Diagnostic>, config: &Config) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|d| crate::config::place(d, &config.origin))
        .collect()
}

/// The config path of the `i`-th target reference of `h` (at `path`).
fn target_path(path: &str, h: &HandlerConfig, i: usize) -> String {
    match h {
        HandlerConfig::Memory(_) => format!("{path}.target"),
        _ => format!("{path}.handlers[{i}]"),
    }
}

/// Queues and memory handlers that write to themselves, directly or through
/// each other: each cycle is reported once, at the reference that closes it.
fn check_cycles(config: &Config, out: &mut Vec<Diagnostic>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        /// On the walk's stack, at this depth.
        Open(usize),
        Done,
    }
    // A walk with its own stack: a chain of 100,000 queues is a config, and
    // must not be a recursion as deep on the reload thread.
    let mut marks: HashMap<&str, Mark> = HashMap::new();
    for (root, h) in &config.handlers {
        if marks.contains_key(root.as_str()) {
            continue;
        }
        // (handler, its config, index of its next target)
        let mut stack: Vec<(&str, &HandlerConfig, usize)> = vec![(root, h, 0)];
        marks.insert(root, Mark::Open(0));
        while let Some(top) = stack.last_mut() {
            let (name, h, i) = *top;
            let Some(t) = h.targets().get(i) else {
                marks.insert(name, Mark::Done);
                stack.pop();
                continue;
            };
            top.2 += 1;
            let Some((t, th)) = config.handlers.get_key_value(t) else {
                continue;
            };
            match marks.get(t.as_str()).copied() {
                None => {
                    marks.insert(t, Mark::Open(stack.len()));
                    stack.push((t, th, 0));
                }
                Some(Mark::Open(start)) => {
                    let message = if start + 1 == stack.len() {
                        format!(
                            "handler `{name}` writes to itself; a {} handler needs other handlers as targets",
                            h.type_name()
                        )
                    } else {
                        // A long cycle is named by its ends.
                        const NAMED: usize = 10;
                        let members = &stack[start..];
                        let mut cycle: Vec<String> = members
                            .iter()
                            .take(NAMED)
                            .map(|(n, _, _)| format!("`{n}`"))
                            .collect();
                        if members.len() > NAMED {
                            cycle.push(format!("({} more)", members.len() - NAMED));
                        }
                        cycle.push(format!("`{t}`"));
                        format!(
                            "handlers write to each other in a cycle: {}; records would go round forever",
                            cycle.join(" -> ")
                        )
                    };
                    let path = crate::error::join("handlers", name);
                    out.push(Diagnostic::error(target_path(&path, h, i), message));
                }
                Some(Mark::Done) => {}
            }
        }
    }
}

/// Handler names with every handler after the handlers it writes to (build
/// order); reversed, the order to close them in. Cycles (refused by
/// `validate`) are cut.
pub(crate) fn dependency_order(config: &Config) -> Vec<&str> {
    // A walk with its own stack, as in `check_cycles`.
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (root, h) in &config.handlers {
        if !seen.insert(root.as_str()) {
            continue;
        }
        let mut stack: Vec<(&str, &HandlerConfig, usize)> = vec![(root, h, 0)];
        while let Some(top) = stack.last_mut() {
            let (name, h, i) = *top;
            let Some(t) = h.targets().get(i) else {
                out.push(name);
                stack.pop();
                continue;
            };
            top.2 += 1;
            if let Some((t, th)) = config.handlers.get_key_value(t) {
                if seen.insert(t.as_str()) {
                    stack.push((t, th, 0));
                }
            }
        }
    }
    out
}

/// What a queue or memory handler writes through: every target's own config,
/// formatter and filters, recursively, by name. A wrapper is reused across a
/// reload only when this is unchanged too. Compared as the config values
/// themselves (`PartialEq`), so a changed secret counts as a change.
fn resolved_targets<'c>(config: &'c Config, name: &str) -> Vec<(&'c str, Option<Target<'c>>)> {
    let mut out: Vec<(&str, Option<Target<'_>>)> = Vec::new();
    let mut seen = HashSet::new();
    let mut todo: Vec<&str> = config
        .handlers
        .get(name)
        .map(|h| h.targets().iter().map(String::as_str).collect())
        .unwrap_or_default();
    while let Some(t) = todo.pop() {
        if !seen.insert(t) {
            continue;
        }
        let Some((t, h)) = config.handlers.get_key_value(t) else {
            out.push((t, None));
            continue;
        };
        let common = h.common();
        let formatter = common
            .formatter
            .as_ref()
            .and_then(|f| config.formatters.get(f));
        let filters = common
            .filters
            .iter()
            .map(|f| config.filters.get(f))
            .collect();
        out.push((t, Some((h, formatter, filters))));
        todo.extend(h.targets().iter().map(String::as_str));
    }
    out.sort_unstable_by(|a, b| a.0.cmp(b.0));
    out
}

/// A target's config, its formatter's and its filters' (`None` where a name
/// is dangling).
type Target<'c> = (
    &'c HandlerConfig,
    Option<&'c FormatterConfig>,
    Vec<Option<&'c FilterConfig>>,
);

/// Checks the `filters` and `level` of the logger or handler at `path`:
/// each filter is defined, and the level is one a record can have.
fn check_filters_and_level(
    out: &mut Vec<Diagnostic>,
    config: &Config,
    path: &str,
    filters: &[String],
    level: Option<Level>,
) {
    for (i, f) in filters.iter().enumerate() {
        check_ref(
            out,
            &config.origin.failed,
            &format!("{path}.filters[{i}]"),
            "filter",
            f,
            &config.filters,
        );
    }
    check_static_level(out, &format!("{path}.level"), level);
}

fn check_ref<T>(
    out: &mut Vec<Diagnostic>,
    failed: &std::collections::HashSet<String>,
    path: &str,
    what: &str,
    name: &str,
    defined: &BTreeMap<String, T>,
) {
    if defined.contains_key(name) {
        return;
    }
    let names =
        || -> Box<dyn Iterator<Item = &str> + '_> { Box::new(defined.keys().map(String::as_str)) };
    not_defined(out, failed, path, what, name, defined.len(), &names);
}

/// The error of a reference [`check_ref`] did not find, unless what it
/// names failed on its own. Not generic: `names` lists the defined names.
fn not_defined<'a>(
    out: &mut Vec<Diagnostic>,
    failed: &std::collections::HashSet<String>,
    path: &str,
    what: &str,
    name: &str,
    count: usize,
    names: &dyn Fn() -> Box<dyn Iterator<Item = &'a str> + 'a>,
) {
    if failed.contains(&format!("{what}s.{name}")) {
        return;
    }
    // A hint compares the name with every defined one: only for the
    // diagnostics a load shows, and among a number of names a person could
    // have meant (else one hostile config makes that work quadratic).
    const HINTED: usize = 1_000;
    let h = if out.len() < crate::error::MAX_DIAGNOSTICS && count <= HINTED {
        hint(name, names())
    } else {
        String::new()
    };
    let listed = if !h.is_empty() {
        h
    } else if count == 0 {
        format!("; no {what}s are defined")
    } else {
        const LISTED: usize = 10;
        let mut shown: Vec<String> = names().take(LISTED).map(|d| format!("`{d}`")).collect();
        if count > LISTED {
            shown.push(format!("and {} more", count - LISTED));
        }
        format!("; defined: {}", shown.join(", "))
    };
    out.push(Diagnostic::error(
        path,
        format!("{what} `{name}` is not defined{listed}"),
    ));
}

/// The longest time between two rollovers: a hundred years.
const MAX_ROTATION_SECS: u64 = 100 * 365 * 86_400;

/// Refuses a rollover `interval` longer than [`MAX_ROTATION_SECS`]: a
/// calendar interval of four billion weeks made the first rollover's date
/// arithmetic panic when the handler opened.
fn check_rotation_interval(out: &mut Vec<Diagnostic>, path: &str, r: &RotatingFileHandlerConfig) {
    let Some(when) = r.when else {
        return;
    };
    let (unit, secs) = match when {
        RotateWhen::Seconds => ("seconds", 1),
        RotateWhen::Minutes => ("minutes", 60),
        RotateWhen::Hours => ("hours", 3_600),
        RotateWhen::Days | RotateWhen::Midnight => ("days", 86_400),
        _ => ("weeks", 7 * 86_400),
    };
    if u64::from(r.interval) * secs > MAX_ROTATION_SECS {
        out.push(Diagnostic::error(
            format!("{path}.interval"),
            format!(
                "an interval of {} {unit} is over 100 years, the longest between two rollovers",
                r.interval
            ),
        ));
    }
}

fn check_static_level(out: &mut Vec<Diagnostic>, path: &str, level: Option<Level>) {
    let Some(filter) = level.and_then(Level::to_level_filter) else {
        return;
    };
    if filter > log::STATIC_MAX_LEVEL {
        out.push(Diagnostic::warning(
            path,
            format!(
                "level {} is compiled out of this program (log's `max_level_*` features allow up to {}); \
                 such records never reach logfig",
                level.map_or("", Level::as_str),
                log::STATIC_MAX_LEVEL
            ),
        ));
    }
}

/// The running config with the levels of an incremental config applied:
/// handler levels, logger levels (creating loggers it names), the root level.
pub(crate) fn merge_incremental(base: &Config, inc: &Config) -> Result<Config, Error> {
    let mut out = base.clone();
    let mut errors = Vec::new();
    for (name, level) in &inc.handler_levels {
        match out.handlers.get_mut(name) {
            Some(h) => {
                if level.is_some() {
                    h.common_mut().level = *level;
                }
            }
            None => {
                let h = hint(name, base.handlers.keys().map(String::as_str));
                let d = Diagnostic::error(
                    crate::error::join("handlers", name),
                    format!(
                        "handler `{name}` is not configured{h}; an incremental config only changes the levels of existing handlers"
                    ),
                );
                errors.push(crate::config::place(d, &inc.origin));
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::from_diagnostics(ErrorKind::Invalid, errors));
    }
    for (name, logger) in &inc.loggers {
        if logger.level.is_some() {
            out.loggers.entry(name.clone()).or_default().level = logger.level;
        }
    }
    if inc.root.level.is_some() {
        out.root.level = inc.root.level;
    }
    Ok(out)
}

/// A graph that drops everything; what a dispatcher runs after shutdown.
pub(crate) fn empty_graph() -> Graph {
    let root = LoggerNode {
        name: "root".into(),
        level: log::LevelFilter::Off,
        filters: Vec::new(),
        chain: Vec::new(),
    };
    Graph::new(Config::default(), vec![root], Names::new())
}

/// Builds the graph for `config` from its validation `checked` (of `config`,
/// or of a config that differs from it in levels only), reusing unchanged
/// handlers of `previous`. Returns the graph and the config's warnings.
pub(crate) fn build(
    config: &Config,
    checked: Checked,
    registry: &Registry,
    previous: Option<&Graph>,
) -> Result<(Graph, Vec<Diagnostic>), Error> {
    let Checked {
        diagnostics,
        formatters,
        filters,
    } = checked;
    let (errors, warnings): (Vec<_>, Vec<_>) = diagnostics
        .into_iter()
        .partition(|d| d.severity() == Severity::Error);
    if !errors.is_empty() {
        return Err(Error::from_diagnostics(ErrorKind::Invalid, errors));
    }
    let pick_filters = |names: &[String]| -> Vec<Arc<dyn Filter>> {
        names
            .iter()
            .filter_map(|n| filters.get(n.as_str()).cloned())
            .collect()
    };
    let default_formatter: Arc<dyn Formatter> = Arc::new(PatternFormatter::message_only());

    // Open outputs; on the first failure, close what this build opened.
    // Built in dependency order, which a config can make the reverse of
    // name order: kept by name in a hash map meanwhile, then put into
    // `Names` in name order (each at the end, none moving the others).
    let mut nodes: Vec<Arc<HandlerNode>> = Vec::new();
    let mut built: HashMap<&str, usize> = HashMap::new();
    let mut opened: Vec<Arc<dyn Handler>> = Vec::new();
    let mut failures = Vec::new();
    // Targets are built before the queue and memory handlers that write to them.
    for name in dependency_order(config) {
        let Some((name, h)) = config.handlers.get_key_value(name) else {
            continue;
        };
        let mut identity = h.clone();
        *identity.common_mut() = Default::default();
        let reused = previous
            .and_then(|g| g.handlers.get(name).map(|n| (g, n)))
            .filter(|(g, n)| {
                n.identity == identity
                    && (h.targets().is_empty()
                        || resolved_targets(config, name) == resolved_targets(&g.config, name))
            })
            .map(|(_, n)| (Arc::clone(&n.handler), Arc::clone(&n.failed)));
        let targets = || -> Result<Vec<Arc<HandlerNode>>, Error> {
            h.targets()
                .iter()
                .map(|t| {
                    built
                        .get(t.as_str())
                        .and_then(|&i| nodes.get(i).cloned())
                        .ok_or_else(|| not_built(t))
                })
                .collect()
        };
        let (handler, failed) = match reused {
            Some((h, failed)) => (h, Some(failed)),
            None => match targets().and_then(|t| open(name, h, registry, t)) {
                Ok(h) => {
                    opened.push(Arc::clone(&h));
                    (h, None)
                }
                Err(e) => {
                    let d =
                        Diagnostic::error(crate::error::join("handlers", name), e.full_message())
                            .of_kind(e.kind().diagnostic_kind());
                    failures.push(crate::config::place(d, &config.origin));
                    continue;
                }
            },
        };
        let common = h.common();
        let formatter = common
            .formatter
            .as_deref()
            .and_then(|f| formatters.get(f).cloned())
            .unwrap_or_else(|| Arc::clone(&default_formatter));
        let level = common
            .level
            .and_then(Level::to_level_filter)
            .unwrap_or(log::LevelFilter::Trace);
        let mut node = HandlerNode::new(
            name.clone(),
            level,
            pick_filters(&common.filters),
            formatter,
            handler,
            identity,
        );
        // A kept handler keeps counting its failures.
        if let Some(failed) = failed {
            node = node.counting_on(failed);
        }
        built.insert(name, nodes.len());
        nodes.push(Arc::new(node));
    }
    if !failures.is_empty() {
        for h in opened {
            let _ = h.close();
        }
        let kind = if failures
            .iter()
            .any(|d| d.kind() == DiagnosticKind::MissingFeature)
        {
            ErrorKind::FeatureDisabled
        } else {
            ErrorKind::Io
        };
        return Err(Error::from_diagnostics(kind, failures));
    }

    let mut handlers = Names::new();
    for name in config.handlers.keys() {
        if let Some(node) = built.get(name.as_str()).and_then(|&i| nodes.get(i)) {
            handlers.insert(name.clone(), Arc::clone(node));
        }
    }
    let disabled = disabled_loggers(config, previous);
    let mut loggers = resolve_loggers(config, &handlers, &pick_filters);
    for name in &disabled {
        loggers.push(LoggerNode {
            name: name.as_str().into(),
            level: log::LevelFilter::Off,
            filters: Vec::new(),
            chain: Vec::new(),
        });
    }
    let mut graph = Graph::new(config.clone(), loggers, handlers);
    graph.disabled = disabled;
    Ok((graph, warnings))
}

/// Python's `disable_existing_loggers`: loggers that the previous config named
/// and this one does not (nor any of their ancestors) are muted, and stay muted
/// until a config names them again. Names are normalised (`a.b`).
fn disabled_loggers(config: &Config, previous: Option<&Graph>) -> Vec<String> {
    let normal = |n: &str| segments(n).collect::<Vec<_>>().join(".");
    let named: HashSet<String> = config.loggers.keys().map(|n| normal(n)).collect();
    let covered = |n: &str| {
        let segs: Vec<&str> = segments(n).collect();
        (1..=segs.len()).any(|k| named.contains(&segs[..k].join(".")))
    };
    let Some(previous) = previous else {
        return Vec::new();
    };
    let mut out: Vec<String> = previous
        .disabled
        .iter()
        .filter(|n| !named.contains(*n))
        .cloned()
        .collect();
    if config.disable_existing_loggers {
        for name in previous.config.loggers.keys() {
            let n = normal(name);
            if !n.is_empty() && !covered(&n) && !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out.sort();
    out
}

/// Opens the output of one handler config; `targets` are the built handlers
/// a queue or memory handler writes to.
fn open(
    name: &str,
    config: &HandlerConfig,
    registry: &Registry,
    targets: Vec<Arc<HandlerNode>>,
) -> Result<Arc<dyn Handler>, Error> {
    Ok(match config {
        HandlerConfig::Console(c) => {
            Arc::new(ConsoleHandler::new(c.stream, c.color).captured(c.capture))
        }
        HandlerConfig::File(c) if c.delay => delayed(&c.path, c.clone(), FileHandler::open),
        HandlerConfig::RotatingFile(c) if c.delay => {
            delayed(&c.path, c.clone(), RotatingFileHandler::open)
        }
        HandlerConfig::WatchedFile(c) if c.delay => {
            delayed(&c.path, c.clone(), WatchedFileHandler::open)
        }
        HandlerConfig::File(c) => Arc::new(FileHandler::open(c)?),
        #[cfg(not(feature = "gzip"))]
        HandlerConfig::RotatingFile(c) if c.compress == crate::config::Compression::Gzip => {
            return Err(Error::new(
                ErrorKind::FeatureDisabled,
                "`compress: gzip` requires the `gzip` feature of logfig",
            ));
        }
        HandlerConfig::RotatingFile(c) => Arc::new(RotatingFileHandler::open(c)?),
        HandlerConfig::WatchedFile(c) => Arc::new(WatchedFileHandler::open(c)?),
        HandlerConfig::Queue(c) => Arc::new(QueueHandler::start(name, c, targets)?),
        HandlerConfig::Memory(c) => {
            let target = targets
                .into_iter()
                .next()
                .ok_or_else(|| not_built(&c.target))?;
            let flush = c
                .flush_level
                .to_level_filter()
                .unwrap_or(log::LevelFilter::Error);
            let bytes = usize::try_from(c.buffer_bytes.bytes()).unwrap_or(usize::MAX);
            Arc::new(MemoryHandler::new(
                target,
                c.capacity as usize,
                bytes,
                flush,
            ))
        }
        HandlerConfig::Null(_) => Arc::new(NullHandler),
        HandlerConfig::Tcp(c) => Arc::new(TcpHandler::start(name, c)?),
        HandlerConfig::Udp(c) => Arc::new(UdpHandler::start(name, c)?),
        HandlerConfig::Syslog(c) => Arc::new(SyslogHandler::start(name, c)?),
        #[cfg(feature = "http")]
        HandlerConfig::Http(c) => Arc::new(crate::handlers::HttpHandler::start(name, c)?),
        #[cfg(not(feature = "http"))]
        HandlerConfig::Http(_) => return Err(feature_disabled("http")),
        #[cfg(feature = "smtp")]
        HandlerConfig::Smtp(c) => Arc::new(crate::handlers::SmtpHandler::start(name, c)?),
        #[cfg(not(feature = "smtp"))]
        HandlerConfig::Smtp(_) => return Err(feature_disabled("smtp")),
        #[cfg(feature = "otlp")]
        HandlerConfig::Otlp(c) => Arc::new(crate::handlers::OtlpHandler::start(name, c)?),
        #[cfg(not(feature = "otlp"))]
        HandlerConfig::Otlp(_) => return Err(feature_disabled("otlp")),
        #[cfg(all(target_os = "linux", feature = "journald"))]
        HandlerConfig::Journald(c) => Arc::new(crate::handlers::JournaldHandler::start(name, c)?),
        #[cfg(not(feature = "journald"))]
        HandlerConfig::Journald(_) => return Err(feature_disabled("journald")),
        #[cfg(all(feature = "journald", not(target_os = "linux")))]
        HandlerConfig::Journald(_) => {
            return Err(Error::new(
                ErrorKind::Invalid,
                "handler type `journald` exists on Linux only",
            ));
        }
        HandlerConfig::Custom(c) => Arc::from(
            registry
                .create(&c.factory, c.options.expose())
                .map_err(|e| Error::new(ErrorKind::Other, e))?,
        ),
    })
}

/// A file handler of `config` opened at its first record (`delay: true`).
fn delayed<C, H>(
    path: &std::path::Path,
    config: C,
    open: fn(&C) -> Result<H, Error>,
) -> Arc<dyn Handler>
where
    C: Send + Sync + 'static,
    H: Handler,
{
    Arc::new(crate::handlers::Delayed::new(
        path.display().to_string(),
        move || Ok(Box::new(open(&config)?)),
    ))
}

/// A handler kind whose feature this build left out.
#[cfg(not(all(
    feature = "http",
    feature = "smtp",
    feature = "otlp",
    feature = "journald"
)))]
fn feature_disabled(kind: &str) -> Error {
    Error::new(
        ErrorKind::FeatureDisabled,
        format!("handler type `{kind}` requires the `{kind}` feature of logfig"),
    )
}

/// A queue's or memory handler's target that failed to open.
fn not_built(target: &str) -> Error {
    Error::new(
        ErrorKind::Other,
        format!("handler `{target}` could not be built"),
    )
}

/// Resolves each configured logger's effective level and handler chain, with
/// Python's rules: a logger without a level takes its nearest configured
/// ancestor's (the root's default is WARNING), and its records reach its own
/// handlers and its ancestors' up to the first `propagate: false`.
fn resolve_loggers(
    config: &Config,
    handlers: &Names<Arc<HandlerNode>>,
    pick_filters: PickFilters<'_>,
) -> Vec<LoggerNode> {
    let pick_handlers = |names: &[String]| -> Vec<Arc<HandlerNode>> {
        let mut seen = HashSet::new();
        names
            .iter()
            .filter(|n| seen.insert(n.as_str()))
            .filter_map(|n| handlers.get(n).cloned())
            .collect()
    };
    // The rules live in `route`, shared with `logfig explain`.
    let loggers = route::Loggers::new(config);
    let level_filter =
        |r: &route::Route<'_>| r.level.to_level_filter().unwrap_or(log::LevelFilter::Warn);
    let chain = |r: &route::Route<'_>| -> Vec<Arc<HandlerNode>> {
        r.steps
            .iter()
            .flat_map(|(_, names)| pick_handlers(names))
            .collect()
    };
    let root = loggers.root();
    let mut out = vec![LoggerNode {
        name: "root".into(),
        level: level_filter(&root),
        filters: pick_filters(&config.root.filters),
        chain: chain(&root),
    }];
    for (key, name) in loggers.iter() {
        let r = loggers.route(name);
        out.push(LoggerNode {
            name: key.join(".").into(),
            level: level_filter(&r),
            filters: pick_filters(&config.loggers[name].filters),
            chain: chain(&r),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_graph_is_assembled_from_what_validation_compiled() {
        let text = r#"{"version": 1,
            "formatters": {"f": {"format": "%(message)s"}},
            "filters": {"r": {"type": "name", "name": "app"}},
            "handlers": {"n": {"type": "null", "formatter": "f", "filters": ["r"]}},
            "root": {"handlers": ["n"]}}"#;
        let config = Config::from_str(text, crate::load::Format::Json).unwrap();
        let checked = check(&config);
        let formatter = Arc::clone(checked.formatters.get("f").unwrap());
        let filter = Arc::clone(checked.filters.get("r").unwrap());
        let (graph, warnings) = build(&config, checked, &Registry::default(), None).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let node = graph.handlers.get("n").unwrap();
        assert!(Arc::ptr_eq(&node.formatter, &formatter), "compiled once");
        assert!(Arc::ptr_eq(&node.filters[0], &filter), "compiled once");
    }

    #[test]
    fn the_unused_warning_has_its_kind() {
        let text = r#"{"version": 1, "handlers": {"spare": {"type": "null"}}}"#;
        let config = Config::from_str(text, crate::load::Format::Json).unwrap();
        let d = validate(&config);
        assert_eq!(d[0].kind(), DiagnosticKind::Unused);
        assert_eq!(d[0].message(), "handler `spare` is not used by any logger");
    }

    #[cfg(not(feature = "http"))]
    #[test]
    fn a_handler_kind_left_out_of_the_build_is_a_missing_feature() {
        let text = r#"{"version": 1,
            "handlers": {"h": {"type": "http", "url": "http://127.0.0.1:9/"}},
            "root": {"handlers": ["h"]}}"#;
        let config = Config::from_str(text, crate::load::Format::Json).unwrap();
        let err = build(&config, check(&config), &Registry::default(), None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FeatureDisabled, "{err}");
        assert_eq!(err.diagnostics()[0].kind(), DiagnosticKind::MissingFeature);
        assert!(
            err.to_string().contains("requires the `http` feature"),
            "{err}"
        );
    }
}
