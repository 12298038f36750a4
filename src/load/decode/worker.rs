//! Decoding the worker settings of the outputs with a thread.

use super::{Decoder, Fields};
use crate::config::{Size, WorkerConfig};
use crate::error::join;

impl Decoder<'_> {
    /// `close_timeout` and `buffer_bytes`, the bounds of every output with a
    /// background thread.
    pub(super) fn worker(&mut self, f: &mut Fields<'_>, path: &str) -> WorkerConfig {
        const MAX_CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3600);
        let mut c = WorkerConfig::default();
        c.close_timeout = self.positive_duration(f, path, "close_timeout", c.close_timeout);
        if c.close_timeout > MAX_CLOSE_TIMEOUT
            && let Some(n) = f.get("close_timeout")
        {
            self.error(
                n,
                &join(path, "close_timeout"),
                "`close_timeout` must be at most 1h: it bounds how long shutdown waits",
            );
            c.close_timeout = MAX_CLOSE_TIMEOUT;
        }
        if let Some(n) = f.take("buffer_bytes") {
            let p = join(path, "buffer_bytes");
            match self.size(n, &p) {
                Some(0) => self.error(n, &p, "`buffer_bytes` must be at least 1 byte"),
                Some(b) => c.buffer_bytes = Size(b),
                None => {}
            }
        }
        c
    }
}
