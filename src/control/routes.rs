//! The endpoints: Spring Boot actuator's `/loggers` shape, `/status`,
//! `/reload`, and the page. Each answers bad input with a JSON error and the
//! right status, and changes nothing then.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::http::{Request, Response, percent_decode, printable};
use super::{Context, Settings};
use crate::config::{Level, format_duration, parse_duration};
use crate::graph::seen;
use crate::runtime::inspect;

/// Levels as the endpoint lists them, most quiet first (Spring's order).
const LEVELS: [&str; 7] = [
    "OFF", "CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG", "TRACE",
];

/// Longest override `ttl`.
pub(crate) const MAX_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// Longest logger name in a path.
const MAX_NAME: usize = seen::MAX_TARGET;

/// Answers `request` from `who`.
pub(crate) fn handle(ctx: &Context, settings: &Settings, request: &Request, who: &str) -> Response {
    // Spring Boot's tools address the same endpoints under `/actuator`.
    let path = request.path.as_str();
    let path = path
        .strip_prefix("/actuator")
        .filter(|p| p.starts_with("/loggers"))
        .unwrap_or(path);
    // HEAD is answered as GET; the body is left out when it is sent.
    let method = match request.method.as_str() {
        "HEAD" => "GET",
        m => m,
    };
    if path == "/" || path == "/index.html" {
        return match method {
            "GET" => Response {
                status: 200,
                content_type: "text/html; charset=utf-8",
                body: super::page::PAGE.as_bytes().to_vec(),
            },
            _ => not_allowed("GET"),
        };
    }
    let known = path == "/loggers"
        || path == "/status"
        || path == "/reload"
        || path == "/actuator"
        || path == "/actuator/"
        || path.starts_with("/loggers/");
    if !known {
        return Response::error(404, &format!("no such endpoint `{}`", printable(path)));
    }
    let authorized = settings
        .token
        .as_ref()
        .is_none_or(|token| super::auth::token_matches(request.authorization.as_deref(), token));
    if !authorized {
        return Response::error(
            401,
            "a valid token is required: send `Authorization: Bearer <token>`",
        );
    }
    match (method, path) {
        ("GET", "/actuator" | "/actuator/") => Response::json(200, &index(request)),
        (_, "/actuator" | "/actuator/") => not_allowed("GET"),
        ("GET", "/loggers") => Response::json(200, &loggers(ctx)),
        (_, "/loggers") => not_allowed("GET"),
        ("GET", "/status") => Response::json(200, &status(ctx)),
        (_, "/status") => not_allowed("GET"),
        ("POST", "/reload") => reload(ctx, who),
        (_, "/reload") => not_allowed("POST"),
        (m, p) => {
            let raw = p.trim_start_matches("/loggers/");
            let Some(name) = percent_decode(raw).filter(|n| valid_name(n)) else {
                return Response::error(
                    400,
                    &format!(
                        "invalid logger name `{}`: at most {MAX_NAME} bytes, printable, percent-encoded, with a segment (`ROOT` for the root)",
                        printable(raw)
                    ),
                );
            };
            match m {
                "GET" => Response::json(200, &logger(ctx, &name)),
                "POST" => set(ctx, &name, &request.body, who),
                _ => not_allowed("GET, POST"),
            }
        }
    }
}

/// The actuator index, where Spring Boot Admin and other actuator clients
/// look for the endpoints an application has: its `_links`, absolute as
/// Spring writes them when the request names its host, else relative.
fn index(request: &Request) -> Value {
    // A host fit for a URL; anything else gets relative links.
    let base = request
        .host
        .as_deref()
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
        })
        .map(|h| format!("http://{h}"))
        .unwrap_or_default();
    let link = |path: &str, templated: bool| json!({ "href": format!("{base}/actuator{path}"), "templated": templated });
    json!({ "_links": {
        "self": link("", false),
        "loggers": link("/loggers", false),
        "loggers-name": link("/loggers/{name}", true),
    } })
}

fn not_allowed(allowed: &str) -> Response {
    Response::error(405, &format!("method not allowed here; use {allowed}"))
}

/// A name the endpoint takes: printable, bounded, and with a segment (`..`
/// and `::` would reach the root under a name the audit line does not show
/// as the root's; `ROOT` names it).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && !name.chars().any(char::is_control)
        && (is_root(name) || !inspect::normal(name).is_empty())
}

/// `ROOT` (Spring) and `root` name the root logger.
fn is_root(name: &str) -> bool {
    name.eq_ignore_ascii_case("root")
}

fn filter_name(l: log::LevelFilter) -> &'static str {
    match l {
        log::LevelFilter::Off => "OFF",
        log::LevelFilter::Error => "ERROR",
        log::LevelFilter::Warn => "WARNING",
        log::LevelFilter::Info => "INFO",
        log::LevelFilter::Debug => "DEBUG",
        log::LevelFilter::Trace => "TRACE",
    }
}

/// `{configuredLevel, effectiveLevel}` of one logger; the configured level
/// is the override's if one is in force, else the file's.
fn entry(ctx: &Context, name: &str, overrides: &[inspect::OverrideView]) -> Value {
    let key = if is_root(name) {
        String::new()
    } else {
        inspect::normal(name)
    };
    let graph = ctx.dispatcher.graph();
    let file = if key.is_empty() {
        graph.config.root.level
    } else {
        graph
            .config
            .loggers
            .iter()
            .find(|(k, _)| inspect::normal(k) == key)
            .and_then(|(_, l)| l.level)
    };
    drop(graph);
    let o = overrides.iter().find(|o| o.name == key);
    let configured = o.map(|o| o.level).or(file).filter(|l| *l != Level::NotSet);
    let effective = if key.is_empty() {
        ctx.dispatcher.graph().loggers[0].level
    } else {
        ctx.dispatcher.effective_level(name)
    };
    let mut v = json!({
        "configuredLevel": configured.map(Level::as_str),
        "effectiveLevel": filter_name(effective),
    });
    if let Some(o) = o {
        v["override"] = override_json(o);
    }
    v
}

fn override_json(o: &inspect::OverrideView) -> Value {
    json!({
        "level": o.level.as_str(),
        // Whole seconds, rounded up: "14m59s", not nanoseconds.
        "remaining": o.remaining.map(|r| format_duration(Duration::from_secs(r.as_secs() + u64::from(r.subsec_nanos() > 0)))),
        "remainingMs": o.remaining.map(|r| r.as_millis() as u64),
    })
}

fn loggers(ctx: &Context) -> Value {
    let overrides = ctx.dispatcher.overrides();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let config = ctx
        .dispatcher
        .graph()
        .config
        .loggers
        .keys()
        .cloned()
        .collect::<Vec<_>>();
    let extra = overrides.iter().map(|o| o.name.clone());
    for name in config.into_iter().chain(extra).chain(seen::seen()) {
        let key = inspect::normal(&name);
        if !key.is_empty() {
            names.entry(key).or_insert(name);
        }
    }
    let mut out = serde_json::Map::new();
    out.insert("ROOT".into(), entry(ctx, "root", &overrides));
    for name in names.values() {
        out.insert(name.clone(), entry(ctx, name, &overrides));
    }
    // Spring's shape has logger groups; logfig has none.
    json!({ "levels": LEVELS, "loggers": out, "groups": {} })
}

fn logger(ctx: &Context, name: &str) -> Value {
    entry(ctx, name, &ctx.dispatcher.overrides())
}

/// `POST /loggers/{name}` with `{"configuredLevel": "DEBUG" | null, "ttl": "15m"}`.
fn set(ctx: &Context, name: &str, body: &[u8], who: &str) -> Response {
    let parsed: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Response::error(400, &format!("the body is not JSON: {e}")),
    };
    let Some(fields) = parsed.as_object() else {
        return Response::error(
            400,
            "the body must be a JSON object such as {\"configuredLevel\": \"DEBUG\"}",
        );
    };
    if let Some(k) = fields
        .keys()
        .find(|k| *k != "configuredLevel" && *k != "ttl")
    {
        return Response::error(
            400,
            &format!(
                "unknown field `{}`; expected `configuredLevel` and optionally `ttl`",
                printable(k)
            ),
        );
    }
    let level = match fields.get("configuredLevel") {
        None => {
            return Response::error(
                400,
                "missing field `configuredLevel` (a level, or null to clear the override)",
            );
        }
        Some(Value::Null) => None,
        Some(Value::String(s)) => match s.parse::<Level>() {
            Ok(Level::NotSet) => None,
            Ok(l) => Some(l),
            Err(e) => return Response::error(400, &format!("configuredLevel: {}", printable(&e))),
        },
        Some(_) => return Response::error(400, "configuredLevel: expected a level name or null"),
    };
    let ttl = match fields.get("ttl") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match parse_duration(s) {
            Ok(d) if d.is_zero() || d > MAX_TTL => {
                return Response::error(
                    400,
                    &format!(
                        "ttl: must be longer than 0 and at most {}",
                        format_duration(MAX_TTL)
                    ),
                );
            }
            Ok(d) => Some(d),
            Err(e) => return Response::error(400, &format!("ttl: {}", printable(&e))),
        },
        Some(_) => return Response::error(400, "ttl: expected a duration such as \"15m\""),
    };
    if level.is_none() && ttl.is_some() {
        return Response::error(400, "ttl: only an override (a level) can have a ttl");
    }
    let target = if is_root(name) { "root" } else { name };
    let result = match level {
        Some(l) => ctx.dispatcher.set_level(target, l, ttl),
        None => ctx.dispatcher.clear_level(target),
    };
    if let Err(e) = result {
        return Response::error(409, &e.to_string());
    }
    let what = match (level, ttl) {
        (Some(l), Some(t)) => format!("set `{target}` to {l} for {}", format_duration(t)),
        (Some(l), None) => format!("set `{target}` to {l} until cleared"),
        (None, _) => format!("cleared the override of `{target}`"),
    };
    ctx.audit(who, &what);
    Response::empty(204)
}

fn reload(ctx: &Context, who: &str) -> Response {
    let Some(link) = &ctx.link else {
        return Response::error(
            409,
            "no config file is watched, so there is nothing to reload",
        );
    };
    ctx.audit(who, "asked for a reload");
    match link.reload_now() {
        Ok(()) => Response::json(
            200,
            &json!({ "reloaded": true, "status": reload_json(ctx) }),
        ),
        Err(e) => Response::json(
            422,
            &json!({ "error": e.to_string(), "status": 422, "reload": reload_json(ctx) }),
        ),
    }
}

fn reload_json(ctx: &Context) -> Value {
    let Some(link) = &ctx.link else {
        return Value::Null;
    };
    let s = link.status();
    let diagnostics: Vec<Value> = s
        .diagnostics()
        .iter()
        .map(|d| {
            json!({
                "file": d.file().map(|f| f.display().to_string()),
                "line": d.line(),
                "column": d.column(),
                "path": d.path(),
                "message": d.message(),
            })
        })
        .collect();
    let since = |t: std::time::SystemTime| {
        t.duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .ok()
    };
    json!({
        "file": ctx.file.as_ref().map(|f| f.display().to_string()),
        "reloads": s.reloads(),
        "lastAttempt": s.last_attempt().and_then(since),
        "lastApplied": s.last_applied().and_then(since),
        "lastError": s.last_error(),
        "diagnostics": diagnostics,
        "lastControlChange": s.last_control_change(),
    })
}

fn status(ctx: &Context) -> Value {
    let overrides: BTreeMap<String, Value> = ctx
        .dispatcher
        .overrides()
        .iter()
        .map(|o| {
            let name = if o.name.is_empty() {
                "ROOT".to_owned()
            } else {
                o.name.clone()
            };
            (name, override_json(o))
        })
        .collect();
    let handlers: BTreeMap<String, Value> = ctx
        .dispatcher
        .stats()
        .into_iter()
        .map(|(name, s)| {
            (
                name,
                json!({
                    "emitted": s.emitted, "dropped": s.dropped, "failed": s.failed,
                    "retried": s.retried, "queued": s.queued, "queuedBytes": s.queued_bytes,
                    "oversized": s.oversized,
                }),
            )
        })
        .collect();
    json!({ "reload": reload_json(ctx), "overrides": overrides, "handlers": handlers })
}
