//! The worker thread every output with a background thread shares (`queue`,
//! `tcp`, `udp`, `syslog`, `http`, `smtp`): shutdown never waits past
//! `close_timeout`, every record ends up counted, and what waits is bounded
//! in bytes (`buffer_bytes`). Peers are real sockets on 127.0.0.1 that
//! misbehave on purpose: one that accepts and never reads, an HTTP server
//! that never answers, an SMTP server that never greets, a port nobody
//! listens on.

use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use logfig::{Builder, Config, Entry, Error, Format, Formatter, Handler, PatternFormatter};

use crate::dispatch::open_gate;
use crate::network::{free_tcp_port, wait_until};

/// Generous: these waits are bounded by `close_timeout` (a fraction of a
/// second here); the limit only keeps a regression from hanging the suite.
const PATIENCE: Duration = Duration::from_secs(60);

/// Runs `f` on a thread and waits for it to return (it must, well within
/// `PATIENCE`: before the worker, a stuck output made it hang forever).
fn returns(what: &str, f: impl FnOnce() + Send + 'static) {
    let t = std::thread::spawn(f);
    wait_until(what, PATIENCE, || t.is_finished());
    t.join().unwrap();
}

/// A gate a stuck handler waits at until the test opens it (so its thread
/// ends with the test).
#[derive(Debug, Default)]
struct Gate(Mutex<bool>, Condvar, std::sync::atomic::AtomicBool);

impl Gate {
    fn wait(&self) {
        self.2.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut open = self.0.lock().unwrap();
        while !*open {
            open = self.1.wait(open).unwrap();
        }
    }

    /// Whether a thread has come to the gate.
    fn reached(&self) -> bool {
        self.2.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn open(&self) {
        *self.0.lock().unwrap() = true;
        self.1.notify_all();
    }
}

/// A handler whose `emit` blocks until its gate opens: a target that hangs.
/// Wedged (`true`), its `flush` and `close` block too, as a console's whose
/// stdout pipe nobody reads (they need the stream's lock, which the blocked
/// write holds).
#[derive(Debug)]
struct Stuck(Arc<Gate>, bool);

impl Handler for Stuck {
    fn emit(&self, _entry: &Entry<'_>, _formatter: &dyn Formatter) -> Result<(), Error> {
        self.0.wait();
        Ok(())
    }

    fn flush(&self) -> Result<(), Error> {
        if self.1 {
            self.0.wait();
        }
        Ok(())
    }
}

/// The errors the hook received, as `handler: message` lines.
type Errors = Arc<Mutex<Vec<String>>>;

/// A `Handle` for `yaml` (written to a file) with the `stuck` and `wedged`
/// custom handlers and an error hook that collects what it gets.
fn handle(yaml: &str, gate: &Arc<Gate>) -> (logfig::Handle, Errors, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logging.yaml");
    std::fs::write(&path, yaml).unwrap();
    let errors = Errors::default();
    let e = Arc::clone(&errors);
    let (g, w) = (Arc::clone(gate), Arc::clone(gate));
    let handle = Builder::new()
        .handler_factory("stuck", move |_| Ok(Box::new(Stuck(Arc::clone(&g), false))))
        .handler_factory("wedged", move |_| Ok(Box::new(Stuck(Arc::clone(&w), true))))
        .on_error(move |name, err| e.lock().unwrap().push(format!("{name}: {err}")))
        .build_file(&path)
        .unwrap();
    (handle, errors, dir)
}

/// The number `… {n} records could not be written …` in the errors.
fn lost_at_close(errors: &Errors) -> Option<u64> {
    errors.lock().unwrap().iter().find_map(|e| {
        let (before, _) = e.split_once(" records could not be written")?;
        before.rsplit(' ').next()?.parse().ok()
    })
}

#[test]
fn dropping_the_handle_with_a_stuck_queue_target_returns_and_counts_the_rest() {
    open_gate();
    let gate = Arc::new(Gate::default());
    let (handle, errors, _dir) = handle(
        "version: 1\nreload: { enabled: false }\nhandlers:\n  hang: { type: custom, factory: stuck }\n  q: { type: queue, handlers: [hang], close_timeout: 200ms }\nroot: { level: INFO, handlers: [q] }\n",
        &gate,
    );
    for i in 0..5 {
        log::info!(logger: handle.dispatcher(), "record {i}");
    }
    wait_until("the worker is stuck in the target", PATIENCE, || {
        handle.stats()["q"].queued == 5
    });
    returns("dropping the handle", move || drop(handle));
    let errors_now = errors.lock().unwrap().clone();
    assert!(
        errors_now
            .iter()
            .any(|e| e.starts_with("q: ") && e.contains("flush gave up")),
        "{errors_now:?}"
    );
    // One record stuck in the target, four waiting: all five count as failed.
    assert_eq!(lost_at_close(&errors), Some(5), "{errors_now:?}");
    gate.open();
}

/// The queue gives up on its target after `close_timeout`; closing the
/// target itself, next, must not hang the shutdown either: a handler's
/// flush and close are waited for at most its `close_timeout` (5 s for the
/// kinds without one), then left behind and reported.
#[test]
fn dropping_the_handle_returns_when_a_targets_flush_and_close_hang_too() {
    open_gate();
    let gate = Arc::new(Gate::default());
    let (handle, errors, _dir) = handle(
        "version: 1\nreload: { enabled: false }\nhandlers:\n  wedged: { type: custom, factory: wedged }\n  q: { type: queue, handlers: [wedged], close_timeout: 100ms }\nroot: { level: INFO, handlers: [q] }\n",
        &gate,
    );
    for i in 0..10 {
        log::info!(logger: handle.dispatcher(), "record {i}");
    }
    wait_until("the target to block", PATIENCE, || gate.reached());
    returns("dropping the handle", move || drop(handle));
    let errors = errors.lock().unwrap().clone();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("wedged: ") && e.contains("left behind")),
        "{errors:?}"
    );
    gate.open();
}

#[test]
fn a_blocked_logging_thread_waits_at_most_close_timeout_then_drops() {
    open_gate();
    let gate = Arc::new(Gate::default());
    let (handle, errors, _dir) = handle(
        "version: 1\nreload: { enabled: false }\nhandlers:\n  hang: { type: custom, factory: stuck }\n  q: { type: queue, handlers: [hang], capacity: 2, close_timeout: 100ms }\nroot: { level: INFO, handlers: [q] }\n",
        &gate,
    );
    let handle = Arc::new(handle);
    let h = Arc::clone(&handle);
    // One in the target, two waiting, then two that find the queue full.
    log::info!(logger: handle.dispatcher(), "record 0");
    wait_until("the worker in the target", PATIENCE, || gate.reached());
    returns("logging into a full queue", move || {
        for i in 1..5 {
            log::info!(logger: h.dispatcher(), "record {i}");
        }
    });
    let stats = handle.stats()["q"];
    assert_eq!((stats.queued, stats.dropped), (3, 2), "{stats:?}");
    assert!(
        errors
            .lock()
            .unwrap()
            .iter()
            .any(|e| e.contains("full for")),
        "{:?}",
        errors.lock().unwrap()
    );
    gate.open();
}

/// Renders records through a handler directly, as the dispatcher would.
fn emit_n(h: &dyn Handler, n: usize, size: usize) {
    let formatter = PatternFormatter::message_only();
    let text = "x".repeat(size);
    for i in 0..n {
        let args = format_args!("{i} {text}");
        let record = log::Record::builder().args(args).build();
        let _ = h.emit(&Entry::new(&record), &formatter);
    }
}

/// Keeps the connections a listener accepts open, reading nothing.
fn silent_server() -> (u16, Arc<Mutex<Vec<TcpStream>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = Arc::new(Mutex::new(Vec::new()));
    let keep = Arc::clone(&held);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            keep.lock().unwrap().push(conn);
        }
    });
    (port, held)
}

#[test]
fn tcp_to_a_peer_that_never_reads_closes_within_its_bound_and_counts_every_record() {
    let (port, _held) = silent_server();
    let mut c = logfig::config::TcpHandlerConfig::new("127.0.0.1", port);
    c.connection.timeout = Duration::from_secs(30);
    c.worker.close_timeout = Duration::from_millis(300);
    let h = Arc::new(logfig::__internal::TcpHandler::start("net", &c).unwrap());
    // 20 MB: more than the socket buffers of both ends hold.
    emit_n(&*h, 200, 100_000);
    let h2 = Arc::clone(&h);
    let closed = Arc::new(Mutex::new(None));
    let out = Arc::clone(&closed);
    returns("close", move || {
        let _ = h2.flush();
        *out.lock().unwrap() = Some(h2.close());
    });
    let e = closed.lock().unwrap().take().unwrap().unwrap_err();
    assert!(e.to_string().contains("count as failed"), "{e}");
    let s = h.stats();
    assert!(s.failed > 0, "{s:?}");
    assert_eq!(s.queued, 0, "{s:?}");
    assert_eq!(s.emitted + s.dropped + s.failed, 200, "{s:?}");
}

#[test]
fn http_to_a_server_that_never_answers_closes_within_its_bound() {
    let (port, held) = silent_server();
    let mut c = logfig::config::HttpHandlerConfig::new(format!("http://127.0.0.1:{port}/logs"));
    c.timeout = Duration::from_secs(60);
    c.batch_size = 10;
    c.flush_interval = Duration::from_millis(10);
    c.worker.close_timeout = Duration::from_millis(300);
    let h = Arc::new(logfig::__internal::HttpHandler::start("web", &c).unwrap());
    emit_n(&*h, 25, 10);
    wait_until("a request in flight", PATIENCE, || {
        held.lock().unwrap().len() == 1
    });
    let h2 = Arc::clone(&h);
    returns("close", move || {
        let e = h2.close().unwrap_err();
        assert!(e.to_string().contains("25 records"), "{e}");
    });
    let s = h.stats();
    assert_eq!(
        (s.emitted, s.dropped, s.failed, s.queued),
        (0, 0, 25, 0),
        "{s:?}"
    );
}

#[test]
#[cfg(feature = "smtp")]
fn smtp_to_a_server_that_stalls_closes_within_its_bound() {
    let (port, held) = silent_server();
    let mut c =
        logfig::config::SmtpHandlerConfig::new("127.0.0.1", "app@example.com", ["ops@example.com"]);
    c.port = port;
    c.starttls = logfig::config::StartTls::Never;
    c.timeout = Duration::from_secs(60);
    c.window = Duration::from_millis(10);
    c.worker.close_timeout = Duration::from_millis(300);
    let h = Arc::new(logfig::__internal::SmtpHandler::start("mail", &c).unwrap());
    emit_n(&*h, 3, 10);
    wait_until("a connection waiting for the greeting", PATIENCE, || {
        held.lock().unwrap().len() == 1
    });
    let h2 = Arc::clone(&h);
    returns("flush and close", move || {
        assert!(h2.flush().is_err(), "the flush gives up");
        let e = h2.close().unwrap_err();
        assert!(e.to_string().contains("3 records"), "{e}");
    });
    let s = h.stats();
    assert_eq!((s.emitted, s.failed, s.queued), (0, 3, 0), "{s:?}");
}

#[test]
fn dropping_the_handle_returns_for_every_stuck_network_output() {
    open_gate();
    let (tcp, _a) = silent_server();
    let (web, _b) = silent_server();
    let (mail, _c) = silent_server();
    let mut handlers = format!(
        "  net: {{ type: tcp, host: 127.0.0.1, port: {tcp}, timeout: 30s, close_timeout: 200ms }}\n  web: {{ type: http, url: 'http://127.0.0.1:{web}/', timeout: 30s, flush_interval: 10ms, close_timeout: 200ms }}\n"
    );
    let mut names = String::from("net, web");
    if cfg!(feature = "smtp") {
        handlers.push_str(&format!(
            "  mail: {{ type: smtp, host: 127.0.0.1, port: {mail}, from: a@example.com, to: b@example.com, starttls: never, timeout: 30s, window: 10ms, close_timeout: 200ms }}\n"
        ));
        names.push_str(", mail");
    }
    drop_returns_and_counts_failed(&handlers, &names, 200, 100_000);
}

/// A `Handle` with `handlers` (lines of YAML) on the root logger: logs `n`
/// records of `size` bytes, drops the handle, which must return, and checks
/// that each of `names` reported records counted as failed.
fn drop_returns_and_counts_failed(handlers: &str, names: &str, n: usize, size: usize) {
    let gate = Arc::new(Gate::default());
    let (handle, errors, _dir) = handle(
        &format!(
            "version: 1\nreload: {{ enabled: false }}\nhandlers:\n{handlers}root: {{ level: INFO, handlers: [{names}] }}\n"
        ),
        &gate,
    );
    let big = "x".repeat(size);
    for i in 0..n {
        log::info!(logger: handle.dispatcher(), "{i} {big}");
    }
    returns("dropping the handle", move || drop(handle));
    let errors = errors.lock().unwrap();
    for name in names.split(", ") {
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with(&format!("{name}: ")) && e.contains("as failed")),
            "{name}: {errors:?}"
        );
    }
}

#[test]
fn records_after_close_count_as_failed() {
    let c = logfig::config::UdpHandlerConfig::new("127.0.0.1", free_tcp_port());
    let h = logfig::__internal::UdpHandler::start("u", &c).unwrap();
    h.close().unwrap();
    emit_n(&h, 3, 10);
    let s = h.stats();
    assert_eq!((s.emitted, s.failed), (0, 3), "{s:?}");
}

#[test]
fn an_unreachable_tcp_peer_holds_at_most_buffer_bytes() {
    let mut c = logfig::config::TcpHandlerConfig::new("127.0.0.1", free_tcp_port());
    c.connection.buffer = 100_000;
    c.worker.buffer_bytes = logfig::config::Size(2 << 20);
    let h = logfig::__internal::TcpHandler::start("net", &c).unwrap();
    // 200 MB offered, 100 KB a record.
    let mut most = 0;
    for _ in 0..20 {
        emit_n(&h, 100, 100_000);
        most = most.max(h.stats().queued_bytes);
    }
    let s = h.stats();
    // At most the bound, plus one record over it (a record alone is taken).
    assert!(most <= (2 << 20) + 100_100, "{most} bytes held: {s:?}");
    assert!(s.dropped >= 1900, "{s:?}");
    assert_eq!(s.emitted + s.dropped + s.failed + s.queued, 2000, "{s:?}");
    let _ = h.close();
    let s = h.stats();
    assert_eq!(s.emitted + s.dropped + s.failed, 2000, "{s:?}");
}

/// The outputs that batch (`http`, `otlp`, `smtp`) hold at most
/// `buffer_bytes` too, batches being sent or retried included, while their
/// server is unreachable.
#[test]
fn batching_outputs_to_an_unreachable_server_hold_at_most_buffer_bytes() {
    open_gate();
    let port = free_tcp_port();
    let mut outputs = vec![
        format!("{{ type: http, url: 'http://127.0.0.1:{port}/', max_retries: 100, backoff: 10s"),
        format!("{{ type: smtp, host: 127.0.0.1, port: {port}, from: a@example.com, to: [b@example.com], starttls: never, window: 1h"),
    ];
    if cfg!(feature = "otlp") {
        outputs.push(format!(
            "{{ type: otlp, endpoint: 'http://127.0.0.1:{port}/v1/logs', max_retries: 100, backoff: 10s"
        ));
    }
    let big = "x".repeat(100_000);
    for output in outputs {
        let text = format!(
            "version: 1\nhandlers:\n  h: {output}, buffer: 100000, buffer_bytes: 1MiB, close_timeout: 100ms }}\nroot: {{ level: INFO, handlers: [h] }}\n"
        );
        let d = Builder::new()
            .on_error(|_, _| {})
            .build(&Config::from_str(&text, Format::Yaml).unwrap())
            .unwrap();
        let mut most = 0;
        for i in 0..400 {
            log::info!(logger: d, "{i} {big}");
            if i % 10 == 0 {
                most = most.max(d.stats()["h"].queued_bytes);
            }
        }
        let s = d.stats()["h"];
        // At most the bound, plus one record over it.
        assert!(most <= (1 << 20) + 101_000, "{output}: {most} bytes held: {s:?}");
        assert!(s.dropped >= 380, "{output}: {s:?}");
        assert_eq!(s.emitted + s.dropped + s.failed + s.queued, 400, "{output}: {s:?}");
        d.shutdown();
    }
}

#[test]
fn a_drop_oldest_queue_with_a_stuck_target_holds_at_most_buffer_bytes() {
    open_gate();
    let gate = Arc::new(Gate::default());
    let (handle, _errors, _dir) = handle(
        "version: 1\nreload: { enabled: false }\nhandlers:\n  hang: { type: custom, factory: stuck }\n  q: { type: queue, handlers: [hang], capacity: 100000, overflow: drop_oldest, buffer_bytes: 2MiB, close_timeout: 100ms }\nroot: { level: INFO, handlers: [q] }\n",
        &gate,
    );
    let big = "x".repeat(100_000);
    let mut most = 0;
    for i in 0..2000 {
        log::info!(logger: handle.dispatcher(), "{i} {big}");
        if i % 100 == 0 {
            most = most.max(handle.stats()["q"].queued_bytes);
        }
    }
    let s = handle.stats()["q"];
    assert!(most <= (2 << 20) + 101_000, "{most} bytes held: {s:?}");
    assert!(s.dropped >= 1900, "{s:?}");
    assert_eq!(s.emitted + s.dropped + s.queued, 2000, "{s:?}");
    gate.open();
}

/// A `memory` handler holds records until a trigger, on the logging thread:
/// with records of 100 KB its `capacity` alone let it hold gigabytes. It
/// passes its buffer on at `buffer_bytes` too, whichever bound is hit first,
/// and shows what it holds in `queued_bytes`.
#[test]
fn a_memory_handler_passes_its_buffer_on_at_buffer_bytes() {
    open_gate();
    let capture = logfig::CaptureHandler::new();
    let c = capture.clone();
    let text = "version: 1\nhandlers:\n  out: { type: custom, factory: capture }\n  m: { type: memory, target: out, capacity: 100000, flush_level: CRITICAL, buffer_bytes: 1MiB }\nroot: { level: INFO, handlers: [m] }\n";
    let d = Builder::new()
        .handler_factory("capture", move |_| Ok(Box::new(c.clone())))
        .build(&Config::from_str(text, Format::Yaml).unwrap())
        .unwrap();
    let big = "x".repeat(100_000);
    let mut most = 0;
    for i in 0..100 {
        log::info!(logger: d, "{i} {big}");
        let s = d.stats()["m"];
        assert!(s.queued == 0 || s.queued_bytes > 0, "{s:?}");
        most = most.max(s.queued_bytes);
    }
    let s = d.stats()["m"];
    // At most the bound, plus the record that reached it.
    assert!(most <= (1 << 20) + 101_000, "{most} bytes held: {s:?}");
    assert_eq!(s.emitted + s.queued, 100, "{s:?}");
    assert!(s.emitted >= 90, "{s:?}");
    assert_eq!(capture.lines().len() as u64, s.emitted);
    d.shutdown();
    let e = Config::from_str(&text.replace("1MiB", "0"), Format::Yaml)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("handlers.m.buffer_bytes") && e.contains("at least 1 byte"),
        "{e}"
    );
}

#[test]
fn close_timeout_and_buffer_bytes_are_checked() {
    for (yaml, expected) in [
        ("close_timeout: 0s", "`close_timeout` must be longer than 0"),
        ("close_timeout: 2h", "at most 1h"),
        ("buffer_bytes: 0", "at least 1 byte"),
        ("buffer_bytes: lots", "buffer_bytes"),
    ] {
        let text = format!(
            "version: 1\nhandlers:\n  f: {{ type: file, path: a.log }}\n  q: {{ type: queue, handlers: [f], {yaml} }}\nroot: {{ handlers: [q] }}\n"
        );
        let e = Config::from_str(&text, Format::Yaml)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(expected) && e.contains("handlers.q"),
            "{yaml}: {e}"
        );
    }
}

#[test]
fn syslog_records_an_absent_server_never_got_count_as_failed_at_close() {
    let mut c = logfig::config::SyslogHandlerConfig::default();
    c.transport = logfig::config::SyslogTransport::Tcp;
    c.host = "127.0.0.1".into();
    c.port = free_tcp_port();
    c.worker.close_timeout = Duration::from_millis(300);
    let h = logfig::__internal::SyslogHandler::start("sys", &c).unwrap();
    emit_n(&h, 10, 10);
    wait_until("a failed attempt", PATIENCE, || h.stats().retried > 0);
    let e = h.close().unwrap_err();
    assert!(e.to_string().contains("count as failed"), "{e}");
    let s = h.stats();
    assert_eq!(
        (s.emitted, s.dropped, s.failed, s.queued),
        (0, 0, 10, 0),
        "{s:?}"
    );
}

/// Local sockets nobody reads: a datagram socket fills and its sends block
/// (the journal's, syslog's `/dev/log`), a stream socket stops taking bytes.
/// Dropping the handle still returns within the bound, and what was not sent
/// is reported as failed.
#[cfg(unix)]
#[test]
fn dropping_the_handle_returns_for_every_stuck_local_socket_output() {
    use std::os::unix::net::{UnixDatagram, UnixListener};
    open_gate();
    let dir = tempfile::tempdir().unwrap();
    let dgram = dir.path().join("dgram.sock");
    let stream = dir.path().join("stream.sock");
    let _dgram = UnixDatagram::bind(&dgram).unwrap();
    let listener = UnixListener::bind(&stream).unwrap();
    let held = Arc::new(Mutex::new(Vec::new()));
    let keep = Arc::clone(&held);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            keep.lock().unwrap().push(conn);
        }
    });
    let (tcp, _t) = silent_server();
    let mut handlers = format!(
        "  sysd: {{ type: syslog, transport: unix, path: '{}', close_timeout: 200ms }}\n  syss: {{ type: syslog, transport: unix, path: '{}', close_timeout: 200ms }}\n  syst: {{ type: syslog, transport: tcp, host: 127.0.0.1, port: {tcp}, timeout: 30s, close_timeout: 200ms }}\n",
        dgram.display(),
        stream.display()
    );
    let mut names = String::from("sysd, syss, syst");
    if cfg!(all(target_os = "linux", feature = "journald")) {
        handlers.push_str(&format!(
            "  jd: {{ type: journald, path: '{}', close_timeout: 200ms }}\n",
            dgram.display()
        ));
        names.push_str(", jd");
    }
    drop_returns_and_counts_failed(&handlers, &names, 5_000, 4_000);
}
