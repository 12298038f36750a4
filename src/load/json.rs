//! JSON, read by a small position-keeping parser.
//!
//! serde_json reports positions only for syntax errors, not for values, so the
//! config's JSON form is read here into the same [`Node`] tree as YAML and TOML
//! (strict RFC 8259: no comments, no trailing commas; duplicate keys rejected).

use std::collections::HashSet;

use super::budget::{Budget, MAX_DEPTH, too_deep};
use super::node::{Key, Node, Value};
use crate::error::Diagnostic;

/// Parses JSON text into a [`Node`] tree, or the syntax error with its
/// position. Values and text are taken from `budget` as they are read, so an
/// oversized document stops where it goes over.
pub(crate) fn parse(text: &str, budget: &mut Budget) -> Result<Node, Diagnostic> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
        open: Vec::new(),
        cursor: Cursor {
            pos: 0,
            line: 1,
            column: 1,
        },
        budget,
    };
    p.skip_ws();
    let node = p.value()?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.error("trailing characters after the JSON value"));
    }
    Ok(node)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    /// Positions of the `{` and `[` still open, for end-of-input errors.
    open: Vec<usize>,
    /// The line and column of the last position asked for: the parser asks
    /// in increasing order, so each byte is counted once (scanning from the
    /// start for every value made loading quadratic).
    cursor: Cursor,
    budget: &'a mut Budget,
}

#[derive(Debug, Clone, Copy)]
struct Cursor {
    pos: usize,
    line: u32,
    column: u32,
}

/// Maps with more keys than this find duplicates through a hash set.
const SCAN_KEYS: usize = 16;

impl Parser<'_> {
    fn position(&mut self, pos: usize) -> (u32, u32) {
        let pos = pos.min(self.bytes.len());
        if pos < self.cursor.pos {
            // Only error messages look back (at an unclosed bracket).
            return super::node::line_col(self.text, pos);
        }
        let c = &mut self.cursor;
        for &b in &self.bytes[c.pos..pos] {
            if b == b'\n' {
                c.line += 1;
                c.column = 1;
            } else if (b & 0xC0) != 0x80 {
                c.column += 1;
            }
        }
        c.pos = pos;
        (c.line, c.column)
    }

    /// Takes one value holding `bytes` bytes of text from the budget.
    fn take(&mut self, at: usize, bytes: usize) -> Result<(), Diagnostic> {
        match self.budget.take(1, bytes) {
            Ok(()) => Ok(()),
            Err(message) => {
                let (line, column) = self.position(at);
                Err(Diagnostic::error("", message).at(line, column, None))
            }
        }
    }

    fn error(&mut self, message: &str) -> Diagnostic {
        self.error_at(self.pos, message)
    }

    fn error_at(&mut self, pos: usize, message: &str) -> Diagnostic {
        if pos >= self.bytes.len() {
            // At the end of the input: point at what was left open.
            if let Some(&open) = self.open.last() {
                let (line, column) = self.position(open);
                let what = if self.bytes[open] == b'{' {
                    "object"
                } else {
                    "array"
                };
                return Diagnostic::error(
                    "",
                    format!("invalid JSON: unexpected end of input: this {what} is never closed"),
                )
                .at(line, column, None);
            }
        }
        let found = match self.bytes.get(pos) {
            Some(b'/') => " (JSON has no comments)",
            Some(b'\'') => " (JSON strings take double quotes)",
            _ => "",
        };
        let (line, column) = self.position(pos);
        Diagnostic::error("", format!("invalid JSON: {message}{found}")).at(line, column, None)
    }

    /// After a `,`: a closing bracket means a trailing comma.
    fn trailing_comma(&mut self, comma: usize, close: u8) -> Result<(), Diagnostic> {
        if self.bytes.get(self.pos) == Some(&close) {
            return Err(self.error_at(
                comma,
                "trailing comma (JSON allows none before a closing bracket)",
            ));
        }
        Ok(())
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Node, Diagnostic> {
        let (line, column) = self.position(self.pos);
        let start = self.pos;
        let value = match self.bytes.get(self.pos) {
            None => return Err(self.error("unexpected end of input, expected a value")),
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Value::Str(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.error("expected a value")),
        };
        let bytes = match &value {
            Value::Str(s) => s.len(),
            _ => 0,
        };
        self.take(start, bytes)?;
        Ok(Node::new(value, line, column))
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, Diagnostic> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn enter(&mut self) -> Result<(), Diagnostic> {
        self.open.push(self.pos);
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let (line, column) = self.position(self.pos);
            return Err(Diagnostic::error("", too_deep()).at(line, column, None));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(())
    }

    /// Leaves the object or array that `close` ends, if it ends here.
    fn closes(&mut self, close: u8) -> bool {
        if self.bytes.get(self.pos) != Some(&close) {
            return false;
        }
        self.pos += 1;
        self.depth -= 1;
        self.open.pop();
        true
    }

    /// After a member of the object or array that `close` ends: whether
    /// another follows (a comma, then not `close`), or `false` once it is
    /// left.
    fn more(&mut self, close: u8) -> Result<bool, Diagnostic> {
        self.skip_ws();
        if self.closes(close) {
            return Ok(false);
        }
        if self.bytes.get(self.pos) != Some(&b',') {
            return Err(self.error(if close == b'}' {
                "expected `,` or `}`"
            } else {
                "expected `,` or `]`"
            }));
        }
        let comma = self.pos;
        self.pos += 1;
        self.skip_ws();
        self.trailing_comma(comma, close)?;
        Ok(true)
    }

    fn object(&mut self) -> Result<Value, Diagnostic> {
        self.enter()?;
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut names: HashSet<String> = HashSet::new();
        if self.closes(b'}') {
            return Ok(Value::Map(entries));
        }
        loop {
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("expected a string key"));
            }
            let (line, column) = self.position(self.pos);
            let name = self.string()?;
            // Scanning the keys so far is quadratic in a big object: past a
            // few keys, a set answers instead (and the scan only runs for
            // the message).
            let duplicate = if entries.len() < SCAN_KEYS {
                entries.iter().any(|(k, _)| k.name == name)
            } else {
                if names.is_empty() {
                    names.extend(entries.iter().map(|(k, _)| k.name.clone()));
                }
                !names.insert(name.clone())
            };
            if duplicate {
                let first = entries
                    .iter()
                    .find(|(k, _)| k.name == name)
                    .map_or(0, |(k, _)| k.line);
                let message = format!("duplicate key `{name}` (first at line {first})");
                return Err(Diagnostic::error("", format!("invalid JSON: {message}"))
                    .at(line, column, None));
            }
            // The key's text is held too.
            self.budget
                .take(0, name.len())
                .map_err(|m| Diagnostic::error("", m).at(line, column, None))?;
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.error("expected `:` after the key"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value()?;
            entries.push((Key { name, line, column }, value));
            if !self.more(b'}')? {
                return Ok(Value::Map(entries));
            }
        }
    }

    fn array(&mut self) -> Result<Value, Diagnostic> {
        self.enter()?;
        let mut items = Vec::new();
        if self.closes(b']') {
            return Ok(Value::Seq(items));
        }
        loop {
            items.push(self.value()?);
            if !self.more(b']')? {
                return Ok(Value::Seq(items));
            }
        }
    }

    fn string(&mut self) -> Result<String, Diagnostic> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[start..self.pos]);
            match self.bytes.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = match self.bytes.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => return Err(self.error("invalid escape in string")),
                    };
                    self.pos += 1;
                    out.push(c);
                }
                Some(_) => return Err(self.error("control character in string")),
            }
        }
    }

    /// Reads `uXXXX` (and a following low surrogate); leaves `pos` on its last
    /// hex digit.
    fn unicode_escape(&mut self) -> Result<char, Diagnostic> {
        let hex = |p: &mut Self, at: usize| -> Result<u32, Diagnostic> {
            match p
                .text
                .get(at..at + 4)
                .and_then(|h| u32::from_str_radix(h, 16).ok())
            {
                Some(n) => Ok(n),
                None => Err(p.error("invalid \\u escape")),
            }
        };
        let first = hex(self, self.pos + 1)?;
        self.pos += 4;
        if (0xD800..0xDC00).contains(&first) {
            if self.bytes.get(self.pos + 1..self.pos + 3) == Some(b"\\u") {
                let second = hex(self, self.pos + 3)?;
                if (0xDC00..0xE000).contains(&second) {
                    self.pos += 6;
                    let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    return char::from_u32(c).ok_or_else(|| self.error("invalid \\u escape"));
                }
            }
            return Err(self.error("unpaired surrogate in \\u escape"));
        }
        char::from_u32(first).ok_or_else(|| self.error("unpaired surrogate in \\u escape"))
    }

    fn number(&mut self) -> Result<Value, Diagnostic> {
        let start = self.pos;
        let mut float = false;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while let Some(b'0'..=b'9') = p.bytes.get(p.pos) {
                p.pos += 1;
            }
            p.pos - s
        };
        let int_start = self.pos;
        let n = digits(self);
        if n == 0 || (n > 1 && self.bytes[int_start] == b'0') {
            self.pos = start;
            return Err(self.error("invalid number"));
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            float = true;
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.error("invalid number: digits expected after `.`"));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            float = true;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("invalid number: digits expected in the exponent"));
            }
        }
        let t = &self.text[start..self.pos];
        if !float {
            if let Ok(i) = t.parse::<i128>() {
                return Ok(Value::Int(i));
            }
        }
        t.parse::<f64>()
            .map(Value::Float)
            .map_err(|_| self.error("invalid number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_positions() {
        let n = parse(
            "{\n  \"a\": [1, -2.5e1, \"x\\u00e9\\ud83d\\ude00\"],\n  \"b\": {\"c\": null}\n}",
            &mut Budget::new(),
        )
        .unwrap();
        let Value::Map(e) = &n.value else { panic!() };
        assert_eq!((e[0].0.line, e[0].0.column), (2, 3));
        let Value::Seq(items) = &e[0].1.value else {
            panic!()
        };
        assert_eq!(items[0].value, Value::Int(1));
        assert_eq!(items[1].value, Value::Float(-25.0));
        assert_eq!(items[2].value, Value::Str("xé😀".into()));
        assert_eq!((items[2].line, items[2].column), (2, 20));
    }

    #[test]
    fn errors() {
        for (bad, line) in [
            ("{\"a\": 1,}", 1),
            ("{\n\"a\": 01}", 2),
            ("[1 2]", 1),
            ("{\"a\":1, \"a\":2}", 1),
            ("\"x", 1),
        ] {
            let d = parse(bad, &mut Budget::new()).unwrap_err();
            assert_eq!(d.line(), line, "{bad}: {d}");
        }
    }

    #[test]
    fn objects_and_arrays_end_alike() {
        for (bad, says) in [
            ("{\"a\": 1 \"b\": 2}", "expected `,` or `}`"),
            ("[1 2]", "expected `,` or `]`"),
            ("[1, ]", "trailing comma"),
            ("{\"a\": [] ,\n}", "trailing comma"),
        ] {
            let d = parse(bad, &mut Budget::new()).unwrap_err();
            assert!(d.message().contains(says), "{bad}: {d}");
        }
        let n = parse("{\"a\": {}, \"b\": [[], [{ }]]}", &mut Budget::new()).unwrap();
        let Value::Map(e) = &n.value else { panic!() };
        assert_eq!(e[0].1.value, Value::Map(Vec::new()));
        let Value::Seq(b) = &e[1].1.value else {
            panic!()
        };
        assert_eq!(b.len(), 2);
    }
}
