//! The one budget of a config: how much it may make logfig hold and how deep
//! it may make logfig recurse.
//!
//! A config grows in memory in more ways than its size: YAML aliases repeat
//! anchored values, `cfg://` references copy whole subtrees (20,000 of them to
//! a 20,000-item list once allocated 6 GB), `${VAR}` inserts the environment,
//! and every value's config path is kept to place later diagnostics. It
//! recurses with nesting: lists and mappings, `${X:-${X:-…}}` defaults,
//! `cfg://` chains (100,000 nested defaults overflowed the reload thread's
//! stack and aborted the process). All of these draw on one [`Budget`] per
//! load, with the limits below; going over is an error at the position where
//! it happened, found in time and memory proportional to the limits.

use crate::error::Diagnostic;

/// The most values (scalars, lists and mappings) a config may hold, counted
/// after YAML aliases and `cfg://` references are expanded. A large real
/// config has a few thousand.
pub(crate) const MAX_NODES: usize = 250_000;

/// The longest config text, in bytes. It bounds what the parsers hold while
/// they read, before any value is counted: the TOML parser's tokens and
/// events take about 80 bytes per byte of text. The largest real configs are
/// a few hundred kilobytes.
pub(crate) const MAX_TEXT: usize = 2 << 20;

/// The most bytes of text a config may make logfig hold: in total the text
/// of its keys and strings after YAML aliases, `cfg://` copies and `${VAR}`
/// expansion, plus the config paths kept to place diagnostics.
pub(crate) const MAX_BYTES: usize = 16 << 20;

/// The deepest nesting of lists and mappings, of `${...}` inside defaults, and
/// the longest chain of `cfg://` references. Deep enough for any config (they
/// nest five or six levels); shallow enough for the reload thread's stack
/// (std's default, 2 MiB) even in a debug build, where the YAML parser takes
/// about 45 KiB of stack per level.
pub(crate) const MAX_DEPTH: usize = 32;

/// What is left of the budget of one load.
#[derive(Debug)]
pub(crate) struct Budget {
    nodes: usize,
    bytes: usize,
    /// Why a `take` failed, once one has.
    exhausted: Option<fn() -> String>,
}

impl Budget {
    pub(crate) fn new() -> Budget {
        Budget {
            nodes: MAX_NODES,
            bytes: MAX_BYTES,
            exhausted: None,
        }
    }

    /// Takes `nodes` values holding `bytes` bytes of text; the message when
    /// that is more than is left (and from then on, every time).
    pub(crate) fn take(&mut self, nodes: usize, bytes: usize) -> Result<(), String> {
        if let Some(why) = self.exhausted {
            return Err(why());
        }
        let why: fn() -> String =
            match (self.nodes.checked_sub(nodes), self.bytes.checked_sub(bytes)) {
                (Some(n), Some(b)) => {
                    self.nodes = n;
                    self.bytes = b;
                    return Ok(());
                }
                (None, _) => too_many_nodes,
                (_, None) => too_many_bytes,
            };
        self.exhausted = Some(why);
        Err(why())
    }

    /// Values still free, for work that must stop before it overspends.
    pub(crate) fn nodes_left(&self) -> usize {
        self.nodes
    }

    /// Bytes still free, for work that must stop before it overspends.
    pub(crate) fn bytes_left(&self) -> usize {
        self.bytes
    }

    /// Whether a `take` has failed: the load stops as soon as it can.
    pub(crate) fn exhausted(&self) -> bool {
        self.exhausted.is_some()
    }
}

pub(crate) fn too_many_nodes() -> String {
    format!(
        "the config holds more than {MAX_NODES} values (YAML aliases and `cfg://` copies count as often as they are used)"
    )
}

pub(crate) fn too_many_bytes() -> String {
    format!(
        "the config holds more than {} MiB of text (YAML aliases, `cfg://` copies and `${{VAR}}` values count as often as they are used)",
        MAX_BYTES >> 20
    )
}

pub(crate) fn too_deep() -> String {
    format!("lists and mappings nest more than {MAX_DEPTH} levels deep")
}

/// The refusal of a text longer than [`MAX_TEXT`], placed where the limit
/// falls.
pub(crate) fn text_too_long(text: &str) -> Option<Diagnostic> {
    if text.len() <= MAX_TEXT {
        return None;
    }
    let mut at = MAX_TEXT;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let (line, column) = super::node::line_col(text, at);
    Some(
        Diagnostic::error(
            "",
            format!(
                "the config is {} bytes long; logfig reads configs of at most {} MiB",
                text.len(),
                MAX_TEXT >> 20
            ),
        )
        .at(line, column, None),
    )
}

#[cfg(test)]
#[cfg(all(feature = "yaml", feature = "toml"))] // the bombs come in every format
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::load::Format;

    /// The stack the reload thread gets: std's default for spawned threads.
    const RELOAD_STACK: usize = 2 << 20;

    /// Loads `text` on a thread with the reload thread's stack, as a hot
    /// edit would be.
    fn load_on_small_stack(text: String, format: Format) -> Result<crate::config::Config, Error> {
        load_with_env_on_small_stack(text, format, |_| None)
    }

    fn load_with_env_on_small_stack(
        text: String,
        format: Format,
        env: fn(&str) -> Option<String>,
    ) -> Result<crate::config::Config, Error> {
        std::thread::Builder::new()
            .stack_size(RELOAD_STACK)
            .spawn(move || {
                super::super::load_with_env(&text, format, None, &env).map(|(config, _)| config)
            })
            .unwrap()
            .join()
            .unwrap()
    }

    fn refused(r: Result<crate::config::Config, Error>, message: &str) -> crate::error::Diagnostic {
        let e = r.unwrap_err();
        let d = e
            .diagnostics()
            .iter()
            .find(|d| d.message().contains(message))
            .unwrap_or_else(|| panic!("no `{message}` in:\n{e}"))
            .clone();
        assert!(d.line() > 0, "{d}");
        d
    }

    const DEPTH: usize = 100_000;

    #[test]
    fn deep_nesting_is_refused_in_every_format_on_the_reload_threads_stack() {
        let deep = [
            (
                Format::Yaml,
                format!(
                    "version: 1\nx: {}{}\n",
                    "[".repeat(DEPTH),
                    "]".repeat(DEPTH)
                ),
            ),
            (
                Format::Yaml,
                format!(
                    "version: 1\nx: {}1{}\n",
                    "{a: ".repeat(DEPTH),
                    "}".repeat(DEPTH)
                ),
            ),
            (
                Format::Yaml,
                format!(
                    "version: 1\nx:\n{}",
                    (1..2000)
                        .map(|i| format!("{}- \n", " ".repeat(i)))
                        .collect::<String>()
                ),
            ),
            (
                Format::Json,
                format!(
                    "{{\"version\": 1, \"x\": {}{}}}",
                    "[".repeat(DEPTH),
                    "]".repeat(DEPTH)
                ),
            ),
            (
                Format::Toml,
                format!(
                    "version = 1\nx = {}{}\n",
                    "[".repeat(DEPTH),
                    "]".repeat(DEPTH)
                ),
            ),
            (
                Format::Toml,
                format!(
                    "version = 1\nx = {}1{}\n",
                    "{a = ".repeat(DEPTH),
                    "}".repeat(DEPTH)
                ),
            ),
            (
                Format::Toml,
                format!("version = 1\nx{} = 1\n", ".a".repeat(DEPTH)),
            ),
            (
                Format::Toml,
                format!("version = 1\n[x{}]\n", ".a".repeat(DEPTH)),
            ),
        ];
        for (format, text) in deep {
            let e = load_on_small_stack(text, format).unwrap_err();
            let shown = e.to_string();
            assert!(
                shown.contains(": lists and mappings nest more than 32 levels deep"),
                "{format:?}: {}",
                &shown[..shown.len().min(300)]
            );
            assert!(e.diagnostics()[0].line() > 0, "{format:?}: {shown}");
        }
    }

    #[test]
    fn nesting_at_the_limit_loads_on_the_reload_threads_stack() {
        // The root, `handlers` and `h` are three levels: `options` nests the rest.
        let config = |format: Format, n: usize| {
            let nest = |open: &str, close: &str| format!("{}1{}", open.repeat(n), close.repeat(n));
            match format {
                Format::Yaml => format!(
                    "version: 1\nhandlers:\n  h: {{ type: custom, factory: f, options: {} }}\n",
                    nest("[", "]")
                ),
                Format::Json => format!(
                    "{{\"version\": 1, \"handlers\": {{\"h\": {{\"type\": \"custom\", \"factory\": \"f\", \"options\": {}}}}}}}",
                    nest("{\"a\": ", "}")
                ),
                _ => format!(
                    "version = 1\n[handlers.h]\ntype = \"custom\"\nfactory = \"f\"\noptions = {}\n",
                    nest("[", "]")
                ),
            }
        };
        for format in [Format::Yaml, Format::Json, Format::Toml] {
            let c = load_on_small_stack(config(format, MAX_DEPTH - 3), format).unwrap();
            assert_eq!(c.handlers["h"].type_name(), "custom");
            refused(
                load_on_small_stack(config(format, MAX_DEPTH - 2), format),
                "nest more than 32 levels deep",
            );
        }
    }

    #[test]
    fn nested_env_defaults_are_refused_on_the_reload_threads_stack() {
        let s = format!("{}x{}", "${X:-".repeat(DEPTH), "}".repeat(DEPTH));
        let text = format!("version: 1\nhandlers:\n  h: {{ type: file, path: '{s}' }}\n");
        let d = refused(
            load_on_small_stack(text, Format::Yaml),
            "nests more than 32 levels deep",
        );
        assert_eq!((d.line(), d.path()), (3, "handlers.h.path"));
        // At the limit, the innermost default is used.
        let n = MAX_DEPTH - 1;
        let s = format!("{}ok.log{}", "${X:-".repeat(n), "}".repeat(n));
        let text = format!("version: 1\nhandlers:\n  h: {{ type: file, path: '{s}' }}\n");
        let c = load_on_small_stack(text, Format::Yaml).unwrap();
        let crate::config::HandlerConfig::File(f) = &c.handlers["h"] else {
            panic!()
        };
        assert_eq!(f.path, std::path::Path::new("ok.log"));
    }

    #[test]
    fn cfg_references_copying_a_big_list_are_refused() {
        let n = 20_000;
        let mut text = String::from("version: 1\nbig:\n");
        for i in 0..n {
            text.push_str(&format!("  - {i}\n"));
        }
        text.push_str("data:\n");
        for i in 0..n {
            text.push_str(&format!("  k{i}: cfg://big\n"));
        }
        let d = refused(
            load_on_small_stack(text, Format::Yaml),
            "the config holds more than 250000 values",
        );
        // The reference that went over, with its path.
        assert!(d.path().starts_with("data.k"), "{d}");
        assert!(d.message().contains("`cfg://big` copies too much"), "{d}");
    }

    #[test]
    fn cfg_chains_are_bounded() {
        let mut text = String::from("version: 1\n");
        for i in 0..1000 {
            text.push_str(&format!("c{i}: cfg://c{}\n", i + 1));
        }
        text.push_str(
            "c1000: end\nhandlers:\n  h: { class: logging.NullHandler, level: cfg://c0 }\n",
        );
        refused(
            load_on_small_stack(text, Format::Yaml),
            "`cfg://` references chain more than 32 deep",
        );
    }

    #[test]
    fn yaml_aliases_count_each_time_they_are_used() {
        // The billion laughs, nine levels of nine.
        let mut text = String::from("version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = load_on_small_stack(text, Format::Yaml).unwrap_err();
        assert!(e.to_string().contains("the config holds more than"), "{e}");
    }

    #[test]
    fn env_values_count_each_time_they_are_used() {
        fn env(name: &str) -> Option<String> {
            (name == "BIG").then(|| "x".repeat(1 << 20))
        }
        let refs = "${BIG}".repeat(17);
        let text = format!("version: 1\nhandlers:\n  h: {{ type: file, path: '{refs}' }}\n");
        let d = refused(
            load_with_env_on_small_stack(text, Format::Yaml, env),
            "the config holds more than 16 MiB of text",
        );
        assert_eq!(d.path(), "handlers.h.path");
    }

    #[test]
    fn long_keys_over_long_lists_are_bounded() {
        // Every item's path repeats the logger's name: 100,000 paths of a
        // megabyte were 100 GB.
        let name = "n".repeat(1 << 20);
        let handlers = vec!["\"h\""; 100_000].join(",");
        let text = format!(
            "{{\"version\": 1, \"loggers\": {{\"{name}\": {{\"handlers\": [{handlers}]}}}}}}"
        );
        refused(
            load_on_small_stack(text, Format::Json),
            "the config holds more than 16 MiB of text",
        );
    }

    #[test]
    fn long_names_get_no_hint() {
        // A hint compared the two names in a table of their lengths' product:
        // 80 GB for these, an abort.
        let (defined, referenced) = ("a".repeat(100_000), "b".repeat(100_000));
        let text = format!(
            "{{\"version\": 1, \"handlers\": {{\"{defined}\": {{\"type\": \"null\"}}}}, \"root\": {{\"handlers\": [\"{referenced}\"], \"{referenced}\": 1}}}}"
        );
        let e = load_on_small_stack(text, Format::Json).unwrap_err();
        assert_eq!(e.diagnostics().len(), 2, "{e}");
        assert!(!e.to_string().contains("did you mean"));
    }

    #[test]
    fn text_over_the_limit_is_refused_before_parsing() {
        for format in [Format::Yaml, Format::Toml, Format::Json] {
            let text = format!("{}\n{}", " ".repeat(MAX_TEXT), "x");
            let d = refused(
                load_on_small_stack(text, format),
                "logfig reads configs of at most 2 MiB",
            );
            assert_eq!((d.line(), d.column()), (1, MAX_TEXT as u32 + 1));
        }
    }

    #[test]
    fn diagnostics_are_capped() {
        let mut text = String::from("version: 1\nroot:\n");
        for i in 0..10_000 {
            text.push_str(&format!("  k{i}: 1\n"));
        }
        let e = load_on_small_stack(text, Format::Yaml).unwrap_err();
        let d = e.diagnostics();
        assert_eq!(d.len(), crate::error::MAX_DIAGNOSTICS + 1);
        assert_eq!(d[0].line(), 3, "{}", d[0]);
        assert_eq!(d[99].line(), 102, "{}", d[99]);
        assert_eq!(
            d[100].message(),
            "and 9900 more problems; the first 100 are shown"
        );
    }
}
