//! Integration tests: one binary, one module per area.

// reason: helpers outside `#[test]` functions fail the test loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bounds;
mod capture;
#[cfg(feature = "cli")]
mod cli;
mod code_config;
mod dispatch;
mod env_filter;
mod files;
mod fixtures;
mod injection;
mod network;
mod outputs;
mod python_compat;
mod python_oracle;
mod python_real;
mod readme;
mod reload;
mod schema;
mod secrets;
mod secure;
mod timestamps;
#[cfg(feature = "tracing")]
mod tracing;
mod worker;
