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

// reason: the tables, the examples and the text rules are read by the schema
// only; the decoder reads the fields one by one.
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
    /// A size in bytes (`64MiB`), from `min` to `max`; `why` explains the
    /// bounds in the loader's message.
    Size {
        min: u64,
        max: u64,
        why: Option<&'static str>,
    },
    /// A count, from `min` to `max`.
    Count { min: u32, max: u32 },
    /// One of `names`, in any case; `what` names the choice in messages
    /// ("unknown file mode `x`").
    Choice {
        what: &'static str,
        names: &'static [&'static str],
    },
    /// `true` or `false` (and YAML 1.1's spellings, in YAML files).
    Bool,
    /// A level name or a Python level number.
    Level,
    /// Text. `pattern`: the rule as an ECMA 262 regex for the schema (the
    /// decoder checks the same rule with its own parser and says why);
    /// `non_empty`: `""` is refused.
    Text {
        pattern: Option<&'static str>,
        non_empty: bool,
    },
    /// Unix permission bits, in octal text (`"0640"`) or a number.
    Permissions,
    /// A word of printable ASCII without spaces, 1 to `max` bytes, none of
    /// them in `forbidden` (RFC 5424's header fields). `what` names it in
    /// messages, and `why` ends them.
    Token {
        what: &'static str,
        max: usize,
        forbidden: &'static [u8],
        why: &'static str,
    },
}

/// Whether `s` is a token of `Kind::Token` with these bounds.
pub(crate) fn is_token(s: &str, max: usize, forbidden: &[u8]) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !forbidden.contains(&b))
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
    kind: Kind::Size {
        min: 1,
        max: u64::MAX,
        why: None,
    },
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

pub(crate) const STARTTLS: Field = choice(
    "starttls",
    "starttls mode",
    &["auto", "always", "never"],
    "always",
);

/// The scalar fields of `smtp` beside its worker.
pub(crate) const SMTP: &[Field] = &[STARTTLS, WINDOW, MAX_PER_HOUR, TIMEOUT, BUFFER];

/// Records (a count; `buffer_bytes` is the size) a `queue` or `memory` holds.
pub(crate) const CAPACITY: Field = count("capacity", 1, "10000");

/// The scalar fields of `queue` and `memory` beside the worker.
pub(crate) const QUEUE: &[Field] = &[CAPACITY];

const fn level(name: &'static str, example: &'static str) -> Field {
    Field {
        name,
        kind: Kind::Level,
        example,
    }
}

pub(crate) const OVERFLOW: Field = choice(
    "overflow",
    "overflow policy",
    &["block", "drop_newest", "drop_oldest"],
    "drop_oldest",
);
pub(crate) const DROP_BELOW: Field = level("drop_below", "WARNING");
/// `queue` beside its capacity.
pub(crate) const QUEUE_POLICY: &[Field] = &[OVERFLOW, DROP_BELOW];
pub(crate) const MEMORY_FLUSH_LEVEL: Field = level("flush_level", "ERROR");
/// `memory` beside its capacity.
pub(crate) const MEMORY: &[Field] = &[MEMORY_FLUSH_LEVEL, BUFFER_BYTES];

/// The level every handler may set (`CommonHandlerConfig`).
pub(crate) const HANDLER_LEVEL: Field = level("level", "INFO");
pub(crate) const COMMON: &[Field] = &[HANDLER_LEVEL];

/// The `level` filter.
pub(crate) const MIN: Field = level("min", "INFO");
pub(crate) const MAX: Field = level("max", "WARNING");
pub(crate) const LEVEL_FILTER: &[Field] = &[MIN, MAX];

pub(crate) const REPEATS: Field = count("repeats", 1, "3");
pub(crate) const DEDUP_WINDOW: Field = positive_duration("window", "60s");

/// The scalar fields of the `dedup` filter.
pub(crate) const DEDUP: &[Field] = &[REPEATS, DEDUP_WINDOW];

pub(crate) const DEBOUNCE: Field = duration("debounce", "25ms");
pub(crate) const MAX_WAIT: Field = duration("max_wait", "2s");

/// The fields of `reload` that always have a value (`poll_interval` has
/// none, and stays with the schema's patches).
pub(crate) const RELOAD: &[Field] = &[DEBOUNCE, MAX_WAIT, RELOAD_MODE, ENABLED, ON_SIGHUP];

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

const fn choice(
    name: &'static str,
    what: &'static str,
    names: &'static [&'static str],
    example: &'static str,
) -> Field {
    Field {
        name,
        kind: Kind::Choice { what, names },
        example,
    }
}

const fn boolean(name: &'static str, example: &'static str) -> Field {
    Field {
        name,
        kind: Kind::Bool,
        example,
    }
}

const fn size(
    name: &'static str,
    min: u64,
    max: u64,
    why: Option<&'static str>,
    example: &'static str,
) -> Field {
    Field {
        name,
        kind: Kind::Size { min, max, why },
        example,
    }
}

const fn token(
    name: &'static str,
    what: &'static str,
    max: usize,
    forbidden: &'static [u8],
    why: &'static str,
    example: &'static str,
) -> Field {
    Field {
        name,
        kind: Kind::Token {
            what,
            max,
            forbidden,
            why,
        },
        example,
    }
}

/// `type: console`.
pub(crate) const STREAM: Field = choice("stream", "stream", &["stdout", "stderr"], "stderr");
pub(crate) const COLOR: Field = choice("color", "color mode", &["auto", "always", "never"], "auto");
pub(crate) const CAPTURE: Field = boolean("capture", "false");
pub(crate) const CONSOLE: &[Field] = &[STREAM, COLOR, CAPTURE];

/// The file handlers: `file`, `rotating_file`, `watched_file`.
pub(crate) const PERMISSIONS: Field = Field {
    name: "permissions",
    kind: Kind::Permissions,
    example: "0640",
};
pub(crate) const DELAY: Field = boolean("delay", "false");
pub(crate) const FILE_MODE: Field = choice("mode", "file mode", &["append", "truncate"], "append");
pub(crate) const FLUSH_LEVEL: Field = level("flush_level", "ERROR");
/// The file handler's `buffer` is a size (the network handlers' a count).
pub(crate) const FILE_BUFFER: Field = size("buffer", 1, u64::MAX, None, "64KiB");
pub(crate) const FILE: &[Field] = &[FILE_MODE, PERMISSIONS, DELAY, FLUSH_LEVEL, FILE_BUFFER];
pub(crate) const WATCHED_FILE: &[Field] = &[PERMISSIONS, DELAY];

pub(crate) const MAX_BYTES: Field = size(
    "max_bytes",
    1,
    u64::MAX,
    Some("leave it out for no size limit"),
    "10MiB",
);
pub(crate) const WHEN: Field = choice(
    "when",
    "rotation time",
    super::RotateWhen::NAMES,
    "midnight",
);
pub(crate) const INTERVAL: Field = count("interval", 1, "1");
pub(crate) const AT_TIME: Field = Field {
    name: "at_time",
    kind: Kind::Text {
        // `parse_time_of_day`: hours 0 to 23, minutes and seconds 0 to 59.
        pattern: Some(r"^\s*(([01]?[0-9]|2[0-3]):[0-5]?[0-9](:[0-5]?[0-9])?)\s*$"),
        non_empty: true,
    },
    example: "02:30",
};
pub(crate) const UTC: Field = boolean("utc", "false");
pub(crate) const ARCHIVE: Field = Field {
    name: "archive",
    kind: Kind::Text {
        // A file name (no directory) with a strftime field.
        pattern: Some(r"^[^/\\]*%[^/\\]*$"),
        non_empty: true,
    },
    example: "app.%Y-%m-%d.log",
};
pub(crate) const BACKUPS: Field = count("backups", 0, "7");
pub(crate) const MAX_AGE: Field = positive_duration("max_age", "7d");
pub(crate) const MAX_TOTAL_SIZE: Field = size("max_total_size", 1, u64::MAX, None, "1GiB");
pub(crate) const COMPRESS: Field = choice("compress", "compression", &["none", "gzip"], "gzip");
pub(crate) const NUMBERING: Field =
    choice("numbering", "numbering", &["sequence", "shift"], "sequence");
pub(crate) const ROTATING_FILE: &[Field] = &[
    PERMISSIONS,
    DELAY,
    MAX_BYTES,
    WHEN,
    INTERVAL,
    AT_TIME,
    UTC,
    ARCHIVE,
    BACKUPS,
    MAX_AGE,
    MAX_TOTAL_SIZE,
    COMPRESS,
    NUMBERING,
];

/// `tcp` and `udp` beside the connection.
pub(crate) const FRAMING: Field = choice("framing", "framing", &["line", "length"], "line");
pub(crate) const TCP: &[Field] = &[FRAMING];
pub(crate) const MAX_DATAGRAM: Field = size(
    "max_datagram",
    1,
    65_507,
    Some("a UDP datagram carries 1 to 65507 bytes"),
    "1400",
);
pub(crate) const OVERSIZE: Field = choice(
    "oversize",
    "oversize policy",
    &["truncate", "split"],
    "truncate",
);

/// `type: syslog` beside the connection.
pub(crate) const TRANSPORT: Field = choice(
    "transport",
    "syslog transport",
    &["udp", "tcp", "relp", "unix"],
    "unix",
);
pub(crate) const SYSLOG_FORMAT: Field = choice(
    "format",
    "syslog format",
    &["rfc5424", "rfc3164"],
    "rfc5424",
);
pub(crate) const FACILITY: Field = choice("facility", "facility", super::Facility::NAMES, "local0");
pub(crate) const APP_NAME: Field = token("app_name", "app_name", 48, b"", " (RFC 5424)", "myapp");
pub(crate) const HOSTNAME: Field = token("hostname", "hostname", 255, b"", " (RFC 5424)", "web-1");
pub(crate) const PROCID: Field = token("procid", "procid", 128, b"", " (RFC 5424)", "4242");
pub(crate) const SD_ID: Field = token(
    "sd_id",
    "SD-ID",
    32,
    b"=]\"",
    ", such as `myapp@32473`",
    "myapp@32473",
);
pub(crate) const MAX_MESSAGE: Field = size(
    "max_message",
    480,
    u64::MAX,
    Some("every syslog server accepts 480 bytes: RFC 5424 §6.1"),
    "8KiB",
);
pub(crate) const SYSLOG: &[Field] = &[
    TRANSPORT,
    SYSLOG_FORMAT,
    FACILITY,
    APP_NAME,
    HOSTNAME,
    PROCID,
    SD_ID,
    MAX_MESSAGE,
];

/// `type: journald` beside its buffer.
pub(crate) const SYSLOG_IDENTIFIER: Field = token(
    "syslog_identifier",
    "identifier",
    super::MAX_IDENTIFIER,
    b"",
    "",
    "myapp",
);

/// `type: http` beside its scalars.
pub(crate) const HTTP_FORMAT: Field = choice(
    "format",
    "body format",
    &["json_lines", "json_array", "loki", "elasticsearch_bulk"],
    "loki",
);

/// `type: otlp` beside its scalars.
pub(crate) const OTLP_PROTOCOL: Field = choice(
    "protocol",
    "OTLP protocol",
    &["http/protobuf", "http/json"],
    "http/protobuf",
);
pub(crate) const OTLP_COMPRESSION: Field =
    choice("compression", "compression", &["none", "gzip"], "gzip");

/// `reload.mode` and `reload.on_sighup`, beside its durations.
pub(crate) const RELOAD_MODE: Field =
    choice("mode", "reload mode", &["auto", "events", "poll"], "auto");
pub(crate) const ENABLED: Field = boolean("enabled", "true");
pub(crate) const ON_SIGHUP: Field = boolean("on_sighup", "false");

/// The pattern formatter.
pub(crate) const STYLE: Field = choice("style", "style", &["%", "{", "$"], "{");
pub(crate) const VALIDATE: Field = boolean("validate", "true");
pub(crate) const ESCAPE: Field = choice("escape", "escape", super::Escape::NAMES, "control");
pub(crate) const MISSING: Field =
    choice("missing", "missing", super::MissingField::NAMES, "refuse");
pub(crate) const PATTERN: &[Field] = &[STYLE, UTC, VALIDATE, ESCAPE, MISSING];
/// The JSON formatter.
pub(crate) const FLATTEN_KV: Field = boolean("flatten_kv", "false");
pub(crate) const JSON: &[Field] = &[FLATTEN_KV, UTC];

/// The `regex` and `rate_limit` filters.
pub(crate) const ACTION: Field = choice("action", "action", &["allow", "deny"], "deny");
pub(crate) const REGEX: &[Field] = &[ACTION];
pub(crate) const BURST: Field = count("burst", 1, "20");
pub(crate) const RATE_LIMIT_LEVEL: Field = level("level", "WARNING");
pub(crate) const RATE_LIMIT: &[Field] = &[BURST, RATE_LIMIT_LEVEL];

/// The field table of a formatter type, for the schema.
pub(crate) fn of_formatter(kind: &str) -> &'static [Field] {
    match kind {
        "pattern" => PATTERN,
        "json" => JSON,
        _ => &[],
    }
}

pub(crate) const HTTP_CHOICES: &[Field] = &[HTTP_FORMAT];
pub(crate) const OTLP_CHOICES: &[Field] = &[OTLP_PROTOCOL, OTLP_COMPRESSION];
pub(crate) const UDP_SIZES: &[Field] = &[MAX_DATAGRAM, OVERSIZE];
pub(crate) const JOURNALD_IDENTIFIER: &[Field] = &[SYSLOG_IDENTIFIER];

/// The field tables of a filter type, for the schema.
pub(crate) fn of_filter(kind: &str) -> &'static [Field] {
    match kind {
        "dedup" => DEDUP,
        "level" => LEVEL_FILTER,
        "regex" => REGEX,
        "rate_limit" => RATE_LIMIT,
        _ => &[],
    }
}

/// The field tables of a handler type, for the schema; empty for the
/// families not on the table yet.
pub(crate) fn of_handler(kind: &str) -> &'static [&'static [Field]] {
    match kind {
        "console" => &[CONSOLE],
        "file" => &[FILE],
        "rotating_file" => &[ROTATING_FILE],
        "watched_file" => &[WATCHED_FILE],
        "tcp" => &[TCP, CONNECTION, WORKER],
        "syslog" => &[SYSLOG, CONNECTION, WORKER],
        "udp" => &[UDP_SIZES, UDP, WORKER],
        "http" => &[HTTP_CHOICES, HTTP, WORKER],
        "smtp" => &[SMTP, WORKER],
        "queue" => &[QUEUE, QUEUE_POLICY, WORKER],
        "memory" => &[QUEUE, MEMORY],
        "otlp" => &[OTLP_CHOICES, OTLP, WORKER],
        "journald" => &[JOURNALD_IDENTIFIER, JOURNALD, WORKER],
        _ => &[],
    }
}
