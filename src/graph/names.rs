//! [`Names`]: values by name, for the tables the crate keeps for itself.

use std::fmt;

/// Values by name, in the names' order (as a `BTreeMap<String, V>` keeps
/// them): the handlers of a graph, the formatters and filters its check
/// compiled, the registered factories, the level overrides.
///
/// A sorted vector of names beside a vector of values, not a `BTreeMap`:
/// these tables are built once per graph (or per call of a rare API) and
/// looked up on building and reloading only, never per record. A
/// `BTreeMap<String, V>` compiles a B-tree of its own for every `V`
/// (about 3,000 lines of LLVM IR each, a measurable part of the crate's
/// build); here the search is one function for every `V`, and what is
/// generic is a few `Vec` operations.
#[derive(Clone)]
pub(crate) struct Names<V> {
    /// Sorted, unique.
    keys: Vec<String>,
    /// `values[i]` is the value of `keys[i]`.
    values: Vec<V>,
}

/// Where `name` is in `keys`, or where it would go: the one search.
fn find(keys: &[String], name: &str) -> Result<usize, usize> {
    keys.binary_search_by(|k| k.as_str().cmp(name))
}

impl<V> Default for Names<V> {
    fn default() -> Self {
        Names {
            keys: Vec::new(),
            values: Vec::new(),
        }
    }
}

impl<V> Names<V> {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub(crate) fn get(&self, name: &str) -> Option<&V> {
        self.values.get(find(&self.keys, name).ok()?)
    }

    /// The stored name and its value.
    pub(crate) fn get_key_value(&self, name: &str) -> Option<(&String, &V)> {
        let i = find(&self.keys, name).ok()?;
        Some((self.keys.get(i)?, self.values.get(i)?))
    }

    /// Sets the value of `name`; returns the value it replaces. Moves the
    /// entries after `name`: many entries go in in name order (each at the
    /// end), as the graph's handlers do.
    pub(crate) fn insert(&mut self, name: String, value: V) -> Option<V> {
        match find(&self.keys, &name) {
            Ok(i) => self
                .values
                .get_mut(i)
                .map(|old| std::mem::replace(old, value)),
            Err(i) => {
                self.keys.insert(i, name);
                self.values.insert(i, value);
                None
            }
        }
    }

    pub(crate) fn remove(&mut self, name: &str) -> Option<V> {
        let i = find(&self.keys, name).ok()?;
        self.keys.remove(i);
        Some(self.values.remove(i))
    }

    /// Keeps the entries whose value `keep` accepts, in one pass: each kept
    /// entry is swapped down to the next free place, which keeps their
    /// order; the rest end up past `kept` and are dropped.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        let mut kept = 0;
        for i in 0..self.values.len() {
            if keep(&self.values[i]) {
                self.keys.swap(kept, i);
                self.values.swap(kept, i);
                kept += 1;
            }
        }
        self.keys.truncate(kept);
        self.values.truncate(kept);
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.keys.iter().zip(&self.values)
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &String> {
        self.keys.iter()
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.values.iter()
    }
}

impl<V: fmt::Debug> fmt::Debug for Names<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_names_sorted_and_unique_as_a_btreemap_does() {
        let mut n = Names::new();
        for (k, v) in [("b", 1), ("a", 2), ("c", 3), ("a", 4)] {
            n.insert(k.to_owned(), v);
        }
        let mut b = std::collections::BTreeMap::new();
        for (k, v) in [("b", 1), ("a", 2), ("c", 3), ("a", 4)] {
            b.insert(k.to_owned(), v);
        }
        assert!(n.iter().eq(b.iter()));
        assert_eq!(format!("{n:?}"), format!("{b:?}"));
        assert_eq!(n.get("a"), Some(&4));
        assert_eq!(n.get("z"), None);
        assert_eq!(n.get_key_value("c"), Some((&"c".to_owned(), &3)));
        assert_eq!(n.insert("c".to_owned(), 5), Some(3));
        assert_eq!(n.remove("b"), Some(1));
        assert_eq!(n.remove("b"), None);
        n.retain(|v| *v != 4);
        assert_eq!(n.keys().collect::<Vec<_>>(), ["c"]);
        for (k, v) in [("a", 1), ("b", 2), ("d", 4), ("e", 5)] {
            n.insert(k.to_owned(), v);
        }
        n.retain(|v| v % 2 == 1);
        assert_eq!(
            n.iter().collect::<Vec<_>>(),
            [
                (&"a".to_owned(), &1),
                (&"c".to_owned(), &5),
                (&"e".to_owned(), &5)
            ]
        );
        n.retain(|v| *v == 1);
        assert_eq!(n.values().collect::<Vec<_>>(), [&1]);
        assert_eq!(n.len(), 1);
        assert!(!n.is_empty());
    }
}
