//! Config fixtures: every file under `tests/fixtures/invalid/` must fail to load
//! with exactly the rendered error in its `.expected` snapshot, and every file
//! under `tests/fixtures/valid/` must load cleanly.
//!
//! Snapshots: `tests/fixtures/invalid/<case>.{yaml,toml,json}` is loaded with
//! `Config::from_path` (the path relative to the crate root, which is the
//! working directory of integration tests), and `err.to_string()` plus a
//! newline is compared with `<case>.expected`. A case whose name starts with
//! `syntax_` must fail with `ErrorKind::Parse`, every other with
//! `ErrorKind::Invalid`.
//!
//! Re-bless after an intended change to a message:
//!
//! ```text
//! LOGFIG_BLESS=1 cargo test --test integration fixtures
//! ```
//!
//! then read the changed `.expected` files (`git diff tests/fixtures`) before
//! committing them.
//!
//! Some fixtures name variables such as `LOGFIG_TEST_UNSET_VAR`; the tests
//! check that no `LOGFIG_TEST_*` variable is set, so the snapshots do not
//! depend on the environment.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // reason: test code; bless mode reports on stderr

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use logfig::config::{FilterConfig, FormatStyle, FormatterConfig, HandlerConfig, Level};
use logfig::{Config, ErrorKind, Format, Severity};

const INVALID_DIR: &str = "tests/fixtures/invalid";
const VALID_DIR: &str = "tests/fixtures/valid";

/// Config files directly in `dir` (relative to the crate root), sorted by name.
fn config_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading `{dir}`: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|p| Format::from_path(p).is_some())
        .collect();
    files.sort();
    files
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

fn blessing() -> bool {
    std::env::var_os("LOGFIG_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The fixtures must not see any `LOGFIG_TEST_*` variable.
fn assert_controlled_env() {
    let set: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| k.starts_with("LOGFIG_TEST_"))
        .collect();
    assert!(
        set.is_empty(),
        "the config fixtures expect no LOGFIG_TEST_* variable to be set; unset {set:?}"
    );
}

/// A line diff of two texts: `-` lines only in `expected`, `+` lines only in
/// `actual`, two-space prefix for shared lines (LCS-based; fixtures are small).
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            let _ = writeln!(out, "  {}", a[i]);
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            let _ = writeln!(out, "- {}", a[i]);
            i += 1;
        } else {
            let _ = writeln!(out, "+ {}", b[j]);
            j += 1;
        }
    }
    if expected.ends_with('\n') != actual.ends_with('\n') {
        let _ = writeln!(out, "(the texts differ in their trailing newline)");
    }
    out
}

#[test]
fn invalid_fixtures_match_their_snapshots() {
    assert_controlled_env();
    let bless = blessing();
    let files = config_files(INVALID_DIR);
    let count = |ext: &str| {
        files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .count()
    };
    assert!(
        files.len() >= 36,
        "expected at least 36 invalid fixtures, found {}",
        files.len()
    );
    assert!(
        count("toml") >= 8,
        "expected at least 8 TOML invalid fixtures"
    );
    assert!(
        count("json") >= 8,
        "expected at least 8 JSON invalid fixtures"
    );

    let mut failures: Vec<String> = Vec::new();
    let mut blessed = 0;
    for path in &files {
        let name = path.display().to_string();
        let case = stem(path);
        let err = match Config::from_path(path) {
            Ok(_) => {
                failures.push(format!(
                    "{name}: loaded without error, but is an invalid fixture"
                ));
                continue;
            }
            Err(err) => err,
        };

        let want_kind = if case.starts_with("syntax_") {
            ErrorKind::Parse
        } else {
            ErrorKind::Invalid
        };
        if err.kind() != want_kind {
            failures.push(format!(
                "{name}: error kind is {:?}, expected {want_kind:?} (cases named `syntax_*` are parse errors)\n{err}",
                err.kind()
            ));
        }

        // Every diagnostic is placed in this file, with a line and (when the
        // line exists: an error at the end of input may point past the last
        // line) its source text. Warnings may come along with the errors.
        let diagnostics = err.diagnostics();
        if !diagnostics.iter().any(|d| d.severity() == Severity::Error) {
            failures.push(format!("{name}: the error has no error diagnostic\n{err}"));
        }
        let line_count = std::fs::read_to_string(path).unwrap().lines().count();
        for d in diagnostics {
            let line_exists = (1..=line_count).contains(&(d.line() as usize));
            if d.file() != Some(path.as_path())
                || d.line() == 0
                || (line_exists && d.source_line().is_none())
            {
                failures.push(format!(
                    "{name}: diagnostic without a file, line or source line: {d:?}"
                ));
            }
        }
        // All problems in one pass, in source order.
        let positions: Vec<(u32, u32)> =
            diagnostics.iter().map(|d| (d.line(), d.column())).collect();
        if !positions.is_sorted() {
            failures.push(format!(
                "{name}: diagnostics are not sorted by position: {positions:?}"
            ));
        }
        if case.starts_with("multi_") && diagnostics.len() < 2 {
            failures.push(format!(
                "{name}: a `multi_*` case must report several problems at once, found {}\n{err}",
                diagnostics.len()
            ));
        }

        let actual = format!("{err}\n");
        let expected_path = path.with_extension("expected");
        if bless {
            let old = std::fs::read_to_string(&expected_path).ok();
            if old.as_deref() != Some(actual.as_str()) {
                std::fs::write(&expected_path, &actual)
                    .unwrap_or_else(|e| panic!("writing `{}`: {e}", expected_path.display()));
                blessed += 1;
            }
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{name}: the error differs from `{}` (- expected, + actual):\n{}",
                expected_path.display(),
                diff(&expected, &actual)
            )),
            Err(e) => failures.push(format!(
                "{name}: cannot read `{}` ({e}); run with LOGFIG_BLESS=1 to write it. The error is:\n{actual}",
                expected_path.display()
            )),
        }
    }

    // A snapshot without its config is stale.
    let stems: Vec<String> = files.iter().map(|p| stem(p)).collect();
    let mut snapshots: Vec<PathBuf> = std::fs::read_dir(INVALID_DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "expected"))
        .collect();
    snapshots.sort();
    for s in snapshots {
        if !stems.contains(&stem(&s)) {
            failures.push(format!("{}: snapshot without a config file", s.display()));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for s in &stems {
        if !seen.insert(s) {
            failures.push(format!(
                "{INVALID_DIR}/{s}.*: two configs share one snapshot name"
            ));
        }
    }

    if bless {
        eprintln!("blessed {blessed} snapshot(s) in {INVALID_DIR}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} invalid fixture check(s) failed (LOGFIG_BLESS=1 rewrites the snapshots):\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

fn load_valid(path: &Path) -> Result<Config, String> {
    let config =
        Config::from_path(path).map_err(|e| format!("{}: does not load:\n{e}", path.display()))?;
    let warnings = config
        .validate()
        .map_err(|e| format!("{}: does not validate:\n{e}", path.display()))?;
    if !warnings.is_empty() {
        let shown: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        return Err(format!(
            "{}: loads with warnings:\n{}",
            path.display(),
            shown.join("\n")
        ));
    }
    Ok(config)
}

#[test]
fn valid_fixtures_load_without_problems() {
    assert_controlled_env();
    let files = config_files(VALID_DIR);
    assert!(
        files.len() >= 10,
        "expected at least 10 valid fixtures, found {}",
        files.len()
    );
    for ext in ["yaml", "toml", "json"] {
        assert!(
            files
                .iter()
                .any(|p| p.extension().is_some_and(|e| e == ext)),
            "no valid .{ext} fixture"
        );
    }
    let failures: Vec<String> = files.iter().filter_map(|p| load_valid(p).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} valid fixture(s) failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

/// Fixtures that share a stem (`same_app.yaml`, `same_app.toml`,
/// `same_app.json`) say the same thing in different formats.
#[test]
fn valid_fixtures_with_one_stem_load_to_equal_configs() {
    assert_controlled_env();
    let mut groups: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for p in config_files(VALID_DIR) {
        groups.entry(stem(&p)).or_default().push(p);
    }
    groups.retain(|_, files| files.len() > 1);
    assert!(
        groups.values().any(|files| files.len() == 3),
        "expected a valid fixture written in YAML, TOML and JSON under one name"
    );
    let mut failures = Vec::new();
    for files in groups.values() {
        let first = Config::from_path(&files[0]).unwrap();
        for other in &files[1..] {
            let config = Config::from_path(other).unwrap();
            if config != first {
                failures.push(format!(
                    "{} and {} differ:\n{first:#?}\n---\n{config:#?}",
                    files[0].display(),
                    other.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Spot checks that the equal configs are also the intended ones: defaults of
/// `${VAR:-default}`, Python level numbers, styles, typeless name filters.
#[test]
fn same_app_fixture_reads_as_written() {
    assert_controlled_env();
    let config = Config::from_path(format!("{VALID_DIR}/same_app.yaml")).unwrap();
    assert_eq!(config.version, 1);
    assert!(!config.disable_existing_loggers);

    let Some(HandlerConfig::File(app)) = config.handlers.get("app") else {
        panic!(
            "handlers.app is not a file handler: {:?}",
            config.handlers.get("app")
        );
    };
    assert_eq!(
        app.path,
        Path::new("./logs/app.log"),
        "the `${{VAR:-default}}` default applies"
    );
    assert_eq!(app.buffer.bytes(), 64 * 1024);
    assert_eq!(app.common.level, Some(Level::Debug), "level 10 is DEBUG");
    assert_eq!(app.common.formatter.as_deref(), Some("machine"));
    assert_eq!(app.common.filters, ["no_health"]);

    let Some(FormatterConfig::Pattern(brace)) = config.formatters.get("brace") else {
        panic!("formatters.brace is not a pattern formatter");
    };
    assert_eq!(brace.style, FormatStyle::Brace);
    assert!(matches!(
        config.formatters.get("machine"),
        Some(FormatterConfig::Json(_))
    ));
    assert!(
        matches!(config.filters.get("only_myapp"), Some(FilterConfig::Name(f)) if f.name == "myapp"),
        "a filter with `name` and no `type` is a name filter"
    );

    let db = &config.loggers["myapp::db"];
    assert_eq!(db.level, Some(Level::Debug));
    assert!(!db.propagate);
    assert_eq!(
        config.loggers["hyper"].level,
        Some(Level::Warning),
        "level 30 is WARNING"
    );
    assert_eq!(config.root.level, Some(Level::Info));
    assert_eq!(config.root.handlers, ["console", "app"]);
}
