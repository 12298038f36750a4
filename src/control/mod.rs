//! The control endpoint (feature `control`, issue #15): an HTTP/1.1 server on
//! its own threads that changes levels of the running process, shows its
//! reload status and handler statistics, triggers reloads, and serves a page.
//!
//! Nothing here is on the logging path: the server talks to the runtime only
//! through what [`Handle`](crate::Handle) offers (`set_level`, `clear_level`,
//! `stats`, `reload_now`, `reload_status`) plus the overrides' remaining time
//! (`runtime::inspect`) and the targets seen since start (`graph::seen`).
//!
//! Bounds (each has a test): one request per connection; request line 4 KiB,
//! head 16 KiB, 64 header fields, body 16 KiB; `max_connections` served at
//! once (more are closed with `503`); `rate_limit` requests a second (more get
//! `429`); every request must arrive, and its answer leave, within `timeout`.
//!
//! The server follows the config: a reload that changes `control` rebinds
//! (the new listener first, so a failed bind keeps the old one) or updates
//! the token and bounds in place; one that removes it stops the server.

mod auth;
mod http;
mod page;
mod routes;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::config::{Config, ControlConfig, ControlListen};
use crate::error::{Error, ErrorKind};
use crate::reload::Link;
use crate::runtime::Dispatcher;

/// How often an idle accept loop looks for a stop request.
const IDLE_POLL: Duration = Duration::from_millis(20);

/// What the request handlers reach: the runtime, and the watcher if any.
pub(crate) struct Context {
    dispatcher: Dispatcher,
    link: Option<Link>,
    file: Option<PathBuf>,
}

impl Context {
    /// Logs a change at WARNING to the `logfig` logger and records it in the
    /// reload status.
    fn audit(&self, who: &str, what: &str) {
        let line = format!("control endpoint: {who} {what}");
        log::warn!(logger: self.dispatcher, target: "logfig", "{line}");
        if let Some(link) = &self.link {
            link.note(line);
        }
    }
}

/// The settings one request is served with; replaced in place when a reload
/// changes them but not the address.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    token: Option<String>,
    max_connections: usize,
    rate_limit: u32,
    timeout: Duration,
}

impl Settings {
    fn from(c: &ControlConfig) -> Settings {
        Settings {
            token: c.token.as_ref().map(|t| t.expose().to_owned()),
            max_connections: c.max_connections as usize,
            rate_limit: c.rate_limit,
            timeout: c.timeout,
        }
    }
}

/// A running control endpoint; dropping it stops the server.
#[derive(Debug)]
pub(crate) struct Control {
    inner: Arc<Inner>,
}

struct Inner {
    ctx: Arc<Context>,
    running: Mutex<Option<Running>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control").finish_non_exhaustive()
    }
}

/// One listener and its accept thread.
struct Running {
    config: ControlConfig,
    address: String,
    settings: Arc<Mutex<Settings>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// Targets are noted only while an endpoint serves.
    _tracking: crate::graph::seen::Tracking,
}

impl Running {
    /// Whether `listen` names what this listener serves: its configured
    /// address, or the address it got (`127.0.0.1:0` became `127.0.0.1:40123`).
    fn serves(&self, listen: &ControlListen) -> bool {
        *listen == self.config.listen || listen.to_string() == self.address
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// `config`'s `control`, with `LOGFIG_CONTROL` (a listen address) and
/// `LOGFIG_CONTROL_TOKEN` applied; checked as the loader checks the file.
///
/// # Errors
///
/// When the variable is not an address, or the result is unsafe to serve.
pub(crate) fn effective(config: &Config) -> Result<Option<ControlConfig>, Error> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(listen) = var("LOGFIG_CONTROL") else {
        return Ok(config.control.clone());
    };
    let listen = listen.parse::<ControlListen>().map_err(|e| {
        Error::new(
            ErrorKind::Invalid,
            format!("environment variable LOGFIG_CONTROL: {e}"),
        )
    })?;
    let mut c = match &config.control {
        Some(c) => ControlConfig {
            listen,
            ..c.clone()
        },
        None => ControlConfig::new(listen),
    };
    let from_env = var("LOGFIG_CONTROL_TOKEN");
    if let Some(token) = &from_env {
        c.token = Some(crate::config::Secret::new(token.clone()));
    }
    if let Some((field, message)) = c.problems().into_iter().next() {
        let message = match (field, &from_env) {
            ("token", Some(_)) => {
                format!("environment variable LOGFIG_CONTROL_TOKEN: control.token: {message}")
            }
            ("token", None) => {
                format!("environment variable LOGFIG_CONTROL: {message} (set LOGFIG_CONTROL_TOKEN)")
            }
            _ => format!("environment variable LOGFIG_CONTROL: {message}"),
        };
        return Err(Error::new(ErrorKind::Invalid, message));
    }
    Ok(Some(c))
}

impl Control {
    /// Starts serving `config`'s control endpoint (if any), and follows the
    /// config through reloads when `link` is given.
    ///
    /// # Errors
    ///
    /// When `LOGFIG_CONTROL` is invalid, the address cannot be bound, or the
    /// thread cannot start.
    pub(crate) fn start(
        dispatcher: Dispatcher,
        link: Option<Link>,
        file: Option<&Path>,
        config: &Config,
    ) -> Result<Option<Control>, Error> {
        let wanted = effective(config)?;
        if wanted.is_none() && link.is_none() {
            return Ok(None);
        }
        let inner = Arc::new(Inner {
            ctx: Arc::new(Context {
                dispatcher,
                link: link.clone(),
                file: file.map(Path::to_path_buf),
            }),
            running: Mutex::new(None),
        });
        if let Some(c) = wanted {
            let running = bind(&inner.ctx, c)?;
            *inner.running.lock().unwrap_or_else(PoisonError::into_inner) = Some(running);
        }
        if let Some(link) = link {
            let weak: Weak<Inner> = Arc::downgrade(&inner);
            link.on_reload(Arc::new(move |_| {
                if let Some(inner) = weak.upgrade() {
                    inner.follow();
                }
            }));
        }
        Ok(Some(Control { inner }))
    }

    /// The bound address (`127.0.0.1:40123`, `unix:/run/app.sock`), if
    /// serving.
    pub(crate) fn address(&self) -> Option<String> {
        self.inner
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|r| r.address.clone())
    }
}

impl Inner {
    /// After a reload: serve what the running config says now.
    fn follow(&self) {
        let config = self.ctx.dispatcher.graph().config.control.clone();
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        // The environment does not change while the process runs; a config
        // that would not be safe was refused by the loader.
        let wanted = match effective(&Config {
            control: config,
            ..Config::default()
        }) {
            Ok(w) => w,
            Err(e) => return self.report(&e.to_string()),
        };
        match (wanted, running.as_mut()) {
            (None, None) => {}
            (None, Some(_)) => {
                *running = None;
                log::warn!(logger: self.ctx.dispatcher, target: "logfig", "control endpoint stopped: the config no longer has `control`");
            }
            (Some(w), Some(r)) if w == r.config => {}
            (Some(w), Some(r)) if r.serves(&w.listen) && w.permissions == r.config.permissions => {
                *r.settings.lock().unwrap_or_else(PoisonError::into_inner) = Settings::from(&w);
                r.config = w;
            }
            (Some(w), current) => {
                // Unix socket at the same path: the old one must go first.
                let same_path = matches!((&w.listen, current.as_ref().map(|r| &r.config.listen)),
                    (ControlListen::Unix(a), Some(ControlListen::Unix(b))) if a == b);
                if same_path {
                    *running = None;
                }
                match bind(&self.ctx, w) {
                    Ok(new) => {
                        log::warn!(logger: self.ctx.dispatcher, target: "logfig", "control endpoint listening on {}", new.address);
                        *running = Some(new);
                    }
                    Err(e) => self.report(&format!("{e}; the previous endpoint stays")),
                }
            }
        }
    }

    fn report(&self, message: &str) {
        log::error!(logger: self.ctx.dispatcher, target: "logfig", "control endpoint: {message}");
    }
}

enum Listener {
    Tcp(std::net::TcpListener),
    #[cfg(unix)]
    Unix(std::os::unix::net::UnixListener, PathBuf),
}

impl Drop for Listener {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Listener::Unix(_, path) = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Binds `config.listen` and starts its accept thread.
fn bind(ctx: &Arc<Context>, config: ControlConfig) -> Result<Running, Error> {
    let (listener, address) = match &config.listen {
        ControlListen::Tcp(addr) => {
            let l = std::net::TcpListener::bind(addr)
                .map_err(|e| Error::io(format!("control endpoint: binding `{addr}`"), e))?;
            let local = l
                .local_addr()
                .map_err(|e| Error::io("control endpoint: reading the bound address", e))?;
            (Listener::Tcp(l), local.to_string())
        }
        #[cfg(unix)]
        ControlListen::Unix(path) => (
            bind_unix(path, config.permissions)?,
            config.listen.to_string(),
        ),
        #[cfg(not(unix))]
        ControlListen::Unix(_) => {
            return Err(Error::new(
                ErrorKind::Invalid,
                "control endpoint: unix sockets need a unix system",
            ));
        }
    };
    match &listener {
        Listener::Tcp(l) => l.set_nonblocking(true),
        #[cfg(unix)]
        Listener::Unix(l, _) => l.set_nonblocking(true),
    }
    .map_err(|e| Error::io("control endpoint: configuring the listener", e))?;
    let settings = Arc::new(Mutex::new(Settings::from(&config)));
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let (ctx, settings, stop) = (Arc::clone(ctx), Arc::clone(&settings), Arc::clone(&stop));
        std::thread::Builder::new()
            .name("logfig-control".into())
            .spawn(move || accept_loop(&listener, &ctx, &settings, &stop))
            .map_err(|e| Error::io("starting the control endpoint thread", e))?
    };
    Ok(Running {
        config,
        address,
        settings,
        stop,
        thread: Some(thread),
        _tracking: crate::graph::seen::Tracking::start(),
    })
}

/// A unix socket at `path` with `permissions`: a stale socket left by a
/// crashed process is replaced, anything else at the path is an error.
#[cfg(unix)]
fn bind_unix(path: &Path, permissions: u32) -> Result<Listener, Error> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let what = || format!("control endpoint: binding `unix:{}`", path.display());
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(Error::new(
                ErrorKind::Io,
                format!("{}: the path exists and is not a socket", what()),
            ));
        }
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(Error::new(
                ErrorKind::Io,
                format!("{}: another process is listening there", what()),
            ));
        }
        std::fs::remove_file(path).map_err(|e| Error::io(what(), e))?;
    }
    let l = std::os::unix::net::UnixListener::bind(path).map_err(|e| Error::io(what(), e))?;
    // Set right after bind; the directory should not be writable by others
    // in any case (documented), so the window cannot be used to connect.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(permissions))
        .map_err(|e| Error::io(what(), e))?;
    Ok(Listener::Unix(l, path.to_path_buf()))
}

/// A token bucket of `rate` requests a second, `rate` deep.
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn take(&mut self, rate: u32) -> bool {
        let now = Instant::now();
        let rate = f64::from(rate);
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * rate).min(rate);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// One accepted connection, before it is served.
enum Accepted {
    Tcp(std::net::TcpStream, std::net::SocketAddr),
    #[cfg(unix)]
    Unix(std::os::unix::net::UnixStream),
}

fn accept_loop(
    listener: &Listener,
    ctx: &Arc<Context>,
    settings: &Arc<Mutex<Settings>>,
    stop: &AtomicBool,
) {
    let active = Arc::new(AtomicUsize::new(0));
    let mut bucket = Bucket {
        tokens: f64::from(
            settings
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .rate_limit,
        ),
        last: Instant::now(),
    };
    while !stop.load(Ordering::Acquire) {
        let accepted = match listener {
            Listener::Tcp(l) => l.accept().map(|(s, a)| Accepted::Tcp(s, a)),
            #[cfg(unix)]
            Listener::Unix(l, _) => l.accept().map(|(s, _)| Accepted::Unix(s)),
        };
        let conn = match accepted {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(IDLE_POLL);
                continue;
            }
            // Out of file descriptors and the like: back off, keep serving.
            Err(_) => {
                std::thread::sleep(IDLE_POLL);
                continue;
            }
        };
        let s = settings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        // Refusals are answered from this thread without reading the
        // request, with a short write timeout: they cannot hold it.
        if active.load(Ordering::Acquire) >= s.max_connections {
            refuse(
                conn,
                503,
                "too many connections to the control endpoint; try again",
            );
            continue;
        }
        if !bucket.take(s.rate_limit) {
            refuse(
                conn,
                429,
                "too many requests to the control endpoint; slow down",
            );
            continue;
        }
        active.fetch_add(1, Ordering::AcqRel);
        let guard = ActiveGuard(Arc::clone(&active));
        let ctx = Arc::clone(ctx);
        let spawned = std::thread::Builder::new()
            .name("logfig-control-conn".into())
            .spawn(move || {
                let _guard = guard;
                serve(conn, &ctx, &s);
            });
        // A failed spawn drops the connection (and the guard with it).
        drop(spawned);
    }
}

struct ActiveGuard(Arc<AtomicUsize>);

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn refuse(conn: Accepted, status: u16, message: &str) {
    let response = http::Response::error(status, message);
    let deadline = Instant::now() + Duration::from_millis(100);
    let _ = match conn {
        Accepted::Tcp(mut s, _) => s
            .set_nonblocking(false)
            .and_then(|()| http::write_response(&mut s, &response, deadline)),
        #[cfg(unix)]
        Accepted::Unix(mut s) => s
            .set_nonblocking(false)
            .and_then(|()| http::write_response(&mut s, &response, deadline)),
    };
}

/// Serves one connection: identifies the peer, reads one request within the
/// deadline, answers it.
fn serve(conn: Accepted, ctx: &Context, settings: &Settings) {
    let deadline = Instant::now() + settings.timeout;
    match conn {
        Accepted::Tcp(mut s, peer) => {
            if s.set_nonblocking(false).is_err() {
                return;
            }
            exchange(&mut s, ctx, settings, &format!("{peer}"), deadline);
        }
        #[cfg(unix)]
        Accepted::Unix(mut s) => {
            if s.set_nonblocking(false).is_err() {
                return;
            }
            let own = auth::own_uid();
            match auth::peer(&s) {
                Ok((uid, pid)) if uid == own => {
                    exchange(
                        &mut s,
                        ctx,
                        settings,
                        &format!("uid {uid} (pid {pid})"),
                        deadline,
                    );
                }
                Ok((uid, _)) => {
                    let r = http::Response::error(
                        403,
                        &format!(
                            "uid {uid} may not use this endpoint: only the process's own uid ({own}) may"
                        ),
                    );
                    let _ = http::write_response(&mut s, &r, deadline);
                }
                Err(e) => {
                    let _ = http::write_response(&mut s, &http::Response::error(403, &e), deadline);
                }
            }
        }
    }
}

fn exchange(
    conn: &mut dyn http::Conn,
    ctx: &Context,
    settings: &Settings,
    who: &str,
    deadline: Instant,
) {
    let response = match http::read_request(conn, deadline) {
        Ok(request) => {
            let mut r = routes::handle(ctx, settings, &request, who);
            if request.method == "HEAD" {
                r.body.clear();
            }
            r
        }
        Err(http::ReadError::Respond(status, message)) => http::Response::error(status, &message),
        Err(http::ReadError::Gone) => return,
    };
    // A late answer still gets a short while to leave.
    let deadline = deadline.max(Instant::now() + Duration::from_millis(500));
    let _ = http::write_response(conn, &response, deadline);
    let _ = conn.flush();
}
