//! Values that are never shown: passwords, HTTP header values, tokens, the
//! user and password of a URL and its token-like query parameters.
//!
//! Each secret-bearing field of the config model has one of the types here,
//! whose `Debug`, `Display`, written form (`config::encode`) and `Serialize`
//! (feature `serde`) write `***` in place of the secret, so a new field of
//! such a type is hidden everywhere by construction: `{:?}` of a `Config` or
//! a `Dispatcher`, `logfig explain`, `logfig fmt` (unless `--show-secrets`),
//! reload statuses. Code that needs the value asks for it with `expose()`.
//!
//! The loader records where each secret sits in the config text, so the
//! source line a diagnostic quotes is cut at the secret, and a message that
//! quotes a secret's text has it replaced (see [`scrub`]).

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

/// What a hidden value is shown as.
pub(crate) const MASK: &str = "***";

thread_local! {
    /// Set while `logfig fmt --show-secrets` serializes a config.
    static SHOW: Cell<bool> = const { Cell::new(false) };
    /// Secrets serialized as `***` on this thread, for `fmt`'s note.
    static MASKED: Cell<usize> = const { Cell::new(0) };
}

/// Runs `f` (which serializes config values) with secrets written as they
/// are (`show`: `logfig fmt --show-secrets`, and the check of a config built
/// in code) or as `***`; returns how many were written as `***`.
pub(crate) fn serializing<R>(show: bool, f: impl FnOnce() -> R) -> (R, usize) {
    let was = SHOW.with(|s| s.replace(show));
    let before = MASKED.with(Cell::get);
    let result = f();
    SHOW.with(|s| s.set(was));
    (result, MASKED.with(Cell::get) - before)
}

/// Counts the values `masked` hides that `value` showed: one per `***` it
/// adds, so a URL with a password and a token counts two, as the reader
/// of `fmt`'s output sees them.
fn count_masked(value: &str, masked: &str) {
    let added = masked
        .matches(MASK)
        .count()
        .saturating_sub(value.matches(MASK).count());
    MASKED.with(|m| m.set(m.get() + added));
}

/// What a secret is written as: `value` when secrets are shown (or it has
/// nothing to hide), else `masked`, counted for `fmt`'s note.
pub(crate) fn shown<'a>(value: &'a str, masked: &'a str) -> &'a str {
    if SHOW.with(Cell::get) || value == masked {
        value
    } else {
        count_masked(value, masked);
        masked
    }
}

/// What [`Secret`] and [`SecretUrl`] share: made from text, described by the
/// schema as text.
macro_rules! text_secret {
    ($ty:ident) => {
        impl From<String> for $ty {
            fn from(value: String) -> Self {
                $ty(value)
            }
        }

        impl From<&str> for $ty {
            fn from(value: &str) -> Self {
                $ty(value.to_owned())
            }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $ty {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> Cow<'static, str> {
                String::schema_name()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                String::json_schema(generator)
            }
        }
    };
}

text_secret!(Secret);
text_secret!(SecretUrl);

/// A text value that is never shown: a password, an HTTP header value.
///
/// `Debug` and `Display` print `***`, and so do `logfig fmt` and
/// serialization (feature `serde`); [`expose`](Secret::expose) gives the value.
///
/// # Examples
///
/// ```
/// use logfig::config::Secret;
///
/// let token = Secret::new("Bearer s3cret");
/// assert_eq!(format!("{token} {token:?}"), "*** \"***\"");
/// assert_eq!(token.expose(), "Bearer s3cret");
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// A secret holding `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the code that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(MASK, f)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(shown(&self.0, MASK))
    }
}

/// A URL that may carry secrets: its user and password
/// (`https://user:pass@host/`) and token-like query parameters
/// (`?token=…`, `?api_key=…`, `?sig=…`; see [`is_secret_name`]) are shown as
/// `***`; the scheme, host, path and other parameters are shown as they are.
///
/// # Examples
///
/// ```
/// use logfig::config::SecretUrl;
///
/// let url = SecretUrl::new("https://bot:pw@logs.example.com/push?tenant=a&token=abc");
/// assert_eq!(url.to_string(), "https://***@logs.example.com/push?tenant=a&token=***");
/// assert_eq!(url.expose(), "https://bot:pw@logs.example.com/push?tenant=a&token=abc");
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// A URL holding `value`.
    pub fn new(value: impl Into<String>) -> Self {
        SecretUrl(value.into())
    }

    /// The whole URL, secrets included, for the code that sends to it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL as shown: its secrets as `***`.
    pub fn masked(&self) -> Cow<'_, str> {
        mask_url(&self.0)
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.masked(), f)
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for SecretUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(shown(&self.0, &self.masked()))
    }
}

/// The options of a `type: custom` handler, as JSON. Shown with the value of
/// every key with a secret-like name ([`is_secret_name`]: `password`,
/// `api_key`, `token`, ...) as `***`, and URLs in strings as [`SecretUrl`]
/// shows them; the factory gets them whole.
///
/// # Examples
///
/// ```
/// use logfig::config::CustomOptions;
///
/// let options = CustomOptions::new(serde_json::json!({ "endpoint": "https://u:p@x.example/", "api_key": "k3y", "retries": 3 }));
/// let shown = format!("{options:?}");
/// assert!(shown.contains("\"api_key\":\"***\"") && shown.contains("https://***@x.example/"), "{shown}");
/// assert_eq!(options.expose()["api_key"], "k3y");
/// ```
#[derive(Clone, PartialEq, Default)]
pub struct CustomOptions(serde_json::Value);

impl CustomOptions {
    /// Options holding `value`.
    pub fn new(value: serde_json::Value) -> Self {
        CustomOptions(value)
    }

    /// The options, secrets included, as the factory gets them.
    pub fn expose(&self) -> &serde_json::Value {
        &self.0
    }

    /// Whether there are none (`null`).
    pub fn is_null(&self) -> bool {
        self.0.is_null()
    }

    /// The options as shown: secrets as `***`.
    pub fn masked(&self) -> serde_json::Value {
        let mut v = self.0.clone();
        mask_json(&mut v);
        v
    }
}

impl From<serde_json::Value> for CustomOptions {
    fn from(value: serde_json::Value) -> Self {
        CustomOptions(value)
    }
}

impl fmt::Debug for CustomOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Compact JSON: the shape users wrote.
        write!(f, "{}", self.masked())
    }
}

impl CustomOptions {
    /// What the options are written as: whole when secrets are shown, else
    /// [`masked`](CustomOptions::masked), counted for `fmt`'s note.
    pub(crate) fn shown(&self) -> Cow<'_, serde_json::Value> {
        if SHOW.with(Cell::get) {
            return Cow::Borrowed(&self.0);
        }
        let masked = self.masked();
        if masked != self.0 {
            // Compact JSON of both: every `***` a key's value or a URL
            // gained counts, the options' own text aside.
            count_masked(&self.0.to_string(), &masked.to_string());
        }
        Cow::Owned(masked)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for CustomOptions {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&*self.shown(), s)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for CustomOptions {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        serde_json::Value::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        serde_json::Value::json_schema(generator)
    }
}

/// Whether a query parameter or an option named `name` holds a secret.
///
/// Case does not matter, and `-` counts as `_`. Secret are the names that
/// contain `token`, `secret`, `passw`, `signature`, `credential`,
/// `authorization`, `api_key`, `apikey`, `access_key`, `private_key` or
/// `session_id`, and the names `key`, `sig`, `pwd`, `pass`, `auth`, `code`,
/// `session`, `jwt`, `hmac` and `dsn`. The list errs on the side of hiding.
///
/// # Examples
///
/// ```
/// use logfig::config::is_secret_name;
///
/// assert!(is_secret_name("X-Amz-Security-Token") && is_secret_name("sig") && is_secret_name("API-Key"));
/// assert!(!is_secret_name("tenant") && !is_secret_name("keyword"));
/// ```
pub fn is_secret_name(name: &str) -> bool {
    const CONTAINS: &[&str] = &[
        "token",
        "secret",
        "passw",
        "signature",
        "credential",
        "authorization",
        "api_key",
        "apikey",
        "access_key",
        "private_key",
        "session_id",
    ];
    const EXACT: &[&str] = &[
        "key", "sig", "pwd", "pass", "auth", "code", "session", "jwt", "hmac", "dsn",
    ];
    let name = name.to_ascii_lowercase().replace('-', "_");
    EXACT.contains(&name.as_str()) || CONTAINS.iter().any(|c| name.contains(c))
}

/// What is wrong with the port of a URL's authority (`user@host:port`), if
/// it has one: empty (an unset `${PORT}`), not a number, 0 or over 65535.
pub(crate) fn url_port_problem(authority: &str) -> Option<&'static str> {
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let port = match host_port.strip_prefix('[') {
        // An IPv6 literal: the port follows its `]`.
        Some(v6) => v6.split_once(']')?.1.strip_prefix(':')?,
        None => host_port.rsplit_once(':')?.1,
    };
    if port.is_empty() {
        Some("the port is empty: write one from 1 to 65535, or no `:`")
    } else if !port.bytes().all(|b| b.is_ascii_digit()) {
        Some("the port is not a number: expected 1 to 65535")
    } else if port.len() > 5 || !(1..=65535).contains(&port.parse::<u32>().unwrap_or(0)) {
        Some("the port is out of range: expected 1 to 65535")
    } else {
        None
    }
}

/// `url` with its user information and the values of its secret-named query
/// (and fragment) parameters replaced by `***`.
pub(crate) fn mask_url(url: &str) -> Cow<'_, str> {
    let mut out = String::with_capacity(url.len());
    // The authority: after `scheme://`, up to the first `/`, `?` or `#`.
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let authority_end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    out.push_str(&url[..after_scheme]);
    let authority = &url[after_scheme..authority_end];
    match authority.rfind('@') {
        Some(at) if after_scheme > 0 => {
            out.push_str(MASK);
            out.push_str(&authority[at..]);
        }
        _ => out.push_str(authority),
    }
    let rest = &url[authority_end..];
    // The query and the fragment are `name=value` pairs split by `&` or `;`.
    let params_start = rest.find(['?', '#']).unwrap_or(rest.len());
    out.push_str(&rest[..params_start]);
    let mut hide = false;
    for c in rest[params_start..].chars() {
        match c {
            '?' | '#' | '&' | ';' => {
                out.push(c);
                hide = false;
            }
            '=' if !hide => {
                let name_start = out.rfind(['?', '#', '&', ';']).map_or(0, |i| i + 1);
                let secret = is_secret_name(&out[name_start..]);
                out.push('=');
                if secret {
                    out.push_str(MASK);
                    hide = true;
                }
            }
            _ if hide => {}
            _ => out.push(c),
        }
    }
    if out == url {
        Cow::Borrowed(url)
    } else {
        Cow::Owned(out)
    }
}

/// Masks, in place, the values of secret-named keys and the secrets of URLs
/// in strings, at any depth.
fn mask_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if is_secret_name(k) && !child.is_null() {
                    *child = serde_json::Value::String(MASK.to_owned());
                } else {
                    mask_json(child);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_json),
        serde_json::Value::String(s) => {
            if let Cow::Owned(masked) = mask_url(s) {
                *s = masked;
            }
        }
        _ => {}
    }
}

/// The parts of `url` that [`mask_url`] hides, for [`scrub`]bing messages.
pub(crate) fn url_secrets(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let authority_end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    let at = url[after_scheme..authority_end].rfind('@');
    if let Some(at) = at.filter(|_| after_scheme > 0) {
        let userinfo = &url[after_scheme..after_scheme + at];
        out.push(userinfo.to_owned());
        if let Some((_, password)) = userinfo.split_once(':') {
            out.push(password.to_owned());
        }
    }
    if let Some(q) = url[authority_end..].find(['?', '#']) {
        for pair in url[authority_end + q + 1..].split(['&', ';', '#', '?']) {
            if let Some((name, value)) = pair.split_once('=') {
                if is_secret_name(name) {
                    out.push(value.to_owned());
                }
            }
        }
    }
    out
}

/// Where the secrets of a loaded config sit in its text, and what they say:
/// filled by the loader, read when a diagnostic quotes a source line or a
/// value.
#[derive(Debug, Clone, Default)]
pub(crate) struct SecretSpots {
    /// (line, column, lines the value runs on for).
    spots: Vec<(u32, u32, u32)>,
    texts: Vec<String>,
}

impl SecretSpots {
    /// Records a secret value found at `line`:`column`, and the `parts` of
    /// it that messages must not quote (the value itself, or a URL's
    /// secrets).
    pub(crate) fn add(&mut self, line: u32, column: u32, value: &str, parts: Vec<String>) {
        if line > 0 {
            // A block scalar's text ends with a line break of its own.
            let lines = value.trim_end_matches(['\n', '\r']).matches('\n').count();
            let extra = u32::try_from(lines).unwrap_or(u32::MAX);
            self.spots.push((line, column, extra));
        }
        self.texts
            .extend(parts.into_iter().filter(|p| !p.is_empty()));
    }

    /// The text of source line `number` as a diagnostic may show it.
    pub(crate) fn mask_line(&self, number: u32, line: &str) -> String {
        let columns: Vec<u32> = self
            .spots
            .iter()
            .filter_map(|&(l, c, extra)| {
                if l == number {
                    Some(c)
                } else if l < number && number <= l.saturating_add(extra) {
                    // A value over several lines (a YAML block scalar).
                    Some(1)
                } else {
                    None
                }
            })
            .collect();
        mask_line(line, &columns)
    }

    /// `text` with every secret it quotes replaced by `***`.
    pub(crate) fn scrub<'t>(&self, text: &'t str) -> Cow<'t, str> {
        scrub(text, &self.texts)
    }
}

/// Shortest secret that [`scrub`] looks for in a message: shorter ones would
/// match ordinary words. The source line is masked by position whatever the
/// length.
const SCRUB_MIN: usize = 4;

/// `text` with every occurrence of each of `secrets` replaced by `***`.
fn scrub<'t>(text: &'t str, secrets: &[String]) -> Cow<'t, str> {
    let mut out = Cow::Borrowed(text);
    for s in secrets.iter().filter(|s| s.chars().count() >= SCRUB_MIN) {
        if out.contains(s.as_str()) {
            out = Cow::Owned(out.replace(s.as_str(), MASK));
        }
    }
    out
}

/// A source line as a diagnostic may quote it: cut at the first secret on
/// it (`columns`: where the loader found secrets on this line, 1-based, in
/// characters), at a key with a secret-like name (for lines the loader did
/// not get to read, such as the line of a syntax error), and with the user
/// information of URLs hidden.
fn mask_line(line: &str, columns: &[u32]) -> String {
    let mut cut = columns
        .iter()
        .filter_map(|&c| line.char_indices().nth(c.saturating_sub(1) as usize))
        .map(|(i, _)| i)
        .min();
    // `key: value`, `key = value`, `"key": value` with a secret-like key.
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'-' {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'-')
            {
                i += 1;
            }
            let word = &line[start..i];
            let mut j = i;
            while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b' ' | b'\t') {
                j += 1;
            }
            if j < bytes.len() && matches!(bytes[j], b':' | b'=') && is_secret_name(word) {
                let value = j + 1;
                let first = line[value..].trim_start().as_bytes().first();
                // A `::` is a logger name, not a key; a mapping or a list
                // (`credentials: {`) holds keys of its own, looked at next.
                if bytes.get(value) != Some(&b':') && !matches!(first, Some(b'{' | b'[')) {
                    cut = Some(cut.map_or(value, |c| c.min(value)));
                }
            }
        } else {
            i += 1;
        }
    }
    let shown = match cut {
        Some(at) => {
            let head = &line[..at];
            let space = if head.ends_with([':', '=']) { " " } else { "" };
            format!("{head}{space}{MASK}")
        }
        None => line.to_owned(),
    };
    // Any URL's user information, wherever it is.
    let mut out = String::with_capacity(shown.len());
    let mut rest = shown.as_str();
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || "/?#\"',}]".contains(c))
            .unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(at) => {
                out.push_str(MASK);
                out.push_str(&tail[at..end]);
            }
            None => out.push_str(&tail[..end]),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_hide_user_information_and_secret_parameters() {
        assert_eq!(
            mask_url("https://user:s3cret@logs.example.com:8443/push?token=abc&tenant=t#sig=x"),
            "https://***@logs.example.com:8443/push?token=***&tenant=t#sig=***"
        );
        assert_eq!(
            mask_url("http://127.0.0.1:9/x?a=b"),
            "http://127.0.0.1:9/x?a=b"
        );
        assert_eq!(
            mask_url("https://h/?API-Key=1;access_token=2&key=3&keyword=4"),
            "https://h/?API-Key=***;access_token=***&key=***&keyword=4"
        );
        // An `@` in the path is not user information.
        assert_eq!(mask_url("https://h/a@b"), "https://h/a@b");
        assert_eq!(
            url_secrets("https://u:pw@h/?token=abc&x=1"),
            ["u:pw", "pw", "abc"]
        );
    }

    #[test]
    fn options_hide_secret_keys_at_any_depth() {
        let mut v = serde_json::json!({
            "password": "p", "nested": [{ "Client-Secret": 1, "url": "ftp://a:b@h" }], "name": "n", "token": null
        });
        mask_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({
                "password": "***", "nested": [{ "Client-Secret": "***", "url": "ftp://***@h" }], "name": "n", "token": null
            })
        );
    }

    #[test]
    fn serialization_hides_unless_asked() {
        let s = Secret::new("hunter2");
        let (text, masked) = serializing(false, || shown(s.expose(), MASK).to_owned());
        assert_eq!((text.as_str(), masked), ("***", 1));
        let (text, masked) = serializing(true, || shown(s.expose(), MASK).to_owned());
        assert_eq!((text.as_str(), masked), ("hunter2", 0));
    }

    #[test]
    fn source_lines_are_cut_at_secrets() {
        let cases: &[(&str, &[u32], &str)] = &[
            ("    password: hunter2${", &[], "    password: ***"),
            // Where the loader found a secret (column 19).
            (
                "  h: { headers: { X-Org: team }, url: x }",
                &[19],
                "  h: { headers: { ***",
            ),
            (
                r#"  "Authorization": "Bearer x","#,
                &[],
                r#"  "Authorization": ***"#,
            ),
            (
                "  url = \"https://u:p@h/x\"",
                &[],
                "  url = \"https://***@h/x\"",
            ),
            // A secret-like name whose value is a mapping (a logger here, or
            // `credentials`) holds keys of its own: the line is not cut there.
            (
                "  myapp::token_store: { level: DEBUG }",
                &[],
                "  myapp::token_store: { level: DEBUG }",
            ),
            ("  token_store: hunter2", &[], "  token_store: ***"),
            ("root: { level: INFO }", &[], "root: { level: INFO }"),
        ];
        for (line, columns, shown) in cases {
            assert_eq!(mask_line(line, columns), *shown, "{line}");
        }
        assert_eq!(scrub("in `hunter2${`", &["hunter2${".into()]), "in `***`");
        assert_eq!(scrub("a b", &["a".into()]), "a b");
    }
}
