//! Behaviour of the global logger, one real process per case: a `log` backend
//! can be installed once per process. This binary re-runs itself with
//! `LOGFIG_GLOBAL_CASE` set to run one case in a fresh child.

#![allow(clippy::print_stdout)] // reason: a harness-less test reports on stdout, as libtest does

use std::process::{Command, Output};

const CASES: &[(&str, fn())] = &[
    ("init_twice", init_twice),
    ("max_level", max_level),
    ("last_resort", last_resort),
    ("default_config", default_config),
    ("flush_at_exit", flush_at_exit),
    ("shutdown_under_load", shutdown_under_load),
    ("queue_at_exit", queue_at_exit),
];

fn main() {
    if let Ok(case) = std::env::var("LOGFIG_GLOBAL_CASE") {
        let (_, run) = CASES
            .iter()
            .find(|(n, _)| *n == case)
            .expect("unknown case");
        run();
        return;
    }
    let mut failed = 0;
    for (name, _) in CASES {
        let out = child(name, &[]);
        let ok = out.status.success() && check(name, &out);
        println!(
            "test global::{name} ... {}",
            if ok { "ok" } else { "FAILED" }
        );
        if !ok {
            failed += 1;
            println!(
                "--- stdout\n{}\n--- stderr\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    println!("{} passed, {failed} failed", CASES.len() - failed);
    if failed > 0 {
        std::process::exit(1);
    }
}

fn child(case: &str, env: &[(&str, &str)]) -> Output {
    let exe = std::env::current_exe().expect("current exe");
    let dir = std::env::temp_dir().join(format!("logfig-global-{case}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut cmd = Command::new(exe);
    cmd.env("LOGFIG_GLOBAL_CASE", case)
        .env("LOGFIG_TEST_DIR", &dir)
        .env_remove("LOGFIG_CONFIG")
        .env("NO_COLOR", "1")
        .current_dir(&dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("running the test binary")
}

/// Checks done by the parent on the child's output and files.
fn check(case: &str, out: &Output) -> bool {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let dir = std::env::temp_dir().join(format!("logfig-global-{case}-{}", std::process::id()));
    let ok = match case {
        "last_resort" => stderr == "a warning\nan error\n",
        "default_config" => stderr == "WARNING:app:careful\nERROR:app::db:broken\n",
        "flush_at_exit" => {
            let text = std::fs::read_to_string(dir.join("exit.log")).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            lines.len() == 10_000
                && lines
                    .iter()
                    .enumerate()
                    .all(|(i, l)| *l == format!("record {i}"))
        }
        "queue_at_exit" => {
            let text = std::fs::read_to_string(dir.join("queued.log")).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            lines.len() == 100_000
                && lines
                    .iter()
                    .enumerate()
                    .all(|(i, l)| *l == format!("record {i}"))
        }
        _ => true,
    };
    let _ = std::fs::remove_dir_all(&dir);
    ok
}

fn test_dir() -> std::path::PathBuf {
    std::env::var_os("LOGFIG_TEST_DIR")
        .expect("LOGFIG_TEST_DIR")
        .into()
}

fn init_twice() {
    let _h = logfig::init_str("version: 1\n", logfig::Format::Yaml).expect("first init");
    let err =
        logfig::init_str("version: 1\n", logfig::Format::Yaml).expect_err("second init must fail");
    assert_eq!(err.kind(), logfig::ErrorKind::AlreadyInitialized);
    assert!(err.to_string().contains("once per process"), "{err}");
}

fn max_level() {
    let h = logfig::init_str(
        "version: 1\nloggers:\n  app::db: { level: DEBUG }\nroot: { level: WARNING }\n",
        logfig::Format::Yaml,
    )
    .expect("init");
    assert_eq!(log::max_level(), log::LevelFilter::Debug);
    h.dispatcher()
        .apply(
            &logfig::Config::from_str("version: 1\nroot: { level: ERROR }\n", logfig::Format::Yaml)
                .expect("config"),
        )
        .expect("apply");
    assert_eq!(log::max_level(), log::LevelFilter::Error);
    h.shutdown();
    assert_eq!(log::max_level(), log::LevelFilter::Off);
}

fn last_resort() {
    let _h = logfig::init_str("version: 1\nroot: { level: INFO }\n", logfig::Format::Yaml)
        .expect("init");
    log::info!("not shown: below the last resort's WARNING");
    log::warn!("a warning");
    log::error!("an error");
}

fn default_config() {
    // No LOGFIG_CONFIG and no logging.* in the (empty) working directory.
    let _h = logfig::init().expect("init");
    log::info!(target: "app", "hidden");
    log::warn!(target: "app", "careful");
    log::error!(target: "app::db", "broken");
}

fn flush_at_exit() {
    let path = test_dir().join("exit.log");
    let yaml = format!(
        "version: 1\nhandlers:\n  f: {{ type: file, path: '{}', flush_level: ERROR, buffer: 1MiB }}\nroot: {{ level: INFO, handlers: [f] }}\n",
        path.display()
    );
    let _handle = logfig::init_str(&yaml, logfig::Format::Yaml).expect("init");
    for i in 0..10_000 {
        log::info!("record {i}");
    }
    // Returning from main drops the handle, which flushes.
}

fn shutdown_under_load() {
    let path = test_dir().join("load.log");
    let yaml = format!(
        "version: 1\nhandlers:\n  f: {{ type: file, path: '{}' }}\nroot: {{ level: INFO, handlers: [f] }}\n",
        path.display()
    );
    let handle = logfig::init_str(&yaml, logfig::Format::Yaml).expect("init");
    let threads: Vec<_> = (0..2)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..20_000 {
                    log::info!("t{t} {i}");
                }
            })
        })
        .collect();
    while std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) < 1000 {
        std::thread::yield_now();
    }
    handle.shutdown();
    for t in threads {
        t.join().expect("a logging thread panicked");
    }
}

fn queue_at_exit() {
    let path = test_dir().join("queued.log");
    let yaml = format!(
        "version: 1\nhandlers:\n  f: {{ type: file, path: '{}' }}\n  q: {{ type: queue, handlers: [f], capacity: 1000 }}\nroot: {{ level: INFO, handlers: [q] }}\n",
        path.display()
    );
    let _handle = logfig::init_str(&yaml, logfig::Format::Yaml).expect("init");
    for i in 0..100_000 {
        log::info!("record {i}");
    }
    // Returning from main drops the handle, which waits for the queue.
}
