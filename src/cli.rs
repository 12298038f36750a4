//! The `logfig` command-line tool (feature `cli`).
//!
//! - `logfig check FILE...`: loads each file as the library does and prints
//!   every problem (file:line:col, config path, message, the source line and a
//!   caret), warnings too. Exit status 0 when every file is valid, 1 when one is
//!   invalid, 2 when one cannot be read. `--format json` prints one JSON
//!   document instead; `--warnings-as-errors` makes warnings fail the check.
//!   `-` reads standard input (at most the loader's 2 MiB), in the format
//!   `--format-in` names or, without it, the one its text looks like: `{` first
//!   is JSON, a `key = value` or `[table]` line first is TOML, anything else
//!   YAML. `--format-in` also overrides the file names' extensions.
//! - `logfig schema`: prints the JSON Schema of the config file.
//! - `logfig explain FILE TARGET [LEVEL]`: shows the way a record at `TARGET`
//!   (and `LEVEL`) takes through the config: its logger, the effective level and
//!   where it comes from, the logger's filters, each handler reached and through
//!   which logger, each level and filter verdict that does not depend on the
//!   message, and the formatter.
//! - `logfig fmt FILE --to yaml|toml|json`: writes the config in another
//!   format, with the same meaning. `${VAR}` references are expanded by the
//!   loader, so the output holds their values at the time of the conversion.
//!   Secrets are written as `***` (a note on stderr says how many) unless
//!   `--show-secrets` is given.
//! - `logfig completions bash|zsh|fish|elvish|powershell`: prints the shell
//!   completion script (see the README for where each shell reads it).
//!
//! Output goes to stdout (the diagnostics of `check` are its output); usage
//! errors and failures of the other commands go to stderr. Config values are
//! printed as loaded, except secrets (passwords, header values, the user
//! information and token-like parameters of URLs, secret-named options of
//! custom handlers): `***` everywhere but in `fmt --show-secrets`.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::build::route::{LevelSource, Loggers};
use crate::config::{FilterConfig, FormatterConfig, HandlerConfig, Level};
use crate::formatters::level_name;
use crate::{Config, Diagnostic, Entry, ErrorKind, Format, Severity};

/// Check, explain and convert logfig config files.
#[derive(Debug, Parser)]
#[command(name = "logfig", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check config files: print every problem; exit 0 valid, 1 invalid, 2 unreadable.
    #[command(after_help = "Examples:
  logfig check logging.yaml
  logfig check --warnings-as-errors --format json config/*.yaml
  kubectl get configmap app -o jsonpath='{.data.logging\\.yaml}' | logfig check -")]
    Check {
        /// Config files (.yaml, .yml, .toml, .json); `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The format of the inputs. Default: the file's extension; for `-`,
        /// the one its text looks like.
        #[arg(long, value_enum, value_name = "FORMAT")]
        format_in: Option<FmtFormat>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        warnings_as_errors: bool,
    },
    /// Print the JSON Schema of the config file.
    #[command(after_help = "Example:
  logfig schema > logging.schema.json")]
    Schema,
    /// Show the way a record at TARGET (and LEVEL) takes through the config.
    #[command(after_help = "Examples:
  logfig explain logging.yaml myapp::db
  logfig explain logging.yaml hyper::client DEBUG")]
    Explain {
        /// The config file.
        file: PathBuf,
        /// The record's target (logger name), such as `myapp::db`.
        target: String,
        /// The record's level: TRACE, DEBUG, INFO, WARNING, ERROR (or a Python number).
        level: Option<String>,
    },
    /// Convert a config to another format (`${VAR}` are written expanded; secrets as `***`).
    #[command(after_help = "Examples:
  logfig fmt logging.yaml --to toml > logging.toml
  logfig fmt logging.json --to yaml")]
    Fmt {
        /// The config file.
        file: PathBuf,
        /// The format to write.
        #[arg(long, value_enum)]
        to: FmtFormat,
        /// Write passwords, header values and URL credentials as they are,
        /// instead of `***`.
        #[arg(long)]
        show_secrets: bool,
    },
    /// Print a shell completion script.
    #[command(after_help = "Examples:
  logfig completions bash > ~/.local/share/bash-completion/completions/logfig
  logfig completions zsh > ~/.zfunc/_logfig
  logfig completions fish > ~/.config/fish/completions/logfig.fish")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FmtFormat {
    Yaml,
    Toml,
    Json,
}

/// Runs the `logfig` tool with the process's arguments, on stdout and stderr.
///
/// This is all `src/bin/logfig.rs` does; [`run`] is the same with explicit
/// arguments and outputs.
///
/// # Examples
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     logfig::cli::main()
/// }
/// ```
pub fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run(std::env::args_os(), &mut stdout.lock(), &mut stderr.lock())
}

/// Runs the `logfig` tool with `args` (the first is the program name),
/// writing its output to `out` and its errors to `err`.
///
/// Returns the exit status: 0 on success; for `check`, 1 when a file is
/// invalid and 2 when one cannot be read; 2 for a usage error.
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("logging.yaml");
/// std::fs::write(&path, "version: 1\nroot: { level: INFO }\n")?;
///
/// let (mut out, mut err) = (Vec::new(), Vec::new());
/// let status = logfig::cli::run(
///     ["logfig".as_ref(), "check".as_ref(), path.as_os_str()],
///     &mut out,
///     &mut err,
/// );
/// assert_eq!(status, std::process::ExitCode::SUCCESS);
/// assert!(String::from_utf8(out)?.ends_with(": ok\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let mut text = e.render().to_string();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            return if e.use_stderr() {
                let _ = err.write_all(text.as_bytes());
                ExitCode::from(2)
            } else {
                let _ = out.write_all(text.as_bytes());
                ExitCode::SUCCESS
            };
        }
    };
    let (text, errors, status) = match cli.command {
        Command::Check {
            files,
            format_in,
            format,
            warnings_as_errors,
        } => {
            if files.iter().filter(|f| is_stdin(f)).count() > 1 {
                let _ = writeln!(err, "error: `-` (standard input) can be checked only once");
                return ExitCode::from(2);
            }
            let format_in = format_in.map(FmtFormat::format);
            let (text, status) = check(&files, format_in, format, warnings_as_errors);
            (text, String::new(), status)
        }
        Command::Completions { shell } => (completions(shell), String::new(), 0),
        Command::Schema => {
            let text = serde_json::to_string_pretty(&crate::schema()).unwrap_or_default() + "\n";
            (text, String::new(), 0)
        }
        Command::Explain {
            file,
            target,
            level,
        } => match explain(&file, &target, level.as_deref()) {
            Ok(text) => (text, String::new(), 0),
            Err((message, status)) => (String::new(), message, status),
        },
        Command::Fmt {
            file,
            to,
            show_secrets,
        } => match fmt(&file, to, show_secrets) {
            Ok((text, note)) => (text, note, 0),
            Err((message, status)) => (String::new(), message, status),
        },
    };
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    if !errors.is_empty() {
        let _ = err.write_all(errors.as_bytes());
        let _ = err.write_all(b"\n");
    }
    ExitCode::from(status)
}

// ---- check ---------------------------------------------------------------

/// What checking one file found.
struct Checked {
    file: PathBuf,
    /// 0 valid, 1 invalid, 2 unreadable.
    status: u8,
    diagnostics: Vec<Diagnostic>,
    /// Why the file could not be read or loaded, when no diagnostic says it.
    message: Option<String>,
}

fn check_file(path: &Path, format_in: Option<Format>, warnings_as_errors: bool) -> Checked {
    let (status, diagnostics, message) = match load_input(path, format_in) {
        Ok(config) => match config.validate() {
            Ok(warnings) => {
                let status = u8::from(warnings_as_errors && !warnings.is_empty());
                (status, warnings, None)
            }
            Err(e) => (1, e.diagnostics().to_vec(), None),
        },
        Err(e) if e.kind() == ErrorKind::Io => (2, Vec::new(), Some(e.full_message())),
        Err(e) if e.diagnostics().is_empty() => (1, Vec::new(), Some(e.full_message())),
        Err(e) => (1, e.diagnostics().to_vec(), None),
    };
    Checked {
        file: if is_stdin(path) {
            PathBuf::from(STDIN_NAME)
        } else {
            path.to_path_buf()
        },
        status,
        diagnostics,
        message,
    }
}

fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity() == severity)
        .count()
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn check(
    files: &[PathBuf],
    format_in: Option<Format>,
    format: OutputFormat,
    warnings_as_errors: bool,
) -> (String, u8) {
    let results: Vec<Checked> = files
        .iter()
        .map(|f| check_file(f, format_in, warnings_as_errors))
        .collect();
    let status = results.iter().map(|r| r.status).max().unwrap_or(0);
    let text = match format {
        OutputFormat::Text => check_text(&results, warnings_as_errors),
        OutputFormat::Json => check_json(&results, status),
    };
    (text, status)
}

fn check_text(results: &[Checked], warnings_as_errors: bool) -> String {
    let mut s = String::new();
    for r in results {
        let file = r.file.display();
        for d in &r.diagnostics {
            s.push_str(&format!("{d}\n\n"));
        }
        let errors = count(&r.diagnostics, Severity::Error);
        let warnings = count(&r.diagnostics, Severity::Warning);
        let summary = match (r.status, &r.message) {
            (2, Some(m)) => format!("{file}: cannot read: {m}"),
            (_, Some(m)) => format!("{file}: invalid: {m}"),
            (0, None) if warnings == 0 => format!("{file}: ok"),
            (0, None) => format!("{file}: ok, {}", plural(warnings, "warning")),
            (_, None) if errors == 0 && warnings_as_errors => format!(
                "{file}: invalid: {} (--warnings-as-errors)",
                plural(warnings, "warning")
            ),
            (_, None) if warnings == 0 => format!("{file}: invalid: {}", plural(errors, "error")),
            (_, None) => format!(
                "{file}: invalid: {}, {}",
                plural(errors, "error"),
                plural(warnings, "warning")
            ),
        };
        s.push_str(&summary);
        s.push('\n');
    }
    s
}

fn check_json(results: &[Checked], status: u8) -> String {
    let files: Vec<Value> = results
        .iter()
        .map(|r| {
            let file = r.file.display().to_string();
            let mut diagnostics: Vec<Value> = r
                .diagnostics
                .iter()
                .map(|d| {
                    json!({
                        "severity": match d.severity() {
                            Severity::Error => "error",
                            Severity::Warning => "warning",
                        },
                        "file": d.file().map_or_else(|| file.clone(), |f| f.display().to_string()),
                        "line": d.line(),
                        "column": d.column(),
                        "path": d.path(),
                        "message": d.message(),
                    })
                })
                .collect();
            if let Some(m) = &r.message {
                diagnostics.push(json!({
                    "severity": "error",
                    "file": file,
                    "line": 0,
                    "column": 0,
                    "path": "",
                    "message": m,
                }));
            }
            let status = match r.status {
                0 => "ok",
                1 => "invalid",
                _ => "unreadable",
            };
            json!({
                "file": file,
                "status": status,
                "errors": count(&r.diagnostics, Severity::Error) + usize::from(r.message.is_some()),
                "warnings": count(&r.diagnostics, Severity::Warning),
                "diagnostics": diagnostics,
            })
        })
        .collect();
    let doc = json!({ "valid": status == 0, "files": files });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// Loads a config for `explain` and `fmt`: (message, exit status) on failure.
fn load(file: &Path) -> Result<Config, (String, u8)> {
    Config::from_path(file).map_err(|e| {
        let status = if e.kind() == ErrorKind::Io { 2 } else { 1 };
        (e.full_message(), status)
    })
}

// ---- explain -------------------------------------------------------------

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
        HandlerConfig::Custom(c) if c.options.is_null() => format!("factory `{}`", c.factory),
        HandlerConfig::Custom(c) => format!("factory `{}`, options {:?}", c.factory, c.options),
    }
}

fn logger_label(name: Option<&str>) -> String {
    name.map_or_else(|| "root".to_owned(), |n| format!("`{n}`"))
}

fn explain(file: &Path, target: &str, level: Option<&str>) -> Result<String, (String, u8)> {
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
    let config = load(file)?;
    let loggers = Loggers::new(&config);
    let (logger, exact) = loggers.lookup(target);
    let route = match logger {
        Some(name) => loggers.route(name),
        None => loggers.root(),
    };
    let mut s = String::new();
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
    let source = match route.level_source {
        LevelSource::Own => format!("set on {label}"),
        LevelSource::Ancestor(a) => format!("inherited from `{a}`"),
        LevelSource::Root if logger.is_none() => "set on root".to_owned(),
        LevelSource::Root => "inherited from root".to_owned(),
        LevelSource::Default => "the root's default; no logger sets one".to_owned(),
    };
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

/// Escapes `${` as `$${` in every string, so the loader reads the text back
/// as written (the loaded config holds expanded values and literal `${`),
/// except in `$`-style formats, which the loader never expands.
fn escape_env(v: &mut Value, path: &[&str]) {
    match v {
        Value::String(s) => *s = s.replace("${", "$${"),
        Value::Array(items) => items.iter_mut().for_each(|i| escape_env(i, path)),
        Value::Object(map) => {
            let dollar_format = path.len() == 2
                && path[0] == "formatters"
                && map.get("style").is_some_and(|s| s == "$");
            for (k, child) in map.iter_mut() {
                if dollar_format && k == "format" {
                    continue;
                }
                let mut p = path.to_vec();
                p.push(k);
                escape_env(child, &p);
            }
        }
        _ => {}
    }
}

/// The converted text, and a note for stderr when secrets were written as
/// `***`.
fn fmt(file: &Path, to: FmtFormat, show_secrets: bool) -> Result<(String, String), (String, u8)> {
    let config = load(file)?;
    let (value, masked) =
        crate::config::serializing(show_secrets, || serde_json::to_value(&config));
    let mut value = value.map_err(|e| (e.to_string(), 1))?;
    if config.incremental {
        // The levels of an incremental config's handlers live apart.
        let levels: serde_json::Map<String, Value> = config
            .handler_levels
            .iter()
            .map(|(name, level)| {
                let body = match level {
                    Some(l) => json!({ "level": l.as_str() }),
                    None => json!({}),
                };
                (name.clone(), body)
            })
            .collect();
        value["handlers"] = Value::Object(levels);
    }
    escape_env(&mut value, &[]);
    let text = match to {
        FmtFormat::Json => serde_json::to_string_pretty(&value).map_err(|e| (e.to_string(), 1))?,
        #[cfg(feature = "yaml")]
        FmtFormat::Yaml => serde_saphyr::to_string(&value).map_err(|e| (e.to_string(), 1))?,
        #[cfg(feature = "toml")]
        FmtFormat::Toml => toml::to_string_pretty(&value).map_err(|e| (e.to_string(), 1))?,
        #[allow(unreachable_patterns)] // reason: reachable only with a format feature off
        other => {
            let name = format!("{other:?}").to_ascii_lowercase();
            return Err((
                format!("writing {name} needs the `{name}` feature of logfig"),
                2,
            ));
        }
    };
    let text = if text.ends_with('\n') {
        text
    } else {
        text + "\n"
    };
    let note = if masked > 0 {
        format!(
            "note: {} written as `***`; pass --show-secrets to write them",
            if masked == 1 {
                "1 secret is".to_owned()
            } else {
                format!("{masked} secrets are")
            }
        )
    } else {
        String::new()
    };
    Ok((text, note))
}

// ---- standard input ------------------------------------------------------

/// How `check` names standard input in its output.
const STDIN_NAME: &str = "<stdin>";

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

impl FmtFormat {
    fn format(self) -> Format {
        match self {
            FmtFormat::Yaml => Format::Yaml,
            FmtFormat::Toml => Format::Toml,
            FmtFormat::Json => Format::Json,
        }
    }
}

/// Loads one input of `check`: standard input for `-`, else the file; in
/// `format` when given, else by the file's extension or, for standard input,
/// by [`sniff`].
fn load_input(path: &Path, format: Option<Format>) -> Result<Config, crate::Error> {
    if !is_stdin(path) {
        return match format {
            None => Config::from_path(path),
            Some(format) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    crate::Error::io(format!("reading config file `{}`", path.display()), e)
                })?;
                crate::load::load_str(&text, format, Some(path))
            }
        };
    }
    let text = read_stdin()?;
    let format = format.unwrap_or_else(|| sniff(&text));
    crate::load::load_str(&text, format, Some(Path::new(STDIN_NAME)))
}

/// Reads standard input, at most one byte past the loader's size bound: a
/// longer input is refused by the loader, with its message, without first
/// being read whole.
fn read_stdin() -> Result<String, crate::Error> {
    use std::io::Read as _;
    let limit = crate::load::budget::MAX_TEXT as u64 + 1;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| crate::Error::io("reading standard input", e))?;
    if bytes.len() as u64 == limit {
        // Cut anywhere, maybe inside a character: only its length matters now.
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    String::from_utf8(bytes).map_err(|e| {
        crate::Error::io(
            "reading standard input",
            std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
        )
    })
}

/// The format config text looks like, from its first line that is not blank
/// or a `#` comment: `{` starts JSON; a `[table]` header or `key = value` is
/// TOML; anything else (`key: value`, `---`) is YAML.
fn sniff(text: &str) -> Format {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(line) = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
    else {
        return Format::Yaml;
    };
    if line.starts_with('{') {
        return Format::Json;
    }
    let table = line.starts_with('[') && line.trim_end_matches(|c: char| c != ']').ends_with(']');
    let key = line
        .split_once('=')
        .is_some_and(|(k, _)| !k.trim().is_empty() && !k.contains(':'));
    if table || key {
        Format::Toml
    } else {
        Format::Yaml
    }
}

// ---- completions ---------------------------------------------------------

fn completions(shell: clap_complete::Shell) -> String {
    use clap::CommandFactory as _;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "logfig", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}
