//! The guide's YAML and INI examples (`src/guide/*.md`, shown on docs.rs as
//! `logfig::guide`) and the README's load: a key renamed or a value the loader
//! refuses fails here, not in a reader's program. An example that shows only
//! part of a file (no `version:`) is loaded as a file of its own, where a
//! name it refers to but does not define is the one problem allowed; a
//! secret written as `${VAR}` (as the guide advises) is given a value.

use std::path::Path;

use logfig::{Config, Format};

/// The ```{lang} blocks of `text`, with the line each starts on.
fn code_blocks(text: &str, lang: &str) -> Vec<(usize, String)> {
    let fence = format!("```{lang}");
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut open, line.trim_start()) {
            (None, l) if l == fence => open = Some((i + 2, String::new())),
            (Some(_), "```") => blocks.extend(open.take()),
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// A diagnostic at a key that names another entry (a formatter, a handler, a
/// filter, a memory handler's target): in a partial example, what it names
/// is elsewhere in the reader's file.
fn is_reference(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    last == "formatter"
        || last == "target"
        || last.starts_with("handlers[")
        || last.starts_with("filters[")
}

/// `text` with every `${VAR}` that has no default given one, as the reader's
/// environment would: the examples keep secrets out of the file that way.
/// Long enough for a control token (16 bytes at least).
fn with_env_defaults(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        // `$${` is a literal `${`, not a variable.
        let literal = rest[..at].ends_with('$');
        out.push_str(&rest[..at + 2]);
        rest = &rest[at + 2..];
        let end = rest.find('}').unwrap_or(rest.len());
        out.push_str(&rest[..end]);
        if !literal && !rest[..end].contains(":-") {
            out.push_str(":-example-value-0123");
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn pages() -> Vec<std::path::PathBuf> {
    let mut pages: Vec<_> = std::fs::read_dir("src/guide")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    pages.push(Path::new("README.md").to_path_buf());
    pages
}

#[test]
fn every_yaml_and_ini_example_loads() {
    let mut problems = Vec::new();
    let mut loaded = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (line, ini) in code_blocks(&text, "ini") {
            loaded += 1;
            if let Err(err) = Config::from_str(&ini, Format::Ini) {
                problems.push(format!("{}:{line}: {err}", page.display()));
            }
        }
        for (line, yaml) in code_blocks(&text, "yaml") {
            let whole = yaml.lines().any(|l| l.starts_with("version:"));
            let yaml = with_env_defaults(&yaml);
            let file = if whole {
                yaml
            } else {
                format!("version: 1\n{yaml}")
            };
            loaded += 1;
            let Err(err) = Config::from_str(&file, Format::Yaml) else {
                continue;
            };
            let real: Vec<_> = err
                .diagnostics()
                .iter()
                .filter(|d| whole || !is_reference(d.path()))
                .collect();
            if !real.is_empty() || err.diagnostics().is_empty() {
                problems.push(format!("{}:{line}: {err}", page.display()));
            }
        }
    }
    assert!(
        loaded >= 10,
        "found only {loaded} YAML and INI examples: has the guide moved?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn unset_variables_get_a_default_and_others_stay() {
    assert_eq!(
        with_env_defaults("a: ${A}\nb: ${B:-x}\nc: $${C}\n"),
        "a: ${A:-example-value-0123}\nb: ${B:-x}\nc: $${C}\n"
    );
}

#[test]
fn code_blocks_are_found_by_language_with_their_lines() {
    let text = "intro\n```yaml\nversion: 1\n```\n```rust\nfn main() {}\n```\n";
    assert_eq!(code_blocks(text, "yaml"), [(3, "version: 1\n".to_string())]);
    assert_eq!(
        code_blocks(text, "rust"),
        [(6, "fn main() {}\n".to_string())]
    );
}
