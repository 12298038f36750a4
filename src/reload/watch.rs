//! Directory watches: the hints that a config file may have changed.
//!
//! On Linux the kernel's inotify is read directly (the `inotify` crate, a thin
//! safe wrapper); elsewhere `notify` picks the platform's mechanism (FSEvents,
//! kqueue, ReadDirectoryChangesW). Linux is where logfig runs in production,
//! and `notify` with its dependencies was an eighth of a clean build of an
//! application on logfig's default features: its cross-platform event model
//! and its own event thread buy nothing over a dozen lines of inotify for the
//! one thing the reload needs, "something happened to this name in this
//! directory".
//!
//! Either way a [`DirWatch`] passes each [`Change`] to a callback on a thread
//! of its own, and dropping it stops the watch.

use std::ffi::OsString;

/// What a watch saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// Something happened to the entry of that name in a watched directory.
    Named(OsString),
    /// Something happened that names no entry: to a watched directory
    /// itself, or events were lost (the kernel's queue overflowed). The file
    /// must be looked at.
    Unnamed,
}

pub(crate) use imp::DirWatch;

#[cfg(target_os = "linux")]
mod imp {
    use std::ffi::OsString;
    use std::io;
    use std::path::PathBuf;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::thread::JoinHandle;

    use inotify::{EventMask, Inotify, WatchDescriptor, WatchMask, Watches};

    use super::Change;

    /// Watches directories with one inotify instance, read by the thread
    /// `logfig-inotify`.
    ///
    /// That thread blocks in `read(2)`. Dropping the watch sets `stop` and
    /// removes every watch: the kernel then queues an `IN_IGNORED` event for
    /// each, which wakes the thread, and it ends (closing the descriptor).
    /// A watch the kernel removed itself (its directory was deleted) also
    /// ends with `IN_IGNORED`; with none left, the thread ends too. So the
    /// thread never outlives its watches, and nothing waits for it.
    #[derive(Debug)]
    pub(crate) struct DirWatch {
        watches: Watches,
        added: Vec<WatchDescriptor>,
        stop: Arc<AtomicBool>,
        #[cfg_attr(not(test), allow(dead_code))]
        thread: Option<JoinHandle<()>>,
    }

    /// Every change to an entry's name or content, and the directory's own
    /// removal; not reads (`IN_ACCESS`, `IN_OPEN`, `IN_CLOSE_NOWRITE`), which
    /// every read of the config by logfig itself would otherwise trigger.
    fn mask() -> WatchMask {
        WatchMask::MODIFY
            | WatchMask::CLOSE_WRITE
            | WatchMask::ATTRIB
            | WatchMask::CREATE
            | WatchMask::DELETE
            | WatchMask::MOVED_FROM
            | WatchMask::MOVED_TO
            | WatchMask::DELETE_SELF
            | WatchMask::MOVE_SELF
            | WatchMask::ONLYDIR
    }

    /// The read buffer: the kernel needs room for at least one event with a
    /// name of `NAME_MAX` bytes; 4 KiB holds dozens.
    const BUFFER: usize = 4096;

    impl DirWatch {
        /// Watches `dirs` (each non-recursively), passing every change to
        /// `on_change`; it stops when `on_change` returns `false`. An error
        /// when none of the directories could be watched.
        pub(crate) fn new(
            dirs: &[PathBuf],
            on_change: impl FnMut(Change) -> bool + Send + 'static,
        ) -> io::Result<DirWatch> {
            let mut inotify = Inotify::init()?;
            let mut watches = inotify.watches();
            let mut added = Vec::new();
            let mut last_error = None;
            for dir in dirs {
                match watches.add(dir, mask()) {
                    Ok(wd) => added.push(wd),
                    Err(e) => last_error = Some(e),
                }
            }
            if added.is_empty() {
                return Err(last_error
                    .unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no directory")));
            }
            let stop = Arc::new(AtomicBool::new(false));
            let live = added.len();
            let thread = crate::catch::spawn(
                "logfig-inotify".into(),
                Box::new({
                    let stop = Arc::clone(&stop);
                    move || read(&mut inotify, live, &stop, on_change)
                }),
            )?;
            Ok(DirWatch {
                watches,
                added,
                stop,
                thread: Some(thread),
            })
        }

        /// Hands over the reading thread, to see it end.
        #[cfg(test)]
        pub(crate) fn take_thread(&mut self) -> JoinHandle<()> {
            self.thread.take().expect("the thread is taken once")
        }
    }

    impl Drop for DirWatch {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::Release);
            for wd in self.added.drain(..) {
                // Fails only for a watch the kernel already removed, whose
                // `IN_IGNORED` is on its way to the thread anyway.
                let _ = self.watches.remove(wd);
            }
        }
    }

    /// The thread's loop: reads events until told to stop, until no watch is
    /// left, or until the descriptor fails.
    fn read(
        inotify: &mut Inotify,
        mut live: usize,
        stop: &AtomicBool,
        mut on_change: impl FnMut(Change) -> bool,
    ) {
        let mut buffer = [0u8; BUFFER];
        loop {
            let events = match inotify.read_events_blocking(&mut buffer) {
                Ok(events) => events,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return,
            };
            let mut changes = Vec::new();
            for event in events {
                if event.mask.contains(EventMask::IGNORED) {
                    live = live.saturating_sub(1);
                    continue;
                }
                changes.push(match event.name {
                    Some(name) if !event.mask.contains(EventMask::Q_OVERFLOW) => {
                        Change::Named(OsString::from(name))
                    }
                    _ => Change::Unnamed,
                });
            }
            if stop.load(Ordering::Acquire) {
                return;
            }
            for change in changes {
                if !on_change(change) {
                    return;
                }
            }
            if live == 0 {
                return;
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::io;
    use std::path::PathBuf;

    use notify::{EventKind, RecursiveMode, Watcher as _};

    use super::Change;

    /// Watches directories with the platform's mechanism, through `notify`,
    /// whose own thread calls back.
    #[derive(Debug)]
    pub(crate) struct DirWatch {
        _watcher: notify::RecommendedWatcher,
    }

    impl DirWatch {
        /// Watches `dirs` (each non-recursively), passing every change to
        /// `on_change`. An error when none of the directories could be
        /// watched.
        pub(crate) fn new(
            dirs: &[PathBuf],
            mut on_change: impl FnMut(Change) -> bool + Send + 'static,
        ) -> io::Result<DirWatch> {
            let mut watcher =
                notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                    let changes = match event {
                        Ok(event) if matches!(event.kind, EventKind::Access(_)) => Vec::new(),
                        Ok(event) if !event.paths.is_empty() => event
                            .paths
                            .iter()
                            .filter_map(|p| p.file_name().map(|n| Change::Named(n.to_owned())))
                            .collect(),
                        // No path, or events lost: look at the file.
                        _ => vec![Change::Unnamed],
                    };
                    for change in changes {
                        if !on_change(change) {
                            return;
                        }
                    }
                })
                .map_err(io::Error::other)?;
            let mut last_error = None;
            let mut watching = false;
            for dir in dirs {
                match watcher.watch(dir, RecursiveMode::NonRecursive) {
                    Ok(()) => watching = true,
                    Err(e) => last_error = Some(e),
                }
            }
            if !watching {
                return Err(last_error.map_or_else(
                    || io::Error::new(io::ErrorKind::NotFound, "no directory"),
                    io::Error::other,
                ));
            }
            Ok(DirWatch { _watcher: watcher })
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::path::PathBuf;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use super::*;

    fn watch(dirs: &[PathBuf]) -> (io::Result<DirWatch>, mpsc::Receiver<Change>) {
        let (tx, rx) = mpsc::channel();
        (DirWatch::new(dirs, move |c| tx.send(c).is_ok()), rx)
    }

    /// Waits (generously) for a change of `name`, skipping others.
    fn saw(rx: &mpsc::Receiver<Change>, name: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(Change::Named(n)) if n == name => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    }

    #[test]
    fn a_write_a_rename_and_a_removal_are_seen_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let (w, rx) = watch(&[dir.path().to_owned()]);
        let _w = w.unwrap();
        std::fs::write(dir.path().join("a.yaml"), "x").unwrap();
        assert!(saw(&rx, "a.yaml"));
        std::fs::write(dir.path().join("b.tmp"), "y").unwrap();
        std::fs::rename(dir.path().join("b.tmp"), dir.path().join("a.yaml")).unwrap();
        assert!(saw(&rx, "a.yaml"));
        std::fs::remove_file(dir.path().join("a.yaml")).unwrap();
        assert!(saw(&rx, "a.yaml"));
    }

    #[test]
    fn no_directory_to_watch_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let (w, _rx) = watch(&[dir.path().join("missing")]);
        assert!(w.is_err());
        // One directory of two is enough.
        let (w, rx) = watch(&[dir.path().join("missing"), dir.path().to_owned()]);
        let _w = w.unwrap();
        std::fs::write(dir.path().join("c"), "z").unwrap();
        assert!(saw(&rx, "c"));
    }

    /// Polls (generously) for a thread to end.
    #[cfg(target_os = "linux")]
    fn ends(thread: &std::thread::JoinHandle<()>) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !thread.is_finished() {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        true
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dropping_the_watch_ends_its_thread_with_no_event_pending() {
        let dir = tempfile::tempdir().unwrap();
        let (w, rx) = watch(&[dir.path().to_owned()]);
        let mut w = w.unwrap();
        let thread = w.take_thread();
        drop(w);
        assert!(ends(&thread), "the inotify thread still blocks in read");
        // Nothing was passed on: the wake-up is not a change.
        assert!(rx.try_recv().is_err());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_thread_ends_when_its_directories_are_gone() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let (w, rx) = watch(std::slice::from_ref(&sub));
        let mut w = w.unwrap();
        std::fs::remove_dir(&sub).unwrap();
        // The directory's own removal is passed on, then the thread ends.
        let deadline = Instant::now() + Duration::from_secs(30);
        let first = rx.recv_timeout(deadline - Instant::now());
        assert_eq!(first, Ok(Change::Unnamed));
        let thread = w.take_thread();
        assert!(ends(&thread), "the inotify thread outlived its last watch");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_thread_ends_when_the_receiver_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let (w, rx) = watch(&[dir.path().to_owned()]);
        let mut w = w.unwrap();
        drop(rx);
        std::fs::write(dir.path().join("d"), "z").unwrap();
        let thread = w.take_thread();
        assert!(ends(&thread), "the inotify thread outlived its receiver");
    }
}
