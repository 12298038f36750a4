//! The floors of `ARCHITECTURE.md`, enforced: every `crate::` path in `src/`
//! (the `use` lines, grouped and nested `use crate::{a::{b, c}, d}` forms,
//! and paths in code) is mapped to the top-level module it names; an import
//! of a module on a higher floor, an import through the crate root, a module
//! on no floor, and any circle between modules fail the test, naming the file
//! and line. The floor list is read from `ARCHITECTURE.md`, so the document
//! and the code cannot drift apart.
//!
//! Not counted: `#[cfg(test)]` (and `cfg(all(test, ...))`) modules (tests may use anything), comments and
//! string literals, `$crate::` paths in `macro_rules!` bodies (they resolve in
//! the crate that expands the macro: a user's, through the root's
//! re-exports), `lib.rs` (the root declares and re-exports every module), and
//! `src/bin/` (a separate crate that uses the public API).

// reason: test code fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// One `crate::` path: the file and line it is on, and the name after `crate::`.
#[derive(Debug)]
struct Use {
    file: PathBuf,
    line: usize,
    name: String,
}

/// The floors listed under `## Floors` in `ARCHITECTURE.md`: each numbered
/// line names its modules in backticks before the first ` — `.
fn floors_of(architecture: &str) -> Vec<Vec<String>> {
    let mut floors = Vec::new();
    let mut inside = false;
    for line in architecture.lines() {
        if line.starts_with("## ") {
            inside = line.trim() == "## Floors";
            continue;
        }
        if !inside {
            continue;
        }
        let t = line.trim_start();
        let Some(dot) = t.find(". ") else { continue };
        if dot == 0 || !t[..dot].chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let head = t[dot + 2..].split(" — ").next().unwrap_or("");
        let names: Vec<String> = head
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|n| n.trim_end_matches('/').trim_end_matches(".rs").to_owned())
            .collect();
        floors.push(names);
    }
    floors
}

/// `text` with comments, string and char literals blanked out (newlines
/// kept, so byte offsets still give line numbers).
fn mask_comments_and_strings(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |p| i + p);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let (mut depth, mut j) = (1, i + 2);
                while j < b.len() && depth > 0 {
                    if b[j] == b'/' && b.get(j + 1) == Some(&b'*') {
                        depth += 1;
                        j += 2;
                    } else if b[j] == b'*' && b.get(j + 1) == Some(&b'/') {
                        depth -= 1;
                        j += 2;
                    } else {
                        j += 1;
                    }
                }
                blank(&mut out, i, j);
                i = j;
            }
            b'r' if !ident_before(b, i)
                && matches!(b.get(i + 1), Some(b'"') | Some(b'#'))
                && raw_string_end(b, i + 1).is_some() =>
            {
                let end = raw_string_end(b, i + 1).unwrap_or(b.len());
                blank(&mut out, i, end);
                i = end;
            }
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let end = (j + 1).min(b.len());
                blank(&mut out, i, end);
                i = end;
            }
            // A char literal ('x', '\n', '"'); a lifetime ('a) has no closing quote.
            b'\'' => {
                let end = if b.get(i + 1) == Some(&b'\\') {
                    b[i + 2..]
                        .iter()
                        .position(|&c| c == b'\'')
                        .map(|p| i + 2 + p + 1)
                } else {
                    let ch = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                    (b.get(i + 1 + ch) == Some(&b'\'')).then_some(i + 2 + ch)
                };
                match end {
                    Some(end) => {
                        blank(&mut out, i, end);
                        i = end;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    out
}

fn ident_before(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

/// The end of a raw string whose `#`s or quote start at `i`.
fn raw_string_end(b: &[u8], mut i: usize) -> Option<usize> {
    let mut hashes = 0;
    while b.get(i) == Some(&b'#') {
        hashes += 1;
        i += 1;
    }
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    while j < b.len() {
        if b[j] == b'"'
            && b[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == b'#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(b.len())
}

/// Blanks every `#[cfg(test)] mod name { ... }` (or `cfg(all(test, ...))`)
/// block of masked text.
fn mask_test_modules(masked: &mut [u8]) {
    let text = String::from_utf8_lossy(masked).into_owned();
    let mut from = 0;
    while let Some(at) = text[from..].find("#[cfg(").map(|p| from + p) {
        // `cfg(test)` and `cfg(all(test, ...))` hold only under test.
        let attr_end = text[at..].find(")]").map_or(text.len(), |p| at + p + 2);
        let attr = &text[at..attr_end];
        if attr != "#[cfg(test)]" && !attr.starts_with("#[cfg(all(test,") {
            from = at + 1;
            continue;
        }
        let rest = &text[attr_end..];
        let trimmed = rest.trim_start();
        let after_vis = trimmed
            .strip_prefix("pub(crate) ")
            .or_else(|| trimmed.strip_prefix("pub "))
            .unwrap_or(trimmed);
        let is_mod = after_vis.starts_with("mod ")
            && after_vis
                .find(['{', ';'])
                .is_some_and(|p| after_vis.as_bytes()[p] == b'{');
        if !is_mod {
            from = at + 1;
            continue;
        }
        let open = at + text[at..].find('{').unwrap_or(0);
        let (mut depth, mut j) = (0usize, open);
        while j < masked.len() {
            match masked[j] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        let end = (j + 1).min(masked.len());
        for c in &mut masked[at..end] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
        from = j.min(text.len());
    }
}

/// The top-level names of the group that opens at `open` (`{a::{b, c}, d}`
/// gives `a`, `d`), with the offset of each.
fn group_names(b: &[u8], open: usize) -> Vec<(usize, String)> {
    let mut names = Vec::new();
    let (mut depth, mut j, mut expect) = (0usize, open, true);
    while j < b.len() {
        match b[j] {
            b'{' => {
                depth += 1;
                if depth == 1 {
                    expect = true;
                }
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            b',' if depth == 1 => expect = true,
            c if depth == 1 && expect && (c.is_ascii_alphabetic() || c == b'_') => {
                let end = b[j..]
                    .iter()
                    .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                    .map_or(b.len(), |p| j + p);
                names.push((j, String::from_utf8_lossy(&b[j..end]).into_owned()));
                expect = false;
                j = end;
                continue;
            }
            _ => {}
        }
        j += 1;
    }
    names
}

/// Every `crate::` path of one file, outside tests, comments and strings.
fn uses_in(file: &Path, text: &str) -> Vec<Use> {
    let mut masked = mask_comments_and_strings(text);
    mask_test_modules(&mut masked);
    let line_of = |at: usize| masked[..at].iter().filter(|&&c| c == b'\n').count() + 1;
    let mut uses = Vec::new();
    let needle = b"crate::";
    let mut i = 0;
    while i + needle.len() <= masked.len() {
        if &masked[i..i + needle.len()] != needle
            || (i > 0 && (masked[i - 1] == b'$' || ident_before(&masked, i)))
        {
            i += 1;
            continue;
        }
        let mut j = i + needle.len();
        while masked.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        if masked.get(j) == Some(&b'{') {
            for (at, name) in group_names(&masked, j) {
                if name != "self" {
                    uses.push(Use {
                        file: file.to_owned(),
                        line: line_of(at),
                        name,
                    });
                }
            }
        } else {
            let end = masked[j..]
                .iter()
                .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                .map_or(masked.len(), |p| j + p);
            if end > j {
                let name = String::from_utf8_lossy(&masked[j..end]).into_owned();
                uses.push(Use {
                    file: file.to_owned(),
                    line: line_of(i),
                    name,
                });
            }
        }
        i = j;
    }
    uses
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Every breach of `floors` under `src`: upward imports, imports through the
/// crate root, modules on no floor, circles. Empty when the tree is sound.
fn check(src: &Path, floors: &[Vec<String>]) -> Vec<String> {
    let floor_of: BTreeMap<&str, usize> = floors
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.iter().map(move |m| (m.as_str(), i + 1)))
        .collect();
    let mut modules = BTreeSet::new();
    for e in fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() && name != "bin" {
            modules.insert(name);
        } else if let Some(stem) = name.strip_suffix(".rs")
            && stem != "lib"
            && stem != "main"
        {
            modules.insert(stem.to_owned());
        }
    }
    let mut problems = Vec::new();
    for m in &modules {
        if !floor_of.contains_key(m.as_str()) {
            problems.push(format!("module `{m}` is on no floor of ARCHITECTURE.md"));
        }
    }
    for m in floor_of.keys() {
        if !modules.contains(*m) {
            problems.push(format!(
                "ARCHITECTURE.md lists `{m}`, which is no module of src/"
            ));
        }
    }
    let mut files = Vec::new();
    rust_files(src, &mut files);
    // edges[a][b]: the first place where module a imports module b.
    let mut edges: BTreeMap<String, BTreeMap<String, (PathBuf, usize)>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let from = top.trim_end_matches(".rs").to_owned();
        if from == "lib" || from == "main" || from == "bin" {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        // Named from the crate root (`src/graph/mod.rs`), as people say them.
        let shown = file
            .strip_prefix(src.parent().unwrap_or(src))
            .unwrap_or(&file);
        for u in uses_in(shown, &text) {
            let at = format!("{}:{}", u.file.display(), u.line);
            if !modules.contains(&u.name) {
                problems.push(format!(
                    "{at}: `{from}` imports `crate::{}` through the crate root; import it from \
                     the module that defines it",
                    u.name
                ));
                continue;
            }
            if u.name == from {
                continue;
            }
            if let (Some(&a), Some(&b)) =
                (floor_of.get(from.as_str()), floor_of.get(u.name.as_str()))
                && b > a
            {
                problems.push(format!(
                    "{at}: `{from}` (floor {a}) imports `{}` (floor {b}), a floor above it",
                    u.name
                ));
            }
            edges
                .entry(from.clone())
                .or_default()
                .entry(u.name)
                .or_insert((u.file, u.line));
        }
    }
    for circle in circles(&edges) {
        let steps: Vec<String> = circle
            .iter()
            .zip(circle.iter().cycle().skip(1))
            .map(|(a, b)| {
                let (file, line) = &edges[a][b];
                format!("`{a}` -> `{b}` ({}:{line})", file.display())
            })
            .collect();
        problems.push(format!("import circle: {}", steps.join(", ")));
    }
    problems
}

/// One cycle through each group of modules that reach each other (the
/// strongly connected components with more than one module).
fn circles(edges: &BTreeMap<String, BTreeMap<String, (PathBuf, usize)>>) -> Vec<Vec<String>> {
    let nodes: BTreeSet<&String> = edges
        .iter()
        .flat_map(|(a, to)| std::iter::once(a).chain(to.keys()))
        .collect();
    let reaches = |from: &String, to: &String| {
        // Breadth-first path from `from` to `to`, as the modules on it.
        let mut prev: BTreeMap<&String, &String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(n) = queue.pop_front() {
            for next in edges.get(n).into_iter().flat_map(BTreeMap::keys) {
                if next == to {
                    let mut path = vec![n.clone()];
                    let mut cur = n;
                    while cur != from {
                        cur = prev[cur];
                        path.push(cur.clone());
                    }
                    path.reverse();
                    return Some(path);
                }
                if next != from && !prev.contains_key(next) {
                    prev.insert(next, n);
                    queue.push_back(next);
                }
            }
        }
        None
    };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut found = Vec::new();
    for n in nodes {
        if seen.contains(n) {
            continue;
        }
        if let Some(cycle) = reaches(n, n)
            && cycle.len() > 1
        {
            seen.extend(cycle.iter().cloned());
            found.push(cycle);
        }
    }
    found
}

#[test]
fn src_imports_only_down_the_floors_of_architecture_md() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let architecture = fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let floors = floors_of(&architecture);
    assert!(
        floors.len() >= 5,
        "ARCHITECTURE.md lists no floors under `## Floors`: {floors:?}"
    );
    let problems = check(&root.join("src"), &floors);
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_checker_finds_circles_upward_imports_and_root_imports() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    fs::create_dir_all(src.join("low")).unwrap();
    fs::write(
        src.join("lib.rs"),
        "mod low;\nmod mid;\nmod high;\npub use mid::M;\n",
    )
    .unwrap();
    // `low` reaches up to `high` from inside a nested group, on line 4.
    fs::write(
        src.join("low/mod.rs"),
        "mod inner;\n// use crate::high; a comment\nuse crate::{\n    high::{A, B}, low::C};\n\
         const S: &str = \"crate::mid\";\nconst Q: char = '\"';\n\
         #[cfg(test)]\nmod tests {\n    use crate::mid::M;\n}\n",
    )
    .unwrap();
    fs::write(src.join("low/inner.rs"), "pub fn f() {}\n").unwrap();
    // `mid` imports through the root on line 2; its macro's `$crate::` is not an import.
    fs::write(
        src.join("mid.rs"),
        "use crate::low::C;\nuse crate::M;\nmacro_rules! m { () => { $crate::high::A } }\n\
         #[cfg(all(test, feature = \"yaml\"))]\nmod tests {\n    use crate::high::A;\n}\n\
         #[cfg(any(test, feature = \"x\"))]\nmod real {\n    use crate::low::C;\n}\n",
    )
    .unwrap();
    // `high` imports `low` in code: with `low -> high` above, a circle.
    fs::write(
        src.join("high.rs"),
        "pub fn g() { crate::low::inner::f() }\n",
    )
    .unwrap();
    let floors = floors_of(
        "# A\n## Floors\n1. `low/` — the ground\n2. `mid.rs` — middle\n3. `high` — top\n## Next\n4. `x` — not a floor\n",
    );
    assert_eq!(floors, [vec!["low"], vec!["mid"], vec!["high"]]);
    let problems = check(&src, &floors);
    let (low, mid) = ("src/low/mod.rs", "src/mid.rs");
    assert!(
        problems.iter().any(|p| p.starts_with(&format!(
            "{low}:4: `low` (floor 1) imports `high` (floor 3)"
        ))),
        "{problems:#?}"
    );
    assert!(
        problems.iter().any(|p| p.starts_with(&format!(
            "{mid}:2: `mid` imports `crate::M` through the crate root"
        ))),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("import circle: `high` -> `low`")
                && p.contains("`low` -> `high`")),
        "{problems:#?}"
    );
    // Nothing else: not the comment, the string, the test module or `$crate`.
    assert_eq!(problems.len(), 3, "{problems:#?}");

    // A module that no floor lists.
    let problems = check(&src, &floors[..2]);
    assert!(
        problems
            .iter()
            .any(|p| p == "module `high` is on no floor of ARCHITECTURE.md"),
        "{problems:#?}"
    );
    let mut stale = floors.clone();
    stale.push(vec!["gone".to_owned()]);
    let problems = check(&src, &stale);
    assert!(
        problems
            .iter()
            .any(|p| p == "ARCHITECTURE.md lists `gone`, which is no module of src/"),
        "{problems:#?}"
    );

    // The sound tree passes.
    fs::write(
        src.join("low/mod.rs"),
        "mod inner;\nuse crate::low::inner::f;\n",
    )
    .unwrap();
    fs::write(src.join("mid.rs"), "use crate::low::C;\n").unwrap();
    assert_eq!(check(&src, &floors), Vec::<String>::new());
}
