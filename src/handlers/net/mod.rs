//! Network outputs: the `tcp` and `udp` handlers, and the sending thread and
//! transports they share with `syslog`.
//!
//! The logging thread renders the record to bytes and pushes them onto a
//! bounded queue ([`Pipe`]); it never touches a socket, so it never waits for
//! the network. One thread per handler (`logfig-net-<name>`) owns the socket:
//! it connects lazily, writes with the configured `timeout`, and after a
//! failure disconnects and retries the same record after an exponential
//! backoff, keeping up to `buffer` records (the oldest are dropped and
//! counted). Every record is therefore either written to a socket (`emitted`)
//! or counted as `dropped`; each failed attempt that will be repeated counts
//! as `retried`. With RELP (`syslog` with `transport: relp`) a record leaves
//! the buffer only when the server has answered for it, so the records a
//! broken connection took with it are sent again. Streams may be wrapped in
//! TLS (feature `tls`, see `tls.rs`).

mod link;
mod pipe;
mod tcp;
mod udp;

pub(crate) use link::{Dest, WireFraming, cut, tls_setup};
pub(crate) use pipe::{Pipe, PipeOptions, pipe_handler, start_pipe};
pub use tcp::TcpHandler;
pub use udp::UdpHandler;

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn cut_keeps_utf8_characters_whole() {
        assert_eq!(cut(b"abc", 5), 3);
        assert_eq!(cut(b"abcdef", 4), 4);
        let s = "aé".as_bytes(); // 61 c3 a9
        assert_eq!(cut(s, 2), 1);
        assert_eq!(cut(&[0x80; 10], 4), 4);
    }
}
