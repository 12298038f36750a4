//! The parser-neutral document tree every format is read into.
//!
//! Each format module turns its parser's output into a [`Node`] tree that keeps
//! the line and column of every value and key; the decoder then reads the config
//! from it, so all formats share one set of error messages and positions.

/// One value of the document, with its position (1-based; 0 when unknown).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) line: u32,
    pub(crate) column: u32,
    /// The string came from `${VAR}` expansion, so a number or a boolean may be
    /// written as text.
    pub(crate) expanded: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A mapping key and its position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Key {
    pub(crate) name: String,
    pub(crate) line: u32,
    pub(crate) column: u32,
}

/// The index of the entry named `key` among a mapping's entries. One
/// function for the loader's many lookups, where a closure at each would
/// compile a search of its own.
pub(crate) fn index_of(entries: &[(Key, Node)], key: &str) -> Option<usize> {
    entries.iter().position(|(k, _)| k.name == key)
}

/// Removes every entry named `key` from a mapping's entries (see [`index_of`]).
pub(crate) fn remove_all(entries: &mut Vec<(Key, Node)>, key: &str) {
    entries.retain(|(k, _)| k.name != key);
}

impl Node {
    pub(crate) fn new(value: Value, line: u32, column: u32) -> Self {
        Node {
            value,
            line,
            column,
            expanded: false,
        }
    }

    /// What the value is, for messages: "a string", "a list".
    pub(crate) fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The node as JSON, for the options of custom components.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Int(i) => match (i64::try_from(*i), u64::try_from(*i)) {
                (Ok(i), _) => i.into(),
                (_, Ok(u)) => u.into(),
                _ => (*i as f64).into(),
            },
            Value::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
            }
            Value::Str(s) => s.clone().into(),
            Value::Seq(items) => items.iter().map(Node::to_json).collect(),
            Value::Map(entries) => {
                // Inserted one by one, the later of two equal keys winning as
                // in a `collect`, which would compile a sort of its own.
                let mut map = serde_json::Map::new();
                for (k, v) in entries {
                    map.insert(k.name.clone(), v.to_json());
                }
                map.into()
            }
        }
    }
}

/// The config path of a value, built only when a message needs it.
///
/// Building every value's path as the tree is walked copies each key into
/// the path of every value below it: a long key over a long list made that
/// quadratic in the text. Walks pass a `Trail` down instead, one frame per
/// level on the stack.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Trail<'a> {
    Root,
    Key(&'a Trail<'a>, &'a str),
    Index(&'a Trail<'a>, usize),
}

impl Trail<'_> {
    /// The path as diagnostics show it: `handlers.app.path`, `root.handlers[0]`.
    pub(crate) fn render(&self) -> String {
        match self {
            Trail::Root => String::new(),
            Trail::Key(parent, key) => crate::error::join(&parent.render(), key),
            Trail::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

/// Converts a byte offset in `text` to a 1-based line and column (in
/// characters), by scanning: for one-off positions only (see
/// [`crate::config::LineIndex`] for many).
pub(crate) fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line as u32, column as u32)
}
