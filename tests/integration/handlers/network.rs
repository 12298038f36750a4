//! Network outputs against real servers on 127.0.0.1: `tcp` and `udp` against
//! listeners made here, `syslog` against a real `rsyslogd` that each test
//! starts with `tests/servers/rsyslog.conf`. No mocks.
//!
//! A test whose server is not installed prints `SKIPPED: ...` and returns;
//! with `LOGFIG_REQUIRE_SERVERS=1` (as `.ci/run` sets) it fails instead,
//! saying how to install the server.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use logfig::{Config, Dispatcher, Format};

use crate::dispatch::open_gate;

/// The bound of a liveness check ("this returns without waiting for the
/// peer"): far above what a loaded machine adds to a call that does not
/// wait, far below what the waiting it rules out would cost. Timing goals
/// are in `benches/`, not here.
pub(crate) const LIVENESS: Duration = Duration::from_secs(30);

pub(crate) fn dispatcher(yaml: &str) -> Dispatcher {
    Dispatcher::new(&Config::from_str(yaml, Format::Yaml).unwrap()).unwrap()
}

pub(crate) fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A port nothing listens on (for a moment).
pub(crate) fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Collects newline-framed lines from every connection a listener accepts.
pub(crate) fn line_server(listener: TcpListener) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let out = Arc::clone(&lines);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let out = Arc::clone(&out);
            std::thread::spawn(move || {
                for line in BufReader::new(conn).lines() {
                    let Ok(line) = line else { return };
                    out.lock().unwrap().push(line);
                }
            });
        }
    });
    lines
}

#[test]
fn tcp_line_framing_delivers_every_record_in_order() {
    open_gate();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let lines = line_server(listener);
    let d = dispatcher(&format!(
        "version: 1\nformatters:\n  j: {{ type: json, fields: [levelname, message] }}\nhandlers:\n  net: {{ type: tcp, host: 127.0.0.1, port: {port}, formatter: j }}\nroot: {{ level: INFO, handlers: [net] }}\n"
    ));
    for i in 0..10_000 {
        log::info!(logger: d, "record {i}");
    }
    wait_until("10000 lines", Duration::from_secs(30), || {
        lines.lock().unwrap().len() >= 10_000
    });
    let lines = lines.lock().unwrap();
    for (i, line) in lines.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["message"], format!("record {i}"));
        assert_eq!(v["levelname"], "INFO");
    }
    let stats = d.stats()["net"];
    assert_eq!((stats.emitted, stats.dropped), (10_000, 0));
}

#[test]
fn tcp_length_framing_prefixes_each_record_with_its_size() {
    open_gate();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  net: {{ type: tcp, host: 127.0.0.1, port: {port}, framing: length }}\nroot: {{ level: INFO, handlers: [net] }}\n"
    ));
    let messages = ["short", "with\nnewline", "ünïcödé", ""];
    for m in messages {
        log::info!(logger: d, "{m}");
    }
    let (mut conn, _) = listener.accept().unwrap();
    for m in messages {
        let mut len = [0u8; 4];
        conn.read_exact(&mut len).unwrap();
        let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
        conn.read_exact(&mut body).unwrap();
        assert_eq!(String::from_utf8(body).unwrap(), m);
    }
}

#[test]
fn tcp_connects_lazily_and_delivers_what_waited_for_a_refusing_server() {
    open_gate();
    let port = free_tcp_port();
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  net: {{ type: tcp, host: 127.0.0.1, port: {port}, backoff: 10ms, max_backoff: 50ms }}\nroot: {{ level: INFO, handlers: [net] }}\n"
    ));
    for i in 0..100 {
        log::info!(logger: d, "early {i}");
    }
    // Connection refused: the records wait, attempts are counted.
    wait_until("a refused attempt", Duration::from_secs(10), || {
        d.stats()["net"].retried > 0
    });
    assert_eq!(d.stats()["net"].emitted, 0);
    let lines = line_server(TcpListener::bind(("127.0.0.1", port)).unwrap());
    wait_until("100 lines", Duration::from_secs(10), || {
        lines.lock().unwrap().len() >= 100
    });
    let expected: Vec<String> = (0..100).map(|i| format!("early {i}")).collect();
    assert_eq!(*lines.lock().unwrap(), expected);
    let stats = d.stats()["net"];
    assert_eq!((stats.emitted, stats.dropped, stats.queued), (100, 0, 0));
}

#[test]
fn tcp_buffer_keeps_the_newest_records_and_counts_the_dropped() {
    open_gate();
    let port = free_tcp_port();
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  net: {{ type: tcp, host: 127.0.0.1, port: {port}, buffer: 10, backoff: 10ms, max_backoff: 20ms }}\nroot: {{ level: INFO, handlers: [net] }}\n"
    ));
    for i in 0..1000 {
        log::info!(logger: d, "r{i}");
    }
    // At most `buffer` records wait, plus (for a moment) up to `buffer` more
    // that the sending thread holds while it tries the refusing server;
    // after the failed attempt those go back and the oldest are dropped.
    let stats = d.stats()["net"];
    assert!(stats.queued <= 20, "{stats:?}");
    assert!(stats.dropped >= 980, "{stats:?}");
    let lines = line_server(TcpListener::bind(("127.0.0.1", port)).unwrap());
    wait_until(
        "every record sent or dropped",
        Duration::from_secs(10),
        || {
            let s = d.stats()["net"];
            s.emitted + s.dropped + s.failed == 1000
                && lines.lock().unwrap().len() as u64 == s.emitted
        },
    );
    let lines = lines.lock().unwrap();
    assert_eq!(lines.last().map(String::as_str), Some("r999"));
    // What arrived is the newest records, in order.
    let numbers: Vec<u32> = lines.iter().map(|l| l[1..].parse().unwrap()).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
}

#[test]
fn tcp_listener_that_stops_reading_never_blocks_the_application() {
    open_gate();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts, then never reads: the kernel buffers fill and writes stall.
    let held = Arc::new(Mutex::new(Vec::new()));
    let keep = Arc::clone(&held);
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            keep.lock().unwrap().push(conn);
        }
    });
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  net: {{ type: tcp, host: 127.0.0.1, port: {port}, timeout: 200ms, close_timeout: 1h, buffer: 1000, backoff: 50ms, max_backoff: 100ms }}\nroot: {{ level: INFO, handlers: [net] }}\n"
    ));
    let payload = "x".repeat(4096);
    let mut slowest = Duration::ZERO;
    let started = Instant::now();
    // 40 MB in all: far beyond what the socket buffers hold.
    for i in 0..10_000 {
        let t = Instant::now();
        log::info!(logger: d, "{i} {payload}");
        slowest = slowest.max(t.elapsed());
    }
    // Liveness, not timing: a call that waited for the stalled peer would
    // wait `timeout` (and 9,000 of them 30 minutes); the bounds are far
    // above what a loaded machine adds and far below what waiting costs.
    assert!(slowest < LIVENESS, "one log call took {slowest:?}");
    let t = Instant::now();
    d.flush_handlers();
    assert!(t.elapsed() < LIVENESS, "flush took {:?}", t.elapsed());
    // The kernel buffers of each new connection absorb megabytes, so whether
    // records are dropped depends on the machine; a stalled write is certain.
    wait_until("a stalled write", Duration::from_secs(30), || {
        d.stats()["net"].retried > 0
    });
    let t = Instant::now();
    d.shutdown();
    assert!(t.elapsed() < LIVENESS, "shutdown took {:?}", t.elapsed());
    let s = d.stats();
    let stats = s.get("net").copied().unwrap_or_default();
    eprintln!("stalled reader: {stats:?} in {:?}", started.elapsed());
}

#[test]
fn tcp_unreachable_server_costs_the_application_nothing() {
    open_gate();
    // TEST-NET-1 (RFC 5737): never routed; connects time out or fail at once.
    let d = dispatcher(
        "version: 1\nhandlers:\n  net: { type: tcp, host: 192.0.2.1, port: 9, timeout: 300ms, close_timeout: 1h, backoff: 50ms, max_backoff: 100ms }\nroot: { level: INFO, handlers: [net] }\n",
    );
    let t = Instant::now();
    for i in 0..1000 {
        log::info!(logger: d, "{i}");
    }
    d.flush_handlers();
    // Liveness: waiting for each connect would take 1000 × 300 ms.
    assert!(t.elapsed() < LIVENESS, "{:?}", t.elapsed());
    wait_until("a failed attempt", Duration::from_secs(10), || {
        d.stats()["net"].retried > 0
    });
    let t = Instant::now();
    let before = d.stats()["net"];
    d.shutdown();
    assert!(t.elapsed() < LIVENESS, "{:?}", t.elapsed());
    assert_eq!(before.emitted, 0);
    assert_eq!(
        before.emitted + before.dropped + before.failed + before.queued,
        1000
    );
}

#[test]
fn tcp_server_restart_loses_nothing_uncounted() {
    open_gate();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  net: {{ type: tcp, host: 127.0.0.1, port: {port}, backoff: 10ms, max_backoff: 50ms }}\nroot: {{ level: INFO, handlers: [net] }}\n"
    ));
    let mut got: Vec<String> = Vec::new();
    // First server: read 20 lines, then go away, reading everything sent
    // until the close so nothing is lost inside the kernel.
    log::info!(logger: d, "r0");
    {
        let (conn, _) = listener.accept().unwrap();
        drop(listener);
        conn.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut reader = BufReader::new(conn);
        for i in 1..20 {
            log::info!(logger: d, "r{i}");
        }
        let mut line = String::new();
        while got.len() < 20 && reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            got.push(line.trim_end().to_owned());
            line.clear();
        }
    }
    // Down: records wait.
    for i in 20..200 {
        log::info!(logger: d, "r{i}");
    }
    let lines = line_server(TcpListener::bind(("127.0.0.1", port)).unwrap());
    wait_until("the rest", Duration::from_secs(10), || {
        let s = d.stats()["net"];
        s.emitted + s.dropped + s.failed == 200 && s.queued == 0
    });
    wait_until("180 lines", Duration::from_secs(10), || {
        lines.lock().unwrap().len() >= 180
    });
    got.extend(lines.lock().unwrap().iter().cloned());
    let expected: Vec<String> = (0..200).map(|i| format!("r{i}")).collect();
    // The closed connection is noticed before writing to it (or the write
    // fails and is retried): nothing is lost or sent twice.
    assert_eq!(got, expected);
}

#[test]
fn udp_sends_one_datagram_per_record_and_cuts_or_splits_long_ones() {
    open_gate();
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    server
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let port = server.local_addr().unwrap().port();
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  cut: {{ type: udp, host: 127.0.0.1, port: {port}, max_datagram: 100 }}\n  split: {{ type: udp, host: 127.0.0.1, port: {port}, max_datagram: 100, oversize: split, level: ERROR }}\nroot: {{ level: INFO, handlers: [cut, split] }}\n"
    ));
    let long = "y".repeat(250);
    log::info!(logger: d, "short");
    d.flush_handlers();
    log::info!(logger: d, "{long}");
    d.flush_handlers();
    log::error!(logger: d, "{long}");
    d.flush_handlers();
    let mut got = Vec::new();
    let mut buf = [0u8; 65_536];
    for _ in 0..6 {
        let n = server.recv(&mut buf).unwrap();
        got.push(String::from_utf8(buf[..n].to_vec()).unwrap());
    }
    assert_eq!(got[0], "short");
    assert_eq!(got[1], "y".repeat(100));
    // The ERROR record: cut once by `cut`, split in three by `split`.
    let mut rest: Vec<&str> = got[2..].iter().map(String::as_str).collect();
    rest.sort_by_key(|s| s.len());
    assert_eq!(
        rest,
        [
            "y".repeat(50),
            "y".repeat(100),
            "y".repeat(100),
            "y".repeat(100)
        ]
    );
    let stats = d.stats();
    assert_eq!((stats["cut"].emitted, stats["cut"].oversized), (3, 2));
    assert_eq!((stats["split"].emitted, stats["split"].oversized), (1, 1));
}

#[test]
fn udp_never_blocks_even_without_a_server() {
    open_gate();
    let port = free_udp_port();
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  net: {{ type: udp, host: 127.0.0.1, port: {port}, buffer: 100 }}\nroot: {{ level: INFO, handlers: [net] }}\n"
    ));
    let t = Instant::now();
    for i in 0..50_000 {
        log::info!(logger: d, "{i}");
    }
    assert!(t.elapsed() < LIVENESS, "{:?}", t.elapsed());
    d.shutdown();
}

#[test]
fn network_handlers_report_bad_settings_with_their_path() {
    let err = Config::from_str(
        "version: 1\nhandlers:\n  a: { type: tcp, port: 99999 }\n  b: { type: udp, host: h, port: 1, max_datagram: 70000 }\n  c: { type: syslog, facility: locl3, sd_id: 'a b' }\nroot: { handlers: [a, b, c] }\n",
        Format::Yaml,
    )
    .unwrap_err();
    let text = err.to_string();
    for needle in [
        "handlers.a: missing key `host`",
        "handlers.a.port: 99999 is out of range",
        "handlers.b.max_datagram: 70000 is out of range",
        "handlers.c.facility: unknown facility `locl3` (did you mean `local3`?)",
        "handlers.c.sd_id: invalid SD-ID `a b`",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
}

// ---- syslog against rsyslogd ------------------------------------------------

/// Whether `program` is installed; when not, fails under
/// `LOGFIG_REQUIRE_SERVERS=1` and otherwise says loudly that `test` is skipped.
pub(crate) fn require(test: &str, program: &str, install: &str) -> bool {
    let found = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths)
            .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
            .any(|dir| dir.join(program).is_file())
    });
    found || missing(test, program, install)
}

/// `test` cannot run without `what`: fails under `LOGFIG_REQUIRE_SERVERS=1`,
/// else says loudly that the test is skipped and how to install `what`.
/// Returns `false`.
pub(crate) fn missing(test: &str, what: &str, install: &str) -> bool {
    assert!(
        std::env::var("LOGFIG_REQUIRE_SERVERS").as_deref() != Ok("1"),
        "{test} needs {what}, which is not installed: {install}"
    );
    skipped(test, what, install);
    false
}

/// Says loudly that `test` is skipped for want of `what`, whatever
/// `LOGFIG_REQUIRE_SERVERS` says: for what CI cannot install (a privilege).
pub(crate) fn skipped(test: &str, what: &str, install: &str) {
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("\n*** SKIPPED: {test} needs {what} ({install}) ***\n\n").as_bytes(),
    );
}

fn rsyslogd() -> PathBuf {
    for dir in ["/usr/sbin", "/sbin"] {
        let p = Path::new(dir).join("rsyslogd");
        if p.is_file() {
            return p;
        }
    }
    PathBuf::from("rsyslogd")
}

/// An `rsyslogd` in the foreground, listening on 127.0.0.1 UDP and TCP ports
/// and a unix socket in its own directory, writing what it receives to `out`;
/// with [`Rsyslog::start_with`], also RELP and TLS ports.
pub(crate) struct Rsyslog {
    dir: tempfile::TempDir,
    child: Option<Child>,
    pub(crate) udp_port: u16,
    pub(crate) tcp_port: u16,
    pub(crate) socket: PathBuf,
    out: PathBuf,
    /// The port the server's own readiness is checked on.
    ready_port: u16,
}

/// Server-side files of a TLS listener: its CA, certificate and key (PEM).
pub(crate) struct ServerCerts<'a> {
    pub(crate) ca: &'a Path,
    pub(crate) cert: &'a Path,
    pub(crate) key: &'a Path,
}

fn server_file(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/servers")
            .join(name),
    )
    .unwrap()
}

impl Rsyslog {
    pub(crate) fn start() -> Rsyslog {
        Rsyslog::start_with(None, None)
    }

    /// With `relp_port`, rsyslog also listens for RELP (tests/servers/rsyslog-relp.conf);
    /// with `tls`, for syslog over TLS (tests/servers/rsyslog-tls.conf) on `tls.0`.
    pub(crate) fn start_with(
        relp_port: Option<u16>,
        tls: Option<(u16, ServerCerts<'_>)>,
    ) -> Rsyslog {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("log.sock");
        let out = dir.path().join("out.log");
        let tcp_port = free_tcp_port();
        let mut r = Rsyslog {
            udp_port: free_udp_port(),
            tcp_port,
            socket,
            out,
            child: None,
            dir,
            ready_port: relp_port.or(tls.as_ref().map(|t| t.0)).unwrap_or(tcp_port),
        };
        let mut conf = server_file("rsyslog.conf")
            .replace("@WORKDIR@", &r.dir.path().display().to_string())
            .replace("@UDP_PORT@", &r.udp_port.to_string())
            .replace("@TCP_PORT@", &r.tcp_port.to_string())
            .replace("@SOCKET@", &r.socket.display().to_string())
            .replace("@OUT@", &r.out.display().to_string());
        if let Some(port) = relp_port {
            conf += &server_file("rsyslog-relp.conf").replace("@RELP_PORT@", &port.to_string());
        }
        if let Some((port, certs)) = tls {
            conf += &server_file("rsyslog-tls.conf")
                .replace("@TLS_PORT@", &port.to_string())
                .replace("@CA@", &certs.ca.display().to_string())
                .replace("@CERT@", &certs.cert.display().to_string())
                .replace("@KEY@", &certs.key.display().to_string());
        }
        std::fs::write(r.dir.path().join("rsyslog.conf"), conf).unwrap();
        r.run();
        r
    }

    pub(crate) fn run(&mut self) {
        let _ = std::fs::remove_file(&self.socket);
        let child = Command::new(rsyslogd())
            .arg("-n")
            .arg("-f")
            .arg(self.dir.path().join("rsyslog.conf"))
            .arg("-i")
            .arg(self.dir.path().join("rsyslogd.pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting rsyslogd");
        self.child = Some(child);
        let (tcp, ready) = (self.tcp_port, self.ready_port);
        wait_until("rsyslogd to listen", Duration::from_secs(20), || {
            std::net::TcpStream::connect(("127.0.0.1", tcp)).is_ok()
                && std::net::TcpStream::connect(("127.0.0.1", ready)).is_ok()
                && self.socket.exists()
        });
    }

    /// A graceful stop (SIGTERM): rsyslog writes out what it has received.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// `severity|app-name|procid|structured-data|msg` lines written so far.
    pub(crate) fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One message as rsyslog parsed it.
#[derive(Debug, PartialEq)]
pub(crate) struct Received {
    pub(crate) severity: u8,
    pub(crate) app: String,
    pub(crate) procid: String,
    pub(crate) params: BTreeMap<String, String>,
    pub(crate) msg: String,
}

/// Parses `[id k="v" ...]` back, undoing RFC 5424 §6.3.3 escapes; the SD-ID
/// must be `sd_id` (rsyslog adds none of its own to received messages).
fn parse_sd(sd: &str, sd_id: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if sd == "-" {
        return out;
    }
    let body = sd
        .strip_prefix(&format!("[{sd_id}"))
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or_else(|| panic!("unexpected structured data {sd:?}"));
    let mut chars = body.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        let name: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if name.is_empty() {
            break;
        }
        assert_eq!(chars.next(), Some('"'), "in {sd:?}");
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => value.push(chars.next().unwrap()),
                '"' => break,
                c => value.push(c),
            }
        }
        out.insert(name, value);
    }
    out
}

pub(crate) fn parse_line(line: &str, sd_id: &str) -> Received {
    let mut parts = line.splitn(4, '|');
    let severity = parts.next().unwrap().parse().unwrap();
    let app = parts.next().unwrap().to_owned();
    let procid = parts.next().unwrap().to_owned();
    let rest = parts.next().unwrap();
    // Structured data may contain `|`; MSG follows its closing `]|` (or `-|`).
    let split = if rest.starts_with('-') {
        1
    } else {
        rest.find("]|").map(|i| i + 1).unwrap()
    };
    Received {
        severity,
        app,
        procid,
        params: parse_sd(&rest[..split], sd_id),
        msg: rest[split + 1..].to_owned(),
    }
}

const LEVELS: [(log::Level, u8); 4] = [
    (log::Level::Error, 3),
    (log::Level::Warn, 4),
    (log::Level::Info, 6),
    (log::Level::Debug, 7),
];

/// What record `i` of a syslog test is: its level, message and key-values.
pub(crate) fn nth(i: usize) -> (log::Level, String, String) {
    let (level, _) = LEVELS[i % LEVELS.len()];
    (
        level,
        format!("message {i} from logfig"),
        format!("v{i} \"q\" [b] \\ ]"),
    )
}

pub(crate) fn log_nth(d: &Dispatcher, i: usize) {
    let (level, msg, note) = nth(i);
    log::log!(logger: d, level, i = i, note = note.as_str(); "{msg}");
}

/// Checks that rsyslog received records `0..n` exactly once each, as sent.
pub(crate) fn check_received(lines: &[String], app: &str, n: usize) {
    let mut seen = vec![false; n];
    for line in lines {
        let r = parse_line(line, "logfig@32473");
        assert_eq!(r.app, app, "{line}");
        assert_eq!(r.procid, "4242", "{line}");
        let i: usize = r.params["i"].parse().unwrap();
        assert!(!seen[i], "record {i} arrived twice");
        seen[i] = true;
        let (_, msg, note) = nth(i);
        assert_eq!(r.msg, msg, "{line}");
        assert_eq!(r.params["note"], note, "{line}");
        assert_eq!(r.severity, LEVELS[i % LEVELS.len()].1, "{line}");
    }
    let missing: Vec<usize> = (0..n).filter(|i| !seen[*i]).collect();
    assert!(
        missing.is_empty(),
        "{} records missing, first {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
}

pub(crate) fn syslog_dispatcher(
    transport: &str,
    where_: &str,
    app: &str,
    extra: &str,
) -> Dispatcher {
    dispatcher(&format!(
        "version: 1\nhandlers:\n  sys: {{ type: syslog, transport: {transport}, {where_}, app_name: {app}, hostname: testhost, procid: '4242'{extra} }}\nroot: {{ level: DEBUG, handlers: [sys] }}\n"
    ))
}

fn syslog_10000(transport: &str, paced: bool) {
    let test = format!("syslog_{transport}");
    if !require(&test, "rsyslogd", "apt-get install rsyslog") {
        return;
    }
    open_gate();
    let server = Rsyslog::start();
    let where_ = match transport {
        "unix" => format!("path: '{}'", server.socket.display()),
        "udp" => format!("host: 127.0.0.1, port: {}", server.udp_port),
        _ => format!("host: 127.0.0.1, port: {}", server.tcp_port),
    };
    let app = format!("logfig-{transport}");
    let d = syslog_dispatcher(transport, &where_, &app, "");
    for i in 0..10_000 {
        log_nth(&d, i);
        // UDP has no flow control: a burst of 10,000 datagrams can overrun
        // the receiver's socket buffer on a busy machine, so this test sends
        // in paced bursts (the loss would be the network's, not logfig's).
        if paced && i % 100 == 99 {
            d.flush_handlers();
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    d.flush_handlers();
    wait_until(
        "rsyslog to write 10000 lines",
        Duration::from_secs(60),
        || server.lines().len() >= 10_000,
    );
    check_received(&server.lines(), &app, 10_000);
    let stats = d.stats()["sys"];
    assert_eq!((stats.emitted, stats.dropped), (10_000, 0));
}

#[test]
fn syslog_udp_10000_records_parse_back_in_rsyslog() {
    syslog_10000("udp", true);
}

#[test]
fn syslog_tcp_10000_records_parse_back_in_rsyslog() {
    syslog_10000("tcp", false);
}

#[test]
fn syslog_unix_10000_records_parse_back_in_rsyslog() {
    syslog_10000("unix", false);
}

#[test]
fn syslog_rfc3164_reaches_rsyslog_with_severity_and_tag() {
    if !require("syslog_rfc3164", "rsyslogd", "apt-get install rsyslog") {
        return;
    }
    open_gate();
    let server = Rsyslog::start();
    let d = syslog_dispatcher(
        "tcp",
        &format!("host: 127.0.0.1, port: {}", server.tcp_port),
        "bsd",
        ", format: rfc3164, facility: local4",
    );
    log::warn!(logger: d, k = 1; "old style");
    d.flush_handlers();
    wait_until("one line", Duration::from_secs(20), || {
        !server.lines().is_empty()
    });
    // rsyslog keeps the space after `TAG:` in an RFC 3164 MSG.
    assert_eq!(server.lines(), ["4|bsd|4242|-| old style"]);
}

/// What the server had of the first connection when it stopped.
pub(crate) struct Restart {
    /// Records counted `emitted` on it (all the handler ever wrote to it).
    pub(crate) emitted: u64,
    /// Lines the server wrote out of it.
    pub(crate) lines: usize,
}

/// Logs records `0..n` (paced: 20 every half millisecond) from another
/// thread, stopping rsyslog once 2,000 were sent and starting it again 200 ms
/// after the handler noticed, while the records keep coming.
///
/// Past `n / 2` the producer waits for the stop, so that records are still
/// coming after it however the threads are scheduled: the handler must meet
/// the dead connection.
pub(crate) fn log_through_a_restart(d: &Dispatcher, server: &mut Rsyslog, n: usize) -> Restart {
    let stopped = AtomicBool::new(false);
    std::thread::scope(|s| {
        let producer = s.spawn(|| {
            for i in 0..n {
                if i == n / 2 {
                    wait_until("the server to stop", Duration::from_secs(60), || {
                        stopped.load(Ordering::Acquire)
                    });
                }
                log_nth(d, i);
                if i % 20 == 19 {
                    std::thread::sleep(Duration::from_micros(500));
                }
            }
        });
        wait_until("some records delivered", Duration::from_secs(30), || {
            d.stats()["sys"].emitted >= 2_000
        });
        let retried = d.stats()["sys"].retried;
        server.stop();
        stopped.store(true, Ordering::Release);
        // Once a send failed, the handler has let the first connection go
        // and cannot open another while the server is down: what it counts
        // emitted now is what it wrote to the first, and the server wrote
        // out (at its graceful stop) all it will ever write of that.
        wait_until("the handler to notice", Duration::from_secs(60), || {
            d.stats()["sys"].retried > retried
        });
        let restart = Restart {
            emitted: d.stats()["sys"].emitted,
            lines: server.lines().len(),
        };
        std::thread::sleep(Duration::from_millis(200));
        server.run();
        producer.join().unwrap();
        restart
    })
}

#[test]
fn syslog_tcp_survives_an_rsyslog_restart_counting_what_it_drops() {
    if !require("syslog_tcp_restart", "rsyslogd", "apt-get install rsyslog") {
        return;
    }
    open_gate();
    let mut server = Rsyslog::start();
    let d = syslog_dispatcher(
        "tcp",
        &format!("host: 127.0.0.1, port: {}", server.tcp_port),
        "restart",
        ", backoff: 10ms, max_backoff: 100ms",
    );
    const N: usize = 10_000;
    let first = log_through_a_restart(&d, &mut server, N);
    wait_until(
        "every record sent or dropped",
        Duration::from_secs(60),
        || {
            let s = d.stats()["sys"];
            s.queued == 0 && s.emitted + s.dropped + s.failed == N as u64
        },
    );
    let stats = d.stats()["sys"];
    // The restarted server reads everything written to it.
    let unread = first.emitted as usize - first.lines;
    wait_until(
        "the restarted server to write what it was sent",
        Duration::from_secs(60),
        || server.lines().len() >= stats.emitted as usize - unread,
    );
    let lines = server.lines();
    let mut seen = vec![false; N];
    for line in &lines {
        let r = parse_line(line, "logfig@32473");
        let i: usize = r.params["i"].parse().unwrap();
        assert!(!seen[i], "record {i} arrived twice");
        seen[i] = true;
        assert_eq!(r.msg, nth(i).1);
    }
    let missing: Vec<usize> = (0..N).filter(|i| !seen[*i]).collect();
    let counted = (stats.dropped + stats.failed) as usize;
    eprintln!(
        "rsyslog restart: {} delivered, {counted} dropped (counted), {} retried, {unread} lost in rsyslog's socket buffer at its shutdown",
        lines.len(),
        stats.retried,
    );
    assert!(stats.retried > 0, "{stats:?}");
    // Plain TCP syslog (RFC 6587) has no acknowledgements: what rsyslog had
    // not yet read from its socket when it shut down is discarded by its
    // kernel with a reset, after our writes succeeded. No sender can count
    // those; `transport: relp` is the answer (tests/integration/secure.rs).
    // How many that is depends on how far behind rsyslog was; that they are
    // the only records lost uncounted does not: every other record is
    // delivered exactly once or counted as dropped, and the unread tail is
    // one run of the records written just before the reset.
    assert_eq!(
        missing.len(),
        counted + unread,
        "records lost beyond the unread tail of the first connection: {missing:?}"
    );
    if let (Some(first), Some(last)) = (missing.first(), missing.last()) {
        assert!(
            last - first < missing.len() + counted,
            "lost records are not one run: {missing:?}"
        );
    }
}

// ---- http against a Python http.server -----------------------------------

#[cfg(feature = "http")]
pub(crate) mod http {
    use super::*;

    /// `tests/servers/http_sink.py`, saving each request into `dir`.
    pub(crate) struct Sink {
        child: Child,
        pub(crate) port: u16,
        dir: tempfile::TempDir,
    }

    impl Sink {
        pub(crate) fn start(test: &str, args: &[&str]) -> Option<Sink> {
            if !require(test, "python3", "apt-get install python3") {
                return None;
            }
            let dir = tempfile::tempdir().unwrap();
            let mut child = Command::new("python3")
                .arg(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/servers/http_sink.py"
                ))
                .arg(dir.path())
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("starting tests/servers/http_sink.py");
            let mut first = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut first)
                .unwrap();
            let port = first
                .trim()
                .strip_prefix("PORT ")
                .and_then(|p| p.parse().ok())
                .unwrap_or_else(|| panic!("http_sink.py said {first:?}"));
            Some(Sink { child, port, dir })
        }

        /// The bodies received so far, in order, with the status answered.
        pub(crate) fn requests(&self) -> Vec<(String, serde_json::Value)> {
            let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            names.sort();
            names
                .iter()
                .map(|meta| {
                    let body = std::fs::read_to_string(meta.with_extension("body")).unwrap();
                    let meta =
                        serde_json::from_str(&std::fs::read_to_string(meta).unwrap()).unwrap();
                    (body, meta)
                })
                .collect()
        }
    }

    impl Drop for Sink {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    #[test]
    fn http_batches_arrive_complete_and_in_order_with_headers() {
        let Some(sink) = Sink::start("http_batches", &[]) else {
            return;
        };
        open_gate();
        let d = dispatcher(&format!(
            "version: 1\nhandlers:\n  web:\n    type: http\n    url: 'http://127.0.0.1:{}/ingest'\n    batch_size: 100\n    flush_interval: 1h\n    headers: {{ Authorization: 'Bearer ${{LOGFIG_TEST_NEVER_SET:-s3cr3t}}' }}\nroot: {{ level: INFO, handlers: [web] }}\n",
            sink.port
        ));
        for i in 0..1000 {
            log::info!(logger: d, "r{i}");
        }
        wait_until("10 requests", Duration::from_secs(30), || {
            sink.requests().len() >= 10
        });
        log::info!(logger: d, "tail");
        d.flush_handlers();
        let requests = sink.requests();
        assert_eq!(requests.len(), 11);
        let mut all = Vec::new();
        for (i, (body, meta)) in requests.iter().enumerate() {
            assert_eq!(meta["path"], "/ingest");
            assert_eq!(meta["headers"]["authorization"], "Bearer s3cr3t");
            assert_eq!(meta["headers"]["content-type"], "application/x-ndjson");
            assert!(body.ends_with('\n'));
            let lines: Vec<&str> = body.lines().collect();
            assert_eq!(lines.len(), if i < 10 { 100 } else { 1 }, "request {i}");
            all.extend(lines.into_iter().map(str::to_owned));
        }
        // A pattern formatter's text goes out as `{"message": text}`.
        let mut expected: Vec<String> = (0..1000)
            .map(|i| format!("{{\"message\":\"r{i}\"}}"))
            .collect();
        expected.push(r#"{"message":"tail"}"#.into());
        assert_eq!(all, expected);
        let stats = d.stats()["web"];
        assert_eq!((stats.emitted, stats.dropped, stats.retried), (1001, 0, 0));
    }

    #[test]
    fn http_credentials_become_basic_authentication() {
        let Some(sink) = Sink::start("http_basic_auth", &[]) else {
            return;
        };
        open_gate();
        // Python's `credentials: [user, password]` form.
        let d = dispatcher(&format!(
            "version: 1\nhandlers:\n  web: {{ type: http, url: 'http://127.0.0.1:{}/', credentials: [Aladdin, 'open sesame'] }}\nroot: {{ level: INFO, handlers: [web] }}\n",
            sink.port
        ));
        log::info!(logger: d, "hi");
        d.flush_handlers();
        let requests = sink.requests();
        assert_eq!(
            requests[0].1["headers"]["authorization"],
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }

    #[test]
    fn http_503_twice_then_200_delivers_every_record_exactly_once() {
        let Some(sink) = Sink::start("http_503", &["--fail", "2"]) else {
            return;
        };
        open_gate();
        let d = dispatcher(&format!(
            "version: 1\nhandlers:\n  web: {{ type: http, url: 'http://127.0.0.1:{}/', batch_size: 50, backoff: 20ms, max_retries: 3 }}\nroot: {{ level: INFO, handlers: [web] }}\n",
            sink.port
        ));
        for i in 0..50 {
            log::info!(logger: d, "r{i}");
        }
        d.flush_handlers();
        wait_until("3 requests", Duration::from_secs(20), || {
            sink.requests().len() >= 3
        });
        let requests = sink.requests();
        let statuses: Vec<&serde_json::Value> =
            requests.iter().map(|(_, m)| &m["status"]).collect();
        assert_eq!(statuses, [503, 503, 200]);
        // The same batch three times; accepted once.
        assert!(requests.iter().all(|(b, _)| *b == requests[0].0));
        let expected: Vec<String> = (0..50)
            .map(|i| format!("{{\"message\":\"r{i}\"}}"))
            .collect();
        assert_eq!(requests[2].0.lines().collect::<Vec<_>>(), expected);
        let stats = d.stats()["web"];
        assert_eq!((stats.emitted, stats.dropped, stats.retried), (50, 0, 2));
    }

    #[test]
    fn http_gives_up_after_max_retries_counts_and_never_shows_secrets() {
        let Some(sink) = Sink::start("http_give_up", &["--fail", "100"]) else {
            return;
        };
        open_gate();
        let errors = Arc::new(Mutex::new(Vec::new()));
        let e = Arc::clone(&errors);
        let port = free_tcp_port();
        let yaml = format!(
            "version: 1\nhandlers:\n  busy: {{ type: http, url: 'http://127.0.0.1:{}/', backoff: 10ms, max_retries: 2, headers: {{ X-Token: hunter2-token }} }}\n  gone: {{ type: http, url: 'http://admin:hunter2@127.0.0.1:{port}/p?key=hunter2', backoff: 10ms, max_retries: 1 }}\nroot: {{ level: INFO, handlers: [busy, gone] }}\n",
            sink.port
        );
        let d = logfig::Builder::new()
            .on_error(move |name, err| e.lock().unwrap().push(format!("{name}: {err}")))
            .build(&Config::from_str(&yaml, Format::Yaml).unwrap())
            .unwrap();
        for i in 0..10 {
            log::info!(logger: d, "r{i}");
        }
        d.flush_handlers();
        wait_until(
            "both batches counted as failed",
            Duration::from_secs(20),
            || {
                let s = d.stats();
                s["busy"].failed == 10 && s["gone"].failed == 10
            },
        );
        let s = d.stats();
        assert_eq!((s["busy"].retried, s["busy"].emitted), (2, 0));
        assert_eq!((s["gone"].retried, s["gone"].emitted), (1, 0));
        assert_eq!(sink.requests().len(), 3);
        log::info!(logger: d, "one more, to collect the errors");
        d.shutdown();
        let errors = errors.lock().unwrap();
        assert!(
            errors.iter().any(|e| e.contains("after 2 retries")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.contains("http://***@127.0.0.1")),
            "{errors:?}"
        );
        for e in errors.iter() {
            assert!(!e.contains("hunter2"), "secret in {e:?}");
        }
    }

    #[test]
    fn http_body_formats_match_loki_elasticsearch_and_json_arrays() {
        let Some(sink) = Sink::start("http_formats", &[]) else {
            return;
        };
        open_gate();
        let url = format!("http://127.0.0.1:{}", sink.port);
        let d = dispatcher(&format!(
            "version: 1\nformatters:\n  j: {{ type: json, fields: [levelname, message] }}\nhandlers:\n  loki: {{ type: http, url: '{url}/loki', format: loki, labels: {{ app: shop }}, formatter: j }}\n  es: {{ type: http, url: '{url}/_bulk', format: elasticsearch_bulk, index: logs, formatter: j }}\n  arr: {{ type: http, url: '{url}/arr', format: json_array, formatter: j }}\nroot: {{ level: INFO, handlers: [loki, es, arr] }}\n"
        ));
        log::info!(logger: d, "one");
        log::warn!(logger: d, "two");
        d.flush_handlers();
        let requests = sink.requests();
        assert_eq!(requests.len(), 3);
        let by_path = |p: &str| {
            requests
                .iter()
                .find(|(_, m)| m["path"] == p)
                .unwrap_or_else(|| panic!("no request to {p}"))
                .0
                .clone()
        };
        let loki: serde_json::Value = serde_json::from_str(&by_path("/loki")).unwrap();
        assert_eq!(
            loki["streams"][0]["stream"],
            serde_json::json!({ "app": "shop" })
        );
        let values = loki["streams"][0]["values"].as_array().unwrap();
        assert_eq!(values.len(), 2);
        let line: serde_json::Value = serde_json::from_str(values[1][1].as_str().unwrap()).unwrap();
        assert_eq!(line["message"], "two");
        assert!(
            values[0][0].as_str().unwrap().parse::<u128>().unwrap() > 1_600_000_000_000_000_000
        );
        let es = by_path("/_bulk");
        let lines: Vec<serde_json::Value> = es
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines[0],
            serde_json::json!({ "index": { "_index": "logs" } })
        );
        assert_eq!(lines[1]["message"], "one");
        assert_eq!(lines[3]["levelname"], "WARNING");
        let arr: serde_json::Value = serde_json::from_str(&by_path("/arr")).unwrap();
        assert_eq!(arr[0]["message"], "one");
        assert_eq!(arr[1]["message"], "two");
    }
}

/// Checks that the one handler `handler` (YAML flow mapping) of a config is
/// refused with `FeatureDisabled` and a message containing `expected`.
#[cfg(not(all(feature = "http", feature = "smtp", feature = "tls", feature = "otlp")))]
pub(crate) fn assert_feature_disabled(handler: &str, expected: &str) {
    let text = format!("version: 1\nhandlers:\n  h: {handler}\nroot: {{ handlers: [h] }}\n");
    let config = Config::from_str(&text, Format::Yaml).unwrap();
    let err = Dispatcher::new(&config).unwrap_err();
    assert_eq!(err.kind(), logfig::ErrorKind::FeatureDisabled, "{err}");
    assert!(err.to_string().contains(expected), "{err}");
    assert_eq!(
        err.diagnostics()[0].kind(),
        logfig::DiagnosticKind::MissingFeature,
        "{err}"
    );
}

#[cfg(not(feature = "http"))]
#[test]
fn http_without_its_feature_is_refused_with_feature_disabled() {
    assert_feature_disabled(
        "{ type: http, url: 'http://127.0.0.1:9/' }",
        "handlers.h: handler type `http` requires the `http` feature of logfig",
    );
}

// ---- smtp against aiosmtpd ---------------------------------------------------

#[cfg(feature = "smtp")]
pub(crate) mod smtp {
    use super::*;

    /// aiosmtpd with `tests/servers/smtp_sink.py`, saving messages in `dir`.
    pub(crate) struct Aiosmtpd {
        child: Child,
        pub(crate) port: u16,
        dir: tempfile::TempDir,
    }

    impl Aiosmtpd {
        pub(crate) fn start(test: &str) -> Option<Aiosmtpd> {
            if !require(test, "python3", "apt-get install python3") {
                return None;
            }
            let installed = Command::new("python3")
                .args(["-c", "import aiosmtpd"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !installed {
                assert!(
                    std::env::var("LOGFIG_REQUIRE_SERVERS").as_deref() != Ok("1"),
                    "{test} needs aiosmtpd, which is not installed: python3 -m pip install aiosmtpd"
                );
                let _ = std::io::Write::write_all(
                    &mut std::io::stderr(),
                    format!("\n*** SKIPPED: {test} needs aiosmtpd (python3 -m pip install aiosmtpd) ***\n\n").as_bytes(),
                );
                return None;
            }
            let dir = tempfile::tempdir().unwrap();
            let port = free_tcp_port();
            let child = Command::new("python3")
                .args(["-m", "aiosmtpd", "-n", "-l"])
                .arg(format!("127.0.0.1:{port}"))
                .args(["-c", "smtp_sink.Sink"])
                .arg(dir.path())
                .env(
                    "PYTHONPATH",
                    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/servers"),
                )
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("starting aiosmtpd");
            let server = Aiosmtpd { child, port, dir };
            wait_until("aiosmtpd to listen", Duration::from_secs(20), || {
                std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            });
            Some(server)
        }

        /// The messages received so far, in order, as text.
        pub(crate) fn messages(&self) -> Vec<String> {
            let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "eml"))
                .collect();
            names.sort();
            names
                .iter()
                .map(|p| std::fs::read_to_string(p).unwrap().replace("\r\n", "\n"))
                .collect()
        }
    }

    impl Drop for Aiosmtpd {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn header<'m>(message: &'m str, name: &str) -> Option<&'m str> {
        message
            .lines()
            .take_while(|l| !l.is_empty())
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
    }

    pub(crate) fn body(message: &str) -> &str {
        message.split_once("\n\n").map_or("", |(_, b)| b)
    }

    #[test]
    fn smtp_500_errors_in_one_window_become_one_message_with_all_of_them() {
        let Some(server) = Aiosmtpd::start("smtp_window") else {
            return;
        };
        open_gate();
        let d = dispatcher(&format!(
            "version: 1\nhandlers:\n  mail: {{ type: smtp, host: 127.0.0.1, port: {}, starttls: never, from: 'App <app@example.com>', to: [ops@example.com, dev@example.com], subject: '[shop] %(levelname)s %(message)s', window: 2s, level: ERROR }}\nroot: {{ level: INFO, handlers: [mail] }}\n",
            server.port
        ));
        for i in 0..500 {
            log::error!(logger: d, "e{i}");
            log::info!(logger: d, "not mailed {i}");
        }
        wait_until("a message", Duration::from_secs(30), || {
            !server.messages().is_empty()
        });
        std::thread::sleep(Duration::from_millis(500));
        let messages = server.messages();
        assert_eq!(messages.len(), 1);
        let m = &messages[0];
        assert_eq!(header(m, "Subject"), Some("[shop] ERROR e0 (+499 more)"));
        assert_eq!(header(m, "From"), Some("App <app@example.com>"));
        assert_eq!(header(m, "To"), Some("ops@example.com, dev@example.com"));
        let expected: Vec<String> = (0..500).map(|i| format!("e{i}")).collect();
        assert_eq!(body(m).trim_end().lines().collect::<Vec<_>>(), expected);
        let stats = d.stats()["mail"];
        assert_eq!((stats.emitted, stats.dropped), (500, 0));
    }

    #[test]
    fn smtp_caps_messages_per_hour_and_counts_what_it_could_not_send() {
        let Some(server) = Aiosmtpd::start("smtp_cap") else {
            return;
        };
        open_gate();
        let d = dispatcher(&format!(
            "version: 1\nhandlers:\n  mail: {{ type: smtp, host: 127.0.0.1, port: {}, from: app@example.com, to: ops@example.com, window: 50ms, max_per_hour: 2 }}\nroot: {{ level: INFO, handlers: [mail] }}\n",
            server.port
        ));
        log::error!(logger: d, "first");
        wait_until("message 1", Duration::from_secs(20), || {
            server.messages().len() == 1
        });
        log::error!(logger: d, "second");
        wait_until("message 2", Duration::from_secs(20), || {
            server.messages().len() == 2
        });
        for i in 0..50 {
            log::error!(logger: d, "storm {i}");
        }
        d.flush_handlers();
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(
            server.messages().len(),
            2,
            "the cap let a third message out"
        );
        assert_eq!(d.stats()["mail"].queued, 50);
        let before = d.stats()["mail"];
        d.shutdown();
        assert_eq!((before.emitted, before.dropped), (2, 0));
        assert_eq!(server.messages().len(), 2);
    }

    #[test]
    fn smtp_required_starttls_failure_is_counted_and_hides_the_password() {
        let Some(server) = Aiosmtpd::start("smtp_starttls") else {
            return;
        };
        open_gate();
        let errors = Arc::new(Mutex::new(Vec::new()));
        let e = Arc::clone(&errors);
        let yaml = format!(
            "version: 1\nhandlers:\n  mail: {{ type: smtp, host: 127.0.0.1, port: {}, from: app@example.com, to: ops@example.com, window: 10ms, starttls: always, timeout: 2s, credentials: {{ username: app, password: hunter2 }} }}\nroot: {{ level: INFO, handlers: [mail] }}\n",
            server.port
        );
        let d = logfig::Builder::new()
            .on_error(move |name, err| e.lock().unwrap().push(format!("{name}: {err}")))
            .build(&Config::from_str(&yaml, Format::Yaml).unwrap())
            .unwrap();
        log::error!(logger: d, "needs tls");
        d.flush_handlers();
        wait_until("the failure counted", Duration::from_secs(20), || {
            d.stats()["mail"].failed == 1
        });
        log::error!(logger: d, "collects the error");
        d.shutdown();
        assert!(server.messages().is_empty());
        let errors = errors.lock().unwrap();
        assert!(
            errors.iter().any(|e| e.contains("smtp `mail`")),
            "{errors:?}"
        );
        for e in errors.iter() {
            assert!(!e.contains("hunter2"), "password in {e:?}");
        }
    }
}

#[cfg(not(feature = "smtp"))]
#[test]
fn smtp_without_its_feature_is_refused_with_feature_disabled() {
    assert_feature_disabled(
        "{ type: smtp, host: h, from: a@b.c, to: d@e.f }",
        "handlers.h: handler type `smtp` requires the `smtp` feature of logfig",
    );
}

#[cfg(not(feature = "otlp"))]
#[test]
fn otlp_without_its_feature_is_refused_with_feature_disabled() {
    assert_feature_disabled(
        "{ type: otlp }",
        "handlers.h: handler type `otlp` requires the `otlp` feature of logfig",
    );
}
