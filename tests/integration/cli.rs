//! The `logfig` binary, run as a user runs it: output and exit status are
//! compared exactly. Built with `--features cli` (`cargo test --all-features`).

#![allow(clippy::unwrap_used)] // reason: test code

use std::path::Path;
use std::process::Command;

use logfig::Config;

/// Runs the built binary: (stdout, stderr, exit status).
pub(crate) fn logfig(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_logfig"))
        .args(args)
        .env_remove("LOGFIG_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn check_valid_files() {
    let (out, err, code) = logfig(&[
        "check",
        "tests/fixtures/valid/minimal.json",
        "examples/logging.yaml",
    ]);
    assert_eq!(
        out,
        "tests/fixtures/valid/minimal.json: ok\nexamples/logging.yaml: ok\n"
    );
    assert_eq!((err.as_str(), code), ("", 0));
}

#[test]
fn check_invalid_file_prints_every_diagnostic() {
    let (out, _, code) = logfig(&["check", "tests/fixtures/invalid/dangling_handler.yaml"]);
    assert_eq!(
        out,
        "tests/fixtures/invalid/dangling_handler.yaml:5:42: root.handlers[1]: handler `ap` is not defined (did you mean `app`?)
  |
5 | root: { level: INFO, handlers: [console, ap] }
  |                                          ^

tests/fixtures/invalid/dangling_handler.yaml: invalid: 1 error
"
    );
    assert_eq!(code, 1);
}

#[test]
fn check_unreadable_file_wins_the_exit_status() {
    let (out, _, code) = logfig(&[
        "check",
        "tests/fixtures/valid/minimal.json",
        "tests/fixtures/no_such_file.yaml",
    ]);
    assert_eq!(
        out,
        "tests/fixtures/valid/minimal.json: ok\n\
         tests/fixtures/no_such_file.yaml: cannot read: reading config file `tests/fixtures/no_such_file.yaml`: No such file or directory (os error 2)\n"
    );
    assert_eq!(code, 2);
}

#[test]
fn check_warnings_and_warnings_as_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logging.yaml");
    std::fs::write(
        &path,
        "version: 1\nhandlers:\n  spare: { type: \"null\" }\nroot: { level: INFO }\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let warning = format!(
        "{p}:3:3: warning: handlers.spare: handler `spare` is not used by any logger\n  |\n3 |   spare: {{ type: \"null\" }}\n  |   ^\n\n"
    );
    let (out, _, code) = logfig(&["check", p]);
    assert_eq!(out, format!("{warning}{p}: ok, 1 warning\n"));
    assert_eq!(code, 0);
    let (out, _, code) = logfig(&["check", "--warnings-as-errors", p]);
    assert_eq!(
        out,
        format!("{warning}{p}: invalid: 1 warning (--warnings-as-errors)\n")
    );
    assert_eq!(code, 1);
}

#[test]
fn check_json_output() {
    let (out, _, code) = logfig(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/invalid/dangling_handler.yaml",
        "tests/fixtures/valid/minimal.json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({
            "valid": false,
            "files": [
                {
                    "file": "tests/fixtures/invalid/dangling_handler.yaml",
                    "status": "invalid",
                    "errors": 1,
                    "warnings": 0,
                    "diagnostics": [{
                        "severity": "error",
                        "file": "tests/fixtures/invalid/dangling_handler.yaml",
                        "line": 5,
                        "column": 42,
                        "path": "root.handlers[1]",
                        "message": "handler `ap` is not defined (did you mean `app`?)"
                    }]
                },
                {
                    "file": "tests/fixtures/valid/minimal.json",
                    "status": "ok",
                    "errors": 0,
                    "warnings": 0,
                    "diagnostics": []
                }
            ]
        })
    );
    assert_eq!(code, 1);
}

#[test]
fn usage_errors_exit_2() {
    let (out, err, code) = logfig(&["check"]);
    assert_eq!(out, "");
    assert!(err.contains("FILES"), "{err}");
    assert_eq!(code, 2);
    let (_, err, code) = logfig(&["explain", "examples/logging.yaml", "app", "LOUD"]);
    assert!(err.starts_with("unknown level `LOUD`"), "{err}");
    assert_eq!(code, 2);
}

#[test]
fn schema_prints_the_committed_schema() {
    let (out, _, code) = logfig(&["schema"]);
    assert_eq!(
        out,
        std::fs::read_to_string("schemas/logfig.schema.json").unwrap()
    );
    assert_eq!(code, 0);
}

/// Three levels (`app`, `app::db`, `app::db::pool`), `propagate: false` on
/// `app::db`, handler levels, name filters on handlers and on a logger, a
/// regex filter, and the root at its default level.
const HIERARCHY: &str = r#"version: 1
formatters:
  plain: { format: "%(levelname)s %(name)s: %(message)s" }
filters:
  only_db: { name: app.db }
  app_only: { name: app }
  no_health: { type: regex, pattern: "GET /health", action: deny }
handlers:
  console: { type: console, level: WARNING, formatter: plain, filters: [app_only] }
  app_file: { type: file, path: logs/app.log, level: INFO, filters: [no_health] }
  db_file: { type: file, path: logs/db.log, filters: [only_db] }
loggers:
  app: { level: INFO, handlers: [app_file], filters: [only_db] }
  app::db: { level: DEBUG, handlers: [db_file], propagate: false }
  app::db::pool: { handlers: [console] }
root: { handlers: [console] }
"#;

fn explain(config: &Path, target: &str, level: Option<&str>) -> String {
    let mut args = vec!["explain", config.to_str().unwrap(), target];
    args.extend(level);
    let (out, err, code) = logfig(&args);
    assert_eq!((err.as_str(), code), ("", 0), "{target} {level:?}");
    out
}

#[test]
fn explain_follows_the_hierarchy() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("logging.yaml");
    std::fs::write(&config, HIERARCHY).unwrap();
    let cases: &[(&str, Option<&str>, &str)] = &[
        (
            "app::db::pool",
            Some("DEBUG"),
            "record: target `app::db::pool`, level DEBUG
logger: `app::db::pool`
  level: DEBUG (inherited from `app::db`)
  DEBUG passes the logger's level
  filters: none
route:
  `app::db::pool`: `console`
  `app::db`: `db_file`
  stops at `app::db` (propagate: false): root and the ancestors above are not reached
handler `console` (console), via `app::db::pool`:
  output: stderr
  level WARNING: DEBUG is below it: dropped
handler `db_file` (file), via `app::db`:
  output: logs/db.log
  level NOTSET: DEBUG passes
  filter `only_db` (name `app.db`): passes
  formatter: none set, the message alone
  emitted
result: emitted by `db_file`
",
        ),
        (
            "app::db::pool",
            Some("error"),
            "record: target `app::db::pool`, level ERROR
logger: `app::db::pool`
  level: DEBUG (inherited from `app::db`)
  ERROR passes the logger's level
  filters: none
route:
  `app::db::pool`: `console`
  `app::db`: `db_file`
  stops at `app::db` (propagate: false): root and the ancestors above are not reached
handler `console` (console), via `app::db::pool`:
  output: stderr
  level WARNING: ERROR passes
  filter `app_only` (name `app`): passes
  formatter `plain` (pattern `%(levelname)s %(name)s: %(message)s`)
  emitted
handler `db_file` (file), via `app::db`:
  output: logs/db.log
  level NOTSET: ERROR passes
  filter `only_db` (name `app.db`): passes
  formatter: none set, the message alone
  emitted
result: emitted by `console`, `db_file`
",
        ),
        (
            "app.db.pool.conn",
            Some("TRACE"),
            "record: target `app.db.pool.conn`, level TRACE
logger: `app::db::pool`, the nearest configured ancestor of `app.db.pool.conn`
  level: DEBUG (inherited from `app::db`)
  TRACE is below the logger's level: dropped
result: not emitted
",
        ),
        (
            "app::db",
            Some("20"),
            "record: target `app::db`, level INFO
logger: `app::db`
  level: DEBUG (set on `app::db`)
  INFO passes the logger's level
  filters: none
route:
  `app::db`: `db_file`
  stops at `app::db` (propagate: false): root and the ancestors above are not reached
handler `db_file` (file), via `app::db`:
  output: logs/db.log
  level NOTSET: INFO passes
  filter `only_db` (name `app.db`): passes
  formatter: none set, the message alone
  emitted
result: emitted by `db_file`
",
        ),
        (
            "app::http",
            Some("INFO"),
            "record: target `app::http`, level INFO
logger: `app`, the nearest configured ancestor of `app::http`
  level: INFO (set on `app`)
  INFO passes the logger's level
  filters: not applied (they apply only to records logged at exactly `app`)
route:
  `app`: `app_file`
  root: `console`
handler `app_file` (file), via `app`:
  output: logs/app.log
  level INFO: INFO passes
  filter `no_health` (regex `GET /health`, deny): depends on the message
  formatter: none set, the message alone
  emitted if the message passes `no_health`
handler `console` (console), via root:
  output: stderr
  level WARNING: INFO is below it: dropped
result: emitted by no handler; depending on the message, by `app_file`
",
        ),
        (
            "app::http",
            Some("WARN"),
            "record: target `app::http`, level WARNING
logger: `app`, the nearest configured ancestor of `app::http`
  level: INFO (set on `app`)
  WARNING passes the logger's level
  filters: not applied (they apply only to records logged at exactly `app`)
route:
  `app`: `app_file`
  root: `console`
handler `app_file` (file), via `app`:
  output: logs/app.log
  level INFO: WARNING passes
  filter `no_health` (regex `GET /health`, deny): depends on the message
  formatter: none set, the message alone
  emitted if the message passes `no_health`
handler `console` (console), via root:
  output: stderr
  level WARNING: WARNING passes
  filter `app_only` (name `app`): passes
  formatter `plain` (pattern `%(levelname)s %(name)s: %(message)s`)
  emitted
result: emitted by `console`; depending on the message, by `app_file`
",
        ),
        (
            "app",
            Some("WARNING"),
            "record: target `app`, level WARNING
logger: `app`
  level: INFO (set on `app`)
  WARNING passes the logger's level
  filter `only_db` (name `app.db`): drops the record
result: not emitted
",
        ),
        (
            "other",
            Some("INFO"),
            "record: target `other`, level INFO
logger: root (no configured logger is `other` or one of its ancestors)
  level: WARNING (the root's default; no logger sets one)
  INFO is below the logger's level: dropped
result: not emitted
",
        ),
        (
            "other",
            Some("CRITICAL"),
            "record: target `other`, level ERROR
logger: root (no configured logger is `other` or one of its ancestors)
  level: WARNING (the root's default; no logger sets one)
  ERROR passes the logger's level
  filters: none
route:
  root: `console`
handler `console` (console), via root:
  output: stderr
  level WARNING: ERROR passes
  filter `app_only` (name `app`): drops the record
  dropped
result: emitted by no handler
",
        ),
        (
            "app::db::pool",
            None,
            "record: target `app::db::pool`, any level
logger: `app::db::pool`
  level: DEBUG (inherited from `app::db`)
  records at DEBUG and above pass
  filters: none
route:
  `app::db::pool`: `console`
  `app::db`: `db_file`
  stops at `app::db` (propagate: false): root and the ancestors above are not reached
handler `console` (console), via `app::db::pool`:
  output: stderr
  level WARNING: records at WARNING and above pass
  filter `app_only` (name `app`): passes
  formatter `plain` (pattern `%(levelname)s %(name)s: %(message)s`)
handler `db_file` (file), via `app::db`:
  output: logs/db.log
  level NOTSET: records at TRACE and above pass
  filter `only_db` (name `app.db`): passes
  formatter: none set, the message alone
",
        ),
    ];
    for (target, level, expected) in cases {
        assert_eq!(
            explain(&config, target, *level),
            *expected,
            "explain {target} {level:?}"
        );
    }
}

#[test]
fn explain_last_resort() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("logging.json");
    std::fs::write(&config, r#"{"version": 1, "root": {"level": "DEBUG"}}"#).unwrap();
    assert_eq!(
        explain(&config, "app", Some("INFO")),
        "record: target `app`, level INFO
logger: root (no configured logger is `app` or one of its ancestors)
  level: DEBUG (set on root)
  INFO passes the logger's level
  filters: none
route:
  root: no handlers
no handler on the route: Python's last resort writes WARNING and above to stderr, message only
result: not emitted
"
    );
}

/// `fmt` to each format, load the result: the same config.
#[test]
fn fmt_round_trips_every_valid_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let mut fixtures: Vec<_> = std::fs::read_dir("tests/fixtures/valid")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| logfig::Format::from_path(p).is_some())
        .collect();
    fixtures.push("examples/logging.yaml".into());
    fixtures.sort();
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let original = Config::from_path(fixture).unwrap();
        for to in ["yaml", "toml", "json"] {
            let (out, err, code) = logfig(&["fmt", fixture.to_str().unwrap(), "--to", to]);
            if code != 0 {
                failures.push(format!(
                    "{} --to {to}: exit {code}: {err}",
                    fixture.display()
                ));
                continue;
            }
            let path = dir.path().join(format!("converted.{to}"));
            std::fs::write(&path, &out).unwrap();
            match Config::from_path(&path) {
                Ok(c) if c == original => {}
                Ok(c) => failures.push(format!(
                    "{} --to {to}: a different config:\n{out}\n{c:#?}\n!=\n{original:#?}",
                    fixture.display()
                )),
                Err(e) => failures.push(format!(
                    "{} --to {to}: the output does not load: {e}\n{out}",
                    fixture.display()
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `explain` shows where each handler writes with its secrets as `***`;
/// `fmt` writes them as `***` with a note on stderr, and as they are with
/// `--show-secrets` (then the output loads as the same config); `check`
/// does not quote a bad secret value.
#[test]
fn explain_fmt_and_check_hide_secrets() {
    use crate::secrets::{CONFIG, SECRETS, assert_hidden};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logging.yaml");
    std::fs::write(&path, CONFIG).unwrap();
    let file = path.to_str().unwrap();

    let out = explain(&path, "app", Some("INFO"));
    assert_hidden("explain", &out);
    for line in [
        "  output: POST https://***@127.0.0.1:9/push?tenant=t1&token=***, header Authorization: ***, header X-Api-Key: ***, header X-Scope-OrgID: ***, basic auth `web-user`:***\n",
        "  output: mail from a@example.com to b@example.com via 127.0.0.1:9, login `mailer`:***\n",
        "  output: factory `capture`, options {\"api_key\":\"***\",\"endpoint\":\"https://***@x.example/\"}\n",
    ] {
        assert!(out.contains(line), "{line}\nnot in\n{out}");
    }

    let original = Config::from_path(&path).unwrap();
    for to in ["yaml", "toml", "json"] {
        let (out, err, code) = logfig(&["fmt", file, "--to", to]);
        assert_eq!(code, 0, "{err}");
        assert_hidden(&format!("fmt --to {to}"), &out);
        assert_eq!(
            err,
            "note: 9 secrets are written as `***`; pass --show-secrets to write them\n"
        );
        let (out, err, code) = logfig(&["fmt", file, "--to", to, "--show-secrets"]);
        assert_eq!((err.as_str(), code), ("", 0));
        for s in SECRETS {
            assert!(
                out.contains(s),
                "fmt --show-secrets --to {to} lacks {s}:\n{out}"
            );
        }
        let converted = dir.path().join(format!("converted.{to}"));
        std::fs::write(&converted, &out).unwrap();
        assert_eq!(Config::from_path(&converted).unwrap(), original, "{out}");
    }

    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        CONFIG.replace("password: smtp-pass-1", "password: 'smtp-pass-1${'"),
    )
    .unwrap();
    let (out, _, code) = logfig(&["check", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert_hidden("check", &out);
    assert!(out.contains("unterminated `${` in `***`"), "{out}");
}

/// `fmt`'s note counts every value it wrote as `***`: each header value, a
/// URL's user information and each of its token parameters, passwords,
/// secret options, the control token and the otlp headers.
#[cfg(all(feature = "control", feature = "otlp"))]
#[test]
fn fmt_counts_every_masked_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logging.yaml");
    let config = format!(
        "{}control: {{ listen: 127.0.0.1:0, token: control-token-0123456789 }}\n",
        crate::secrets::CONFIG.replace(
            "root: { level: INFO, handlers: [web, mail, c] }",
            "  otel: { type: otlp, endpoint: 'https://o:otlp-pass@127.0.0.1:9/v1/logs?sig=s1&api_key=k1', headers: { Authorization: 'Bearer otlp-1', X-Tenant: t } }\nroot: { level: INFO, handlers: [web, mail, c, otel] }"
        )
    );
    std::fs::write(&path, &config).unwrap();
    let (out, err, code) = logfig(&["fmt", path.to_str().unwrap(), "--to", "json"]);
    assert_eq!(code, 0, "{err}");
    let shown = out.matches("***").count();
    // web: url userinfo and token, three headers, basic auth; mail: its
    // password; c: api_key and the endpoint's userinfo; otel: userinfo,
    // `sig` and `api_key`, two headers; the control token.
    assert_eq!(shown, 15, "{out}");
    assert_eq!(
        err,
        format!("note: {shown} secrets are written as `***`; pass --show-secrets to write them\n"),
        "{out}"
    );
}
