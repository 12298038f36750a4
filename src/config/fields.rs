//! One description per field: what a config key holds, its bounds and an
//! example, declared once and read by the decoder
//! (`load/decode/fields.rs`) and the schema (`schema.rs`), so the two cannot
//! disagree. The prose stays the doc comment of the config type's field
//! (rustdoc is where Rust users read it, and the schema takes it from there);
//! the default stays the type's `Default` (the one value code and file share).
//!
//! A static table rather than a macro: a `Field` is plain data any floor above
//! can read, and the decoder, the schema and the reference tables each walk
//! it their own way without a macro's hidden code. Families move onto it one
//! at a time (ARCHITECTURE.md says which are done).

// reason: the tables and examples are read by the schema only; the decoder
// reads the fields one by one.
#![cfg_attr(not(feature = "schema"), allow(dead_code))]

use std::time::Duration;

/// What a field holds, with the loader's bounds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// A duration (`250ms`, `1h30m`). `positive`: zero is refused. `max`: the
    /// longest, and why.
    Duration {
        positive: bool,
        max: Option<(Duration, &'static str)>,
    },
    /// A size in bytes (`64MiB`), at least `min`.
    Size { min: u64 },
    /// A count, from `min` to `max`.
    Count { min: u32, max: u32 },
}

/// One config key of a handler, formatter or filter type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    /// A value shown in the schema and the reference tables.
    pub(crate) example: &'static str,
}

const fn positive_duration(name: &'static str, example: &'static str) -> Field {
    Field {
        name,
        kind: Kind::Duration {
            positive: true,
            max: None,
        },
        example,
    }
}

const fn duration(name: &'static str, example: &'static str) -> Field {
    Field {
        name,
        kind: Kind::Duration {
            positive: false,
            max: None,
        },
        example,
    }
}

const fn count(name: &'static str, min: u32, example: &'static str) -> Field {
    Field {
        name,
        kind: Kind::Count { min, max: u32::MAX },
        example,
    }
}

/// The bounds of every output with a thread (`WorkerConfig`).
pub(crate) const CLOSE_TIMEOUT: Field = Field {
    name: "close_timeout",
    kind: Kind::Duration {
        positive: true,
        max: Some((
            Duration::from_secs(3600),
            "it bounds how long shutdown waits",
        )),
    },
    example: "2s",
};
pub(crate) const BUFFER_BYTES: Field = Field {
    name: "buffer_bytes",
    kind: Kind::Size { min: 1 },
    example: "16MiB",
};
pub(crate) const WORKER: &[Field] = &[CLOSE_TIMEOUT, BUFFER_BYTES];

/// Records (a count; `buffer_bytes` is the size) waiting for a network output.
pub(crate) const BUFFER: Field = count("buffer", 1, "10000");
pub(crate) const TIMEOUT: Field = positive_duration("timeout", "1s");
pub(crate) const BACKOFF: Field = positive_duration("backoff", "100ms");
pub(crate) const MAX_BACKOFF: Field = positive_duration("max_backoff", "30s");

/// The connection of `tcp` and `syslog` (`ConnectionConfig`).
pub(crate) const CONNECTION: &[Field] = &[TIMEOUT, BUFFER, BACKOFF, MAX_BACKOFF];

/// The scalar fields of `udp` beside its worker.
pub(crate) const UDP: &[Field] = &[BUFFER];

pub(crate) const BATCH_SIZE: Field = count("batch_size", 1, "500");
pub(crate) const FLUSH_INTERVAL: Field = positive_duration("flush_interval", "1s");
pub(crate) const MAX_RETRIES: Field = count("max_retries", 0, "5");

/// The scalar fields of `http` beside its worker.
pub(crate) const HTTP: &[Field] = &[
    BATCH_SIZE,
    FLUSH_INTERVAL,
    TIMEOUT,
    MAX_RETRIES,
    BACKOFF,
    MAX_BACKOFF,
    BUFFER,
];

pub(crate) const WINDOW: Field = positive_duration("window", "10s");
pub(crate) const MAX_PER_HOUR: Field = count("max_per_hour", 1, "20");

/// The scalar fields of `smtp` beside its worker.
pub(crate) const SMTP: &[Field] = &[WINDOW, MAX_PER_HOUR, TIMEOUT, BUFFER];

/// Records (a count; `buffer_bytes` is the size) a `queue` or `memory` holds.
pub(crate) const CAPACITY: Field = count("capacity", 1, "10000");

/// The scalar fields of `queue` and `memory` beside the worker.
pub(crate) const QUEUE: &[Field] = &[CAPACITY];

pub(crate) const REPEATS: Field = count("repeats", 1, "3");
pub(crate) const DEDUP_WINDOW: Field = positive_duration("window", "60s");

/// The scalar fields of the `dedup` filter.
pub(crate) const DEDUP: &[Field] = &[REPEATS, DEDUP_WINDOW];

pub(crate) const DEBOUNCE: Field = duration("debounce", "25ms");
pub(crate) const MAX_WAIT: Field = duration("max_wait", "2s");

/// The durations of `reload` that always have a value.
pub(crate) const RELOAD: &[Field] = &[DEBOUNCE, MAX_WAIT];

pub(crate) const MAX_BATCH: Field = Field {
    name: "max_batch",
    kind: Kind::Count {
        min: 1,
        max: super::MAX_BATCH,
    },
    example: "512",
};
pub(crate) const MAX_DELAY: Field = positive_duration("max_delay", "1s");
/// An OTLP export retries at most 100 times: past that a collector is gone.
pub(crate) const OTLP_MAX_RETRIES: Field = Field {
    name: "max_retries",
    kind: Kind::Count { min: 0, max: 100 },
    example: "5",
};

/// The scalar fields of `otlp` beside its worker.
pub(crate) const OTLP: &[Field] = &[
    TIMEOUT,
    MAX_BATCH,
    MAX_DELAY,
    OTLP_MAX_RETRIES,
    BACKOFF,
    MAX_BACKOFF,
    BUFFER,
];

/// The scalar fields of `journald` beside its worker.
pub(crate) const JOURNALD: &[Field] = &[BUFFER];

/// The field tables of a filter type, for the schema.
pub(crate) fn of_filter(kind: &str) -> &'static [Field] {
    match kind {
        "dedup" => DEDUP,
        _ => &[],
    }
}

/// The field tables of a handler type, for the schema; empty for the
/// families not on the table yet.
pub(crate) fn of_handler(kind: &str) -> &'static [&'static [Field]] {
    match kind {
        "tcp" | "syslog" => &[CONNECTION, WORKER],
        "udp" => &[UDP, WORKER],
        "http" => &[HTTP, WORKER],
        "smtp" => &[SMTP, WORKER],
        "queue" => &[QUEUE, WORKER],
        "memory" => &[QUEUE],
        "otlp" => &[OTLP, WORKER],
        "journald" => &[JOURNALD, WORKER],
        _ => &[],
    }
}
