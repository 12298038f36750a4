//! The control endpoint (issue #15) against real clients: `curl`, the
//! `logfig ctl` binary, raw sockets playing hostile clients. An application
//! thread logs throughout; no assertion is timed (waits poll a deadline).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use logfig::{Builder, Handle};

use crate::dispatch::open_gate;
use crate::network::{require, wait_until};

const TOKEN: &str = "t0k3n-for-tests-16";
const LONG: Duration = Duration::from_secs(30);

/// An application: a config file, a handle serving the endpoint, and a
/// thread that logs a DEBUG and an INFO record to `myapp::db` and an INFO
/// record to `myapp::web` every few milliseconds, into `app.log`.
struct App {
    dir: tempfile::TempDir,
    handle: Arc<Handle>,
    beats: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl App {
    fn start(control: &str) -> App {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("logging.yaml");
        std::fs::write(&config, App::config(dir.path(), control, "INFO")).unwrap();
        let handle = Arc::new(Builder::new().build_file(&config).unwrap());
        open_gate();
        let beats = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (handle, beats, stop) = (handle.clone(), beats.clone(), stop.clone());
            std::thread::spawn(move || {
                let d = handle.dispatcher();
                while !stop.load(Ordering::Relaxed) {
                    let n = beats.fetch_add(1, Ordering::Relaxed);
                    log::debug!(logger: d, target: "myapp::db", "tick {n}");
                    log::info!(logger: d, target: "myapp::db", "beat {n}");
                    log::info!(logger: d, target: "myapp::web", "request {n}");
                    std::thread::sleep(Duration::from_millis(2));
                }
            })
        };
        App {
            dir,
            handle,
            beats,
            stop,
            thread: Some(thread),
        }
    }

    fn config(dir: &Path, control: &str, root: &str) -> String {
        format!(
            "version: 1\n\
             reload: {{ mode: poll, poll_interval: 1h }}\n\
             control: {control}\n\
             formatters:\n  plain: {{ format: \"%(levelname)s %(name)s %(message)s\" }}\n\
             handlers:\n  app: {{ type: file, path: {}, formatter: plain }}\n\
             loggers:\n  myapp.db: {{ level: INFO }}\n\
             root: {{ level: {root}, handlers: [app] }}\n",
            dir.join("app.log").display()
        )
    }

    fn config_path(&self) -> PathBuf {
        self.dir.path().join("logging.yaml")
    }

    fn url(&self) -> String {
        format!("http://{}", self.handle.control_address().unwrap())
    }

    fn log(&self) -> String {
        self.handle.flush();
        std::fs::read_to_string(self.dir.path().join("app.log")).unwrap_or_default()
    }

    /// Waits until the application logged `n` more rounds: it is not blocked.
    fn keeps_logging(&self, n: u64) {
        let start = self.beats.load(Ordering::Relaxed);
        wait_until("the application to keep logging", LONG, || {
            self.beats.load(Ordering::Relaxed) >= start + n
        });
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A config file holding `text`, in a new temporary directory.
fn config_file(text: impl AsRef<[u8]>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logging.yaml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn tcp_control() -> String {
    format!("{{ listen: 127.0.0.1:0, token: {TOKEN}, timeout: 2s, rate_limit: 1000 }}")
}

/// `curl` with `args`; returns the status and the body.
fn curl(args: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "20", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let (body, code) = text.rsplit_once('\n').unwrap();
    (code.parse().unwrap_or(0), body.to_owned())
}

/// `curl -d BODY URL PATH` with the token; returns the status and the body.
fn post(url: &str, path: &str, body: &str) -> (u16, String) {
    curl(&["-H", &auth(), "-d", body, &format!("{url}{path}")])
}

fn auth() -> String {
    format!("Authorization: Bearer {TOKEN}")
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn have_curl(test: &str) -> bool {
    require(test, "curl", "apt-get install curl")
}

#[test]
fn lists_sets_with_a_ttl_resets_and_reports_status_over_curl() {
    if !have_curl("control::lists_sets") {
        return;
    }
    let app = App::start(&tcp_control());
    let url = app.url();
    let h = auth();

    // Every configured logger, and targets seen since start.
    wait_until("myapp::web to be listed", LONG, || {
        let (code, body) = curl(&["-H", &h, &format!("{url}/loggers")]);
        assert_eq!(code, 200, "{body}");
        let v = json(&body);
        assert_eq!(v["levels"][0], "OFF");
        assert_eq!(v["loggers"]["ROOT"]["configuredLevel"], "INFO");
        assert_eq!(v["loggers"]["myapp.db"]["effectiveLevel"], "INFO");
        v["loggers"]["myapp::web"]["effectiveLevel"] == "INFO"
    });
    assert!(!app.log().contains("DEBUG myapp::db tick"));

    // DEBUG for a while: the lines appear, then stop by themselves.
    // Taken before the request: the override expires 2 s after a later
    // instant, never before `set_at + 2s`.
    let set_at = Instant::now();
    let (code, body) = post(
        &url,
        "/loggers/myapp.db",
        r#"{"configuredLevel": "DEBUG", "ttl": "2s"}"#,
    );
    assert_eq!(code, 204, "{body}");
    wait_until("DEBUG lines", LONG, || {
        app.log().contains("DEBUG myapp::db tick")
    });
    let (_, body) = curl(&["-H", &h, &format!("{url}/status")]);
    let status = json(&body);
    // A stalled machine may have spent the 2 s already.
    if set_at.elapsed() < Duration::from_secs(2) {
        assert_eq!(status["overrides"]["myapp.db"]["level"], "DEBUG", "{body}");
    }
    assert!(status["handlers"]["app"]["failed"].is_u64(), "{body}");
    // `app` is a file without a buffer, which wrote the DEBUG lines.
    assert!(
        status["handlers"]["app"]["emitted"].as_u64() > Some(0),
        "{body}"
    );
    assert!(
        status["reload"]["lastControlChange"]
            .as_str()
            .unwrap()
            .contains("set `myapp.db` to DEBUG for 2s"),
        "{body}"
    );
    wait_until("the override to expire", LONG, || {
        let (_, body) = curl(&["-H", &h, &format!("{url}/loggers/myapp.db")]);
        json(&body)["effectiveLevel"] == "INFO"
    });
    app.keeps_logging(20);
    let after = app.log().matches("DEBUG myapp::db tick").count();
    app.keeps_logging(100);
    assert_eq!(app.log().matches("DEBUG myapp::db tick").count(), after);

    // The audit line, at WARNING on `logfig`, and in the reload status.
    let log = app.log();
    let audit = log
        .lines()
        .find(|l| l.starts_with("WARNING logfig control endpoint: 127.0.0.1:"))
        .unwrap_or_else(|| panic!("no audit line in:\n{log}"));
    assert!(audit.ends_with("set `myapp.db` to DEBUG for 2s"), "{audit}");
    let status = app.handle.reload_status().unwrap();
    assert!(status.last_control_change().unwrap().contains("myapp.db"));

    // Until reset; the root by Spring's name.
    let (code, _) = post(&url, "/loggers/ROOT", r#"{"configuredLevel": "TRACE"}"#);
    assert_eq!(code, 204);
    let (_, body) = curl(&["-H", &h, &format!("{url}/loggers/myapp.web")]);
    assert_eq!(json(&body)["effectiveLevel"], "TRACE", "{body}");
    let (code, _) = post(&url, "/loggers/ROOT", r#"{"configuredLevel": null}"#);
    assert_eq!(code, 204);
    let (_, body) = curl(&["-H", &h, &format!("{url}/loggers/ROOT")]);
    assert_eq!(
        json(&body),
        serde_json::json!({"configuredLevel": "INFO", "effectiveLevel": "INFO"})
    );
    assert!(app.log().contains("cleared the override of `root`"));

    // Spring Boot's tools use the `/actuator` prefix.
    let (code, body) = curl(&["-H", &h, &format!("{url}/actuator/loggers/myapp.db")]);
    assert_eq!(code, 200);
    assert_eq!(json(&body)["configuredLevel"], "INFO", "{body}");

    // A name asked about is not a target the program logged to.
    let (code, body) = curl(&["-H", &h, &format!("{url}/loggers/never.logged")]);
    assert_eq!(code, 200);
    assert_eq!(json(&body)["effectiveLevel"], "INFO");
    let (_, body) = curl(&["-H", &h, &format!("{url}/loggers")]);
    assert!(
        json(&body)["loggers"].get("never.logged").is_none(),
        "{body}"
    );
}

/// What Spring Boot Admin and actuator scripts do beyond `/loggers`: find
/// the endpoints in the `/actuator` index, read `groups`, write the scheme
/// `bearer` in any case (RFC 9110 makes it case-insensitive), ask `HEAD`.
#[test]
fn spring_boot_tools_find_the_endpoints_and_are_understood() {
    if !have_curl("control::spring_boot_tools") {
        return;
    }
    let app = App::start(&tcp_control());
    let (url, h) = (app.url(), auth());
    let host = url.trim_start_matches("http://");
    for index in ["/actuator", "/actuator/"] {
        let (code, body) = curl(&["-H", &h, &format!("{url}{index}")]);
        assert_eq!(code, 200, "{body}");
        let links = &json(&body)["_links"];
        assert_eq!(links["self"]["href"], format!("http://{host}/actuator"), "{body}");
        assert_eq!(
            links["loggers"]["href"],
            format!("http://{host}/actuator/loggers"),
            "{body}"
        );
        assert_eq!(
            links["loggers-name"]["href"],
            format!("http://{host}/actuator/loggers/{{name}}"),
            "{body}"
        );
        assert_eq!(links["loggers-name"]["templated"], true, "{body}");
    }
    assert_eq!(curl(&[&format!("{url}/actuator")]).0, 401);
    let (code, body) = curl(&["-H", &h, &format!("{url}/actuator/loggers")]);
    assert_eq!(code, 200);
    assert_eq!(json(&body)["groups"], serde_json::json!({}), "{body}");

    let lower = format!("Authorization: bearer {TOKEN}");
    assert_eq!(curl(&["-H", &lower, &format!("{url}/status")]).0, 200);
    let (code, body) = curl(&[
        "-H",
        &lower,
        "-d",
        r#"{"configuredLevel": "ERROR"}"#,
        &format!("{url}/actuator/loggers/myapp.web"),
    ]);
    assert_eq!(code, 204, "{body}");
    assert_eq!(
        curl(&["-H", "Authorization: bearertoken", &format!("{url}/status")]).0,
        401
    );

    for path in ["/loggers", "/loggers/myapp.web", "/status", "/"] {
        let (code, body) = curl(&["-H", &h, "-I", &format!("{url}{path}")]);
        assert_eq!(code, 200, "HEAD {path}: {body}");
    }
}

#[test]
fn overrides_survive_a_reload_and_a_bad_file_changes_nothing() {
    if !have_curl("control::overrides_survive") {
        return;
    }
    let app = App::start(&tcp_control());
    let (url, h) = (app.url(), auth());
    let (code, _) = post(&url, "/loggers/myapp.db", r#"{"configuredLevel": "TRACE"}"#);
    assert_eq!(code, 204);
    std::fs::write(
        app.config_path(),
        App::config(app.dir.path(), &tcp_control(), "ERROR"),
    )
    .unwrap();
    let (_, body) = curl(&["-H", &h, &format!("{url}/status")]);
    assert_eq!(json(&body)["reload"]["lastApplied"], serde_json::Value::Null);
    let (code, body) = curl(&["-H", &h, "-X", "POST", &format!("{url}/reload")]);
    assert_eq!(code, 200, "{body}");
    assert_eq!(json(&body)["status"]["reloads"], 1, "{body}");
    // When the running config was applied, in seconds since the epoch.
    let applied = json(&body)["status"]["lastApplied"].as_u64().unwrap();
    assert_eq!(
        Some(applied),
        json(&body)["status"]["lastAttempt"].as_u64(),
        "{body}"
    );
    let (_, body) = curl(&["-H", &h, &format!("{url}/loggers")]);
    let v = json(&body);
    assert_eq!(v["loggers"]["ROOT"]["effectiveLevel"], "ERROR", "{body}");
    assert_eq!(
        v["loggers"]["myapp.db"]["configuredLevel"], "TRACE",
        "{body}"
    );

    // A broken file: 422 with the position, and the running config stays.
    std::fs::write(app.config_path(), "version: 1\nroot: { level: LOUD }\n").unwrap();
    let (code, body) = curl(&["-H", &h, "-X", "POST", &format!("{url}/reload")]);
    assert_eq!(code, 422, "{body}");
    let v = json(&body);
    // The failed attempt applied nothing.
    assert_eq!(v["reload"]["lastApplied"], applied, "{body}");
    assert!(
        v["error"].as_str().unwrap().contains("logging.yaml:2:"),
        "{body}"
    );
    assert_eq!(v["reload"]["diagnostics"][0]["line"], 2, "{body}");
    assert_eq!(
        v["reload"]["diagnostics"][0]["path"], "root.level",
        "{body}"
    );
    let (_, body) = curl(&["-H", &h, &format!("{url}/loggers/myapp.db")]);
    assert_eq!(json(&body)["configuredLevel"], "TRACE", "{body}");
}

#[test]
fn a_wrong_or_missing_token_is_refused_and_changes_nothing() {
    if !have_curl("control::wrong_token") {
        return;
    }
    let app = App::start(&tcp_control());
    let url = app.url();
    for header in [
        "Authorization: Bearer wrong",
        "Authorization: Basic dDp0",
        "X-Nothing: 1",
    ] {
        let (code, body) = curl(&[
            "-H",
            header,
            "-d",
            r#"{"configuredLevel": "DEBUG"}"#,
            &format!("{url}/loggers/myapp.db"),
        ]);
        assert_eq!(code, 401, "{body}");
        assert!(json(&body)["error"].as_str().unwrap().contains("token"));
        let (code, _) = curl(&["-H", header, &format!("{url}/status")]);
        assert_eq!(code, 401);
    }
    assert!(
        app.handle.dispatcher().config().loggers["myapp.db"].level
            == Some(logfig::config::Level::Info)
    );
    let (_, body) = curl(&["-H", &auth(), &format!("{url}/status")]);
    assert_eq!(json(&body)["overrides"], serde_json::json!({}));
    // The page itself holds no data: it is served without the token.
    let (code, body) = curl(&[&format!("{url}/")]);
    assert_eq!(code, 200);
    assert!(body.starts_with("<!doctype html>"), "{body}");
}

#[test]
fn bad_input_gets_a_json_error_and_the_right_status() {
    if !have_curl("control::bad_input") {
        return;
    }
    let app = App::start(&tcp_control());
    let (url, h) = (app.url(), auth());
    let post =
        |body: &str, path: &str| curl(&["-H", &h, "--data-binary", body, &format!("{url}{path}")]);
    for (body, path, code, needle) in [
        ("{not json", "/loggers/a", 400, "not JSON"),
        ("[1]", "/loggers/a", 400, "JSON object"),
        (
            r#"{"configuredLevel": "LOUD"}"#,
            "/loggers/a",
            400,
            "unknown level `LOUD`",
        ),
        (
            r#"{"configuredLevel": 3.5}"#,
            "/loggers/a",
            400,
            "level name or null",
        ),
        (
            r#"{"level": "DEBUG"}"#,
            "/loggers/a",
            400,
            "unknown field `level`",
        ),
        (
            r#"{}"#,
            "/loggers/a",
            400,
            "missing field `configuredLevel`",
        ),
        (
            r#"{"configuredLevel": "DEBUG", "ttl": "soon"}"#,
            "/loggers/a",
            400,
            "ttl",
        ),
        (
            r#"{"configuredLevel": "DEBUG", "ttl": "30d"}"#,
            "/loggers/a",
            400,
            "at most",
        ),
        (
            r#"{"configuredLevel": null, "ttl": "1m"}"#,
            "/loggers/a",
            400,
            "only an override",
        ),
        (
            r#"{"configuredLevel": "DEBUG"}"#,
            "/loggers/a%zz",
            400,
            "invalid logger name",
        ),
        (
            r#"{"configuredLevel": "DEBUG"}"#,
            "/loggers/a%0Ab",
            400,
            "invalid logger name",
        ),
        // No segment at all: not a way to name the root unseen in the audit.
        (
            r#"{"configuredLevel": "ERROR"}"#,
            "/loggers/%2E%2E",
            400,
            "invalid logger name",
        ),
        (
            r#"{"configuredLevel": "ERROR"}"#,
            "/loggers/::",
            400,
            "invalid logger name",
        ),
        ("{}", "/status", 405, "GET"),
        ("{}", "/nowhere", 404, "no such endpoint"),
    ] {
        let (status, text) = post(body, path);
        assert_eq!(status, code, "{body} {path}: {text}");
        let v = json(&text);
        assert_eq!(v["status"], code);
        assert!(
            v["error"].as_str().unwrap().contains(needle),
            "{needle}: {text}"
        );
    }
    let (code, _) = curl(&["-H", &h, "-X", "DELETE", &format!("{url}/loggers/a")]);
    assert_eq!(code, 405);
    let (_, body) = curl(&["-H", &h, &format!("{url}/status")]);
    assert_eq!(json(&body)["overrides"], serde_json::json!({}), "{body}");
    assert!(
        !app.log().contains("logfig control endpoint"),
        "an audit line for a refused request"
    );
}

/// Sends `bytes` raw and returns what the server answered (up to its close).
fn raw(addr: &str, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(LONG)).unwrap();
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn oversized_slow_and_too_many_clients_cannot_stall_it() {
    if !have_curl("control::hostile") {
        return;
    }
    let app = App::start(&format!(
        "{{ listen: 127.0.0.1:0, token: {TOKEN}, timeout: 2s, max_connections: 4, rate_limit: 10000 }}"
    ));
    let addr = app.handle.control_address().unwrap();
    let (url, h) = (app.url(), auth());

    let big_header = format!(
        "GET /status HTTP/1.1\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    assert!(raw(&addr, big_header.as_bytes()).starts_with("HTTP/1.1 431 "));
    let many = format!("GET /status HTTP/1.1\r\n{}\r\n", "X: y\r\n".repeat(100));
    assert!(raw(&addr, many.as_bytes()).starts_with("HTTP/1.1 431 "));
    let long_line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(5000));
    assert!(raw(&addr, long_line.as_bytes()).starts_with("HTTP/1.1 414 "));
    let big_body = format!(
        "POST /loggers/a HTTP/1.1\r\n{}\r\nContent-Length: 1000000\r\n\r\n",
        auth()
    );
    assert!(raw(&addr, big_body.as_bytes()).starts_with("HTTP/1.1 413 "));
    assert!(raw(&addr, b"\x16\x03\x01garbage\r\n\r\n").starts_with("HTTP/1.1 400 "));

    // A client sending one byte a second is cut at the deadline, while
    // others are served and the application logs on.
    let slow = {
        let addr = addr.clone();
        std::thread::spawn(move || {
            let mut s = TcpStream::connect(&addr).unwrap();
            s.set_read_timeout(Some(LONG)).unwrap();
            for b in b"GET /status HTTP/1.1\r\nHost: x\r\n"
                .iter()
                .cycle()
                .take(60)
            {
                if s.write_all(&[*b]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_secs(1));
                let mut peek = [0u8; 1];
                s.set_nonblocking(true).unwrap();
                let got = s.read(&mut peek);
                s.set_nonblocking(false).unwrap();
                if matches!(got, Ok(n) if n > 0) {
                    let mut rest = Vec::new();
                    let _ = s.read_to_end(&mut rest);
                    return format!("{}{}", peek[0] as char, String::from_utf8_lossy(&rest));
                }
            }
            String::new()
        })
    };
    let (code, _) = curl(&["-H", &h, &format!("{url}/status")]);
    assert_eq!(code, 200);
    app.keeps_logging(50);
    let answer = slow.join().unwrap();
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer:?}");

    // 1,000 connections at once: the extra ones are refused at once, the
    // held ones are cut at the deadline, the application logs throughout,
    // and the endpoint serves again afterwards.
    let mut held = Vec::new();
    for _ in 0..1000 {
        if let Ok(s) = TcpStream::connect(&addr) {
            held.push(s);
        }
        if held.len() % 100 == 0 {
            app.keeps_logging(1);
        }
    }
    app.keeps_logging(100);
    let mut refused = 0;
    for s in &mut held {
        s.set_read_timeout(Some(LONG)).unwrap();
        let mut head = [0u8; 12];
        if s.read_exact(&mut head).is_ok() && (&head == b"HTTP/1.1 503" || &head == b"HTTP/1.1 408")
        {
            refused += 1;
        }
    }
    assert!(
        refused >= 990,
        "{refused} of {} answered 503 or 408",
        held.len()
    );
    drop(held);
    wait_until("the endpoint to serve again", LONG, || {
        curl(&["-H", &h, &format!("{url}/status")]).0 == 200
    });
}

#[test]
fn requests_beyond_the_rate_limit_get_429() {
    let app = App::start(&format!(
        "{{ listen: 127.0.0.1:0, token: {TOKEN}, rate_limit: 3 }}"
    ));
    let addr = app.handle.control_address().unwrap();
    let request = format!(
        "GET /status HTTP/1.1\r\nConnection: close\r\n{}\r\n\r\n",
        auth()
    );
    let answers: Vec<String> = (0..20).map(|_| raw(&addr, request.as_bytes())).collect();
    assert!(
        answers.iter().any(|a| a.starts_with("HTTP/1.1 429 ")),
        "{answers:?}"
    );
    assert!(answers[0].starts_with("HTTP/1.1 200 "), "{}", answers[0]);
}

#[test]
fn tcp_needs_a_token_and_other_hosts_need_allow_remote() {
    use logfig::{Config, Format};
    let err = Config::from_str(
        "version: 1\ncontrol:\n  listen: 127.0.0.1:9009\n",
        Format::Yaml,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("control.token: listening on TCP (`127.0.0.1:9009`) requires a `token`"),
        "{err}"
    );
    let err = Config::from_str(
        "version: 1\ncontrol:\n  listen: 0.0.0.0:9009\n  token: xxxxxxxxxxxxxxxx\n",
        Format::Yaml,
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(
            "control.listen: `0.0.0.0:9009` is not a loopback address: set `allow_remote: true`"
        ),
        "{text}"
    );
    assert_eq!(
        (err.diagnostics()[0].line(), err.diagnostics()[0].column()),
        (3, 11),
        "{text}"
    );
    let err = Config::from_str(
        "version: 1\ncontrol: { listen: \"localhost:9\" }\n",
        Format::Yaml,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("use `127.0.0.1` for localhost"),
        "{err}"
    );
    let err = Config::from_str("version: 1\ncontrol: { listen: 127.0.0.1:1, token: xxxxxxxxxxxxxxxx, timeout: 0s, max_connections: 0, colour: 1 }\n", Format::Yaml).unwrap_err();
    let text = err.to_string();
    for needle in [
        "control.timeout",
        "control.max_connections",
        "control.colour: unknown key",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    // Allowed explicitly, it binds.
    let (_dir, path) =
        config_file("version: 1\ncontrol: { listen: 0.0.0.0:0, token: xxxxxxxxxxxxxxxx, allow_remote: true }\n");
    let handle = Builder::new().build_file(&path).unwrap();
    assert!(handle.control_address().unwrap().starts_with("0.0.0.0:"));
}

/// A token shorter than 16 bytes is refused where it is written, on TCP and
/// on a unix socket, and from `LOGFIG_CONTROL_TOKEN`; the message names
/// `control.token` and does not quote the token.
#[test]
fn a_short_token_is_refused() {
    use logfig::{Config, Format};
    for listen in ["127.0.0.1:9009", "unix:/tmp/logfig-short-token.sock"] {
        let text = format!("version: 1\ncontrol:\n  listen: {listen}\n  token: short-token-15b\n");
        let err = Config::from_str(&text, Format::Yaml).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.contains("control.token: the token is 15 bytes long; at least 16 are required"),
            "{shown}"
        );
        assert!(!shown.contains("short-token-15b"), "{shown}");
        assert_eq!(
            (err.diagnostics()[0].line(), err.diagnostics()[0].column()),
            (4, 10),
            "{shown}"
        );
        let text = text.replace("short-token-15b", "long-enough-16by");
        Config::from_str(&text, Format::Yaml).unwrap();
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "control::env_child", "--nocapture", "--test-threads=1"])
        .env("LOGFIG_CTL_ENV_CHILD", "1")
        .env("LOGFIG_CONTROL", "127.0.0.1:0")
        .env("LOGFIG_CONTROL_TOKEN", "envtok")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("child: error: environment variable LOGFIG_CONTROL_TOKEN: control.token: the token is 6 bytes long; at least 16 are required"),
        "{text}"
    );
    assert!(!text.contains("envtok"), "{text}");
}

#[test]
fn a_reload_changes_the_token_and_a_bad_control_changes_nothing() {
    if !have_curl("control::reload_token") {
        return;
    }
    let app = App::start(&tcp_control());
    let url = app.url();
    let port = url.rsplit(':').next().unwrap().to_owned();
    let next = format!("{{ listen: 127.0.0.1:{port}, token: other-token-for-tests }}");
    std::fs::write(
        app.config_path(),
        App::config(app.dir.path(), &next, "INFO"),
    )
    .unwrap();
    app.handle.reload_now().unwrap();
    let status_with = |token: &str| {
        let header = format!("Authorization: Bearer {token}");
        curl(&["-H", &header, &format!("{url}/status")]).0
    };
    assert_eq!(status_with(TOKEN), 401);
    assert_eq!(status_with("other-token-for-tests"), 200);

    let bad = "{ listen: 10.1.2.3:9, token: xxxxxxxxxxxxxxxx }";
    std::fs::write(app.config_path(), App::config(app.dir.path(), bad, "DEBUG")).unwrap();
    let err = app.handle.reload_now().unwrap_err();
    assert!(err.to_string().contains("control.listen"), "{err}");
    assert_eq!(status_with("other-token-for-tests"), 200);
    assert_eq!(
        app.handle.control_address().unwrap(),
        url.trim_start_matches("http://")
    );

    // Moving it: the new address serves, the old one is closed.
    let moved = format!("{{ listen: 127.0.0.1:0, token: {TOKEN} }}");
    std::fs::write(
        app.config_path(),
        App::config(app.dir.path(), &moved, "INFO"),
    )
    .unwrap();
    app.handle.reload_now().unwrap();
    let now = app.url();
    assert_ne!(now, url);
    assert_eq!(curl(&["-H", &auth(), &format!("{now}/status")]).0, 200);
    assert!(TcpStream::connect(url.trim_start_matches("http://")).is_err());
}

#[cfg(unix)]
#[test]
fn a_unix_socket_is_private_and_checks_its_peer() {
    use std::os::unix::fs::PermissionsExt;
    if !have_curl("control::unix_socket") {
        return;
    }
    let sockets = tempfile::tempdir().unwrap();
    let sock = sockets.path().join("ctl.sock");
    let app = App::start(&format!("{{ listen: \"unix:{}\" }}", sock.display()));
    let mode = std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Same uid: no token needed.
    let s = sock.to_str().unwrap();
    let (code, body) = curl(&[
        "--unix-socket",
        s,
        "-d",
        r#"{"configuredLevel":"DEBUG","ttl":"1h"}"#,
        "http://x/loggers/myapp.db",
    ]);
    assert_eq!(code, 204, "{body}");
    wait_until("DEBUG lines", LONG, || {
        app.log().contains("DEBUG myapp::db tick")
    });
    let uid = std::fs::metadata(&sock)
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        .unwrap();
    assert!(
        app.log()
            .contains(&format!("control endpoint: uid {uid} (pid ")),
        "{}",
        app.log()
    );
    drop(app);
    assert!(
        !sock.exists(),
        "the socket file is removed with the endpoint"
    );

    let app = App::start(&format!(
        "{{ listen: \"unix:{}\", permissions: \"0660\", token: {TOKEN} }}",
        sock.display()
    ));
    assert_eq!(
        std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777,
        0o660
    );
    assert_eq!(curl(&["--unix-socket", s, "http://x/status"]).0, 401);
    assert_eq!(
        curl(&["--unix-socket", s, "-H", &auth(), "http://x/status"]).0,
        200
    );
    drop(app);

    // Something else at the path is never replaced.
    std::fs::write(&sock, "data").unwrap();
    let (_dir, path) = config_file(format!(
        "version: 1\ncontrol: {{ listen: \"unix:{}\" }}\n",
        sock.display()
    ));
    let err = Builder::new().build_file(&path).unwrap_err();
    assert!(err.to_string().contains("not a socket"), "{err}");
    assert_eq!(std::fs::read_to_string(&sock).unwrap(), "data");
}

/// Runs `logfig ctl ARGS` with the token in its environment.
#[cfg(feature = "cli")]
fn ctl(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_logfig"))
        .arg("ctl")
        .args(args)
        .env("LOGFIG_CONTROL_TOKEN", TOKEN)
        .env_remove("LOGFIG_CONTROL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[cfg(feature = "cli")]
#[test]
fn logfig_ctl_lists_sets_resets_and_exits_as_check_does() {
    let app = App::start(&tcp_control());
    let url = app.url();
    let u = ["--url", url.as_str()];
    let (code, out, err) = ctl(&[&u[..], &["loggers"]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("LOGGER "), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("myapp.db ") && l.contains("INFO")),
        "{out}"
    );

    let (code, out, err) = ctl(&[&u[..], &["set", "myapp::db", "debug", "--for", "10m"]].concat());
    assert_eq!(
        (code, out.as_str()),
        (0, "myapp::db: DEBUG for 10m\n"),
        "{err}"
    );
    wait_until("DEBUG lines", LONG, || {
        app.log().contains("DEBUG myapp::db tick")
    });
    let (code, out, _) = ctl(&[&u[..], &["get", "myapp::db"]].concat());
    assert_eq!(code, 0);
    assert!(out.contains("DEBUG") && out.contains("left"), "{out}");
    let (code, out, _) = ctl(&[&u[..], &["--json", "status"]].concat());
    assert_eq!(code, 0);
    assert_eq!(
        json(&out)["overrides"]["myapp.db"]["level"],
        "DEBUG",
        "{out}"
    );
    let (code, out, _) = ctl(&[&u[..], &["status"]].concat());
    assert_eq!(code, 0);
    assert!(
        out.contains("myapp.db: DEBUG (") && out.contains("HANDLER"),
        "{out}"
    );
    let (code, _, _) = ctl(&[&u[..], &["reset", "myapp::db"]].concat());
    assert_eq!(code, 0);
    let (code, out, _) = ctl(&[&u[..], &["--json", "get", "myapp::db"]].concat());
    assert_eq!(code, 0);
    assert_eq!(json(&out)["configuredLevel"], "INFO");
    let (code, out, _) = ctl(&[&u[..], &["reload"]].concat());
    assert_eq!((code, out.as_str()), (0, "reloaded\n"));

    // Refused: 1. Unreachable or misused: 2.
    let (code, _, err) = ctl(&[&u[..], &["set", "a", "LOUD"]].concat());
    assert_eq!(code, 1);
    assert!(
        err.contains("400: configuredLevel: unknown level `LOUD`"),
        "{err}"
    );
    let (code, _, err) = ctl(&[&u[..], &["--token-env", "LOGFIG_NO_SUCH_VAR", "loggers"]].concat());
    assert_eq!(code, 1);
    assert!(
        err.contains("401") && err.contains("set LOGFIG_NO_SUCH_VAR"),
        "{err}"
    );
    // A URL's path is the endpoint's base (a proxy's prefix), not dropped:
    // a wrong one reaches nothing instead of the proxy's root.
    let (code, out, _) = ctl(&["--url", &format!("{url}/actuator/"), "get", "myapp.db"]);
    assert_eq!(code, 0);
    assert!(out.contains("myapp.db"), "{out}");
    let (code, _, err) = ctl(&["--url", &format!("{url}/elsewhere"), "loggers"]);
    assert_eq!(code, 1);
    assert!(err.contains("404"), "{err}");
    let closed = format!("http://127.0.0.1:{}", crate::network::free_tcp_port());
    assert_eq!(ctl(&["--url", &closed, "loggers"]).0, 2);
    assert_eq!(ctl(&["loggers"]).0, 2);
    assert_eq!(ctl(&["--url", &url, "frobnicate"]).0, 2);
}

#[cfg(all(feature = "cli", unix))]
#[test]
fn logfig_ctl_talks_over_a_unix_socket() {
    let sockets = tempfile::tempdir().unwrap();
    let sock = sockets.path().join("ctl.sock");
    let app = App::start(&format!("{{ listen: \"unix:{}\" }}", sock.display()));
    let s = sock.to_str().unwrap();
    let (code, out, err) = ctl(&["--socket", s, "set", "ROOT", "WARNING"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "ROOT: WARNING until reset\n");
    let (_, out, _) = ctl(&["--socket", s, "--json", "get", "myapp.web"]);
    assert_eq!(json(&out)["effectiveLevel"], "WARNING");
    drop(app);
}

/// The page in a real browser: headless Chromium driven over the DevTools
/// protocol by `tests/browser/control_page.py` sets a level with the page's
/// selector, and the application's output follows. The screenshot is kept in
/// the target directory for inspection.
#[test]
fn the_page_changes_a_level_in_a_real_browser() {
    let test = "control::the_page_changes_a_level_in_a_real_browser";
    if !require(test, "python3", "apt-get install python3")
        || !(require(test, "chromium", "apt-get install chromium"))
    {
        return;
    }
    let app = App::start(&tcp_control());
    assert!(!app.log().contains("DEBUG myapp::db tick"));
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("control-page.png");
    let _ = std::fs::remove_file(&shot);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/control_page.py");
    let out = Command::new("python3")
        .arg(script)
        .args([&format!("{}/", app.url()), TOKEN, "myapp.db", "DEBUG"])
        .arg(&shot)
        .arg("10m")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the browser script failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    wait_until("DEBUG lines after the page's change", LONG, || {
        app.log().contains("DEBUG myapp::db tick")
    });
    assert!(app.log().contains("set `myapp.db` to DEBUG for 10m"));
    assert!(std::fs::metadata(&shot).unwrap().len() > 1000);
    eprintln!("control page screenshot: {}", shot.display());
}

#[cfg(feature = "cli")]
#[test]
fn explain_mentions_the_endpoint() {
    let (_dir, path) = config_file("version: 1\ncontrol: { listen: 127.0.0.1:9009, token: xxxxxxxxxxxxxxxx }\n");
    let out = Command::new(env!("CARGO_BIN_EXE_logfig"))
        .args(["explain", path.to_str().unwrap(), "app"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("control endpoint: 127.0.0.1:9009 (token required);"),
        "{text}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_logfig"))
        .args(["check", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

/// `LOGFIG_CONTROL` turns the endpoint on for one deployment, with the token
/// from `LOGFIG_CONTROL_TOKEN`. The environment is per process, so this runs
/// in a child: the test binary itself, running only `env_child`.
#[test]
fn the_environment_turns_it_on_for_one_deployment() {
    let run = |vars: &[(&str, &str)]| {
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "control::env_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("LOGFIG_CTL_ENV_CHILD", "1")
            .envs(vars.iter().copied())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    let text = run(&[
        ("LOGFIG_CONTROL", "127.0.0.1:0"),
        ("LOGFIG_CONTROL_TOKEN", "envtok-for-tests-0"),
    ]);
    assert!(text.contains("child: serving on 127.0.0.1:"), "{text}");
    assert!(text.contains("child: token accepted"), "{text}");
    let text = run(&[("LOGFIG_CONTROL", "127.0.0.1:0")]);
    assert!(
        text.contains("child: error: environment variable LOGFIG_CONTROL: listening on TCP"),
        "{text}"
    );
    // Over a file's `control`: the address and the token from the
    // environment, the file's other settings kept.
    let text = run(&[
        ("LOGFIG_CONTROL", "127.0.0.1:0"),
        ("LOGFIG_CONTROL_TOKEN", "envtok-for-tests-0"),
        (
            "LOGFIG_CTL_ENV_CHILD_CONFIG",
            "version: 1\ncontrol: { listen: 127.0.0.1:1, token: filetok-for-tests-0 }\n",
        ),
    ]);
    assert!(text.contains("child: serving on 127.0.0.1:"), "{text}");
    assert!(!text.contains("child: serving on 127.0.0.1:1\n"), "{text}");
    assert!(text.contains("child: token accepted"), "{text}");
    // Only a missing token is the token variable's to mend.
    let text = run(&[
        ("LOGFIG_CONTROL", "10.1.2.3:9"),
        ("LOGFIG_CONTROL_TOKEN", "envtok-for-tests-0"),
    ]);
    assert!(
        text.contains("child: error: environment variable LOGFIG_CONTROL: `10.1.2.3:9` is not a loopback address"),
        "{text}"
    );
    assert!(!text.contains("set LOGFIG_CONTROL_TOKEN"), "{text}");
    let text = run(&[("LOGFIG_CONTROL", "nowhere")]);
    assert!(
        text.contains(
            "child: error: environment variable LOGFIG_CONTROL: invalid listen address `nowhere`"
        ),
        "{text}"
    );
}

#[test]
fn env_child() {
    if std::env::var_os("LOGFIG_CTL_ENV_CHILD").is_none() {
        return;
    }
    let text = std::env::var("LOGFIG_CTL_ENV_CHILD_CONFIG").unwrap_or("version: 1\n".into());
    let (_dir, path) = config_file(text);
    match Builder::new().build_file(&path) {
        Ok(handle) => {
            let addr = handle.control_address().unwrap();
            println!("child: serving on {addr}");
            let answer = raw(
                &addr,
                b"GET /status HTTP/1.1\r\nAuthorization: Bearer envtok-for-tests-0\r\n\r\n",
            );
            if answer.starts_with("HTTP/1.1 200 ") {
                println!("child: token accepted");
            }
        }
        Err(e) => println!("child: error: {e}"),
    }
}

#[test]
fn a_reload_starts_and_stops_the_endpoint_and_on_reload_sees_changes() {
    let (_dir, path) = config_file("version: 1\nreload: { mode: poll, poll_interval: 1h }\n");
    let handle = Builder::new().build_file(&path).unwrap();
    assert_eq!(handle.control_address(), None);
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    {
        let seen = seen.clone();
        handle.on_reload(move |s| {
            seen.lock()
                .unwrap()
                .push(s.last_control_change().map(str::to_owned));
        });
    }
    std::fs::write(
        &path,
        format!("version: 1\nreload: {{ mode: poll, poll_interval: 1h }}\ncontrol: {{ listen: 127.0.0.1:0, token: {TOKEN} }}\n"),
    )
    .unwrap();
    handle.reload_now().unwrap();
    let addr = handle.control_address().expect("started by the reload");
    let body = br#"{"configuredLevel":"ERROR"}"#;
    let request = format!(
        "POST /loggers/app HTTP/1.1\r\n{}\r\nContent-Length: {}\r\n\r\n{}",
        auth(),
        body.len(),
        String::from_utf8_lossy(body)
    );
    assert!(raw(&addr, request.as_bytes()).starts_with("HTTP/1.1 204 "));
    let calls = seen.lock().unwrap().clone();
    assert!(
        calls
            .last()
            .unwrap()
            .as_deref()
            .unwrap()
            .ends_with("set `app` to ERROR until cleared"),
        "{calls:?}"
    );
    std::fs::write(
        &path,
        "version: 1\nreload: { mode: poll, poll_interval: 1h }\n",
    )
    .unwrap();
    handle.reload_now().unwrap();
    assert_eq!(handle.control_address(), None);
    // Stopped: logfig no longer answers there. A connect alone cannot tell:
    // the freed port may have gone to another test's listener meanwhile (or
    // a connect to a free port in the ephemeral range may meet itself).
    if let Ok(mut s) = TcpStream::connect(&addr) {
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = s.write_all(
            format!(
                "GET /status HTTP/1.1\r\nConnection: close\r\n{}\r\n\r\n",
                auth()
            )
            .as_bytes(),
        );
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            !answer.contains("\"overrides\""),
            "the stopped endpoint still answers: {answer}"
        );
    }
}

/// Another uid is refused even when the socket's mode lets it connect.
/// Needs root (to run `curl` as another uid with `setpriv`).
#[cfg(target_os = "linux")]
#[test]
fn a_unix_socket_refuses_another_uid() {
    let test = "control::a_unix_socket_refuses_another_uid";
    if std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        .unwrap()
        != 0
    {
        crate::network::skipped(test, "root", "run the tests as root (CI does)");
        return;
    }
    if !have_curl(test) || !require(test, "setpriv", "apt-get install util-linux") {
        return;
    }
    let sockets = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        sockets.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let sock = sockets.path().join("ctl.sock");
    let _app = App::start(&format!(
        "{{ listen: \"unix:{}\", permissions: \"0666\" }}",
        sock.display()
    ));
    let out = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "curl",
            "-sS",
            "-w",
            "\n%{http_code}",
        ])
        .args([
            "--unix-socket",
            sock.to_str().unwrap(),
            "-d",
            r#"{"configuredLevel":"TRACE"}"#,
            "http://x/loggers/app",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.ends_with("\n403"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("uid 65534 may not use this endpoint"),
        "{text}"
    );
    let (_, body) = curl(&["--unix-socket", sock.to_str().unwrap(), "http://x/status"]);
    assert_eq!(json(&body)["overrides"], serde_json::json!({}), "{body}");
}
