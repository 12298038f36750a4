//! Catching the panics of code logfig runs for the application (custom
//! handlers and their factories, the error hook, reload callbacks) without
//! Rust's panic message for each one.
//!
//! logfig reports a panic it catches itself: once, then at most once a second
//! with a count. Rust's panic hook would print its message before the panic
//! is caught, for every record a broken handler gets. The hook is the
//! application's, process-wide; logfig does not take it over. [`install`]
//! wraps whatever hook is there, once: a panic raised inside [`quietly`] on
//! the current thread only has its location noted for logfig's report; every
//! other panic goes to the wrapped hook, as before.
//!
//! An application that sets its own hook after logfig started, without
//! calling the one it replaced, displaces the wrapper. The next panic logfig
//! catches shows it (the wrapper did not note it), and the wrapper is put back
//! around the application's hook, which keeps every other panic. That happens
//! at most [`MAX_REWRAPS`] times in a process, so a handler that re-raises
//! panics with `resume_unwind` (which calls no hook) cannot grow the chain.
//!
//! With `panic = "abort"` nothing can be caught, and the hook is left alone.
//!
//! The same per-thread state marks a thread inside the logger graph (or one
//! of logfig's own threads): a record logged there goes to stderr, not back
//! into the graph. Entering the graph also makes the thread quiet, in the one
//! write the re-entrancy guard always did, so the hot path pays nothing for
//! quiet catching. Every handler call in the graph is caught ([`caught`]);
//! a panic that escapes them all (a bug of logfig's own, in a filter, say)
//! goes on into the application as it would without logfig, and
//! [`Escaping`] prints what the hook kept quiet.
//!
//! This module uses nothing else of the crate.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

thread_local! {
    /// [`QUIET`] and [`IN_GRAPH`] bits of this thread.
    static STATE: Cell<u8> = const { Cell::new(0) };
    /// The message and the place of the last quiet panic of this thread,
    /// noted by the hook.
    static NOTED: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// A panic here is caught by logfig, which reports it: the hook stays silent.
const QUIET: u8 = 1;
/// Inside the graph, or on one of logfig's threads: a record logged here
/// goes to stderr.
const IN_GRAPH: u8 = 2;

fn is_quiet() -> bool {
    STATE.try_with(|s| s.get() & QUIET != 0).unwrap_or(false)
}

/// Marks the current thread as inside the logger graph (and quiet) until the
/// guard drops; `None` when it already is, or is one of logfig's threads: a
/// record logged there must not go back into the graph.
pub(crate) fn enter_graph() -> Option<GraphGuard> {
    STATE
        .try_with(|s| {
            let before = s.get();
            (before & IN_GRAPH == 0).then(|| {
                s.set(before | IN_GRAPH | QUIET);
                GraphGuard(before)
            })
        })
        .ok()
        .flatten()
}

/// Restores the thread's state when a record leaves the graph.
pub(crate) struct GraphGuard(u8);

impl Drop for GraphGuard {
    fn drop(&mut self) {
        let _ = STATE.try_with(|s| s.set(self.0));
    }
}

/// Marks the current thread as one of logfig's own (a queue's or a rotation
/// worker): a record logged on it goes to stderr, never into the graph.
pub(crate) fn mark_internal_thread() {
    let _ = STATE.try_with(|s| s.set(s.get() | IN_GRAPH));
}

/// Starts a thread named `name` that runs `f`: how the crate starts its
/// threads. Boxed, so that std's thread start-up is compiled once, not once
/// per closure type (several hundred lines of LLVM IR each).
pub(crate) fn spawn(
    name: String,
    f: Box<dyn FnOnce() + Send>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name(name).spawn(f)
}

/// Whether the wrapper hook is in place.
static INSTALLED: AtomicBool = AtomicBool::new(false);
/// Serialises wrapping, so two threads never wrap at once.
static WRAPPING: Mutex<()> = Mutex::new(());
/// How many times the wrapper was put back after being displaced.
static REWRAPS: AtomicU32 = AtomicU32::new(0);
const MAX_REWRAPS: u32 = 8;

/// Wraps the current panic hook so that panics under [`quietly`] print
/// nothing; done once per process. Called when a dispatcher is built.
pub(crate) fn install() {
    if cfg!(panic = "abort") || INSTALLED.load(Ordering::Acquire) {
        return;
    }
    let _guard = WRAPPING.lock().unwrap_or_else(PoisonError::into_inner);
    // `set_hook` panics on a panicking thread (a dispatcher built in a
    // `Drop` during unwinding): the next build installs it.
    if INSTALLED.load(Ordering::Acquire) || std::thread::panicking() {
        return;
    }
    wrap();
    INSTALLED.store(true, Ordering::Release);
}

fn wrap() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if is_quiet() {
            let message = payload_text(info.payload());
            let at = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            let _ = NOTED.try_with(|n| *n.borrow_mut() = Some((message, at)));
            return;
        }
        previous(info);
    }));
}

/// A panic caught by [`quietly`]: its message, and where it was raised when
/// the hook saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caught {
    message: String,
    location: Option<String>,
}

impl fmt::Display for Caught {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        match &self.location {
            Some(at) if !at.is_empty() => write!(f, " (at {at})"),
            _ => Ok(()),
        }
    }
}

/// Runs `f`, catching a panic. The panic hook stays silent for a panic of
/// `f` on this thread (once [`install`] ran): the caller reports it.
pub(crate) fn quietly<R>(f: impl FnOnce() -> R) -> Result<R, Caught> {
    let before = enter_quiet();
    let result = catch_unwind(AssertUnwindSafe(f));
    leave_quiet(before);
    result.map_err(|payload| into_caught(&*payload, before.is_some()))
}

/// Marks this thread quiet; returns its state before, `None` when the
/// thread's locals are gone. Outside [`quietly`], which is generic, so that
/// the thread-local access is compiled once per unit, not per `R`.
#[inline] // reason: on a queue's worker, per record; two cell accesses
fn enter_quiet() -> Option<u8> {
    STATE.try_with(|s| s.replace(s.get() | QUIET)).ok()
}

/// Puts back the state [`enter_quiet`] returned.
#[inline] // reason: as `enter_quiet`
fn leave_quiet(before: Option<u8>) {
    if let Some(before) = before {
        let _ = STATE.try_with(|s| s.set(before));
    }
}

/// Runs `f`, catching a panic, on a thread that is quiet already: inside the
/// graph ([`enter_graph`]) or under [`quietly`]. Sets nothing, so it costs
/// nothing on the logging path; every panic raised in a quiet thread must be
/// caught by one of these two, or the application would die silently.
#[inline(always)] // reason: one per handler call; as cheap as the bare catch_unwind it replaced
pub(crate) fn caught<R>(f: impl FnOnce() -> R) -> Result<R, Caught> {
    debug_assert!(
        is_quiet() || STATE.try_with(|_| ()).is_err(),
        "caught() outside the graph or quietly()"
    );
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| into_caught(&*payload, true))
}

#[cold]
#[inline(never)]
fn into_caught(payload: &(dyn std::any::Any + Send), state_known: bool) -> Caught {
    let location = NOTED
        .try_with(|n| n.borrow_mut().take())
        .ok()
        .flatten()
        .map(|(_, at)| at);
    if location.is_none() && state_known {
        rewrap_if_displaced();
    }
    Caught {
        message: payload_text(payload),
        location,
    }
}

/// Dropped only while a panic unwinds out of the graph, uncaught: the
/// thread was quiet, so the hook printed nothing; this says what the
/// panic was, then lets it go on into the application. On the normal path
/// [`done`](Escaping::done) forgets it, so it costs nothing there.
pub(crate) struct Escaping;

impl Escaping {
    /// The graph was left normally.
    #[inline(always)] // reason: on the logging path; compiles to nothing
    pub(crate) fn done(self) {
        std::mem::forget(self);
    }
}

impl Drop for Escaping {
    fn drop(&mut self) {
        use std::io::Write;
        // Nothing noted: the hook was not logfig's, and it printed.
        if let Some((message, at)) = NOTED.try_with(|n| n.borrow_mut().take()).ok().flatten() {
            let line = escape_controls(&format!(
                "logfig: panicked at {at} while routing a record: {message}\n"
            ));
            // Ignored: nothing may panic while unwinding.
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
        }
    }
}

/// Called when a panic caught quietly was not noted by the wrapper: another
/// hook replaced it (or the panic was re-raised with `resume_unwind`, which
/// calls no hook; the cap bounds those).
fn rewrap_if_displaced() {
    if !INSTALLED.load(Ordering::Acquire) || std::thread::panicking() {
        return;
    }
    let _guard = WRAPPING.lock().unwrap_or_else(PoisonError::into_inner);
    if REWRAPS.fetch_add(1, Ordering::Relaxed) < MAX_REWRAPS {
        wrap();
    }
}

/// `text` with its terminal controls escaped as the default `escape:
/// control` escapes record text (C0 but tab and newline, DEL, C1: `\r`, else
/// `\x` and two hex digits): a panic's message is the application's or a
/// peer's text on its way to a terminal. Written here, not taken from
/// `formatters::escape`, because this module stands below the formatters;
/// it runs only for a panic, so it need not be fast.
fn escape_controls(text: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' | '\n' => out.push(c),
            '\r' => out.push_str("\\r"),
            // `is_control` is exactly C0, DEL and C1.
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// The text of a panic's payload (`panic!`'s message), if it has one.
pub(crate) fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_as_record_text_is() {
        assert_eq!(
            escape_controls("a\tb\nc\r\x1b[2J\x07\u{7f}\u{9b}é"),
            "a\tb\nc\\r\\x1b[2J\\x07\\x7f\\x9bé"
        );
    }

    #[test]
    fn a_caught_panic_keeps_its_message() {
        let caught = quietly(|| -> u32 { panic!("boom {}", 7) }).unwrap_err();
        assert_eq!(caught.message, "boom 7");
        assert_eq!(quietly(|| 5), Ok(5));
    }

    #[test]
    fn a_panic_escaping_the_graph_goes_on_and_the_state_is_restored() {
        install();
        let escaped = std::panic::catch_unwind(|| {
            let _graph = enter_graph();
            let escaping = Escaping;
            if std::hint::black_box(true) {
                panic!("escapes");
            }
            escaping.done();
        });
        assert!(escaped.is_err());
        assert!(!is_quiet());
        assert!(NOTED.with(|n| n.borrow().is_none()), "taken by `Escaping`");
    }

    #[test]
    fn the_state_is_restored_after_a_nested_catch() {
        let _ = quietly(|| {
            let _ = quietly(|| panic!("inner"));
            assert!(is_quiet(), "still inside the outer catch");
            let guard = enter_graph().expect("not in the graph yet");
            assert!(enter_graph().is_none(), "re-entry");
            drop(guard);
            assert!(is_quiet(), "quiet as before entering");
        });
        assert!(!is_quiet());
        let guard = enter_graph();
        assert!(is_quiet(), "entering the graph makes the thread quiet");
        drop(guard);
        assert!(!is_quiet());
    }
}
