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
//! This module uses nothing else of the crate.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

thread_local! {
    /// Set while this thread runs code under [`quietly`].
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Where the last quiet panic of this thread happened, noted by the hook.
    static NOTED: RefCell<Option<String>> = const { RefCell::new(None) };
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
        if QUIET.try_with(Cell::get).unwrap_or(false) {
            let at = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
            let _ = NOTED.try_with(|n| *n.borrow_mut() = Some(at.unwrap_or_default()));
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
    let outer = QUIET.try_with(|q| q.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    if let Ok(was) = outer {
        let _ = QUIET.try_with(|q| q.set(was));
    }
    result.map_err(|payload| {
        let location = NOTED.try_with(|n| n.borrow_mut().take()).ok().flatten();
        if location.is_none() && outer.is_ok() {
            rewrap_if_displaced();
        }
        Caught {
            message: payload_text(&*payload),
            location,
        }
    })
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
    fn a_caught_panic_keeps_its_message() {
        let caught = quietly(|| -> u32 { panic!("boom {}", 7) }).unwrap_err();
        assert_eq!(caught.message, "boom 7");
        assert_eq!(quietly(|| 5), Ok(5));
    }

    #[test]
    fn the_flag_is_restored_after_a_nested_catch() {
        let _ = quietly(|| {
            let _ = quietly(|| panic!("inner"));
            assert!(QUIET.with(Cell::get), "still inside the outer catch");
        });
        assert!(!QUIET.with(Cell::get));
    }
}
