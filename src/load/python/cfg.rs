//! `cfg://` references: Python's `BaseConfigurator.cfg_convert`, on the tree.

use std::collections::{HashMap, HashSet};

use super::Translator;
use crate::load::budget::{MAX_DEPTH, too_deep};
use crate::load::node::{Node, Trail, Value};

/// The config as written, which `cfg://` paths name.
pub(super) struct Snapshot<'n> {
    pub(super) root: &'n Node,
    /// The keys of the big mappings looked into, by the mapping's address:
    /// scanning a 20,000-key mapping for each of 20,000 references is
    /// quadratic. Built on first use.
    pub(super) index: HashMap<usize, HashMap<&'n str, usize>>,
}

/// Mappings with more keys than this are indexed.
const SCAN_KEYS: usize = 16;

impl<'n> Snapshot<'n> {
    /// The value of `key` in the mapping `node`.
    fn child(&mut self, node: &'n Node, key: &str) -> Option<&'n Node> {
        let Value::Map(entries) = &node.value else {
            return None;
        };
        if entries.len() <= SCAN_KEYS {
            return entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v);
        }
        let index = self
            .index
            .entry(std::ptr::from_ref(node) as usize)
            .or_insert_with(|| {
                let mut index = HashMap::with_capacity(entries.len());
                for (i, (k, _)) in entries.iter().enumerate() {
                    // The first of duplicate keys, as a scan finds it.
                    index.entry(k.name.as_str()).or_insert(i);
                }
                index
            });
        index.get(key).map(|&i| &entries[i].1)
    }
}

/// The values, text bytes and nesting depth of the tree at `node`, or `None`
/// as soon as it holds more than `nodes` values or `bytes` bytes.
fn size(node: &Node, nodes: usize, bytes: usize) -> Option<(usize, usize, usize)> {
    let (mut n, mut b, mut d) = (1, 0, 0);
    let children: Box<dyn Iterator<Item = (usize, &Node)>> = match &node.value {
        Value::Str(s) => {
            b = s.len();
            Box::new(std::iter::empty())
        }
        Value::Seq(items) => Box::new(items.iter().map(|i| (0, i))),
        Value::Map(entries) => Box::new(entries.iter().map(|(k, v)| (k.name.len(), v))),
        _ => Box::new(std::iter::empty()),
    };
    for (key_bytes, child) in children {
        b += key_bytes;
        let (cn, cb, cd) = size(child, nodes.checked_sub(n)?, bytes.checked_sub(b)?)?;
        n += cn;
        b += cb;
        d = d.max(cd + 1);
    }
    (n <= nodes && b <= bytes).then_some((n, b, d))
}

impl Translator<'_, '_> {
    /// Replaces every `cfg://` string by the value it names, as Python's
    /// `BaseConfigurator.cfg_convert` does. In the places that name a handler
    /// (a memory handler's `target`, a `handlers` list), `cfg://handlers.x`
    /// means the handler `x`. Each copy is taken from the budget, and a chain
    /// of references may be [`MAX_DEPTH`] long.
    pub(super) fn resolve_cfg<'n>(
        &mut self,
        node: &mut Node,
        trail: &Trail<'_>,
        key: Option<&str>,
        snapshot: &mut Snapshot<'n>,
        referenced: &mut HashSet<String>,
        depth: usize,
    ) {
        if self.d.exhausted() {
            return;
        }
        match &mut node.value {
            Value::Str(s) if s.starts_with("cfg://") => {
                let reference = s.clone();
                let names_handler = matches!(key, Some("target" | "handlers"));
                if names_handler {
                    if let Some(name) = handler_reference(&reference, snapshot) {
                        node.value = Value::Str(name);
                        return;
                    }
                }
                let mut seen = vec![reference.clone()];
                let mut current = reference;
                let error = |t: &mut Self, node: &Node, message: String| {
                    t.error(&trail.render(), node.line, node.column, message);
                };
                loop {
                    let first = current["cfg://".len()..]
                        .split(['.', '['])
                        .next()
                        .unwrap_or("");
                    referenced.insert(first.to_owned());
                    let target = match lookup(snapshot, &current["cfg://".len()..]) {
                        Ok(target) => target,
                        Err(why) => {
                            let message = format!("cannot resolve `{}`: {why}", excerpt(&current));
                            error(self, node, message);
                            return;
                        }
                    };
                    let chained = match &target.value {
                        Value::Str(next) if next.starts_with("cfg://") => Some(next),
                        _ => None,
                    };
                    if let Some(next) = chained {
                        if seen.contains(next) {
                            let chain: Vec<String> = seen.iter().map(|s| excerpt(s)).collect();
                            let message = format!(
                                "`cfg://` references form a cycle: `{}` → `{}`",
                                chain.join("` → `"),
                                excerpt(next)
                            );
                            error(self, node, message);
                            return;
                        }
                        if seen.len() >= MAX_DEPTH {
                            let message = format!(
                                "`cfg://` references chain more than {MAX_DEPTH} deep from `{}`",
                                excerpt(&seen[0])
                            );
                            error(self, node, message);
                            return;
                        }
                        seen.push(next.clone());
                        current = next.clone();
                        continue;
                    }
                    // The copy, as the budget sees it: this string's bytes
                    // were taken already, and are given back by the copy.
                    let fits = size(
                        target,
                        self.d.budget.nodes_left(),
                        self.d.budget.bytes_left().saturating_add(s.len()),
                    );
                    let Some((nodes, bytes, nested)) = fits else {
                        let _ = self.d.budget.take(usize::MAX, 0);
                        let message = format!(
                            "{}: `{}` copies too much",
                            crate::load::budget::too_many_nodes(),
                            excerpt(&seen[0])
                        );
                        error(self, node, message);
                        return;
                    };
                    if depth + nested > MAX_DEPTH {
                        let message = format!(
                            "{}: `{}` copies a deep value",
                            too_deep(),
                            excerpt(&seen[0])
                        );
                        error(self, node, message);
                        return;
                    }
                    if let Err(message) = self
                        .d
                        .budget
                        .take(nodes.saturating_sub(1), bytes.saturating_sub(s.len()))
                    {
                        error(self, node, message);
                        return;
                    }
                    node.value = target.value.clone();
                    node.expanded = target.expanded;
                    return;
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let t = Trail::Index(trail, i);
                    self.resolve_cfg(item, &t, key, snapshot, referenced, depth + 1);
                }
            }
            Value::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    let t = Trail::Key(trail, &k.name);
                    self.resolve_cfg(v, &t, Some(&k.name), snapshot, referenced, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// `cfg://handlers.x` (and nothing more) naming a defined handler: its name.
fn handler_reference(reference: &str, snapshot: &mut Snapshot<'_>) -> Option<String> {
    let rest = reference.strip_prefix("cfg://handlers")?;
    let name = if let Some(n) = rest.strip_prefix('.') {
        n
    } else {
        rest.strip_prefix('[')?.strip_suffix(']')?
    };
    let handlers = snapshot.child(snapshot.root, "handlers")?;
    snapshot.child(handlers, name).map(|_| name.to_owned())
}

/// The first 60 characters of `s`, for messages.
fn excerpt(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_owned(),
    }
}

/// Follows a `cfg://` path (`handlers.email.toaddrs[0]`, `handlers[email]`) as
/// Python's `cfg_convert`: a first word, then `.key` or `[key]` (`[0]`
/// indexes a list).
fn lookup<'n>(snapshot: &mut Snapshot<'n>, path: &str) -> Result<&'n Node, String> {
    let word_end = path.find(['.', '[']).unwrap_or(path.len());
    let (first, mut rest) = path.split_at(word_end);
    if first.is_empty() {
        return Err("expected a key after `cfg://`".into());
    }
    let mut node = snapshot
        .child(snapshot.root, first)
        .ok_or_else(|| format!("the config has no key `{}`", excerpt(first)))?;
    // How far the path was followed, as a length of `path`: building the
    // walked text at each step would copy it again for every key.
    let mut walked = first.len();
    while !rest.is_empty() {
        let (key, index) = if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let (k, r) = r.split_at(end);
            rest = r;
            (k, false)
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r
                .find(']')
                .ok_or_else(|| format!("unclosed `[` after `{}`", excerpt(&path[..walked])))?;
            let k = &r[..end];
            rest = &r[end + 1..];
            (k, true)
        } else {
            return Err(format!(
                "unexpected `{}` after `{}`",
                excerpt(rest),
                excerpt(&path[..walked])
            ));
        };
        let next = match (&node.value, index) {
            (Value::Seq(items), true) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            (Value::Map(_), _) => snapshot.child(node, key),
            _ => None,
        };
        node = next.ok_or_else(|| {
            format!(
                "`{}` has no entry `{}`",
                excerpt(&path[..walked]),
                excerpt(key)
            )
        })?;
        walked = path.len() - rest.len();
    }
    Ok(node)
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;

    #[test]
    fn cfg_lookup_follows_keys_and_indexes() {
        let root = crate::load::yaml::parse(
            "a:\n  b: [x, {c: 1}]\n  'd': 2\n",
            &mut crate::load::budget::Budget::new(),
        )
        .unwrap();
        let mut s = Snapshot {
            root: &root,
            index: HashMap::new(),
        };
        assert_eq!(lookup(&mut s, "a.b[1].c").unwrap().value, Value::Int(1));
        assert_eq!(lookup(&mut s, "a[d]").unwrap().value, Value::Int(2));
        assert!(lookup(&mut s, "a.z").unwrap_err().contains("no entry `z`"));
        assert!(lookup(&mut s, "q").is_err());
    }
}
