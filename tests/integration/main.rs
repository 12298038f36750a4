//! Integration tests: one binary, one module per area.

// reason: helpers outside `#[test]` functions fail the test loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bounds;
#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "cli")]
mod cli_input;
mod dispatch;
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
#[cfg(feature = "tracing")]
mod tracing;
mod worker;
