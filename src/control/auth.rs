//! Who may talk to the control endpoint: the bearer token, compared in
//! constant time, and a unix socket peer's uid.

/// Whether the `Authorization` header `header` carries `token`. The compare
/// takes the same time wherever the first difference is, so the token
/// cannot be guessed byte by byte from response times; only its length
/// may show.
pub(crate) fn token_matches(header: Option<&str>, token: &str) -> bool {
    // The scheme is case-insensitive (RFC 9110, 11.1): `bearer` is `Bearer`.
    let Some(given) = header
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, given)| given)
    else {
        return false;
    };
    let (a, b) = (given.trim().as_bytes(), token.as_bytes());
    let mut diff = u8::from(a.len() != b.len());
    for (i, &byte) in b.iter().enumerate() {
        diff |= byte ^ a.get(i).copied().unwrap_or(!byte);
    }
    diff == 0 && !token.is_empty()
}

/// The uid and pid of a unix socket's peer (`SO_PEERCRED`), or why not.
#[cfg(target_os = "linux")]
pub(crate) fn peer(stream: &std::os::unix::net::UnixStream) -> Result<(u32, i32), String> {
    rustix::net::sockopt::socket_peercred(stream)
        .map(|c| (c.uid.as_raw(), c.pid.as_raw_nonzero().get()))
        .map_err(|e| format!("reading the peer's credentials: {e}"))
}

/// Elsewhere the peer cannot be identified, so it is refused.
#[cfg(all(unix, not(target_os = "linux")))]
pub(crate) fn peer(_: &std::os::unix::net::UnixStream) -> Result<(u32, i32), String> {
    Err("peer credentials are only read on Linux".into())
}

/// This process's real uid.
#[cfg(unix)]
pub(crate) fn own_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_tokens() {
        assert!(token_matches(Some("Bearer s3cret"), "s3cret"));
        assert!(token_matches(Some("bearer s3cret"), "s3cret"));
        assert!(!token_matches(Some("Bearers3cret"), "s3cret"));
        assert!(!token_matches(Some("Bearer s3cre"), "s3cret"));
        assert!(!token_matches(Some("Bearer s3cretX"), "s3cret"));
        assert!(!token_matches(Some("Bearer S3cret"), "s3cret"));
        assert!(!token_matches(Some("Basic s3cret"), "s3cret"));
        assert!(!token_matches(None, "s3cret"));
        assert!(!token_matches(Some("Bearer "), ""));
    }
}
