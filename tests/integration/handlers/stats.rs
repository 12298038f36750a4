//! `emitted`, as `Handle::stats` (and the control endpoint's `/status`)
//! report it, for every handler kind that runs without an outside server:
//! each writes real records to a real file, socket or stream, and counts
//! exactly those.

use std::io::Read;
use std::net::{TcpListener, UdpSocket};
use std::time::{Duration, Instant};

use crate::dispatch::open_gate;
use crate::network::dispatcher;

/// Records logged to every handler.
const N: u64 = 5;

#[test]
fn every_kind_counts_the_records_it_writes_as_emitted() {
    open_gate();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| format!("'{}'", dir.path().join(name).display());
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let syslog = UdpSocket::bind("127.0.0.1:0").unwrap();
    let yaml = format!(
        "version: 1\nhandlers:\n\
         \x20 file: {{ type: file, path: {} }}\n\
         \x20 buffered: {{ type: file, path: {}, flush_level: ERROR, buffer: 1MiB }}\n\
         \x20 rotating: {{ type: rotating_file, path: {} }}\n\
         \x20 watched: {{ type: watched_file, path: {} }}\n\
         \x20 console: {{ type: console, stream: stderr, capture: true }}\n\
         \x20 queue: {{ type: queue, handlers: [queued] }}\n\
         \x20 queued: {{ type: file, path: {} }}\n\
         \x20 memory: {{ type: memory, target: kept, capacity: 3 }}\n\
         \x20 kept: {{ type: file, path: {} }}\n\
         \x20 tcp: {{ type: tcp, host: 127.0.0.1, port: {} }}\n\
         \x20 udp: {{ type: udp, host: 127.0.0.1, port: {} }}\n\
         \x20 syslog: {{ type: syslog, transport: udp, host: 127.0.0.1, port: {} }}\n\
         \x20 null: {{ type: null }}\n\
         root: {{ level: INFO, handlers: [file, buffered, rotating, watched, console, queue, memory, tcp, udp, syslog, null] }}\n",
        path("file.log"),
        path("buffered.log"),
        path("rotating.log"),
        path("watched.log"),
        path("queued.log"),
        path("kept.log"),
        tcp.local_addr().unwrap().port(),
        udp.local_addr().unwrap().port(),
        syslog.local_addr().unwrap().port(),
    );
    let d = dispatcher(&yaml);
    for i in 0..N {
        log::info!(logger: d, "record {i}");
    }
    d.flush_handlers();
    let kinds = [
        "file", "buffered", "rotating", "watched", "console", "queue", "queued", "memory", "kept",
        "tcp", "udp", "syslog",
    ];
    // The threaded ones count when their thread wrote; past the deadline
    // the assertions below say which kind fell short.
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline && !kinds.iter().all(|k| d.stats()[*k].emitted >= N) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let stats = d.stats();
    for kind in kinds {
        let s = stats[kind];
        assert_eq!((s.emitted, s.failed, s.dropped), (N, 0, 0), "{kind}: {s:?}");
    }
    // `null` writes nothing anywhere: it emits nothing.
    assert_eq!(stats["null"].emitted, 0, "{:?}", stats["null"]);

    // What was counted was written.
    for name in ["file", "buffered", "rotating", "watched", "queued", "kept"] {
        let text = std::fs::read_to_string(dir.path().join(format!("{name}.log"))).unwrap();
        assert_eq!(text.lines().count() as u64, N, "{name}: {text}");
    }
    let (mut conn, _) = tcp.accept().unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while got.iter().filter(|b| **b == b'\n').count() < N as usize {
        let n = conn.read(&mut buf).unwrap();
        assert!(n > 0, "tcp: the connection closed early");
        got.extend_from_slice(&buf[..n]);
    }
    for socket in [&udp, &syslog] {
        socket
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        for _ in 0..N {
            socket.recv(&mut buf).unwrap();
        }
    }
}
