//! The whole comparison: every peer and scenario, one peer per process,
//! calibrated, three runs, medians, a line check after every run, and the
//! Markdown tables.

use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::check;
use crate::peers::{self, Memory, NOT_AVAILABLE, PEERS, Peer, SCENARIOS, Scenario, Status};

struct Options {
    tmp: PathBuf,
    out: Option<PathBuf>,
    target_secs: f64,
    runs: usize,
    only: Option<Vec<String>>,
    memory_records: u64,
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        tmp: PathBuf::new(),
        out: None,
        target_secs: 1.5,
        runs: 3,
        only: None,
        memory_records: 10_000_000,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--tmp" => o.tmp = PathBuf::from(value()?),
            "--out" => o.out = Some(PathBuf::from(value()?)),
            "--target-secs" => o.target_secs = value()?.parse().map_err(|e| format!("{e}"))?,
            "--runs" => o.runs = value()?.parse().map_err(|e| format!("{e}"))?,
            "--memory-records" => {
                o.memory_records = value()?.parse().map_err(|e| format!("{e}"))?;
            }
            "--only" => o.only = Some(value()?.split(',').map(str::to_string).collect()),
            _ => return Err(format!("unknown option `{flag}`")),
        }
    }
    if o.tmp.as_os_str().is_empty() {
        return Err("--tmp DIR is required".into());
    }
    if o.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    Ok(o)
}

/// What one case (peer × scenario) gave.
#[derive(Debug)]
enum Outcome {
    /// Median ns/msg of the runs, their values, N, the loss in percent (lossy
    /// peers only), memory (memory scenarios).
    Done {
        median: f64,
        runs: Vec<f64>,
        n: u64,
        loss_pct: Option<f64>,
        memory: Option<Memory>,
        first_line: Option<String>,
    },
    NotAvailable(String),
    Failed(String),
}

struct Case {
    peer: &'static Peer,
    scenario: Scenario,
    outcome: Outcome,
}

pub fn main(args: &[String]) -> Result<(), String> {
    let o = options(args)?;
    std::fs::create_dir_all(&o.tmp).map_err(|e| format!("{}: {e}", o.tmp.display()))?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let peers: Vec<&'static Peer> = match &o.only {
        Some(ids) => ids
            .iter()
            .map(|id| peers::find(id))
            .collect::<Result<_, _>>()?,
        None => PEERS.iter().collect(),
    };
    let total: usize = peers.iter().map(|p| p.scenarios.len()).sum();
    let started = Instant::now();
    let mut cases = Vec::new();
    for peer in peers {
        for &scenario in SCENARIOS.iter().filter(|s| peer.scenarios.contains(s)) {
            eprint!(
                "[{:>2}/{total} {:>4.0}s] {:<16} {:<22} ",
                cases.len() + 1,
                started.elapsed().as_secs_f64(),
                peer.id,
                scenario.name()
            );
            let outcome = run_case(&exe, &o, peer, scenario);
            match &outcome {
                Outcome::Done {
                    median,
                    n,
                    loss_pct,
                    ..
                } => eprintln!(
                    "N={n:<11} median {} ns/msg{}",
                    ns(*median),
                    loss_pct.map_or(String::new(), |l| format!(", loss {l:.1}%"))
                ),
                Outcome::NotAvailable(why) => eprintln!("n/a: {why}"),
                Outcome::Failed(why) => eprintln!("\n!!! FAILED: {why}"),
            }
            cases.push(Case {
                peer,
                scenario,
                outcome,
            });
        }
    }
    let report = render(&o, &cases, started.elapsed());
    print!("{report}");
    if let Some(out) = &o.out {
        std::fs::write(out, &report).map_err(|e| format!("{}: {e}", out.display()))?;
        eprintln!("wrote {}", out.display());
    }
    let failed: Vec<String> = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Failed(_)))
        .map(|c| format!("{} {}", c.peer.id, c.scenario))
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} case(s) failed: {}",
            failed.len(),
            failed.join(", ")
        ))
    }
}

/// One child process: `compare run PEER SCENARIO N DIR`.
struct Child {
    ns_per_msg: f64,
    memory: Option<Memory>,
}

enum ChildError {
    NotAvailable(String),
    Failed(String),
}

fn child(
    exe: &Path,
    peer: &Peer,
    scenario: Scenario,
    n: u64,
    dir: &Path,
) -> Result<Child, ChildError> {
    let fail = |e: String| ChildError::Failed(e);
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| fail(format!("{}: {e}", dir.display())))?;
    // The child's own output goes beside its directory, which must hold only
    // what the peer wrote.
    let out_path = dir.with_extension("stdout");
    let err_path = dir.with_extension("stderr");
    let stdout = File::create(&out_path).map_err(|e| fail(e.to_string()))?;
    let stderr = File::create(&err_path).map_err(|e| fail(e.to_string()))?;
    let mut process = Command::new(exe)
        .args(["run", peer.id, scenario.name(), &n.to_string()])
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|e| fail(format!("spawning {}: {e}", exe.display())))?;
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        match process.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() > deadline => {
                let _ = process.kill();
                let _ = process.wait();
                return Err(fail("no result after 180 s; killed".into()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(fail(e.to_string())),
        }
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_file(&out_path);
    let _ = std::fs::remove_file(&err_path);
    if let Some(at) = stderr.find(NOT_AVAILABLE) {
        let why = stderr[at + NOT_AVAILABLE.len()..]
            .lines()
            .next()
            .unwrap_or("");
        return Err(ChildError::NotAvailable(why.to_string()));
    }
    if !status.success() {
        return Err(fail(format!("{status}; stderr: {}", stderr.trim())));
    }
    let mut result = None;
    let mut memory = None;
    for line in stdout.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("RESULT") => result = words.next().and_then(|w| w.parse::<f64>().ok()),
            Some("MEMORY") => {
                let v: Vec<u64> = words.filter_map(|w| w.parse().ok()).collect();
                if let [r10, h10, r100, h100] = v[..] {
                    memory = Some(Memory {
                        at_10: Status {
                            rss_kib: r10,
                            hwm_kib: h10,
                        },
                        at_100: Status {
                            rss_kib: r100,
                            hwm_kib: h100,
                        },
                    });
                }
            }
            _ => {}
        }
    }
    let ns_per_msg =
        result.ok_or_else(|| fail(format!("no RESULT line in `{}`", stdout.trim())))?;
    Ok(Child { ns_per_msg, memory })
}

fn run_case(exe: &Path, o: &Options, peer: &'static Peer, scenario: Scenario) -> Outcome {
    let dir = o.tmp.join(format!("{}-{}", peer.id, scenario.name()));
    let outcome = run_case_in(exe, o, peer, scenario, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

fn run_case_in(
    exe: &Path,
    o: &Options,
    peer: &'static Peer,
    scenario: Scenario,
    dir: &Path,
) -> Outcome {
    let (n, runs) = if scenario.is_memory() {
        (o.memory_records, 1)
    } else {
        match calibrate(exe, o, peer, scenario, dir) {
            Ok(n) => (n, o.runs),
            Err(ChildError::NotAvailable(why)) => return Outcome::NotAvailable(why),
            Err(ChildError::Failed(why)) => return Outcome::Failed(format!("calibration: {why}")),
        }
    };
    let mut values = Vec::new();
    let mut memory = None;
    let mut worst_loss: Option<f64> = None;
    let mut first_line = None;
    for run in 0..runs {
        let run_dir = dir.join(format!("run{run}"));
        let result = match child(exe, peer, scenario, n, &run_dir) {
            Ok(r) => r,
            Err(ChildError::NotAvailable(why)) => return Outcome::NotAvailable(why),
            Err(ChildError::Failed(why)) => return Outcome::Failed(why),
        };
        let files = peers::output_files(&run_dir);
        if scenario.is_disabled() {
            let bytes = check::total_bytes(&files);
            if bytes != 0 {
                return Outcome::Failed(format!("a disabled run wrote {bytes} bytes"));
            }
        } else {
            let c = match check::check(&files, n) {
                Ok(c) => c,
                Err(e) => return Outcome::Failed(format!("line check: {e}")),
            };
            first_line = first_line.or(c.first_line.clone());
            let lossy = peer.lossy_async && scenario == Scenario::AsyncSustained;
            if c.duplicates > 0 || c.out_of_range > 0 || (!lossy && !c.exact(n)) {
                return Outcome::Failed(format!(
                    "line check: N={n}, {} distinct ids, {} missing, {} duplicated, {} out of range, \
                     {} other lines, in {} file(s)",
                    c.unique,
                    c.missing(n),
                    c.duplicates,
                    c.out_of_range,
                    c.other,
                    files.len()
                ));
            }
            if lossy {
                let loss = 100.0 * c.missing(n) as f64 / n as f64;
                worst_loss = Some(worst_loss.map_or(loss, |w: f64| w.max(loss)));
            }
        }
        let _ = std::fs::remove_dir_all(&run_dir);
        values.push(result.ns_per_msg);
        memory = memory.or(result.memory);
    }
    Outcome::Done {
        median: median(&values),
        runs: values,
        n,
        loss_pct: worst_loss,
        memory,
        first_line,
    }
}

/// A short run, grown until it takes long enough to time, then N for the
/// target duration.
fn calibrate(
    exe: &Path,
    o: &Options,
    peer: &Peer,
    scenario: Scenario,
    dir: &Path,
) -> Result<u64, ChildError> {
    let mut n: u64 = if scenario.is_disabled() {
        20_000_000
    } else {
        20_000
    };
    let cal_dir = dir.join("calibration");
    let mut ns = 0.0;
    for _ in 0..5 {
        ns = child(exe, peer, scenario, n, &cal_dir)?.ns_per_msg;
        let secs = ns * n as f64 / 1e9;
        if secs >= 0.15 {
            break;
        }
        let grow = (0.25 / secs.max(1e-6)).clamp(2.0, 50.0);
        n = (n as f64 * grow) as u64;
    }
    let _ = std::fs::remove_dir_all(&cal_dir);
    let target = o.target_secs * 1e9 / ns.max(0.01);
    Ok((target as u64).clamp(1_000, 20_000_000_000))
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if !n.is_multiple_of(2) => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// `0.84`, `17.8`, `1,714`.
fn ns(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2}")
    } else if v < 100.0 {
        format!("{v:.1}")
    } else {
        thousands(v.round() as u64)
    }
}

fn thousands(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn find<'a>(cases: &'a [Case], peer: &str, scenario: Scenario) -> Option<&'a Case> {
    cases
        .iter()
        .find(|c| c.peer.id == peer && c.scenario == scenario)
}

fn value(cases: &[Case], peer: &str, scenario: Scenario) -> Option<f64> {
    match &find(cases, peer, scenario)?.outcome {
        Outcome::Done { median, .. } => Some(*median),
        _ => None,
    }
}

fn cell(cases: &[Case], peer: &Peer, scenario: Scenario) -> String {
    let Some(case) = find(cases, peer.id, scenario) else {
        return if scenario == Scenario::AsyncSustained && peer.no_async {
            "none".into()
        } else {
            "-".into()
        };
    };
    match &case.outcome {
        Outcome::Done {
            median, loss_pct, ..
        } => match loss_pct {
            Some(l) => format!("{} (loss {l:.1}%)", ns(*median)),
            None if scenario == Scenario::AsyncSustained => format!("{} (no loss)", ns(*median)),
            None => ns(*median),
        },
        Outcome::NotAvailable(_) => "n/a".into(),
        Outcome::Failed(_) => "**FAILED**".into(),
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "-".into(),
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let rustc = Command::new("rustc")
        .arg("-V")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, Linux {}, {rustc}", kernel.trim())
}

fn render(o: &Options, cases: &[Case], took: Duration) -> String {
    let mut s = String::new();
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now());
    let _ = writeln!(
        s,
        "## logfig and its rivals, ns per message (lower is better)\n"
    );
    let _ = writeln!(
        s,
        "`bench/compare/run.sh`, {now}, on {}; one peer per process, N calibrated to \
         ~{:.1} s per run, median of {} runs, every id checked after every run. \
         The whole suite took {:.0} s.\n",
        machine(),
        o.target_secs,
        o.runs,
        took.as_secs_f64()
    );
    let _ = writeln!(
        s,
        "| peer | disabled | disabled, another target at DEBUG | file, 1 thread | file, 2 threads | async, sustained total (1 thread) |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
    let columns = [
        Scenario::Disabled,
        Scenario::DisabledOtherDebug,
        Scenario::File1t,
        Scenario::File2t,
        Scenario::AsyncSustained,
    ];
    let shown: Vec<&Peer> = PEERS
        .iter()
        .filter(|p| cases.iter().any(|c| c.peer.id == p.id))
        .collect();
    for peer in &shown {
        let cells: Vec<String> = columns.iter().map(|&sc| cell(cases, peer, sc)).collect();
        let _ = writeln!(s, "| {} | {} |", peer.label, cells.join(" | "));
    }

    let _ = writeln!(s, "\n### Ratios to the baselines of the same run\n");
    let _ = writeln!(
        s,
        "| peer | disabled ÷ atomic | other-DEBUG ÷ atomic | file 1t ÷ `write(2)` | file 1t ÷ `BufWriter` | file 2t ÷ `write(2)` | file 2t ÷ `BufWriter` | 2 threads ÷ 1 thread |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|");
    let atomic = value(cases, "atomic", Scenario::Disabled);
    let write1 = value(cases, "write", Scenario::File1t);
    let write2 = value(cases, "write", Scenario::File2t);
    let buf1 = value(cases, "bufwriter", Scenario::File1t);
    let buf2 = value(cases, "bufwriter", Scenario::File2t);
    for peer in shown.iter().filter(|p| p.id != "atomic") {
        let v = |sc| value(cases, peer.id, sc);
        let row = [
            ratio(v(Scenario::Disabled), atomic),
            ratio(v(Scenario::DisabledOtherDebug), atomic),
            ratio(v(Scenario::File1t), write1),
            ratio(v(Scenario::File1t), buf1),
            ratio(v(Scenario::File2t), write2),
            ratio(v(Scenario::File2t), buf2),
            ratio(v(Scenario::File2t), v(Scenario::File1t)),
        ];
        let _ = writeln!(s, "| {} | {} |", peer.label, row.join(" | "));
    }

    let memory: Vec<&Case> = cases.iter().filter(|c| c.scenario.is_memory()).collect();
    if !memory.is_empty() {
        let _ = writeln!(s, "\n### Memory: resident size while logging, one thread\n");
        let _ = writeln!(
            s,
            "\"flat\": VmRSS at the end within max(10%, 1 MiB) of VmRSS after 10% of the records.\n"
        );
        let _ = writeln!(
            s,
            "| peer | records | ns/msg | VmRSS at 10% | VmHWM at 10% | VmRSS at 100% | VmHWM at 100% | flat |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---|");
        for c in memory {
            let through = if c.scenario == Scenario::MemoryQueue {
                "**logfig** (`type: queue` in front of the default file handler)".to_string()
            } else {
                c.peer.label.to_string()
            };
            match &c.outcome {
                Outcome::Done {
                    median,
                    n,
                    memory: Some(m),
                    ..
                } => {
                    let margin = (m.at_10.rss_kib / 10).max(1024);
                    let flat = if m.at_100.rss_kib <= m.at_10.rss_kib + margin {
                        "yes"
                    } else {
                        "**no**"
                    };
                    let _ = writeln!(
                        s,
                        "| {through} | {} | {} | {} | {} | {} | {} | {flat} |",
                        thousands(*n),
                        ns(*median),
                        mib(m.at_10.rss_kib),
                        mib(m.at_10.hwm_kib),
                        mib(m.at_100.rss_kib),
                        mib(m.at_100.hwm_kib)
                    );
                }
                Outcome::NotAvailable(_) => {
                    let _ = writeln!(s, "| {through} | n/a | | | | | | |");
                }
                _ => {
                    let _ = writeln!(s, "| {through} | **FAILED** | | | | | | |");
                }
            }
        }
    }

    let _ = writeln!(s, "\n### Every case\n");
    let _ = writeln!(s, "| peer | scenario | N | runs, ns/msg | line check |");
    let _ = writeln!(s, "|---|---|---:|---|---|");
    for c in cases {
        let (n, runs, verdict) = match &c.outcome {
            Outcome::Done {
                n, runs, loss_pct, ..
            } => {
                let runs: Vec<String> = runs.iter().map(|v| ns(*v)).collect();
                let verdict = if c.scenario.is_disabled() {
                    "nothing written".to_string()
                } else if let Some(l) = loss_pct {
                    format!("lossy by design: up to {l:.2}% lost, no duplicates")
                } else {
                    "every id once".to_string()
                };
                (thousands(*n), runs.join(", "), verdict)
            }
            Outcome::NotAvailable(why) => (String::new(), "n/a".into(), why.clone()),
            Outcome::Failed(why) => (String::new(), "**FAILED**".into(), why.replace('|', "\\|")),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {n} | {runs} | {verdict} |",
            c.peer.id, c.scenario
        );
    }

    let _ = writeln!(s, "\n### The first line each peer wrote\n");
    let _ = writeln!(s, "```text");
    for peer in &shown {
        let line = cases
            .iter()
            .filter(|c| c.peer.id == peer.id)
            .find_map(|c| match &c.outcome {
                Outcome::Done {
                    first_line: Some(l),
                    ..
                } => Some(l.clone()),
                _ => None,
            });
        if let Some(line) = line {
            let _ = writeln!(s, "{:<16} {line}", peer.id);
        }
    }
    let _ = writeln!(s, "```");
    s
}
