//! `logfig fmt --to yaml`: block-style YAML from a JSON value.
//!
//! Written here rather than with a YAML serializer crate: a config is maps,
//! lists and scalars, and one rule for strings covers them all. A string is
//! written plain only when every YAML reader (1.1 and 1.2) reads it back as
//! that same string; any other string is double-quoted, with every character
//! YAML does not allow raw in a stream escaped.

use std::fmt::Write as _;

use serde_json::Value;

/// The YAML text of `value`, ending with a newline.
pub(super) fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_list(&mut out, items, 0),
        scalar => {
            write_scalar(&mut out, scalar);
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, depth: usize) {
    write_entries(out, map, depth, false);
}

/// `key: value` lines at `depth`; the first line's indent is already written
/// when `first_indented` (a map that starts a list item).
fn write_entries(
    out: &mut String,
    map: &serde_json::Map<String, Value>,
    depth: usize,
    first_indented: bool,
) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !first_indented {
            indent(out, depth);
        }
        write_string(out, key);
        out.push(':');
        write_child(out, value, depth);
    }
}

/// A map's value or a list's item after its `key:` or `-`: a scalar or an
/// empty container on the same line, a non-empty one on the lines below.
fn write_child(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, depth + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_list(out, items, depth + 2);
        }
        scalar => {
            out.push(' ');
            write_scalar(out, scalar);
            out.push('\n');
        }
    }
}

fn write_list(out: &mut String, items: &[Value], depth: usize) {
    for item in items {
        indent(out, depth);
        out.push('-');
        match item {
            // A map item starts on the dash's line: `- key: value`.
            Value::Object(map) if !map.is_empty() => {
                out.push(' ');
                write_entries(out, map, depth + 2, true);
            }
            other => write_child(out, other, depth),
        }
    }
}

fn write_scalar(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
    }
}

fn write_string(out: &mut String, s: &str) {
    if is_plain(s) {
        out.push_str(s);
    } else {
        crate::formatters::escape::push_quoted(s, out);
    }
}

/// Whether `s` can be written without quotes and read back by any YAML
/// reader as the same string: a letter or `_`/`/` first (no indicator, no
/// number, no sign), then only characters that are never syntax in a block
/// scalar, no space at either end, and not a word YAML 1.1 or 1.2 reads as
/// a null or a boolean.
fn is_plain(s: &str) -> bool {
    const WORDS: [&str; 12] = [
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf", "~",
    ];
    let Some(first) = s.chars().next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_' || first == '/')
        && !s.ends_with(' ')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-+() ".contains(c))
        && !WORDS.iter().any(|w| s.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn plain_only_where_it_reads_back() {
        for plain in [
            "console",
            "logs/app.log",
            "myapp.db",
            "ext_stdout",
            "a b",
            "/dev/log",
        ] {
            assert!(is_plain(plain), "{plain}");
        }
        for quoted in [
            "",
            " a",
            "a ",
            "yes",
            "No",
            "NULL",
            "~",
            "1",
            "1.5",
            "-1",
            ".inf",
            "0x1f",
            "a: b",
            "a #b",
            "%(message)s",
            "{x}",
            "[x]",
            "*x",
            "&x",
            "!x",
            "|",
            ">",
            "'",
            "\"",
            "@x",
            "`x",
            "a\nb",
            "a\tb",
            "é",
            "12:30",
            "${X}",
        ] {
            assert!(!is_plain(quoted), "{quoted:?}");
        }
    }

    /// Another YAML reader reads every string back as written: each ASCII
    /// character alone, at either end and inside, and the words and numbers
    /// YAML gives a meaning.
    #[test]
    fn a_yaml_reader_reads_back_every_string() {
        let mut strings: Vec<String> = ["yes", "No", "null", "~", "1e3", "0o17", ".5", "1_000"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        for c in (0u8..0x80)
            .map(char::from)
            .chain(['é', '\u{85}', '\u{2028}', '\u{feff}'])
        {
            strings.extend([
                format!("{c}"),
                format!("{c}a"),
                format!("a{c}"),
                format!("a{c}b"),
            ]);
            strings.push(format!("a{c} b"));
        }
        for s in strings {
            let value = json!({ s.clone(): [s.clone(), { "k": s.clone() }] });
            let text = to_string(&value);
            let back: Value = serde_saphyr::from_str(&text)
                .unwrap_or_else(|e| panic!("{s:?} written as {text:?}: {e}"));
            assert_eq!(back, value, "{s:?} written as {text:?}");
        }
    }

    #[test]
    fn nested_maps_and_lists() {
        let value = json!({
            "version": 1,
            "root": { "level": "INFO", "handlers": ["console", "file"] },
            "handlers": { "file": { "type": "file", "path": "app.log", "delay": true } },
            "filters": { "f": { "type": "level", "levels": [] } },
            "list": [{ "a": 1, "b": { "c": null } }, [1, 2], "x", {}],
            "empty": {},
            "text": "%(asctime)s %(message)s\n",
        });
        let text = to_string(&value);
        assert_eq!(
            text,
            concat!(
                "empty: {}\n",
                "filters:\n",
                "  f:\n",
                "    levels: []\n",
                "    type: level\n",
                "handlers:\n",
                "  file:\n",
                "    delay: true\n",
                "    path: app.log\n",
                "    type: file\n",
                "list:\n",
                "  - a: 1\n",
                "    b:\n",
                "      c: null\n",
                "  -\n",
                "    - 1\n",
                "    - 2\n",
                "  - x\n",
                "  - {}\n",
                "root:\n",
                "  handlers:\n",
                "    - console\n",
                "    - file\n",
                "  level: INFO\n",
                "text: \"%(asctime)s %(message)s\\n\"\n",
                "version: 1\n",
            )
        );
    }
}
