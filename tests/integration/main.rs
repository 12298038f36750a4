//! Integration tests: one binary, laid out like `src/`: one folder per layer
//! (`handlers/`, `load/`, `formatters/`, `reload/`), one module per area.

// reason: helpers outside `#[test]` functions fail the test loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// The suite is built with every feature (`cargo test --all-features`, the
/// README's test command, as CI runs it): its configs use TOML, regex filters,
/// gzip, the network outputs. Built with fewer, it is left out whole, and one
/// test says so loudly, as a test whose server is missing does. The features
/// are named once, as the first argument.
macro_rules! with_every_feature {
    ($features:meta; $($item:item)*) => {
        $(
            #[cfg($features)]
            $item
        )*

        #[cfg(not($features))]
        #[test]
        fn the_suite_needs_every_feature() {
            // To stderr itself, past the harness's capture, as `network::skipped`.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                b"\n*** SKIPPED: the integration suite needs every feature: run \
                  `cargo test --all-features` (the README's test command) ***\n\n",
            );
        }
    };
}

with_every_feature! {
all(
    feature = "yaml",
    feature = "toml",
    feature = "schema",
    feature = "regex",
    feature = "gzip",
    feature = "http",
    feature = "smtp",
    feature = "tls"
);
mod capture;
#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "cli")]
mod cli_input;
#[cfg(feature = "control")]
mod control;
mod dispatch;
mod env_filter;
mod guide;
mod readme;
#[cfg(feature = "tracing")]
mod tracing;

/// Outputs: files, the network, TLS and RELP, the worker, hostile record text.
mod handlers {
    pub(crate) mod files;
    pub(crate) mod injection;
    #[cfg(all(target_os = "linux", feature = "journald"))]
    pub(crate) mod journald;
    pub(crate) mod network;
    #[cfg(feature = "otlp")]
    pub(crate) mod otlp;
    pub(crate) mod outputs;
    pub(crate) mod secure;
    /// `emitted` of every kind that runs without an outside server.
    pub(crate) mod stats;
    pub(crate) mod worker;
}

/// Configs: fixtures, bounds, the schema, secrets, CPython's `dictConfig`.
mod load {
    pub(crate) mod bounds;
    /// Configs written in code.
    pub(crate) mod code_config;
    /// Python `dictConfig` files run by CPython and by logfig.
    pub(crate) mod dictconfig_vs_cpython;
    /// `fileConfig` INI files: hot reload and `logfig check`.
    pub(crate) mod fileconfig;
    pub(crate) mod fixtures;
    /// Ports in URLs, hosts and addresses.
    pub(crate) mod ports;
    /// `logfig fmt`, `check` and `explain` on the real Python configs.
    #[cfg(all(feature = "cli", feature = "yaml", feature = "toml"))]
    pub(crate) mod python_cli;
    /// Real projects' logging configs run by CPython and by logfig.
    pub(crate) mod real_configs_vs_cpython;
    pub(crate) mod schema;
    /// Instances generated from the schema, property by property, loaded.
    pub(crate) mod schema_instances;
    pub(crate) mod secrets;
    /// logfig's hand-written config output against serde's derive.
    pub(crate) mod written_vs_serde;
}

/// Formatters against their oracle.
mod formatters {
    /// `PatternFormatter` against CPython's `logging.Formatter`.
    pub(crate) mod pattern_vs_cpython;
    /// Timestamps: sub-seconds, UTC, datefmt warnings.
    pub(crate) mod timestamps;
}

/// Hot reload.
mod reload {
    pub(crate) mod edits;
}

// Helpers the areas share, under the short names they use.
use handlers::{network, secure};
#[cfg(feature = "cli")]
use load::secrets;
}
