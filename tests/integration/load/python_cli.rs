//! The `logfig` tool on the Python configs of `tests/python_real/`, dictConfig
//! and fileConfig INI alike: `fmt` converts each to logfig's own form without
//! changing it, `check` and `explain` read them (issue #17: "hot reload,
//! `logfig check`, `explain` and `fmt` work on INI files too"; hot reload is
//! `load/fileconfig.rs`'s).

use std::path::{Path, PathBuf};

use logfig::Config;

use super::dictconfig_vs_cpython::PLACEHOLDER;
use super::real_configs_vs_cpython::cases;
use crate::cli::logfig;
/// The one corpus config `fmt` refuses: its stream is a plain string, which
/// logfig's form cannot write.
const STRING_STREAM: &str = "gunicorn_19_config_defaults.yaml";
/// The one corpus config that CPython refuses (a repeated section), and so
/// does logfig: `fmt` says why, at its line.
const REFUSED: (&str, &str) = (
    "diamond_conf_example.conf",
    "diamond_conf_example.conf:140:1: [default]: section `[[default]]` appears twice",
);

/// Every corpus config (and the examples' `logging.ini`), copied into `dir`
/// with the placeholder replaced by `dir` (the loaded config holds the
/// expanded path; so does `fmt`'s output).
fn corpus(dir: &Path) -> Vec<PathBuf> {
    cases()
        .into_iter()
        .map(|case| {
            let copy = dir.join(case.path.file_name().unwrap());
            let text = case.text.replace(PLACEHOLDER, &dir.display().to_string());
            std::fs::write(&copy, text).unwrap();
            copy
        })
        .collect()
}

/// `fmt` to each format, load the result: the same config, for every
/// dictConfig and INI file of the corpus.
#[test]
fn fmt_converts_every_real_python_config_to_the_same_config() {
    let dir = tempfile::tempdir().unwrap();
    let files = corpus(dir.path());
    let ini = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "ini" || e == "conf"))
        .count();
    assert!(files.len() >= 56 && ini >= 21, "{files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap();
        for to in ["yaml", "toml", "json"] {
            let (out, err, code) = logfig(&["fmt", file.to_str().unwrap(), "--to", to]);
            if name == STRING_STREAM {
                // CPython's `str` stream has no spelling in logfig's form.
                assert_eq!(code, 1, "{err}");
                assert!(
                    err.contains("handler `console`: its `stream:` is a plain string")
                        && err.contains("write `stream: ext://sys.stdout`"),
                    "{err}"
                );
                assert!(out.is_empty(), "{out}");
                continue;
            }
            if name == REFUSED.0 {
                assert_eq!(code, 1, "{err}");
                assert!(err.contains(REFUSED.1), "{err}");
                continue;
            }
            if code != 0 {
                failures.push(format!("{name} --to {to}: exit {code}: {err}"));
                continue;
            }
            let original = Config::from_path(file).unwrap();
            let converted = dir.path().join(format!("converted.{to}"));
            std::fs::write(&converted, &out).unwrap();
            match Config::from_path(&converted) {
                Ok(c) if c == original => {}
                Ok(c) => failures.push(format!(
                    "{name} --to {to}: a different config:\n{out}\n{c:#?}\n!=\n{original:#?}"
                )),
                Err(e) => failures.push(format!(
                    "{name} --to {to}: the output does not load: {e}\n{out}"
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `check` reads an INI file and a dictConfig file with CPython's leniencies,
/// each warning at its line and column; `explain` follows an INI file's
/// `qualname`s and `propagate = 0`, and says where a plain-string stream
/// writes: nowhere.
#[test]
fn check_and_explain_read_python_configs() {
    let dir = tempfile::tempdir().unwrap();
    let files = corpus(dir.path());
    let find = |name: &str| {
        files
            .iter()
            .find(|f| f.file_name().unwrap() == name)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    let gunicorn19 = find(STRING_STREAM);
    let (out, err, code) = logfig(&["check", &gunicorn19]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "{gunicorn19}:20:13: warning: handlers.console.stream: `sys.stdout` is a plain string, not a stream"
        )) && out.contains("write `ext://sys.stdout`"),
        "{out}"
    );
    assert!(out.ends_with(": ok, 2 warnings\n"), "{out}");
    let (out, err, code) = logfig(&["explain", &gunicorn19, "gunicorn.error", "INFO"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("output: nowhere: `stream:` is a plain string"),
        "{out}"
    );

    let conf = find("gunicorn_example_logging.conf");
    let (out, err, code) = logfig(&["check", &conf]);
    assert_eq!(
        (code, out.as_str()),
        (0, &*format!("{conf}: ok\n")),
        "{err}"
    );
    let (out, err, code) = logfig(&["explain", &conf, "gunicorn.access", "INFO"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("route:\n  `gunicorn.access`: `access_file`\n  stops at `gunicorn.access` (propagate: false)"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "output: {}/gunicorn.access.log",
            dir.path().display()
        )),
        "{out}"
    );
    // An unlisted `[logger_*]` section is never read: Nova's `amqplib`
    // logger is not one of `keys`, so its records go to the root.
    let nova = find("nova_logging_sample.conf");
    let (out, err, code) = logfig(&["explain", &nova, "amqplib", "WARN"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("logger: root (no configured logger is `amqplib` or one of its ancestors)")
            && out.contains("route:\n  root: `null`\n"),
        "{out}"
    );
}
