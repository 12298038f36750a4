//! The JSON Schema of the config file, generated from the config types.
//!
//! The types in [`crate::config`] are the one source of truth: their doc
//! comments become the schema's `description`s. What the derive cannot know
//! about the hand-written loader (`crate::load`) is patched in here, in one
//! place, so that the schema accepts exactly what the loader accepts as far as
//! a schema can say it:
//!
//! - descriptions keep the doc comment's prose, never its `# Examples` code;
//! - levels are case-insensitive names, the aliases `WARN` and `FATAL`, or
//!   Python's numbers; sizes and durations are patterns of what the loader
//!   parses;
//! - `${VAR}` references are strings, expanded before values are typed, so a
//!   boolean, a number, a level, a size or a duration may be written as one;
//! - `null` is accepted where the loader reads it as empty (sections, lists,
//!   maps) and refused for optional values (the loader refuses it);
//! - `type` is optional for pattern formatters and for filters with a `name`;
//! - unknown keys are refused everywhere but in `custom` handler `options`
//!   and in `handlers.<name>` of an `incremental: true` config.
//!
//! `tests/integration/load/schema_instances.rs` holds this to the loader: it
//! generates instances of every property (examples, defaults, bounds, zero,
//! blank, wrong types, every spelling of sizes and durations) and loads each;
//! both must give the same verdict. The committed
//! `schemas/logfig.schema.json` is checked against this output by a test;
//! `logfig schema > schemas/logfig.schema.json` regenerates it.

use serde_json::{Map, Value, json};

use crate::config::fields::{self, Field, Kind};
use crate::formatters::Attr;

/// Where the committed schema is published.
const SCHEMA_ID: &str = "https://github.com/logfig/logfig/schemas/logfig.schema.json";

/// A string holding a `${VAR}` reference (`$${` is a literal `${`, so it is
/// excluded when it stands alone).
const ENV_PATTERN: &str = r"(^|[^$])(\$\$)*\$\{";

/// The JSON Schema (draft-07, as yaml-language-server expects) of a logfig
/// config file.
///
/// Point an editor at the committed copy, `schemas/logfig.schema.json`, to get
/// completion, hover documentation and validation while writing a config.
///
/// # Examples
///
/// ```
/// let schema = logfig::schema();
/// assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
/// assert!(schema["properties"]["handlers"].is_object());
/// // Descriptions are the fields' doc comments, without rustdoc examples.
/// let level = &schema["definitions"]["Level"]["description"];
/// assert!(!level.as_str().unwrap_or_default().contains("# Examples"));
/// ```
pub fn schema() -> serde_json::Value {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<crate::config::Config>();
    let mut value = schema.to_value();
    walk(&mut value, &mut |s| {
        clean_description(s);
        drop_null(s);
        bound_unsigned(s);
        allow_env_in_scalars(s);
    });
    patch(&mut value);
    value
}

/// Calls `f` on every schema object inside `v` (not inside `default`,
/// `examples`, `const` or `enum`, which hold instances), children first.
fn walk(v: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    match v {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if !matches!(key.as_str(), "default" | "examples" | "const" | "enum") {
                    walk(child, f);
                }
            }
            f(map);
        }
        Value::Array(items) => items.iter_mut().for_each(|i| walk(i, f)),
        _ => {}
    }
}

/// Keeps the prose of a doc comment: cuts at the first rustdoc heading
/// (`# Examples`) and joins the lines of each paragraph, which editors
/// would otherwise show with the source's hard line breaks.
fn clean_description(s: &mut Map<String, Value>) {
    let Some(Value::String(d)) = s.get_mut("description") else {
        return;
    };
    let prose = match d.find("\n\n# ") {
        Some(i) => &d[..i],
        None => d.as_str(),
    };
    let joined = prose
        .trim()
        .split("\n\n")
        .map(|p| p.lines().map(str::trim).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n");
    *d = joined;
}

/// `Option<T>` fields come out as "T or null", but the loader refuses an
/// explicit null for them: an unset key is how a config leaves them out.
fn drop_null(s: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = s.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            s.insert("type".into(), only);
        }
    }
    let Some(Value::Array(options)) = s.get("anyOf") else {
        return;
    };
    let is_null = |o: &Value| o.get("type").is_some_and(|t| t == "null");
    if options.len() == 2 && options.iter().any(is_null) {
        let kept: Vec<Value> = options.iter().filter(|o| !is_null(o)).cloned().collect();
        s.remove("anyOf");
        // A `$ref` with sibling keys is ignored in draft-07: wrap it.
        s.insert("allOf".into(), Value::Array(kept));
    }
}

/// An unsigned field refuses what does not fit its Rust type, as the loader
/// does: schemars writes the width as a `format` only.
fn bound_unsigned(s: &mut Map<String, Value>) {
    let max = match s.get("format").and_then(Value::as_str) {
        Some("uint8") => u64::from(u8::MAX),
        Some("uint16") => u64::from(u16::MAX),
        Some("uint32") => u64::from(u32::MAX),
        _ => return,
    };
    s.entry("maximum").or_insert_with(|| max.into());
}

/// Booleans and integers may be written as a `${VAR}` string: the loader
/// expands every string before it types values. (YAML 1.1's `yes`/`no`, which
/// the loader also takes from YAML files, are left out: the schema serves every
/// format, and TOML and JSON refuse them.)
fn allow_env_in_scalars(s: &mut Map<String, Value>) {
    if s.contains_key("const") {
        return;
    }
    let scalar = match s.get("type").and_then(Value::as_str) {
        Some(t @ ("boolean" | "integer" | "number")) => t.to_owned(),
        _ => return,
    };
    s.insert("type".into(), json!([scalar, "string"]));
    s.insert("pattern".into(), ENV_PATTERN.into());
}

/// A case-insensitive regex for `word`, as character classes: JSON Schema
/// patterns are ECMA 262 regexes, which have no inline `(?i)` flag.
fn ci(word: &str) -> String {
    word.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())
            } else if r"\.+*?()|[]{}^$".contains(c) {
                // A choice may be punctuation (a pattern's `style: {`).
                format!(r"\{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn ci_alternatives(words: &[&str]) -> String {
    words.iter().map(|w| ci(w)).collect::<Vec<_>>().join("|")
}

/// `^\s*(body)\s*$` or a `${VAR}` reference.
fn trimmed_or_env(body: &str) -> String {
    format!(r"^\s*({body})\s*$|{ENV_PATTERN}")
}

fn level_schema(generated: &Value) -> Value {
    let mut names: Vec<Value> = generated["oneOf"].as_array().cloned().unwrap_or_default();
    names.push(json!({ "const": "WARN", "type": "string", "description": "Alias of WARNING." }));
    names.push(json!({ "const": "FATAL", "type": "string", "description": "Alias of CRITICAL." }));
    let words = [
        "NOTSET", "TRACE", "DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL", "OFF",
    ];
    let mut any = names;
    any.push(json!({
        "type": "string",
        "description": "A level name in any case, a Python level number as text, or a `${VAR}` reference.",
        "pattern": trimmed_or_env(&format!("[+-]?[0-9]+|{}", ci_alternatives(&words))),
    }));
    any.push(json!({
        "type": "integer",
        "description": "A Python level number: 5 TRACE, 10 DEBUG, 20 INFO, 30 WARNING, 40 ERROR, 50 CRITICAL, 0 NOTSET; a number between two levels means the next level up.",
    }));
    json!({
        "description": generated["description"],
        "anyOf": any,
        "examples": ["INFO", "debug", "WARN", 20],
    })
}

fn size_schema() -> Value {
    let units = [
        "B", "kB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "K", "M", "G", "T",
    ];
    json!({
        "description": "A size in bytes: a number, or a number with a unit, case-insensitive (kB, MB, GB, TB: powers of 1000; KiB, MiB, GiB, TiB or K, M, G, T: powers of 1024).",
        "anyOf": [
            { "type": "integer", "minimum": 0 },
            {
                "type": "string",
                "pattern": trimmed_or_env(&format!(
                    r"{NUMBER}\s*({})?",
                    ci_alternatives(&units)
                )),
            }
        ],
        "examples": ["10MiB", "512kB", "64KiB", 8192],
    })
}

/// A zero size in any spelling (`0`, `"0"`, `"0.0 KiB"`).
fn zero_size() -> Value {
    json!({
        "anyOf": [
            { "const": 0 },
            { "type": "string", "pattern": r"^\s*(0+\.?0*|\.0+)\s*[A-Za-z]*\s*$" }
        ]
    })
}

/// A size property the loader refuses at zero.
fn positive_size(description: &Value, default: Option<&Value>) -> Value {
    let mut s = json!({
        "description": description,
        "allOf": [{ "$ref": "#/definitions/Size" }],
        "not": zero_size(),
    });
    if let Some(d) = default {
        s["default"] = d.clone();
    }
    s
}

/// The number of a duration or a size: digits with an optional fraction.
const NUMBER: &str = r"([0-9]+\.?[0-9]*|\.[0-9]+)";

/// A duration property that must be longer than zero: numbers with units,
/// not all zero.
fn positive_duration_schema(description: &Value, default: Option<&Value>) -> Value {
    let mut s = duration_schema(description, default);
    s["type"] = "string".into();
    if let Some(obj) = s.as_object_mut() {
        obj.remove("minimum");
        obj.remove("maximum");
    }
    // No digit but zeros (and no `${`): zero, or blank.
    s["not"] = json!({ "type": "string", "pattern": r"^[^1-9$]*$" });
    s
}

/// A duration property: `0` or numbers with units (`250ms`, `1h30m`,
/// `30 seconds`), by the loader's own unit table.
fn duration_schema(description: &Value, default: Option<&Value>) -> Value {
    let body = crate::config::duration_pattern(NUMBER, &|w| ci(w));
    let mut s = json!({
        "description": description,
        "type": ["string", "integer"],
        "pattern": trimmed_or_env(&body),
        // Every part of the pattern is optional: blank text is refused here.
        "not": { "type": "string", "pattern": r"^\s*$" },
        "minimum": 0,
        "maximum": 0,
        "examples": ["250ms", "2s", "5m", "1h30m"],
    });
    if let Some(d) = default {
        s["default"] = d.clone();
    }
    s
}

/// The schema of a field declared in `config::fields`, keeping the
/// description (the doc comment) and the default the derive found.
fn field_schema(field: Field, old: &Value) -> Value {
    let description = &old["description"];
    let default = old.get("default");
    let mut s = match field.kind {
        Kind::Duration { positive: true, .. } => positive_duration_schema(description, default),
        Kind::Duration {
            positive: false, ..
        } => duration_schema(description, default),
        Kind::Size { min, max, .. } => {
            let mut s = positive_size(description, default);
            s["minimum"] = min.into();
            if max < u64::MAX {
                s["maximum"] = max.into();
            }
            s
        }
        Kind::Count { min, max } => json!({
            "description": description,
            "type": ["integer", "string"],
            "pattern": ENV_PATTERN,
            "minimum": min,
            "maximum": max,
        }),
        Kind::Choice { names, .. } => {
            // The derived enum keeps each value's description for editors;
            // the pattern adds the other cases the loader takes (it lowers
            // the case, and trims nothing).
            let mut derived = old.clone();
            if let Some(obj) = derived.as_object_mut() {
                obj.remove("description");
                obj.remove("default");
            }
            // `Option`'s `allOf` wrapper (see `drop_null`) is not needed
            // inside `anyOf`.
            if let Some([only]) = derived
                .get("allOf")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                derived = only.clone();
            }
            json!({
                "description": description,
                "anyOf": [
                    derived,
                    {
                        "type": "string",
                        "pattern": format!("^({})$|{ENV_PATTERN}", ci_alternatives(names)),
                    }
                ],
            })
        }
        // The derive's own shape (with `${VAR}` strings allowed) is exact.
        Kind::Bool | Kind::Level => old.clone(),
        Kind::Text { pattern, non_empty } => {
            let mut s = old.clone();
            if let Some(p) = pattern {
                s["pattern"] = format!("{p}|{ENV_PATTERN}").into();
            }
            if non_empty {
                s["minLength"] = 1.into();
            }
            s
        }
        Kind::Permissions => json!({
            "description": description,
            "type": ["string", "integer"],
            "pattern": trimmed_or_env(r"(0o)?0*[0-7]{1,4}"),
            "minimum": 0,
            "maximum": 0o7777,
        }),
        Kind::Token { max, forbidden, .. } => {
            let mut s = old.clone();
            s["pattern"] = format!(
                "^[{}]{{1,{max}}}$|{ENV_PATTERN}",
                printable_except(forbidden)
            )
            .into();
            s
        }
    };
    if let Some(d) = default {
        s["default"] = d.clone();
    }
    let example = match field.kind {
        Kind::Count { .. } | Kind::Size { .. } => field
            .example
            .parse::<u64>()
            .map_or_else(|_| field.example.into(), Value::from),
        Kind::Bool => field
            .example
            .parse::<bool>()
            .map_or(Value::Null, Value::from),
        _ => field.example.into(),
    };
    s["examples"] = json!([example]);
    s
}

/// A regex character class of printable ASCII (`!` to `~`) without
/// `forbidden`, in `\xHH` escapes (the same in ECMA 262 and Rust regexes).
fn printable_except(forbidden: &[u8]) -> String {
    let mut class = String::new();
    let mut run: Option<(u8, u8)> = None;
    let close = |class: &mut String, (a, b): (u8, u8)| {
        if a == b {
            class.push_str(&format!(r"\x{a:02x}"));
        } else {
            class.push_str(&format!(r"\x{a:02x}-\x{b:02x}"));
        }
    };
    for b in b'!'..=b'~' {
        if forbidden.contains(&b) {
            if let Some(r) = run.take() {
                close(&mut class, r);
            }
        } else {
            run = Some(run.map_or((b, b), |(a, _)| (a, b)));
        }
    }
    if let Some(r) = run {
        close(&mut class, r);
    }
    class
}

/// Makes a property also accept `null`, which the loader reads as empty.
fn nullable(prop: &mut Value) {
    match prop.get("type").cloned() {
        Some(Value::String(t)) => prop["type"] = json!([t, "null"]),
        Some(Value::Array(mut types)) => {
            if !types.iter().any(|t| t == "null") {
                types.push("null".into());
            }
            prop["type"] = Value::Array(types);
        }
        _ => {
            if let Some(obj) = prop.as_object_mut() {
                let inner = obj
                    .remove("allOf")
                    .and_then(|a| a.as_array().and_then(|a| a.first().cloned()));
                let inner = inner.or_else(|| obj.remove("$ref").map(|r| json!({ "$ref": r })));
                if let Some(inner) = inner {
                    obj.insert("anyOf".into(), json!([inner, { "type": "null" }]));
                }
            }
        }
    }
}

/// The loader's own rules, which the derive cannot see.
fn patch(root: &mut Value) {
    // Top level.
    root["title"] = "logfig config".into();
    root["$id"] = SCHEMA_ID.into();
    let props = &mut root["properties"];
    props["$schema"] = json!({
        "type": "string",
        "description": "The JSON Schema of this file, for editors (`\"$schema\": \"./logfig.schema.json\"` in JSON). Ignored by logfig.",
    });
    props["version"] = json!({
        "description": props["version"]["description"],
        "type": ["integer", "string"],
        "minimum": 1,
        "maximum": 1,
        "pattern": ENV_PATTERN,
        "examples": [1],
    });
    for section in ["formatters", "filters", "handlers", "loggers"] {
        nullable(&mut props[section]);
    }
    for section in ["root", "reload", "env_filter"] {
        nullable(&mut props[section]);
    }
    // A logger name needs a segment: `""` and `::` would name the root.
    props["loggers"]["propertyNames"] = json!({ "pattern": "[^.:]" });
    props["loggers"]["additionalProperties"] = json!({
        "anyOf": [{ "$ref": "#/definitions/LoggerConfig" }, { "type": "null" }]
    });
    props["formatters"]["additionalProperties"] = json!({
        "anyOf": [{ "$ref": "#/definitions/FormatterConfig" }, { "type": "null" }]
    });
    props["loggers"]["examples"] = json!([{
        "myapp::db": { "level": "DEBUG", "handlers": ["app"], "propagate": false },
        "hyper": { "level": "WARNING" }
    }]);
    props["handlers"]["examples"] = json!([{
        "console": { "type": "console", "stream": "stderr", "level": "INFO", "formatter": "plain" },
        "app": { "type": "file", "path": "${LOG_DIR:-./logs}/app.log", "formatter": "machine" }
    }]);
    props["formatters"]["examples"] = json!([{
        "plain": { "format": "%(asctime)s %(levelname)-8s %(name)s: %(message)s" },
        "machine": { "type": "json" }
    }]);
    props["filters"]["examples"] = json!([{
        "no_health": { "type": "regex", "pattern": "GET /health", "action": "deny" },
        "web_only": { "name": "myapp.web" }
    }]);
    props["root"]["examples"] = json!([{ "level": "INFO", "handlers": ["console"] }]);
    // `handlers.<name>` of an incremental config carries only a level (Python's
    // rule); other keys are ignored there, so only the full form is checked.
    props["handlers"]["additionalProperties"] = json!({ "type": ["object", "null"] });
    root["if"] = json!({
        "properties": { "incremental": { "const": true } },
        "required": ["incremental"],
    });
    root["then"] = json!({
        "properties": { "handlers": { "additionalProperties": {
            "type": ["object", "null"],
            "description": "With `incremental: true`, only a handler's level is read.",
            "properties": { "level": { "$ref": "#/definitions/Level" } },
        } } }
    });
    root["else"] = json!({
        "properties": { "handlers": { "additionalProperties": {
            "$ref": "#/definitions/HandlerConfig"
        } } }
    });
    root["examples"] = json!([{
        "version": 1,
        "formatters": {
            "plain": { "format": "%(asctime)s %(levelname)-8s %(name)s: %(message)s" }
        },
        "handlers": {
            "console": { "type": "console", "stream": "stderr", "formatter": "plain" }
        },
        "loggers": { "myapp::db": { "level": "DEBUG" } },
        "root": { "level": "INFO", "handlers": ["console"] }
    }]);

    let defs = &mut root["definitions"];
    defs["Level"] = level_schema(&defs["Level"]);
    defs["Size"] = size_schema();

    let reload = &mut defs["ReloadConfig"]["properties"];
    for field in fields::RELOAD {
        reload[field.name] = field_schema(*field, &reload[field.name]);
    }
    // Optional (no default), so not on the table.
    let old = reload["poll_interval"].take();
    reload["poll_interval"] = duration_schema(&old["description"], old.get("default"));

    // Lists of names: a single name is a list of one; empty means none.
    // String maps: empty is none.
    walk(defs, &mut |s| {
        let Some(Value::Object(props)) = s.get_mut("properties") else {
            return;
        };
        for prop in props.values_mut() {
            let is_list = prop.get("type").is_some_and(|t| t == "array");
            let is_map = prop.get("type").is_some_and(|t| t == "object")
                && prop["additionalProperties"]
                    .get("type")
                    .is_some_and(|t| t == "string");
            if is_list {
                prop["type"] = json!(["array", "string", "null"]);
            } else if is_map {
                nullable(prop);
            }
        }
    });

    for variant in defs["HandlerConfig"]["oneOf"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        let props = &mut variant["properties"];
        if props.get("path").is_some() {
            props["path"]["examples"] = json!(["${LOG_DIR:-./logs}/app.log", "/var/log/myapp.log"]);
            props["path"]["minLength"] = 1.into();
        }
        if variant["properties"]["type"]["const"] == "queue" {
            let props = &mut variant["properties"];
            props["handlers"]["type"] = json!(["array", "string"]);
            props["handlers"]["minItems"] = 1.into();
            props["handlers"]["examples"] = json!([["file"]]);
        }
        // The fields declared in `config::fields`: kind, bounds, example.
        let kind = variant["properties"]["type"]["const"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let props = &mut variant["properties"];
        declare(props, fields::COMMON);
        for table in fields::of_handler(&kind) {
            declare(props, table);
        }
        if props.get("port").is_some() {
            props["port"]["minimum"] = 1.into();
            props["port"]["examples"] = json!([514, 5170]);
        }
        if props.get("url").is_some() {
            props["url"]["pattern"] =
                format!("^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]|{ENV_PATTERN}").into();
            props["url"]["examples"] = json!(["http://127.0.0.1:3100/loki/api/v1/push"]);
        }
        if props.get("tls").is_some() {
            // `tls: true` turns TLS on with the defaults.
            props["tls"] = json!({
                "description": props["tls"]["description"],
                "anyOf": [
                    { "type": "boolean" },
                    { "$ref": "#/definitions/TlsConfig" },
                    { "type": "null" }
                ],
                "examples": [true, { "ca_file": "/etc/ssl/private-ca.pem" }],
            });
        }
        patch_platform(variant);
        let props = &mut variant["properties"];
        if props.get("host").is_some() {
            props["host"]["pattern"] = r"\S".into();
            props["host"]["examples"] = json!(["127.0.0.1", "logs.example.com"]);
        }
        if props.get("from").is_some() {
            // An address, on one line (it becomes a mail header).
            let address = format!("^[^\r\n]*@[^\r\n]*$|{ENV_PATTERN}");
            props["from"]["pattern"] = address.clone().into();
            props["from"]["examples"] = json!(["app@example.com", "App <app@example.com>"]);
            props["to"]["items"]["pattern"] = "@".into();
            props["to"]["pattern"] = "@".into();
            props["to"]["minItems"] = 1.into();
            props["to"]["type"] = json!(["array", "string"]);
            props["to"]["examples"] = json!([["ops@example.com"]]);
        }
    }

    // Without `type`, a formatter is a pattern formatter (Python's form).
    for variant in defs["FormatterConfig"]["oneOf"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        if variant["properties"]["type"]["const"] == "pattern" {
            if let Some(obj) = variant.as_object_mut() {
                obj.remove("required");
            }
            variant["properties"]["format"]["examples"] = json!([
                "%(asctime)s %(levelname)-8s %(name)s: %(message)s",
                "{asctime} [{levelname}] {name}: {message}"
            ]);
        }
    }
    // The fields declared in `config::fields`.
    for variant in defs["FormatterConfig"]["oneOf"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        let kind = variant["properties"]["type"]["const"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        declare(&mut variant["properties"], fields::of_formatter(&kind));
    }
    // A JSON formatter's fields are record attributes, each listed once.
    for variant in defs["FormatterConfig"]["oneOf"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        if variant["properties"]["type"]["const"] == "json" {
            let names: Vec<&str> = Attr::names().collect();
            let props = &mut variant["properties"];
            props["fields"]["items"]["enum"] = json!(names);
            props["fields"]["uniqueItems"] = true.into();
            props["fields"]["type"] = json!(["array", "null"]);
            props["rename"]["propertyNames"] = json!({ "enum": names });
        }
    }
    // Without `type`, a filter with a `name` is a name filter (Python's form).
    for variant in defs["FilterConfig"]["oneOf"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        match variant["properties"]["type"]["const"].as_str() {
            Some("name") => {
                if let Some(obj) = variant.as_object_mut() {
                    obj.remove("required");
                    obj.insert(
                        "anyOf".into(),
                        json!([{ "required": ["type"] }, { "required": ["name"] }]),
                    );
                }
                variant["properties"]["name"]["examples"] = json!(["myapp.web", "myapp::db"]);
            }
            Some("regex") => {
                variant["properties"]["pattern"]["examples"] =
                    json!(["GET /health", "(?i)password=\\S+"]);
            }
            Some("rate_limit") => {
                let props = &mut variant["properties"];
                props["rate"]["exclusiveMinimum"] = 0.into();
                props["rate"]["examples"] = json!([10, 0.5]);
            }
            _ => {}
        }
        let kind = variant["properties"]["type"]["const"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        declare(&mut variant["properties"], fields::of_filter(&kind));
    }
}

/// Writes the schema of each declared field over the derived one.
fn declare(props: &mut Value, table: &[Field]) {
    for field in table {
        if let Some(old) = props.get_mut(field.name) {
            *old = field_schema(*field, old);
        }
    }
}

/// The bounds of the `otlp` and `journald` kinds that the derive cannot see.
fn patch_platform(variant: &mut Value) {
    match variant["properties"]["type"]["const"].as_str() {
        Some("otlp") => {
            let props = &mut variant["properties"];
            props["endpoint"]["pattern"] =
                format!("^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]|{ENV_PATTERN}").into();
            props["endpoint"]["examples"] = json!(["http://localhost:4318/v1/logs"]);
            props["headers"]["maxProperties"] = crate::config::MAX_HEADERS.into();
            props["resource"]["maxProperties"] = crate::config::MAX_RESOURCE.into();
            props["resource"]["examples"] =
                json!([{ "service.name": "shop", "deployment.environment": "prod" }]);
        }
        Some("journald") => {
            let props = &mut variant["properties"];
            props["path"]["examples"] = json!(["/run/systemd/journal/socket"]);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(schema: &Value, instance: &str) -> bool {
        // A minimal check of the regexes this module writes: `pattern`, and
        // `not: { pattern }`.
        let matches = |p: &Value| {
            let pattern = p.as_str().unwrap_or("");
            regex::Regex::new(pattern).is_ok_and(|r| r.is_match(instance))
        };
        matches(&schema["pattern"]) && !schema["not"].get("pattern").is_some_and(matches)
    }

    /// Every text built from numbers, units and separators: the duration
    /// pattern matches exactly the texts the parser reads.
    #[test]
    fn duration_pattern_is_the_parser() {
        let s = schema();
        let dur = &s["definitions"]["ReloadConfig"]["properties"]["debounce"];
        let numbers = ["", "0", "1", "30", "1.5", ".5", "1.", "."];
        let units = [
            "", "s", "ms", "m", "H", "hours", "Seconds", "µs", "us", "w", "d", "x", "sec s",
        ];
        let seps = ["", " "];
        let mut tried = 0;
        for n1 in numbers {
            for u1 in units {
                for sep in seps {
                    for n2 in ["", "30", "0"] {
                        for u2 in ["", "m", "s", "h", "ms", "minutes"] {
                            let text = format!("{n1}{sep}{u1}{sep}{n2}{u2}");
                            let parsed = crate::config::parse_duration(&text).is_ok();
                            assert_eq!(check(dur, &text), parsed, "{text:?}");
                            tried += 1;
                        }
                    }
                }
            }
        }
        assert!(tried > 1000);
        let positive = &s["definitions"]["HandlerConfig"]["oneOf"]
            .as_array()
            .and_then(|v| v.iter().find(|v| v["properties"]["type"]["const"] == "tcp"))
            .cloned()
            .unwrap_or_default()["properties"]["timeout"];
        for (text, ok) in [
            ("1s", true),
            ("0s", false),
            ("0", false),
            ("0h 1ms", true),
            ("", false),
        ] {
            assert_eq!(check(positive, text), ok, "{text:?}");
        }
    }

    /// Every declared field is a property of its type, and a choice's names
    /// are the type's own values: a renamed field or value fails here.
    #[test]
    fn declared_fields_are_the_types_fields() {
        let s = schema();
        let defs = &s["definitions"];
        let mut declared: Vec<(String, &Value, Vec<Field>)> = vec![(
            "reload".into(),
            &defs["ReloadConfig"],
            fields::RELOAD.to_vec(),
        )];
        for section in ["HandlerConfig", "FormatterConfig", "FilterConfig"] {
            for variant in defs[section]["oneOf"].as_array().into_iter().flatten() {
                let kind = variant["properties"]["type"]["const"]
                    .as_str()
                    .unwrap_or_default();
                let table = match section {
                    "HandlerConfig" => fields::of_handler(kind).concat(),
                    "FormatterConfig" => fields::of_formatter(kind).to_vec(),
                    _ => fields::of_filter(kind).to_vec(),
                };
                declared.push((kind.to_owned(), variant, table));
            }
        }
        let mut checked = 0;
        for (kind, variant, table) in declared {
            for field in table {
                let prop = &variant["properties"][field.name];
                assert!(prop.is_object(), "{kind}.{} is not a property", field.name);
                if let Kind::Choice { names, .. } = field.kind {
                    let r = prop["anyOf"][0]["$ref"].as_str().unwrap_or_default();
                    let def = &defs[r.trim_start_matches("#/definitions/")];
                    let consts: Vec<String> = def["oneOf"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|c| c["const"].as_str().unwrap_or_default().to_ascii_lowercase())
                        .collect();
                    assert_eq!(consts, names, "{kind}.{}", field.name);
                }
                checked += 1;
            }
        }
        assert!(checked > 80, "{checked}");
    }

    #[test]
    fn descriptions_keep_prose_only() {
        let s = schema();
        let text = s.to_string();
        assert!(!text.contains("# Examples"), "a doc example leaked");
        assert!(!text.contains("```"), "a code block leaked");
    }

    #[test]
    fn patterns_follow_the_parsers() {
        let s = schema();
        let dur = &s["definitions"]["ReloadConfig"]["properties"]["debounce"];
        for ok in [
            "250ms",
            "2s",
            "0",
            " 7 d",
            "1.5h",
            "${X:-1s}",
            "3 Weeks",
            "1h30m",
            "30 seconds",
        ] {
            assert!(check(dur, ok), "{ok}");
            assert!(crate::config::parse_duration(ok).is_ok() || ok.contains('$'));
        }
        for bad in ["30", "2 parsecs", "ms", "$${X}", "", "  ", "30m1h"] {
            assert!(!check(dur, bad), "{bad}");
        }
        let size = &s["definitions"]["Size"]["anyOf"][1];
        for ok in ["10MiB", "512kB", "1.5K", " 7 ", "64 kib"] {
            assert!(check(size, ok), "{ok}");
            assert!(crate::config::parse_size(ok).is_ok());
        }
        for bad in ["ten", "10 parsecs", "MiB"] {
            assert!(!check(size, bad), "{bad}");
            assert!(crate::config::parse_size(bad).is_err());
        }
        let level = &s["definitions"]["Level"]["anyOf"];
        let by_pattern = level
            .as_array()
            .and_then(|a| a.iter().find(|o| o.get("pattern").is_some()))
            .cloned()
            .unwrap_or_default();
        for ok in ["warn", "Fatal", "10", "notset", " INFO "] {
            assert!(check(&by_pattern, ok), "{ok}");
            assert!(ok.parse::<crate::config::Level>().is_ok());
        }
        assert!(!check(&by_pattern, "LOUD"));
    }
}
