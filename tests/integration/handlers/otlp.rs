//! The `otlp` handler against an independent decoder: a Python OTLP/HTTP
//! receiver (`tests/servers/otlp_receiver.py`) that decodes every request
//! with the official OpenTelemetry protobuf classes from PyPI
//! (`opentelemetry-proto`). Skipped loudly without python3 and the package;
//! fails instead under `LOGFIG_REQUIRE_SERVERS=1`.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use logfig::{Config, Format};
use serde_json::Value;

use crate::dispatch::open_gate;
use crate::network::{dispatcher, missing, require, wait_until};

/// The receiver, saving each decoded request into a temporary directory.
pub(crate) struct Receiver {
    child: Child,
    pub(crate) port: u16,
    dir: tempfile::TempDir,
}

impl Receiver {
    fn start(test: &str, script: &str) -> Option<Receiver> {
        Receiver::start_with(test, script, &[])
    }

    /// With more arguments for the receiver (`--cert`, `--key`).
    pub(crate) fn start_with(test: &str, script: &str, more: &[&str]) -> Option<Receiver> {
        if !require(test, "python3", "apt-get install python3") {
            return None;
        }
        let installed = Command::new("python3")
            .args([
                "-c",
                "import opentelemetry.proto.collector.logs.v1.logs_service_pb2",
            ])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            missing(
                test,
                "the opentelemetry-proto Python package",
                "python3 -m pip install opentelemetry-proto",
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/servers/otlp_receiver.py"
            ))
            .arg(dir.path())
            .args(["--script", script])
            .args(more)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting tests/servers/otlp_receiver.py");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let port = first
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("otlp_receiver.py said {first:?}"));
        Some(Receiver { child, port, dir })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/v1/logs", self.port)
    }

    /// The requests received so far, in order; each must have decoded.
    pub(crate) fn requests(&self) -> Vec<Value> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| {
                let v: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
                assert!(v.get("error").is_none(), "undecodable request: {v}");
                v
            })
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One decoded log record with its scope and resource.
#[derive(Debug)]
pub(crate) struct Got {
    pub(crate) scope: String,
    resource: BTreeMap<String, Value>,
    pub(crate) record: Value,
}

impl Got {
    /// The attribute `key` as its one `AnyValue` entry (`{"int_value": "3"}`).
    fn attr(&self, key: &str) -> Option<&Value> {
        self.record["attributes"]
            .as_array()?
            .iter()
            .find(|a| a["key"] == key)
            .map(|a| &a["value"])
    }
}

pub(crate) fn records(requests: &[Value]) -> Vec<Got> {
    let mut out = Vec::new();
    for req in requests {
        for rl in req["request"]["resource_logs"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let resource: BTreeMap<String, Value> = rl["resource"]["attributes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| (a["key"].as_str().unwrap().to_owned(), a["value"].clone()))
                .collect();
            for sl in rl["scope_logs"].as_array().into_iter().flatten() {
                for r in sl["log_records"].as_array().into_iter().flatten() {
                    out.push(Got {
                        scope: sl["scope"]["name"].as_str().unwrap_or("").to_owned(),
                        resource: resource.clone(),
                        record: r.clone(),
                    });
                }
            }
        }
    }
    out
}

/// Both OTLP protocols, in the order [`per_protocol`] runs them.
const PROTOCOLS: [&str; 2] = ["http/protobuf", "http/json"];

/// Runs `log` against a dispatcher whose root (at INFO) has one `otlp`
/// handler `otel` sending to `rx` with each protocol in turn, with `more`
/// added to its settings and `head` (formatters) before the handlers; each
/// dispatcher is flushed and shut down after it.
fn per_protocol(rx: &Receiver, head: &str, more: &str, log: impl Fn(&logfig::Dispatcher, &str)) {
    for protocol in PROTOCOLS {
        let d = dispatcher(&format!(
            "version: 1\n{head}handlers:\n  otel: {{ type: otlp, endpoint: '{}', protocol: {protocol}{more} }}\nroot: {{ level: INFO, handlers: [otel] }}\n",
            rx.url()
        ));
        log(&d, protocol);
        d.flush_handlers();
        d.shutdown();
    }
}

/// Logs `message` at `level` to target `app` with `kvs`, whose keys and
/// values `log!` cannot all spell.
fn log_kvs(
    d: &logfig::Dispatcher,
    level: log::Level,
    message: &str,
    kvs: &[(&str, log::kv::Value<'_>)],
) {
    log::Log::log(
        d,
        &log::Record::builder()
            .args(format_args!("{message}"))
            .level(level)
            .target("app")
            .key_values(&kvs)
            .build(),
    );
}

fn otlp_10000(test: &str, protocol: &str) {
    let Some(rx) = Receiver::start(test, "200") else {
        return;
    };
    open_gate();
    let d = Arc::new(dispatcher(&format!(
        "version: 1\nhandlers:\n  otel:\n    type: otlp\n    endpoint: '{}'\n    protocol: {protocol}\n    compression: gzip\n    max_batch: 700\n    max_delay: 20ms\n    timeout: 60s\n    buffer: 20000\n    resource: {{ service.name: shop, deployment.environment: test }}\nroot: {{ level: TRACE, handlers: [otel] }}\n",
        rx.url()
    )));
    let levels = [
        log::Level::Trace,
        log::Level::Debug,
        log::Level::Info,
        log::Level::Warn,
        log::Level::Error,
    ];
    let threads: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|t| {
            let d = Arc::clone(&d);
            std::thread::Builder::new()
                .name(format!("logger-{t}"))
                .spawn(move || {
                    for i in 0..5000_i64 {
                        let level = levels[(i % 5) as usize];
                        let target = if t == "a" { "shop::cart" } else { "shop.pay" };
                        log::log!(logger: d, target: target, level, t = t, i = i, f = i as f64 + 0.5, ok = i % 2 == 0, big = u64::MAX, s = "line\none"; "record {t} {i}");
                    }
                })
                .unwrap()
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    d.flush_handlers();
    // The receiver decodes each batch in Python, which a loaded machine
    // slows to minutes for all of them (hence the request `timeout`: a
    // request given up while the receiver saves it would be sent twice):
    // the wait fails when the export stalls, not when it is slow.
    let mut progress = (0, Instant::now());
    wait_until("10000 records exported", Duration::from_secs(600), || {
        let s = d.stats()["otel"];
        let done = s.emitted + s.failed + s.dropped;
        if done != progress.0 {
            progress = (done, Instant::now());
        }
        assert!(
            progress.1.elapsed() < Duration::from_secs(60),
            "no record exported for 60 s: {s:?}"
        );
        done == 10_000
    });
    let stats = d.stats()["otel"];
    assert_eq!((stats.emitted, stats.failed, stats.dropped), (10_000, 0, 0));
    let requests = rx.requests();
    for r in &requests {
        assert_eq!(r["headers"]["content-encoding"], "gzip");
        assert_eq!(r["path"], "/v1/logs");
    }
    let got = records(&requests);
    assert_eq!(got.len(), 10_000);
    let mut seen = HashSet::new();
    let severity = |l: log::Level| match l {
        log::Level::Trace => (1, "TRACE"),
        log::Level::Debug => (5, "DEBUG"),
        log::Level::Info => (9, "INFO"),
        log::Level::Warn => (13, "WARNING"),
        log::Level::Error => (17, "ERROR"),
    };
    for g in &got {
        let t = g.attr("t").unwrap()["string_value"]
            .as_str()
            .unwrap()
            .to_owned();
        let i: i64 = g.attr("i").unwrap()["int_value"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(seen.insert((t.clone(), i)), "{t} {i} twice");
        assert_eq!(g.record["body"]["string_value"], format!("record {t} {i}"));
        let (n, text) = severity(levels[(i % 5) as usize]);
        assert_eq!(g.record["severity_number"], n);
        assert_eq!(g.record["severity_text"], text);
        assert_eq!(g.attr("f").unwrap()["double_value"], i as f64 + 0.5);
        assert_eq!(g.attr("ok").unwrap()["bool_value"], i % 2 == 0);
        // Beyond int64: exact, as text.
        assert_eq!(g.attr("big").unwrap()["string_value"], u64::MAX.to_string());
        assert_eq!(g.attr("s").unwrap()["string_value"], "line\none");
        assert_eq!(g.attr("code.filepath").unwrap()["string_value"], file!());
        assert!(g.attr("code.lineno").unwrap()["int_value"].is_string());
        assert_eq!(
            g.attr("code.namespace").unwrap()["string_value"],
            module_path!()
        );
        assert_eq!(
            g.attr("thread.name").unwrap()["string_value"],
            format!("logger-{t}")
        );
        assert!(g.attr("thread.id").unwrap()["int_value"].is_string());
        let scope = if t == "a" { "shop::cart" } else { "shop.pay" };
        assert_eq!(g.scope, scope);
        assert_eq!(g.resource["service.name"]["string_value"], "shop");
        assert_eq!(g.resource["deployment.environment"]["string_value"], "test");
        assert_eq!(g.resource["telemetry.sdk.name"]["string_value"], "logfig");
        let time: u64 = g.record["time_unix_nano"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let observed: u64 = g.record["observed_time_unix_nano"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(time > 1_600_000_000_000_000_000 && observed >= time);
    }
    let s = d.stats()["otel"];
    assert_eq!((s.dropped, s.failed, s.retried), (0, 0, 0));
}

#[test]
fn otlp_protobuf_10000_records_from_two_threads_decode_with_the_official_classes() {
    otlp_10000("otlp_protobuf_10000", "http/protobuf");
}

#[test]
fn otlp_json_10000_records_from_two_threads_decode_with_json_format() {
    otlp_10000("otlp_json_10000", "http/json");
}

#[test]
fn otlp_trace_ids_formatter_body_and_limits() {
    let Some(rx) = Receiver::start("otlp_trace_ids", "200") else {
        return;
    };
    open_gate();
    per_protocol(
        &rx,
        "formatters:\n  f: { format: '%(levelname)s %(message)s' }\n",
        ", formatter: f",
        |d, _| {
            log::info!(logger: d, trace_id = "4bf92f3577b34da6a3ce929d0e0e4736", span_id = "00f067aa0ba902b7"; "traced");
            log::info!(logger: d, trace_id = "not-hex"; "untraced");
            // 200 key-values: 128 attributes at most, the rest counted.
            let names: Vec<String> = (0..200).map(|i| format!("k{i:03}")).collect();
            let kvs: Vec<(&str, log::kv::Value<'_>)> = names
                .iter()
                .zip(0i64..)
                .map(|(k, v)| (k.as_str(), v.into()))
                .collect();
            log_kvs(d, log::Level::Warn, "many", &kvs);
        },
    );
    let got = records(&rx.requests());
    assert_eq!(got.len(), 6);
    for pair in got.chunks(3) {
        let traced = &pair[0];
        assert_eq!(
            traced.record["trace_id"],
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert_eq!(traced.record["span_id"], "00f067aa0ba902b7");
        assert_eq!(traced.record["body"]["string_value"], "INFO traced");
        assert!(traced.attr("trace_id").is_none());
        let untraced = &pair[1];
        assert!(untraced.record.get("trace_id").is_none());
        assert_eq!(
            untraced.attr("trace_id").unwrap()["string_value"],
            "not-hex"
        );
        let many = &pair[2];
        assert_eq!(many.record["attributes"].as_array().unwrap().len(), 128);
        // 200 key-values, `thread.id` and `thread.name`.
        assert_eq!(many.record["dropped_attributes_count"], 200 + 2 - 128);
    }
}

/// A body past 1MiB, a string value past 64KiB and a logger name past 1KiB
/// are cut at a character, decode with the official classes, and the record
/// with the cut body counts as `oversized`.
#[test]
fn otlp_bounds_cut_long_text_at_a_character() {
    let Some(rx) = Receiver::start("otlp_bounds", "200") else {
        return;
    };
    open_gate();
    per_protocol(&rx, "", "", |d, protocol| {
        let body = format!("{}é", "b".repeat((1 << 20) - 1));
        let value = format!("{}é", "v".repeat((64 << 10) - 1));
        let scope = format!("{}é", "s".repeat(1023));
        log::info!(logger: d, target: &scope, v = value.as_str(); "{body}");
        d.flush_handlers();
        assert_eq!(d.stats()["otel"].oversized, 1, "{protocol}");
    });
    let got = records(&rx.requests());
    assert_eq!(got.len(), 2);
    // Compared by length and content, not printed whole when they differ.
    let only = |s: &str, c: char| (s.len(), s.chars().all(|x| x == c));
    for (g, protocol) in got.iter().zip(PROTOCOLS) {
        let text = |v: &Value| v["string_value"].as_str().unwrap().to_owned();
        let body = text(&g.record["body"]);
        assert_eq!(only(&body, 'b'), ((1 << 20) - 1, true), "{protocol}");
        let value = text(g.attr("v").unwrap());
        assert_eq!(only(&value, 'v'), ((64 << 10) - 1, true), "{protocol}");
        assert_eq!(only(&g.scope, 's'), (1023, true), "{protocol}");
    }
}

/// The edges of each attribute type decode with the official classes, in
/// both protocols: negative and extreme integers, non-finite doubles, an
/// empty string, a character, a null.
#[test]
fn otlp_attribute_types_at_their_edges() {
    let Some(rx) = Receiver::start("otlp_types", "200") else {
        return;
    };
    open_gate();
    per_protocol(&rx, "", "", |d, _| {
        let kvs: [(&str, log::kv::Value<'_>); 8] = [
            ("min", i64::MIN.into()),
            ("neg", (-1i32).into()),
            ("nan", f64::NAN.into()),
            ("inf", f64::INFINITY.into()),
            ("ninf", f64::NEG_INFINITY.into()),
            ("empty", "".into()),
            ("ch", 'é'.into()),
            ("none", log::kv::Value::null()),
        ];
        log_kvs(d, log::Level::Info, "types", &kvs);
    });
    let got = records(&rx.requests());
    assert_eq!(got.len(), 2);
    for (g, protocol) in got.iter().zip(PROTOCOLS) {
        let a = |k: &str| g.attr(k).unwrap_or_else(|| panic!("{protocol}: no {k}"));
        assert_eq!(a("min")["int_value"], i64::MIN.to_string(), "{protocol}");
        assert_eq!(a("neg")["int_value"], "-1", "{protocol}");
        assert_eq!(a("nan")["double_value"], "NaN", "{protocol}");
        assert_eq!(a("inf")["double_value"], "Infinity", "{protocol}");
        assert_eq!(a("ninf")["double_value"], "-Infinity", "{protocol}");
        assert_eq!(a("ch")["string_value"], "é", "{protocol}");
        assert_eq!(a("none"), &serde_json::json!({}), "{protocol}");
        // A oneof member is on the wire even when empty: a string, not null.
        assert_eq!(a("empty")["string_value"], "", "{protocol}");
    }
}

/// A value captured with `:serde` decodes with the official classes as the
/// same tree, in both protocols: a struct holding a list of maps, each
/// scalar type typed (int, double, bool, string, bytes, empty), enums as
/// serde_json writes them; a value captured with `:?` stays a string.
#[test]
fn otlp_nested_values_decode_as_trees() {
    use serde_json::json;

    /// Bytes, which derived types cannot spell without serde_bytes.
    struct Raw;
    impl serde::Serialize for Raw {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(b"\x00\xff")
        }
    }
    #[derive(serde::Serialize)]
    enum Status {
        Paid { at: u64 },
        Open,
        Moved(i8, char),
    }
    #[derive(serde::Serialize)]
    struct Line {
        sku: &'static str,
        qty: i32,
        price: f64,
        gift: bool,
        note: Option<&'static str>,
        raw: Raw,
    }
    #[derive(serde::Serialize)]
    struct Order {
        id: u64,
        big: u64,
        ratio: f32,
        lines: Vec<Line>,
        status: Status,
        open: Status,
        moved: Status,
        pair: (i64, &'static str),
        by_region: std::collections::BTreeMap<u16, bool>,
    }

    let Some(rx) = Receiver::start("otlp_nested", "200") else {
        return;
    };
    open_gate();
    per_protocol(&rx, "", "", |d, _| {
        let order = Order {
            id: 7,
            big: u64::MAX,
            ratio: 0.5,
            lines: vec![
                Line {
                    sku: "A-1",
                    qty: -2,
                    price: 9.75,
                    gift: true,
                    note: None,
                    raw: Raw,
                },
                Line {
                    sku: "é\n\"",
                    qty: 1,
                    price: 0.0,
                    gift: false,
                    note: Some("wrap"),
                    raw: Raw,
                },
            ],
            status: Status::Paid { at: 1_700_000_000 },
            open: Status::Open,
            moved: Status::Moved(-1, 'x'),
            pair: (i64::MIN, "b"),
            by_region: [(3, true), (44, false)].into(),
        };
        let debug = vec![1, 2];
        log::info!(logger: d, order:serde = order, debug:? = debug, list:serde = [1.5, 2.5]; "nested");
    });
    let kv = |k: &str, v: Value| json!({ "key": k, "value": v });
    let map = |entries: Vec<Value>| json!({ "kvlist_value": { "values": entries } });
    let list = |values: Vec<Value>| json!({ "array_value": { "values": values } });
    let int = |i: i64| json!({ "int_value": i.to_string() });
    let string = |s: &str| json!({ "string_value": s });
    let line = |sku: &str, qty: i64, price: f64, gift: bool, note: Value| {
        map(vec![
            kv("sku", string(sku)),
            kv("qty", int(qty)),
            kv("price", json!({ "double_value": price })),
            kv("gift", json!({ "bool_value": gift })),
            kv("note", note),
            kv("raw", json!({ "bytes_value": "AP8=" })),
        ])
    };
    let expected = map(vec![
        kv("id", int(7)),
        // Beyond int64: kept exact, as text.
        kv("big", string(&u64::MAX.to_string())),
        kv("ratio", json!({ "double_value": 0.5 })),
        kv(
            "lines",
            list(vec![
                line("A-1", -2, 9.75, true, json!({})),
                line("é\n\"", 1, 0.0, false, string("wrap")),
            ]),
        ),
        kv(
            "status",
            map(vec![kv("Paid", map(vec![kv("at", int(1_700_000_000))]))]),
        ),
        kv("open", string("Open")),
        kv("moved", map(vec![kv("Moved", list(vec![int(-1), string("x")]))])),
        kv("pair", list(vec![int(i64::MIN), string("b")])),
        kv(
            "by_region",
            map(vec![
                kv("3", json!({ "bool_value": true })),
                kv("44", json!({ "bool_value": false })),
            ]),
        ),
    ]);
    let got = records(&rx.requests());
    assert_eq!(got.len(), 2);
    for (g, protocol) in got.iter().zip(PROTOCOLS) {
        assert_eq!(g.attr("order").unwrap(), &expected, "{protocol}");
        assert_eq!(
            g.attr("list").unwrap(),
            &list(vec![json!({ "double_value": 1.5 }), json!({ "double_value": 2.5 })]),
            "{protocol}"
        );
        assert_eq!(g.attr("debug").unwrap(), &string("[1, 2]"), "{protocol}");
        assert!(
            g.record.get("dropped_attributes_count").is_none(),
            "{protocol}: {}",
            g.record
        );
    }
}

/// A nested value is bounded as the guide documents: 16 levels of maps
/// and lists (a deeper one is an empty value), 128 entries a map or list,
/// 64KiB of text a value; what is left out is counted in
/// `dropped_attributes_count`, and the request still decodes.
#[test]
fn otlp_nested_values_are_bounded() {
    use serde_json::json;

    let Some(rx) = Receiver::start("otlp_nested_bounds", "200") else {
        return;
    };
    open_gate();
    let mut deep = json!(1);
    for _ in 0..40 {
        deep = json!({ "a": deep });
    }
    let wide: Vec<u32> = (0..200).collect();
    let big: Vec<String> = (0..100).map(|_| "x".repeat(1024)).collect();
    per_protocol(&rx, "", "", |d, _| {
        log::info!(logger: d, deep:serde = deep; "deep");
        log::info!(logger: d, wide:serde = wide; "wide");
        log::info!(logger: d, big:serde = big; "big");
    });
    let got = records(&rx.requests());
    assert_eq!(got.len(), 6);
    for (three, protocol) in got.chunks(3).zip(PROTOCOLS) {
        let dropped = |g: &Got| g.record["dropped_attributes_count"].as_u64();
        // 16 maps, then an empty value where the 17th was.
        let mut expected = json!({});
        for _ in 0..16 {
            expected = json!({ "kvlist_value": { "values": [{ "key": "a", "value": expected }] } });
        }
        assert_eq!(three[0].attr("deep").unwrap(), &expected, "{protocol}");
        assert_eq!(dropped(&three[0]), Some(1), "{protocol}");

        let wide = three[1].attr("wide").unwrap()["array_value"]["values"]
            .as_array()
            .unwrap();
        assert_eq!(wide.len(), 128, "{protocol}");
        assert_eq!(wide[127]["int_value"], "127", "{protocol}");
        assert_eq!(dropped(&three[1]), Some(200 - 128), "{protocol}");

        let big = three[2].attr("big").unwrap()["array_value"]["values"]
            .as_array()
            .unwrap();
        let text: usize = big
            .iter()
            .map(|v| v["string_value"].as_str().unwrap().len())
            .sum();
        assert!(text <= 64 << 10, "{protocol}: {text}");
        assert!(text > 60 << 10, "{protocol}: {text}");
        assert_eq!(
            dropped(&three[2]),
            Some(100 - big.len() as u64),
            "{protocol}"
        );
    }
}

#[test]
fn otlp_retries_a_503_after_its_retry_after_then_delivers() {
    let Some(rx) = Receiver::start("otlp_retry_after", "503,200") else {
        return;
    };
    open_gate();
    // A backoff of 10ms: only Retry-After (1s) explains a longer pause.
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  otel: {{ type: otlp, endpoint: '{}', backoff: 10ms, max_retries: 3 }}\nroot: {{ level: INFO, handlers: [otel] }}\n",
        rx.url()
    ));
    for i in 0..5 {
        log::info!(logger: d, "r{i}");
    }
    d.flush_handlers();
    wait_until(
        "the retried batch accepted",
        Duration::from_secs(20),
        || d.stats()["otel"].emitted == 5,
    );
    let s = d.stats()["otel"];
    assert_eq!((s.retried, s.failed), (1, 0));
    let requests = rx.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["answer"], "503");
    let gap = requests[1]["time"].as_f64().unwrap() - requests[0]["time"].as_f64().unwrap();
    assert!(gap >= 0.9, "the retry came {gap}s after a `Retry-After: 1`");
    assert_eq!(records(&requests[1..]).len(), 5);
}

#[test]
fn otlp_400_drops_the_batch_and_counts_it_without_retrying() {
    let Some(rx) = Receiver::start("otlp_400", "400") else {
        return;
    };
    open_gate();
    let errors = Arc::new(Mutex::new(Vec::new()));
    let e = Arc::clone(&errors);
    let d = logfig::Builder::new()
        .on_error(move |name, err| e.lock().unwrap().push(format!("{name}: {err}")))
        .build(
            &Config::from_str(
                &format!(
                    "version: 1\nhandlers:\n  otel: {{ type: otlp, endpoint: '{}', headers: {{ Authorization: 'Bearer hunter2-token' }} }}\nroot: {{ level: INFO, handlers: [otel] }}\n",
                    rx.url()
                ),
                Format::Yaml,
            )
            .unwrap(),
        )
        .unwrap();
    for i in 0..7 {
        log::info!(logger: d, "r{i}");
    }
    d.flush_handlers();
    wait_until("the refused batch counted", Duration::from_secs(20), || {
        d.stats()["otel"].failed == 7
    });
    let s = d.stats()["otel"];
    assert_eq!((s.retried, s.emitted), (0, 0));
    let requests = rx.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0]["headers"]["authorization"],
        "Bearer hunter2-token"
    );
    log::info!(logger: d, "one more, to collect the errors");
    d.shutdown();
    let errors = errors.lock().unwrap();
    assert!(
        errors.iter().any(|e| e.contains("answered 400")),
        "{errors:?}"
    );
    for e in errors.iter() {
        assert!(!e.contains("hunter2"), "secret in {e:?}");
    }
    assert!(!format!("{:?}", d.config()).contains("hunter2"));
}

#[test]
fn otlp_partial_success_counts_the_rejected_records() {
    let Some(rx) = Receiver::start("otlp_partial", "partial:2") else {
        return;
    };
    open_gate();
    let errors = Arc::new(Mutex::new(Vec::new()));
    let e = Arc::clone(&errors);
    for protocol in PROTOCOLS {
        let e = Arc::clone(&e);
        let d = logfig::Builder::new()
            .on_error(move |name, err| e.lock().unwrap().push(format!("{name}: {err}")))
            .build(
                &Config::from_str(
                    &format!(
                        "version: 1\nhandlers:\n  otel: {{ type: otlp, endpoint: '{}', protocol: {protocol} }}\nroot: {{ level: INFO, handlers: [otel] }}\n",
                        rx.url()
                    ),
                    Format::Yaml,
                )
                .unwrap(),
            )
            .unwrap();
        for i in 0..5 {
            log::info!(logger: d, "r{i}");
        }
        d.flush_handlers();
        wait_until(
            "the partial success counted",
            Duration::from_secs(20),
            || {
                let s = d.stats()["otel"];
                s.emitted + s.failed == 5
            },
        );
        let s = d.stats()["otel"];
        assert_eq!((s.emitted, s.failed, s.retried), (3, 2, 0), "{protocol}");
        log::info!(logger: d, "one more, to collect the errors");
        d.shutdown();
    }
    let errors = errors.lock().unwrap();
    assert_eq!(
        errors
            .iter()
            .filter(|e| e.contains("rejected 2 of 5"))
            .count(),
        2,
        "{errors:?}"
    );
    // The server's text comes with its controls escaped.
    assert!(errors.iter().all(|e| !e.contains('\x1b')), "{errors:?}");
}

#[test]
fn otlp_server_that_never_answers_costs_the_application_a_bounded_wait() {
    let Some(rx) = Receiver::start("otlp_hang", "hang") else {
        return;
    };
    open_gate();
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  otel: {{ type: otlp, endpoint: '{}', timeout: 300ms, max_retries: 1, backoff: 10ms, buffer: 100, max_batch: 10, max_delay: 10ms, close_timeout: 500ms }}\nroot: {{ level: INFO, handlers: [otel] }}\n",
        rx.url()
    ));
    // The logging threads never wait for the server: all 20,000 records are
    // handed over (most dropped by the full buffer, and counted).
    for i in 0..20_000 {
        log::info!(logger: d, "r{i}");
    }
    wait_until("a request to hang", Duration::from_secs(20), || {
        !rx.requests().is_empty()
    });
    let s = d.stats()["otel"];
    assert!(s.dropped > 0, "{s:?}");
    assert_eq!(s.emitted, 0, "{s:?}");
    assert_eq!(s.dropped + s.failed + s.queued, 20_000, "{s:?}");
    // Shutdown is bounded by `close_timeout` although the server never
    // answers (a hang here fails the test by its harness timeout).
    d.shutdown();
}

/// Runs in a child process with the `OTEL_*` variables set (a test cannot
/// set them in its own process: other tests run beside it).
#[test]
fn otlp_resource_and_endpoint_from_the_environment_child() {
    let Ok(base) = std::env::var("LOGFIG_OTLP_CHILD_BASE") else {
        return;
    };
    open_gate();
    let d = dispatcher(
        "version: 1\nhandlers:\n  otel: { type: otlp, resource: { team: from-config, region: config-wins } }\nroot: { level: INFO, handlers: [otel] }\n",
    );
    log::info!(logger: d, "from the environment");
    d.flush_handlers();
    assert_eq!(d.stats()["otel"].emitted, 1, "posted to {base}");
    d.shutdown();
}

#[test]
fn otlp_resource_and_endpoint_from_the_environment() {
    let Some(rx) = Receiver::start("otlp_env", "200") else {
        return;
    };
    let base = format!("http://127.0.0.1:{}/", rx.port);
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "handlers::otlp::otlp_resource_and_endpoint_from_the_environment_child",
            "--test-threads=1",
        ])
        .env("LOGFIG_OTLP_CHILD_BASE", &base)
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &base)
        .env("OTEL_SERVICE_NAME", "env-service")
        .env(
            "OTEL_RESOURCE_ATTRIBUTES",
            "region=env,host.name=web%2D1,service.name=overridden",
        )
        .env("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=k%3D1")
        .status()
        .unwrap();
    assert!(status.success());
    let requests = rx.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["path"], "/v1/logs");
    assert_eq!(requests[0]["headers"]["x-api-key"], "k=1");
    let got = records(&requests);
    let r = &got[0].resource;
    assert_eq!(r["service.name"]["string_value"], "env-service");
    assert_eq!(r["host.name"]["string_value"], "web-1");
    assert_eq!(r["region"]["string_value"], "config-wins");
    assert_eq!(r["team"]["string_value"], "from-config");
}

#[test]
fn otlp_config_errors_name_file_line_column_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logging.yaml");
    std::fs::write(
        &path,
        "version: 1\nhandlers:\n  otel:\n    type: otlp\n    endpoint: 'ftp://x'\n    protocol: grpc\n    max_batch: 0\n    compresion: gzip\n    resource: { a: 1 }\n    headers: { 'bad name': 'v' }\nroot: { handlers: [otel] }\n",
    )
    .unwrap();
    let err = logfig::Config::from_path(&path).unwrap_err().to_string();
    for needle in [
        "logging.yaml:5:15: handlers.otel.endpoint: invalid URL",
        "logging.yaml:6:15: handlers.otel.protocol: unknown OTLP protocol `grpc`",
        "logging.yaml:7:16: handlers.otel.max_batch: 0 is out of range",
        "logging.yaml:8:5: handlers.otel.compresion: unknown key `compresion` (did you mean `compression`?)",
        "handlers.otel.headers: invalid header name `bad name`",
    ] {
        assert!(err.contains(needle), "{needle:?} not in:\n{err}");
    }
}

/// A `tracing` event inside spans that carry `trace_id` and `span_id`
/// fields (as an application that records its OpenTelemetry context on its
/// spans writes them) gets the innermost span's ids; an event's own
/// key-values win over the spans'.
#[test]
fn otlp_takes_trace_and_span_ids_from_the_tracing_span_scope() {
    use tracing_subscriber::layer::SubscriberExt;
    let Some(rx) = Receiver::start("otlp_span_ids", "200") else {
        return;
    };
    open_gate();
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  otel: {{ type: otlp, endpoint: '{}' }}\nroot: {{ level: INFO, handlers: [otel] }}\n",
        rx.url()
    ));
    let subscriber = tracing_subscriber::registry().with(d.tracing_layer());
    tracing::subscriber::with_default(subscriber, || {
        let outer = tracing::info_span!(
            "request",
            trace_id = "0af7651916cd43dd8448eb211c80319c",
            span_id = "b7ad6b7169203331"
        );
        let _outer = outer.enter();
        tracing::info!(target: "shop::span", "in the request");
        let inner = tracing::info_span!("db", span_id = "00f067aa0ba902b7");
        let _inner = inner.enter();
        tracing::info!(target: "shop::span", "in the query");
        tracing::info!(target: "shop::span", trace_id = "4bf92f3577b34da6a3ce929d0e0e4736", "own ids");
    });
    d.flush_handlers();
    d.shutdown();
    let got = records(&rx.requests());
    let ids: Vec<(&str, &str, &str)> = got
        .iter()
        .map(|g| {
            (
                g.record["body"]["string_value"].as_str().unwrap(),
                g.record["trace_id"].as_str().unwrap_or("-"),
                g.record["span_id"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            (
                "in the request",
                "0af7651916cd43dd8448eb211c80319c",
                "b7ad6b7169203331"
            ),
            (
                "in the query",
                "0af7651916cd43dd8448eb211c80319c",
                "00f067aa0ba902b7"
            ),
            (
                "own ids",
                "4bf92f3577b34da6a3ce929d0e0e4736",
                "00f067aa0ba902b7"
            ),
        ]
    );
    assert!(got.iter().all(|g| g.scope == "shop::span"));
}

/// Hostile record text (issue #13, item 7): a newline and a forged record,
/// terminal controls and NUL in the message and in a key-value. OTLP carries
/// strings as data (length-prefixed in protobuf, JSON strings in JSON), so
/// each record arrives as one record: with `escape: none` its body is the
/// text exactly; with the default formatter, its controls escaped as on a
/// console (the newline kept). Key-values are typed attributes, exact.
#[test]
fn otlp_carries_hostile_record_text_whole_in_one_record() {
    let Some(rx) = Receiver::start("otlp_carries_hostile_record_text", "200") else {
        return;
    };
    open_gate();
    let hostile = "login failed for bob\n2026-01-01 00:00:00,000 CRITICAL root: forged\r\x1b]0;pwned\x07\x1b[2J\u{9b}31m\0\x7f end";
    let escaped = "login failed for bob\n2026-01-01 00:00:00,000 CRITICAL root: forged\\r\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\x00\\x7f end";
    let user = "bob\n\x1b[8m\0";
    for protocol in ["http/protobuf", "http/json"] {
        for formatter in ["", ", formatter: raw"] {
            let d = dispatcher(&format!(
                "version: 1\nformatters:\n  raw: {{ format: '%(message)s', escape: none }}\nhandlers:\n  otel: {{ type: otlp, endpoint: '{}', protocol: {protocol}{formatter} }}\nroot: {{ level: INFO, handlers: [otel] }}\n",
                rx.url()
            ));
            log::warn!(logger: d, target: "app", user = user; "{hostile}");
            log::info!(logger: d, target: "app", "next");
            d.flush_handlers();
            d.shutdown();
        }
    }
    let got = records(&rx.requests());
    assert_eq!(got.len(), 8, "{got:?}");
    for (i, pair) in got.chunks(2).enumerate() {
        let body = if i % 2 == 0 { escaped } else { hostile };
        assert_eq!(pair[0].record["body"]["string_value"], body, "{i}");
        assert_eq!(pair[0].attr("user").unwrap()["string_value"], user, "{i}");
        assert_eq!(pair[1].record["body"]["string_value"], "next", "{i}");
    }
}
