//! Ports out of range, zero where zero means nothing, or not numbers, in
//! every field that names a peer or an address: refused at their position
//! (`logfig check` included), with the URL itself never quoted (it may carry
//! a password).

use logfig::{Config, Format};

/// Loads `handler` (a handler's body) and returns the first error's
/// `(path, line, column, message)`.
fn refused(section: &str) -> (String, u32, u32, String) {
    let text = format!("version: 1\n{section}\n");
    let err = Config::from_str(&text, Format::Yaml)
        .err()
        .unwrap_or_else(|| panic!("accepted: {text}"));
    let d = &err.diagnostics()[0];
    (d.path().to_owned(), d.line(), d.column(), d.message().to_owned())
}

#[cfg(all(feature = "http", feature = "otlp"))]
#[test]
fn url_ports_out_of_range_zero_or_not_numbers_are_refused() {
    for (url, expect) in [
        ("http://u:pw@logs.example:99999/x", "invalid URL: the port is out of range: expected 1 to 65535"),
        ("https://logs.example:0/", "invalid URL: the port is out of range: expected 1 to 65535"),
        ("http://logs.example:http/", "invalid URL: the port is not a number"),
        // No `@`: what stands where the port would is never quoted.
        ("http://bot:pw/x", "invalid URL: the port is not a number"),
        ("http://logs.example:/", "invalid URL: the port is empty"),
        ("http://[::1]:65536/", "invalid URL: the port is out of range"),
    ] {
        for (kind, key) in [("http", "url"), ("otlp", "endpoint")] {
            let (path, line, column, message) = refused(&format!(
                "handlers:\n  h:\n    type: {kind}\n    {key}: '{url}'\n"
            ));
            assert_eq!(path, format!("handlers.h.{key}"), "{url}: {message}");
            assert_eq!((line, column), (5, 7 + key.len() as u32), "{url}: {message}");
            assert!(message.contains(expect), "{url}: {message}");
            assert!(!message.contains("pw"), "{message}");
        }
    }
    for url in ["http://logs.example:65535/", "http://[::1]:8080/", "https://logs.example/"] {
        let text = format!("version: 1\nhandlers:\n  h: {{ type: http, url: '{url}' }}\n");
        Config::from_str(&text, Format::Yaml).unwrap_or_else(|e| panic!("{url}: {e}"));
    }
}

#[test]
fn a_host_holding_a_port_is_refused() {
    for kind in ["tcp", "udp", "syslog", "smtp"] {
        let rest = match kind {
            "smtp" => ", from: a@example.com, to: [b@example.com]",
            "syslog" => ", transport: tcp",
            _ => ", port: 514",
        };
        let (path, line, column, message) =
            refused(&format!("handlers:\n  h: {{ type: {kind}, host: 'logs.example:99999'{rest} }}"));
        assert_eq!(path, "handlers.h.host", "{kind}: {message}");
        assert_eq!((line, column), (3, 22 + kind.len() as u32), "{kind}: {message}");
        assert!(
            message.contains("`logs.example:99999` holds a port: write the host alone, and the port as `port:`"),
            "{kind}: {message}"
        );
    }
    // IPv6 addresses are hosts, colons and all.
    let text = "version: 1\nhandlers:\n  h: { type: tcp, host: '::1', port: 514 }\n";
    Config::from_str(text, Format::Yaml).unwrap();
}

#[cfg(feature = "control")]
#[test]
fn control_listen_ports_out_of_range_are_refused() {
    let (path, line, column, message) =
        refused("control: { listen: '127.0.0.1:99999', token: 0123456789abcdef }");
    assert_eq!(path, "control.listen", "{message}");
    assert_eq!((line, column), (2, 20), "{message}");
    assert!(message.contains("invalid listen address `127.0.0.1:99999`"), "{message}");
    // Port 0 asks the system for a free port: the tests' own way to listen.
    Config::from_str(
        "version: 1\ncontrol: { listen: '127.0.0.1:0', token: 0123456789abcdef }\n",
        Format::Yaml,
    )
    .unwrap();
}
