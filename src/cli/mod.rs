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
//! - `logfig ctl [--url URL | --socket PATH] [--token-env VAR] [--json]
//!   loggers | get NAME | set NAME LEVEL [--for 15m] | reset NAME | status |
//!   reload`: talks to a running process's control endpoint; exit status 0,
//!   1 when the endpoint refused, 2 when it cannot be reached.
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

mod check;
mod ctl;
mod explain;
mod fmt;
mod yaml_out;

use check::check;
use explain::explain;
use fmt::fmt;

use crate::config::Config;
use crate::error::ErrorKind;

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
    /// Talk to a running process's control endpoint: loggers, get, set, reset, status, reload.
    #[command(after_help = "Examples:
  logfig ctl --socket /run/myapp/logfig.sock loggers
  logfig ctl --url http://127.0.0.1:9020 --token-env LOGFIG_CONTROL_TOKEN set myapp::db DEBUG --for 15m")]
    Ctl(ctl::CtlArgs),
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

impl FmtFormat {
    fn format(self) -> crate::load::Format {
        match self {
            FmtFormat::Yaml => crate::load::Format::Yaml,
            FmtFormat::Toml => crate::load::Format::Toml,
            FmtFormat::Json => crate::load::Format::Json,
        }
    }
}

/// The completion script of `shell`, from the same clap definition as the
/// parser, so it cannot miss a subcommand or an option.
fn completions(shell: clap_complete::Shell) -> String {
    use clap::CommandFactory as _;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "logfig", &mut out);
    String::from_utf8_lossy(&out).into_owned()
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
            if files.iter().filter(|f| check::is_stdin(f)).count() > 1 {
                let _ = writeln!(err, "error: `-` (standard input) can be checked only once");
                return ExitCode::from(2);
            }
            let format_in = format_in.map(FmtFormat::format);
            let (text, status) = check(&files, format_in, format, warnings_as_errors);
            (text, String::new(), status)
        }
        Command::Completions { shell } => (completions(shell), String::new(), 0),
        Command::Schema => {
            let text =
                serde_json::to_string_pretty(&crate::schema::schema()).unwrap_or_default() + "\n";
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
        Command::Ctl(args) => ctl::run(&args),
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

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Loads a config for `explain` and `fmt`: (message, exit status) on failure.
fn load(file: &Path) -> Result<Config, (String, u8)> {
    Config::from_path(file).map_err(|e| {
        let status = if e.kind() == ErrorKind::Io { 2 } else { 1 };
        (e.full_message(), status)
    })
}

// ---- explain -------------------------------------------------------------
