//! YAML through granit-parser's event stream: the only file that names it.
//!
//! The events are read straight into the [`Node`] tree rather than through a
//! serde deserializer: logfig only ever needs the tree, and the serde layer
//! (serde-saphyr, with its diagnostics renderer and text-encoding detection)
//! cost a hello-world application's release build more than the rest of
//! logfig's dependencies together.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use granit_parser::{ErrorKind, Event, Parser, ScalarStyle, ScanError, Span, StrInput, Tag};

use super::budget::{Budget, MAX_DEPTH, too_deep};
use super::node::{Key, Node, Value};
use crate::error::Diagnostic;

/// Parses YAML text into a [`Node`] tree, or the syntax error with its
/// position. Values and text are taken from `budget` as they are read,
/// aliases each time they are used, so an alias bomb stops where it goes over.
pub(crate) fn parse(text: &str, budget: &mut Budget) -> Result<Node, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(Node::new(Value::Null, 1, 1));
    }
    // The parser's own nesting limits sit just above logfig's, so logfig's
    // message is the one a deep document meets.
    let options = granit_parser::options! {
        flow_nesting_limit: MAX_DEPTH + 1,
        block_nesting_limit: MAX_DEPTH + 1,
    };
    let mut reader = Reader {
        events: Parser::new_from_str_with_options(text, options),
        budget,
        depth: 0,
        anchors: HashMap::new(),
    };
    reader.document()
}

/// An anchored value, with what a use of it takes from the budget.
struct Anchored {
    node: Node,
    nodes: usize,
    bytes: usize,
}

struct Reader<'t, 'b> {
    events: Parser<'t, StrInput<'t>>,
    budget: &'b mut Budget,
    /// The lists and mappings open around the event being read.
    depth: usize,
    anchors: HashMap<usize, Anchored>,
}

impl<'t> Reader<'t, '_> {
    /// The one document of the stream (none is null); a second is an error.
    fn document(&mut self) -> Result<Node, Diagnostic> {
        let mut root = None;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd => {}
                Event::StreamEnd => break,
                Event::DocumentStart(..) if root.is_some() => {
                    return Err(invalid(
                        &span,
                        "a config is one document, and this starts a second".into(),
                    ));
                }
                Event::DocumentStart(..) => root = Some(self.node()?),
                _ => return Err(invalid(&span, "unexpected event".into())),
            }
        }
        Ok(root.unwrap_or_else(|| Node::new(Value::Null, 1, 1)))
    }

    fn next(&mut self) -> Result<(Event<'t>, Span), Diagnostic> {
        match self.events.next() {
            Some(Ok(event)) => Ok(event),
            Some(Err(e)) => Err(scan_error(&e)),
            None => Err(Diagnostic::error(
                "",
                "invalid YAML: unexpected end of input",
            )),
        }
    }

    /// Reads the node that starts with the next event.
    fn node(&mut self) -> Result<Node, Diagnostic> {
        let (event, span) = self.next()?;
        self.node_from(event, &span)
    }

    fn node_from(&mut self, event: Event<'t>, span: &Span) -> Result<Node, Diagnostic> {
        let (line, column) = position(span);
        let (value, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(text, style, tag.as_deref()).map_err(|m| invalid(span, m))?;
                let bytes = match &value {
                    Value::Str(s) => s.len(),
                    _ => 0,
                };
                self.take(span, 1, bytes)?;
                (value, anchor)
            }
            Event::SequenceStart(_, anchor, tag) => {
                collection_tag(tag.as_deref(), "seq").map_err(|m| invalid(span, m))?;
                self.enter(span)?;
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node_from(event, &span)?);
                }
                self.depth -= 1;
                (Value::Seq(items), anchor)
            }
            Event::MappingStart(_, anchor, tag) => {
                collection_tag(tag.as_deref(), "map").map_err(|m| invalid(span, m))?;
                self.enter(span)?;
                let entries = self.mapping()?;
                self.depth -= 1;
                (Value::Map(entries), anchor)
            }
            Event::Alias(id) => {
                let Some(anchored) = self.anchors.get(&id) else {
                    return Err(invalid(span, "an alias to no anchor".into()));
                };
                let (nodes, bytes) = (anchored.nodes, anchored.bytes);
                self.take(span, nodes, bytes)?;
                // Taken from the budget before the copy is made.
                return Ok(self.anchors[&id].node.clone());
            }
            _ => return Err(invalid(span, "expected a value".into())),
        };
        let node = Node::new(value, line, column);
        if anchor != 0 {
            let (nodes, bytes) = cost(&node);
            let anchored = Anchored {
                node: node.clone(),
                nodes,
                bytes,
            };
            self.anchors.insert(anchor, anchored);
        }
        Ok(node)
    }

    /// The entries of a mapping whose start was read, up to its end: keys
    /// unique, and `<<` merge keys folded in below the keys written out.
    fn mapping(&mut self) -> Result<Vec<(Key, Node)>, Diagnostic> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut names = HashSet::new();
        let mut merged = Vec::new();
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                break;
            }
            let is_merge =
                matches!(&event, Event::Scalar(t, ScalarStyle::Plain, _, None) if t == "<<");
            let key = self.key(event, &span)?;
            let value = self.node()?;
            if is_merge {
                merged.push(value);
                continue;
            }
            if !names.insert(key.name.clone()) {
                return Err(invalid(&span, format!("duplicate key `{}`", key.name)));
            }
            entries.push((key, value));
        }
        // Keys written out win over merged ones, and an earlier merged
        // mapping over a later one (YAML's merge key, as PyYAML reads it).
        for source in merged {
            let maps = match source.value {
                Value::Map(entries) => vec![entries],
                Value::Seq(items) => items
                    .into_iter()
                    .map(|item| match item.value {
                        Value::Map(entries) => Ok(entries),
                        _ => Err(merge_error(&item)),
                    })
                    .collect::<Result<_, _>>()?,
                _ => return Err(merge_error(&source)),
            };
            for (key, value) in maps.into_iter().flatten() {
                if names.insert(key.name.clone()) {
                    entries.push((key, value));
                }
            }
        }
        Ok(entries)
    }

    /// Reads a mapping key: a scalar (or an alias to one), whose text is
    /// taken from the budget; the value it names is counted, not the key.
    fn key(&mut self, event: Event<'t>, span: &Span) -> Result<Key, Diagnostic> {
        let (line, column) = position(span);
        let value = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(text, style, tag.as_deref()).map_err(|m| invalid(span, m))?;
                if anchor != 0 {
                    let node = Node::new(value.clone(), line, column);
                    let (nodes, bytes) = cost(&node);
                    self.anchors.insert(anchor, Anchored { node, nodes, bytes });
                }
                value
            }
            Event::Alias(id) => match self.anchors.get(&id) {
                Some(anchored) => anchored.node.value.clone(),
                None => return Err(invalid(span, "an alias to no anchor".into())),
            },
            _ => Value::Seq(Vec::new()),
        };
        let name = key_text(value).map_err(|m| invalid(span, m))?;
        self.take(span, 0, name.len())?;
        Ok(Key { name, line, column })
    }

    /// Enters a list or mapping.
    fn enter(&mut self, span: &Span) -> Result<(), Diagnostic> {
        self.take(span, 1, 0)?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let (line, column) = position(span);
            return Err(Diagnostic::error("", too_deep()).at(line, column, None));
        }
        Ok(())
    }

    /// Takes `nodes` values holding `bytes` bytes from the parse's budget.
    fn take(&mut self, span: &Span, nodes: usize, bytes: usize) -> Result<(), Diagnostic> {
        self.budget.take(nodes, bytes).map_err(|message| {
            let (line, column) = position(span);
            Diagnostic::error("", message).at(line, column, None)
        })
    }
}

/// The 1-based line and column where `span` starts.
fn position(span: &Span) -> (u32, u32) {
    let line = u32::try_from(span.start.line()).unwrap_or(u32::MAX);
    let column = u32::try_from(span.start.col().saturating_add(1)).unwrap_or(u32::MAX);
    (line, column)
}

fn invalid(span: &Span, message: String) -> Diagnostic {
    let (line, column) = position(span);
    Diagnostic::error("", format!("invalid YAML: {message}")).at(line, column, None)
}

fn scan_error(e: &ScanError) -> Diagnostic {
    // Told apart by its kind: the parser's own nesting limit, set just above
    // logfig's, says what logfig's says.
    let message = if matches!(e.kind(), ErrorKind::RecursionLimitExceeded) {
        too_deep()
    } else {
        format!("invalid YAML: {}", e.info())
    };
    let line = u32::try_from(e.marker().line()).unwrap_or(u32::MAX);
    let column = u32::try_from(e.marker().col().saturating_add(1)).unwrap_or(u32::MAX);
    Diagnostic::error("", message).at(line, column, None)
}

fn merge_error(node: &Node) -> Diagnostic {
    Diagnostic::error(
        "",
        format!(
            "invalid YAML: a merge key (`<<`) takes a mapping or a list of mappings, not {}",
            node.kind()
        ),
    )
    .at(node.line, node.column, None)
}

/// The values and bytes of text a copy of `node` holds, keys included.
fn cost(node: &Node) -> (usize, usize) {
    match &node.value {
        Value::Str(s) => (1, s.len()),
        Value::Seq(items) => items.iter().map(cost).fold((1, 0), add),
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| add((0, k.name.len()), cost(v)))
            .fold((1, 0), add),
        _ => (1, 0),
    }
}

fn add(a: (usize, usize), b: (usize, usize)) -> (usize, usize) {
    (a.0.saturating_add(b.0), a.1.saturating_add(b.1))
}

/// A mapping key as text: a scalar of any type (`10: x` has the key `"10"`).
fn key_text(value: Value) -> Result<String, String> {
    Ok(match value {
        Value::Str(s) => s,
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Seq(_) | Value::Map(_) => return Err("a mapping key must be a scalar".into()),
    })
}

/// The core-schema type a tag names (`!!int` is `int`); `!` alone, the
/// non-specific tag of a quoted scalar, is `str`.
fn core_type(tag: &Tag) -> Result<Cow<'_, str>, String> {
    if tag.handle() == "!" && tag.suffix().is_empty() {
        return Ok("str".into());
    }
    tag.core_suffix()
        .map(Cow::Borrowed)
        .ok_or_else(|| format!("the tag `{}` is not one logfig reads (it reads YAML's core schema: !!str, !!int, !!float, !!bool, !!null, !!seq, !!map)", tag.original()))
}

fn collection_tag(tag: Option<&Tag>, kind: &str) -> Result<(), String> {
    match tag {
        None => Ok(()),
        Some(tag) if core_type(tag)? == kind => Ok(()),
        Some(tag) => Err(format!(
            "the tag `{}` does not fit a !!{kind}",
            tag.original()
        )),
    }
}

/// A scalar's value under YAML 1.2's core schema: quoted and block scalars
/// are text, plain ones are null, a boolean, a number or text by their form.
/// Booleans are YAML 1.2's only: `off` is a level name here, and `no` a
/// country code; the decoder still accepts yes/no/on/off where a boolean
/// belongs.
fn scalar(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let typed = match tag {
        Some(tag) => core_type(tag)?,
        None if style == ScalarStyle::Plain => return Ok(implicit(text)),
        None => "str".into(),
    };
    if typed == "str" {
        return Ok(Value::Str(text.into_owned()));
    }
    let t = text.as_ref();
    let value = match typed.as_ref() {
        "null" => Some(Value::Null),
        "bool" => boolean(t).map(Value::Bool),
        "int" => int(t).map(Value::Int),
        "float" => float(t)
            .or_else(|| int(t).map(|i| i as f64))
            .map(Value::Float),
        other => return Err(format!("a !!{other} tag on a scalar")),
    };
    value.ok_or_else(|| format!("`{t}` is not a valid !!{typed}"))
}

fn implicit(text: Cow<'_, str>) -> Value {
    let t = text.as_ref();
    if matches!(t, "" | "~" | "null" | "Null" | "NULL") {
        return Value::Null;
    }
    if let Some(b) = boolean(t) {
        return Value::Bool(b);
    }
    // `0755` is octal to PyYAML and 755 to YAML 1.2: left as text, for the
    // decoder to read where a number belongs, or to refuse.
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    if unsigned.len() > 1
        && unsigned.starts_with('0')
        && unsigned.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return Value::Str(text.into_owned());
    }
    if let Some(i) = int(t) {
        return Value::Int(i);
    }
    if let Some(f) = float(t) {
        return Value::Float(f);
    }
    Value::Str(text.into_owned())
}

fn boolean(t: &str) -> Option<bool> {
    match t {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// `[-+]?[0-9]+`, `0x[0-9a-fA-F]+` or `0o[0-7]+`, digits perhaps separated
/// by underscores; too large for an `i128`
/// is left to [`float`].
fn int(t: &str) -> Option<i128> {
    let (negative, unsigned) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = if let Some(hex) = unsigned.strip_prefix("0x") {
        (16, hex)
    } else if let Some(octal) = unsigned.strip_prefix("0o") {
        (8, octal)
    } else {
        (10, unsigned)
    };
    // `from_str_radix` takes a sign of its own, which must not follow ours.
    // Underscores may separate digits (`1_000`), as PyYAML reads them.
    let separated = digits.split('_').all(|group| !group.is_empty());
    if !separated || !digits.chars().all(|c| c == '_' || c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(&digits.replace('_', ""), radix).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// YAML 1.2's floats: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
/// and `.inf`, `-.inf`, `.nan` in their three spellings.
fn float(t: &str) -> Option<f64> {
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    match unsigned {
        ".inf" | ".Inf" | ".INF" if t.starts_with('-') => return Some(f64::NEG_INFINITY),
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        ".nan" | ".NaN" | ".NAN" if unsigned.len() == t.len() => return Some(f64::NAN),
        _ => {}
    }
    // Rust's own parser also reads `inf`, `nan` and `infinity`: only
    // digits, dots, exponents and signs go to it.
    let shaped = unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && unsigned.contains(|c: char| c.is_ascii_digit())
        && unsigned
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'));
    if !shaped {
        return None;
    }
    t.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let n = parse("a: 1\nb:\n  - x\n  - {c: true}\n", &mut Budget::new()).unwrap();
        let Value::Map(entries) = &n.value else {
            panic!("{n:?}")
        };
        assert_eq!(entries[0].0.name, "a");
        assert_eq!((entries[0].1.line, entries[0].1.column), (1, 4));
        let Value::Seq(items) = &entries[1].1.value else {
            panic!()
        };
        assert_eq!((items[0].line, items[0].column), (3, 5));
        assert_eq!(items[0].value, Value::Str("x".into()));
    }

    #[test]
    fn syntax_error_has_position() {
        let d = parse("a: [1, 2\nb: 3\n", &mut Budget::new()).unwrap_err();
        assert!(d.line() > 0, "{d}");
        assert!(d.message().starts_with("invalid YAML"), "{d}");
    }

    #[test]
    fn duplicate_keys_rejected() {
        let d = parse("a: 1\na: 2\n", &mut Budget::new()).unwrap_err();
        assert_eq!(d.line(), 2, "{d}");
        assert_eq!(d.message(), "invalid YAML: duplicate key `a`");
    }
    fn values(text: &str) -> Vec<(String, Value)> {
        let n = parse(text, &mut Budget::new()).unwrap();
        let Value::Map(entries) = n.value else {
            panic!("{n:?}")
        };
        entries
            .into_iter()
            .map(|(k, v)| (k.name, v.value))
            .collect()
    }

    #[test]
    fn scalars_follow_the_yaml_1_2_core_schema() {
        let got = values(
            "a: off\nb: true\nc: 0x1f\nd: -12\ne: 1.5e3\nf: .inf\ng: ~\nh: '12'\ni: !!str 12\nj: !!float 2\nk: 0755\nl: 1_000\n",
        );
        let want = [
            ("a", Value::Str("off".into())),
            ("b", Value::Bool(true)),
            ("c", Value::Int(31)),
            ("d", Value::Int(-12)),
            ("e", Value::Float(1500.0)),
            ("f", Value::Float(f64::INFINITY)),
            ("g", Value::Null),
            ("h", Value::Str("12".into())),
            ("i", Value::Str("12".into())),
            ("j", Value::Float(2.0)),
            ("k", Value::Str("0755".into())),
            ("l", Value::Int(1000)),
        ];
        let want: Vec<_> = want.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn merge_keys_yield_to_keys_written_out_and_to_earlier_merges() {
        let got = values("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 3\n");
        let Value::Map(c) = &got[2].1 else {
            panic!("{got:?}")
        };
        let c: Vec<_> = c.iter().map(|(k, v)| (k.name.as_str(), &v.value)).collect();
        assert_eq!(
            c,
            [
                ("x", &Value::Int(3)),
                ("y", &Value::Int(1)),
                ("z", &Value::Int(2))
            ]
        );
    }

    #[test]
    fn keys_of_any_scalar_type_are_text() {
        let got = values("10: a\ntrue: b\n~: c\n");
        let keys: Vec<_> = got.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["10", "true", "null"]);
    }

    #[test]
    fn what_logfig_does_not_read_is_an_error_with_its_position() {
        for (text, line, message) in [
            ("a: 1\n---\nb: 2\n", 2, "one document"),
            ("a: !Ref x\n", 1, "the tag `!Ref`"),
            ("a: !!int x\n", 1, "not a valid !!int"),
            ("a:\n  <<: 3\n", 2, "merge key"),
            ("{[1]: 2}\n", 1, "must be a scalar"),
        ] {
            let d = parse(text, &mut Budget::new()).unwrap_err();
            assert_eq!(d.line(), line, "{text:?}: {d}");
            assert!(d.message().contains(message), "{text:?}: {d}");
        }
    }

    #[test]
    fn aliases_take_from_the_budget_each_time_they_are_used() {
        let mut text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n".to_owned();
        for i in 1..8 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let d = parse(&text, &mut Budget::new()).unwrap_err();
        assert!(d.message().contains("more than 250000 values"), "{d}");
    }
}
