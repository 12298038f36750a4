//! Hot reload against the ways files really change: editors writing in place,
//! renaming over, vim's backup dance, deletion, Kubernetes' `..data` swap, and
//! polling. Each test edits a real config in a temporary directory while a
//! dispatcher runs, and waits for the new behaviour against a deadline.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use logfig::config::Level;
use logfig::{Builder, Handle};

use crate::dispatch::open_gate;

/// Generous: a reload normally lands in well under 100 ms; shared CI machines
/// can stall for seconds.
const DEADLINE: Duration = Duration::from_secs(20);

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

struct Fixture {
    dir: tempfile::TempDir,
    config: PathBuf,
    log: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("logging.yaml");
        let log = dir.path().join("app.log");
        Fixture { dir, config, log }
    }

    /// A config that writes `%(levelname)s %(message)s` at `level` to app.log.
    fn text(&self, level: &str, extra_reload: &str) -> String {
        format!(
            "version: 1\nreload: {{ debounce: 25ms {extra_reload} }}\nformatters:\n  f: {{ format: '%(levelname)s %(message)s' }}\n\
             handlers:\n  file: {{ type: file, path: '{}', formatter: f, mode: truncate }}\nroot: {{ level: {level}, handlers: [file] }}\n",
            self.log.display()
        )
    }

    fn start(&self, level: &str) -> Handle {
        self.start_with(level, "")
    }

    fn start_with(&self, level: &str, extra_reload: &str) -> Handle {
        open_gate();
        fs::write(&self.config, self.text(level, extra_reload)).unwrap();
        Builder::new().build_file(&self.config).unwrap()
    }

    fn lines(&self) -> Vec<String> {
        fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Logs DEBUG probes until one shows up in the file.
    fn wait_for_debug(&self, h: &Handle, what: &str) {
        let mut n = 0;
        wait_until(what, || {
            n += 1;
            log::debug!(logger: h.dispatcher(), "probe {n}");
            self.lines().iter().any(|l| l.starts_with("DEBUG probe"))
        });
    }
}

/// Writes `text` to `path` the way most editors do: a new file, renamed over.
/// Counts the calls of `on_reload` callbacks: every attempt, failed or not.
fn count_reloads(h: &Handle) -> Arc<AtomicUsize> {
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    h.on_reload(move |_| {
        s.fetch_add(1, Ordering::SeqCst);
    });
    seen
}

fn write_by_rename(path: &Path, text: &str) {
    let tmp = path.with_extension("yaml.tmp");
    fs::write(&tmp, text).unwrap();
    fs::rename(&tmp, path).unwrap();
}

#[test]
fn in_place_write() {
    let fx = Fixture::new();
    let h = fx.start("INFO");
    log::debug!(logger: h.dispatcher(), "hidden");
    fs::write(&fx.config, fx.text("DEBUG", "")).unwrap();
    fx.wait_for_debug(&h, "the in-place edit to apply");
    assert!(!fx.lines().iter().any(|l| l.contains("hidden")));
}

#[test]
fn rename_over_like_sed_i() {
    let fx = Fixture::new();
    let h = fx.start("INFO");
    write_by_rename(&fx.config, &fx.text("DEBUG", ""));
    fx.wait_for_debug(&h, "the renamed file to apply");
}

#[test]
fn vim_backup_sequence() {
    let fx = Fixture::new();
    let h = fx.start("INFO");
    let backup = fx.dir.path().join("logging.yaml~");
    fs::rename(&fx.config, &backup).unwrap();
    fs::write(&fx.config, fx.text("DEBUG", "")).unwrap();
    fs::remove_file(&backup).unwrap();
    fx.wait_for_debug(&h, "vim's write to apply");
}

#[test]
fn deleted_then_recreated() {
    let fx = Fixture::new();
    let h = fx.start("INFO");
    fs::remove_file(&fx.config).unwrap();
    // The running config stays while the file is gone.
    std::thread::sleep(Duration::from_millis(100));
    log::info!(logger: h.dispatcher(), "still running");
    assert!(fx.lines().contains(&"INFO still running".to_owned()));
    fs::write(&fx.config, fx.text("DEBUG", "")).unwrap();
    fx.wait_for_debug(&h, "the recreated file to apply");
}

/// Builds the layout the kubelet makes for a ConfigMap volume and swaps it the
/// way the kubelet does: a new timestamped directory, a `..data_tmp` symlink
/// renamed over `..data`, the old directory removed.
struct ConfigMapVolume {
    root: PathBuf,
    generation: usize,
}

#[cfg(unix)]
impl ConfigMapVolume {
    fn new(root: &Path, text: &str) -> ConfigMapVolume {
        let mut v = ConfigMapVolume {
            root: root.to_path_buf(),
            generation: 0,
        };
        let dir = v.write_generation(text);
        std::os::unix::fs::symlink(&dir, root.join("..data")).unwrap();
        std::os::unix::fs::symlink("..data/logging.yaml", root.join("logging.yaml")).unwrap();
        v
    }

    fn write_generation(&mut self, text: &str) -> String {
        self.generation += 1;
        let name = format!(
            "..2026_11_27_10_15_0{}.12345678{}",
            self.generation, self.generation
        );
        fs::create_dir(self.root.join(&name)).unwrap();
        fs::write(self.root.join(&name).join("logging.yaml"), text).unwrap();
        name
    }

    fn swap(&mut self, text: &str) {
        let old = fs::read_link(self.root.join("..data")).unwrap();
        let new = self.write_generation(text);
        std::os::unix::fs::symlink(&new, self.root.join("..data_tmp")).unwrap();
        fs::rename(self.root.join("..data_tmp"), self.root.join("..data")).unwrap();
        fs::remove_dir_all(self.root.join(old)).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn kubernetes_configmap_swap_three_times() {
    open_gate();
    let fx = Fixture::new();
    let mut volume = ConfigMapVolume::new(fx.dir.path(), &fx.text("INFO", ""));
    let h = Builder::new().build_file(&fx.config).unwrap();
    for (i, level) in ["DEBUG", "WARNING", "DEBUG"].into_iter().enumerate() {
        volume.swap(&fx.text(level, ""));
        let reloads = i as u64 + 1;
        wait_until(&format!("ConfigMap swap {reloads} to apply"), || {
            h.reload_status().unwrap().reloads() == reloads
        });
        let expected = if level == "DEBUG" {
            log::LevelFilter::Debug
        } else {
            log::LevelFilter::Warn
        };
        assert_eq!(h.dispatcher().max_level(), expected, "after swap {reloads}");
    }
}

#[test]
fn poll_only_mode() {
    let fx = Fixture::new();
    let h = fx.start_with("INFO", ", mode: poll, poll_interval: 50ms");
    fs::write(
        &fx.config,
        fx.text("DEBUG", ", mode: poll, poll_interval: 50ms"),
    )
    .unwrap();
    fx.wait_for_debug(&h, "the poll to notice the edit");
}

#[test]
fn a_reload_does_not_trigger_itself() {
    let fx = Fixture::new();
    let h = fx.start("INFO");
    fs::write(&fx.config, fx.text("DEBUG", "")).unwrap();
    wait_until("the edit to apply", || {
        h.reload_status().unwrap().reloads() == 1
    });
    // Reading the file (and writing the log next to it) must not cause another
    // reload; give a stray event ample time to show up.
    for i in 0..50 {
        log::info!(logger: h.dispatcher(), "line {i}");
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = h.reload_status().unwrap();
    assert_eq!(status.reloads(), 1, "{status:?}");
    assert!(
        fx.lines().iter().any(|l| l.starts_with("INFO reloaded")),
        "the reload is logged on the `logfig` target: {:?}",
        fx.lines()
    );
}

#[test]
fn a_busy_log_file_in_the_same_directory_does_not_delay_a_reload() {
    let fx = Fixture::new();
    let h = fx.start_with("INFO", ", max_wait: 200ms");
    let stop = Arc::new(AtomicBool::new(false));
    let noisy = fx.dir.path().join("noisy.log");
    let s = stop.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let mut f = fs::File::create(noisy).unwrap();
        while !s.load(Ordering::Relaxed) {
            writeln!(f, "noise").unwrap();
            f.flush().unwrap();
            std::thread::sleep(Duration::from_millis(2));
        }
    });
    std::thread::sleep(Duration::from_millis(50));
    fs::write(&fx.config, fx.text("DEBUG", ", max_wait: 200ms")).unwrap();
    fx.wait_for_debug(&h, "the edit to apply despite the noise");
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
}

#[test]
fn invalid_edits_keep_the_running_graph_and_are_reported() {
    let fx = Fixture::new();
    let h = fx.start("INFO");
    let seen = count_reloads(&h);
    let bad_edits = [
        ("version: 1\nroot: [unclosed\n", "2:7: invalid YAML"),
        (
            "version: 1\nroot: { levle: DEBUG }\n",
            "2:9: root.levle: unknown key `levle` (did you mean `level`?)",
        ),
        (
            "version: 1\nroot: { level: DEBUG, handlers: [nope] }\n",
            "2:34: root.handlers[0]: handler `nope` is not defined",
        ),
        (
            "version: 1\nfilters:\n  f: { type: regex, pattern: '(' }\nroot: { level: DEBUG }\n",
            "3:30: filters.f.pattern: invalid regex",
        ),
    ];
    for (i, (text, expected)) in bad_edits.iter().enumerate() {
        fs::write(&fx.config, text).unwrap();
        wait_until(&format!("bad edit {i} to be reported"), || {
            h.reload_status()
                .unwrap()
                .last_error()
                .is_some_and(|e| e.contains(expected))
        });
        let status = h.reload_status().unwrap();
        let d = &status.diagnostics()[0];
        assert_eq!(d.file(), Some(fx.config.as_path()));
        assert!(d.line() > 0, "{d}");
        assert_eq!(status.reloads(), 0);
        assert_eq!(
            h.dispatcher().max_level(),
            log::LevelFilter::Info,
            "the running graph stays"
        );
        assert_eq!(
            seen.load(Ordering::SeqCst),
            i + 1,
            "on_reload hears failures too"
        );
    }
    fs::write(&fx.config, fx.text("DEBUG", "")).unwrap();
    // The status changes last: once it counts the reload, everything of it
    // happened (the graph runs, the callback was called).
    wait_until("the next valid edit to apply", || {
        h.reload_status().unwrap().reloads() == 1
    });
    assert!(h.reload_status().unwrap().last_error().is_none());
    assert_eq!(seen.load(Ordering::SeqCst), bad_edits.len() + 1);
    log::debug!(logger: h.dispatcher(), "probe");
    assert!(fx.lines().contains(&"DEBUG probe".to_owned()));
}

/// `fs::write` truncates, then writes. On a busy machine the writer can stall
/// between the two for longer than the watcher's retry window: the empty file
/// it leaves meanwhile is a write in progress, not a config to report.
#[test]
fn a_file_left_empty_by_a_stalled_writer_is_not_reported() {
    use std::io::Write as _;
    let fx = Fixture::new();
    let h = fx.start("INFO");
    let seen = count_reloads(&h);
    let mut file = fs::File::create(&fx.config).unwrap();
    // Longer than the watcher's debounce and its mid-write retry together.
    std::thread::sleep(Duration::from_secs(1));
    file.write_all(b"version: 1\nroot: { levle: DEBUG }\n")
        .unwrap();
    drop(file);
    wait_until("the bad edit to be reported", || {
        h.reload_status()
            .unwrap()
            .last_error()
            .is_some_and(|e| e.contains("unknown key `levle`"))
    });
    // Once the status shows the valid edit after it, every callback before
    // it was called: the count is exact.
    fs::write(&fx.config, fx.text("DEBUG", "")).unwrap();
    wait_until("the valid edit to apply", || {
        h.reload_status().unwrap().reloads() == 1
    });
    assert_eq!(
        seen.load(Ordering::SeqCst),
        2,
        "one failure (the bad content) and one success: the empty file was not an attempt"
    );
}

/// A panic while a reload builds the new graph (here a custom factory's) is a
/// failed reload: the running graph stays, the failure names the file, and
/// the watcher thread lives on to apply the next valid edit. A callback that
/// panics every time does not stop it either.
#[test]
fn a_factory_that_panics_during_a_reload_is_a_failure_and_watching_goes_on() {
    let fx = Fixture::new();
    open_gate();
    fs::write(&fx.config, fx.text("INFO", "")).unwrap();
    let h = Builder::new()
        .handler_factory("boom", |_| panic!("the factory exploded"))
        .build_file(&fx.config)
        .unwrap();
    h.on_reload(|_| panic!("a callback that always panics"));
    let boom = format!(
        "version: 1\nreload: {{ debounce: 25ms }}\nhandlers:\n  b: {{ type: custom, factory: boom }}\n  file: {{ type: file, path: '{}' }}\nroot: {{ level: DEBUG, handlers: [b, file] }}\n",
        fx.log.display()
    );
    fs::write(&fx.config, boom).unwrap();
    wait_until("the panic to be reported as a failed reload", || {
        h.reload_status()
            .unwrap()
            .last_error()
            .is_some_and(|e| e.contains("factory `boom` panicked: the factory exploded"))
    });
    let status = h.reload_status().unwrap();
    let d = &status.diagnostics()[0];
    assert_eq!(d.file(), Some(fx.config.as_path()), "{d}");
    assert_eq!((d.line(), d.path()), (4, "handlers.b"), "{d}");
    assert_eq!(status.reloads(), 0);
    assert_eq!(h.dispatcher().max_level(), log::LevelFilter::Info);
    assert!(
        fx.lines()
            .iter()
            .any(|l| l.starts_with("ERROR reloading") && l.contains("failed")),
        "the failure is logged through the running graph: {:?}",
        fx.lines()
    );
    fs::write(&fx.config, fx.text("DEBUG", "")).unwrap();
    wait_until("the next valid edit to apply", || {
        h.reload_status().unwrap().reloads() == 1
    });
    assert_eq!(h.dispatcher().max_level(), log::LevelFilter::Debug);
}

#[cfg(target_os = "linux")]
fn fd_of(path: &Path) -> Option<String> {
    fs::read_dir("/proc/self/fd")
        .ok()?
        .flatten()
        .find(|e| fs::read_link(e.path()).is_ok_and(|t| t == path))
        .map(|e| e.file_name().to_string_lossy().into_owned())
}

#[cfg(target_os = "linux")]
#[test]
fn a_level_only_reload_keeps_the_same_open_file() {
    let fx = Fixture::new();
    let h = fx.start("INFO");
    log::info!(logger: h.dispatcher(), "before");
    let log = fs::canonicalize(&fx.log).unwrap();
    let fd = fd_of(&log).expect("the log file is open");
    fs::write(&fx.config, fx.text("DEBUG", "")).unwrap();
    fx.wait_for_debug(&h, "the level change");
    assert_eq!(
        fd_of(&log),
        Some(fd),
        "same descriptor: the handler was reused"
    );
    assert_eq!(
        fx.lines()[0],
        "INFO before",
        "mode: truncate did not truncate again"
    );
}

#[test]
fn two_threads_log_through_200_reloads_without_loss_or_duplication() {
    open_gate();
    let fx = Fixture::new();
    // Two configs that differ in handler name (so handlers are replaced and
    // retired under load) and format.
    let config = |name: &str, prefix: &str| {
        format!(
            "version: 1\nformatters:\n  f: {{ format: '{prefix} %(message)s' }}\nhandlers:\n  {name}: {{ type: file, path: '{}', formatter: f }}\nroot: {{ level: INFO, handlers: [{name}] }}\n",
            fx.log.display()
        )
    };
    fs::write(&fx.config, config("a", "A")).unwrap();
    let h = Builder::new().build_file(&fx.config).unwrap();
    let d = h.dispatcher().clone();
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..2u64)
        .map(|t| {
            let (d, stop) = (d.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    log::info!(logger: d, "{}", t * 1_000_000_000 + i);
                    i += 1;
                }
                i
            })
        })
        .collect();
    for i in 0..200 {
        let (name, prefix) = if i % 2 == 0 { ("b", "B") } else { ("a", "A") };
        fs::write(&fx.config, config(name, prefix)).unwrap();
        h.reload_now().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let counts: Vec<u64> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    drop(h);
    let mut seen = std::collections::HashSet::new();
    for line in fx.lines() {
        let (prefix, n) = line.split_once(' ').expect("whole lines");
        assert!(prefix == "A" || prefix == "B", "{line:?}");
        if let Ok(n) = n.parse::<u64>() {
            assert!(seen.insert(n), "{n} written twice");
        }
    }
    for (t, count) in counts.iter().enumerate() {
        for i in 0..*count {
            assert!(
                seen.contains(&(t as u64 * 1_000_000_000 + i)),
                "thread {t} record {i} lost"
            );
        }
    }
    assert!(
        counts.iter().sum::<u64>() > 200,
        "the threads logged during the reloads"
    );
}

#[test]
fn a_level_override_survives_a_reload_then_expires() {
    const TTL: Duration = Duration::from_secs(1);
    let fx = Fixture::new();
    let h = fx.start("INFO");
    // Taken before the call: the override's expiry is computed inside it,
    // so it falls at `set_at + TTL` or later, never earlier.
    let set_at = Instant::now();
    h.set_level("root", Level::Debug, Some(TTL)).unwrap();
    // Without a time-to-live: its survival is checked however long the
    // reload takes on a stalled machine.
    h.set_level("app", Level::Error, None).unwrap();
    log::debug!(logger: h.dispatcher(), "override on");
    // A reload of the file (to WARNING) keeps the overrides on top.
    fs::write(&fx.config, fx.text("WARNING", "")).unwrap();
    wait_until("the reload", || h.reload_status().unwrap().reloads() == 1);
    let level = h.dispatcher().max_level();
    // Read after the level: while under `TTL` has passed since `set_at`,
    // the root override cannot have expired yet.
    if set_at.elapsed() < TTL {
        assert_eq!(
            level,
            log::LevelFilter::Debug,
            "the override survived the reload"
        );
    }
    log::warn!(logger: h.dispatcher(), target: "app", "app below its override");
    log::error!(logger: h.dispatcher(), target: "app", "app at its override");
    wait_until("the override to expire", || {
        h.dispatcher().max_level() == log::LevelFilter::Warn
    });
    assert!(set_at.elapsed() >= TTL, "expired early");
    log::info!(logger: h.dispatcher(), "gone");
    let lines = fx.lines();
    assert!(lines.contains(&"DEBUG override on".to_owned()), "{lines:?}");
    assert!(
        lines.contains(&"ERROR app at its override".to_owned()),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.ends_with("below its override")),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.ends_with("gone")), "{lines:?}");
}

#[test]
fn dropping_the_handle_stops_watching() {
    let fx = Fixture::new();
    let h = fx.start("INFO");
    let d = h.dispatcher().clone();
    drop(h);
    fs::write(&fx.config, fx.text("DEBUG", "")).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(d.max_level(), log::LevelFilter::Info);
}

#[cfg(unix)]
#[test]
fn sighup_reopens_a_file_that_logrotate_moved_away() {
    let fx = Fixture::new();
    let h = fx.start_with("INFO", ", on_sighup: true");
    log::info!(logger: h.dispatcher(), "before rotation");
    let rotated = fx.dir.path().join("app.log.1");
    fs::rename(&fx.log, &rotated).unwrap();
    log::info!(logger: h.dispatcher(), "still to the old file");
    let status = std::process::Command::new("kill")
        .args(["-HUP", &std::process::id().to_string()])
        .status()
        .expect("running kill");
    assert!(status.success());
    let mut n = 0;
    wait_until("SIGHUP to reopen the file at its path", || {
        n += 1;
        log::info!(logger: h.dispatcher(), "after {n}");
        fx.lines().iter().any(|l| l.starts_with("INFO after"))
    });
    // Lines logged before the signal was handled stay in the rotated file.
    let old = fs::read_to_string(&rotated).unwrap();
    assert!(
        old.starts_with("INFO before rotation\nINFO still to the old file\n"),
        "{old:?}"
    );
    assert!(
        old.lines().skip(2).all(|l| l.starts_with("INFO after")),
        "{old:?}"
    );
}

#[test]
fn reopen_writes_to_a_new_file_at_the_path() {
    let fx = Fixture::new();
    let h = fx.start("INFO");
    log::info!(logger: h.dispatcher(), "one");
    fs::remove_file(&fx.log).unwrap();
    h.reopen();
    log::info!(logger: h.dispatcher(), "two");
    assert_eq!(fx.lines(), ["INFO two"]);
}
