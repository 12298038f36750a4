//! `${VAR}` and `${VAR:-default}` expansion in string values.

use super::budget::{MAX_DEPTH, too_many_bytes};

/// Expands `${VAR}` and `${VAR:-default}` in `text`; `$${` is a literal `${`.
///
/// The default is used when the variable is unset or empty (as the shell's
/// `:-`), and may itself contain `${...}`, at most [`MAX_DEPTH`] levels deep.
/// The result may be at most `room` bytes longer than `text` (the budget
/// left: `${BIG}` a million times is a terabyte). Returns `Ok(None)` when
/// `text` holds nothing to expand.
pub(crate) fn expand(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    room: usize,
) -> Result<Option<String>, String> {
    if !text.contains('$') {
        return Ok(None);
    }
    let mut out = String::with_capacity(text.len());
    let limit = text.len().saturating_add(room);
    let changed = expand_into(text, text, lookup, limit, 1, &mut out)?;
    Ok(changed.then_some(out))
}

/// Appends the expansion of `text` (part of `whole`, named in messages) to
/// `out`, nested `depth` deep; whether anything was expanded.
fn expand_into(
    whole: &str,
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    limit: usize,
    depth: usize,
    out: &mut String,
) -> Result<bool, String> {
    let mut changed = false;
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        if let Some(tail) = after.strip_prefix("$${") {
            out.push_str("${");
            rest = tail;
            changed = true;
        } else if let Some(body_start) = after.strip_prefix("${") {
            let end = closing_brace(body_start).ok_or_else(|| {
                format!(
                    "unterminated `${{` in `{}` (write `$${{` for a literal `${{`)",
                    excerpt(whole)
                )
            })?;
            let body = &body_start[..end];
            let (name, default) = match body.find(":-") {
                Some(j) => (&body[..j], Some(&body[j + 2..])),
                None => (body, None),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!(
                    "invalid variable name `{}` in `{}`: use letters, digits and `_`",
                    excerpt(name),
                    excerpt(whole)
                ));
            }
            match (lookup(name).filter(|v| !v.is_empty()), default) {
                (Some(v), _) => {
                    if out.len().saturating_add(v.len()) > limit {
                        return Err(too_many_bytes());
                    }
                    out.push_str(&v);
                }
                (None, Some(d)) => {
                    if depth >= MAX_DEPTH {
                        return Err(format!(
                            "`${{...}}` nests more than {MAX_DEPTH} levels deep in `{}`",
                            excerpt(whole)
                        ));
                    }
                    expand_into(whole, d, lookup, limit, depth + 1, out)?;
                }
                (None, None) => {
                    return Err(format!(
                        "environment variable `{name}` is not set (give a default with `${{{name}:-value}}`, or write `$${{{name}}}` for a literal `${{{name}}}`)"
                    ));
                }
            }
            rest = &body_start[end + 1..];
            changed = true;
        } else {
            out.push('$');
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    if out.len() > limit {
        return Err(too_many_bytes());
    }
    Ok(changed)
}

/// The first 60 characters of `s`, for messages: a message quoting a whole
/// hostile string would be as large as it.
fn excerpt(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_owned(),
    }
}

/// Index of the `}` that closes a `${`, allowing nested `${...}` in defaults.
fn closing_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    fn env(k: &str) -> Option<String> {
        match k {
            "LOG_DIR" => Some("/var/log/app".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn expand(
        text: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<String>, String> {
        super::expand(text, lookup, 1 << 20)
    }

    #[test]
    fn expands() {
        assert_eq!(expand("plain", &env), Ok(None));
        assert_eq!(
            expand("${LOG_DIR}/a.log", &env),
            Ok(Some("/var/log/app/a.log".into()))
        );
        assert_eq!(
            expand("${NOPE:-./logs}/a", &env),
            Ok(Some("./logs/a".into()))
        );
        assert_eq!(expand("${EMPTY:-x}", &env), Ok(Some("x".into())));
        assert_eq!(
            expand("${NOPE:-${LOG_DIR}}", &env),
            Ok(Some("/var/log/app".into()))
        );
        assert_eq!(
            expand("cost $5 $${HOME}", &env),
            Ok(Some("cost $5 ${HOME}".into()))
        );
        assert!(
            expand("${NOPE}", &env)
                .unwrap_err()
                .contains("`NOPE` is not set")
        );
        assert!(
            expand("${LOG_DIR", &env)
                .unwrap_err()
                .contains("unterminated")
        );
        assert!(
            expand("${A B}", &env)
                .unwrap_err()
                .contains("invalid variable name")
        );
    }
}
