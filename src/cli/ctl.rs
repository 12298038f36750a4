//! `logfig ctl`: talks to a running process's control endpoint (issue #15).
//!
//! The client is as small as the server: one HTTP/1.1 request per
//! connection, over TCP or a unix socket, with a timeout and a bounded
//! answer. Exit status: 0 on success, 1 when the endpoint refused the
//! request (a bad level, a wrong token), 2 when it cannot be reached or the
//! command line is wrong — as `logfig check`.

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::{Value, json};

/// How long a request may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Largest answer read.
const MAX_ANSWER: u64 = 8 * 1024 * 1024;

/// Talk to a running process's control endpoint.
#[derive(Debug, clap::Args)]
pub(super) struct CtlArgs {
    /// The endpoint's URL, such as `http://127.0.0.1:9009`; a path (a
    /// proxy's prefix) goes before each request's. Default: the address in
    /// LOGFIG_CONTROL.
    #[arg(long, conflicts_with = "socket")]
    url: Option<String>,
    /// The endpoint's unix socket.
    #[arg(long)]
    socket: Option<std::path::PathBuf>,
    /// The environment variable holding the token.
    #[arg(long, default_value = "LOGFIG_CONTROL_TOKEN")]
    token_env: String,
    /// Print the endpoint's JSON instead of tables.
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// List every logger with its configured and effective level.
    Loggers,
    /// Show one logger.
    Get {
        /// The logger, such as `myapp::db` (`ROOT` for the root).
        name: String,
    },
    /// Override a logger's level, optionally for a time.
    Set {
        /// The logger, such as `myapp::db` (`ROOT` for the root).
        name: String,
        /// TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL or OFF.
        level: String,
        /// Revert by itself after this long, such as `15m`.
        #[arg(long = "for", value_name = "DURATION")]
        ttl: Option<String>,
    },
    /// Remove a logger's override; the config's level applies again.
    Reset {
        /// The logger.
        name: String,
    },
    /// Show the reload status, the overrides and the handlers' statistics.
    Status,
    /// Make the process read its config file now.
    Reload,
}

enum Target {
    /// The host and port, and the URL's path without its last `/` (a
    /// proxy's prefix), put before each endpoint's path.
    Tcp(String, String),
    #[cfg(unix)]
    Unix(std::path::PathBuf),
}

/// Runs `logfig ctl`; returns (stdout, stderr, status).
pub(super) fn run(args: &CtlArgs) -> (String, String, u8) {
    match run_inner(args) {
        Ok(text) => (text, String::new(), 0),
        Err((message, status)) => (String::new(), format!("logfig ctl: {message}"), status),
    }
}

fn run_inner(args: &CtlArgs) -> Result<String, (String, u8)> {
    let target = target(args)?;
    let token = std::env::var(&args.token_env)
        .ok()
        .filter(|t| !t.is_empty());
    let name_path = |name: &str| format!("/loggers/{}", encode(name));
    let (method, path, body) = match &args.action {
        Action::Loggers => ("GET", "/loggers".to_owned(), None),
        Action::Get { name } => ("GET", name_path(name), None),
        Action::Set { name, level, ttl } => {
            let mut b = json!({ "configuredLevel": level });
            if let Some(t) = ttl {
                b["ttl"] = json!(t);
            }
            ("POST", name_path(name), Some(b))
        }
        Action::Reset { name } => (
            "POST",
            name_path(name),
            Some(json!({ "configuredLevel": null })),
        ),
        Action::Status => ("GET", "/status".to_owned(), None),
        Action::Reload => ("POST", "/reload".to_owned(), None),
    };
    let (status, answer) =
        request(&target, method, &path, token.as_deref(), body.as_ref()).map_err(|e| (e, 2))?;
    let value: Value = if answer.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&answer).map_err(|e| {
            (
                format!("the endpoint answered {status} with something that is not JSON: {e}"),
                2,
            )
        })?
    };
    if !(200..300).contains(&status) {
        let message = value["error"].as_str().unwrap_or("no message").to_owned();
        let hint = if status == 401 && token.is_none() {
            format!(" (no token: set {})", args.token_env)
        } else {
            String::new()
        };
        return Err((format!("{status}: {message}{hint}"), 1));
    }
    if args.json {
        return Ok(if value.is_null() {
            String::new()
        } else {
            format!("{value:#}\n")
        });
    }
    Ok(match &args.action {
        Action::Loggers => loggers_table(&value),
        Action::Get { name } => table(&[(name.clone(), value)]),
        Action::Set { name, level, ttl } => match ttl {
            Some(t) => format!("{name}: {} for {t}\n", level.to_ascii_uppercase()),
            None => format!("{name}: {} until reset\n", level.to_ascii_uppercase()),
        },
        Action::Reset { name } => format!("{name}: override removed\n"),
        Action::Status => status_text(&value),
        Action::Reload => "reloaded\n".to_owned(),
    })
}

/// For `logfig explain`: where a control endpoint may change the levels
/// shown, or nothing.
pub(super) fn explain_note(config: &crate::config::Config) -> String {
    match &config.control {
        Some(c) => format!(
            "control endpoint: {} ({}); levels set there override this file's until reset or expired\n",
            c.listen,
            if c.token.is_some() {
                "token required"
            } else {
                "peer uid checked"
            }
        ),
        None => String::new(),
    }
}

fn target(args: &CtlArgs) -> Result<Target, (String, u8)> {
    #[cfg(unix)]
    if let Some(p) = &args.socket {
        return Ok(Target::Unix(p.clone()));
    }
    #[cfg(not(unix))]
    if args.socket.is_some() {
        return Err(("unix sockets need a unix system".into(), 2));
    }
    let url = match &args.url {
        Some(u) => u.clone(),
        None => match std::env::var("LOGFIG_CONTROL") {
            #[cfg(unix)]
            Ok(a) if a.starts_with("unix:") => return Ok(Target::Unix(a[5..].into())),
            Ok(a) if !a.is_empty() => format!("http://{a}"),
            _ => return Err(("give --url or --socket (or set LOGFIG_CONTROL)".into(), 2)),
        },
    };
    let Some(rest) = url.strip_prefix("http://") else {
        return Err((
            format!("`{url}`: only http:// URLs are supported (put TLS in front with a proxy)"),
            2,
        ));
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host.is_empty() {
        return Err((format!("`{url}`: no host"), 2));
    }
    if path.contains(['?', '#']) || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err((
            format!("`{url}`: the path may hold no query, fragment, space or control character"),
            2,
        ));
    }
    let base = match path.trim_end_matches('/') {
        "" => String::new(),
        p => format!("/{p}"),
    };
    Ok(Target::Tcp(host.to_owned(), base))
}

/// Percent-encodes a logger name for a path.
fn encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn request(
    target: &Target,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Result<(u16, Vec<u8>), String> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let (host, mut conn, base): (String, Box<dyn ReadWrite>, &str) = match target {
        Target::Tcp(host, base) => {
            use std::net::ToSocketAddrs;
            let addr = host
                .to_socket_addrs()
                .map_err(|e| format!("`{host}`: {e}"))?
                .next()
                .ok_or_else(|| format!("`{host}`: no address"))?;
            let s = std::net::TcpStream::connect_timeout(&addr, TIMEOUT)
                .map_err(|e| format!("connecting to {host}: {e}"))?;
            s.set_read_timeout(Some(TIMEOUT))
                .map_err(|e| e.to_string())?;
            s.set_write_timeout(Some(TIMEOUT))
                .map_err(|e| e.to_string())?;
            (host.clone(), Box::new(s), base)
        }
        #[cfg(unix)]
        Target::Unix(path) => {
            let s = std::os::unix::net::UnixStream::connect(path)
                .map_err(|e| format!("connecting to {}: {e}", path.display()))?;
            s.set_read_timeout(Some(TIMEOUT))
                .map_err(|e| e.to_string())?;
            s.set_write_timeout(Some(TIMEOUT))
                .map_err(|e| e.to_string())?;
            ("localhost".to_owned(), Box::new(s), "")
        }
    };
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "{method} {base}{path} HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes())
        .and_then(|()| conn.write_all(body.as_bytes()))
        .map_err(|e| format!("sending the request: {e}"))?;
    let mut answer = Vec::new();
    conn.take(MAX_ANSWER)
        .read_to_end(&mut answer)
        .map_err(|e| format!("reading the answer: {e}"))?;
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the answer is not HTTP")?;
    let head = String::from_utf8_lossy(&answer[..end]);
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or("the answer has no status")?;
    Ok((status, answer[end + 4..].to_vec()))
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    }
}

/// Rows of `NAME CONFIGURED EFFECTIVE`, aligned.
fn table(rows: &[(String, Value)]) -> String {
    let width = rows
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let mut s = format!(
        "{:<width$}  {:<10}  {:<9}  OVERRIDE\n",
        "LOGGER", "CONFIGURED", "EFFECTIVE"
    );
    for (name, v) in rows {
        let o = &v["override"];
        let over = if o.is_null() {
            String::new()
        } else if o["remaining"].is_null() {
            "until reset".to_owned()
        } else {
            format!("{} left", text(&o["remaining"]))
        };
        s.push_str(&format!(
            "{name:<width$}  {:<10}  {:<9}  {over}\n",
            text(&v["configuredLevel"]),
            text(&v["effectiveLevel"]),
        ));
    }
    s
}

fn loggers_table(v: &Value) -> String {
    let rows: Vec<(String, Value)> = v["loggers"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    table(&rows)
}

fn status_text(v: &Value) -> String {
    let r = &v["reload"];
    let mut s = String::new();
    if r.is_null() {
        s.push_str("config: not watched\n");
    } else {
        s.push_str(&format!("config: {}\n", text(&r["file"])));
        s.push_str(&format!("reloads: {}\n", text(&r["reloads"])));
        s.push_str(&format!("last error: {}\n", text(&r["lastError"])));
        s.push_str(&format!(
            "last control change: {}\n",
            text(&r["lastControlChange"])
        ));
    }
    s.push_str("overrides:");
    match v["overrides"].as_object() {
        Some(m) if !m.is_empty() => {
            s.push('\n');
            for (name, o) in m {
                let left = if o["remaining"].is_null() {
                    "until reset".to_owned()
                } else {
                    format!("{} left", text(&o["remaining"]))
                };
                s.push_str(&format!("  {name}: {} ({left})\n", text(&o["level"])));
            }
        }
        _ => s.push_str(" none\n"),
    }
    let handlers = v["handlers"].as_object().cloned().unwrap_or_default();
    let width = handlers
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    s.push_str(&format!(
        "{:<width$}  {:>10}  {:>8}  {:>8}  {:>7}\n",
        "HANDLER", "EMITTED", "DROPPED", "FAILED", "QUEUED"
    ));
    for (name, h) in &handlers {
        s.push_str(&format!(
            "{name:<width$}  {:>10}  {:>8}  {:>8}  {:>7}\n",
            text(&h["emitted"]),
            text(&h["dropped"]),
            text(&h["failed"]),
            text(&h["queued"])
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_names_for_paths() {
        assert_eq!(super::encode("my app::db/x"), "my%20app%3A%3Adb%2Fx");
        assert_eq!(super::encode("a.b-c_d"), "a.b-c_d");
    }
}
