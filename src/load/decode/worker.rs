//! Decoding the worker settings of the outputs with a thread.

use super::{Decoder, Fields};
use crate::config::WorkerConfig;
use crate::config::fields;

impl Decoder<'_> {
    /// `close_timeout` and `buffer_bytes`, the bounds of every output with a
    /// background thread.
    pub(super) fn worker(&mut self, f: &mut Fields<'_>, path: &str) -> WorkerConfig {
        let d = WorkerConfig::default();
        WorkerConfig {
            close_timeout: self.duration_field(f, path, fields::CLOSE_TIMEOUT, d.close_timeout),
            buffer_bytes: self.size_field(f, path, fields::BUFFER_BYTES, d.buffer_bytes),
        }
    }
}
