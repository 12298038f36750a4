//! Fuzzing every parser of logfig, on stable Rust: the YAML, TOML and JSON
//! loaders, `${}` expansion, the `%`/`{`/`$` formats with `datefmt`, the
//! Python `dictConfig` translator, the `fileConfig` INI reader and its `args`
//! literal reader, and the `rotating_file` archive pattern.
//!
//! `cargo test` runs a short, deterministic pass (seed 0, a fixed number of
//! inputs per target). `LOGFIG_FUZZ_SECONDS=15 cargo test --all-features
//! --test fuzz` runs each target for that long from a fresh seed, as CI
//! does. `LOGFIG_FUZZ_TARGET=yaml,pattern` picks targets;
//! `LOGFIG_FUZZ_SEED=n` repeats a run; `LOGFIG_FUZZ_REPLAY=<file>` (with one
//! target) runs one input and prints what happens.
//!
//! Each target is a thin call into the public API (`targets.rs`). Inputs
//! start from the seeds (`tests/fuzz/corpus/<target>/`, the config fixtures,
//! the examples, the Python compatibility configs) and are mutated with each
//! target's tokens, repetitions and splices (`mutate.rs`). Stable Rust has no
//! coverage feedback; instead each target reports what an input made it do
//! (the kinds of messages it gave: `targets::outcome`), and a mutant that
//! did something new is kept to build on. The tokens and the repetitions aim
//! the mutations at the shapes that broke parsers before.
//!
//! What counts as a finding, kept in `target/tmp/fuzz/findings/` and printed:
//!
//! - **a panic**: each input runs under `catch_unwind`;
//! - **an abort** (stack overflow, failed allocation): each target runs in a
//!   child process whose address space is capped with `ulimit -v` and whose
//!   inputs run on a thread with the reload thread's stack (2 MiB); the
//!   input in flight is written to a file first, so the parent can report it;
//! - **a hang**: the parent kills a child that overruns its time;
//! - **superlinear time**, found two ways that leave wide margins, since a
//!   shared machine's timings are noisy: an input of at most 64 KiB that
//!   takes longer than two seconds (best of three; a linear parser takes
//!   milliseconds) and than three times a config at the budget (a short
//!   YAML alias or `cfg://` bomb may cost what 250,000 values do, which the
//!   budget allows), and a growth probe that repeats a slice of an input to
//!   make it 16 times longer and compares the best of five runs of each
//!   size: linear work grows 16 times, quadratic 256; the probe reports
//!   growth over 64 times (128 in the short pass) once the larger input
//!   takes over 200 ms. Times are the thread's CPU time (on unix), so that
//!   waiting for a core on a loaded machine does not count. Instruction counts would be exact, but
//!   need `perf` or valgrind, which a CI runner may not have;
//! - **superlinear memory**: the `ulimit -v` cap (2 GiB) aborts a child that
//!   grows past it, and the pattern target checks that a record renders to
//!   at most a linear function of the pattern's size.
//!
//! A finding becomes a regression input: copy its file into
//! `tests/fuzz/corpus/<target>/` once fixed.

// reason: a test harness reports on stdout and stderr, and fails by panicking.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

mod mutate;
mod targets;

use std::collections::hash_map::DefaultHasher;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mutate::{Rng, mutate};
use targets::{TARGETS, Target};

/// The largest input the mutator makes.
const MAX_INPUT: usize = 64 << 10;
/// The reload thread's stack: std's default for spawned threads.
const STACK: usize = 2 << 20;
/// Each child's address space, in KiB.
const MEMORY_KIB: u64 = 2 << 20;
/// An input this slow (best of three) is a finding.
const SLOW: Duration = Duration::from_secs(2);
/// The growth probe: how much longer the second input is, the growth that
/// counts as superlinear (long runs, short pass), and the time under which
/// no growth counts.
const GROWTH: usize = 16;
const GROWTH_LIMIT: f64 = 64.0;
const GROWTH_LIMIT_SHORT: f64 = 128.0;
const GROWTH_FLOOR: Duration = Duration::from_millis(200);
/// Growth probes per target in the short pass.
const SHORT_PROBES: usize = 2;
/// A child stops after this many findings.
const MAX_FINDINGS: usize = 20;
/// Mutants kept to build on.
const POOL: usize = 4096;

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz")
}

fn main() -> ExitCode {
    if let Ok(name) = std::env::var("LOGFIG_FUZZ_CHILD") {
        return child(&name);
    }
    if let Ok(path) = std::env::var("LOGFIG_FUZZ_REPLAY") {
        return replay(Path::new(&path));
    }
    parent()
}

fn selected() -> Vec<&'static Target> {
    let wanted = std::env::var("LOGFIG_FUZZ_TARGET").unwrap_or_default();
    let wanted: Vec<&str> = wanted.split(',').filter(|s| !s.is_empty()).collect();
    TARGETS
        .iter()
        .filter(|t| wanted.is_empty() || wanted.contains(&t.name))
        .collect()
}

fn seconds() -> Option<u64> {
    std::env::var("LOGFIG_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
}

// ---- the parent: one child per target, two at a time ----------------------

fn parent() -> ExitCode {
    let seconds = seconds();
    let seed = std::env::var("LOGFIG_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| match seconds {
            // A long run explores from a new place each time; it prints its seed.
            Some(_) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_secs()),
            None => 0,
        });
    let dir = out_dir();
    std::fs::create_dir_all(dir.join("findings")).unwrap();
    let targets = selected();
    println!(
        "fuzz: {} targets, seed {seed}, {}",
        targets.len(),
        seconds.map_or("short pass".to_owned(), |s| format!("{s} s each"))
    );
    // Past its own time, a child has this long to finish its probes.
    let limit = Duration::from_secs(seconds.unwrap_or(0) + 300);
    let mut failed = Vec::new();
    let mut running: Vec<(&Target, Child, Instant)> = Vec::new();
    let mut queue = targets.into_iter();
    loop {
        while running.len() < 2
            && let Some(t) = queue.next()
        {
            running.push((t, spawn(t, seed), Instant::now()));
        }
        if running.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        let mut i = 0;
        while i < running.len() {
            let (t, child, started) = &mut running[i];
            let status = child.try_wait().unwrap();
            let status = match status {
                Some(s) => s,
                None if started.elapsed() > limit => {
                    let _ = child.kill();
                    let _ = child.wait();
                    report_lost(t, "hung (killed after its time)");
                    failed.push(t.name);
                    running.remove(i);
                    continue;
                }
                None => {
                    i += 1;
                    continue;
                }
            };
            match status.code() {
                Some(0) => {}
                Some(1) => failed.push(t.name),
                _ => {
                    report_lost(t, &format!("died ({status})"));
                    failed.push(t.name);
                }
            }
            running.remove(i);
        }
    }
    if failed.is_empty() {
        println!("fuzz: no findings");
        ExitCode::SUCCESS
    } else {
        println!(
            "fuzz: findings in {} (inputs in {})",
            failed.join(", "),
            dir.join("findings").display()
        );
        ExitCode::FAILURE
    }
}

/// Starts the child that fuzzes `t`, its memory capped when `sh` can.
fn spawn(t: &Target, seed: u64) -> Child {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = if Path::new("/bin/sh").exists() {
        let mut c = Command::new("/bin/sh");
        c.arg("-c")
            .arg(format!("ulimit -v {MEMORY_KIB} 2>/dev/null; exec \"$0\""))
            .arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    cmd.env("LOGFIG_FUZZ_CHILD", t.name)
        .env("LOGFIG_FUZZ_SEED", seed.to_string())
        .spawn()
        .unwrap()
}

/// A child that died or hung: its input in flight is the finding.
fn report_lost(t: &Target, what: &str) {
    let current = out_dir().join(format!("{}.current", t.name));
    let input = std::fs::read(&current).unwrap_or_default();
    let saved = save(t, "abort", &input);
    println!(
        "FINDING {}: {what} on an input of {} bytes, saved to {}: {}",
        t.name,
        input.len(),
        saved.display(),
        excerpt(&input)
    );
}

// ---- a child: one target ----------------------------------------------------

/// The panic of the input in flight, taken by the hook instead of printed.
static PANIC: Mutex<Option<String>> = Mutex::new(None);

fn child(name: &str) -> ExitCode {
    let Some(t) = TARGETS.iter().find(|t| t.name == name) else {
        eprintln!("fuzz: no target `{name}`");
        return ExitCode::FAILURE;
    };
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {l}"))
            .unwrap_or_default();
        *PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!("{message}{at}"));
    }));
    let seed: u64 = std::env::var("LOGFIG_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let worker = std::thread::Builder::new()
        .name(format!("fuzz-{name}"))
        .stack_size(STACK)
        .spawn(move || Fuzzer::new(t, seed).run())
        .unwrap();
    match worker.join() {
        Ok(0) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

struct Fuzzer {
    t: &'static Target,
    rng: Rng,
    seeds: Vec<Vec<u8>>,
    /// Mutants kept to mutate further: those that did something new.
    pool: Vec<Vec<u8>>,
    /// What inputs did so far (targets' outcome signatures).
    seen: std::collections::HashSet<u64>,
    dictionary: Vec<&'static str>,
    current: Option<File>,
    findings: usize,
    inputs: usize,
    /// The slowest input per byte: (ns per byte, its length).
    worst: (f64, usize),
    /// What counts as a slow input, once measured.
    slow: Option<Duration>,
    growth_limit: f64,
}

impl Fuzzer {
    fn new(t: &'static Target, seed: u64) -> Fuzzer {
        let seeds: Vec<Vec<u8>> = targets::seeds(t).into_iter().map(|(_, b)| b).collect();
        let current = File::create(out_dir().join(format!("{}.current", t.name))).ok();
        Fuzzer {
            t,
            rng: Rng::new(seed ^ hash(t.name.as_bytes())),
            seeds,
            pool: Vec::new(),
            seen: std::collections::HashSet::new(),
            dictionary: std::iter::once(t.words)
                .chain(t.dictionary.iter().copied())
                .flat_map(|g| g.split('¦'))
                .collect(),
            current,
            findings: 0,
            inputs: 0,
            worst: (0.0, 0),
            slow: None,
            growth_limit: if seconds().is_some() {
                GROWTH_LIMIT
            } else {
                GROWTH_LIMIT_SHORT
            },
        }
    }

    /// Fuzzes until the time or the input count is spent; the number of
    /// findings.
    fn run(mut self) -> usize {
        let started = Instant::now();
        for seed in self.seeds.clone() {
            self.check(&seed);
        }
        let (until, inputs, probes) = match seconds() {
            Some(s) => (
                Some(started + Duration::from_secs(s)),
                usize::MAX,
                usize::MAX,
            ),
            None => (None, self.t.short, SHORT_PROBES),
        };
        let mut probes_done = 0;
        let mut last_probe = Instant::now();
        let mut n = 0;
        while n < inputs && until.is_none_or(|u| Instant::now() < u) && self.findings < MAX_FINDINGS
        {
            n += 1;
            let base = self.base();
            let input = mutate(
                &mut self.rng,
                &base,
                &self.dictionary,
                &self.seeds,
                MAX_INPUT,
            );
            // An input that did something new is kept to build on.
            if self.check(&input) {
                if self.pool.len() < POOL {
                    self.pool.push(input);
                } else {
                    let i = self.rng.below(self.pool.len());
                    self.pool[i] = input;
                }
            }
            // A growth probe every other second (spread over the short pass).
            let due = match until {
                Some(_) => last_probe.elapsed() > Duration::from_secs(2),
                None => n % (self.t.short / SHORT_PROBES).max(1) == 0,
            };
            if due && probes_done < probes {
                probes_done += 1;
                let base = self.base();
                self.probe(&base);
                last_probe = Instant::now();
            }
        }
        println!(
            "fuzz {}: {} inputs, {} outcomes, {} growth probes, {} findings in {:.1} s; slowest {:.0} ns/byte (an input of {} bytes)",
            self.t.name,
            self.inputs,
            self.seen.len(),
            probes_done,
            self.findings,
            started.elapsed().as_secs_f64(),
            self.worst.0,
            self.worst.1
        );
        self.findings
    }

    /// An input to mutate: a mutant kept earlier, or (one time in four) a
    /// seed.
    fn base(&mut self) -> Vec<u8> {
        if !self.pool.is_empty() && !self.rng.chance(4) {
            self.rng.pick(&self.pool).clone()
        } else if !self.seeds.is_empty() {
            self.rng.pick(&self.seeds).clone()
        } else {
            Vec::new()
        }
    }

    /// Runs one input; its time and what it did, or `None` when it panicked.
    fn once(&mut self, input: &[u8]) -> Option<(Duration, u64)> {
        if let Some(f) = &self.current {
            remember(f, input);
        }
        self.inputs += 1;
        let run = self.t.run;
        let start = Clock::now();
        let result = catch_unwind(AssertUnwindSafe(|| run(input)));
        let took = start.elapsed();
        match result {
            Ok(outcome) => Some((took, outcome)),
            Err(_) => {
                let why = PANIC
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()
                    .unwrap_or_default();
                self.finding("panic", &why, input);
                None
            }
        }
    }

    /// Runs one input and looks at what it cost; whether it did something
    /// no input did before.
    fn check(&mut self, input: &[u8]) -> bool {
        let Some((took, outcome)) = self.once(input) else {
            return false;
        };
        let new = self.seen.insert(outcome);
        let per_byte = took.as_nanos() as f64 / input.len().max(1) as f64;
        if per_byte > self.worst.0 && input.len() >= 1024 {
            self.worst = (per_byte, input.len());
            // Kept for a look: the slowest input is where superlinear work
            // would show first.
            let _ = std::fs::write(out_dir().join(format!("{}.slowest", self.t.name)), input);
        }
        if took > SLOW && input.len() <= MAX_INPUT {
            let best = (0..2)
                .filter_map(|_| self.once(input))
                .fold(took, |best, (t, _)| best.min(t));
            let slow = self.slow();
            if best > slow {
                let why = format!("{best:?} for {} bytes (slow: over {slow:?})", input.len());
                self.finding("slow", &why, input);
            }
        }
        new
    }

    /// What counts as slow: [`SLOW`], or three times what a config at the
    /// budget costs, measured once, the first time it matters.
    fn slow(&mut self) -> Duration {
        if self.slow.is_none() {
            let reference = self.t.reference.map(|r| r());
            let at_budget = reference
                .and_then(|r| (0..2).filter_map(|_| self.once(&r)).map(|(t, _)| t).min())
                .unwrap_or_default();
            self.slow = Some(SLOW.max(at_budget * 3));
        }
        self.slow.unwrap_or(SLOW)
    }

    /// Makes `input` 16 times longer by repeating a slice of it, and reports
    /// growth of the time far beyond that.
    fn probe(&mut self, input: &[u8]) {
        let text = String::from_utf8_lossy(input).into_owned();
        if text.len() < 4 {
            return;
        }
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let a = self.rng.below(bounds.len() - 1);
        let b = (a + 1 + self.rng.below(32)).min(bounds.len() - 1);
        let (start, end) = (bounds[a], bounds[b]);
        let factor = (8192 / text.len()).max(2);
        let small = targets::grow(text.as_bytes(), start, end, factor);
        let large = targets::grow(text.as_bytes(), start, end, factor * GROWTH);
        let Some((s, l)) = self.time_pair(&small, &large, 3) else {
            return;
        };
        if l < GROWTH_FLOOR || l.as_secs_f64() < self.growth_limit * s.as_secs_f64() {
            return;
        }
        // Confirm with more runs before calling it.
        let Some((s, l)) = self.time_pair(&small, &large, 5) else {
            return;
        };
        if l >= GROWTH_FLOOR && l.as_secs_f64() >= self.growth_limit * s.as_secs_f64() {
            let why = format!(
                "{} bytes took {s:?}, {} bytes took {l:?} ({:.0} times as long for {} times the input)",
                small.len(),
                large.len(),
                l.as_secs_f64() / s.as_secs_f64(),
                large.len() / small.len().max(1)
            );
            save(self.t, "growth-small", &small);
            self.finding("superlinear", &why, &large);
        }
    }

    /// The best of `runs` runs of each input.
    fn time_pair(
        &mut self,
        small: &[u8],
        large: &[u8],
        runs: usize,
    ) -> Option<(Duration, Duration)> {
        let mut best = (Duration::MAX, Duration::MAX);
        for _ in 0..runs {
            best.0 = best.0.min(self.once(small)?.0);
            best.1 = best.1.min(self.once(large)?.0);
        }
        Some(best)
    }

    fn finding(&mut self, kind: &str, why: &str, input: &[u8]) {
        self.findings += 1;
        let saved = save(self.t, kind, input);
        println!(
            "FINDING {}: {kind}: {why}; input of {} bytes saved to {}: {}",
            self.t.name,
            input.len(),
            saved.display(),
            excerpt(input)
        );
    }
}

/// The cost of running an input: the thread's CPU time on unix, else the
/// wall clock. On a loaded machine the wall clock also counts the time the
/// thread waited for a core; a short input runs within one time slice while
/// a long one shares the core, so wall times alone made linear work look
/// superlinear (a growth probe measured 198 times as long for 16 times the
/// input under load, 10 times when idle).
struct Clock {
    cpu: Option<Duration>,
    wall: Instant,
}

impl Clock {
    fn now() -> Clock {
        Clock {
            cpu: thread_cpu(),
            wall: Instant::now(),
        }
    }

    fn elapsed(&self) -> Duration {
        match (self.cpu, thread_cpu()) {
            (Some(start), Some(end)) => end.saturating_sub(start),
            _ => self.wall.elapsed(),
        }
    }
}

#[cfg(unix)]
fn thread_cpu() -> Option<Duration> {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Some(Duration::new(
        u64::try_from(t.tv_sec).ok()?,
        u32::try_from(t.tv_nsec).ok()?,
    ))
}

#[cfg(not(unix))]
fn thread_cpu() -> Option<Duration> {
    None
}

/// Writes the input in flight where the parent finds it if this process dies.
fn remember(f: &File, input: &[u8]) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let _ = f.set_len(0);
        let _ = f.write_all_at(input, 0);
    }
    #[cfg(not(unix))]
    let _ = (f, input);
}

fn hash(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// Saves a finding's input under a name made of its target, kind and hash.
fn save(t: &Target, kind: &str, input: &[u8]) -> PathBuf {
    let path = out_dir()
        .join("findings")
        .join(format!("{}-{kind}-{:016x}", t.name, hash(input)));
    let _ = std::fs::create_dir_all(out_dir().join("findings"));
    let _ = std::fs::write(&path, input);
    path
}

/// The start of an input, escaped, for a report.
fn excerpt(input: &[u8]) -> String {
    let text = String::from_utf8_lossy(&input[..input.len().min(160)]);
    format!("{text:?}{}", if input.len() > 160 { "..." } else { "" })
}

/// Runs one saved input through the one selected target.
fn replay(path: &Path) -> ExitCode {
    let [t] = selected()[..] else {
        eprintln!("fuzz: LOGFIG_FUZZ_REPLAY needs one target in LOGFIG_FUZZ_TARGET");
        return ExitCode::FAILURE;
    };
    let input = std::fs::read(path).unwrap();
    let run = t.run;
    let worker = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            let start = Clock::now();
            let ok = catch_unwind(AssertUnwindSafe(|| run(&input))).is_ok();
            (ok, start.elapsed())
        })
        .unwrap();
    let (ok, took) = worker.join().unwrap();
    println!(
        "{}: {} in {took:?}",
        t.name,
        if ok { "ok" } else { "panicked" }
    );
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
