//! TLS (`tcp` against a Python `ssl` server, `syslog` over TLS per RFC 5425
//! against rsyslog's GnuTLS driver) and RELP (`syslog` against rsyslog's
//! `imrelp`), each against a real server on 127.0.0.1. Certificates are made
//! per test with the `openssl` command.
//!
//! As in `network`, a test whose server or tool is missing says `SKIPPED`,
//! or fails under `LOGFIG_REQUIRE_SERVERS=1`.

use std::path::PathBuf;
use std::time::Duration;

use logfig::{Config, Format};

use crate::dispatch::open_gate;
use crate::network::{LIVENESS, free_tcp_port, missing, require, wait_until};

/// Whether rsyslog's loadable module `name` (such as `imrelp`) is installed;
/// when not, as [`require`].
pub(crate) fn require_rsyslog_module(test: &str, name: &str, package: &str) -> bool {
    if !require(test, "rsyslogd", "apt-get install rsyslog") {
        return false;
    }
    let file = format!("{name}.so");
    let mut dirs = vec![PathBuf::from("/usr/lib/rsyslog")];
    if let Ok(entries) = std::fs::read_dir("/usr/lib") {
        dirs.extend(entries.flatten().map(|e| e.path().join("rsyslog")));
    }
    dirs.iter().any(|d| d.join(&file).is_file())
        || missing(
            test,
            &format!("rsyslog's {name} module"),
            &format!("apt-get install {package}"),
        )
}

// ---- RELP against rsyslog's imrelp -------------------------------------------

mod relp {
    use super::*;
    use crate::network::{
        Rsyslog, check_received, log_nth, log_through_a_restart, nth, parse_line, syslog_dispatcher,
    };

    fn start(test: &str) -> Option<(Rsyslog, u16)> {
        if !require_rsyslog_module(test, "imrelp", "rsyslog-relp") {
            return None;
        }
        open_gate();
        let port = free_tcp_port();
        Some((Rsyslog::start_with(Some(port), None), port))
    }

    #[test]
    fn syslog_relp_10000_records_parse_back_in_rsyslog() {
        let Some((server, port)) = start("syslog_relp") else {
            return;
        };
        let d = syslog_dispatcher(
            "relp",
            &format!("host: 127.0.0.1, port: {port}"),
            "logfig-relp",
            "",
        );
        for i in 0..10_000 {
            log_nth(&d, i);
        }
        d.flush_handlers();
        // Flushed means acknowledged: rsyslog has taken every record.
        let stats = d.stats()["sys"];
        assert_eq!((stats.emitted, stats.dropped, stats.queued), (10_000, 0, 0));
        wait_until(
            "rsyslog to write 10000 lines",
            Duration::from_secs(60),
            || server.lines().len() >= 10_000,
        );
        check_received(&server.lines(), "logfig-relp", 10_000);
    }

    /// A RELP peer that accepts connections and never answers (not even the
    /// `open`): a real socket on 127.0.0.1, no rsyslog needed.
    #[test]
    fn syslog_relp_server_that_never_answers_costs_the_application_nothing() {
        use std::time::Instant;
        open_gate();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for conn in listener.incoming().flatten() {
                held.push(conn);
            }
        });
        let d = syslog_dispatcher(
            "relp",
            &format!("host: 127.0.0.1, port: {port}"),
            "silent",
            ", timeout: 200ms, close_timeout: 1h, backoff: 50ms, max_backoff: 100ms",
        );
        // Liveness bounds (`network::LIVENESS`): waiting for a peer that
        // never answers would cost `timeout` per record.
        let t = Instant::now();
        for i in 0..1000 {
            log_nth(&d, i);
        }
        d.flush_handlers();
        assert!(t.elapsed() < LIVENESS, "{:?}", t.elapsed());
        wait_until("a timed-out session", Duration::from_secs(20), || {
            d.stats()["sys"].retried > 0
        });
        let before = d.stats()["sys"];
        assert_eq!(before.emitted, 0, "{before:?}");
        assert_eq!(
            before.emitted + before.dropped + before.failed + before.queued,
            1000,
            "{before:?}"
        );
        let t = Instant::now();
        d.shutdown();
        assert!(t.elapsed() < LIVENESS, "{:?}", t.elapsed());
    }

    #[test]
    fn syslog_relp_survives_an_rsyslog_restart_losing_nothing() {
        let Some((mut server, port)) = start("syslog_relp_restart") else {
            return;
        };
        let d = syslog_dispatcher(
            "relp",
            &format!("host: 127.0.0.1, port: {port}"),
            "relp-restart",
            ", backoff: 10ms, max_backoff: 100ms",
        );
        const N: usize = 10_000;
        log_through_a_restart(&d, &mut server, N);
        d.flush_handlers();
        wait_until(
            "every record acknowledged or dropped",
            Duration::from_secs(60),
            || {
                let s = d.stats()["sys"];
                s.queued == 0 && s.emitted + s.dropped + s.failed >= N as u64
            },
        );
        let stats = d.stats()["sys"];
        assert_eq!((stats.dropped, stats.failed), (0, 0), "{stats:?}");
        assert!(stats.retried > 0, "the restart was not noticed: {stats:?}");
        // Every record was acknowledged once; a record rsyslog took but could
        // not answer for before it stopped was sent again, so it may be there
        // twice. None may be missing.
        let mut seen = vec![0u32; N];
        wait_until(
            "every record in rsyslog's output",
            Duration::from_secs(60),
            || {
                seen.iter_mut().for_each(|n| *n = 0);
                for line in server.lines() {
                    let r = parse_line(&line, "logfig@32473");
                    if r.app != "relp-restart" {
                        continue;
                    }
                    let i: usize = r.params["i"].parse().unwrap();
                    assert_eq!(r.msg, nth(i).1, "{line}");
                    seen[i] += 1;
                }
                seen.iter().all(|n| *n > 0)
            },
        );
        let twice = seen.iter().filter(|n| **n > 1).count();
        eprintln!(
            "RELP across an rsyslog restart: {N} sent, 0 lost, {twice} delivered twice, {} retried",
            stats.retried
        );
        // At most one window (128 messages) can be unanswered at a break.
        assert!(twice <= 128, "{twice} duplicates: more than one window");
    }
}

// ---- TLS ---------------------------------------------------------------------

#[cfg(feature = "tls")]
mod tls {
    use super::*;
    use std::io::BufRead;
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::sync::{Arc, Mutex};

    use crate::network::{Rsyslog, ServerCerts, check_received, log_nth, syslog_dispatcher};

    /// A CA, a server certificate for `localhost` and 127.0.0.1 and a client
    /// certificate that it signed, and a second CA that signed nothing.
    struct Certs {
        dir: tempfile::TempDir,
    }

    impl Certs {
        fn path(&self, name: &str) -> PathBuf {
            self.dir.path().join(name)
        }

        /// `--cert` and `--key` of the server certificate, for the Python
        /// servers.
        fn server_args(&self) -> [String; 4] {
            let path = |name| self.path(name).to_string_lossy().into_owned();
            [
                "--cert".into(),
                path("server.pem"),
                "--key".into(),
                path("server.key"),
            ]
        }

        fn make(test: &str) -> Option<Certs> {
            if !require(test, "openssl", "apt-get install openssl") {
                return None;
            }
            let certs = Certs {
                dir: tempfile::tempdir().unwrap(),
            };
            let run = |args: &[&str]| {
                let out = Command::new("openssl")
                    .args(args)
                    .current_dir(certs.dir.path())
                    .stdin(Stdio::null())
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "openssl {args:?}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            };
            let ec = [
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
            ];
            for ca in ["ca", "other-ca"] {
                let mut args = vec!["req", "-x509"];
                args.extend(ec);
                let subject = format!("/CN=logfig test {ca}");
                let (key, pem) = (format!("{ca}.key"), format!("{ca}.pem"));
                args.extend([
                    "-keyout",
                    &key,
                    "-out",
                    &pem,
                    "-days",
                    "2",
                    "-subj",
                    &subject,
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign",
                ]);
                run(&args);
            }
            for (who, usage, names) in [
                (
                    "server",
                    "serverAuth",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
                ),
                ("client", "clientAuth", ""),
            ] {
                let ext = format!(
                    "{names}basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage={usage}\n"
                );
                std::fs::write(certs.path(&format!("{who}.ext")), ext).unwrap();
                let (key, csr, pem, extfile) = (
                    format!("{who}.key"),
                    format!("{who}.csr"),
                    format!("{who}.pem"),
                    format!("{who}.ext"),
                );
                let subject = format!("/CN=logfig test {who}");
                let mut args = vec!["req"];
                args.extend(ec);
                args.extend(["-keyout", &key, "-out", &csr, "-subj", &subject]);
                run(&args);
                run(&[
                    "x509",
                    "-req",
                    "-in",
                    &csr,
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-out",
                    &pem,
                    "-days",
                    "2",
                    "-extfile",
                    &extfile,
                ]);
            }
            Some(certs)
        }
    }

    /// `tests/servers/tls_sink.py`: a TLS server (Python's ssl, OpenSSL)
    /// appending each line it receives to `out`.
    struct Sink {
        child: Child,
        port: u16,
        out: PathBuf,
        _dir: tempfile::TempDir,
    }

    impl Sink {
        fn start(test: &str, certs: &Certs, client_ca: bool) -> Option<Sink> {
            if !require(test, "python3", "apt-get install python3") {
                return None;
            }
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("lines");
            let mut cmd = Command::new("python3");
            cmd.arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/servers/tls_sink.py"
            ))
            .arg(&out)
            .arg("--cert")
            .arg(certs.path("server.pem"))
            .arg("--key")
            .arg(certs.path("server.key"));
            if client_ca {
                cmd.arg("--client-ca").arg(certs.path("ca.pem"));
            }
            let mut child = cmd
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap();
            let mut first = String::new();
            std::io::BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut first)
                .unwrap();
            let port = first
                .trim()
                .strip_prefix("PORT ")
                .and_then(|p| p.parse().ok())
                .unwrap_or_else(|| panic!("tls_sink.py said {first:?}"));
            Some(Sink {
                child,
                port,
                out,
                _dir: dir,
            })
        }

        fn lines(&self) -> Vec<String> {
            std::fs::read_to_string(&self.out)
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect()
        }
    }

    impl Drop for Sink {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// A dispatcher whose handler errors are collected.
    fn dispatcher(yaml: &str) -> (logfig::Dispatcher, Arc<Mutex<Vec<String>>>) {
        let errors = Arc::new(Mutex::new(Vec::new()));
        let e = Arc::clone(&errors);
        let d = logfig::Builder::new()
            .on_error(move |name, err| e.lock().unwrap().push(format!("{name}: {err}")))
            .build(&Config::from_str(yaml, Format::Yaml).unwrap())
            .unwrap();
        (d, errors)
    }

    /// Shuts `d` down (with one more record, which reports the errors
    /// waiting) and checks that handler `default_roots`, which trusts only
    /// the default roots, refused the test CA's certificate.
    fn refused_unknown_issuer(d: &logfig::Dispatcher, errors: &Mutex<Vec<String>>) {
        log::info!(logger: d, "one more, to collect the error");
        d.shutdown();
        let errors = errors.lock().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("default_roots") && e.contains("UnknownIssuer")),
            "{errors:?}"
        );
    }

    fn quoted(p: &Path) -> String {
        format!("'{}'", p.display())
    }

    #[test]
    fn tcp_tls_delivers_every_line_to_a_server_whose_certificate_it_verified() {
        let Some(certs) = Certs::make("tcp_tls") else {
            return;
        };
        let Some(sink) = Sink::start("tcp_tls", &certs, false) else {
            return;
        };
        open_gate();
        // By IP address (the certificate names 127.0.0.1), and by a name
        // given in `server_name` (it names `localhost` too).
        for (i, tls) in [
            format!("{{ ca_file: {} }}", quoted(&certs.path("ca.pem"))),
            format!(
                "{{ ca_file: {}, server_name: localhost }}",
                quoted(&certs.path("ca.pem"))
            ),
        ]
        .iter()
        .enumerate()
        {
            let (d, errors) = dispatcher(&format!(
                "version: 1\nhandlers:\n  net: {{ type: tcp, host: 127.0.0.1, port: {}, tls: {tls} }}\nroot: {{ level: INFO, handlers: [net] }}\n",
                sink.port
            ));
            for n in 0..1000 {
                log::info!(logger: d, "secret line {i}-{n}");
            }
            d.flush_handlers();
            let stats = d.stats()["net"];
            assert_eq!((stats.emitted, stats.dropped), (1000, 0), "{errors:?}");
            let expected: Vec<String> = (0..1000).map(|n| format!("secret line {i}-{n}")).collect();
            wait_until("1000 lines", Duration::from_secs(20), || {
                sink.lines()
                    .iter()
                    .filter(|l| l.starts_with(&format!("secret line {i}-")))
                    .count()
                    >= 1000
            });
            let got: Vec<String> = sink
                .lines()
                .into_iter()
                .filter(|l| l.starts_with(&format!("secret line {i}-")))
                .collect();
            assert_eq!(got, expected);
            d.shutdown();
            assert!(errors.lock().unwrap().is_empty(), "{errors:?}");
        }
    }

    #[test]
    fn tcp_tls_sends_nothing_to_a_server_it_cannot_verify_and_counts_it() {
        let Some(certs) = Certs::make("tcp_tls_verify") else {
            return;
        };
        let Some(sink) = Sink::start("tcp_tls_verify", &certs, false) else {
            return;
        };
        open_gate();
        let ca = quoted(&certs.path("ca.pem"));
        let other = quoted(&certs.path("other-ca.pem"));
        for (tls, why) in [
            // Mozilla's roots do not know the test CA.
            ("true".to_owned(), "UnknownIssuer"),
            (format!("{{ ca_file: {other} }}"), "UnknownIssuer"),
            (
                format!("{{ ca_file: {ca}, server_name: logs.example.com }}"),
                "not valid for name",
            ),
        ] {
            let (d, errors) = dispatcher(&format!(
                "version: 1\nhandlers:\n  net: {{ type: tcp, host: 127.0.0.1, port: {}, tls: {tls}, backoff: 10ms }}\nroot: {{ level: INFO, handlers: [net] }}\n",
                sink.port
            ));
            for n in 0..5 {
                log::info!(logger: d, "must not leak {n}");
            }
            wait_until("a refused handshake", Duration::from_secs(20), || {
                d.stats()["net"].retried > 0
            });
            log::info!(logger: d, "one more, to collect the error");
            // Nothing written; every record waits, or was dropped and counted
            // (the rest are counted at shutdown).
            let stats = d.stats()["net"];
            assert_eq!(stats.emitted, 0, "{tls}: {stats:?}");
            assert_eq!(
                stats.dropped + stats.failed + stats.queued,
                6,
                "{tls}: {stats:?}"
            );
            d.shutdown();
            let errors = errors.lock().unwrap();
            assert!(
                errors
                    .iter()
                    .any(|e| e.contains("certificate") && e.contains(why)),
                "{tls}: {errors:?}"
            );
        }
        assert!(
            !sink.lines().iter().any(|l| l.contains("must not leak")),
            "{:?}",
            sink.lines()
        );
    }

    #[test]
    fn tcp_mutual_tls_presents_the_client_certificate() {
        let Some(certs) = Certs::make("tcp_mtls") else {
            return;
        };
        let Some(sink) = Sink::start("tcp_mtls", &certs, true) else {
            return;
        };
        open_gate();
        let (d, errors) = dispatcher(&format!(
            "version: 1\nhandlers:\n  net: {{ type: tcp, host: 127.0.0.1, port: {}, tls: {{ ca_file: {}, cert_file: {}, key_file: {} }} }}\nroot: {{ level: INFO, handlers: [net] }}\n",
            sink.port,
            quoted(&certs.path("ca.pem")),
            quoted(&certs.path("client.pem")),
            quoted(&certs.path("client.key")),
        ));
        log::info!(logger: d, "from a known client");
        d.flush_handlers();
        wait_until("the line", Duration::from_secs(20), || {
            !sink.lines().is_empty()
        });
        assert_eq!(sink.lines(), ["from a known client"], "{errors:?}");
        let failed = std::fs::read_to_string(sink.out.with_extension("errors")).unwrap_or_default();
        assert!(failed.is_empty(), "{failed}");
    }

    #[test]
    fn syslog_over_tls_rfc5425_10000_records_parse_back_in_rsyslog() {
        let test = "syslog_tls";
        if !require_rsyslog_module(test, "lmnsd_gtls", "rsyslog-gnutls") {
            return;
        }
        let Some(certs) = Certs::make(test) else {
            return;
        };
        open_gate();
        let port = free_tcp_port();
        let (ca, cert, key) = (
            certs.path("ca.pem"),
            certs.path("server.pem"),
            certs.path("server.key"),
        );
        let server = Rsyslog::start_with(
            None,
            Some((
                port,
                ServerCerts {
                    ca: &ca,
                    cert: &cert,
                    key: &key,
                },
            )),
        );
        let d = syslog_dispatcher(
            "tcp",
            &format!("host: 127.0.0.1, port: {port}"),
            "logfig-tls",
            &format!(", tls: {{ ca_file: {} }}", quoted(&ca)),
        );
        for i in 0..10_000 {
            log_nth(&d, i);
        }
        d.flush_handlers();
        wait_until(
            "rsyslog to write 10000 lines",
            Duration::from_secs(60),
            || server.lines().len() >= 10_000,
        );
        check_received(&server.lines(), "logfig-tls", 10_000);
        let stats = d.stats()["sys"];
        assert_eq!((stats.emitted, stats.dropped), (10_000, 0));
    }

    #[cfg(feature = "http")]
    #[test]
    fn https_trusts_the_ca_file_and_refuses_an_unknown_issuer() {
        let Some(certs) = Certs::make("https_ca_file") else {
            return;
        };
        let Some(sink) = crate::network::http::Sink::start(
            "https_ca_file",
            &certs.server_args().each_ref().map(String::as_str),
        ) else {
            return;
        };
        open_gate();
        let url = format!("https://127.0.0.1:{}/logs", sink.port);
        let (d, errors) = dispatcher(&format!(
            "version: 1\nhandlers:\n  trusted: {{ type: http, url: '{url}', batch_size: 10, tls: {{ ca_file: {} }} }}\n  default_roots: {{ type: http, url: '{url}', batch_size: 10, max_retries: 0 }}\nroot: {{ level: INFO, handlers: [trusted, default_roots] }}\n",
            quoted(&certs.path("ca.pem"))
        ));
        for n in 0..10 {
            log::info!(logger: d, "over https {n}");
        }
        d.flush_handlers();
        wait_until("the refused batch counted", Duration::from_secs(20), || {
            d.stats()["default_roots"].failed == 10
        });
        let stats = d.stats();
        assert_eq!(
            (stats["trusted"].emitted, stats["trusted"].dropped),
            (10, 0),
            "{errors:?}"
        );
        assert_eq!(stats["default_roots"].emitted, 0);
        // One request, from the handler that trusts the test CA.
        let requests = sink.requests();
        assert_eq!(requests.len(), 1, "{requests:?}");
        let lines: Vec<&str> = requests[0].0.lines().collect();
        let expected: Vec<String> = (0..10)
            .map(|n| format!("{{\"message\":\"over https {n}\"}}"))
            .collect();
        assert_eq!(lines, expected);
        refused_unknown_issuer(&d, &errors);
    }

    /// `otlp` takes the same `tls:` map as `http`: records reach a receiver
    /// whose certificate the test CA signed, decoded by the official
    /// classes; a handler trusting only the default roots sends nothing
    /// and counts its records as failed.
    #[cfg(feature = "otlp")]
    #[test]
    fn otlp_over_https_trusts_the_ca_file_and_refuses_an_unknown_issuer() {
        use crate::handlers::otlp::{Receiver, records};
        let Some(certs) = Certs::make("otlp_https") else {
            return;
        };
        let Some(rx) = Receiver::start_with(
            "otlp_https",
            "200",
            &certs.server_args().each_ref().map(String::as_str),
        ) else {
            return;
        };
        open_gate();
        let url = format!("https://127.0.0.1:{}/v1/logs", rx.port);
        let (d, errors) = dispatcher(&format!(
            "version: 1\nhandlers:\n  trusted: {{ type: otlp, endpoint: '{url}', compression: gzip, tls: {{ ca_file: {} }} }}\n  default_roots: {{ type: otlp, endpoint: '{url}', max_retries: 0 }}\nroot: {{ level: INFO, handlers: [trusted, default_roots] }}\n",
            quoted(&certs.path("ca.pem"))
        ));
        for n in 0..10 {
            log::info!(logger: d, target: "shop", n = n; "over https {n}");
        }
        d.flush_handlers();
        wait_until("both handlers done", Duration::from_secs(20), || {
            let s = d.stats();
            s["trusted"].emitted == 10 && s["default_roots"].failed == 10
        });
        assert_eq!(d.stats()["default_roots"].emitted, 0);
        let got = records(&rx.requests());
        let bodies: Vec<&str> = got
            .iter()
            .map(|g| g.record["body"]["string_value"].as_str().unwrap())
            .collect();
        let expected: Vec<String> = (0..10).map(|n| format!("over https {n}")).collect();
        assert_eq!(bodies, expected);
        assert!(got.iter().all(|g| g.scope == "shop"));
        refused_unknown_issuer(&d, &errors);
    }

    #[test]
    fn unusable_tls_files_are_config_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate\n").unwrap();
        let missing = dir.path().join("missing.pem");
        for (tls, expected) in [
            (
                format!("{{ ca_file: {} }}", quoted(&missing)),
                "`tls.ca_file`",
            ),
            (
                format!("{{ ca_file: {} }}", quoted(&junk)),
                "no PEM certificate",
            ),
            (
                format!(
                    "{{ cert_file: {}, key_file: {} }}",
                    quoted(&junk),
                    quoted(&missing)
                ),
                "`tls.cert_file`",
            ),
        ] {
            let config = Config::from_str(
                &format!("version: 1\nhandlers:\n  net: {{ type: tcp, host: 127.0.0.1, port: 9, tls: {tls} }}\nroot: {{ handlers: [net] }}\n"),
                Format::Yaml,
            )
            .unwrap();
            let err = logfig::Dispatcher::new(&config).unwrap_err().to_string();
            assert!(
                err.contains("handlers.net") && err.contains(expected),
                "{err}"
            );
        }
    }
}

// ---- config errors, with or without the `tls` feature ------------------------

#[test]
fn tls_settings_that_cannot_work_are_refused_with_their_path() {
    for (yaml, expected) in [
        (
            "{ type: syslog, transport: udp, tls: true }",
            "handlers.h.tls: TLS needs a stream: set `transport: tcp` (RFC 5425) or `transport: relp`",
        ),
        (
            "{ type: tcp, host: h, port: 1, tls: { cert_file: c.pem } }",
            "handlers.h.tls.cert_file: `cert_file` needs `key_file` too",
        ),
        (
            "{ type: tcp, host: h, port: 1, tls: { ca: c.pem } }",
            "handlers.h.tls.ca",
        ),
        (
            "{ type: tcp, host: h, port: 1, tls: maybe }",
            "handlers.h.tls",
        ),
        (
            "{ type: http, url: 'http://h/', tls: { ca_file: c.pem } }",
            "handlers.h.tls: TLS settings need an `https://` URL",
        ),
        (
            "{ type: http, url: 'https://h/', tls: { server_name: x } }",
            "handlers.h.tls.server_name: `server_name` is not used by `http`",
        ),
    ] {
        let text = format!("version: 1\nhandlers:\n  h: {yaml}\nroot: {{ handlers: [h] }}\n");
        let err = Config::from_str(&text, Format::Yaml)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{yaml}: {err}");
    }
}

#[test]
fn syslog_ports_default_by_transport_and_tls() {
    use logfig::config::HandlerConfig;
    for (keys, port) in [
        ("transport: tcp", 514),
        ("transport: tcp, tls: true", 6514),
        ("transport: relp", 20514),
        ("transport: tcp, tls: true, port: 7000", 7000),
    ] {
        let config = Config::from_str(
            &format!("version: 1\nhandlers:\n  s: {{ type: syslog, {keys} }}\nroot: {{ handlers: [s] }}\n"),
            Format::Yaml,
        )
        .unwrap();
        let HandlerConfig::Syslog(s) = &config.handlers["s"] else {
            panic!("not syslog")
        };
        assert_eq!(s.port, port, "{keys}");
    }
}

#[cfg(not(feature = "tls"))]
#[test]
fn tls_without_its_feature_is_refused_with_feature_disabled() {
    crate::network::assert_feature_disabled(
        "{ type: tcp, host: 127.0.0.1, port: 9, tls: true }",
        "handlers.h: `tls` requires the `tls` feature of logfig",
    );
}
