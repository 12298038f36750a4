//! [`SmtpHandler`]: records as e-mail, batched by time window and capped per
//! hour, sent by a background thread (feature `smtp`, with `lettre` and
//! rustls).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use lettre::message::{Mailbox, Message, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{SmtpTransport, Transport};

use super::HandlerStats;
use crate::config::{PatternFormatterConfig, Secret, SmtpHandlerConfig, StartTls};
use crate::{Entry, Error, ErrorKind, Formatter, Handler, PatternFormatter};

const HOUR: Duration = Duration::from_secs(3600);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// E-mails records (`type: smtp`, feature `smtp`).
///
/// The logging thread renders the record (body line by the handler's
/// formatter, subject by the `subject` pattern) and queues it; a background
/// thread named `logfig-smtp-<name>` sends. The first record of a message
/// opens a `window`; every record that arrives within it joins the message,
/// whose body holds one record a line and whose subject is the first record's
/// subject plus ` (+N more)`. At most `max_per_hour` messages leave in any
/// hour; beyond that, records wait (up to `buffer`, the oldest dropped and
/// counted) for the next message the cap allows.
///
/// A message the server refuses, or that cannot be delivered within
/// `timeout`, is dropped and its records counted; the error (never the
/// password) goes to the error hook. `flush` sends what waits without waiting
/// for the window (the hourly cap still holds); `close` does the same, then
/// counts what is left as dropped.
///
/// Statistics: `emitted` (records in sent messages), `dropped`, `queued`.
///
/// # Examples
///
/// ```
/// let mut c = logfig::config::SmtpHandlerConfig::new("127.0.0.1", "app@example.com", ["ops@example.com"]);
/// c.subject = "[app] %(levelname)s %(message)s".into();
/// let h = logfig::SmtpHandler::start("mail", &c)?;
/// logfig::Handler::close(&h)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SmtpHandler {
    shared: Arc<Shared>,
    subject: PatternFormatter,
    worker: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Debug)]
struct Item {
    queued: Instant,
    subject: String,
    line: String,
}

#[derive(Debug, Default)]
struct State {
    items: VecDeque<Item>,
    flush_asked: u64,
    flush_done: u64,
    closed: bool,
    stopped: bool,
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

#[derive(Debug)]
struct Shared {
    label: String,
    server: String,
    /// To cut out of messages; its `Debug` shows `***`.
    password: Option<Secret>,
    window: Duration,
    max_per_hour: usize,
    capacity: usize,
    state: Mutex<State>,
    work: Condvar,
    done: Condvar,
    held: AtomicU64,
    emitted: AtomicU64,
    dropped: AtomicU64,
    error: Mutex<Option<String>>,
}

fn mailbox(what: &str, address: &str) -> Result<Mailbox, Error> {
    address.parse().map_err(|e| {
        Error::new(
            ErrorKind::Invalid,
            format!("invalid {what} address `{address}`: {e}"),
        )
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
        let mut subject = PatternFormatterConfig::default();
        subject.format = Some(config.subject.clone());
        let subject = PatternFormatter::compile(&subject).map_err(|e| {
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
        let shared = Arc::new(Shared {
            label: format!("smtp `{name}`"),
            server: format!("{}:{}", config.host, config.port),
            password: config
                .credentials
                .as_ref()
                .map(|c| c.password.clone())
                .filter(|p| !p.expose().is_empty()),
            window: config.window,
            max_per_hour: config.max_per_hour.max(1) as usize,
            capacity: config.buffer.max(1) as usize,
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            done: Condvar::new(),
            held: AtomicU64::new(0),
            emitted: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            error: Mutex::new(None),
        });
        let for_worker = Arc::clone(&shared);
        let worker = std::thread::Builder::new()
            .name(format!("logfig-smtp-{name}"))
            .spawn(move || for_worker.run(&mail))
            .map_err(|e| Error::io(format!("starting the thread of smtp `{name}`"), e))?;
        Ok(SmtpHandler {
            shared,
            subject,
            worker: Mutex::new(Some(worker)),
        })
    }
}

impl Shared {
    /// Keeps `message` for the next `emit`, with the password cut out in
    /// case a server echoed it.
    fn note(&self, mut message: String) {
        if let Some(p) = &self.password {
            message = message.replace(p.expose(), "***");
        }
        *lock(&self.error) = Some(message);
    }

    fn send(&self, mail: &Mail, items: &[Item]) {
        let n = items.len() as u64;
        let Some(first) = items.first() else { return };
        let subject = if items.len() > 1 {
            format!("{} (+{} more)", first.subject, items.len() - 1)
        } else {
            first.subject.clone()
        };
        let mut body = String::new();
        for item in items {
            body.push_str(&item.line);
            body.push('\n');
        }
        let mut builder = Message::builder().from(mail.from.clone()).subject(subject);
        for to in &mail.to {
            builder = builder.to(to.clone());
        }
        let result = builder
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())
            .and_then(|m| mail.transport.send(&m).map_err(|e| e.to_string()));
        match result {
            Ok(_) => {
                self.emitted.fetch_add(n, Ordering::Relaxed);
            }
            Err(e) => {
                self.dropped.fetch_add(n, Ordering::Relaxed);
                self.note(format!(
                    "{}: sending a message through {} failed ({e}); {n} records dropped",
                    self.label, self.server
                ));
            }
        }
    }

    fn run(&self, mail: &Mail) {
        crate::runtime::mark_internal_thread();
        let mut sent: VecDeque<Instant> = VecDeque::new();
        loop {
            let mut state = lock(&self.state);
            loop {
                let flushing = state.flush_asked != state.flush_done;
                while sent.front().is_some_and(|t| t.elapsed() >= HOUR) {
                    sent.pop_front();
                }
                let capped = sent.len() >= self.max_per_hour;
                // Nothing to send, or nothing may be sent now: a flush
                // cannot wait for the cap.
                if flushing && (state.items.is_empty() || capped) {
                    state.flush_done = state.flush_asked;
                    self.done.notify_all();
                }
                if state.items.is_empty() {
                    if state.closed {
                        state.stopped = true;
                        drop(state);
                        self.done.notify_all();
                        return;
                    }
                    state = self
                        .work
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                    continue;
                }
                if capped {
                    if state.closed {
                        // No message is allowed now: what waits is lost.
                        let lost = state.items.len() as u64;
                        state.items.clear();
                        self.dropped.fetch_add(lost, Ordering::Relaxed);
                        continue;
                    }
                    let free_at = sent
                        .front()
                        .map_or(HOUR, |t| HOUR.saturating_sub(t.elapsed()));
                    state = self
                        .work
                        .wait_timeout(state, free_at)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                    continue;
                }
                if flushing || state.closed {
                    break;
                }
                let age = state
                    .items
                    .front()
                    .map_or(Duration::ZERO, |i| i.queued.elapsed());
                if age >= self.window {
                    break;
                }
                state = self
                    .work
                    .wait_timeout(state, self.window - age)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            let batch: Vec<Item> = state.items.drain(..).collect();
            self.held.store(batch.len() as u64, Ordering::Relaxed);
            drop(state);
            sent.push_back(Instant::now());
            self.send(mail, &batch);
            self.held.store(0, Ordering::Relaxed);
        }
    }
}

impl Handler for SmtpHandler {
    fn emit(&self, entry: &Entry<'_>, formatter: &dyn Formatter) -> Result<(), Error> {
        let mut line = Vec::with_capacity(128);
        formatter.format(entry, &mut line)?;
        let mut subject = Vec::with_capacity(64);
        self.subject.format(entry, &mut subject)?;
        // A subject is one line.
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
        let s = &self.shared;
        let mut state = lock(&s.state);
        if state.closed {
            drop(state);
            s.dropped.fetch_add(1, Ordering::Relaxed);
        } else {
            if state.items.len() >= s.capacity {
                state.items.pop_front();
                s.dropped.fetch_add(1, Ordering::Relaxed);
            }
            state.items.push_back(item);
            let first = state.items.len() == 1;
            drop(state);
            if first {
                s.work.notify_one();
            }
        }
        match lock(&s.error).take() {
            Some(message) => Err(Error::new(ErrorKind::Handler, message)),
            None => Ok(()),
        }
    }

    fn flush(&self) -> Result<(), Error> {
        let s = &self.shared;
        let mut state = lock(&s.state);
        if state.stopped {
            return Ok(());
        }
        state.flush_asked += 1;
        let ticket = state.flush_asked;
        s.work.notify_one();
        while state.flush_done < ticket && !state.stopped {
            state = s.done.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
        Ok(())
    }

    fn close(&self) -> Result<(), Error> {
        lock(&self.shared.state).closed = true;
        self.shared.work.notify_all();
        let worker = lock(&self.worker).take();
        if let Some(w) = worker
            && w.join().is_err()
        {
            return Err(Error::new(
                ErrorKind::Handler,
                format!("the thread of {} panicked", self.shared.label),
            ));
        }
        Ok(())
    }

    fn stats(&self) -> HandlerStats {
        let s = &self.shared;
        HandlerStats {
            emitted: s.emitted.load(Ordering::Relaxed),
            dropped: s.dropped.load(Ordering::Relaxed),
            queued: lock(&s.state).items.len() as u64 + s.held.load(Ordering::Relaxed),
            ..HandlerStats::default()
        }
    }
}

impl Drop for SmtpHandler {
    fn drop(&mut self) {
        let _ = Handler::close(self);
    }
}
