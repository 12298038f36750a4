//! The published JSON Schema: the committed file matches the types, and the
//! schema and the loader agree on every example and fixture.
//!
//! - `schemas/logfig.schema.json` must equal `logfig::schema()` pretty-printed
//!   plus a newline. Regenerate it with
//!   `cargo run --features cli -- schema > schemas/logfig.schema.json` or
//!   `LOGFIG_BLESS=1 cargo test --test integration schema`.
//! - Every `examples/*.yaml` and `tests/fixtures/valid/*` passes the schema and
//!   the loader.
//! - Every shape error in `tests/fixtures/invalid/` fails both. Problems a
//!   schema cannot see (dangling references, `${VAR}` errors, regexes and
//!   format strings that do not compile) are listed in [`LOADER_ONLY`]: those
//!   pass the schema and fail the loader. Syntax errors (`syntax_*`, such as
//!   an unclosed quote or a duplicate key) are loader-only too: a schema
//!   checks an already parsed document.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // reason: test code; bless mode reports on stderr

use std::path::{Path, PathBuf};

use logfig::{Config, Format};
use serde_json::Value;

const SCHEMA_FILE: &str = "schemas/logfig.schema.json";

/// Invalid fixtures whose problem only the loader can see, and why.
const LOADER_ONLY: &[(&str, &str)] = &[
    ("bad_regex", "the regex does not compile"),
    ("dangling_filter", "a reference to an undefined filter"),
    (
        "dangling_filter_none_defined",
        "a reference to an undefined filter",
    ),
    (
        "dangling_formatter",
        "a reference to an undefined formatter",
    ),
    ("dangling_handler", "a reference to an undefined handler"),
    (
        "dangling_handler_no_hint",
        "a reference to an undefined handler",
    ),
    ("env_bad_name", "a `${VAR}` with an invalid name"),
    (
        "queue_cycle",
        "queue and memory handlers that write to each other",
    ),
    (
        "queue_target_missing",
        "a queue naming an undefined handler",
    ),
    ("env_unset", "a `${VAR}` whose variable is not set"),
    ("env_unterminated", "an unterminated `${`"),
    (
        "pattern_unknown_placeholder",
        "an unknown placeholder in a format string",
    ),
    (
        "pattern_unknown_placeholder_brace",
        "an unknown placeholder in a format string",
    ),
];

fn blessing() -> bool {
    std::env::var_os("LOGFIG_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

fn files(dir: &str, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading `{dir}`: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| keep(p))
        .collect();
    out.sort();
    out
}

fn config_files(dir: &str) -> Vec<PathBuf> {
    files(dir, |p| Format::from_path(p).is_some())
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// The document as JSON, read as the loader reads it (before `${VAR}`
/// expansion, as an editor sees it).
fn to_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    match Format::from_path(path) {
        Some(Format::Yaml) => serde_saphyr::from_str::<Value>(&text).map_err(|e| e.to_string()),
        Some(Format::Toml) => toml::from_str::<Value>(&text).map_err(|e| e.to_string()),
        Some(Format::Json) => serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()),
        _ => Err(format!("unknown format: {}", path.display())),
    }
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&logfig::schema()).expect("the schema is a valid JSON Schema")
}

/// The schema's complaints about `instance`, one a line.
fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn committed_schema_is_current() {
    let generated = serde_json::to_string_pretty(&logfig::schema()).unwrap() + "\n";
    if blessing() {
        std::fs::create_dir_all("schemas").unwrap();
        std::fs::write(SCHEMA_FILE, &generated).unwrap();
        eprintln!("blessed {SCHEMA_FILE}");
        return;
    }
    let committed = std::fs::read_to_string(SCHEMA_FILE).unwrap_or_default();
    assert!(
        committed == generated,
        "{SCHEMA_FILE} differs from what the config types generate; regenerate it with\n    \
         cargo run --features cli -- schema > {SCHEMA_FILE}\nor\n    \
         LOGFIG_BLESS=1 cargo test --test integration schema"
    );
}

#[test]
fn schema_is_draft_07() {
    let schema = logfig::schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(jsonschema::draft7::meta::is_valid(&schema));
}

#[test]
fn examples_and_valid_fixtures_pass_schema_and_loader() {
    let validator = validator();
    let mut paths = files("examples", |p| {
        p.extension().is_some_and(|e| e == "yaml" || e == "yml")
    });
    paths.extend(config_files("tests/fixtures/valid"));
    assert!(paths.len() > 5, "no fixtures found: {paths:?}");
    let mut failures = Vec::new();
    for path in &paths {
        let instance = to_json(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let errors = schema_errors(&validator, &instance);
        if !errors.is_empty() {
            failures.push(format!(
                "{}: the schema refuses it:\n  {}",
                path.display(),
                errors.join("\n  ")
            ));
        }
        if let Err(e) = Config::from_path(path) {
            failures.push(format!("{}: the loader refuses it:\n{e}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn invalid_fixtures_fail_schema_and_loader_alike() {
    let validator = validator();
    let paths = config_files("tests/fixtures/invalid");
    assert!(!paths.is_empty());
    let names: Vec<String> = paths.iter().map(|p| stem(p)).collect();
    for (name, _) in LOADER_ONLY {
        assert!(
            names.iter().any(|n| n == name),
            "LOADER_ONLY names `{name}`, which is not in tests/fixtures/invalid"
        );
    }
    let mut failures = Vec::new();
    for path in &paths {
        let name = stem(path);
        assert!(
            Config::from_path(path).is_err(),
            "{}: the loader accepts an invalid fixture",
            path.display()
        );
        if name.starts_with("syntax_") {
            // Loader-only: a schema checks a parsed document, and some of
            // these do not parse at all (others, such as a duplicate JSON key,
            // parse loosely elsewhere but are refused by the loader).
            continue;
        }
        let instance = to_json(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let errors = schema_errors(&validator, &instance);
        let loader_only = LOADER_ONLY.iter().any(|(n, _)| *n == name);
        match (loader_only, errors.is_empty()) {
            (false, true) => failures.push(format!(
                "{}: the loader refuses it but the schema accepts it; make the schema \
                 refuse it too, or list it in LOADER_ONLY if no schema can",
                path.display()
            )),
            (true, false) => failures.push(format!(
                "{}: listed as loader-only, but the schema refuses it too:\n  {}",
                path.display(),
                errors.join("\n  ")
            )),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Values the loader takes that a naive schema would refuse, and the reverse.
#[test]
fn schema_follows_the_loader_on_edge_values() {
    let validator = validator();
    let cases: &[(&str, bool)] = &[
        (r#"{"version": 1, "$schema": "./logfig.schema.json"}"#, true),
        (r#"{"version": 1, "root": {"level": "warn"}}"#, true),
        (r#"{"version": 1, "root": {"level": "Fatal"}}"#, true),
        (r#"{"version": 1, "root": {"level": 25}}"#, true),
        (
            r#"{"version": 1, "root": {"level": "${LEVEL:-INFO}"}}"#,
            true,
        ),
        (r#"{"version": 1, "root": {"level": "LOUD"}}"#, false),
        (r#"{"version": 1, "root": {"level": null}}"#, false),
        (
            r#"{"version": 1, "root": {"handlers": "console"}, "handlers": {"console": {"type": "console"}}}"#,
            true,
        ),
        (
            r#"{"version": 1, "root": null, "loggers": null, "formatters": {"f": null}}"#,
            true,
        ),
        (
            r#"{"version": 1, "formatters": {"f": {"format": "%(message)s"}}}"#,
            true,
        ),
        (
            r#"{"version": 1, "formatters": {"f": {"type": "json", "format": "x"}}}"#,
            false,
        ),
        (r#"{"version": 1, "filters": {"f": {"name": "a.b"}}}"#, true),
        (
            r#"{"version": 1, "filters": {"f": {"type": "name"}}}"#,
            true,
        ),
        (r#"{"version": 1, "filters": {"f": {}}}"#, false),
        (
            r#"{"version": 1, "handlers": {"h": {"level": "INFO"}}}"#,
            false,
        ),
        (
            r#"{"version": 1, "incremental": true, "handlers": {"h": {"level": "INFO", "x": 1}}}"#,
            true,
        ),
        (
            r#"{"version": 1, "incremental": true, "handlers": {"h": {"level": "LOUD"}}}"#,
            false,
        ),
        (
            r#"{"version": 1, "handlers": {"h": {"type": "custom", "factory": "f", "options": {"any": [1]}}}, "root": {"handlers": ["h"]}}"#,
            true,
        ),
        (
            r#"{"version": 1, "handlers": {"h": {"type": "file", "path": "a.log", "buffer": "1.5 KiB", "permissions": "0o640"}}, "root": {"handlers": ["h"]}}"#,
            true,
        ),
        (
            r#"{"version": 1, "reload": {"debounce": "0", "max_wait": "1.5s", "poll_interval": "${POLL:-5s}"}}"#,
            true,
        ),
        (r#"{"version": 1, "reload": {"debounce": "10"}}"#, false),
        (
            r#"{"version": "${V:-1}", "disable_existing_loggers": "${D:-false}"}"#,
            true,
        ),
        (
            r#"{"version": 1, "disable_existing_loggers": "false"}"#,
            false,
        ),
    ];
    let mut failures = Vec::new();
    for (text, valid) in cases {
        let instance: Value = serde_json::from_str(text).unwrap();
        let errors = schema_errors(&validator, &instance);
        if errors.is_empty() != *valid {
            failures.push(format!(
                "schema: {text}: expected valid={valid}: {errors:?}"
            ));
        }
        // `Config::from_str` also runs the reference checks; these cases are
        // about shapes, so only a shape error may make the loader refuse.
        let loaded = Config::from_str(text, Format::Json);
        if loaded.is_ok() != *valid {
            failures.push(format!(
                "loader: {text}: expected valid={valid}: {loaded:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
