//! What the standard OpenTelemetry environment variables add to an `otlp`
//! config: the endpoint, headers and resource attributes. The config wins
//! where both give a value.

use std::collections::BTreeMap;

use crate::config::{
    MAX_HEADER_VALUE, MAX_HEADERS, MAX_RESOURCE, OtlpHandlerConfig, Secret, SecretUrl,
};
use crate::error::{Error, ErrorKind};

/// The default endpoint of OTLP/HTTP logs.
const DEFAULT_ENDPOINT: &str = "http://localhost:4318/v1/logs";

/// An `otlp` config with the environment applied.
pub(super) struct Resolved {
    pub(super) endpoint: SecretUrl,
    pub(super) headers: Vec<(String, Secret)>,
    /// Sorted by key.
    pub(super) resource: Vec<(String, String)>,
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::Invalid, message)
}

/// `%XX` escapes of a W3C Baggage-style value decoded; `None` when one is
/// malformed or the result is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `key1=value1,key2=value2` (OTEL_RESOURCE_ATTRIBUTES, OTEL_*_HEADERS),
/// percent-decoded and trimmed. Errors name the variable and the entry's
/// position, never its text: header values are secrets.
fn pairs(var: &str, text: &str) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    for (i, entry) in text.split(',').enumerate() {
        if entry.trim().is_empty() {
            continue;
        }
        let pair = entry
            .split_once('=')
            .and_then(|(k, v)| Some((percent_decode(k.trim())?, percent_decode(v.trim())?)));
        match pair {
            Some((k, v)) if !k.is_empty() => out.push((k, v)),
            _ => {
                return Err(invalid(format!(
                    "environment variable `{var}`: entry {} is not `key=value` (percent-encoded)",
                    i + 1
                )));
            }
        }
    }
    Ok(out)
}

/// The file name of the running program, for `unknown_service:<program>`.
fn program() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default()
}

/// Applies the environment (read through `env`) to `config`.
///
/// # Errors
///
/// An environment variable that is malformed, or bounds exceeded.
pub(super) fn resolve(
    config: &OtlpHandlerConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Resolved, Error> {
    let set = |var: &str| env(var).filter(|v| !v.trim().is_empty());
    let endpoint = match (&config.endpoint, set("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")) {
        (Some(url), _) => url.clone(),
        (None, Some(url)) => SecretUrl::new(url.trim()),
        (None, None) => match set("OTEL_EXPORTER_OTLP_ENDPOINT") {
            // The signal-less variable names the base: the path is added.
            Some(base) => SecretUrl::new(format!("{}/v1/logs", base.trim().trim_end_matches('/'))),
            None => SecretUrl::new(DEFAULT_ENDPOINT),
        },
    };
    let lower = endpoint.expose().to_ascii_lowercase();
    let host = lower
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""));
    if !(lower.starts_with("http://") || lower.starts_with("https://"))
        || host.is_none_or(str::is_empty)
    {
        return Err(invalid(
            "the OTLP endpoint (from OTEL_EXPORTER_OTLP_LOGS_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT) is not an `http://` or `https://` URL".to_owned(),
        ));
    }
    if let Some(problem) = host.and_then(crate::config::url_port_problem) {
        return Err(invalid(format!(
            "the OTLP endpoint (from OTEL_EXPORTER_OTLP_LOGS_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT): {problem}"
        )));
    }

    let mut headers: BTreeMap<String, Secret> = BTreeMap::new();
    for var in [
        "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
    ] {
        for (k, v) in pairs(var, &env(var).unwrap_or_default())? {
            let name_ok = k
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !name_ok || v.bytes().any(|b| b == b'\r' || b == b'\n') {
                return Err(invalid(format!(
                    "environment variable `{var}`: header `{}` has an invalid name or a line break in its value",
                    k.escape_debug()
                )));
            }
            if v.len() > MAX_HEADER_VALUE {
                return Err(invalid(format!(
                    "environment variable `{var}`: the value of header `{k}` is longer than {MAX_HEADER_VALUE} bytes"
                )));
            }
            // Header names are case-insensitive: the later spelling wins.
            headers.retain(|old, _| !old.eq_ignore_ascii_case(&k));
            headers.insert(k, Secret::new(v));
        }
    }
    for (k, v) in &config.headers {
        headers.retain(|old, _| !old.eq_ignore_ascii_case(k));
        headers.insert(k.clone(), v.clone());
    }
    if headers.len() > MAX_HEADERS {
        return Err(invalid(format!(
            "at most {MAX_HEADERS} headers, from the config and OTEL_EXPORTER_OTLP_HEADERS together"
        )));
    }

    let mut resource: BTreeMap<String, String> = BTreeMap::new();
    resource.insert(
        "service.name".into(),
        format!("unknown_service:{}", program()),
    );
    resource.insert("telemetry.sdk.name".into(), "logfig".into());
    resource.insert("telemetry.sdk.language".into(), "rust".into());
    resource.insert(
        "telemetry.sdk.version".into(),
        env!("CARGO_PKG_VERSION").into(),
    );
    let var = "OTEL_RESOURCE_ATTRIBUTES";
    resource.extend(pairs(var, &env(var).unwrap_or_default())?);
    if let Some(name) = set("OTEL_SERVICE_NAME") {
        resource.insert("service.name".into(), name.trim().to_owned());
    }
    resource.extend(config.resource.iter().map(|(k, v)| (k.clone(), v.clone())));
    // The four defaults above do not count against the bound.
    if resource.len() > MAX_RESOURCE + 4 {
        return Err(invalid(format!(
            "at most {MAX_RESOURCE} resource attributes, from the config and OTEL_RESOURCE_ATTRIBUTES together"
        )));
    }
    Ok(Resolved {
        endpoint,
        headers: headers.into_iter().collect(),
        resource: resource.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn config_wins_over_the_environment() {
        let mut c = OtlpHandlerConfig::default();
        c.resource
            .insert("service.name".into(), "from-config".into());
        c.headers.insert("x-team".into(), Secret::new("config"));
        let e = env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4318/"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "X-Team=env, api-key=a%3Db"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "service.name=env,deployment.environment=prod",
            ),
            ("OTEL_SERVICE_NAME", "env-name"),
        ]);
        let r = resolve(&c, &e).unwrap();
        assert_eq!(r.endpoint.expose(), "https://collector:4318/v1/logs");
        let h: BTreeMap<_, _> = r
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose()))
            .collect();
        assert_eq!(
            h,
            BTreeMap::from([("api-key", "a=b"), ("x-team", "config")])
        );
        let res: BTreeMap<_, _> = r
            .resource
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(res["service.name"], "from-config");
        assert_eq!(res["deployment.environment"], "prod");
        assert_eq!(res["telemetry.sdk.name"], "logfig");
    }

    #[test]
    fn the_logs_endpoint_is_taken_as_it_is() {
        let e = env(&[
            ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://a:1/custom"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://b:2"),
        ]);
        let r = resolve(&OtlpHandlerConfig::default(), &e).unwrap();
        assert_eq!(r.endpoint.expose(), "http://a:1/custom");
        let r = resolve(&OtlpHandlerConfig::default(), &env(&[])).unwrap();
        assert_eq!(r.endpoint.expose(), DEFAULT_ENDPOINT);
    }

    #[test]
    fn malformed_variables_are_errors_that_keep_values_secret() {
        let e = env(&[("OTEL_EXPORTER_OTLP_HEADERS", "ok=1,secret-token-no-equals")]);
        let err = resolve(&OtlpHandlerConfig::default(), &e)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("`OTEL_EXPORTER_OTLP_HEADERS`: entry 2"),
            "{err}"
        );
        assert!(!err.contains("secret-token"), "{err}");
        let e = env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://x")]);
        assert!(resolve(&OtlpHandlerConfig::default(), &e).is_err());
        for (var, url) in [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:99999"),
            (
                "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
                "http://u:pw@collector:0/v1/logs",
            ),
        ] {
            let e = env(Box::leak(Box::new([(var, url)])));
            let err = resolve(&OtlpHandlerConfig::default(), &e)
                .err()
                .unwrap()
                .to_string();
            assert!(
                err.contains("the port is out of range: expected 1 to 65535"),
                "{err}"
            );
            assert!(!err.contains("pw"), "{err}");
        }
    }
}
