//! Closing retired handlers with a bound: a handler whose flush or close
//! never returns (a console whose stdout pipe nobody reads, a file on a dead
//! mount, the target a queue gave up on) is left behind and reported, so a
//! shutdown or a reload never waits for it past its bound.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use crate::config::{HandlerConfig, WorkerConfig};
use crate::error::{Error, ErrorKind};
use crate::handlers::node::HandlerNode;

/// Flushes and closes `nodes` in order, each on a `logfig-close` thread
/// waited for at most [`bound`], reporting what fails: a buffer that cannot
/// be written out at retirement is lost with the handler's counters. A
/// handler past its bound keeps its thread, which closes it if it ever
/// returns; the next one is closed meanwhile.
pub(super) fn close_all(nodes: &[Arc<HandlerNode>], report: &dyn Fn(&str, &Error)) {
    each_bounded(
        nodes,
        &|node, e| report(&node.name, &e),
        "flush and close",
        close,
    );
}

/// Flushes `nodes` as [`close_all`] closes them: each waited for at most
/// [`bound`]. For dropping a `Handle`, whose graph may live on.
pub(super) fn flush_all(nodes: &[Arc<HandlerNode>], report: &dyn Fn(&HandlerNode, Error)) {
    each_bounded(nodes, report, "flush", |node| {
        crate::catch::quietly(|| node.handler.flush()).map_or_else(
            |caught| vec![panicked("flushed", &caught)],
            |r| r.err().into_iter().collect(),
        )
    });
}

/// Runs `op` on each node on a thread of its own, in order, waiting for each
/// at most [`bound`]; reports its errors, or that it was left behind.
fn each_bounded(
    nodes: &[Arc<HandlerNode>],
    report: &dyn Fn(&HandlerNode, Error),
    what: &str,
    op: fn(&HandlerNode) -> Vec<Error>,
) {
    for node in nodes {
        let limit = bound(&node.identity);
        // A slot and a condition variable, not a channel: one answer is
        // awaited, and a channel of its own type costs the crate's build
        // thousands of lines of code.
        let done = Arc::new((Mutex::new(None), Condvar::new()));
        let theirs = Arc::clone(&done);
        let n = Arc::clone(node);
        let spawned = crate::catch::spawn(
            "logfig-close".into(),
            Box::new(move || {
                let errors = op(&n);
                // The waiter may have given up: the answer is dropped then.
                let (slot, ready) = &*theirs;
                *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(errors);
                ready.notify_one();
            }),
        );
        let errors = match spawned {
            Ok(_) => {
                let (slot, ready) = &*done;
                let waiting = slot.lock().unwrap_or_else(PoisonError::into_inner);
                let (mut answer, _) = ready
                    .wait_timeout_while(waiting, limit, |a| a.is_none())
                    .unwrap_or_else(PoisonError::into_inner);
                answer.take()
            }
            // No thread to spare: run here, without a bound.
            Err(_) => Some(op(node)),
        };
        let errors = errors.unwrap_or_else(|| {
            vec![Error::new(
                ErrorKind::Handler,
                format!(
                    "its {what} did not return within {} ms; left behind (records it still holds may be lost)",
                    limit.as_millis()
                ),
            )]
        });
        for e in errors {
            report(node, e);
        }
    }
}

fn panicked(what: &str, caught: &dyn std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Handler,
        format!("panicked while being {what}: {caught}"),
    )
}

/// One node's flush and close, their errors, a panic caught as one.
fn close(node: &HandlerNode) -> Vec<Error> {
    match crate::catch::quietly(|| (node.handler.flush(), node.handler.close())) {
        Ok((flushed, closed)) => [flushed.err(), closed.err()]
            .into_iter()
            .flatten()
            .collect(),
        Err(caught) => vec![panicked("closed", &caught)],
    }
}

/// How long a retired handler's flush and close are waited for: twice its
/// `close_timeout` (each of the two is bounded by it) and a second of slack
/// for the outputs with a thread; the default `close_timeout` (5 s) for the
/// others, whose writes have no bound of their own.
fn bound(config: &HandlerConfig) -> Duration {
    let worker = match config {
        HandlerConfig::Queue(c) => Some(&c.worker),
        HandlerConfig::Tcp(c) => Some(&c.worker),
        HandlerConfig::Udp(c) => Some(&c.worker),
        HandlerConfig::Syslog(c) => Some(&c.worker),
        HandlerConfig::Http(c) => Some(&c.worker),
        HandlerConfig::Smtp(c) => Some(&c.worker),
        HandlerConfig::Otlp(c) => Some(&c.worker),
        HandlerConfig::Journald(c) => Some(&c.worker),
        _ => None,
    };
    match worker {
        Some(w) => w.close_timeout.saturating_mul(2) + Duration::from_secs(1),
        None => WorkerConfig::default().close_timeout,
    }
}
