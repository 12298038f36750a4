//! Watching the config file and applying its changes.
//!
//! The parent directory is watched, not the file: editors save by renaming a
//! new file over the old one, and Kubernetes swaps a `..data` symlink, both of
//! which end a watch on the file itself. Events are only hints: after a burst
//! of them goes quiet (`debounce`, capped by `max_wait`), the file is read and
//! applied when its bytes differ from the last applied ones. A slow safety poll
//! of the file's metadata covers lost events, network file systems and bind
//! mounts; when no watcher can be created, polling is all there is.
//!
//! Everything runs on one thread, `logfig-watch`; logging threads never wait
//! for it. Dropping the [`Watcher`] stops it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use crate::config::{Config, ReloadConfig, ReloadMode};
use crate::error::{Diagnostic, Error, ErrorKind};
use crate::runtime::{Dispatcher, apply_if_changed};

mod inbox;
mod watch;

use inbox::{Receiver, Reply, Sender};
use watch::{Change, DirWatch};

/// What the last reload attempt did.
///
/// # Examples
///
/// ```
/// let status = logfig::ReloadStatus::default();
/// assert_eq!(status.reloads(), 0);
/// assert!(status.last_error().is_none());
/// assert!(status.last_applied().is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct ReloadStatus {
    attempted: Option<SystemTime>,
    applied: Option<SystemTime>,
    reloads: u64,
    error: Option<String>,
    diagnostics: Vec<Diagnostic>,
    env_filter: Option<crate::config::EnvFilter>,
    /// The last change made through the control endpoint.
    control: Option<String>,
}

impl ReloadStatus {
    /// When the file was last read for a reload.
    pub fn last_attempt(&self) -> Option<SystemTime> {
        self.attempted
    }

    /// When a reload last applied a changed config; `None` while the
    /// config the process started with runs.
    pub fn last_applied(&self) -> Option<SystemTime> {
        self.applied
    }

    /// How many changed configs were applied since start.
    pub fn reloads(&self) -> u64 {
        self.reloads
    }

    /// The error of the last attempt, if it failed; the previous config runs.
    pub fn last_error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The diagnostics (errors or warnings) of the last attempt.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The `RUST_LOG` directives in force after the last attempt (see
    /// [`EnvFilter`](crate::config::EnvFilter)), with what of them was ignored.
    pub fn env_filter(&self) -> Option<&crate::config::EnvFilter> {
        self.env_filter.as_ref()
    }

    /// The last change made through the control endpoint (feature
    /// `control`): who, what, for how long.
    pub fn last_control_change(&self) -> Option<&str> {
        self.control.as_deref()
    }
}

enum Message {
    /// The directory watch saw a change to the config's name (a hint).
    Changed,
    ReloadNow(Reply),
    /// SIGHUP: reopen file outputs, then reload.
    Hangup,
    Stop,
}

enum Debounced {
    Quiet,
    Stop,
    Now(Reply),
    Hangup,
}

type ReloadCallback = Arc<dyn Fn(&ReloadStatus) + Send + Sync>;

#[derive(Default)]
struct Callbacks(Mutex<Vec<ReloadCallback>>);

impl std::fmt::Debug for Callbacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Callbacks")
    }
}

/// Asks the watcher thread behind `tx` to reload now, and waits for the outcome.
fn reload_through(tx: &Sender) -> Result<(), Error> {
    let (reply, answer) = inbox::reply();
    // Refused, the reply is dropped unanswered, which answers "stopped".
    tx.send(Message::ReloadNow(reply));
    answer.wait()
}

fn read(state: &Mutex<ReloadStatus>) -> ReloadStatus {
    state.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

impl Callbacks {
    fn add(&self, callback: ReloadCallback) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(callback);
    }

    fn call(&self, status: &ReloadStatus) {
        let callbacks = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for cb in callbacks {
            let _ = crate::catch::quietly(|| cb(status));
        }
    }
}

/// Watches one config file and applies its changes to a dispatcher.
#[derive(Debug)]
pub(crate) struct Watcher {
    tx: Sender,
    state: Arc<Mutex<ReloadStatus>>,
    callbacks: Arc<Callbacks>,
    thread: Option<JoinHandle<()>>,
}

struct Worker {
    dispatcher: Dispatcher,
    path: PathBuf,
    settings: ReloadConfig,
    state: Arc<Mutex<ReloadStatus>>,
    callbacks: Arc<Callbacks>,
    #[cfg(unix)]
    hangup: Option<signal_hook::iterator::Handle>,
    /// Bytes of the last config applied (or found invalid, so the same broken
    /// text is reported once).
    last_bytes: Vec<u8>,
    last_meta: Option<Meta>,
    /// Kept alive while watching; `None` in poll mode.
    dir_watch: Option<DirWatch>,
    /// For the directory watch's callback; the thread still stops on `Message::Stop`.
    tx: Sender,
    /// The running config is Python's: its diagnostics go to the status and
    /// the error hook, not through the graph or to stderr.
    python: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Meta {
    modified: Option<SystemTime>,
    len: u64,
    #[cfg(unix)]
    ino: u64,
}

fn meta(path: &Path) -> Option<Meta> {
    let m = std::fs::metadata(path).ok()?;
    Some(Meta {
        modified: m.modified().ok(),
        len: m.len(),
        #[cfg(unix)]
        ino: std::os::unix::fs::MetadataExt::ino(&m),
    })
}

impl Watcher {
    /// Watches `path`, whose `config` runs in `dispatcher` with `warnings`.
    pub(crate) fn start(
        dispatcher: Dispatcher,
        path: PathBuf,
        config: &Config,
        warnings: Vec<Diagnostic>,
    ) -> Result<Watcher, Error> {
        let (tx, rx) = inbox::inbox();
        // The bytes the running config was loaded from, not a second read:
        // an edit between the two would otherwise pass for applied.
        let bytes = match config.origin.text.as_deref() {
            Some(text) => text.as_bytes().to_vec(),
            None => std::fs::read(&path).unwrap_or_default(),
        };
        let python = config.is_python();
        let state = Arc::new(Mutex::new(ReloadStatus {
            env_filter: dispatcher.env_filter(),
            // A Python config's warnings are nowhere else to be seen.
            diagnostics: if python { warnings } else { Vec::new() },
            ..ReloadStatus::default()
        }));
        let callbacks = Arc::new(Callbacks::default());
        let mut worker = Worker {
            dispatcher,
            path: path.clone(),
            settings: config.reload.clone(),
            state: Arc::clone(&state),
            callbacks: Arc::clone(&callbacks),
            #[cfg(unix)]
            hangup: None,
            last_bytes: bytes,
            last_meta: meta(&path),
            dir_watch: None,
            tx: tx.clone(),
            python,
        };
        worker.watch();
        worker.arm_hangup()?;
        let thread = crate::catch::spawn("logfig-watch".into(), Box::new(move || worker.run(&rx)))
            .map_err(|e| Error::io("starting the config watcher thread", e))?;
        Ok(Watcher {
            tx,
            state,
            callbacks,
            thread: Some(thread),
        })
    }

    pub(crate) fn status(&self) -> ReloadStatus {
        read(&self.state)
    }

    pub(crate) fn on_reload(&self, callback: ReloadCallback) {
        self.callbacks.add(callback);
    }

    /// What the control endpoint needs of the watcher, shareable with its
    /// thread.
    #[cfg(feature = "control")]
    pub(crate) fn link(&self) -> Link {
        Link {
            tx: self.tx.clone(),
            state: Arc::clone(&self.state),
            callbacks: Arc::clone(&self.callbacks),
        }
    }

    pub(crate) fn reload_now(&self) -> Result<(), Error> {
        reload_through(&self.tx)
    }
}

/// The control endpoint's view of a [`Watcher`]: its status, manual
/// reloads, and a place to record the endpoint's changes.
#[cfg(feature = "control")]
#[derive(Debug, Clone)]
pub(crate) struct Link {
    tx: Sender,
    state: Arc<Mutex<ReloadStatus>>,
    callbacks: Arc<Callbacks>,
}

#[cfg(feature = "control")]
impl Link {
    pub(crate) fn status(&self) -> ReloadStatus {
        read(&self.state)
    }

    /// As [`Watcher::reload_now`].
    pub(crate) fn reload_now(&self) -> Result<(), Error> {
        reload_through(&self.tx)
    }

    /// As [`Watcher::on_reload`].
    pub(crate) fn on_reload(&self, callback: ReloadCallback) {
        self.callbacks.add(callback);
    }

    /// Records a change made through the control endpoint and tells the
    /// `on_reload` callbacks.
    pub(crate) fn note(&self, change: String) {
        let status = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.control = Some(change);
            state.clone()
        };
        self.callbacks.call(&status);
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.tx.send(Message::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What loading a config's bytes gave: the config, the warnings when it was
/// applied (`None`: it equals the running one), and what changed.
type Loaded = Result<(Config, Option<Vec<Diagnostic>>, String), Error>;

/// How long to wait before retrying a file that failed to parse right after an
/// event: an editor writing in place may not have finished.
const MID_WRITE_RETRY: Duration = Duration::from_millis(250);

impl Worker {
    /// Starts or stops listening for SIGHUP as `reload.on_sighup` says.
    fn arm_hangup(&mut self) -> Result<(), Error> {
        #[cfg(unix)]
        match (self.settings.on_sighup, self.hangup.is_some()) {
            (true, false) => {
                let mut signals =
                    signal_hook::iterator::Signals::new([signal_hook::consts::SIGHUP])
                        .map_err(|e| Error::io("listening for SIGHUP", e))?;
                self.hangup = Some(signals.handle());
                let tx = self.tx.clone();
                let listen = move || {
                    for _ in signals.forever() {
                        if !tx.send(Message::Hangup) {
                            return;
                        }
                    }
                };
                crate::catch::spawn("logfig-sighup".into(), Box::new(listen))
                    .map_err(|e| Error::io("starting the SIGHUP thread", e))?;
            }
            (false, true) => {
                if let Some(h) = self.hangup.take() {
                    h.close();
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn poll_interval(&self) -> Duration {
        let default = if self.dir_watch.is_some() {
            Duration::from_secs(30)
        } else {
            Duration::from_secs(2)
        };
        self.settings
            .poll_interval
            .unwrap_or(default)
            .max(Duration::from_millis(10))
    }

    /// Sets up the directory watch (unless in poll mode); on failure, polling
    /// covers it.
    fn watch(&mut self) {
        self.dir_watch = None;
        if self.settings.mode == ReloadMode::Poll {
            return;
        }
        // The names whose changes count: the config, `..data`, a link target.
        let mut names: Vec<std::ffi::OsString> = self
            .path
            .file_name()
            .map(ToOwned::to_owned)
            .into_iter()
            .collect();
        names.push("..data".into());
        let mut dirs = vec![parent(&self.path)];
        if let Ok(target) = std::fs::canonicalize(&self.path) {
            if let Some(name) = target.file_name() {
                names.push(name.to_owned());
            }
            let dir = parent(&target);
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        let tx = self.tx.clone();
        // Filtered on the watch's thread: the changes of other files in a
        // busy directory never reach the inbox. Fails when no directory can
        // be watched (or inotify's limits are reached): polling covers it.
        let on_change = move |change: Change| {
            let relevant = match &change {
                Change::Named(name) => names.iter().any(|m| m == name),
                Change::Unnamed => true,
            };
            !relevant || tx.send(Message::Changed)
        };
        self.dir_watch = DirWatch::new(&dirs, on_change).ok();
    }

    fn run(mut self, rx: &Receiver) {
        let mut next_poll = Instant::now() + self.poll_interval();
        loop {
            let timeout = next_poll.saturating_duration_since(Instant::now());
            match rx.recv_timeout(timeout) {
                Some(Message::Stop) => return,
                Some(Message::Hangup) => {
                    self.dispatcher.reopen();
                    let _ = self.attempt(false, false);
                }
                Some(Message::ReloadNow(reply)) => {
                    reply.send(self.attempt(false, true));
                }
                Some(Message::Changed) => match self.debounce(rx) {
                    Debounced::Stop => return,
                    Debounced::Quiet => {
                        let _ = self.attempt(true, false);
                    }
                    Debounced::Now(reply) => {
                        reply.send(self.attempt(false, true));
                    }
                    Debounced::Hangup => {
                        self.dispatcher.reopen();
                        let _ = self.attempt(false, false);
                    }
                },
                None => {
                    let now = meta(&self.path);
                    if now.is_some() && now != self.last_meta {
                        let _ = self.attempt(false, false);
                    }
                    next_poll = Instant::now() + self.poll_interval();
                }
            }
        }
    }

    /// Waits until events stop for `debounce`, or `max_wait` passed since the
    /// first.
    fn debounce(&self, rx: &Receiver) -> Debounced {
        let start = Instant::now();
        let cap = start + self.settings.max_wait;
        let mut quiet_until = start + self.settings.debounce;
        loop {
            let now = Instant::now();
            let until = quiet_until.min(cap);
            if now >= until {
                return Debounced::Quiet;
            }
            match rx.recv_timeout(until - now) {
                Some(Message::Stop) => return Debounced::Stop,
                Some(Message::Changed) => {
                    quiet_until = Instant::now() + self.settings.debounce;
                }
                // A manual reload ends the wait: it reads the file anyway.
                Some(Message::ReloadNow(reply)) => return Debounced::Now(reply),
                Some(Message::Hangup) => return Debounced::Hangup,
                None => return Debounced::Quiet,
            }
        }
    }

    /// [`check`](Worker::check), with a panic anywhere in it (a bug of
    /// logfig's; the application's code is caught closer, in `load`) turned
    /// into a reported failure: the watcher thread lives on.
    fn attempt(&mut self, after_event: bool, force: bool) -> Result<(), Error> {
        match crate::catch::quietly(|| self.check(after_event, force)) {
            Ok(result) => result,
            Err(caught) => {
                let e = Error::new(
                    ErrorKind::Other,
                    format!("{}: the reload panicked: {caught}", self.path.display()),
                );
                report_failure(&self.path, &e);
                let mut status = self.status();
                status.attempted = Some(SystemTime::now());
                status.error = Some(e.to_string());
                status.diagnostics = Vec::new();
                self.callbacks.call(&status);
                self.publish(status);
                Err(e)
            }
        }
    }

    /// Reads the file and applies it if its bytes changed. `after_event`: a
    /// failure may come from a half-written file, so it is looked at again.
    /// `force`: apply even if the bytes are unchanged (a manual reload).
    fn check(&mut self, after_event: bool, force: bool) -> Result<(), Error> {
        self.last_meta = meta(&self.path);
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) if !bytes.is_empty() => bytes,
            // A missing file keeps the running config; it is picked up again
            // when it reappears. An empty one is a write in progress (`>`
            // and `fs::write` truncate, then write): never a config to apply
            // or report, however long the writer stalls in between.
            Ok(_) => return self.not_read(force, None),
            Err(e) => return self.not_read(force, Some(e)),
        };
        if bytes == self.last_bytes && !force {
            return Ok(());
        }
        let Some((bytes, result)) = self.load_settled(bytes, after_event) else {
            return Ok(());
        };
        self.last_bytes = bytes;
        // Published last, after the reload's record and the callbacks: whoever
        // sees an attempt in `reload_status()` sees everything it did.
        let mut status = self.status();
        status.attempted = Some(SystemTime::now());
        status.env_filter = self.dispatcher.env_filter();
        let result = match result {
            Ok((config, applied, changes)) => {
                status.error = None;
                status.diagnostics = applied.clone().unwrap_or_default();
                if applied.is_some() {
                    status.reloads += 1;
                    status.applied = status.attempted;
                }
                // A file may change the reload settings, but not stop the
                // watcher: only dropping the handle does.
                let mode_changed = config.reload.mode != self.settings.mode;
                self.settings = ReloadConfig {
                    enabled: true,
                    ..config.reload
                };
                if mode_changed {
                    self.watch();
                }
                if let Err(e) = self.arm_hangup() {
                    report_failure(&self.path, &e);
                }
                self.python = config.is_python();
                if applied.is_some() && self.python {
                    for w in applied.iter().flatten() {
                        let e = Error::from_diagnostics(ErrorKind::Invalid, vec![w.clone()]);
                        self.dispatcher.report_config(&e);
                    }
                } else if applied.is_some() {
                    log::info!(logger: self.dispatcher, target: "logfig",
                        "reloaded `{}`: {changes}", self.path.display());
                    for w in applied.iter().flatten() {
                        log::warn!(logger: self.dispatcher, target: "logfig", "{w}");
                    }
                }
                Ok(())
            }
            Err(e) => {
                status.error = Some(e.to_string());
                status.diagnostics = e.diagnostics().to_vec();
                if self.python {
                    self.dispatcher.report_config(&e);
                } else {
                    report_failure(&self.path, &e);
                    log::error!(logger: self.dispatcher, target: "logfig",
                        "reloading `{}` failed; the running config stays:\n{e}", self.path.display());
                }
                Err(e)
            }
        };
        self.callbacks.call(&status);
        self.publish(status);
        result
    }

    /// Stores `status`, keeping the control endpoint's last change, which
    /// may have been noted since `status` was read.
    fn publish(&self, mut status: ReloadStatus) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        status.control = state.control.take();
        *state = status;
    }

    fn status(&self) -> ReloadStatus {
        read(&self.state)
    }

    /// The file is missing (`error`) or empty: the running config stays,
    /// and nothing is reported, except to a manual reload, which asked.
    fn not_read(&self, force: bool, error: Option<std::io::Error>) -> Result<(), Error> {
        if !force {
            return Ok(());
        }
        let what = format!("reading config file `{}`", self.path.display());
        Err(match error {
            Some(e) => Error::io(what, e),
            None => Error::new(
                ErrorKind::Io,
                format!("{what}: the file is empty; the running config stays"),
            ),
        })
    }

    /// Loads `bytes`. Right after an event the file may be half written (an
    /// editor writing in place, a truncate before the write): whatever the
    /// error, the file is read again after [`MID_WRITE_RETRY`], and loaded
    /// again while its bytes keep changing, for up to `max_wait`. `None`
    /// when the file ended up empty or gone: a write still in progress, or
    /// content that no longer exists, is not reported.
    fn load_settled(
        &mut self,
        mut bytes: Vec<u8>,
        mut after_event: bool,
    ) -> Option<(Vec<u8>, Loaded)> {
        let deadline = Instant::now() + self.settings.max_wait.max(MID_WRITE_RETRY);
        loop {
            let result = self.load(&bytes);
            if result.is_ok() || !after_event {
                return Some((bytes, result));
            }
            let again = loop {
                std::thread::sleep(MID_WRITE_RETRY);
                self.last_meta = meta(&self.path);
                match std::fs::read(&self.path) {
                    Ok(again) if again.is_empty() && Instant::now() < deadline => {}
                    Ok(again) if !again.is_empty() => break again,
                    _ => return None,
                }
            };
            if again == bytes {
                return Some((bytes, result));
            }
            // Past the deadline the new bytes are loaded once more, then
            // reported as they are.
            after_event = Instant::now() < deadline;
            bytes = again;
        }
    }

    /// Loads, checks and applies `bytes`. A panic on the way (a custom
    /// factory's, or any other) is a failed reload like an invalid file: the
    /// running graph stays and the watcher keeps watching.
    fn load(&self, bytes: &[u8]) -> Loaded {
        crate::catch::quietly(|| self.load_unguarded(bytes)).unwrap_or_else(|caught| {
            Err(Error::new(
                ErrorKind::Other,
                format!(
                    "{}: loading the config panicked: {caught}",
                    self.path.display()
                ),
            ))
        })
    }

    fn load_unguarded(&self, bytes: &[u8]) -> Loaded {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            Error::new(
                ErrorKind::Parse,
                format!(
                    "{}: the config is not valid UTF-8: {e}",
                    self.path.display()
                ),
            )
        })?;
        let format =
            crate::load::Format::from_path(&self.path).unwrap_or(crate::load::Format::Yaml);
        let (config, checked) = crate::load::load_str(text, format, Some(&self.path))?;
        let old = self.dispatcher.config();
        let applied = apply_if_changed(&self.dispatcher, &config, checked)?;
        let changes = describe_changes(&old, &config);
        Ok((config, applied, changes))
    }
}

/// What a reload changed, in one line: levels, and which handlers,
/// formatters, filters and loggers were added, removed or changed.
fn describe_changes(old: &Config, new: &Config) -> String {
    use std::collections::BTreeMap;
    /// The generic part, small: the names, and whether a name's value
    /// differs. The rest is `names`, compiled once.
    fn diff<T: PartialEq>(
        what: &str,
        old: &BTreeMap<String, T>,
        new: &BTreeMap<String, T>,
        out: &mut Vec<String>,
    ) {
        let old_keys: Vec<&str> = old.keys().map(String::as_str).collect();
        let new_keys: Vec<&str> = new.keys().map(String::as_str).collect();
        names(
            what,
            &old_keys,
            &new_keys,
            &|k| old.get(k) != new.get(k),
            out,
        );
    }
    /// `old` and `new` are sorted (a `BTreeMap`'s keys).
    fn names(
        what: &str,
        old: &[&str],
        new: &[&str],
        differs: &dyn Fn(&str) -> bool,
        out: &mut Vec<String>,
    ) {
        let mut added = Vec::new();
        let mut changed = Vec::new();
        for k in new {
            if old.binary_search(k).is_err() {
                added.push(*k);
            } else if differs(k) {
                changed.push(*k);
            }
        }
        let removed: Vec<&str> = old
            .iter()
            .copied()
            .filter(|k| new.binary_search(k).is_err())
            .collect();
        for (verb, names) in [("added", added), ("removed", removed), ("changed", changed)] {
            if !names.is_empty() {
                out.push(format!("{what} {verb}: {}", names.join(", ")));
            }
        }
    }
    let mut out = Vec::new();
    let level = |l: Option<crate::config::Level>| l.map_or("unset", crate::config::Level::as_str);
    if old.root.level != new.root.level {
        out.push(format!(
            "root level {} -> {}",
            level(old.root.level),
            level(new.root.level)
        ));
    }
    for (name, l) in &new.loggers {
        if let Some(o) = old.loggers.get(name).filter(|o| o.level != l.level) {
            out.push(format!(
                "`{name}` level {} -> {}",
                level(o.level),
                level(l.level)
            ));
        }
    }
    diff("loggers", &old.loggers, &new.loggers, &mut out);
    diff("handlers", &old.handlers, &new.handlers, &mut out);
    diff("formatters", &old.formatters, &new.formatters, &mut out);
    diff("filters", &old.filters, &new.filters, &mut out);
    if out.is_empty() {
        "no effective change".to_owned()
    } else {
        out.join("; ")
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Ends the SIGHUP thread's iterator.
        #[cfg(unix)]
        if let Some(h) = self.hangup.take() {
            h.close();
        }
    }
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A failed reload goes to stderr too: it must be seen even when logging is
/// what broke. The write's result is ignored: a closed or full stderr must
/// not panic the watcher thread.
fn report_failure(path: &Path, e: &Error) {
    use std::io::Write;
    let mut text = Vec::with_capacity(256);
    let _ = writeln!(
        text,
        "logfig: reloading `{}` failed; the running config stays:\n{e}",
        path.display()
    );
    // The error quotes the file's own lines and values: on their way to a
    // terminal, their controls are escaped as record text is by default
    // (newlines stay, the report spans lines).
    crate::formatters::escape::escape_from(&mut text, 0, crate::config::Escape::Control);
    let _ = std::io::stderr().lock().write_all(&text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;

    fn config(text: &str) -> Config {
        Config::from_str(text, Format::Json).unwrap()
    }

    #[test]
    fn the_changes_of_a_reload_are_named_in_one_line() {
        let old = config(
            r#"{"version": 1,
                "handlers": {"a": {"type": "console"}, "b": {"type": "console"}, "c": {"type": "null"}},
                "loggers": {"app": {"level": "INFO"}, "gone": {"level": "WARNING"}},
                "root": {"level": "INFO", "handlers": ["a"]}}"#,
        );
        let new = config(
            r#"{"version": 1,
                "handlers": {"a": {"type": "console"}, "b": {"type": "console", "level": "ERROR"}, "d": {"type": "null"}},
                "loggers": {"app": {"level": "DEBUG"}, "new": {"level": "INFO"}},
                "root": {"level": "WARNING", "handlers": ["a"]}}"#,
        );
        assert_eq!(
            describe_changes(&old, &new),
            "root level INFO -> WARNING; `app` level INFO -> DEBUG; \
             loggers added: new; loggers removed: gone; loggers changed: app; \
             handlers added: d; handlers removed: c; handlers changed: b"
        );
        assert_eq!(describe_changes(&old, &old), "no effective change");
    }
}
