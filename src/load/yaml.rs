//! YAML through serde-saphyr: the only file that names it.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::budget::{Budget, MAX_BYTES, MAX_DEPTH, MAX_NODES, too_deep};
use super::node::{Key, Node, Value};
use crate::error::Diagnostic;

thread_local! {
    /// The budget of the parse running on this thread, and its depth: serde
    /// calls the visitors below with no way to pass them state.
    static TALLY: RefCell<Option<(Budget, usize)>> = const { RefCell::new(None) };
}

/// Parses YAML text into a [`Node`] tree, or the syntax error with its
/// position. Values and text are taken from `budget` as they are read,
/// aliases each time they are used, so an alias bomb stops where it goes over.
pub(crate) fn parse(text: &str, budget: &mut Budget) -> Result<Node, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(Node::new(Value::Null, 1, 1));
    }
    // YAML 1.2 booleans only: `off` is a level name here, and `no` a country
    // code; the decoder still accepts yes/no/on/off where a boolean belongs.
    // The parser's own budget is set to logfig's, so it stops first where it
    // can (before building anything). It counts keys as nodes too, and every
    // key goes with a value: at twice logfig's count, logfig's binds.
    let options = serde_saphyr::options! {
        strict_booleans: true,
        budget: serde_saphyr::budget! {
            max_nodes: 2 * MAX_NODES + 1,
            max_depth: MAX_DEPTH,
            max_total_scalar_bytes: MAX_BYTES,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: MAX_NODES,
        },
    };
    TALLY.with(|t| *t.borrow_mut() = Some((std::mem::replace(budget, Budget::new()), 0)));
    let parsed = serde_saphyr::from_str_with_options::<Spanned<Raw>>(text, options);
    // Whether logfig's own budget (in the visitors below) stopped the parse:
    // then the error is the budget's message, as it is.
    let mut own_limit = false;
    if let Some((left, depth)) = TALLY.with(|t| t.borrow_mut().take()) {
        own_limit = left.exhausted() || depth > MAX_DEPTH;
        *budget = left;
    }
    match parsed {
        Ok(doc) => Ok(node(doc)),
        Err(e) => {
            let (line, column) = e
                .location()
                .map_or((0, 0), |l| (l.line() as u32, l.column() as u32));
            let message = match parser_limit(original(&e)) {
                Some(message) => message,
                None => {
                    let rendered = e.without_snippet().to_string();
                    // serde-saphyr prefixes its own position; ours is shown
                    // separately.
                    let message = rendered
                        .lines()
                        .next()
                        .unwrap_or("invalid YAML")
                        .trim_start_matches("error: ");
                    let message = strip_position(message);
                    if own_limit {
                        message
                    } else {
                        let message = duplicate_key(original(&e)).unwrap_or(message);
                        format!("invalid YAML: {message}")
                    }
                }
            };
            Err(Diagnostic::error("", message).at(line, column, None))
        }
    }
}

/// Takes `nodes` values holding `bytes` bytes from the parse's budget.
fn take<E: de::Error>(nodes: usize, bytes: usize) -> Result<(), E> {
    TALLY.with(|t| match t.borrow_mut().as_mut() {
        Some((budget, _)) => budget.take(nodes, bytes).map_err(E::custom),
        None => Ok(()),
    })
}

/// Enters (`1`) or leaves (`-1`) a list or mapping.
fn nest<E: de::Error>(step: isize) -> Result<(), E> {
    TALLY.with(|t| match t.borrow_mut().as_mut() {
        Some((_, depth)) => {
            *depth = depth.saturating_add_signed(step);
            if *depth > MAX_DEPTH {
                return Err(E::custom(too_deep()));
            }
            Ok(())
        }
        None => Ok(()),
    })
}

/// The error that `e` wraps (with an alias's location or a snippet).
fn original(mut e: &serde_saphyr::Error) -> &serde_saphyr::Error {
    use serde_saphyr::Error as E;
    while let E::AliasError { error, .. } | E::WithSnippet { error, .. } = e {
        e = error;
    }
    e
}

/// The budget's message for one of the parser's limits, which are set to
/// the budget's (the parser says `budget breached: Nodes { nodes: 250001 }`,
/// and so on).
fn parser_limit(e: &serde_saphyr::Error) -> Option<String> {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach as B;
    use serde_saphyr::granit_parser::ErrorKind as Scan;
    use serde_saphyr::localizer::ExternalMessageSource as Source;
    Some(match e {
        E::Budget {
            breach: B::Depth { .. } | B::InclusionDepth { .. },
            ..
        } => too_deep(),
        E::Budget {
            breach: B::ScalarBytes { .. } | B::InputBytes { .. } | B::RecordedAnchorBytes { .. },
            ..
        } => super::budget::too_many_bytes(),
        // These two have messages of their own, about properties (which a
        // config does not use).
        E::Budget {
            breach: B::PropertyExpansionDepth { .. } | B::PropertyInterpolationWork { .. },
            ..
        } => return None,
        E::Budget { .. }
        | E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => super::budget::too_many_nodes(),
        // The scanner's own limit on flow collections (255).
        E::ExternalMessage { source, .. } if matches!(&**source, Source::Parser(p) if matches!(p.kind(), Scan::RecursionLimitExceeded)) => {
            too_deep()
        }
        _ => return None,
    })
}

/// A duplicate key, named without the parser's advice on its options.
fn duplicate_key(e: &serde_saphyr::Error) -> Option<String> {
    match e {
        serde_saphyr::Error::DuplicateMappingKey { key, .. } => Some(match key {
            Some(key) => format!("duplicate key `{key}`"),
            None => "duplicate key".to_owned(),
        }),
        _ => None,
    }
}

/// Removes a trailing " at line X column Y" that the parser adds to its text.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn node(spanned: Spanned<Raw>) -> Node {
    let line = spanned.referenced.line() as u32;
    let column = spanned.referenced.column() as u32;
    Node::new(spanned.value.0, line, column)
}

/// A YAML value whose children keep their spans.
struct Raw(Value);

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw, E> {
        take(1, 0)?;
        Ok(Raw(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw, E> {
        take(1, 0)?;
        Ok(Raw(Value::Int(v.into())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
        take(1, 0)?;
        Ok(Raw(Value::Int(v.into())))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Raw, E> {
        take(1, 0)?;
        Ok(Raw(Value::Int(v)))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Raw, E> {
        take(1, 0)?;
        Ok(Raw(
            i128::try_from(v).map_or(Value::Float(v as f64), Value::Int)
        ))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
        take(1, 0)?;
        Ok(Raw(Value::Float(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
        take(1, v.len())?;
        Ok(Raw(Value::Str(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
        take(1, v.len())?;
        Ok(Raw(Value::Str(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
        take(1, 0)?;
        Ok(Raw(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
        take(1, 0)?;
        Ok(Raw(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        take(1, 0)?;
        nest(1)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Raw>>()? {
            items.push(node(item));
        }
        nest(-1)?;
        Ok(Raw(Value::Seq(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        take(1, 0)?;
        nest(1)?;
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<KeyText>>()? {
            let value = map.next_value::<Spanned<Raw>>()?;
            let key = Key {
                name: key.value.0,
                line: key.referenced.line() as u32,
                column: key.referenced.column() as u32,
            };
            entries.push((key, node(value)));
        }
        nest(-1)?;
        Ok(Raw(Value::Map(entries)))
    }
}

/// A mapping key of any scalar type, as text (`10: x` has the key `"10"`).
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyText, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scalar key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText, E> {
                take(0, v.len())?;
                Ok(KeyText(v.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeyText, E> {
                Ok(KeyText("null".into()))
            }
        }
        d.deserialize_any(V)
    }
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
}
