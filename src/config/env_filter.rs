//! `env_filter`: env_logger's level directives (`RUST_LOG`), read from an
//! environment variable (by the runtime: this module reads nothing) and
//! applied as level overrides on top of the file's loggers.
//!
//! The syntax is env_logger's: directives separated by commas, each `level`
//! (the root's level), `path=level` or `path` alone (TRACE for that logger).
//! Paths are `log` targets (`myapp::db`), so they name the same loggers as the
//! file does. What env_logger also accepts after a `/` (a regex every message
//! must match) is refused: it would filter every record of every handler; a
//! `regex` filter in the file does that, visibly.
//!
//! Bad input never fails a start: each directive that cannot be read is left
//! out, the rest apply, and what was left out is reported once. Bounds: the
//! value is read up to 4096 bytes and 128 directives.

use std::fmt;

use super::Level;

/// The longest value of the variable that is read; a longer one is ignored whole.
pub(crate) const MAX_LEN: usize = 4096;
/// The most directives that are applied; later ones are ignored.
pub(crate) const MAX_DIRECTIVES: usize = 128;
/// The longest variable name `env_filter.var` accepts.
const MAX_VAR_NAME: usize = 128;

/// The level directives read from the environment (`RUST_LOG`) and what of
/// them was ignored.
///
/// # Examples
///
/// ```
/// use logfig::EnvFilter;
/// use logfig::config::Level;
///
/// let f = EnvFilter::parse("RUST_LOG", "info,myapp::db=trace,hyper=loud");
/// assert_eq!(
///     f.levels(),
///     &[("root".to_owned(), Level::Info), ("myapp::db".to_owned(), Level::Trace)]
/// );
/// assert_eq!(f.ignored().len(), 1); // `hyper=loud`: unknown level
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnvFilter {
    var: String,
    value: String,
    levels: Vec<(String, Level)>,
    ignored: Vec<String>,
}

impl EnvFilter {
    /// Parses `value` as the value of variable `var` (named in reports).
    /// Never fails: what cannot be read is listed by [`ignored`](Self::ignored).
    pub fn parse(var: &str, value: &str) -> EnvFilter {
        let mut out = EnvFilter {
            var: var.to_owned(),
            value: String::new(),
            levels: Vec::new(),
            ignored: Vec::new(),
        };
        if value.len() > MAX_LEN {
            out.value = excerpt(value);
            out.ignored.push(format!(
                "the value is {} bytes, over the {MAX_LEN} that are read: ignored whole",
                value.len()
            ));
            return out;
        }
        out.value = value.to_owned();
        let (directives, regex) = match value.split_once('/') {
            Some((d, r)) => (d, Some(r)),
            None => (value, None),
        };
        if let Some(r) = regex {
            out.ignored.push(format!(
                "`/{r}`: the `/regex` suffix is not supported; use a `regex` filter in the config"
            ));
        }
        let listed = directives.split(',').map(str::trim);
        for (count, d) in listed.filter(|d| !d.is_empty()).enumerate() {
            if count == MAX_DIRECTIVES {
                out.ignored.push(format!(
                    "`{d}` and every directive after it: more than {MAX_DIRECTIVES} directives"
                ));
                break;
            }
            match directive(d) {
                Ok((name, level)) => out.levels.push((name, level)),
                Err(why) => out.ignored.push(format!("`{d}`: {why}")),
            }
        }
        out
    }

    /// The directives of `value`, the value of the variable `config` names
    /// as `std::env::var` gave it; `None` when `config` switches them off or
    /// the variable is unset or empty.
    pub(crate) fn from_value(
        config: &EnvFilterConfig,
        value: Result<String, std::env::VarError>,
    ) -> Option<EnvFilter> {
        if !config.enabled {
            return None;
        }
        match value {
            Ok(v) if v.trim().is_empty() => None,
            Ok(v) => Some(EnvFilter::parse(&config.var, &v)),
            Err(std::env::VarError::NotPresent) => None,
            Err(std::env::VarError::NotUnicode(_)) => Some(EnvFilter {
                var: config.var.clone(),
                value: String::new(),
                levels: Vec::new(),
                ignored: vec!["the value is not valid UTF-8: ignored whole".to_owned()],
            }),
        }
    }

    /// The variable's name.
    pub fn var(&self) -> &str {
        &self.var
    }

    /// The variable's value (shortened when it was too long to read).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The levels applied, by logger name as written (`root` for a bare
    /// level), in the variable's order: a later directive for the same
    /// logger wins.
    pub fn levels(&self) -> &[(String, Level)] {
        &self.levels
    }

    /// What was left out, one entry per problem, with the reason.
    pub fn ignored(&self) -> &[String] {
        &self.ignored
    }

    /// The level this filter sets for exactly logger `name`, if any.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))] // reason: read by `logfig explain` only
    pub(crate) fn level_of(&self, name: &str) -> Option<Level> {
        let key = |n: &str| -> Vec<String> {
            let segs: Vec<String> = n
                .split([':', '.'])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            if segs == ["root"] { Vec::new() } else { segs }
        };
        let want = key(name);
        self.levels
            .iter()
            .rev()
            .find(|(n, _)| key(n) == want)
            .map(|&(_, l)| l)
    }

    /// The report of what was ignored, when anything was.
    pub(crate) fn problems(&self) -> Option<String> {
        if self.ignored.is_empty() {
            return None;
        }
        Some(format!(
            "{}: ignored {}",
            self.var,
            self.ignored.join("; ignored ")
        ))
    }
}

impl fmt::Display for EnvFilter {
    /// `RUST_LOG=myapp=debug: myapp DEBUG`, then what was ignored.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}=`{}`:", self.var, self.value)?;
        if self.levels.is_empty() {
            f.write_str(" no level applied")?;
        }
        for (i, (name, level)) in self.levels.iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            write!(f, "{sep}{name} {level}")?;
        }
        for why in &self.ignored {
            write!(f, "; ignored {why}")?;
        }
        Ok(())
    }
}

/// One directive: `level`, `path=level`, `path=` or `path`.
fn directive(d: &str) -> Result<(String, Level), String> {
    let mut parts = d.split('=');
    let (name, level) = match (parts.next(), parts.next(), parts.next()) {
        (Some(word), None, _) => match level(word) {
            Some(l) => return Ok(("root".to_owned(), l)),
            // A path alone: everything it logs (env_logger's rule).
            None => (word, Some(Level::Trace)),
        },
        (Some(name), Some(l), None) if l.trim().is_empty() => (name, Some(Level::Trace)),
        (Some(name), Some(l), None) => (name, level(l.trim())),
        _ => return Err("more than one `=`".to_owned()),
    };
    let name = name.trim();
    let Some(level) = level else {
        return Err(
            "unknown level; expected one of off, error, warn, info, debug, trace".to_owned(),
        );
    };
    if name.is_empty() {
        return Ok(("root".to_owned(), level));
    }
    if let Some(c) = name
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '`'))
    {
        return Err(format!("{c:?} cannot appear in a logger name"));
    }
    Ok((name.to_owned(), level))
}

/// A level name as env_logger reads them (case-insensitive), plus logfig's
/// own names (WARNING, CRITICAL); numbers are not levels here, so that a
/// path can never be read as one.
fn level(word: &str) -> Option<Level> {
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    word.parse().ok()
}

/// The start of a value too long to quote whole.
fn excerpt(value: &str) -> String {
    let mut end = 64.min(value.len());
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &value[..end])
}

/// Checks `env_filter.var`: a name `std::env::var` can look up.
pub(crate) fn check_var_name(var: &str) -> Result<(), String> {
    if var.is_empty() {
        return Err("the variable name is empty".to_owned());
    }
    if var.len() > MAX_VAR_NAME {
        return Err(format!(
            "the variable name is {} bytes, over the {MAX_VAR_NAME} allowed",
            var.len()
        ));
    }
    if var.contains(['=', '\0']) {
        return Err(format!(
            "`{}` is not a variable name: it contains `=` or NUL",
            var.escape_debug()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(f: &EnvFilter) -> Vec<(&str, Level)> {
        f.levels().iter().map(|(n, l)| (n.as_str(), *l)).collect()
    }

    #[test]
    fn env_logger_forms() {
        let f = EnvFilter::parse("RUST_LOG", "warn, myapp=debug,myapp::db=TRACE,hyper,tokio=");
        assert!(f.ignored().is_empty(), "{:?}", f.ignored());
        assert_eq!(
            levels(&f),
            [
                ("root", Level::Warning),
                ("myapp", Level::Debug),
                ("myapp::db", Level::Trace),
                ("hyper", Level::Trace),
                ("tokio", Level::Trace),
            ]
        );
        let f = EnvFilter::parse("RUST_LOG", "off,a=off,=info");
        assert_eq!(
            levels(&f),
            [
                ("root", Level::Off),
                ("a", Level::Off),
                ("root", Level::Info)
            ]
        );
    }

    #[test]
    fn bad_directives_are_left_out_and_named() {
        let f = EnvFilter::parse("RUST_LOG", "a=loud,b=info,c=d=e,x y=info,10");
        assert_eq!(levels(&f), [("b", Level::Info), ("10", Level::Trace)]);
        assert_eq!(f.ignored().len(), 3, "{:?}", f.ignored());
        assert!(f.ignored()[0].starts_with("`a=loud`: unknown level"));
        assert!(f.ignored()[1].contains("more than one `=`"));
        assert!(f.ignored()[2].contains("cannot appear in a logger name"));
        let report = f.problems().unwrap();
        assert!(report.starts_with("RUST_LOG: ignored `a=loud`"), "{report}");
    }

    #[test]
    fn regex_suffix_is_refused_directives_kept() {
        let f = EnvFilter::parse("RUST_LOG", "info/GET /health");
        assert_eq!(levels(&f), [("root", Level::Info)]);
        assert_eq!(f.ignored().len(), 1);
        assert!(f.ignored()[0].contains("`/GET /health`: the `/regex` suffix is not supported"));
    }

    #[test]
    fn bounds() {
        let many = vec!["a=info"; MAX_DIRECTIVES + 5].join(",");
        let f = EnvFilter::parse("RUST_LOG", &many);
        assert_eq!(f.levels().len(), MAX_DIRECTIVES);
        assert_eq!(f.ignored().len(), 1);
        assert!(f.ignored()[0].contains("more than 128 directives"));

        let long = "a".repeat(MAX_LEN + 1);
        let f = EnvFilter::parse("RUST_LOG", &long);
        assert!(f.levels().is_empty());
        assert!(f.ignored()[0].contains("over the 4096 that are read"));
        assert!(f.value().len() < 100);

        assert!(check_var_name("RUST_LOG").is_ok());
        assert!(check_var_name("").is_err());
        assert!(check_var_name("A=B").is_err());
        assert!(check_var_name(&"V".repeat(129)).is_err());
    }

    #[test]
    fn display_and_lookup() {
        let f = EnvFilter::parse("RUST_LOG", "info,myapp.db=debug,myapp::db=trace,x=?");
        assert_eq!(
            f.to_string(),
            "RUST_LOG=`info,myapp.db=debug,myapp::db=trace,x=?`: root INFO, myapp.db DEBUG, \
             myapp::db TRACE; ignored `x=?`: unknown level; expected one of off, error, warn, \
             info, debug, trace"
        );
        assert_eq!(f.level_of("myapp::db"), Some(Level::Trace));
        assert_eq!(f.level_of("root"), Some(Level::Info));
        assert_eq!(f.level_of("myapp"), None);
    }
}

/// `env_filter`: where logfig reads env_logger-style level directives
/// (`RUST_LOG=myapp=debug,hyper=warn`) that it applies on top of the file's
/// loggers.
///
/// Each directive sets the level of the logger it names (a bare level sets
/// the root's), as `Handle::set_level` does: loggers the directives do not
/// name keep the file's levels, and handler levels still apply. Runtime
/// overrides win over the directives; the directives survive reloads.
/// Switch them off in production with `enabled: false`.
///
/// # Examples
///
/// ```
/// use logfig::{Config, Format};
///
/// let config = Config::from_str(
///     "version: 1\nenv_filter: { var: MYAPP_LOG, enabled: false }\n",
///     Format::Yaml,
/// )?;
/// assert_eq!(config.env_filter.var, "MYAPP_LOG");
/// assert!(!config.env_filter.enabled);
/// assert_eq!(logfig::config::EnvFilterConfig::default().var, "RUST_LOG");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct EnvFilterConfig {
    /// Read the variable and apply its directives. Default: true.
    #[cfg_attr(feature = "serde", serde(default = "super::yes"))]
    pub enabled: bool,
    /// Name of the environment variable that holds the directives. Default: `RUST_LOG`.
    #[cfg_attr(feature = "serde", serde(default = "default_var"))]
    pub var: String,
}

impl Default for EnvFilterConfig {
    fn default() -> Self {
        EnvFilterConfig {
            enabled: true,
            var: default_var(),
        }
    }
}

fn default_var() -> String {
    "RUST_LOG".to_owned()
}
