//! The program `run.sh` counts instructions of: `driver SCENARIO N` sends N
//! records through `log::info!` to a `file` handler under one scenario's
//! config (in the directory `DRV_DIR`), then exits. It uses only what every
//! logfig revision since the first restructuring has (`init_str`, YAML), so
//! two revisions can be compared.
use std::env;

fn main() {
    let mut args = env::args().skip(1);
    let scenario = args.next().expect("usage: driver SCENARIO N");
    let n: u64 = args.next().expect("n").parse().expect("n");
    let dir = env::var("DRV_DIR").expect("DRV_DIR");
    let handler = match scenario.as_str() {
        "pattern" | "disabled" | "other_debug" => {
            "{ type: file, path: DIR/out.log, formatter: pattern }"
        }
        "json" => "{ type: file, path: DIR/out.log, formatter: json }",
        "handler_level" => "{ type: file, path: DIR/out.log, formatter: pattern, level: ERROR }",
        other => panic!("unknown scenario {other}"),
    }
    .replace("DIR", &dir);
    let root_level = if scenario == "disabled" || scenario == "other_debug" {
        "WARNING"
    } else {
        "INFO"
    };
    let loggers = if scenario == "other_debug" {
        "loggers:\n  other: { level: DEBUG }\n"
    } else {
        ""
    };
    let text = format!(
        "version: 1\nformatters:\n  pattern: {{ format: '%(asctime)s %(levelname)-8s %(name)s: %(message)s' }}\n  json: {{ type: json }}\nhandlers:\n  out: {handler}\n{loggers}root: {{ level: {root_level}, handlers: [out] }}\n"
    );
    let handle = logfig::init_str(&text, logfig::Format::Yaml).expect("config");
    for i in 0..n {
        log::info!(target: "bench", "request handled id={} latency_us={}", i, i % 1000);
    }
    drop(handle);
}
