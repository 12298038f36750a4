//! How file outputs open and create files, against a hostile file system.
//!
//! - Every file logfig creates (a log file, a compressed archive, its
//!   temporary file) is created with `O_CREAT | O_EXCL | O_NOFOLLOW` and the
//!   handler's permissions: an entry already at the name, a planted symbolic
//!   link above all, makes the creation fail; nothing is written through it.
//! - An existing log path is checked before it is opened. `file` and
//!   `watched_file` follow an operator's symbolic link to an existing file
//!   (`/var/log/app.log -> /data/app.log` is common), never one to a missing
//!   file (that would create a file wherever the link points). They accept a
//!   FIFO that has a reader (opened without blocking; a full pipe then fails
//!   records instead of blocking the application) and harmless character
//!   devices (`/dev/null`, `/dev/zero`, `/dev/full`, `/dev/kmsg`, terminals);
//!   a FIFO with no reader, a socket, a directory, a block device or another
//!   character device is refused with an error naming the path, instead of
//!   blocking `init` forever or writing into a disk or `/dev/mem`.
//! - `rotating_file` renames its file and creates new ones beside it, so it
//!   takes a regular file only, not a link (`O_NOFOLLOW`).

use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::path::Path;

use crate::config::FileMode;
use crate::error::Error;
use crate::error::ErrorKind;

/// What a handler accepts at its log path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogPath {
    /// `file`, `watched_file`: an operator's link to an existing file is
    /// followed; a FIFO with a reader and harmless devices are accepted.
    Follow,
    /// `rotating_file`: a regular file, not a link.
    RegularOnly,
}

fn refused(path: &Path, why: &str) -> Error {
    Error::new(ErrorKind::Io, format!("`{}` {why}", path.display()))
}

/// Opens the log file at `path` for appending (with `O_APPEND`, so that
/// writers never overwrite each other), creating it and missing parent
/// directories if needed; see the module's description for what `rule`
/// accepts.
///
/// # Errors
///
/// When the directory or the file cannot be created or opened, or the path
/// names something `rule` refuses.
pub(crate) fn open_log(
    path: &Path,
    mode: FileMode,
    permissions: u32,
    rule: LogPath,
) -> Result<File, Error> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::io(format!("creating directory `{}`", parent.display()), e))?;
    }
    let opening = |e: io::Error| Error::io(format!("opening `{}`", path.display()), e);
    // A few rounds: another process may create or remove the file between
    // the look and the open.
    for _ in 0..3 {
        let found = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                match create_new(path, permissions, true) {
                    Ok(file) => return Ok(file),
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(opening(e)),
                }
            }
            Err(e) => return Err(opening(e)),
        };
        let target = if found.file_type().is_symlink() {
            if rule == LogPath::RegularOnly {
                return Err(refused(
                    path,
                    "is a symbolic link; rotating_file renames its file and creates new ones beside it, so it needs the real file: point `path` at the link's target",
                ));
            }
            match std::fs::metadata(path) {
                Ok(m) => m,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(refused(
                        path,
                        "is a symbolic link to a missing file; logfig does not create files through a link",
                    ));
                }
                Err(e) => return Err(opening(e)),
            }
        } else {
            found
        };
        let fifo = accepts(path, &target, rule)?;
        let file = match open_existing(path, fifo, rule) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(explain(path, e, fifo)),
        };
        // What was opened, which may not be what was looked at.
        let opened = file.metadata().map_err(opening)?;
        accepts(path, &opened, rule)?;
        if mode == FileMode::Truncate && opened.is_file() {
            file.set_len(0)
                .map_err(|e| Error::io(format!("truncating `{}`", path.display()), e))?;
        }
        return Ok(file);
    }
    Err(refused(path, "was created and removed while being opened"))
}

/// Creates `path`, which must not exist (not even as a dangling link), with
/// `permissions` (less the umask), for writing (appending with `append`).
pub(crate) fn create_new(path: &Path, permissions: u32, append: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).append(append).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(permissions).custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    let _ = permissions;
    options.open(path)
}

/// Opens an archive for reading, not through a link, and only if it is a
/// regular file.
pub(crate) fn open_archive(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK,
    );
    let file = options.open(path).map_err(|e| not_through_links(path, e))?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    Ok(file)
}

/// Opens an existing log file for appending; a FIFO without blocking.
fn open_existing(path: &Path, fifo: bool, rule: LogPath) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.append(true);
    #[cfg(unix)]
    {
        let mut flags = 0;
        if fifo {
            flags |= libc::O_NONBLOCK;
        }
        if rule == LogPath::RegularOnly {
            flags |= libc::O_NOFOLLOW;
        }
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, flags);
    }
    #[cfg(not(unix))]
    let _ = (fifo, rule);
    options.open(path)
}

/// `ELOOP` from `O_NOFOLLOW`, in words.
fn not_through_links(path: &Path, e: io::Error) -> io::Error {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return io::Error::other(format!(
            "`{}` is a symbolic link; logfig does not follow it",
            path.display()
        ));
    }
    let _ = path;
    e
}

fn explain(path: &Path, e: io::Error, fifo: bool) -> Error {
    #[cfg(unix)]
    {
        if fifo && e.raw_os_error() == Some(libc::ENXIO) {
            return refused(
                path,
                "is a FIFO with no reader; logfig does not wait for one (the application would hang)",
            );
        }
        if e.raw_os_error() == Some(libc::ELOOP) {
            return refused(
                path,
                "became a symbolic link; rotating_file needs the real file",
            );
        }
    }
    let _ = fifo;
    Error::io(format!("opening `{}`", path.display()), e)
}

/// Whether `rule` accepts what `meta` describes at `path`; `Ok(true)` for a
/// FIFO (to open without blocking).
fn accepts(path: &Path, meta: &Metadata, rule: LogPath) -> Result<bool, Error> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(false);
    }
    if kind.is_dir() {
        return Err(refused(path, "is a directory"));
    }
    if rule == LogPath::RegularOnly {
        return Err(refused(
            path,
            "is not a regular file; rotating_file renames its file at each roll, so it needs a regular one",
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        if kind.is_fifo() {
            return Ok(true);
        }
        if kind.is_socket() {
            return Err(refused(
                path,
                "is a socket, which cannot be opened as a file: use a `syslog` or `tcp` handler",
            ));
        }
        if kind.is_block_device() {
            return Err(refused(path, "is a block device (a disk), not a log file"));
        }
        if kind.is_char_device() {
            return if harmless_device(meta.rdev()) {
                Ok(false)
            } else {
                Err(refused(
                    path,
                    "is a character device other than /dev/null, /dev/zero, /dev/full, /dev/kmsg or a terminal; logfig does not write logs into it",
                ))
            };
        }
    }
    Err(refused(path, "is not a regular file"))
}

/// The character devices a log may go to: the null-like ones, the kernel
/// log, terminals. Linux numbers (`Documentation/admin-guide/devices.txt`).
#[cfg(all(unix, target_os = "linux"))]
fn harmless_device(rdev: u64) -> bool {
    let major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff);
    let minor = (rdev & 0xff) | ((rdev >> 12) & !0xff);
    match major {
        // null, zero, full, kmsg
        1 => matches!(minor, 3 | 5 | 7 | 11),
        // virtual consoles and serial ports
        4 => true,
        // the controlling terminal, the system console (not ptmx)
        5 => matches!(minor, 0 | 1),
        // pseudo-terminals (/dev/pts/N)
        136..=143 => true,
        _ => false,
    }
}

/// Elsewhere device numbers differ: every character device is taken.
#[cfg(all(unix, not(target_os = "linux")))]
fn harmless_device(_rdev: u64) -> bool {
    true
}
