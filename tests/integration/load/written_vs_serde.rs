//! logfig writes a config out by hand (`logfig fmt`, and the check of a
//! config built in code, which loads what is written), so its default build
//! compiles no serde derive; the `serde` feature derives `Serialize` on the
//! same types. The two must write the same value, secrets masked and shown:
//! checked here over every config the suite loads (the valid fixtures, the
//! examples, the Python corpora) and every instance generated from the
//! schema, which sets each property of each type in turn.

use std::path::{Path, PathBuf};

use logfig::__internal::{serialized, written};
use logfig::{Config, Format};

/// Config files in `dir` and its subfolders, sorted.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if Format::from_path(&p).is_some()
            || p.extension().is_some_and(|e| e == "ini" || e == "conf")
        {
            out.push(p);
        }
    }
}

/// The configs that load, by where they came from.
fn corpus() -> Vec<(String, Config)> {
    let mut paths = Vec::new();
    for dir in [
        "tests/fixtures/valid",
        "examples",
        "tests/python_compat",
        "tests/python_real",
    ] {
        files(Path::new(dir), &mut paths);
    }
    paths.sort();
    // The Python corpora write their output folder as a variable the
    // CPython comparisons set; nothing is opened at load.
    let dir = tempfile::tempdir().unwrap();
    let mut configs: Vec<(String, Config)> = Vec::new();
    for p in &paths {
        let text = std::fs::read_to_string(p).unwrap();
        let copy = dir.path().join(p.file_name().unwrap());
        std::fs::write(&copy, text.replace("${LOGFIG_COMPAT_DIR}", "/var/log/app")).unwrap();
        if let Ok(c) = Config::from_path(&copy) {
            configs.push((p.display().to_string(), c));
        }
    }
    let schema = logfig::schema();
    for section in super::schema_instances::sections(&schema) {
        let tried = section.properties.iter().flat_map(|(_, tried)| tried);
        for instance in std::iter::once(&section.seed).chain(tried.map(|(_, i)| i)) {
            if let Ok(c) = Config::from_str(&instance.to_string(), Format::Json) {
                configs.push((instance.to_string(), c));
            }
        }
    }
    configs
}

#[test]
fn written_by_hand_as_serde_writes_it() {
    let configs = corpus();
    let from_files = configs.iter().filter(|(n, _)| !n.starts_with('{')).count();
    assert!(from_files > 100, "only {from_files} config files load");
    assert!(configs.len() > 1000, "only {} configs", configs.len());
    let mut differ = Vec::new();
    for (name, config) in &configs {
        for show in [false, true] {
            let ours = written(config, show);
            let serde = serialized(config, show);
            if ours != serde {
                differ.push(format!(
                    "{name} (secrets shown: {show}):\n  by hand: {ours:?}\n  serde:   {serde:?}"
                ));
            }
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} configs written differently:\n\n{}",
        differ.len(),
        configs.len(),
        differ.join("\n\n")
    );
}
