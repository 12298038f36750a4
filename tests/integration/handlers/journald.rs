//! The `journald` handler: against a receiver on a socket in a temporary
//! directory that parses the journal's native protocol itself (text and
//! length-prefixed fields, entries passed in a sealed memfd), and against
//! the real `systemd-journald`, read back with `journalctl -o json`.
//!
//! The real journal: a running one is used as it is; otherwise, as root, the
//! test starts its own `systemd-journald` (it runs standalone and creates its
//! sockets under `/run/systemd/journal/`). Without either it is skipped
//! loudly, or fails under `LOGFIG_REQUIRE_SERVERS=1`.

use std::collections::BTreeMap;
use std::io::{IoSliceMut, Read, Seek};
use std::mem::MaybeUninit;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rustix::net::{RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags};

use crate::dispatch::open_gate;
use crate::network::{dispatcher, missing, wait_until};

/// One journal entry: each field's values, in order.
type Fields = BTreeMap<String, Vec<Vec<u8>>>;

/// Parses a native-protocol entry: `NAME=value\n`, or `NAME\n`, a 64-bit
/// little-endian length, the value and `\n`.
fn parse(mut data: &[u8]) -> Fields {
    let mut out = Fields::new();
    while !data.is_empty() {
        let nl = data
            .iter()
            .position(|&b| b == b'\n')
            .expect("a field ends with a newline");
        let line = &data[..nl];
        if let Some(eq) = line.iter().position(|&b| b == b'=') {
            let name = String::from_utf8(line[..eq].to_vec()).unwrap();
            out.entry(name).or_default().push(line[eq + 1..].to_vec());
            data = &data[nl + 1..];
        } else {
            let name = String::from_utf8(line.to_vec()).unwrap();
            let len = u64::from_le_bytes(data[nl + 1..nl + 9].try_into().unwrap()) as usize;
            let value = data[nl + 9..nl + 9 + len].to_vec();
            assert_eq!(
                data[nl + 9 + len],
                b'\n',
                "binary field {name} ends with a newline"
            );
            out.entry(name).or_default().push(value);
            data = &data[nl + 10 + len..];
        }
    }
    out
}

/// A journal stand-in: a datagram socket in a temporary directory.
struct Receiver {
    socket: UnixDatagram,
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Receiver {
    fn new() -> Receiver {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("socket");
        let socket = UnixDatagram::bind(&path).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        Receiver {
            socket,
            path,
            _dir: dir,
        }
    }

    /// The next entry, and whether it came in a memfd (checked sealed).
    fn next(&self) -> (Fields, bool) {
        let mut buf = vec![0u8; 1 << 20];
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
        let mut control = RecvAncillaryBuffer::new(&mut space);
        let got = rustix::net::recvmsg(
            &self.socket,
            &mut [IoSliceMut::new(&mut buf)],
            &mut control,
            RecvFlags::CMSG_CLOEXEC,
        )
        .unwrap();
        let mut fds = Vec::new();
        for message in control.drain() {
            if let RecvAncillaryMessage::ScmRights(rights) = message {
                fds.extend(rights);
            }
        }
        if let Some(fd) = fds.pop() {
            assert_eq!(got.bytes, 0, "a memfd comes in an empty datagram");
            let seals = rustix::fs::fcntl_get_seals(&fd).unwrap();
            use rustix::fs::SealFlags;
            assert!(
                seals.contains(
                    SealFlags::WRITE | SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL
                ),
                "{seals:?}"
            );
            // The descriptor shares the sender's offset (the end): read
            // from the start, as journald maps it.
            let mut file = std::fs::File::from(fd);
            file.seek(std::io::SeekFrom::Start(0)).unwrap();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            return (parse(&data), true);
        }
        assert!(
            got.bytes > 0,
            "an empty datagram without a descriptor: {:?}",
            got.flags
        );
        (parse(&buf[..got.bytes]), false)
    }
}

/// Logs `message` with key-values whose names `log!` cannot spell
/// (`user.id`, `2fa`), from this file and line.
fn log_kvs(
    d: &logfig::Dispatcher,
    level: log::Level,
    target: &str,
    message: &str,
    kvs: &[(&str, log::kv::Value<'_>)],
) {
    log::Log::log(
        d,
        &log::Record::builder()
            .args(format_args!("{message}"))
            .level(level)
            .target(target)
            .file(Some(file!()))
            .line(Some(line!()))
            .module_path(Some(module_path!()))
            .key_values(&kvs)
            .build(),
    );
}

fn one(fields: &Fields, name: &str) -> String {
    let values = fields
        .get(name)
        .unwrap_or_else(|| panic!("no {name} in {:?}", fields.keys()));
    assert_eq!(values.len(), 1, "{name}: {values:?}");
    String::from_utf8(values[0].clone()).unwrap()
}

#[test]
fn journald_native_protocol_fields_binary_values_and_memfd() {
    open_gate();
    let rx = Receiver::new();
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  j: {{ type: journald, path: '{}', syslog_identifier: shop }}\nroot: {{ level: TRACE, handlers: [j] }}\n",
        rx.path.display()
    ));
    log_kvs(
        &d,
        log::Level::Warn,
        "shop::cart",
        "line one\nline two",
        &[
            ("user.id", 42.into()),
            ("message", "kv".into()),
            ("2fa", true.into()),
            // A newline cannot forge a field: the value is length-prefixed.
            ("note", "a\nPRIORITY=0".into()),
        ],
    );
    let big = "x".repeat(300 << 10);
    log::info!(logger: d, "{big}");
    log::trace!(logger: d, target: "t", "fine");
    d.flush_handlers();

    let (f, memfd) = rx.next();
    assert!(!memfd);
    assert_eq!(one(&f, "MESSAGE"), "line one\nline two");
    assert_eq!(one(&f, "PRIORITY"), "4");
    assert_eq!(one(&f, "SYSLOG_IDENTIFIER"), "shop");
    assert_eq!(one(&f, "LOGGER"), "shop::cart");
    assert_eq!(one(&f, "CODE_FILE"), file!());
    assert!(one(&f, "CODE_LINE").parse::<u32>().is_ok());
    assert_eq!(one(&f, "CODE_MODULE"), module_path!());
    assert!(one(&f, "TID").parse::<u32>().unwrap() > 0);
    assert_eq!(one(&f, "USER_ID"), "42");
    assert_eq!(one(&f, "KV_MESSAGE"), "kv");
    assert_eq!(one(&f, "KV_2FA"), "true");
    assert_eq!(one(&f, "NOTE"), "a\nPRIORITY=0");

    let (f, memfd) = rx.next();
    assert!(memfd, "a 300KiB entry goes in a memfd");
    assert_eq!(one(&f, "MESSAGE"), big);
    assert_eq!(one(&f, "PRIORITY"), "6");

    let (f, _) = rx.next();
    assert_eq!(one(&f, "PRIORITY"), "7");
    let s = d.stats()["j"];
    assert_eq!((s.emitted, s.failed, s.dropped), (3, 0, 0));
}

/// `TID` is the kernel id of the thread that logged the record: sent for a
/// record logged on that thread, left out for one a `queue` relays from its
/// worker (whose own id it is not), where `THREAD_NAME` still names the
/// logging thread.
#[test]
fn journald_tid_is_the_logging_threads_or_absent() {
    open_gate();
    let rx = Receiver::new();
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  j: {{ type: journald, path: '{}' }}\n  q: {{ type: queue, handlers: [j] }}\nloggers:\n  direct: {{ handlers: [j], propagate: false }}\nroot: {{ level: INFO, handlers: [q] }}\n",
        rx.path.display()
    ));
    let tid = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("app-thread".into())
            .spawn_scoped(s, || {
                log::info!(logger: d, target: "direct", "direct");
                log::info!(logger: d, target: "queued", "queued");
                rustix::thread::gettid().as_raw_nonzero().get()
            })
            .unwrap()
            .join()
            .unwrap()
    });
    d.flush_handlers();
    let mut got: Vec<Fields> = (0..2).map(|_| rx.next().0).collect();
    got.sort_by_key(|f| one(f, "MESSAGE"));
    let (direct, queued) = (&got[0], &got[1]);
    assert_eq!(one(direct, "MESSAGE"), "direct");
    assert_eq!(one(direct, "TID"), tid.to_string());
    assert_eq!(one(direct, "THREAD_NAME"), "app-thread");
    assert_eq!(one(queued, "MESSAGE"), "queued");
    assert!(queued.get("TID").is_none(), "{:?}", queued.get("TID"));
    assert_eq!(one(queued, "THREAD_NAME"), "app-thread");
}

/// The bounds of one entry: 256 key-values (the rest left out), 64KiB a
/// value and 8MiB the message (cut at a character); each record that lost
/// something counts as `oversized`, and is still sent.
#[test]
fn journald_bounds_cut_and_count_oversized_records() {
    open_gate();
    let rx = Receiver::new();
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  j: {{ type: journald, path: '{}' }}\nroot: {{ level: INFO, handlers: [j] }}\n",
        rx.path.display()
    ));
    let names: Vec<String> = (0..300).map(|i| format!("k{i:03}")).collect();
    let many: Vec<(&str, log::kv::Value<'_>)> =
        names.iter().map(|n| (n.as_str(), 1.into())).collect();
    log_kvs(&d, log::Level::Info, "t", "many", &many);
    let long_value = format!("{}é", "v".repeat((64 << 10) - 1));
    log_kvs(&d, log::Level::Info, "t", "long", &[("v", long_value.as_str().into())]);
    let long_message = "m".repeat((8 << 20) + 10);
    log::info!(logger: d, target: "t", "{long_message}");
    log::info!(logger: d, target: "t", "fits");
    d.flush_handlers();

    let (f, _) = rx.next();
    assert_eq!(one(&f, "MESSAGE"), "many");
    let kvs = f.keys().filter(|k| k.starts_with('K')).count();
    assert_eq!(kvs, 256, "{:?}", f.keys());
    assert_eq!(one(&f, "K255"), "1");
    assert!(!f.contains_key("K256"));
    let (f, _) = rx.next();
    // 65535 bytes of `v`, then `é` (2 bytes) would pass 64KiB: cut before it.
    assert_eq!(one(&f, "V"), "v".repeat((64 << 10) - 1));
    let (f, memfd) = rx.next();
    assert!(memfd);
    assert_eq!(one(&f, "MESSAGE").len(), 8 << 20);
    let (f, _) = rx.next();
    assert_eq!(one(&f, "MESSAGE"), "fits");
    let s = d.stats()["j"];
    assert_eq!((s.emitted, s.oversized, s.failed), (4, 3, 0), "{s:?}");
}

#[test]
fn journald_missing_socket_is_a_config_time_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-journal");
    let config = logfig::Config::from_str(
        &format!(
            "version: 1\nhandlers:\n  j: {{ type: journald, path: '{}' }}\nroot: {{ handlers: [j] }}\n",
            path.display()
        ),
        logfig::Format::Yaml,
    )
    .unwrap();
    let err = logfig::Dispatcher::new(&config).unwrap_err().to_string();
    assert!(err.contains("handlers.j"), "{err}");
    assert!(err.contains("cannot reach the journal at"), "{err}");
    assert!(err.contains("no-journal"), "{err}");
}

#[test]
fn journald_config_errors_name_file_line_column_and_key() {
    let err = logfig::Config::from_str(
        "version: 1\nhandlers:\n  j:\n    type: journald\n    path: ''\n    syslog_identifier: 'has space'\n    bufer: 3\nroot: { handlers: [j] }\n",
        logfig::Format::Yaml,
    )
    .unwrap_err()
    .to_string();
    for needle in [
        ":5:11: handlers.j.path: the path is empty",
        ":6:24: handlers.j.syslog_identifier: the identifier must be 1 to 64 printable ASCII characters",
        ":7:5: handlers.j.bufer: unknown key `bufer` (did you mean `buffer`?)",
    ] {
        assert!(err.contains(needle), "{needle:?} not in:\n{err}");
    }
}

// ---- against the real systemd-journald --------------------------------------

const SOCKET: &str = "/run/systemd/journal/socket";

fn reachable() -> bool {
    UnixDatagram::unbound()
        .and_then(|s| s.connect(SOCKET))
        .is_ok()
}

fn journald_binary() -> Option<PathBuf> {
    [
        "/lib/systemd/systemd-journald",
        "/usr/lib/systemd/systemd-journald",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// A journal to write to: the running one, or one started here (as root),
/// stopped when this is dropped.
struct Journal(Option<Child>);

impl Drop for Journal {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn journal(test: &str) -> Option<Journal> {
    if reachable() {
        return Some(Journal(None));
    }
    let Some(binary) = journald_binary() else {
        missing(test, "systemd-journald", "apt-get install systemd");
        return None;
    };
    if !Path::new("/usr/bin/journalctl").is_file() && !Path::new("/bin/journalctl").is_file() {
        missing(test, "journalctl", "apt-get install systemd");
        return None;
    }
    // `/proc/self` belongs to the effective user.
    let root = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap()) == 0;
    if !root {
        missing(
            test,
            "a running systemd-journald, or root to start one",
            "run as root, or on a host whose journald runs",
        );
        return None;
    }
    // No inherited stdout or stderr: a pipe journald held open would stall
    // whoever reads the test's output.
    let child = Command::new(binary)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting systemd-journald");
    let journal = Journal(Some(child));
    wait_until(
        "systemd-journald's socket",
        Duration::from_secs(20),
        reachable,
    );
    Some(journal)
}

/// The entries `journalctl -o json` has for `identifier`.
fn read_back(identifier: &str) -> Vec<serde_json::Value> {
    let out = Command::new("journalctl")
        .args(["-o", "json", "--all", "--no-pager"])
        .arg(format!("SYSLOG_IDENTIFIER={identifier}"))
        .output()
        .expect("running journalctl");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A field as `journalctl -o json` writes it: a string, or an array of
/// bytes when it holds control characters (a newline) or is not UTF-8.
fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(bytes) => String::from_utf8(
            bytes
                .iter()
                .map(|b| u8::try_from(b.as_u64().unwrap()).unwrap())
                .collect(),
        )
        .unwrap(),
        other => panic!("unexpected field value {other}"),
    }
}

#[test]
fn journald_records_read_back_exact_from_the_real_journal() {
    let Some(_journal) = journal("journald_real") else {
        return;
    };
    open_gate();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let id = format!("logfig-test-{}-{nanos}", std::process::id());
    let d = dispatcher(&format!(
        "version: 1\nhandlers:\n  j: {{ type: journald, syslog_identifier: '{id}' }}\nroot: {{ level: DEBUG, handlers: [j] }}\n"
    ));
    log_kvs(
        &d,
        log::Level::Error,
        "shop.pay",
        "payment failed",
        &[
            ("order", 17.into()),
            ("amount", 9.5.into()),
            ("user.name", "bob".into()),
        ],
    );
    log::info!(logger: d, target: "shop", detail = "x\ny"; "first line\nsecond line");
    let big: String = (0..(300 << 10))
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    log::debug!(logger: d, target: "shop", "{big}");
    d.flush_handlers();
    assert_eq!(d.stats()["j"].emitted, 3);
    let mut entries = Vec::new();
    wait_until(
        "three entries in the journal",
        Duration::from_secs(30),
        || {
            entries = read_back(&id);
            entries.len() >= 3
        },
    );
    assert_eq!(entries.len(), 3, "{entries:?}");
    let e = &entries[0];
    assert_eq!(text(&e["MESSAGE"]), "payment failed");
    assert_eq!(text(&e["PRIORITY"]), "3");
    assert_eq!(text(&e["LOGGER"]), "shop.pay");
    assert_eq!(text(&e["ORDER"]), "17");
    assert_eq!(text(&e["AMOUNT"]), "9.5");
    assert_eq!(text(&e["USER_NAME"]), "bob");
    assert_eq!(text(&e["CODE_FILE"]), file!());
    assert_eq!(text(&e["CODE_MODULE"]), module_path!());
    assert!(text(&e["CODE_LINE"]).parse::<u32>().is_ok());
    assert!(text(&e["TID"]).parse::<u32>().is_ok());
    assert_eq!(text(&e["_PID"]), std::process::id().to_string());
    let e = &entries[1];
    assert_eq!(text(&e["MESSAGE"]), "first line\nsecond line");
    assert_eq!(text(&e["DETAIL"]), "x\ny");
    assert_eq!(text(&e["PRIORITY"]), "6");
    let e = &entries[2];
    assert_eq!(text(&e["MESSAGE"]), big);
    assert_eq!(text(&e["PRIORITY"]), "7");
    d.shutdown();
}
