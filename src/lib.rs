//! Logging as configuration.
//!
//! logfig builds a whole logging setup — loggers, filters, handlers, formatters —
//! from a `logging.yaml` (or `.toml`, `.json`) shaped like Python's
//! `logging.config.dictConfig`, installs it as the backend of the [`log`](mod@log) facade,
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
//! - `toml` (default): TOML configs.
//! - `schema` (default): [`schema()`], the JSON Schema of the config.
//! - `cli`: the `logfig` command-line tool.
//! - `tracing`: [`TracingLayer`], which routes `tracing` events through the
//!   same graph; `init_*` then also install a global `tracing` subscriber.
//! - `http`: the `http` handler (`HttpHandler`), which POSTs batches of
//!   records with `ureq` and rustls.
//! - `smtp`: the `smtp` handler (`SmtpHandler`), which e-mails records with
//!   `lettre` and rustls.
//! - `control`: the control endpoint (`control:` in the config, or the
//!   `LOGFIG_CONTROL` environment variable): levels of the running process
//!   changed over HTTP, in the shape of Spring Boot's actuator `/loggers`,
//!   with a page at `/` and `logfig ctl`; see [`Handle::control_address`].
//! - `otlp`: the `otlp` handler (`OtlpHandler`), which exports OpenTelemetry
//!   log records over OTLP/HTTP with `ureq` and rustls.
//!
//! The `journald` handler (`JournaldHandler`) needs no feature; it exists on
//! Linux only.
//!
//! # Supported Rust versions
//!
//! logfig is built and tested with Rust 1.95; the minimum supported version is
//! 1.95 and moves only with a minor release.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod catch;
#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub mod cli;
pub mod config;
#[cfg(feature = "control")]
mod control;
mod entry;
mod error;
mod filters;
mod formatters;
mod graph;
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

pub use config::{Config, EnvFilter};
pub use entry::Entry;
pub use error::{Diagnostic, DiagnosticKind, Error, ErrorKind, Severity};
#[cfg(feature = "regex")]
pub use filters::RegexFilter;
pub use filters::{DedupFilter, Filter, RateLimitFilter, TargetFilter, ThresholdFilter};
pub use formatters::{Formatter, JsonFormatter, PatternFormatter};
pub use graph::{HandlerFactory, Registry};
pub use handle::Handle;
pub use handlers::ArchivePattern;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use handlers::HttpHandler;
#[cfg(target_os = "linux")]
#[cfg_attr(docsrs, doc(cfg(target_os = "linux")))]
pub use handlers::JournaldHandler;
#[cfg(feature = "otlp")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
pub use handlers::OtlpHandler;
#[cfg(feature = "smtp")]
#[cfg_attr(docsrs, doc(cfg(feature = "smtp")))]
pub use handlers::SmtpHandler;
pub use handlers::{
    CaptureHandler, Clock, ConsoleHandler, FileHandler, Handler, HandlerStats, MemoryHandler,
    NullHandler, QueueHandler, RotatingFileHandler, SystemClock, WatchedFileHandler,
};
pub use handlers::{SyslogHandler, TcpHandler, UdpHandler};
pub use init::{Builder, init, init_file, init_str};
#[cfg(feature = "tracing")]
#[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
pub use layer::TracingLayer;
pub use load::{ConfigBuilder, Format};
#[doc(hidden)]
pub use macros::__private;
pub use reload::ReloadStatus;
pub use runtime::{Dispatcher, ErrorHook};
#[cfg(feature = "schema")]
#[cfg_attr(docsrs, doc(cfg(feature = "schema")))]
pub use schema::schema;
pub use span::SpanRecord;

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
