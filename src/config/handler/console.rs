//! The `console` handler: which stream, and colour.

use super::CommonHandlerConfig;

/// Which standard stream a console handler writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error (the default, as Python's StreamHandler).
    #[default]
    Stderr,
    /// No stream: a Python config's `stream:` given as a plain string
    /// (`stream: sys.stdout`, not `ext://sys.stdout`). CPython's
    /// StreamHandler then holds a `str` and fails every record with
    /// `AttributeError: 'str' object has no attribute 'write'`; logfig does
    /// the same on the Python path (CPython's `--- Logging error ---` report
    /// on stderr, the record dropped), and the load warns. logfig's own
    /// spelling (`type: console`) never makes it.
    #[cfg_attr(feature = "serde", serde(skip))]
    #[cfg_attr(feature = "schema", schemars(skip))]
    PythonString,
}

/// When a console handler colours its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ColorMode {
    /// On a terminal, unless `NO_COLOR` is set; always when `CLICOLOR_FORCE` is set.
    #[default]
    Auto,
    /// Always, even into a pipe.
    Always,
    /// Never.
    Never,
}

/// `type: console`: writes each record to stdout or stderr.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct ConsoleHandlerConfig {
    /// `stdout` or `stderr`. Default: `stderr`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub stream: Stream,
    /// `auto`, `always` or `never`: colour each line by level. Default: `auto`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub color: ColorMode,
    /// Write through Rust's `print!`/`eprint!`, which `cargo test` captures:
    /// a passing test's lines stay out of the test report, a failing test's
    /// are shown with it. For tests; `auto` colour is off. Default: false.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "std::ops::Not::not")
    )]
    pub capture: bool,
    /// Level, formatter and filters.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub common: CommonHandlerConfig,
}
