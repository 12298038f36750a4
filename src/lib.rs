//! Logging as configuration.
//!
//! logfig builds a whole logging setup — loggers, filters, handlers, formatters —
//! from a `logging.yaml` (or `.toml`, `.json`) shaped like Python's
//! `logging.config.dictConfig`, installs it as the backend of the [`log`](https://docs.rs/log) facade,
//! and applies edits of the file while the program runs.
//!
//! # Quick start
//!
//! ```
//! let config = r#"
//! version: 1
//! formatters:
//!   plain: { format: "%(asctime)s %(levelname)-8s %(name)s: %(message)s" }
//! handlers:
//!   console: { type: console, stream: stderr, formatter: plain }
//! loggers:
//!   myapp::db: { level: DEBUG }
//! root: { level: INFO, handlers: [console] }
//! "#;
//! let handle = logfig::init_str(config, logfig::Format::Yaml)?;
//! log::info!("started");
//! log::debug!(target: "myapp::db::pool", "connection opened");
//! handle.flush();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The pipeline
//!
//! text → **parse** (positions kept) → [`Config`] (plain data, no I/O) →
//! **validate** (every problem at once, with file, line and column) → **build**
//! (opens files; reuses unchanged handlers) → **swap** into the running
//! [`Dispatcher`] → `log::set_max_level`. A config applies whole or changes
//! nothing, at start and on every reload.
//!
//! Logger names are `log` targets; the hierarchy splits on `::` and `.`, so
//! `myapp.db` and `myapp::db` are one logger, the child of `myapp`. Levels,
//! `propagate` and filters follow Python's rules.
//!
//! # The guide
//!
//! The [`guide`] holds the rest: how a config is read and applied, the
//! [config reference](guide::reference) generated from the types, every
//! output, hot reload, coming from Python, validating configs, `tracing`, and
//! performance.
//!
//! # Macros
//!
//! [`error!`], [`warn!`], [`info!`], [`debug!`], [`trace!`] and [`log!`] take
//! what `log`'s macros take and send records through the `log` facade as they
//! do; in addition, each call site caches the installed config's level for
//! its target, so a filtered-out call costs two atomic loads instead of a
//! look-up by target. `log`'s own macros work with logfig too.
//!
//! # Feature flags
//!
//! - `yaml` (default): YAML configs.
//! - `toml`: TOML configs.
//! - `serde`: `serde::Serialize` on the config types ([`Config`] and
//!   `config::*`), for code that writes a config out. logfig's own writing
//!   (`logfig fmt`, the check of [`Config::builder`]) does not need it, so the
//!   default build compiles no proc-macro.
//! - `schema`: [`schema()`], the JSON Schema of the config; brings `serde`.
//! - `cli`: the `logfig` command-line tool.
//! - `tracing`: [`TracingLayer`], which routes `tracing` events through the
//!   same graph; `init_*` then also install a global `tracing` subscriber.
//! - `http`: the `http` handler, which POSTs batches of records with `ureq`
//!   and rustls.
//! - `smtp`: the `smtp` handler, which e-mails records with `lettre` and
//!   rustls.
//! - `tls`: TLS for the `tcp` and `syslog` handlers (rustls).
//! - `control`: the control endpoint (`control:` in the config, or the
//!   `LOGFIG_CONTROL` environment variable): levels of the running process
//!   changed over HTTP, in the shape of Spring Boot's actuator `/loggers`,
//!   with a page at `/` and `logfig ctl`; see [`Handle::control_address`].
//! - `otlp`: the `otlp` handler (`OtlpHandler`), which exports OpenTelemetry
//!   log records over OTLP/HTTP with `ureq` and rustls.
//! - `journald` (Linux): the `journald` handler, the journal's native
//!   protocol (rustix for the memfd and descriptor passing). Off by default,
//!   so that the default build stays within its crate budget.
//!
//! # Supported Rust versions
//!
//! logfig is tested with the current stable Rust; the minimum supported
//! version (`rust-version`) is 1.85, proved in CI by building every feature
//! with a real Rust 1.85 toolchain, and moves only with a minor release.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod catch;
// Public only for `src/bin/logfig.rs`, a separate crate: the tool's
// interface is its command line, not these functions.
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
pub mod config;
#[cfg(feature = "control")]
mod control;
mod entry;
mod error;
mod filters;
mod formatters;
mod graph;
pub mod guide;
mod handle;
mod handlers;
mod init;
#[cfg(feature = "tracing")]
#[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
mod layer;
mod load;
mod macros;
mod reload;
mod runtime;
#[cfg(feature = "schema")]
mod schema;
mod span;
pub mod test;
mod value;

// The public API, shaped like tracing-subscriber's: the entry points
// (`init*`, `Builder`, `Format`), what they return (`Handle`, `Dispatcher`,
// `ReloadStatus`, `TracingLayer`), the model (`Config`, its builder and
// `config::*`; `EnvFilter`, what `RUST_LOG` set), the three traits with what
// implementing and testing one needs (`Entry`, `SpanRecord`, `HandlerStats`,
// the two built-in formatters, `CaptureHandler`, the `test` module), and
// `Error`. Everything else is reached through a config; see CHANGELOG.md for
// what left the root.
pub use config::{Config, EnvFilter};
pub use entry::Entry;
pub use error::{Diagnostic, DiagnosticKind, Error, ErrorKind, Severity};
pub use filters::Filter;
pub use formatters::{Formatter, JsonFormatter, PatternFormatter};
pub use handle::Handle;
pub use handlers::{CaptureHandler, Handler, HandlerStats};
pub use init::{Builder, init, init_file, init_str};
#[cfg(feature = "tracing")]
#[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
pub use layer::TracingLayer;
pub use load::{ConfigBuilder, Format};
#[doc(hidden)]
pub use macros::__private;
pub use reload::ReloadStatus;
pub use runtime::Dispatcher;
#[cfg(feature = "schema")]
#[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
pub use schema::schema;
pub use span::SpanRecord;

/// The built-in components, for logfig's own integration tests, benches, fuzz
/// targets and doc examples: they are separate crates that drive an output, a
/// filter or a clock directly (a real server, a fake clock, a pinned record),
/// where an application reaches them only through a config. Not part of the
/// API: no semver promise, hidden from the docs.
#[doc(hidden)]
pub mod __internal {
    #[cfg(feature = "regex")]
    pub use crate::filters::RegexFilter;
    pub use crate::filters::{DedupFilter, RateLimitFilter, TargetFilter, ThresholdFilter};
    #[cfg(feature = "http")]
    pub use crate::handlers::HttpHandler;
    #[cfg(all(target_os = "linux", feature = "journald"))]
    pub use crate::handlers::JournaldHandler;
    #[cfg(feature = "otlp")]
    pub use crate::handlers::OtlpHandler;
    #[cfg(feature = "smtp")]
    pub use crate::handlers::SmtpHandler;
    pub use crate::handlers::{
        ArchivePattern, Clock, ConsoleHandler, FileHandler, MemoryHandler, NullHandler,
        QueueHandler, RotatingFileHandler, SyslogHandler, SystemClock, TcpHandler, UdpHandler,
        WatchedFileHandler,
    };
    #[cfg(feature = "serde")]
    pub use crate::load::serialized;
    pub use crate::load::written;
}

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
