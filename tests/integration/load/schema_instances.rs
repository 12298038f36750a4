//! The schema and the loader agree on every property, by generation: for each
//! handler, formatter and filter type (and `reload`, `loggers`, `root`), every
//! property of the JSON Schema is tried with its examples, its default, its
//! constants and boundary values of its type (0, -1, the minimum and maximum
//! and one past each, empty and blank strings, `null`, a wrong type, durations
//! and sizes in every spelling), inside an otherwise valid config. The schema
//! and the loader must give the same verdict on each instance: an editor that
//! follows the schema must never suggest a value the loader refuses, nor flag
//! one it takes.
//!
//! `${VAR}` references are left out: the schema accepts any of them (their
//! value is only known at load), which is the one place it is looser by
//! design. Rules that span two properties, which a schema does not express,
//! are in [`CROSS_FIELD`].

use std::collections::BTreeSet;

use logfig::{Config, Format};
use serde_json::{Map, Value, json};

/// Instances that pass the schema and fail the loader because of a rule
/// between two properties (the instance sets one, the other is at its
/// default): `(type, property, what the loader says)`, and why.
const CROSS_FIELD: &[(&str, &str, &str, &str)] = &[
    (
        "syslog",
        "tls",
        "TLS needs a stream",
        "TLS is for `transport: tcp` or `relp`; the default transport is a local socket",
    ),
    (
        "http",
        "tls",
        "TLS settings need an `https://` URL",
        "TLS settings go with an `https://` URL",
    ),
    (
        "http",
        "labels",
        "Loki needs at least one stream label",
        "labels are required by `format: loki` (the default) only",
    ),
    (
        "rotating_file",
        "numbering",
        "`numbering: shift` renames numbered plain archives",
        "`shift` needs `backups` of at least 1 (the default keeps none)",
    ),
    (
        "pattern",
        "style",
        "no placeholder such as",
        "the format string must be in the chosen style",
    ),
    (
        "pattern",
        "format",
        "no placeholder such as",
        "the format string must be in the chosen style, and hold a placeholder",
    ),
];

/// Values whose magnitude the loader bounds where a schema pattern cannot: a
/// number written with a unit (`2h`, `64KiB`) is a string, and a regex does
/// not compare numbers. The integer forms carry `minimum`/`maximum`; the
/// descriptions state the bound. `(property, what the loader says)`.
const MAGNITUDE: &[(&str, &str)] = &[
    ("close_timeout", "must be at most 1h"),
    (
        "max_datagram",
        "is out of range: a UDP datagram carries 1 to 65507 bytes",
    ),
    ("max_message", "`max_message` must be at least 480 bytes"),
    // Past 64 bits of bytes, or past 10^12 seconds.
    ("", "too large"),
    ("", "too long"),
];

fn resolve<'a>(schema: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => &schema["definitions"][r.trim_start_matches("#/definitions/")],
        None => v,
    }
}

/// Every sub-schema reachable from `v` through `$ref`, `allOf` and `anyOf`
/// (not `oneOf` of objects: a property's own alternatives only).
fn alternatives<'a>(schema: &'a Value, v: &'a Value, out: &mut Vec<&'a Value>) {
    let v = resolve(schema, v);
    out.push(v);
    for key in ["allOf", "anyOf", "oneOf"] {
        for inner in v.get(key).and_then(Value::as_array).into_iter().flatten() {
            alternatives(schema, inner, out);
        }
    }
}

fn types_of(v: &Value) -> Vec<String> {
    match v.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn is_env(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.contains("${"))
}

/// The values to try for one property.
fn candidates(schema: &Value, prop: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut alts = Vec::new();
    alternatives(schema, prop, &mut alts);
    let mut types = BTreeSet::new();
    for a in &alts {
        out.extend(
            a.get("examples")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        );
        out.extend(a.get("default").cloned());
        out.extend(a.get("const").cloned());
        out.extend(
            a.get("enum")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        );
        for bound in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
            if let Some(b) = a.get(bound).and_then(Value::as_f64) {
                for d in [-1.0, 0.0, 1.0] {
                    let x = b + d;
                    if x.fract() == 0.0 && x.abs() < 1e15 {
                        out.push(json!(x as i64));
                    } else {
                        out.push(json!(x));
                    }
                }
                // Halfway to the next integer: numbers of an integer field.
                out.push(json!(b + 0.5));
            }
        }
        types.extend(types_of(a));
    }
    let text = prop.to_string();
    let duration = text.contains("[Mm][Ss]");
    let size = text.contains("#/definitions/Size") || text.contains("[Kk][Ii][Bb]");
    for t in &types {
        match t.as_str() {
            "integer" | "number" => out.extend([
                json!(0),
                json!(1),
                json!(-1),
                json!(0.5),
                json!(65_535),
                json!(65_536),
                json!(4_294_967_295_u64),
                json!(4_294_967_296_u64),
                json!(i64::MAX),
                // A size where a count is asked for (`buffer` counts records).
                json!("10MiB"),
            ]),
            "string" => out.extend([json!(""), json!(" "), json!("x")]),
            "boolean" => out.extend([json!(true), json!(false), json!("true"), json!("no")]),
            "array" => out.extend([json!([]), json!(["x"]), json!([1])]),
            "object" => out.extend([json!({}), json!({"x": "y"}), json!({"x": 1})]),
            _ => {}
        }
    }
    if duration {
        out.extend(
            [
                "0",
                "0s",
                "1",
                "30",
                "1s",
                "30s",
                "250ms",
                "1.5h",
                "1h30m",
                "1h 30m",
                "30 seconds",
                "2 minutes",
                "1 hour",
                "5m",
                "7d",
                "2w",
                "1y",
                "-1s",
                "1e3s",
                "s",
                "1 parsec",
                "99999999999999999999s",
                "1000000h",
            ]
            .map(Value::from),
        );
        out.extend([json!(0), json!(1), json!(30)]);
    }
    if size {
        out.extend(
            [
                "0",
                "1",
                "1B",
                "1.5K",
                "10MiB",
                "64 kib",
                "1TB",
                "-1",
                "1e3",
                "ten",
                "99999999999999999999",
                "20000000TiB",
            ]
            .map(Value::from),
        );
        out.extend([json!(0), json!(1), json!(u64::MAX)]);
    }
    // Wrong shapes and an explicit null.
    out.extend([
        Value::Null,
        json!({"nested": true}),
        json!([["x"]]),
        json!(1.25),
    ]);
    let mut seen = BTreeSet::new();
    out.retain(|v| !is_env(v) && seen.insert(v.to_string()));
    out
}

/// A value for a required property the instance needs.
fn seed(schema: &Value, prop: &Value) -> Value {
    let mut alts = Vec::new();
    alternatives(schema, prop, &mut alts);
    for a in &alts {
        if let Some(e) = a
            .get("examples")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return e.clone();
        }
        if let Some(c) = a.get("const") {
            return c.clone();
        }
    }
    for a in &alts {
        match types_of(a).first().map(String::as_str) {
            Some("integer") => return json!(1),
            Some("array") => return json!(["x"]),
            Some("boolean") => return json!(true),
            Some("string") => return json!("x"),
            _ => {}
        }
    }
    json!("x")
}

/// The types of one section: `(type name, schema of its variant)`.
fn variants<'a>(schema: &'a Value, definition: &str) -> Vec<(String, &'a Value)> {
    schema["definitions"][definition]["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            let name = v["properties"]["type"]["const"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            (name, v)
        })
        .collect()
}

fn base(schema: &Value, variant: &Value, type_name: Option<&str>) -> Map<String, Value> {
    let mut obj = Map::new();
    if let Some(t) = type_name {
        obj.insert("type".into(), t.into());
    }
    for r in variant
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = r.as_str().unwrap_or_default();
        if !obj.contains_key(key) {
            obj.insert(key.to_owned(), seed(schema, &variant["properties"][key]));
        }
    }
    // Python's forms: a pattern formatter needs its format, a name filter its name.
    if type_name == Some("pattern") {
        obj.insert("format".into(), "%(message)s".into());
    }
    obj
}

/// Names a component refers to, so that the config defines them: handler and
/// memory/queue targets, formatters, filters.
fn names(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(names).collect(),
        _ => Vec::new(),
    }
}

/// A whole config around one component, with every name it refers to defined.
fn config(section: &str, name: &str, component: &Map<String, Value>) -> Value {
    let mut root = json!({ "version": 1 });
    let mut handlers = Map::new();
    let mut formatters = Map::new();
    let mut filters = Map::new();
    let refs = |key: &str| component.get(key).map(names).unwrap_or_default();
    if section == "handlers" {
        for f in refs("formatter") {
            formatters.insert(f, json!({ "format": "%(message)s" }));
        }
        for f in refs("filters") {
            filters.insert(f, json!({ "type": "level", "min": "DEBUG" }));
        }
        let kind = component.get("type").and_then(Value::as_str).unwrap_or("");
        if matches!(kind, "queue" | "memory") {
            for key in ["handlers", "target"] {
                for h in refs(key) {
                    if h != name {
                        handlers.insert(h, json!({ "type": "null" }));
                    }
                }
            }
        }
    }
    match section {
        "reload" | "root" => root[section] = Value::Object(component.clone()),
        _ => {
            let mut m = Map::new();
            m.insert(name.to_owned(), Value::Object(component.clone()));
            match section {
                "handlers" => handlers.extend(m),
                "formatters" => formatters.extend(m),
                "filters" => filters.extend(m),
                _ => root[section] = Value::Object(m),
            }
        }
    }
    if section == "loggers" || section == "root" {
        for h in refs("handlers") {
            handlers.insert(h, json!({ "type": "null" }));
        }
        for f in refs("filters") {
            filters.insert(f, json!({ "type": "level", "min": "DEBUG" }));
        }
    }
    let mut users = Vec::new();
    if section == "handlers" {
        users.push(Value::from(name));
    }
    root["handlers"] = Value::Object(handlers);
    root["formatters"] = Value::Object(formatters);
    root["filters"] = Value::Object(filters);
    if section != "root" {
        // Formatters and filters in use, so no "is not used" diagnostics
        // depend on the value tried.
        root["root"] = json!({ "handlers": users });
    }
    root
}

struct Verdicts {
    validator: jsonschema::Validator,
    disagreements: Vec<String>,
    tried: usize,
}

impl Verdicts {
    fn check(&mut self, what: &str, instance: &Value) {
        self.check_allowing(what, "", instance, &[]);
    }

    /// `allowed`: loader messages that may refuse what the schema accepts.
    fn check_allowing(&mut self, what: &str, key: &str, instance: &Value, allowed: &[&str]) {
        self.tried += 1;
        let schema_errors: Vec<String> = self
            .validator
            .iter_errors(instance)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        let text = instance.to_string();
        let loaded = Config::from_str(&text, Format::Json);
        match (schema_errors.is_empty(), loaded) {
            (true, Err(e)) if allowed.iter().any(|a| e.to_string().contains(a)) => {}
            (true, Err(e)) => self.disagreements.push(format!(
                "{what}: the schema accepts it, the loader refuses it:\n  {text}\n  {e}"
            )),
            // The loader reads a number or a boolean as text where text is
            // expected (YAML's `app: 2024`); the schema asks for the text.
            (false, Ok(_)) if self.validator.is_valid(&scalars_as_text(instance, key)) => {}
            (false, Ok(_)) => self.disagreements.push(format!(
                "{what}: the loader accepts it, the schema refuses it:\n  {text}\n  {}",
                schema_errors.join("\n  ")
            )),
            _ => {}
        }
    }
}

/// `instance` with every number and boolean inside a component written as
/// text, as the loader reads them where text is expected.
fn scalars_as_text(instance: &Value, key: &str) -> Value {
    fn text(v: &Value) -> Value {
        match v {
            Value::Number(_) | Value::Bool(_) => Value::String(v.to_string()),
            Value::Array(items) => Value::Array(items.iter().map(text).collect()),
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), text(v))).collect())
            }
            other => other.clone(),
        }
    }
    let mut out = instance.clone();
    for section in ["handlers", "formatters", "filters"] {
        if let Some(v) = out
            .get_mut(section)
            .and_then(|s| s.get_mut("c"))
            .and_then(|c| c.get_mut(key))
        {
            *v = text(v);
        }
    }
    out
}

/// The loader messages that may refuse a value of `prop` the schema takes.
fn allowed(type_name: &str, prop: &str) -> Vec<&'static str> {
    let cross = CROSS_FIELD
        .iter()
        .filter(|(t, p, _, _)| *t == type_name && *p == prop)
        .map(|(_, _, m, _)| *m);
    let magnitude = MAGNITUDE
        .iter()
        .filter(|(p, _)| p.is_empty() || *p == prop)
        .map(|(_, m)| *m);
    cross.chain(magnitude).collect()
}

/// The instances generated for one handler, formatter or filter type (or
/// `reload`, `loggers`, `root`).
pub(super) struct Section {
    /// The section and type, as a disagreement names them.
    what: String,
    type_name: String,
    /// The config with the required keys only.
    pub(super) seed: Value,
    /// Per property: each value tried, in a config around the seed.
    pub(super) properties: Vec<(String, Vec<(Value, Value)>)>,
}

/// Every instance the schema generates, by section.
pub(super) fn sections(schema: &Value) -> Vec<Section> {
    let mut sections: Vec<(&str, String, Value)> = Vec::new();
    for (def, section) in [
        ("HandlerConfig", "handlers"),
        ("FormatterConfig", "formatters"),
        ("FilterConfig", "filters"),
    ] {
        for (name, variant) in variants(schema, def) {
            sections.push((section, name, variant.clone()));
        }
    }
    for (def, section) in [
        ("ReloadConfig", "reload"),
        ("LoggerConfig", "loggers"),
        ("RootConfig", "root"),
    ] {
        sections.push((section, String::new(), schema["definitions"][def].clone()));
    }
    sections
        .into_iter()
        .map(|(section, type_name, variant)| {
            let t = (!type_name.is_empty()).then_some(type_name.as_str());
            let base = base(schema, &variant, t);
            let what = format!("{section} {}", if t.is_some() { &type_name } else { "" });
            let props = variant["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let properties = props
                .iter()
                .filter(|(key, _)| *key != "type")
                .map(|(key, prop)| {
                    let tried = candidates(schema, prop)
                        .into_iter()
                        .map(|value| {
                            let mut c = base.clone();
                            c.insert(key.clone(), value.clone());
                            (value, config(section, "c", &c))
                        })
                        .collect();
                    (key.clone(), tried)
                })
                .collect();
            Section {
                what,
                seed: config(section, "c", &base),
                type_name,
                properties,
            }
        })
        .collect()
}

#[test]
fn every_schema_property_loads_as_the_schema_says() {
    let schema = logfig::schema();
    let mut v = Verdicts {
        validator: jsonschema::validator_for(&schema).expect("a valid JSON Schema"),
        disagreements: Vec::new(),
        tried: 0,
    };
    let mut properties = 0;
    for section in sections(&schema) {
        let what = &section.what;
        // The seeded instance itself must be valid for both.
        let before = v.disagreements.len();
        v.check(&format!("{what} (required keys only)"), &section.seed);
        if v.disagreements.len() > before || !v.validator.is_valid(&section.seed) {
            v.disagreements.push(format!(
                "{what}: the seed instance is not valid: {}",
                section.seed
            ));
            continue;
        }
        for (key, tried) in &section.properties {
            properties += 1;
            let allowed = allowed(&section.type_name, key);
            for (value, instance) in tried {
                v.check_allowing(&format!("{what}.{key} = {value}"), key, instance, &allowed);
            }
        }
    }
    assert!(properties > 100, "only {properties} properties found");
    assert!(
        v.disagreements.is_empty(),
        "{} of {} generated instances got different verdicts:\n\n{}",
        v.disagreements.len(),
        v.tried,
        v.disagreements.join("\n\n")
    );
}
