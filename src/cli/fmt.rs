//! `logfig fmt FILE --to yaml|toml|json`: the config in another format.

use std::path::Path;

use serde_json::{Value, json};

use super::{FmtFormat, load};

/// Escapes `${` as `$${` in every string, so the loader reads the text back
/// as written (the loaded config holds expanded values and literal `${`),
/// except in `$`-style formats, which the loader never expands.
fn escape_env(v: &mut Value, path: &[&str]) {
    match v {
        Value::String(s) => *s = s.replace("${", "$${"),
        Value::Array(items) => items.iter_mut().for_each(|i| escape_env(i, path)),
        Value::Object(map) => {
            let dollar_format = path.len() == 2
                && path[0] == "formatters"
                && map.get("style").is_some_and(|s| s == "$");
            for (k, child) in map.iter_mut() {
                if dollar_format && k == "format" {
                    continue;
                }
                let mut p = path.to_vec();
                p.push(k);
                escape_env(child, &p);
            }
        }
        _ => {}
    }
}

/// The converted text, and a note for stderr when secrets were written as
/// `***`.
pub(super) fn fmt(
    file: &Path,
    to: FmtFormat,
    show_secrets: bool,
) -> Result<(String, String), (String, u8)> {
    let config = load(file)?;
    // Python's `str` stream has no spelling in logfig's form (a console
    // handler writes to stdout or stderr): say so rather than guess one.
    for (name, handler) in &config.handlers {
        let python_string = matches!(handler, crate::config::HandlerConfig::Console(c)
            if c.stream == crate::config::Stream::PythonString);
        if python_string {
            return Err((
                format!(
                    "handler `{name}`: its `stream:` is a plain string, not a stream (every record fails in CPython), which logfig's form cannot write; write `stream: ext://sys.stdout` or `ext://sys.stderr` in {} first",
                    file.display()
                ),
                1,
            ));
        }
    }
    let (value, masked) = crate::load::written(&config, show_secrets);
    let mut value = value.map_err(|e| (e, 1))?;
    if config.incremental {
        // The levels of an incremental config's handlers live apart.
        let levels: serde_json::Map<String, Value> = config
            .handler_levels
            .iter()
            .map(|(name, level)| {
                let body = match level {
                    Some(l) => json!({ "level": l.as_str() }),
                    None => json!({}),
                };
                (name.clone(), body)
            })
            .collect();
        value["handlers"] = Value::Object(levels);
    }
    escape_env(&mut value, &[]);
    let text = match to {
        FmtFormat::Json => serde_json::to_string_pretty(&value).map_err(|e| (e.to_string(), 1))?,
        #[cfg(feature = "yaml")]
        FmtFormat::Yaml => super::yaml_out::to_string(&value),
        #[cfg(feature = "toml")]
        FmtFormat::Toml => toml::to_string_pretty(&value).map_err(|e| (e.to_string(), 1))?,
        #[allow(unreachable_patterns)] // reason: reachable only with a format feature off
        other => {
            let name = format!("{other:?}").to_ascii_lowercase();
            return Err((
                format!("writing {name} needs the `{name}` feature of logfig"),
                2,
            ));
        }
    };
    let text = if text.ends_with('\n') {
        text
    } else {
        text + "\n"
    };
    let note = if masked > 0 {
        format!(
            "note: {} written as `***`; pass --show-secrets to write them",
            if masked == 1 {
                "1 secret is".to_owned()
            } else {
                format!("{masked} secrets are")
            }
        )
    } else {
        String::new()
    };
    Ok((text, note))
}
