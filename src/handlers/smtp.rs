//! [`SmtpHandler`]: records as e-mail, batched by time window and capped per
//! hour, sent by a background thread (feature `smtp`, with `lettre` and
//! rustls).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use lettre::message::{Mailbox, Message, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{SmtpTransport, Transport};

use super::HandlerStats;
use super::worker::{
    Backlog, Ctx, Fifo, Output, Plan, Settings, Weigh, Worker, worker_handler_methods,
};
use crate::config::{Escape, PatternFormatterConfig, Secret, SmtpHandlerConfig, StartTls};
use crate::entry::Entry;
use crate::error::Error;
use crate::error::ErrorKind;
use crate::formatters::Formatter;
use crate::formatters::PatternFormatter;
use crate::handlers::Handler;

const HOUR: Duration = Duration::from_secs(3600);

/// E-mails records (`type: smtp`, feature `smtp`).
///
/// The logging thread renders the record (body line by the handler's
/// formatter, subject by the `subject` pattern) and queues it; a background
/// thread named `logfig-smtp-<name>` sends. The first record of a message
/// opens a `window`; every record that arrives within it joins the message,
/// whose body holds one record a line and whose subject is the first record's
/// subject plus ` (+N more)`. At most `max_per_hour` messages leave in any
/// hour; beyond that, records wait (up to `buffer` and `buffer_bytes`, the
/// oldest dropped and counted) for the next message the cap allows.
///
/// Record text in the subject is escaped as `escape: lines` does (`\r`, `\n`,
/// `\x1b`), so it can never start a header of its own. In the body each
/// record's newlines, carriage returns and NULs are escaped, so a record is
/// one line whatever the formatter.
///
/// A message the server refuses, or that cannot be delivered within
/// `timeout`, counts its records as failed; the error (never the password)
/// goes to the error hook. `flush` sends what waits without waiting for the
/// window (the hourly cap still holds), at most `close_timeout`; `close` does
/// the same within `close_timeout`, then counts what is left as failed.
///
/// Statistics: `emitted` (records in sent messages), `dropped` (the buffer
/// was full), `failed`, `queued`, `queued_bytes`.
///
/// # Examples
///
/// ```
/// let mut c = logfig::config::SmtpHandlerConfig::new("127.0.0.1", "app@example.com", ["ops@example.com"]);
/// c.subject = "[app] %(levelname)s %(message)s".into();
/// let h = logfig::__internal::SmtpHandler::start("mail", &c)?;
/// logfig::Handler::close(&h)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SmtpHandler {
    worker: Worker<Fifo<Item>>,
    subject: PatternFormatter,
}

#[derive(Debug)]
struct Item {
    queued: Instant,
    subject: String,
    line: String,
}

impl Weigh for Item {
    fn weight(&self) -> usize {
        std::mem::size_of::<Item>() + self.subject.len() + self.line.len()
    }
}

struct Mail {
    transport: SmtpTransport,
    from: Mailbox,
    to: Vec<Mailbox>,
}

impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the credentials: not shown.
        f.debug_struct("Mail")
            .field("from", &self.from)
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

/// The sending side, owned by the worker thread.
#[derive(Debug)]
struct Mailer {
    mail: Mail,
    server: String,
    /// To cut out of messages; its `Debug` shows `***`.
    password: Option<Secret>,
    window: Duration,
    max_per_hour: usize,
    /// When the messages of the last hour left.
    sent: VecDeque<Instant>,
}

fn mailbox(what: &str, address: &str) -> Result<Mailbox, Error> {
    address.parse().map_err(|e| {
        Error::new(
            ErrorKind::Invalid,
            format!("invalid {what} address `{address}`: {e}"),
        )
    })
}

/// The formatter of a `subject` pattern. `graph::check` compiles it too, so
/// a subject over the format bounds is a config error found by `check`
/// (and `logfig check`), not first when the handler is built.
pub(crate) fn subject_formatter(subject: &str) -> Result<PatternFormatter, String> {
    PatternFormatter::compile(&PatternFormatterConfig {
        format: Some(subject.to_owned()),
        // A subject is one header line: record text in it is escaped, line
        // breaks included, so it can never start a header of its own.
        escape: Escape::Lines,
        // A subject without a placeholder is plain text, as Python's
        // SMTPHandler's always is; the bounds are checked all the same.
        validate: false,
        ..PatternFormatterConfig::default()
    })
}

impl SmtpHandler {
    /// Checks the addresses and the subject pattern and starts the sending
    /// thread; nothing is connected until the first message.
    ///
    /// # Errors
    ///
    /// An invalid address or subject pattern, or a thread that cannot start.
    pub fn start(name: &str, config: &SmtpHandlerConfig) -> Result<SmtpHandler, Error> {
        let from = mailbox("`from`", &config.from)?;
        let to = config
            .to
            .iter()
            .map(|a| mailbox("`to`", a))
            .collect::<Result<Vec<_>, _>>()?;
        let subject = subject_formatter(&config.subject).map_err(|e| {
            Error::new(
                ErrorKind::Invalid,
                format!("invalid `subject` pattern: {e}"),
            )
        })?;
        let tls = || {
            TlsParameters::new(config.host.clone())
                .map_err(|e| Error::new(ErrorKind::Invalid, format!("TLS setup failed: {e}")))
        };
        let tls = match config.starttls {
            StartTls::Never => Tls::None,
            StartTls::Always => Tls::Required(tls()?),
            _ => Tls::Opportunistic(tls()?),
        };
        let mut builder = SmtpTransport::builder_dangerous(config.host.clone())
            .port(config.port)
            .tls(tls)
            .timeout(Some(config.timeout));
        if let Some(c) = &config.credentials {
            builder = builder.credentials(Credentials::new(
                c.username.clone(),
                c.password.expose().to_owned(),
            ));
        }
        let mail = Mail {
            transport: builder.build(),
            from,
            to,
        };
        let mailer = Mailer {
            mail,
            server: format!("{}:{}", config.host, config.port),
            password: config
                .credentials
                .as_ref()
                .map(|c| c.password.clone())
                .filter(|p| !p.expose().is_empty()),
            window: config.window,
            max_per_hour: config.max_per_hour.max(1) as usize,
            sent: VecDeque::new(),
        };
        let settings = Settings::new(
            "smtp",
            "smtp",
            name,
            config.buffer.max(1) as usize,
            &config.worker,
        );
        Ok(SmtpHandler {
            worker: Worker::start(settings, mailer)?,
            subject,
        })
    }
}

type Items = Fifo<Item>;

impl Mailer {
    /// `message` with the password cut out, in case a server echoed it.
    fn scrub(&self, mut message: String) -> String {
        if let Some(p) = &self.password {
            message = message.replace(p.expose(), "***");
        }
        message
    }

    /// Forgets the messages sent more than an hour ago; whether the cap
    /// still forbids another one.
    fn capped(&mut self) -> bool {
        while self.sent.front().is_some_and(|t| t.elapsed() >= HOUR) {
            self.sent.pop_front();
        }
        self.sent.len() >= self.max_per_hour
    }

    fn send(&self, items: &Items) -> Result<(), String> {
        let Some(first) = items.front() else {
            return Ok(());
        };
        let subject = if items.len() > 1 {
            format!("{} (+{} more)", first.subject, items.len() - 1)
        } else {
            first.subject.clone()
        };
        let mut body = String::new();
        for item in items.items() {
            body.push_str(&item.line);
            body.push('\n');
        }
        let mail = &self.mail;
        let mut builder = Message::builder().from(mail.from.clone()).subject(subject);
        for to in &mail.to {
            builder = builder.to(to.clone());
        }
        builder
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())
            .and_then(|m| mail.transport.send(&m).map_err(|e| e.to_string()))
            .map(|_| ())
    }
}

impl Output for Mailer {
    type Backlog = Items;

    fn plan(&mut self, waiting: &Items, flushing: bool, closing: bool) -> Plan {
        if self.capped() {
            // No message is allowed now: wait for the cap (a flush cannot);
            // at close, what waits is lost.
            return match self.sent.front() {
                _ if closing => Plan::Take(usize::MAX),
                Some(t) => Plan::Wait(Some(*t + HOUR)),
                None => Plan::Take(usize::MAX),
            };
        }
        if flushing || closing {
            return Plan::Take(usize::MAX);
        }
        match waiting.front() {
            Some(first) if first.queued.elapsed() < self.window => {
                Plan::Wait(Some(first.queued + self.window))
            }
            _ => Plan::Take(usize::MAX),
        }
    }

    fn deliver(&mut self, batch: &mut Items, ctx: &Ctx<'_, Items>) {
        let n = batch.len() as u64;
        if self.capped() {
            ctx.failed(n, || {
                format!(
                    "{}: closed while `max_per_hour` allowed no message; {n} records count as failed",
                    ctx.label()
                )
            });
            return;
        }
        if ctx.too_late(n) {
            return;
        }
        self.sent.push_back(Instant::now());
        match self.send(batch) {
            Ok(()) => ctx.emitted(n),
            Err(e) => ctx.failed(n, || {
                self.scrub(format!(
                    "{}: sending a message through {} failed ({e}); {n} records count as failed",
                    ctx.label(),
                    self.server
                ))
            }),
        }
    }
}

impl Handler for SmtpHandler {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        let mut line = Vec::with_capacity(128);
        formatter.format(entry, &mut line)?;
        // The body holds one record a line, whatever the formatter.
        crate::formatters::escape::escape_breaks(&mut line, 0);
        let mut subject = Vec::with_capacity(64);
        self.subject.format(entry, &mut subject)?;
        // A subject is one line (what is left are the pattern's own
        // characters).
        let subject: String = String::from_utf8_lossy(&subject)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(200)
            .collect();
        let item = Item {
            queued: Instant::now(),
            subject,
            line: String::from_utf8_lossy(&line).into_owned(),
        };
        self.worker.send(item)
    }

    worker_handler_methods!(worker);
}
