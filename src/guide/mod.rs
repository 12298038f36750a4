//! The guide: what the README leaves out, where docs.rs shows it.
//!
//! Each page is a module with no items; its text is a Markdown file beside
//! this one, so it reads the same in the repository. Its Rust examples run as
//! doctests, and `tests/integration/readme.rs` keeps the reference tables in
//! step with the config types and loads every YAML example.
//!
//! - [`how_it_works`]: loggers, levels, propagation, errors you can act on,
//!   failures and panics, secrets, logfig's own macros.
//! - [`reference`](mod@reference): every key of the config, generated from the types.
//! - [`limits`]: every bound on a config and on a record, and its error.
//! - [`files`]: rotating, watched and plain files, the queue, memory
//!   handlers, rate limits, shutdown and statistics.
//! - [`network`]: `tcp`, `udp`, `syslog` (RELP, TLS), `http` and `smtp`.
//! - [`reload`]: watching the file, what a reload keeps, runtime control,
//!   changing levels in production and the control endpoint.
//! - [`python`]: coming from Python's `logging.config.dictConfig`.
//! - [`validating`]: `logfig check`, `explain`, `fmt` and the JSON Schema.
//! - [`tracing`](mod@tracing): the `tracing` layer over the same graph.
//! - [`performance`]: figures beside other logging crates, and why.

#[doc = include_str!("how_it_works.md")]
pub mod how_it_works {}

#[doc = include_str!("reference.md")]
pub mod reference {}

#[doc = include_str!("limits.md")]
pub mod limits {}

#[doc = include_str!("files.md")]
pub mod files {}

#[doc = include_str!("network.md")]
pub mod network {}

#[doc = include_str!("reload.md")]
pub mod reload {}

#[doc = include_str!("python.md")]
pub mod python {}

#[doc = include_str!("validating.md")]
pub mod validating {}

#[doc = include_str!("tracing.md")]
pub mod tracing {}

#[doc = include_str!("performance.md")]
pub mod performance {}
