//! TOML through the `toml` crate: the only file that names it.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::node::{Key, Node, Value, line_col};
use crate::error::Diagnostic;

/// Parses TOML text into a [`Node`] tree, or the syntax error with its position.
pub(crate) fn parse(text: &str) -> Result<Node, Vec<Diagnostic>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if errors.is_empty() {
        let (line, column) = line_col(text, table.span().start);
        return Ok(Node::new(map(text, table.get_ref()), line, column));
    }
    Err(errors
        .iter()
        .map(|e| {
            let span = e.span();
            let (line, column) = span.clone().map_or((0, 0), |s| line_col(text, s.start));
            let mut message = e.message().trim().trim_end_matches('.').to_owned();
            let token = span.and_then(|s| text.get(s)).unwrap_or("");
            if message == "duplicate key" && !token.is_empty() {
                message = format!("duplicate key `{}`", token.trim_matches(['"', '\'']));
            } else if token.chars().next().is_some_and(char::is_alphabetic)
                && !matches!(token, "true" | "false" | "inf" | "nan")
                && message.starts_with("invalid")
            {
                message = format!("{message} (strings need quotes: `\"{token}\"`)");
            }
            Diagnostic::error("", format!("invalid TOML: {message}")).at(line, column, None)
        })
        .collect())
}

fn map(text: &str, table: &DeTable<'_>) -> Value {
    let mut entries: Vec<_> = table.iter().collect();
    // The parser's table is not in source order; diagnostics should be.
    entries.sort_by_key(|(k, _)| k.span().start);
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| {
                let (line, column) = line_col(text, k.span().start);
                let key = Key {
                    name: k.get_ref().to_string(),
                    line,
                    column,
                };
                (key, node(text, v))
            })
            .collect(),
    )
}

fn node(text: &str, v: &Spanned<DeValue<'_>>) -> Node {
    let (line, column) = line_col(text, v.span().start);
    let value = match v.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            let digits = digits
                .trim_start_matches('+')
                .trim_start_matches("0x")
                .trim_start_matches("0o")
                .trim_start_matches("0b");
            match i128::from_str_radix(digits, i.radix()) {
                Ok(n) => Value::Int(n),
                Err(_) => Value::Str(i.as_str().to_owned()),
            }
        }
        DeValue::Float(f) => {
            let t = f.as_str().replace('_', "");
            Value::Float(match t.as_str() {
                "inf" | "+inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                "nan" | "+nan" | "-nan" => f64::NAN,
                other => other.parse().unwrap_or(f64::NAN),
            })
        }
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Str(d.to_string()),
        DeValue::Array(items) => Value::Seq(items.iter().map(|i| node(text, i)).collect()),
        DeValue::Table(t) => map(text, t),
    };
    Node::new(value, line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let n = parse("version = 1\n[root]\nlevel = \"INFO\"\n").unwrap();
        let Value::Map(entries) = &n.value else {
            panic!()
        };
        assert_eq!(entries[0].1.value, Value::Int(1));
        let Value::Map(root) = &entries[1].1.value else {
            panic!()
        };
        assert_eq!((root[0].1.line, root[0].1.column), (3, 9));
    }

    #[test]
    fn syntax_error() {
        let d = parse("a = \n").unwrap_err();
        assert_eq!(d[0].line(), 1, "{}", d[0]);
        let d = parse("level = INFO\n").unwrap_err();
        assert!(d[0].message().contains("strings need quotes"), "{}", d[0]);
    }
}
