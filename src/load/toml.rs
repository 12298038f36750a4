//! TOML through the `toml` crate: the only file that names it.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::budget::{Budget, MAX_DEPTH, too_deep};
use super::node::{Key, Node, Value};
use crate::config::LineIndex;
use crate::error::Diagnostic;

/// Parses TOML text into a [`Node`] tree, or the syntax errors with their
/// positions. The `toml` crate bounds its own nesting; values and text are
/// taken from `budget` as the tree is built.
pub(crate) fn parse(text: &str, budget: &mut Budget) -> Result<Node, Vec<Diagnostic>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    // One index answers every position: scanning from the start for each
    // value made loading quadratic (500,000 values took 28 s).
    let lines = LineIndex::new(text);
    if errors.is_empty() {
        let (line, column) = lines.position(text, table.span().start);
        let mut b = Builder {
            text,
            lines: &lines,
            budget,
        };
        let value = b.map(table.get_ref(), 1).map_err(|d| vec![d])?;
        return Ok(Node::new(value, line, column));
    }
    Err(errors
        .iter()
        .map(|e| {
            let span = e.span();
            // The toml crate gives its errors as text only (no kind), so its
            // nesting limit and its "invalid" values are told by their words.
            let mut message = e.message().trim().trim_end_matches('.').to_owned();
            if message == "recursion limit" || message.starts_with("cannot recurse further") {
                // The parser's own nesting limit (80), reported without a
                // span for a key of too many dotted parts.
                let (line, column) = span.map_or_else(
                    || longest_dotted_line(text),
                    |s| lines.position(text, s.start),
                );
                return Diagnostic::error("", too_deep()).at(line, column, None);
            }
            let (line, column) = span
                .clone()
                .map_or((0, 0), |s| lines.position(text, s.start));
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

/// The line with the most dots, and its first column: where a key of too
/// many dotted parts is, when the parser does not say.
fn longest_dotted_line(text: &str) -> (u32, u32) {
    let best = text.split('\n').enumerate().max_by_key(|(i, l)| {
        (
            l.bytes().filter(|&b| b == b'.').count(),
            std::cmp::Reverse(*i),
        )
    });
    best.map_or((1, 1), |(i, _)| (i as u32 + 1, 1))
}

/// Builds the [`Node`] tree, placing each value through the line index.
struct Builder<'a> {
    text: &'a str,
    lines: &'a LineIndex,
    budget: &'a mut Budget,
}

impl Builder<'_> {
    /// Takes one value holding `bytes` bytes from the budget, or the error at
    /// `offset`.
    fn take(&mut self, offset: usize, bytes: usize) -> Result<(u32, u32), Diagnostic> {
        let (line, column) = self.lines.position(self.text, offset);
        match self.budget.take(1, bytes) {
            Ok(()) => Ok((line, column)),
            Err(message) => Err(Diagnostic::error("", message).at(line, column, None)),
        }
    }

    fn map(&mut self, table: &DeTable<'_>, depth: usize) -> Result<Value, Diagnostic> {
        let mut entries: Vec<_> = table.iter().collect();
        // The parser's table is not in source order; diagnostics should be.
        entries.sort_by_key(|(k, _)| k.span().start);
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let name = k.get_ref().to_string();
            let (line, column) = self.lines.position(self.text, k.span().start);
            self.budget
                .take(0, name.len())
                .map_err(|m| Diagnostic::error("", m).at(line, column, None))?;
            let key = Key { name, line, column };
            out.push((key, self.node(v, depth)?));
        }
        Ok(Value::Map(out))
    }

    fn node(&mut self, v: &Spanned<DeValue<'_>>, depth: usize) -> Result<Node, Diagnostic> {
        let bytes = match v.get_ref() {
            DeValue::String(s) => s.len(),
            _ => 0,
        };
        let (line, column) = self.take(v.span().start, bytes)?;
        let nested = matches!(v.get_ref(), DeValue::Array(_) | DeValue::Table(_));
        if nested && depth >= MAX_DEPTH {
            return Err(Diagnostic::error("", too_deep()).at(line, column, None));
        }
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
            DeValue::Array(items) => Value::Seq(
                items
                    .iter()
                    .map(|i| self.node(i, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            DeValue::Table(t) => self.map(t, depth + 1)?,
        };
        Ok(Node::new(value, line, column))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let n = parse(
            "version = 1\n[root]\nlevel = \"INFO\"\n",
            &mut Budget::new(),
        )
        .unwrap();
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
        let d = parse("a = \n", &mut Budget::new()).unwrap_err();
        assert_eq!(d[0].line(), 1, "{}", d[0]);
        let d = parse("level = INFO\n", &mut Budget::new()).unwrap_err();
        assert!(d[0].message().contains("strings need quotes"), "{}", d[0]);
    }
}
