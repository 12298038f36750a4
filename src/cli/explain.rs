//! `logfig explain FILE TARGET [LEVEL]`: the way a record takes through a
//! config.

use std::path::Path;

use super::load;
use crate::config::Config;
use crate::config::{FilterConfig, FormatterConfig, HandlerConfig, Level};
use crate::entry::Entry;
use crate::formatters::level_name;
use crate::graph::route::{LevelSource, Loggers};

/// "records at INFO and above pass", for a threshold.
fn threshold(filter: log::LevelFilter) -> String {
    match filter.to_level() {
        Some(l) => format!("records at {} and above pass", level_name(l)),
        None => "no record passes".to_owned(),
    }
}

/// A filter's verdict on a record, when it can be told without the message.
enum Verdict {
    Passes,
    Drops,
    Depends(&'static str),
}

fn filter_verdict(config: &FilterConfig, target: &str, level: Option<log::Level>) -> Verdict {
    let decide = |level: log::Level| match crate::filters::build(config) {
        Ok(filter) => {
            let passes = filter.matches(&Entry::new(
                &log::Record::builder()
                    .target(target)
                    .level(level)
                    .args(format_args!(""))
                    .build(),
            ));
            if passes {
                Verdict::Passes
            } else {
                Verdict::Drops
            }
        }
        Err(_) => Verdict::Depends("does not compile"),
    };
    match config {
        FilterConfig::Level(_) => match level {
            Some(l) => decide(l),
            None => Verdict::Depends("depends on the level"),
        },
        // A name filter looks at the target only.
        FilterConfig::Name(_) => decide(level.unwrap_or(log::Level::Error)),
        FilterConfig::Regex(_) => Verdict::Depends("depends on the message"),
        #[allow(unreachable_patterns)] // reason: `FilterConfig` is non_exhaustive
        _ => Verdict::Depends("depends on the record"),
    }
}

fn describe_filter(config: &FilterConfig) -> String {
    let bound = |l: Option<Level>| l.map_or("any".to_owned(), |l| l.as_str().to_owned());
    match config {
        FilterConfig::Level(c) => format!("level {} to {}", bound(c.min), bound(c.max)),
        FilterConfig::Name(c) => format!("name `{}`", c.name),
        FilterConfig::Regex(c) => format!(
            "regex `{}`, {}",
            c.pattern,
            match c.action {
                crate::config::FilterAction::Deny => "deny",
                _ => "allow",
            }
        ),
        #[allow(unreachable_patterns)] // reason: `FilterConfig` is non_exhaustive
        _ => "filter".to_owned(),
    }
}

/// Writes one line per filter; returns false when one drops the record, and
/// collects the filters whose verdict depends on the message.
fn explain_filters(
    s: &mut String,
    indent: &str,
    config: &Config,
    names: &[String],
    target: &str,
    level: Option<log::Level>,
    depends: &mut Vec<String>,
) -> bool {
    for name in names {
        let Some(f) = config.filters.get(name) else {
            continue;
        };
        let verdict = filter_verdict(f, target, level);
        let text = match &verdict {
            Verdict::Passes => "passes".to_owned(),
            Verdict::Drops => "drops the record".to_owned(),
            Verdict::Depends(why) => (*why).to_owned(),
        };
        s.push_str(&format!(
            "{indent}filter `{name}` ({}): {text}\n",
            describe_filter(f)
        ));
        match verdict {
            Verdict::Drops => return false,
            Verdict::Depends(_) => depends.push(name.clone()),
            Verdict::Passes => {}
        }
    }
    true
}

/// Where a handler writes, in a few words. Secrets show as `***`: the
/// `Display` of their types (`Secret`, `SecretUrl`, `CustomOptions`) says so.
fn output(handler: &HandlerConfig) -> String {
    use crate::config::{Stream, SyslogTransport};
    let names = |list: &[String]| {
        list.iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match handler {
        HandlerConfig::Console(c) => match c.stream {
            Stream::Stdout => "stdout".to_owned(),
            Stream::PythonString => "nowhere: `stream:` is a plain string, not a stream, so each record fails with CPython's `--- Logging error ---` report on stderr".to_owned(),
            _ => "stderr".to_owned(),
        },
        HandlerConfig::File(c) => c.path.display().to_string(),
        HandlerConfig::RotatingFile(c) => c.path.display().to_string(),
        HandlerConfig::WatchedFile(c) => c.path.display().to_string(),
        HandlerConfig::Queue(c) => format!("a queue to {}", names(&c.handlers)),
        HandlerConfig::Memory(c) => format!("a buffer for `{}`", c.target),
        HandlerConfig::Null(_) => "nowhere (discards records)".to_owned(),
        HandlerConfig::Tcp(c) => {
            let tls = if c.tls.is_some() { " (TLS)" } else { "" };
            format!("tcp {}:{}{tls}", c.host, c.port)
        }
        HandlerConfig::Udp(c) => format!("udp {}:{}", c.host, c.port),
        HandlerConfig::Syslog(c) => match c.transport {
            SyslogTransport::Unix => format!("syslog at {}", c.path.display()),
            other => {
                let transport = format!("{other:?}").to_ascii_lowercase();
                format!("syslog over {transport} to {}:{}", c.host, c.port)
            }
        },
        HandlerConfig::Http(c) => {
            let mut out = format!("POST {}", c.url);
            for (name, value) in &c.headers {
                out.push_str(&format!(", header {name}: {value}"));
            }
            if let Some(creds) = &c.credentials {
                out.push_str(&format!(
                    ", basic auth `{}`:{}",
                    creds.username, creds.password
                ));
            }
            out
        }
        HandlerConfig::Smtp(c) => {
            let mut out = format!(
                "mail from {} to {} via {}:{}",
                c.from,
                c.to.join(", "),
                c.host,
                c.port
            );
            if let Some(creds) = &c.credentials {
                out.push_str(&format!(", login `{}`:{}", creds.username, creds.password));
            }
            out
        }
        HandlerConfig::Otlp(c) => {
            let mut out = match &c.endpoint {
                Some(url) => format!("OTLP to {url}"),
                None => "OTLP to the endpoint of OTEL_EXPORTER_OTLP_* (default http://localhost:4318/v1/logs)".to_owned(),
            };
            for (name, value) in &c.headers {
                out.push_str(&format!(", header {name}: {value}"));
            }
            out
        }
        HandlerConfig::Journald(c) => format!("the systemd journal at {}", c.path.display()),
        HandlerConfig::Custom(c) if c.options.is_null() => format!("factory `{}`", c.factory),
        HandlerConfig::Custom(c) => format!("factory `{}`, options {:?}", c.factory, c.options),
    }
}

fn logger_label(name: Option<&str>) -> String {
    name.map_or_else(|| "root".to_owned(), |n| format!("`{n}`"))
}

pub(super) fn explain(
    file: &Path,
    target: &str,
    level: Option<&str>,
) -> Result<String, (String, u8)> {
    let level = match level {
        None => None,
        Some(text) => {
            let parsed: Level = text.parse().map_err(|e| (e, 2))?;
            match parsed.to_level_filter().and_then(|f| f.to_level()) {
                Some(l) => Some(l),
                None => {
                    return Err((
                        format!(
                            "`{text}` is not a record level; use TRACE, DEBUG, INFO, WARNING, ERROR or CRITICAL"
                        ),
                        2,
                    ));
                }
            }
        }
    };
    let file_config = load(file)?;
    // `RUST_LOG` of this process, as the application would read it.
    let env = crate::runtime::read_env(&file_config.env_filter);
    let config = match &env {
        Some(env) => crate::runtime::with_env(&file_config, env),
        None => file_config,
    };
    let loggers = Loggers::new(&config);
    let (logger, exact) = loggers.lookup(target);
    let route = match logger {
        Some(name) => loggers.route(name),
        None => loggers.root(),
    };
    let mut s = super::ctl::explain_note(&config);
    match level {
        Some(l) => s.push_str(&format!(
            "record: target `{target}`, level {}\n",
            level_name(l)
        )),
        None => s.push_str(&format!("record: target `{target}`, any level\n")),
    }
    let label = logger_label(logger);
    if exact {
        s.push_str(&format!("logger: {label}\n"));
    } else if logger.is_some() {
        s.push_str(&format!(
            "logger: {label}, the nearest configured ancestor of `{target}`\n"
        ));
    } else {
        s.push_str(&format!(
            "logger: root (no configured logger is `{target}` or one of its ancestors)\n"
        ));
    }
    let by_env = |name: &str| match &env {
        Some(e) if e.level_of(name).is_some() => format!(" by {}", e.var()),
        _ => String::new(),
    };
    let source = match route.level_source {
        LevelSource::Own => format!("set on {label}{}", by_env(logger.unwrap_or("root"))),
        LevelSource::Ancestor(a) => format!("inherited from `{a}`{}", by_env(a)),
        LevelSource::Root if logger.is_none() => format!("set on root{}", by_env("root")),
        LevelSource::Root => format!("inherited from root{}", by_env("root")),
        LevelSource::Default => "the root's default; no logger sets one".to_owned(),
    };
    if let Some(env) = &env {
        s.push_str(&format!("env: {env}\n"));
    }
    let logger_filter = route
        .level
        .to_level_filter()
        .unwrap_or(log::LevelFilter::Warn);
    s.push_str(&format!("  level: {} ({source})\n", route.level));
    match level {
        Some(l) if l <= logger_filter => {
            s.push_str(&format!("  {} passes the logger's level\n", level_name(l)));
        }
        Some(l) => {
            s.push_str(&format!(
                "  {} is below the logger's level: dropped\nresult: not emitted\n",
                level_name(l)
            ));
            return Ok(s);
        }
        None => s.push_str(&format!("  {}\n", threshold(logger_filter))),
    }
    let own_filters: &[String] = match logger {
        Some(name) => &config.loggers[name].filters,
        None => &config.root.filters,
    };
    let mut depends = Vec::new();
    if own_filters.is_empty() {
        s.push_str("  filters: none\n");
    } else if !exact {
        s.push_str(&format!(
            "  filters: not applied (they apply only to records logged at exactly {label})\n"
        ));
    } else if !explain_filters(
        &mut s,
        "  ",
        &config,
        own_filters,
        target,
        level,
        &mut depends,
    ) {
        s.push_str("result: not emitted\n");
        return Ok(s);
    }

    // The chain: each step's handlers, once per step (as the graph builds it).
    let mut chain: Vec<(Option<&str>, &str)> = Vec::new();
    s.push_str("route:\n");
    for (via, names) in &route.steps {
        let mut seen = Vec::new();
        for n in names.iter() {
            if !seen.contains(n) && config.handlers.contains_key(n) {
                seen.push(n.clone());
                chain.push((*via, n.as_str()));
            }
        }
        let listed = if seen.is_empty() {
            "no handlers".to_owned()
        } else {
            seen.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        s.push_str(&format!("  {}: {listed}\n", logger_label(*via)));
    }
    if let Some(stop) = route.stopped_at {
        s.push_str(&format!(
            "  stops at `{stop}` (propagate: false): root and the ancestors above are not reached\n"
        ));
    }
    if chain.is_empty() {
        s.push_str(
            "no handler on the route: Python's last resort writes WARNING and above to stderr, message only\n",
        );
        if let Some(l) = level {
            s.push_str(if l <= log::Level::Warn {
                "result: written to stderr by the last resort\n"
            } else {
                "result: not emitted\n"
            });
        }
        return Ok(s);
    }

    let mut emitted = Vec::new();
    let mut maybe = Vec::new();
    for (via, name) in &chain {
        let Some(h) = config.handlers.get(*name) else {
            continue;
        };
        s.push_str(&format!(
            "handler `{name}` ({}), via {}:\n  output: {}\n",
            h.type_name(),
            logger_label(*via),
            output(h)
        ));
        let common = h.common();
        let handler_level = common
            .level
            .and_then(Level::to_level_filter)
            .unwrap_or(log::LevelFilter::Trace);
        let shown = common.level.unwrap_or(Level::NotSet);
        match level {
            Some(l) if l <= handler_level => {
                s.push_str(&format!("  level {shown}: {} passes\n", level_name(l)));
            }
            Some(l) => {
                s.push_str(&format!(
                    "  level {shown}: {} is below it: dropped\n",
                    level_name(l)
                ));
                continue;
            }
            None => s.push_str(&format!("  level {shown}: {}\n", threshold(handler_level))),
        }
        let mut handler_depends = depends.clone();
        if !explain_filters(
            &mut s,
            "  ",
            &config,
            &common.filters,
            target,
            level,
            &mut handler_depends,
        ) {
            s.push_str("  dropped\n");
            continue;
        }
        match common.formatter.as_deref() {
            Some(f) => {
                let what = match config.formatters.get(f) {
                    Some(FormatterConfig::Pattern(p)) => match &p.format {
                        Some(format) => format!("pattern `{format}`"),
                        None => "pattern, the message alone".to_owned(),
                    },
                    Some(FormatterConfig::Json(_)) => "json".to_owned(),
                    _ => "formatter".to_owned(),
                };
                s.push_str(&format!("  formatter `{f}` ({what})\n"));
            }
            None => s.push_str("  formatter: none set, the message alone\n"),
        }
        if level.is_none() {
            continue;
        }
        if handler_depends.is_empty() {
            s.push_str("  emitted\n");
            emitted.push(*name);
        } else {
            let list = handler_depends
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            s.push_str(&format!("  emitted if the message passes {list}\n"));
            maybe.push(*name);
        }
    }
    if level.is_some() {
        let list = |names: &[&str]| {
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut result = if emitted.is_empty() {
            "result: emitted by no handler".to_owned()
        } else {
            format!("result: emitted by {}", list(&emitted))
        };
        if !maybe.is_empty() {
            result.push_str(&format!("; depending on the message, by {}", list(&maybe)));
        }
        s.push_str(&result);
        s.push('\n');
    }
    Ok(s)
}

// ---- fmt -----------------------------------------------------------------
