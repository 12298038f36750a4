//! logfig against other logging crates, side by side (see README.md).
//!
//! `compare suite --tmp DIR --out FILE` runs every case, one peer per process, and
//! prints the Markdown table; `compare run PEER SCENARIO N DIR` is one such
//! process: it installs PEER, logs N records in SCENARIO into DIR and prints
//! `RESULT <ns per message>` (and the memory figures for `memory`).

mod check;
mod peers;
mod suite;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("suite") => suite::main(&args[1..]),
        Some("list") => {
            for (peer, scenarios) in peers::cases() {
                println!("{peer}: {}", scenarios.join(" "));
            }
            Ok(())
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("compare: {e}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage:
  compare suite --tmp DIR [--out FILE] [--target-secs S] [--runs R] [--only PEER,..] [--memory-records N]
  compare run PEER SCENARIO N DIR
  compare list";

fn run(args: &[String]) -> Result<(), String> {
    let [peer, scenario, n, dir] = args else {
        return Err(USAGE.to_string());
    };
    let n: u64 = n.parse().map_err(|e| format!("N `{n}`: {e}"))?;
    let scenario: peers::Scenario = scenario.parse()?;
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let out = peers::run(peer, scenario, n, dir)?;
    println!("RESULT {:.3}", out.ns_per_msg);
    if let Some(m) = out.memory {
        println!(
            "MEMORY {} {} {} {}",
            m.at_10.rss_kib, m.at_10.hwm_kib, m.at_100.rss_kib, m.at_100.hwm_kib
        );
    }
    Ok(())
}
