//! Decoding `type: queue` and `type: memory`.

use super::{Decoder, Fields};
use crate::config::fields;
use crate::config::{HandlerConfig, MemoryHandlerConfig, Overflow, QueueHandlerConfig};
use crate::error::join;
use crate::load::node::Value;

impl Decoder<'_> {
    /// `type: queue`.
    pub(super) fn queue(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let handlers = match f.take("handlers") {
            Some(n) => {
                let p = join(path, "handlers");
                let list = self.string_list(n, &p);
                let empty = match &n.value {
                    Value::Seq(items) => items.is_empty(),
                    v => *v == Value::Null,
                };
                if empty {
                    self.error(n, &p, "a queue needs at least one handler to write to");
                }
                Some(list)
            }
            None => {
                self.error_at_path(
                    path,
                    "missing key `handlers`: the handlers the queue writes to",
                );
                None
            }
        };
        let mut c = QueueHandlerConfig::new(handlers.clone().unwrap_or_default());
        c.capacity = self.count_field(f, path, fields::CAPACITY, c.capacity);
        let policies = [Overflow::Block, Overflow::DropNewest, Overflow::DropOldest];
        if let Some(overflow) = self.choice_value(f, path, fields::OVERFLOW, &policies) {
            c.overflow = overflow;
        }
        c.drop_below = self.level_value(f, path, fields::DROP_BELOW);
        c.worker = self.worker(f, path);
        c.common = self.common(f, path);
        handlers.map(|_| HandlerConfig::Queue(c))
    }

    /// `type: memory`.
    pub(super) fn memory(&mut self, f: &mut Fields<'_>, path: &str) -> Option<HandlerConfig> {
        let target = match f.take("target") {
            Some(n) => self.string(n, &join(path, "target")),
            None => {
                self.error_at_path(
                    path,
                    "missing key `target`: the handler that receives the buffered records",
                );
                None
            }
        };
        let mut c = MemoryHandlerConfig::new(target.clone().unwrap_or_default());
        c.capacity = self.count_field(f, path, fields::CAPACITY, c.capacity);
        if let Some(level) = self.level_value(f, path, fields::MEMORY_FLUSH_LEVEL) {
            c.flush_level = level;
        }
        c.buffer_bytes = self.size_field(f, path, fields::BUFFER_BYTES, c.buffer_bytes);
        c.common = self.common(f, path);
        target.map(|_| HandlerConfig::Memory(c))
    }
}
