//! `${VAR}` and `${VAR:-default}` expansion in string values.

/// Expands `${VAR}` and `${VAR:-default}` in `text`; `$${` is a literal `${`.
///
/// The default is used when the variable is unset or empty (as the shell's
/// `:-`), and may itself contain `${...}`. Returns `Ok(None)` when `text` holds
/// nothing to expand.
pub(crate) fn expand(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>, String> {
    if !text.contains('$') {
        return Ok(None);
    }
    let mut out = String::with_capacity(text.len());
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
                format!("unterminated `${{` in `{text}` (write `$${{` for a literal `${{`)")
            })?;
            let body = &body_start[..end];
            let (name, default) = match body.find(":-") {
                Some(j) => (&body[..j], Some(&body[j + 2..])),
                None => (body, None),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!(
                    "invalid variable name `{name}` in `{text}`: use letters, digits and `_`"
                ));
            }
            match (lookup(name).filter(|v| !v.is_empty()), default) {
                (Some(v), _) => out.push_str(&v),
                (None, Some(d)) => {
                    out.push_str(&expand(d, lookup)?.unwrap_or_else(|| d.to_owned()))
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
    Ok(changed.then_some(out))
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
    use super::*;

    fn env(k: &str) -> Option<String> {
        match k {
            "LOG_DIR" => Some("/var/log/app".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
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
