//! The `args=` and `kwargs=` of a `fileConfig` handler (and a formatter's
//! `defaults=`): Python expressions that CPython `eval`s in `logging`'s
//! namespace. logfig reads them with this small expression reader, never an
//! evaluator: literals (tuples, lists, dicts, strings, numbers, `True`,
//! `False`, `None`), integer arithmetic (`10*1024*1024`), `sys.stdout` and
//! `sys.stderr`, and the constants of `logging` and `logging.handlers`
//! (level names, `handlers.SYSLOG_UDP_PORT`,
//! `handlers.SysLogHandler.LOG_DAEMON`). Anything else is an error at its
//! position naming what is not supported.
//!
//! Bounded: at most [`MAX_TEXT`] bytes of expression, [`MAX_DEPTH`] levels
//! of nesting (brackets and unary signs), [`MAX_ITEMS`] values, and
//! integers within `i128` (an overflow is an error).

use crate::load::node::{Key, Node, Value, remove_all};

/// The longest expression read, in bytes.
pub(crate) const MAX_TEXT: usize = 64 << 10;
/// The deepest nesting of brackets and signs.
pub(crate) const MAX_DEPTH: usize = 32;
/// The most values one expression may hold.
pub(crate) const MAX_ITEMS: usize = 10_000;

/// An error at a byte offset of the expression.
#[derive(Debug)]
pub(crate) struct ArgsError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

/// Where the expression sits in the file, to give each value its position.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin {
    pub(crate) line: u32,
    pub(crate) column: u32,
}

/// Reads `text` as one expression.
pub(crate) fn parse(text: &str, origin: Origin) -> Result<Node, ArgsError> {
    if text.len() > MAX_TEXT {
        return Err(ArgsError {
            offset: 0,
            message: format!(
                "the expression is {} bytes long: the most logfig reads is {MAX_TEXT}",
                text.len()
            ),
        });
    }
    let mut p = Parser {
        text,
        pos: 0,
        depth: 0,
        items: 0,
        origin,
    };
    p.skip_space();
    let node = p.expr()?;
    p.skip_space();
    if p.pos < text.len() {
        return Err(p.unsupported("after the expression"));
    }
    Ok(node)
}

struct Parser<'t> {
    text: &'t str,
    pos: usize,
    depth: usize,
    items: usize,
    origin: Origin,
}

/// A named constant of `logging`'s namespace.
fn constant(name: &str) -> Option<Value> {
    let level = |n: i128| Some(Value::Int(n));
    let stream = |s: &str| Some(Value::Str(format!("ext://{s}")));
    match name {
        "sys.stdout" | "sys.stderr" => stream(name),
        "True" => Some(Value::Bool(true)),
        "False" => Some(Value::Bool(false)),
        "None" => Some(Value::Null),
        _ => {
            let bare = name.strip_prefix("logging.").unwrap_or(name);
            if let Some(v) = match bare {
                "CRITICAL" | "FATAL" => level(50),
                "ERROR" => level(40),
                "WARNING" | "WARN" => level(30),
                "INFO" => level(20),
                "DEBUG" => level(10),
                "NOTSET" => level(0),
                _ => None,
            } {
                return Some(v);
            }
            let h = bare.strip_prefix("handlers.")?;
            match h {
                "SYSLOG_UDP_PORT" | "SYSLOG_TCP_PORT" => level(514),
                "DEFAULT_TCP_LOGGING_PORT" => level(9020),
                "DEFAULT_UDP_LOGGING_PORT" => level(9021),
                "DEFAULT_HTTP_LOGGING_PORT" => level(9022),
                "DEFAULT_SOAP_LOGGING_PORT" => level(9023),
                _ => {
                    let s = h.strip_prefix("SysLogHandler.LOG_")?;
                    syslog_constant(s).map(Value::Int)
                }
            }
        }
    }
}

/// `SysLogHandler.LOG_<name>`: facilities and priorities, as CPython numbers
/// them.
fn syslog_constant(name: &str) -> Option<i128> {
    const FACILITIES: &[&str] = &[
        "KERN", "USER", "MAIL", "DAEMON", "AUTH", "SYSLOG", "LPR", "NEWS", "UUCP", "CRON",
        "AUTHPRIV", "FTP", "NTP", "SECURITY", "CONSOLE", "SOLCRASH", "LOCAL0", "LOCAL1", "LOCAL2",
        "LOCAL3", "LOCAL4", "LOCAL5", "LOCAL6", "LOCAL7",
    ];
    const PRIORITIES: &[&str] = &[
        "EMERG", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG",
    ];
    if let Some(i) = FACILITIES.iter().position(|f| *f == name) {
        // CPython's facility constants are the codes, not shifted.
        return Some(i as i128);
    }
    PRIORITIES
        .iter()
        .position(|p| *p == name)
        .map(|i| i as i128)
}

/// Python's `a // b`: the quotient rounded towards negative infinity.
fn floor_div(a: i128, b: i128) -> Option<i128> {
    let q = a.checked_div_euclid(b)?;
    let r = a.checked_rem_euclid(b)?;
    // `div_euclid` leaves a remainder of at least 0: for a negative divisor
    // that is one above Python's quotient.
    Some(if b < 0 && r != 0 { q - 1 } else { q })
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_space(&mut self) {
        let trimmed = self.rest().trim_start_matches([' ', '\t', '\n', '\r']);
        self.pos = self.text.len() - trimmed.len();
    }

    fn err(&self, offset: usize, message: impl Into<String>) -> ArgsError {
        ArgsError {
            offset,
            message: message.into(),
        }
    }

    /// "unsupported …" at the current position, quoting what is there.
    fn unsupported(&self, where_: &str) -> ArgsError {
        let found: String = self.rest().chars().take(20).collect();
        self.err(
            self.pos,
            format!(
                "`{found}` {where_} is not supported: logfig reads literals (tuples, lists, dicts, strings, numbers, True, False, None), integer arithmetic, sys.stdout, sys.stderr and the constants of logging and logging.handlers"
            ),
        )
    }

    /// The position of byte `offset` in the file.
    fn node(&mut self, value: Value, offset: usize) -> Result<Node, ArgsError> {
        self.items += 1;
        if self.items > MAX_ITEMS {
            return Err(self.err(
                offset,
                format!("more than {MAX_ITEMS} values in one expression"),
            ));
        }
        let before = &self.text[..offset.min(self.text.len())];
        let newlines = before.matches('\n').count() as u32;
        let column = match before.rfind('\n') {
            Some(i) => before[i + 1..].chars().count() as u32 + 1,
            None => self.origin.column + before.chars().count() as u32,
        };
        Ok(Node::new(value, self.origin.line + newlines, column))
    }

    fn enter(&mut self) -> Result<(), ArgsError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(
                self.pos,
                format!("the expression nests more than {MAX_DEPTH} deep"),
            ));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Node, ArgsError> {
        let start = self.pos;
        let mut left = self.term()?;
        loop {
            self.skip_space();
            let op = match self.peek() {
                Some(c @ ('+' | '-')) => c,
                _ => return Ok(left),
            };
            self.pos += 1;
            self.skip_space();
            let right = self.term()?;
            left = self.arith(op, left, right, start)?;
        }
    }

    fn term(&mut self) -> Result<Node, ArgsError> {
        let start = self.pos;
        let mut left = self.unary()?;
        loop {
            self.skip_space();
            let op = if self.rest().starts_with("**") {
                return Ok(left);
            } else if self.rest().starts_with("//") {
                self.pos += 2;
                '/'
            } else {
                match self.peek() {
                    Some(c @ ('*' | '%')) => {
                        self.pos += 1;
                        c
                    }
                    _ => return Ok(left),
                }
            };
            self.skip_space();
            let right = self.unary()?;
            left = self.arith(op, left, right, start)?;
        }
    }

    fn unary(&mut self) -> Result<Node, ArgsError> {
        let start = self.pos;
        match self.peek() {
            Some(c @ ('-' | '+')) => {
                self.pos += 1;
                self.enter()?;
                self.skip_space();
                let operand = self.unary()?;
                self.depth -= 1;
                let value = match (c, operand.value) {
                    ('+', v @ (Value::Int(_) | Value::Float(_))) => v,
                    ('-', Value::Int(i)) => Value::Int(
                        i.checked_neg()
                            .ok_or_else(|| self.err(start, "the integer is too large"))?,
                    ),
                    ('-', Value::Float(f)) => Value::Float(-f),
                    _ => return Err(self.err(start, format!("`{c}` needs a number"))),
                };
                self.node(value, start)
            }
            _ => self.power(),
        }
    }

    fn power(&mut self) -> Result<Node, ArgsError> {
        let start = self.pos;
        let base = self.atom()?;
        self.skip_space();
        if !self.rest().starts_with("**") {
            return Ok(base);
        }
        self.pos += 2;
        self.skip_space();
        self.enter()?;
        let exp = self.unary()?;
        self.depth -= 1;
        match (base.value, exp.value) {
            (Value::Int(b), Value::Int(e)) if (0..=u32::MAX as i128).contains(&e) => {
                let v = b
                    .checked_pow(e as u32)
                    .ok_or_else(|| self.err(start, "the integer is too large"))?;
                self.node(Value::Int(v), start)
            }
            _ => Err(self.err(start, "`**` needs integers and a power of at least 0")),
        }
    }

    /// `left op right` on integers, as Python's operators.
    fn arith(&mut self, op: char, left: Node, right: Node, at: usize) -> Result<Node, ArgsError> {
        let (Value::Int(a), Value::Int(b)) = (&left.value, &right.value) else {
            return Err(self.err(
                at,
                format!("`{op}` is supported on integers only, in logfig's reading of args"),
            ));
        };
        let (a, b) = (*a, *b);
        let v = match op {
            '+' => a.checked_add(b),
            '-' => a.checked_sub(b),
            '*' => a.checked_mul(b),
            // Python's `//` and `%` round towards negative infinity.
            '/' | '%' if b == 0 => return Err(self.err(at, "division by zero")),
            '/' => floor_div(a, b),
            _ => floor_div(a, b)
                .and_then(|q| b.checked_mul(q))
                .and_then(|m| a.checked_sub(m)),
        };
        let v = v.ok_or_else(|| self.err(at, "the integer is too large"))?;
        self.node(Value::Int(v), at)
    }

    fn atom(&mut self) -> Result<Node, ArgsError> {
        let start = self.pos;
        match self.peek() {
            Some('(') => self.sequence('(', ')', start),
            Some('[') => self.sequence('[', ']', start),
            Some('{') => self.dict(start),
            Some('\'' | '"') => self.strings(start),
            Some(c) if c.is_ascii_digit() || c == '.' => self.number(start),
            Some(c) if c.is_alphabetic() || c == '_' => {
                let prefix_len = self
                    .rest()
                    .find(|c: char| !c.is_ascii_alphabetic())
                    .unwrap_or(self.rest().len());
                let after = self.rest()[prefix_len..].chars().next();
                if prefix_len <= 2 && matches!(after, Some('\'' | '"')) {
                    return self.strings(start);
                }
                self.name(start)
            }
            _ => Err(self.unsupported("here")),
        }
    }

    fn name(&mut self, start: usize) -> Result<Node, ArgsError> {
        let len = self
            .rest()
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(self.rest().len());
        let name = &self.text[start..start + len];
        self.pos += len;
        self.skip_space();
        if self.peek() == Some('(') {
            return Err(self.err(
                start,
                format!("`{name}(...)` is a call, which logfig does not evaluate: args may hold only literals and logging's constants"),
            ));
        }
        match constant(name) {
            Some(v) => self.node(v, start),
            None => Err(self.err(
                start,
                format!("`{name}` is not supported: logfig knows sys.stdout, sys.stderr, True, False, None, the level names and the constants of logging.handlers (such as handlers.SYSLOG_UDP_PORT, handlers.SysLogHandler.LOG_USER)"),
            )),
        }
    }

    fn number(&mut self, start: usize) -> Result<Node, ArgsError> {
        let len = self
            .rest()
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_alphanumeric()
                    || c == '_'
                    || c == '.'
                    || ((c == '+' || c == '-')
                        && i > 0
                        && matches!(self.rest().as_bytes()[i - 1], b'e' | b'E')
                        && !self.rest().starts_with("0x")
                        && !self.rest().starts_with("0X")))
            })
            .map_or(self.rest().len(), |(i, _)| i);
        let raw = &self.text[start..start + len];
        self.pos += len;
        let digits: String = raw.chars().filter(|&c| c != '_').collect();
        let lower = digits.to_ascii_lowercase();
        let radix = [("0x", 16), ("0o", 8), ("0b", 2)]
            .into_iter()
            .find(|(p, _)| lower.starts_with(p));
        let value = if let Some((p, radix)) = radix {
            i128::from_str_radix(&lower[p.len()..], radix)
                .ok()
                .map(Value::Int)
        } else if lower.contains(['.', 'e']) {
            lower
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Value::Float)
        } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().any(|b| b != b'0') {
            // Python 3 has no `017`.
            None
        } else {
            lower.parse::<i128>().ok().map(Value::Int)
        };
        match value {
            Some(v) => self.node(v, start),
            None => Err(self.err(start, format!("`{raw}` is not a number logfig reads"))),
        }
    }

    /// One or more adjacent string literals, joined as Python joins them.
    fn strings(&mut self, start: usize) -> Result<Node, ArgsError> {
        let mut out = String::new();
        loop {
            self.skip_space();
            let prefix_len = self
                .rest()
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(0);
            let prefix = self.rest()[..prefix_len].to_ascii_lowercase();
            if !matches!(self.rest()[prefix_len..].chars().next(), Some('\'' | '"')) {
                break;
            }
            let raw = match prefix.as_str() {
                "" | "u" => false,
                "r" => true,
                _ => {
                    return Err(self.err(
                        self.pos,
                        format!("`{prefix}` strings are not supported: write a plain string"),
                    ));
                }
            };
            self.pos += prefix_len;
            self.string(raw, &mut out)?;
        }
        self.node(Value::Str(out), start)
    }

    fn string(&mut self, raw: bool, out: &mut String) -> Result<(), ArgsError> {
        let start = self.pos;
        let quote = self.peek().unwrap_or('\'');
        if self.rest().starts_with(&quote.to_string().repeat(3)) {
            return Err(self.err(start, "triple-quoted strings are not supported"));
        }
        self.pos += 1;
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c == quote => {
                    self.pos += i + 1;
                    return Ok(());
                }
                '\n' => break,
                '\\' if raw => {
                    out.push('\\');
                    if let Some((_, n)) = chars.next() {
                        out.push(n);
                    }
                }
                '\\' => {
                    let Some((_, e)) = chars.next() else { break };
                    let hex = |chars: &mut std::str::CharIndices<'_>, n: usize| {
                        let s: String = chars.by_ref().take(n).map(|(_, c)| c).collect();
                        (s.len() == n)
                            .then(|| u32::from_str_radix(&s, 16).ok())
                            .flatten()
                            .and_then(char::from_u32)
                    };
                    let decoded = match e {
                        'n' => Some('\n'),
                        't' => Some('\t'),
                        'r' => Some('\r'),
                        '0' => Some('\0'),
                        '\\' | '\'' | '"' => Some(e),
                        'x' => hex(&mut chars, 2),
                        'u' => hex(&mut chars, 4),
                        'U' => hex(&mut chars, 8),
                        '\n' => continue,
                        other => {
                            // Python keeps an unknown escape as written.
                            out.push('\\');
                            Some(other)
                        }
                    };
                    match decoded {
                        Some(c) => out.push(c),
                        None => {
                            return Err(self.err(start, "an invalid escape in the string"));
                        }
                    }
                }
                c => out.push(c),
            }
        }
        Err(self.err(start, "the string is not closed"))
    }

    fn sequence(&mut self, open: char, close: char, start: usize) -> Result<Node, ArgsError> {
        self.pos += 1;
        self.enter()?;
        let mut items = Vec::new();
        let mut comma = false;
        loop {
            self.skip_space();
            if self.peek() == Some(close) {
                self.pos += 1;
                break;
            }
            if self.peek().is_none() {
                return Err(self.err(start, format!("`{open}` is not closed")));
            }
            items.push(self.expr()?);
            self.skip_space();
            match self.peek() {
                Some(',') => {
                    self.pos += 1;
                    comma = true;
                }
                Some(c) if c == close => {}
                None => return Err(self.err(start, format!("`{open}` is not closed"))),
                _ => return Err(self.unsupported("in the list")),
            }
        }
        self.depth -= 1;
        // `(x)` is x; `(x,)` and `()` are tuples.
        if open == '(' && items.len() == 1 && !comma {
            return Ok(items.remove(0));
        }
        self.node(Value::Seq(items), start)
    }

    fn dict(&mut self, start: usize) -> Result<Node, ArgsError> {
        self.pos += 1;
        self.enter()?;
        let mut entries: Vec<(Key, Node)> = Vec::new();
        loop {
            self.skip_space();
            if self.peek() == Some('}') {
                self.pos += 1;
                break;
            }
            if self.peek().is_none() {
                return Err(self.err(start, "`{` is not closed"));
            }
            let key_at = self.pos;
            let key = self.expr()?;
            let Value::Str(name) = key.value else {
                return Err(self.err(key_at, "logfig reads dicts with string keys only"));
            };
            self.skip_space();
            if self.peek() != Some(':') {
                return Err(self.unsupported("in the dict (expected `:`)"));
            }
            self.pos += 1;
            self.skip_space();
            let value = self.expr()?;
            // Python keeps the last of equal keys.
            remove_all(&mut entries, &name);
            entries.push((
                Key {
                    name,
                    line: key.line,
                    column: key.column,
                },
                value,
            ));
            self.skip_space();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some('}') => {}
                None => return Err(self.err(start, "`{` is not closed")),
                _ => return Err(self.unsupported("in the dict")),
            }
        }
        self.depth -= 1;
        self.node(Value::Map(entries), start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Value, String> {
        parse(text, Origin { line: 1, column: 1 })
            .map(|n| n.value)
            .map_err(|e| format!("{}: {}", e.offset, e.message))
    }

    fn s(v: &str) -> Value {
        Value::Str(v.into())
    }

    #[test]
    fn literals_of_real_configs() {
        assert_eq!(
            read("(sys.stdout, )").unwrap(),
            Value::Seq(vec![Node::new(s("ext://sys.stdout"), 1, 2)])
        );
        assert_eq!(read("()").unwrap(), Value::Seq(vec![]));
        let Value::Seq(items) =
            read("(('localhost', handlers.SYSLOG_UDP_PORT), handlers.SysLogHandler.LOG_USER)")
                .unwrap()
        else {
            panic!()
        };
        assert_eq!(items[1].value, Value::Int(1));
        let Value::Seq(addr) = &items[0].value else {
            panic!()
        };
        assert_eq!(addr[1].value, Value::Int(514));
        let Value::Seq(items) = read("('app.log', 'a', 10*1024*1024, 5)").unwrap() else {
            panic!()
        };
        assert_eq!(items[2].value, Value::Int(10 << 20));
        assert_eq!(read("'a' \"b\"").unwrap(), s("ab"));
        assert_eq!(read("r'\\d'").unwrap(), s("\\d"));
        assert_eq!(read("'\\x41\\n'").unwrap(), s("A\n"));
        assert_eq!(read("-7 // 2").unwrap(), Value::Int(-4));
        assert_eq!(read("2**20").unwrap(), Value::Int(1 << 20));
        assert_eq!(read("(5)").unwrap(), Value::Int(5));
        assert_eq!(read("1_000").unwrap(), Value::Int(1000));
        assert_eq!(read("2.5").unwrap(), Value::Float(2.5));
        assert_eq!(read("logging.DEBUG").unwrap(), Value::Int(10));
        let Value::Map(m) = read("{'when': 'midnight', 'backupCount': 7,}").unwrap() else {
            panic!()
        };
        assert_eq!(m[1].0.name, "backupCount");
        assert_eq!(read("[True, None]").unwrap().clone(), {
            Value::Seq(vec![
                Node::new(Value::Bool(true), 1, 2),
                Node::new(Value::Null, 1, 8),
            ])
        });
    }

    #[test]
    fn anything_else_is_an_error_at_its_position() {
        for (text, offset, says) in [
            ("(os.getcwd(),)", 1, "is a call"),
            ("(__import__('os'),)", 1, "is a call"),
            ("(open,)", 1, "`open` is not supported"),
            ("('a' + 1,)", 1, "integers only"),
            ("(1, 2", 0, "not closed"),
            ("'abc", 0, "not closed"),
            ("'''x'''", 0, "triple-quoted"),
            ("b'x'", 0, "`b` strings"),
            ("1 / 2", 2, "is not supported"),
            ("lambda: 0", 0, "`lambda` is not supported"),
            ("(1,) (2,)", 5, "after the expression"),
            ("2**200", 0, "too large"),
            ("1 // 0", 0, "division by zero"),
            ("{1: 2}", 1, "string keys"),
            ("017", 0, "not a number"),
        ] {
            let e = read(text).unwrap_err();
            assert!(e.starts_with(&format!("{offset}: ")), "{text}: {e}");
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn bounds() {
        let deep = format!("{}1{}", "(".repeat(40), ",)".repeat(40));
        assert!(read(&deep).unwrap_err().contains("nests more than 32"));
        let signs = format!("{}1", "-".repeat(40));
        assert!(read(&signs).unwrap_err().contains("nests more than 32"));
        let many = format!("({})", "1,".repeat(MAX_ITEMS + 1));
        assert!(read(&many).unwrap_err().contains("more than 10000 values"));
        let long = format!("'{}'", "x".repeat(MAX_TEXT));
        assert!(read(&long).unwrap_err().contains("the most logfig reads"));
    }

    #[test]
    fn positions_follow_lines() {
        let n = parse("(1,\n  'x')", Origin { line: 7, column: 6 }).unwrap();
        let Value::Seq(items) = n.value else { panic!() };
        assert_eq!((items[0].line, items[0].column), (7, 7));
        assert_eq!((items[1].line, items[1].column), (8, 3));
    }
}
