//! Hostile record text at every output (issue #13, item 7): a message that
//! tries to forge a second record with a newline and a fake timestamp, to
//! drive a terminal with ESC, BEL, CR and C1 sequences, and to end a frame
//! with NUL. Every output gets the same bytes; each test shows that the forged
//! record does not appear on its own and that the text can still be read
//! (escaped). Servers are real: files, a child process's console, listeners
//! on 127.0.0.1, rsyslogd, Python's http.server and aiosmtpd.

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, UdpSocket};
use std::process::Command;
use std::time::Duration;

use logfig::Dispatcher;

use crate::dispatch::open_gate;
use crate::network::{Rsyslog, dispatcher, line_server, parse_line, require, wait_until};

/// The record a forger would like to add.
const FORGED: &str = "2026-01-01 00:00:00,000 CRITICAL root: forged";

/// A message that tries every trick at once: a newline and a forged record,
/// a carriage return that would hide the start of the line on a terminal, an
/// OSC sequence that sets the terminal's title, a screen clear, a C1 CSI,
/// NUL and DEL.
fn hostile() -> String {
    format!("login failed for bob\n{FORGED}\r\x1b]0;pwned\x07\x1b[2J\u{9b}31m\0\x7f end")
}

/// `s` escaped as the docs of `escape` say, written independently of the
/// crate: `\r`, `\n` (with `lines`), else `\xNN` for C0 (not tab), DEL, C1.
fn escaped(s: &str, lines: bool) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let u = c as u32;
        match c {
            '\t' => out.push(c),
            '\n' if !lines => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if u < 0x20 || (0x7f..=0x9f).contains(&u) => out.push_str(&format!("\\x{u:02x}")),
            _ => out.push(c),
        }
    }
    out
}

/// Bytes that must never reach a reader raw once escaped: the C0 controls but
/// tab and newline, DEL, and the UTF-8 of the C1 controls.
fn has_terminal_controls(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .any(|&b| (b < 0x20 && b != b'\t' && b != b'\n') || b == 0x7f)
        || bytes
            .windows(2)
            .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
}

fn log_hostile(d: &Dispatcher) {
    log::warn!(logger: d, target: "app", user = "bob\x1b[8m"; "{}", hostile());
    log::info!(logger: d, target: "app", "next");
}

// ---- files ------------------------------------------------------------------

#[test]
fn file_escapes_terminal_controls_and_with_lines_keeps_a_record_a_line() {
    open_gate();
    let dir = tempfile::tempdir().unwrap();
    let path = |n: &str| dir.path().join(n).display().to_string();
    let d = dispatcher(&format!(
        "version: 1\nformatters:\n  control: {{ format: '%(levelname)s %(name)s [%(threadName)s] %(message)s %(kv)s' }}\n  lines: {{ format: '%(levelname)s %(name)s [%(threadName)s] %(message)s %(kv)s', escape: lines }}\n  none: {{ format: '%(levelname)s %(name)s [%(threadName)s] %(message)s %(kv)s', escape: none }}\nhandlers:\n  c: {{ type: file, path: '{}', formatter: control }}\n  l: {{ type: file, path: '{}', formatter: lines }}\n  n: {{ type: file, path: '{}', formatter: none }}\nroot: {{ level: INFO, handlers: [c, l, n] }}\n",
        path("control.log"),
        path("lines.log"),
        path("none.log")
    ));
    // A thread whose name is hostile too, and a hostile target.
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("w\x1b[2J".into())
            .spawn_scoped(s, || {
                log::warn!(logger: d, target: "app\x1b]0;t\x07", user = "bob\x1b[8m"; "{}", hostile());
                log::info!(logger: d, target: "app", "next");
            })
            .unwrap();
    });
    d.flush_handlers();
    let read = |n: &str| std::fs::read(dir.path().join(n)).unwrap();

    // `control` (the default): no control byte reaches the file, the
    // message keeps its newline (CPython's multi-line record).
    let control = read("control.log");
    assert!(
        !has_terminal_controls(&control),
        "{:?}",
        String::from_utf8_lossy(&control)
    );
    let text = String::from_utf8(control).unwrap();
    let want = format!(
        "WARNING {} [{}] {} user=\"bob\\u001b[8m\"\nINFO app [w\\x1b[2J] next \n",
        escaped("app\x1b]0;t\x07", false),
        escaped("w\x1b[2J", false),
        escaped(&hostile(), false)
    );
    assert_eq!(text, want);

    // `lines`: one line a record; the forged record is text inside the first.
    let lines = String::from_utf8(read("lines.log")).unwrap();
    let got: Vec<&str> = lines.lines().collect();
    assert_eq!(got.len(), 2, "{lines}");
    assert!(got.iter().all(|l| !l.starts_with("2026")), "{lines}");
    assert!(
        got[0].contains(&escaped(&hostile(), true)),
        "{:?} lacks the escaped message",
        got[0]
    );
    assert!(!has_terminal_controls(lines.as_bytes()));

    // `none`: CPython's bytes, control characters and all.
    let none = String::from_utf8(read("none.log")).unwrap();
    assert!(
        none.contains(&hostile()),
        "escape: none changed the message"
    );
}

// ---- the console, in a child process -----------------------------------------

#[test]
fn console_escapes_terminal_controls_on_stdout_and_stderr() {
    if std::env::var_os("LOGFIG_INJECTION_CONSOLE_CHILD").is_some() {
        open_gate();
        let d = dispatcher(
            "version: 1\nformatters:\n  f: { format: '%(levelname)s %(name)s: %(message)s' }\nhandlers:\n  out: { type: console, stream: stdout, color: never, formatter: f }\n  err: { type: console, stream: stderr, color: never, formatter: f }\nroot: { level: INFO, handlers: [out, err] }\n",
        );
        log::warn!(logger: d, target: "app\x1b[2J", "{}", hostile());
        d.flush_handlers();
        return;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "handlers::injection::console_escapes_terminal_controls_on_stdout_and_stderr",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("LOGFIG_INJECTION_CONSOLE_CHILD", "1")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "the child did not run:\n{stdout}"
    );
    let want = format!("WARNING app\\x1b[2J: {}\n", escaped(&hostile(), false));
    for (name, stream) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        assert!(
            !has_terminal_controls(stream),
            "raw control characters on {name}: {:?}",
            String::from_utf8_lossy(stream)
        );
        assert!(
            String::from_utf8_lossy(stream).contains(&want),
            "{name} lacks {want:?}: {:?}",
            String::from_utf8_lossy(stream)
        );
    }
}

/// A peer's own text reaches the error hook (here a mail server's refusal);
/// the default hook writes it to stderr with its terminal controls escaped,
/// as record text is, so a hostile server cannot drive the terminal of
/// whoever reads the application's stderr.
#[test]
fn the_default_error_hook_escapes_what_a_hostile_peer_says() {
    if let Some(port) = std::env::var_os("LOGFIG_INJECTION_PEER_CHILD") {
        open_gate();
        let text = format!(
            "version: 1\nhandlers:\n  m: {{ type: smtp, host: 127.0.0.1, port: {}, from: a@example.com, to: [b@example.com], starttls: never, window: 10ms }}\nroot: {{ level: INFO, handlers: [m] }}\n",
            port.to_str().unwrap()
        );
        let config = logfig::Config::from_str(&text, logfig::Format::Yaml).unwrap();
        // The default error hook: logfig's own stderr sink.
        let d = logfig::Builder::new().build(&config).unwrap();
        log::error!(logger: d, "boom");
        d.flush_handlers();
        d.shutdown();
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            std::thread::spawn(move || {
                use std::io::Write;
                let _ = conn.write_all(b"554 \x1b]0;pwned\x07\x1b[2Jgo\raway\r\n");
                let _ = conn.read(&mut [0; 512]);
            });
        }
    });
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "handlers::injection::the_default_error_hook_escapes_what_a_hostile_peer_says",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("LOGFIG_INJECTION_PEER_CHILD", port.to_string())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{stderr}");
    assert!(
        stderr.contains("554): \\x1b]0;pwned\\x07\\x1b[2Jgo\\raway"),
        "the refusal is not reported, escaped: {stderr:?}"
    );
    assert!(
        !has_terminal_controls(&output.stderr),
        "raw control characters on stderr: {stderr:?}"
    );
}

/// Runs this binary's test `test` (in `handlers::injection`) as a child with
/// `var` set, and returns its stderr, which must hold no raw terminal
/// control.
fn escaped_stderr_of(test: &str, var: &str) -> String {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            &format!("handlers::injection::{test}"),
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(var, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "child failed:\n{stderr}");
    assert!(
        !has_terminal_controls(&output.stderr),
        "raw control characters on stderr: {stderr:?}"
    );
    stderr
}

/// A handler's panic message and a config file's text reach stderr through
/// logfig's own reports (the caught panic, the failed reload quoting the
/// file's line): their terminal controls are escaped there too.
#[test]
fn a_panic_message_and_a_failed_reload_reach_stderr_escaped() {
    if std::env::var_os("LOGFIG_INJECTION_REPORT_CHILD").is_some() {
        #[derive(Debug)]
        struct Panics;
        impl logfig::Handler for Panics {
            fn emit(
                &self,
                _: &logfig::Entry<'_>,
                _: &dyn logfig::Formatter,
            ) -> Result<(), logfig::Error> {
                panic!("handler bug \x1b]0;pwned\x07\x1b[2Jgo\raway");
            }
        }
        open_gate();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logging.yaml");
        std::fs::write(
            &path,
            "version: 1\nreload: { mode: poll, poll_interval: 1h }\nhandlers:\n  p: { type: custom, factory: panics }\nroot: { level: INFO, handlers: [p] }\n",
        )
        .unwrap();
        let handle = logfig::Builder::new()
            .handler_factory("panics", |_| Ok(Box::new(Panics)))
            .build_file(&path)
            .unwrap();
        log::error!(logger: handle.dispatcher(), "boom");
        std::fs::write(
            &path,
            "version: 1\nreload: { mode: poll, poll_interval: 1h }\nroot: { level: \"LOUD \x1b]0;pwned\x07\x1b[2J\" }\n",
        )
        .unwrap();
        assert!(handle.reload_now().is_err());
        return;
    }
    let stderr = escaped_stderr_of(
        "a_panic_message_and_a_failed_reload_reach_stderr_escaped",
        "LOGFIG_INJECTION_REPORT_CHILD",
    );
    for shown in [
        "handler bug \\x1b]0;pwned\\x07\\x1b[2Jgo\\raway",
        "logfig: reloading `",
        "\\x1b]0;pwned\\x07\\x1b[2J",
    ] {
        assert!(stderr.contains(shown), "{shown:?} not in {stderr:?}");
    }
}

/// A panic that leaves the graph uncaught (here a message's own `Display`,
/// run by a filter before any handler) is described on stderr before it goes
/// on into the application: its message's terminal controls are escaped.
#[test]
fn a_panic_escaping_the_graph_is_described_escaped() {
    if std::env::var_os("LOGFIG_INJECTION_ESCAPING_CHILD").is_some() {
        struct Hostile;
        impl std::fmt::Display for Hostile {
            fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                panic!("display bug \x1b]0;pwned\x07\x1b[2Jgo\raway");
            }
        }
        open_gate();
        let config = logfig::Config::from_str(
            "version: 1\nfilters:\n  f: { type: regex, pattern: x }\nroot: { level: INFO, filters: [f] }\n",
            logfig::Format::Yaml,
        )
        .unwrap();
        let d = logfig::Builder::new().build(&config).unwrap();
        let escaped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            log::error!(logger: d, "{}", Hostile);
        }));
        assert!(escaped.is_err(), "the panic goes on into the application");
        return;
    }
    let stderr = escaped_stderr_of(
        "a_panic_escaping_the_graph_is_described_escaped",
        "LOGFIG_INJECTION_ESCAPING_CHILD",
    );
    assert!(
        stderr.contains("while routing a record: display bug \\x1b]0;pwned\\x07\\x1b[2Jgo\\raway"),
        "{stderr:?}"
    );
}

// ---- tcp and udp ------------------------------------------------------------

#[test]
fn tcp_line_framing_never_lets_a_record_split_whatever_the_formatter() {
    open_gate();
    let mut servers = Vec::new();
    let mut handlers = String::new();
    for (name, formatter) in [("control", "control"), ("none", "none"), ("json", "j")] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        servers.push((name, line_server(listener)));
        handlers.push_str(&format!(
            "  {name}: {{ type: tcp, host: 127.0.0.1, port: {port}, formatter: {formatter} }}\n"
        ));
    }
    let d = dispatcher(&format!(
        "version: 1\nformatters:\n  control: {{ format: '%(message)s' }}\n  none: {{ format: '%(message)s', escape: none }}\n  j: {{ type: json, fields: [message] }}\nhandlers:\n{handlers}root: {{ level: INFO, handlers: [control, none, json] }}\n"
    ));
    log_hostile(&d);
    d.flush_handlers();
    for (name, lines) in &servers {
        wait_until(
            &format!("2 lines at {name}"),
            Duration::from_secs(20),
            || lines.lock().unwrap().len() >= 2,
        );
        std::thread::sleep(Duration::from_millis(100));
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 2, "{name}: {lines:?}");
        assert!(lines[1].contains("next"), "{name}");
        let first = &lines[0];
        assert!(
            !first.contains(['\r', '\0']),
            "{name}: a frame-ending byte is raw: {first:?}"
        );
        assert!(!first.starts_with("2026"), "{name}: {first}");
        // The forged record is still there, as text of the first.
        assert!(
            first.contains(&format!("bob\\n{FORGED}")),
            "{name}: {first}"
        );
    }
    // The handler escaped what the formatter left: with `control` the terminal
    // controls were escaped by the formatter, with `none` only the bytes that
    // end a line were escaped by the handler.
    assert_eq!(servers[0].1.lock().unwrap()[0], escaped(&hostile(), true));
    assert!(
        servers[1].1.lock().unwrap()[0].contains('\x1b'),
        "escape: none kept ESC raw"
    );
}

#[test]
fn tcp_length_framing_carries_the_record_byte_for_byte() {
    open_gate();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let d = dispatcher(&format!(
        "version: 1\nformatters:\n  none: {{ format: '%(message)s', escape: none }}\nhandlers:\n  t: {{ type: tcp, host: 127.0.0.1, port: {port}, framing: length, formatter: none }}\nroot: {{ level: INFO, handlers: [t] }}\n"
    ));
    log_hostile(&d);
    d.flush_handlers();
    let (mut conn, _) = listener.accept().unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut frames = Vec::new();
    for _ in 0..2 {
        let mut len = [0u8; 4];
        conn.read_exact(&mut len).unwrap();
        let mut frame = vec![0; u32::from_be_bytes(len) as usize];
        conn.read_exact(&mut frame).unwrap();
        frames.push(String::from_utf8(frame).unwrap());
    }
    // The length prefix frames the record: its newline and NUL are data.
    assert_eq!(frames, [hostile(), "next".to_owned()]);
}

#[test]
fn udp_datagrams_hold_no_byte_that_ends_a_line() {
    open_gate();
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    server
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let port = server.local_addr().unwrap().port();
    let d = dispatcher(&format!(
        "version: 1\nformatters:\n  none: {{ format: '%(message)s', escape: none }}\nhandlers:\n  u: {{ type: udp, host: 127.0.0.1, port: {port}, formatter: none }}\nroot: {{ level: INFO, handlers: [u] }}\n"
    ));
    log_hostile(&d);
    d.flush_handlers();
    let mut buf = [0u8; 2048];
    let mut datagrams = Vec::new();
    for _ in 0..2 {
        let n = server.recv(&mut buf).unwrap();
        datagrams.push(buf[..n].to_vec());
    }
    assert_eq!(datagrams[1], b"next");
    let first = &datagrams[0];
    assert!(
        !first.iter().any(|&b| matches!(b, b'\n' | b'\r' | 0)),
        "{first:?}"
    );
    assert!(String::from_utf8_lossy(first).contains(&format!("bob\\n{FORGED}\\r")));
}

// ---- syslog -----------------------------------------------------------------

/// The hostile record and a benign one through a `syslog` handler with
/// `escape: none` (the formatter leaves everything to the handler), then
/// what rsyslog wrote: one line per message.
fn syslog_through_rsyslog(server: &Rsyslog, transport: &str, where_: &str) -> Vec<String> {
    let d = dispatcher(&format!(
        "version: 1\nformatters:\n  none: {{ format: '%(message)s', escape: none }}\nhandlers:\n  sys: {{ type: syslog, transport: {transport}, {where_}, app_name: inj, hostname: testhost, procid: '4242', formatter: none }}\nroot: {{ level: DEBUG, handlers: [sys] }}\n"
    ));
    log::warn!(logger: d, note = "x\ny]\"z\\\x1b[2J"; "{}", hostile());
    log::info!(logger: d, "next");
    d.flush_handlers();
    wait_until(
        "rsyslog to write 2 messages",
        Duration::from_secs(30),
        || {
            server
                .lines()
                .iter()
                .filter(|l| l.contains("|inj|"))
                .count()
                >= 2
        },
    );
    std::thread::sleep(Duration::from_millis(300));
    d.shutdown();
    server.lines()
}

/// Checks rsyslog's lines: two messages, the forged record inside the first's
/// MSG, the structured data value escaped per RFC 5424 and readable.
fn check_syslog(lines: &[String], transport: &str) {
    assert_eq!(lines.len(), 2, "{transport}: {lines:#?}");
    for line in lines {
        assert!(line.starts_with(['3', '4', '6']), "{transport}: {line:?}");
    }
    let first = parse_line(&lines[0], "logfig@32473");
    let second = parse_line(&lines[1], "logfig@32473");
    assert_eq!(second.msg, "next", "{transport}");
    assert!(
        first.msg.contains("login failed for bob") && first.msg.contains(FORGED),
        "{transport}: {:?}",
        first.msg
    );
    // The value's newline and ESC are escaped (`\n`, `\x1b`), its `"`, `\`
    // and `]` carried by RFC 5424's own escapes.
    assert_eq!(
        first.params["note"],
        escaped("x\ny]\"z\\\x1b[2J", true),
        "{transport}"
    );
    assert!(!lines[0].contains("x\ny"), "{transport}: raw newline in SD");
}

#[test]
fn syslog_over_udp_tcp_and_unix_never_lets_a_record_split() {
    if !require("syslog_injection", "rsyslogd", "apt-get install rsyslog") {
        return;
    }
    open_gate();
    for transport in ["udp", "tcp", "unix"] {
        let server = Rsyslog::start();
        let where_ = match transport {
            "unix" => format!("path: '{}'", server.socket.display()),
            "udp" => format!("host: 127.0.0.1, port: {}", server.udp_port),
            _ => format!("host: 127.0.0.1, port: {}", server.tcp_port),
        };
        let lines = syslog_through_rsyslog(&server, transport, &where_);
        check_syslog(&lines, transport);
        let msg = parse_line(&lines[0], "logfig@32473").msg;
        if transport == "unix" {
            // A local socket's frames end at NUL or newline: logfig escaped
            // both (and CR) itself.
            assert!(
                msg.contains(&format!("bob\\n{FORGED}\\r")) && msg.contains("\\x00"),
                "{msg:?}"
            );
        } else {
            // UDP datagrams and octet counting carry the newline as data;
            // rsyslog shows it as `#012`.
            assert!(msg.contains(&format!("bob#012{FORGED}")), "{msg:?}");
        }
    }
}

#[test]
fn syslog_over_a_unix_stream_socket_gets_one_nul_ended_frame_per_record() {
    open_gate();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let d = dispatcher(&format!(
        "version: 1\nformatters:\n  none: {{ format: '%(message)s', escape: none }}\nhandlers:\n  sys: {{ type: syslog, transport: unix, path: '{}', app_name: inj, hostname: h, procid: '1', formatter: none }}\nroot: {{ level: DEBUG, handlers: [sys] }}\n",
        path.display()
    ));
    log_hostile(&d);
    d.flush_handlers();
    let (conn, _) = listener.accept().unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut frames = Vec::new();
    for frame in BufReader::new(conn).split(0) {
        frames.push(String::from_utf8(frame.unwrap()).unwrap());
        if frames.len() == 2 {
            break;
        }
    }
    assert!(frames[0].starts_with("<12>1 "), "{frames:?}");
    assert!(frames[1].ends_with(" next"), "{frames:?}");
    assert!(!frames.iter().any(|f| f.contains('\n')), "{frames:?}");
    assert!(
        frames[0].contains(&format!("bob\\n{FORGED}\\r")) && frames[0].contains("\\x00\x7f end"),
        "{frames:?}"
    );
}

#[test]
fn syslog_over_relp_carries_the_record_whole() {
    if !crate::secure::require_rsyslog_module("syslog_relp_injection", "imrelp", "rsyslog-relp") {
        return;
    }
    open_gate();
    let port = crate::network::free_tcp_port();
    let server = Rsyslog::start_with(Some(port), None);
    let lines = syslog_through_rsyslog(&server, "relp", &format!("host: 127.0.0.1, port: {port}"));
    check_syslog(&lines, "relp");
}

// ---- http -------------------------------------------------------------------

#[cfg(feature = "http")]
#[test]
fn http_bodies_stay_valid_json_whatever_the_formatter() {
    use crate::network::http::Sink;
    let Some(sink) = Sink::start("http_injection", &[]) else {
        return;
    };
    open_gate();
    let url = format!("http://127.0.0.1:{}", sink.port);
    let d = dispatcher(&format!(
        "version: 1\nformatters:\n  p: {{ format: '%(levelname)s %(message)s', escape: none }}\n  j: {{ type: json, fields: [levelname, message] }}\nhandlers:\n  lp: {{ type: http, url: '{url}/lp', formatter: p }}\n  lj: {{ type: http, url: '{url}/lj', formatter: j }}\n  ap: {{ type: http, url: '{url}/ap', format: json_array, formatter: p }}\n  kp: {{ type: http, url: '{url}/kp', format: loki, formatter: p }}\n  ep: {{ type: http, url: '{url}/ep', format: elasticsearch_bulk, formatter: p }}\nroot: {{ level: INFO, handlers: [lp, lj, ap, kp, ep] }}\n"
    ));
    log_hostile(&d);
    d.flush_handlers();
    wait_until("5 requests", Duration::from_secs(20), || {
        sink.requests().len() >= 5
    });
    let requests = sink.requests();
    let body = |p: &str| {
        requests
            .iter()
            .find(|(_, m)| m["path"] == p)
            .unwrap_or_else(|| panic!("no request to {p}"))
            .0
            .clone()
    };
    let ndjson = |p: &str| -> Vec<serde_json::Value> {
        let b = body(p);
        assert!(b.ends_with('\n'), "{p}: {b:?}");
        b.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{p}: {e}: {l:?}")))
            .collect()
    };
    let pattern_text = format!("WARNING {}", hostile());
    // json_lines with a pattern formatter: each record is `{"message": text}`.
    let lp = ndjson("/lp");
    assert_eq!(lp.len(), 2, "{lp:?}");
    assert_eq!(lp[0]["message"], pattern_text);
    assert_eq!(lp[1]["message"], "INFO next");
    let lj = ndjson("/lj");
    assert_eq!(lj.len(), 2, "{lj:?}");
    assert_eq!(lj[0]["message"], hostile());
    let ap: serde_json::Value = serde_json::from_str(&body("/ap")).unwrap();
    assert_eq!(ap[0]["message"], pattern_text);
    assert_eq!(ap.as_array().unwrap().len(), 2);
    let kp: serde_json::Value = serde_json::from_str(&body("/kp")).unwrap();
    let values = kp["streams"][0]["values"].as_array().unwrap();
    assert_eq!(values.len(), 2);
    assert_eq!(values[0][1], pattern_text);
    let ep = ndjson("/ep");
    assert_eq!(ep.len(), 4, "{ep:?}");
    assert_eq!(ep[1]["message"], pattern_text);
    assert_eq!(ep[3]["message"], "INFO next");
    // JSON escapes every control character, C1 and DEL included, so a body
    // shown on a terminal cannot drive it either.
    for p in ["/lp", "/lj", "/ap", "/kp", "/ep"] {
        let b = body(p);
        assert!(!has_terminal_controls(b.as_bytes()), "{p}: {b:?}");
    }
}

// ---- smtp -------------------------------------------------------------------

#[cfg(feature = "smtp")]
#[test]
fn smtp_subject_never_makes_a_header_and_the_body_keeps_a_record_a_line() {
    use crate::network::smtp::{Aiosmtpd, body};
    let Some(server) = Aiosmtpd::start("smtp_injection") else {
        return;
    };
    open_gate();
    let d = dispatcher(&format!(
        "version: 1\nformatters:\n  none: {{ format: '%(levelname)s %(message)s', escape: none }}\nhandlers:\n  mail: {{ type: smtp, host: 127.0.0.1, port: {}, starttls: never, from: app@example.com, to: ops@example.com, subject: '[shop] %(message)s', window: 1s, formatter: none }}\nroot: {{ level: INFO, handlers: [mail] }}\n",
        server.port
    ));
    let message = "alert\r\nBcc: victim@example.com\r\nX-Forged: yes\n2026-01-01 00:00:00,000 CRITICAL root: forged";
    log::error!(logger: d, "{message}");
    log::error!(logger: d, "second");
    d.flush_handlers();
    wait_until("a message", Duration::from_secs(30), || {
        !server.messages().is_empty()
    });
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    // The header block, its folded lines joined: no header but the ones
    // logfig wrote.
    let head = m.split_once("\n\n").map_or(m.as_str(), |(h, _)| h);
    let headers: Vec<(String, String)> = head
        .replace("\n ", " ")
        .replace("\n\t", " ")
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
        .collect();
    let names: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
    assert!(!names.contains(&"x-forged"), "{m}");
    assert!(!names.contains(&"bcc"), "{m}");
    let subject = headers.iter().find(|(k, _)| k == "subject").map(|(_, v)| v);
    assert_eq!(
        subject.map(String::as_str),
        Some(format!("[shop] {} (+1 more)", escaped(message, true)).as_str()),
        "{m}"
    );
    // Long lines come quoted-printable: undo it to see the lines sent.
    let mut text = body(m).to_owned();
    if headers
        .iter()
        .any(|(k, v)| k == "content-transfer-encoding" && v == "quoted-printable")
    {
        text = quoted_printable(&text);
    }
    let body: Vec<&str> = text.trim_end().lines().collect();
    assert_eq!(
        body,
        [
            format!("ERROR {}", escaped(message, true)),
            "ERROR second".to_owned()
        ]
    );
}

/// Decodes quoted-printable text (RFC 2045 §6.7): soft line breaks and `=XX`.
#[cfg(feature = "smtp")]
fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = joined
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let (b'=', Some(b)) = (bytes[i], hex) {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}
