//! The guide's config reference (`src/guide/reference.md`, shown on docs.rs
//! as `logfig::guide::reference`) is generated from the config types' JSON
//! Schema (whose descriptions are the fields' doc comments), so it cannot drift
//! from the code. `LOGFIG_BLESS=1` rewrites it.

use serde_json::Value;

/// The guide page holding the generated tables, from the crate root.
const REFERENCE: &str = "src/guide/reference.md";
const START: &str = "<!-- reference:start";
const END: &str = "<!-- reference:end -->";

fn definition<'a>(schema: &'a Value, name: &str) -> &'a Value {
    &schema["definitions"][name]
}

fn resolve<'a>(schema: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => definition(schema, r.trim_start_matches("#/definitions/")),
        None => v,
    }
}

fn type_of(schema: &Value, v: &Value) -> String {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/definitions/");
        let def = definition(schema, name);
        return match name {
            "Level" => "level".into(),
            "Size" => "size".into(),
            _ if def.get("oneOf").is_some()
                && def["oneOf"]
                    .as_array()
                    .is_some_and(|a| a.iter().all(|x| x.get("const").is_some())) =>
            {
                def["oneOf"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| format!("`{}`", x["const"].as_str().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join(" \\| ")
            }
            _ => "mapping".into(),
        };
    }
    for key in ["anyOf", "allOf"] {
        if let Some(options) = v.get(key).and_then(Value::as_array) {
            // A choice is its enum and a pattern of the other cases the
            // loader takes: the enum names it.
            let has_enum = options.iter().any(|o| o.get("$ref").is_some());
            let is_spelling = |o: &Value| {
                has_enum
                    && o.get("type") == Some(&Value::from("string"))
                    && o.get("pattern").is_some()
            };
            let shown: Vec<String> = options
                .iter()
                .filter(|o| o.get("type") != Some(&Value::from("null")) && !is_spelling(o))
                .map(|o| type_of(schema, o))
                .collect();
            return shown.join(" or ");
        }
    }
    let ty = match v.get("type") {
        Some(Value::Array(types)) => types
            .iter()
            .find(|t| *t != "null")
            .cloned()
            .unwrap_or_default(),
        Some(t) => t.clone(),
        None => Value::Null,
    };
    match ty.as_str() {
        Some("array") => format!(
            "list of {}",
            type_of(schema, &v["items"]).replace("string", "names")
        ),
        Some("object") => match v.get("additionalProperties") {
            Some(inner) if inner.is_object() => format!("map of {}", type_of(schema, inner)),
            _ => "mapping".into(),
        },
        Some("integer") => "integer".into(),
        Some("number") => "number".into(),
        Some("boolean") => "boolean".into(),
        Some("string") => "string".into(),
        _ => "any".into(),
    }
}

/// The first paragraph of a description, on one line.
fn summary(v: &Value) -> String {
    let d = v.get("description").and_then(Value::as_str).unwrap_or("");
    d.split("\n\n")
        .next()
        .unwrap_or("")
        .replace('\n', " ")
        .replace('|', "\\|")
}

/// An example value: the property's own `examples`, else its type's, else its
/// default; as YAML would show it.
fn example(schema: &Value, prop: &Value) -> String {
    let from = |v: &Value| v.get("examples").and_then(|e| e.get(0)).cloned();
    let referenced = ["allOf", "anyOf"]
        .iter()
        .filter_map(|k| prop.get(*k).and_then(Value::as_array))
        .flatten()
        .chain(std::iter::once(prop))
        .find_map(|v| from(resolve(schema, v)));
    let value = from(prop)
        .or(referenced)
        .or_else(|| prop.get("default").cloned());
    match value {
        Some(Value::String(s)) => format!("`{}`", s.replace('|', "\\|")),
        Some(Value::Null) | None => String::new(),
        Some(v) => format!("`{}`", v.to_string().replace('|', "\\|")),
    }
}

fn table(schema: &Value, object: &Value, skip: &[&str], out: &mut String) {
    out.push_str("| key | type | example | description |\n|---|---|---|---|\n");
    let required: Vec<&str> = object["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(props) = object["properties"].as_object() {
        for (key, prop) in props {
            if skip.contains(&key.as_str()) {
                continue;
            }
            let req = if required.contains(&key.as_str()) {
                " (required)"
            } else {
                ""
            };
            out.push_str(&format!(
                "| `{key}`{req} | {} | {} | {} |\n",
                type_of(schema, prop),
                example(schema, prop),
                summary(prop)
            ));
        }
    }
    out.push('\n');
}

fn variants(schema: &Value, enum_name: &str, section: &str, out: &mut String) {
    let def = definition(schema, enum_name);
    out.push_str(&format!("## {section}\n\n{}\n\n", summary(def)));
    for variant in def["oneOf"].as_array().into_iter().flatten() {
        let kind = variant["properties"]["type"]["const"]
            .as_str()
            .unwrap_or("?");
        out.push_str(&format!("### `type: {kind}`\n\n{}\n\n", summary(variant)));
        table(schema, variant, &["type"], out);
    }
}

fn generate() -> String {
    let schema = logfig::schema();
    let mut out = String::from("\n## Top level\n\n");
    table(&schema, &schema, &[], &mut out);
    for (name, section) in [
        ("LoggerConfig", "`loggers.<name>`"),
        ("RootConfig", "`root`"),
        ("ReloadConfig", "`reload`"),
        ("EnvFilterConfig", "`env_filter`"),
    ] {
        let def = definition(&schema, name);
        out.push_str(&format!(
            "## {section}\n\n{}\n\n",
            summary(resolve(&schema, def))
        ));
        table(&schema, def, &[], &mut out);
    }
    variants(&schema, "HandlerConfig", "`handlers.<name>`", &mut out);
    variants(&schema, "FormatterConfig", "`formatters.<name>`", &mut out);
    variants(&schema, "FilterConfig", "`filters.<name>`", &mut out);
    out
}

#[test]
fn config_reference_matches_the_types() {
    let readme = std::fs::read_to_string(REFERENCE).unwrap();
    let start = readme.find(START).expect("reference start marker");
    let body_start = start + readme[start..].find("-->").unwrap() + 3;
    let end = readme.find(END).expect("reference end marker");
    let generated = generate();
    if std::env::var_os("LOGFIG_BLESS").is_some() {
        let new = format!("{}{}{}", &readme[..body_start], generated, &readme[end..]);
        std::fs::write(REFERENCE, new).unwrap();
        return;
    }
    assert!(
        readme[body_start..end] == generated,
        "the guide's config reference ({REFERENCE}) is out of date; regenerate it with\n    LOGFIG_BLESS=1 cargo test --test integration readme"
    );
}
