//! `logfig check -` (standard input), shell completions and the examples in
//! each subcommand's `--help`: the built binary, run as a user runs it.

#![allow(clippy::unwrap_used)] // reason: test code

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs the built binary with `input` on its standard input: (stdout, stderr,
/// exit status).
fn logfig_with_input(args: &[&str], input: &[u8]) -> (String, String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_logfig"))
        .args(args)
        .env_remove("LOGFIG_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // A writer thread: a child that stops reading early must not block the test.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

const YAML: &str = "version: 1\nroot: { level: INFO }\n";
const TOML: &str = "# a comment first\nversion = 1\n[root]\nlevel = \"INFO\"\n";
const JSON: &str = "{\"version\": 1, \"root\": {\"level\": \"INFO\"}}\n";

#[test]
fn check_stdin_sniffs_each_format() {
    for text in [YAML, TOML, JSON] {
        let (out, err, code) = logfig_with_input(&["check", "-"], text.as_bytes());
        assert_eq!(
            (out.as_str(), err.as_str(), code),
            ("<stdin>: ok\n", "", 0),
            "{text}"
        );
    }
}

#[test]
fn check_stdin_reports_positions_under_its_name() {
    let (out, _, code) = logfig_with_input(
        &["check", "-"],
        b"version: 1\nroot: { level: INFO, handlers: [nope] }\n",
    );
    assert!(
        out.starts_with("<stdin>:2:"),
        "diagnostics name standard input: {out}"
    );
    assert!(out.contains("handler `nope` is not defined"), "{out}");
    assert!(out.ends_with("<stdin>: invalid: 1 error\n"), "{out}");
    assert_eq!(code, 1);
}

#[test]
fn format_in_overrides_sniffing_and_extensions() {
    // JSON is YAML too, but read as TOML it is a syntax error.
    let (out, _, code) = logfig_with_input(&["check", "--format-in", "toml", "-"], JSON.as_bytes());
    assert!(out.ends_with("<stdin>: invalid: 1 error\n"), "{out}");
    assert_eq!(code, 1);
    let (out, _, code) = logfig_with_input(&["check", "--format-in", "yaml", "-"], JSON.as_bytes());
    assert_eq!((out.as_str(), code), ("<stdin>: ok\n", 0));
    // A file whose name says nothing of its format.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logging.txt");
    std::fs::write(&path, YAML).unwrap();
    let path = path.to_str().unwrap();
    let (out, _, code) = logfig_with_input(&["check", path], b"");
    assert!(out.contains("cannot tell the config format"), "{out}");
    assert_eq!(code, 1);
    let (out, _, code) = logfig_with_input(&["check", "--format-in", "yaml", path], b"");
    assert_eq!((out, code), (format!("{path}: ok\n"), 0));
}

#[test]
fn check_stdin_with_files_and_only_once() {
    let (out, _, code) = logfig_with_input(
        &["check", "tests/fixtures/valid/minimal.json", "-"],
        YAML.as_bytes(),
    );
    assert_eq!(
        (out.as_str(), code),
        ("tests/fixtures/valid/minimal.json: ok\n<stdin>: ok\n", 0)
    );
    let (out, err, code) = logfig_with_input(&["check", "-", "-"], YAML.as_bytes());
    assert_eq!(out, "");
    assert!(err.contains("only once"), "{err}");
    assert_eq!(code, 2);
}

#[test]
fn check_stdin_is_bounded() {
    // Past the loader's 2 MiB: refused with its message, not read whole.
    let mut big = b"version: 1\n".to_vec();
    big.resize(3 << 20, b'#');
    let (out, _, code) = logfig_with_input(&["check", "-"], &big);
    assert!(out.contains("MiB"), "the size bound is named: {out}");
    assert!(out.ends_with("<stdin>: invalid: 1 error\n"), "{out}");
    assert_eq!(code, 1);
}

#[test]
fn check_stdin_not_utf8_is_unreadable() {
    let (out, _, code) = logfig_with_input(&["check", "-"], b"version: 1\n\xff\xfe\n");
    assert!(
        out.starts_with("<stdin>: cannot read: reading standard input"),
        "{out}"
    );
    assert_eq!(code, 2);
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _logfig"),
        ("zsh", "#compdef logfig"),
        ("fish", "complete -c logfig"),
    ] {
        let (out, err, code) = logfig_with_input(&["completions", shell], b"");
        assert_eq!((err.as_str(), code), ("", 0), "{shell}");
        assert!(out.contains(marker), "{shell}: {out}");
        // Subcommands and their options (fish writes `-l format-in`).
        for word in [
            "check",
            "explain",
            "fmt",
            "schema",
            "format-in",
            "warnings-as-errors",
        ] {
            assert!(out.contains(word), "{shell} completes `{word}`");
        }
    }
    let (_, err, code) = logfig_with_input(&["completions", "tcsh"], b"");
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
    assert_eq!(code, 2);
}

#[test]
fn bash_completion_script_is_valid_bash() {
    let (script, _, _) = logfig_with_input(&["completions", "bash"], b"");
    let status = Command::new("bash")
        .args(["-n", "-c", &script])
        .status()
        .unwrap();
    assert!(status.success(), "bash -n rejects the script");
}

#[test]
fn every_subcommand_help_shows_an_example() {
    for sub in ["check", "schema", "explain", "fmt", "completions", "ctl"] {
        let (out, err, code) = logfig_with_input(&[sub, "--help"], b"");
        assert_eq!((err.as_str(), code), ("", 0), "{sub}");
        let examples = out
            .split_once("Example")
            .map(|(_, rest)| rest)
            .unwrap_or_else(|| panic!("`logfig {sub} --help` has no example:\n{out}"));
        assert!(
            examples.contains(&format!("logfig {sub} ")),
            "`logfig {sub} --help`'s example runs `logfig {sub}`:\n{out}"
        );
    }
}
