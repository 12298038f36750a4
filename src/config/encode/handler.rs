//! The handlers written out: one impl per handler family, with the keys
//! they share (`common`, `worker`, `connection`, `tls`).

use crate::config::handler::{
    CommonHandlerConfig, ConnectionConfig, ConsoleHandlerConfig, Credentials, CustomHandlerConfig,
    FileHandlerConfig, HandlerConfig, HttpHandlerConfig, JournaldHandlerConfig,
    MemoryHandlerConfig, NullHandlerConfig, OtlpHandlerConfig, QueueHandlerConfig,
    RotatingFileHandlerConfig, SmtpHandlerConfig, SyslogHandlerConfig, TcpHandlerConfig, TlsConfig,
    UdpHandlerConfig, WatchedFileHandlerConfig, WorkerConfig,
};

use serde_json::Value;

use super::{Encode, Fields, Obj, Result, names_value};

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
