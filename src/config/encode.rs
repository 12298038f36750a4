//! A [`Config`] written out as the loader reads it: the JSON value of the
//! file that would load to it. The check of a config built in code loads
//! this value, so it gets the diagnostics (and config paths) a file gets;
//! `logfig fmt` prints it.
//!
//! Written by hand, not by serde's derive, so the default build compiles no
//! proc-macro: one small impl per config type. Each destructures its type
//! whole, without `..`, so a new field fails to compile here until it is
//! written out. The keys and shapes are the file's: handlers, formatters and
//! filters tagged by `type`, the shared keys (`common`, `worker`,
//! `connection`) flat beside the kind's own, durations and sizes as text,
//! permissions in octal, optional and empty values left out where the
//! loader's default is the same. Secrets are written as `***` unless shown
//! (see [`serializing`](super::serializing)). With the `serde` feature the
//! derived `Serialize` writes the same value, which a test checks over every
//! config the suite loads.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value};

use super::control::{ControlConfig, ControlListen};
use super::env_filter::EnvFilterConfig;
use super::filter::{
    DedupFilterConfig, FilterAction, FilterConfig, LevelFilterConfig, NameFilterConfig,
    RateLimitFilterConfig, RegexFilterConfig,
};
use super::formatter::{
    Escape, FormatStyle, FormatterConfig, JsonFormatterConfig, MissingField, PatternFormatterConfig,
};
use super::handler::{
    ColorMode, CommonHandlerConfig, Compression, ConnectionConfig, ConsoleHandlerConfig,
    Credentials, CustomHandlerConfig, Facility, FileHandlerConfig, FileMode, Framing,
    HandlerConfig, HttpFormat, HttpHandlerConfig, JournaldHandlerConfig, MemoryHandlerConfig,
    NullHandlerConfig, Numbering, OtlpCompression, OtlpHandlerConfig, OtlpProtocol, Overflow,
    Oversize, QueueHandlerConfig, RotateWhen, RotatingFileHandlerConfig, SmtpHandlerConfig,
    StartTls, Stream, SyslogFormat, SyslogHandlerConfig, SyslogTransport, TcpHandlerConfig,
    TlsConfig, UdpHandlerConfig, WatchedFileHandlerConfig, WorkerConfig,
};
use super::secret::{MASK, Secret, SecretUrl, shown};
use super::values::{Level, Size, format_duration};
use super::{Config, LoggerConfig, ReloadConfig, ReloadMode, RootConfig};

/// Why a config has no written form: a path that is not UTF-8, or a value
/// only the Python path makes (`Stream::PythonString`).
type Result<T> = std::result::Result<T, String>;

/// `config` as the JSON value of a file that loads to it; secrets as
/// [`serializing`](super::serializing) says.
pub(crate) fn to_json(config: &Config) -> Result<Value> {
    config.encode()
}

/// A value of the file.
trait Encode {
    fn encode(&self) -> Result<Value>;
}

/// A map of the file whose keys may sit flat in another (`common` in a
/// handler, a handler's keys beside its `type`).
trait Fields {
    fn fields(&self, o: &mut Obj) -> Result<()>;
}

/// A JSON object being written.
#[derive(Default)]
struct Obj(Map<String, Value>);

impl Obj {
    // `dyn`, not generic: one copy of each helper, not one per config type.
    fn of(fields: &dyn Fields) -> Result<Value> {
        let mut o = Obj::default();
        fields.fields(&mut o)?;
        Ok(Value::Object(o.0))
    }

    fn tagged(kind: &str, fields: &dyn Fields) -> Result<Value> {
        let mut o = Obj::default();
        o.put("type", Value::from(kind));
        fields.fields(&mut o)?;
        Ok(Value::Object(o.0))
    }

    fn put(&mut self, key: &str, value: Value) {
        self.0.insert(key.to_owned(), value);
    }

    fn set(&mut self, key: &str, value: &dyn Encode) -> Result<()> {
        self.put(key, value.encode()?);
        Ok(())
    }

    /// Left out when `None`.
    fn opt(&mut self, key: &str, value: &Option<impl Encode>) -> Result<()> {
        match value {
            Some(v) => self.set(key, v),
            None => Ok(()),
        }
    }

    /// Left out when empty.
    fn some_names(&mut self, key: &str, names: &[String]) {
        if !names.is_empty() {
            self.put(key, names_value(names));
        }
    }

    /// Left out when empty.
    fn some_map(&mut self, key: &str, map: &BTreeMap<String, impl Encode>) -> Result<()> {
        if !map.is_empty() {
            self.set(key, map)?;
        }
        Ok(())
    }

    /// Left out when false.
    fn flag(&mut self, key: &str, on: bool) {
        if on {
            self.put(key, Value::Bool(true));
        }
    }

    /// Unix permission bits as the file writes them: `"0644"`.
    fn octal(&mut self, key: &str, mode: u32) {
        self.put(key, Value::String(format!("0{mode:o}")));
    }
}

fn names_value(names: &[String]) -> Value {
    Value::Array(names.iter().map(|n| Value::from(n.as_str())).collect())
}

impl Encode for String {
    fn encode(&self) -> Result<Value> {
        Ok(Value::from(self.as_str()))
    }
}

impl Encode for bool {
    fn encode(&self) -> Result<Value> {
        Ok(Value::Bool(*self))
    }
}

impl Encode for u16 {
    fn encode(&self) -> Result<Value> {
        Ok(Value::from(*self))
    }
}

impl Encode for u32 {
    fn encode(&self) -> Result<Value> {
        Ok(Value::from(*self))
    }
}

impl Encode for f64 {
    /// `null` when not finite, as JSON has no such number.
    fn encode(&self) -> Result<Value> {
        Ok(Value::from(*self))
    }
}

impl Encode for Path {
    fn encode(&self) -> Result<Value> {
        match self.to_str() {
            Some(s) => Ok(Value::from(s)),
            None => Err("path contains invalid UTF-8 characters".to_owned()),
        }
    }
}

impl Encode for std::path::PathBuf {
    fn encode(&self) -> Result<Value> {
        self.as_path().encode()
    }
}

impl Encode for Duration {
    fn encode(&self) -> Result<Value> {
        Ok(Value::String(format_duration(*self)))
    }
}

impl Encode for Level {
    fn encode(&self) -> Result<Value> {
        Ok(Value::from(self.as_str()))
    }
}

impl Encode for Size {
    fn encode(&self) -> Result<Value> {
        Ok(Value::String(self.to_string()))
    }
}

impl Encode for Secret {
    fn encode(&self) -> Result<Value> {
        Ok(Value::from(shown(self.expose(), MASK)))
    }
}

impl Encode for SecretUrl {
    fn encode(&self) -> Result<Value> {
        Ok(Value::from(shown(self.expose(), &self.masked())))
    }
}

impl Encode for ControlListen {
    fn encode(&self) -> Result<Value> {
        Ok(Value::String(self.to_string()))
    }
}

impl<T: Encode> Encode for BTreeMap<String, T> {
    fn encode(&self) -> Result<Value> {
        let mut map = Map::new();
        for (k, v) in self {
            map.insert(k.clone(), v.encode()?);
        }
        Ok(Value::Object(map))
    }
}

/// Unit enums: each variant's name in the file.
macro_rules! names {
    ($($ty:ident { $($variant:ident => $name:literal),+ $(,)? })+) => {$(
        impl Encode for $ty {
            fn encode(&self) -> Result<Value> {
                Ok(Value::from(match self {
                    $($ty::$variant => $name,)+
                }))
            }
        }
    )+};
}

names! {
    ReloadMode { Auto => "auto", Events => "events", Poll => "poll" }
    FilterAction { Allow => "allow", Deny => "deny" }
    FormatStyle { Percent => "%", Brace => "{", Dollar => "$" }
    Escape { Control => "control", Lines => "lines", None => "none" }
    MissingField { Refuse => "refuse", LoggingError => "logging_error" }
    ColorMode { Auto => "auto", Always => "always", Never => "never" }
    FileMode { Append => "append", Truncate => "truncate" }
    RotateWhen {
        Seconds => "S", Minutes => "M", Hours => "H", Days => "D", Midnight => "midnight",
        Monday => "W0", Tuesday => "W1", Wednesday => "W2", Thursday => "W3",
        Friday => "W4", Saturday => "W5", Sunday => "W6",
    }
    Compression { None => "none", Gzip => "gzip" }
    Numbering { Sequence => "sequence", Shift => "shift" }
    HttpFormat {
        JsonLines => "json_lines", JsonArray => "json_array", Loki => "loki",
        ElasticsearchBulk => "elasticsearch_bulk",
    }
    Framing { Line => "line", Length => "length" }
    Oversize { Truncate => "truncate", Split => "split" }
    OtlpProtocol { HttpProtobuf => "http/protobuf", HttpJson => "http/json" }
    OtlpCompression { None => "none", Gzip => "gzip" }
    StartTls { Auto => "auto", Always => "always", Never => "never" }
    SyslogFormat { Rfc5424 => "rfc5424", Rfc3164 => "rfc3164" }
    SyslogTransport { Udp => "udp", Tcp => "tcp", Relp => "relp", Unix => "unix" }
    Facility {
        Kern => "kern", User => "user", Mail => "mail", Daemon => "daemon", Auth => "auth",
        Syslog => "syslog", Lpr => "lpr", News => "news", Uucp => "uucp", Cron => "cron",
        Authpriv => "authpriv", Ftp => "ftp", Ntp => "ntp", Security => "security",
        Console => "console", SolarisCron => "solaris_cron", Local0 => "local0",
        Local1 => "local1", Local2 => "local2", Local3 => "local3", Local4 => "local4",
        Local5 => "local5", Local6 => "local6", Local7 => "local7",
    }
    Overflow { Block => "block", DropNewest => "drop_newest", DropOldest => "drop_oldest" }
}

impl Encode for Stream {
    fn encode(&self) -> Result<Value> {
        match self {
            Stream::Stdout => Ok(Value::from("stdout")),
            Stream::Stderr => Ok(Value::from("stderr")),
            // Python's plain-string stream has no spelling in logfig's form.
            Stream::PythonString => {
                Err("the enum variant Stream::PythonString cannot be serialized".to_owned())
            }
        }
    }
}

impl Encode for Config {
    fn encode(&self) -> Result<Value> {
        let Config {
            version,
            disable_existing_loggers,
            incremental,
            reload,
            env_filter,
            formatters,
            filters,
            handlers,
            loggers,
            root,
            control,
            // Not part of the file's form: the levels of an incremental
            // config (`fmt` writes them itself) and where it came from.
            handler_levels: _,
            origin: _,
        } = self;
        let mut o = Obj::default();
        o.set("version", version)?;
        o.set("disable_existing_loggers", disable_existing_loggers)?;
        o.set("incremental", incremental)?;
        o.put("reload", Obj::of(reload)?);
        o.put("env_filter", Obj::of(env_filter)?);
        o.set("formatters", formatters)?;
        o.set("filters", filters)?;
        o.set("handlers", handlers)?;
        o.set("loggers", loggers)?;
        o.put("root", Obj::of(root)?);
        if let Some(control) = control {
            o.put("control", Obj::of(control)?);
        }
        Ok(Value::Object(o.0))
    }
}

impl Fields for ReloadConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let ReloadConfig {
            enabled,
            mode,
            debounce,
            max_wait,
            poll_interval,
            on_sighup,
        } = self;
        o.set("enabled", enabled)?;
        o.set("mode", mode)?;
        o.set("debounce", debounce)?;
        o.set("max_wait", max_wait)?;
        o.opt("poll_interval", poll_interval)?;
        o.set("on_sighup", on_sighup)
    }
}

impl Fields for EnvFilterConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let EnvFilterConfig { enabled, var } = self;
        o.set("enabled", enabled)?;
        o.set("var", var)
    }
}

impl Encode for LoggerConfig {
    fn encode(&self) -> Result<Value> {
        let LoggerConfig {
            level,
            handlers,
            propagate,
            filters,
        } = self;
        let mut o = Obj::default();
        o.opt("level", level)?;
        o.some_names("handlers", handlers);
        o.set("propagate", propagate)?;
        o.some_names("filters", filters);
        Ok(Value::Object(o.0))
    }
}

impl Fields for RootConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let RootConfig {
            level,
            handlers,
            filters,
        } = self;
        o.opt("level", level)?;
        o.some_names("handlers", handlers);
        o.some_names("filters", filters);
        Ok(())
    }
}

impl Fields for ControlConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let ControlConfig {
            listen,
            token,
            allow_remote,
            permissions,
            max_connections,
            rate_limit,
            timeout,
        } = self;
        o.set("listen", listen)?;
        o.opt("token", token)?;
        o.set("allow_remote", allow_remote)?;
        o.octal("permissions", *permissions);
        o.set("max_connections", max_connections)?;
        o.set("rate_limit", rate_limit)?;
        o.set("timeout", timeout)
    }
}

impl Encode for FormatterConfig {
    fn encode(&self) -> Result<Value> {
        match self {
            FormatterConfig::Pattern(c) => Obj::tagged("pattern", c),
            FormatterConfig::Json(c) => Obj::tagged("json", c),
        }
    }
}

impl Fields for PatternFormatterConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let PatternFormatterConfig {
            format,
            datefmt,
            style,
            utc,
            validate,
            defaults,
            escape,
            missing,
        } = self;
        o.opt("format", format)?;
        o.opt("datefmt", datefmt)?;
        o.set("style", style)?;
        o.set("utc", utc)?;
        o.set("validate", validate)?;
        o.some_map("defaults", defaults)?;
        o.set("escape", escape)?;
        o.set("missing", missing)
    }
}

impl Fields for JsonFormatterConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let JsonFormatterConfig {
            fields,
            rename,
            flatten_kv,
            datefmt,
            utc,
        } = self;
        o.put("fields", names_value(fields));
        o.some_map("rename", rename)?;
        o.set("flatten_kv", flatten_kv)?;
        o.opt("datefmt", datefmt)?;
        o.set("utc", utc)
    }
}

impl Encode for FilterConfig {
    fn encode(&self) -> Result<Value> {
        match self {
            FilterConfig::Level(c) => Obj::tagged("level", c),
            FilterConfig::Name(c) => Obj::tagged("name", c),
            FilterConfig::Regex(c) => Obj::tagged("regex", c),
            FilterConfig::RateLimit(c) => Obj::tagged("rate_limit", c),
            FilterConfig::Dedup(c) => Obj::tagged("dedup", c),
        }
    }
}

impl Fields for LevelFilterConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let LevelFilterConfig { min, max } = self;
        o.opt("min", min)?;
        o.opt("max", max)
    }
}

impl Fields for NameFilterConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let NameFilterConfig { name } = self;
        o.set("name", name)
    }
}

impl Fields for RegexFilterConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let RegexFilterConfig { pattern, action } = self;
        o.set("pattern", pattern)?;
        o.set("action", action)
    }
}

impl Fields for RateLimitFilterConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let RateLimitFilterConfig { rate, burst, level } = self;
        o.set("rate", rate)?;
        o.opt("burst", burst)?;
        o.set("level", level)
    }
}

impl Fields for DedupFilterConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let DedupFilterConfig { repeats, window } = self;
        o.set("repeats", repeats)?;
        o.set("window", window)
    }
}

impl Encode for HandlerConfig {
    fn encode(&self) -> Result<Value> {
        let kind = self.type_name();
        match self {
            HandlerConfig::Console(c) => Obj::tagged(kind, c),
            HandlerConfig::File(c) => Obj::tagged(kind, c),
            HandlerConfig::RotatingFile(c) => Obj::tagged(kind, c),
            HandlerConfig::WatchedFile(c) => Obj::tagged(kind, c),
            HandlerConfig::Queue(c) => Obj::tagged(kind, c),
            HandlerConfig::Memory(c) => Obj::tagged(kind, c),
            HandlerConfig::Null(c) => Obj::tagged(kind, c),
            HandlerConfig::Tcp(c) => Obj::tagged(kind, c),
            HandlerConfig::Udp(c) => Obj::tagged(kind, c),
            HandlerConfig::Syslog(c) => Obj::tagged(kind, c),
            HandlerConfig::Http(c) => Obj::tagged(kind, c),
            HandlerConfig::Smtp(c) => Obj::tagged(kind, c),
            HandlerConfig::Otlp(c) => Obj::tagged(kind, c),
            HandlerConfig::Journald(c) => Obj::tagged(kind, c),
            HandlerConfig::Custom(c) => Obj::tagged(kind, c),
        }
    }
}

impl Fields for CommonHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let CommonHandlerConfig {
            level,
            formatter,
            filters,
        } = self;
        o.opt("level", level)?;
        o.opt("formatter", formatter)?;
        o.some_names("filters", filters);
        Ok(())
    }
}

impl Fields for WorkerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let WorkerConfig {
            close_timeout,
            buffer_bytes,
        } = self;
        o.set("close_timeout", close_timeout)?;
        o.set("buffer_bytes", buffer_bytes)
    }
}

impl Fields for ConnectionConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let ConnectionConfig {
            timeout,
            buffer,
            backoff,
            max_backoff,
        } = self;
        o.set("timeout", timeout)?;
        o.set("buffer", buffer)?;
        o.set("backoff", backoff)?;
        o.set("max_backoff", max_backoff)
    }
}

impl Encode for TlsConfig {
    fn encode(&self) -> Result<Value> {
        let TlsConfig {
            ca_file,
            server_name,
            cert_file,
            key_file,
        } = self;
        let mut o = Obj::default();
        o.opt("ca_file", ca_file)?;
        o.opt("server_name", server_name)?;
        o.opt("cert_file", cert_file)?;
        o.opt("key_file", key_file)?;
        Ok(Value::Object(o.0))
    }
}

impl Encode for Credentials {
    fn encode(&self) -> Result<Value> {
        let Credentials { username, password } = self;
        let mut o = Obj::default();
        o.set("username", username)?;
        o.set("password", password)?;
        Ok(Value::Object(o.0))
    }
}

impl Fields for ConsoleHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let ConsoleHandlerConfig {
            stream,
            color,
            capture,
            common,
        } = self;
        o.set("stream", stream)?;
        o.set("color", color)?;
        o.flag("capture", *capture);
        common.fields(o)
    }
}

impl Fields for FileHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let FileHandlerConfig {
            path,
            mode,
            permissions,
            flush_level,
            buffer,
            delay,
            common,
        } = self;
        o.set("path", path)?;
        o.set("mode", mode)?;
        o.octal("permissions", *permissions);
        o.set("flush_level", flush_level)?;
        o.set("buffer", buffer)?;
        o.flag("delay", *delay);
        common.fields(o)
    }
}

impl Fields for RotatingFileHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let RotatingFileHandlerConfig {
            path,
            permissions,
            max_bytes,
            when,
            interval,
            at_time,
            utc,
            archive,
            numbering,
            backups,
            max_age,
            max_total_size,
            compress,
            delay,
            common,
        } = self;
        o.set("path", path)?;
        o.octal("permissions", *permissions);
        o.opt("max_bytes", max_bytes)?;
        o.opt("when", when)?;
        o.set("interval", interval)?;
        o.opt("at_time", at_time)?;
        o.set("utc", utc)?;
        o.opt("archive", archive)?;
        o.set("numbering", numbering)?;
        o.opt("backups", backups)?;
        o.opt("max_age", max_age)?;
        o.opt("max_total_size", max_total_size)?;
        o.set("compress", compress)?;
        o.flag("delay", *delay);
        common.fields(o)
    }
}

impl Fields for WatchedFileHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let WatchedFileHandlerConfig {
            path,
            permissions,
            delay,
            common,
        } = self;
        o.set("path", path)?;
        o.octal("permissions", *permissions);
        o.flag("delay", *delay);
        common.fields(o)
    }
}

impl Fields for QueueHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let QueueHandlerConfig {
            handlers,
            capacity,
            overflow,
            drop_below,
            worker,
            common,
        } = self;
        o.put("handlers", names_value(handlers));
        o.set("capacity", capacity)?;
        o.set("overflow", overflow)?;
        o.opt("drop_below", drop_below)?;
        worker.fields(o)?;
        common.fields(o)
    }
}

impl Fields for MemoryHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let MemoryHandlerConfig {
            target,
            capacity,
            flush_level,
            buffer_bytes,
            common,
        } = self;
        o.set("target", target)?;
        o.set("capacity", capacity)?;
        o.set("flush_level", flush_level)?;
        o.set("buffer_bytes", buffer_bytes)?;
        common.fields(o)
    }
}

impl Fields for NullHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let NullHandlerConfig { common } = self;
        common.fields(o)
    }
}

impl Fields for CustomHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let CustomHandlerConfig {
            factory,
            options,
            common,
        } = self;
        o.set("factory", factory)?;
        if !options.is_null() {
            o.put("options", options.shown().into_owned());
        }
        common.fields(o)
    }
}

impl Fields for TcpHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let TcpHandlerConfig {
            host,
            port,
            framing,
            tls,
            connection,
            worker,
            common,
        } = self;
        o.set("host", host)?;
        o.set("port", port)?;
        o.set("framing", framing)?;
        o.opt("tls", tls)?;
        connection.fields(o)?;
        worker.fields(o)?;
        common.fields(o)
    }
}

impl Fields for UdpHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let UdpHandlerConfig {
            host,
            port,
            max_datagram,
            oversize,
            buffer,
            worker,
            common,
        } = self;
        o.set("host", host)?;
        o.set("port", port)?;
        o.set("max_datagram", max_datagram)?;
        o.set("oversize", oversize)?;
        o.set("buffer", buffer)?;
        worker.fields(o)?;
        common.fields(o)
    }
}

impl Fields for SyslogHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let SyslogHandlerConfig {
            transport,
            host,
            port,
            path,
            format,
            facility,
            app_name,
            hostname,
            procid,
            sd_id,
            max_message,
            tls,
            connection,
            worker,
            common,
        } = self;
        o.set("transport", transport)?;
        o.set("host", host)?;
        o.set("port", port)?;
        o.set("path", path)?;
        o.set("format", format)?;
        o.set("facility", facility)?;
        o.opt("app_name", app_name)?;
        o.opt("hostname", hostname)?;
        o.opt("procid", procid)?;
        o.set("sd_id", sd_id)?;
        o.set("max_message", max_message)?;
        o.opt("tls", tls)?;
        connection.fields(o)?;
        worker.fields(o)?;
        common.fields(o)
    }
}

impl Fields for HttpHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let HttpHandlerConfig {
            url,
            format,
            batch_size,
            flush_interval,
            timeout,
            headers,
            max_retries,
            backoff,
            max_backoff,
            buffer,
            credentials,
            labels,
            index,
            tls,
            worker,
            common,
        } = self;
        o.set("url", url)?;
        o.set("format", format)?;
        o.set("batch_size", batch_size)?;
        o.set("flush_interval", flush_interval)?;
        o.set("timeout", timeout)?;
        o.some_map("headers", headers)?;
        o.set("max_retries", max_retries)?;
        o.set("backoff", backoff)?;
        o.set("max_backoff", max_backoff)?;
        o.set("buffer", buffer)?;
        o.opt("credentials", credentials)?;
        o.some_map("labels", labels)?;
        o.opt("index", index)?;
        o.opt("tls", tls)?;
        worker.fields(o)?;
        common.fields(o)
    }
}

impl Fields for SmtpHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let SmtpHandlerConfig {
            host,
            port,
            from,
            to,
            subject,
            starttls,
            credentials,
            window,
            max_per_hour,
            timeout,
            buffer,
            worker,
            common,
        } = self;
        o.set("host", host)?;
        o.set("port", port)?;
        o.set("from", from)?;
        o.put("to", names_value(to));
        o.set("subject", subject)?;
        o.set("starttls", starttls)?;
        o.opt("credentials", credentials)?;
        o.set("window", window)?;
        o.set("max_per_hour", max_per_hour)?;
        o.set("timeout", timeout)?;
        o.set("buffer", buffer)?;
        worker.fields(o)?;
        common.fields(o)
    }
}

impl Fields for OtlpHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let OtlpHandlerConfig {
            endpoint,
            protocol,
            headers,
            compression,
            timeout,
            max_batch,
            max_delay,
            max_retries,
            backoff,
            max_backoff,
            buffer,
            resource,
            tls,
            worker,
            common,
        } = self;
        o.opt("endpoint", endpoint)?;
        o.set("protocol", protocol)?;
        o.some_map("headers", headers)?;
        o.set("compression", compression)?;
        o.set("timeout", timeout)?;
        o.set("max_batch", max_batch)?;
        o.set("max_delay", max_delay)?;
        o.set("max_retries", max_retries)?;
        o.set("backoff", backoff)?;
        o.set("max_backoff", max_backoff)?;
        o.set("buffer", buffer)?;
        o.some_map("resource", resource)?;
        o.opt("tls", tls)?;
        worker.fields(o)?;
        common.fields(o)
    }
}

impl Fields for JournaldHandlerConfig {
    fn fields(&self, o: &mut Obj) -> Result<()> {
        let JournaldHandlerConfig {
            path,
            syslog_identifier,
            buffer,
            worker,
            common,
        } = self;
        o.set("path", path)?;
        o.opt("syslog_identifier", syslog_identifier)?;
        o.set("buffer", buffer)?;
        worker.fields(o)?;
        common.fields(o)
    }
}
