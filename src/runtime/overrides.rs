//! Runtime level overrides: levels set from code that sit on top of the
//! file's levels, survive reloads, and may expire by themselves.

use std::sync::{Arc, PoisonError, Weak};
use std::time::{Duration, Instant};

use super::{Dispatcher, Shared};
use crate::config::{Config, EnvFilter, Level};
use crate::error::{Diagnostic, Error, ErrorKind};
use crate::graph::Names;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Override {
    pub(crate) level: Level,
    pub(crate) expires: Option<Instant>,
}

/// Overrides by normalised logger name (`a.b`); `""` is the root.
#[derive(Debug, Default)]
pub(crate) struct Overrides {
    pub(crate) levels: Names<Override>,
    /// Whether the expiry thread is running.
    pub(crate) timer_running: bool,
    /// Directives given in code (`Builder::env_directives`), read instead
    /// of the environment variable.
    pub(crate) env_text: Option<String>,
    /// The `RUST_LOG` directives in force, beneath `levels`.
    pub(crate) env: Option<EnvFilter>,
    /// The directives whose problems were last reported: each distinct
    /// problem is reported once, not on every reload.
    pub(crate) env_reported: Option<EnvFilter>,
}

pub(crate) fn normal(name: &str) -> String {
    let key: Vec<&str> = crate::config::segments(name).collect();
    if key == ["root"] {
        String::new()
    } else {
        key.join(".")
    }
}

impl Overrides {
    /// Whether any level sits on top of the file's.
    pub(crate) fn is_empty(&self) -> bool {
        self.levels.is_empty() && self.env.as_ref().is_none_or(|e| e.levels().is_empty())
    }

    /// Reads the directives `config.env_filter` asks for (or the ones given
    /// in code) into `self.env`. Returns a warning when they have problems
    /// not reported before.
    pub(crate) fn read_env(&mut self, config: &Config) -> Option<Diagnostic> {
        self.env = match (&self.env_text, config.env_filter.enabled) {
            (_, false) => None,
            (Some(text), true) => Some(EnvFilter::parse(&config.env_filter.var, text)),
            (None, true) => read_env(&config.env_filter),
        };
        let problems = self.env.as_ref().and_then(EnvFilter::problems)?;
        if self.env_reported == self.env {
            return None;
        }
        self.env_reported.clone_from(&self.env);
        Some(Diagnostic::warning("env_filter", problems))
    }

    /// `config` with the `RUST_LOG` levels, then the override levels, applied.
    pub(crate) fn apply_to(&self, config: &Config) -> Config {
        let mut out = config.clone();
        for (name, level) in self.env.iter().flat_map(EnvFilter::levels) {
            set_level(&mut out, &normal(name), name, *level);
        }
        for (name, o) in self.levels.iter() {
            set_level(&mut out, name, name, o.level);
        }
        out
    }

    /// Removes expired overrides; returns whether any were removed.
    pub(crate) fn expire(&mut self, now: Instant) -> bool {
        let before = self.levels.len();
        self.levels.retain(|o| o.expires.is_none_or(|e| e > now));
        self.levels.len() != before
    }

    fn next_expiry(&self) -> Option<Instant> {
        self.levels.values().filter_map(|o| o.expires).min()
    }
}

/// The directives of the variable `config` names, as the process sees it.
pub(crate) fn read_env(config: &crate::config::EnvFilterConfig) -> Option<EnvFilter> {
    EnvFilter::from_value(config, std::env::var(&config.var))
}

/// `config` with `env`'s levels applied, as a running dispatcher applies
/// them (for `logfig explain`).
#[cfg_attr(not(feature = "cli"), allow(dead_code))] // reason: used by the CLI only
pub(crate) fn with_env(config: &Config, env: &EnvFilter) -> Config {
    let overrides = Overrides {
        env: Some(env.clone()),
        ..Overrides::default()
    };
    overrides.apply_to(config)
}

/// Sets the level of the logger normalised as `name` (`""`: the root);
/// a logger the config does not name is added as `spelling`.
fn set_level(out: &mut Config, name: &str, spelling: &str, level: Level) {
    if name.is_empty() {
        out.root.level = Some(level);
        return;
    }
    // Reuse the config's spelling of the name when it has one.
    let existing = out.loggers.keys().find(|k| normal(k) == *name).cloned();
    let key = existing.unwrap_or_else(|| spelling.to_owned());
    out.loggers.entry(key).or_default().level = Some(level);
}

impl Dispatcher {
    /// The `RUST_LOG` directives in force (see [`EnvFilter`]), `None` when
    /// the variable is unset or `env_filter.enabled` is false.
    ///
    /// # Examples
    ///
    /// ```
    /// use logfig::{Builder, Config, Format};
    ///
    /// let config = Config::from_str("version: 1\nroot: { level: WARNING }\n", Format::Yaml)?;
    /// let d = Builder::new().env_directives("myapp=debug").build(&config)?;
    /// let env = d.env_filter().expect("directives given");
    /// assert_eq!(env.levels()[0].0, "myapp");
    /// assert_eq!(d.max_level(), log::LevelFilter::Debug);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn env_filter(&self) -> Option<EnvFilter> {
        self.lock_state().env.clone()
    }

    /// Sets the level of logger `name` (`"root"` for the root) on top of the
    /// config's levels. The override survives reloads; with a `ttl` it expires
    /// by itself and the file's level returns.
    ///
    /// # Errors
    ///
    /// When the dispatcher was shut down, or the expiry thread cannot start.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use logfig::{Config, Dispatcher, Format};
    /// use logfig::config::Level;
    ///
    /// let d = Dispatcher::new(&Config::from_str("version: 1\nroot: { level: INFO }\n", Format::Yaml)?)?;
    /// d.set_level("app::db", Level::Trace, Some(Duration::from_secs(60)))?;
    /// assert_eq!(d.max_level(), log::LevelFilter::Trace);
    /// d.clear_level("app::db")?;
    /// assert_eq!(d.max_level(), log::LevelFilter::Info);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_level(&self, name: &str, level: Level, ttl: Option<Duration>) -> Result<(), Error> {
        let mut state = self.lock_state();
        if self.is_shut_down() {
            return Err(Error::new(ErrorKind::Other, "the logger was shut down"));
        }
        let expires = ttl.map(|t| Instant::now() + t);
        state
            .levels
            .insert(normal(name), Override { level, expires });
        if expires.is_some() && !state.timer_running {
            start_timer(Arc::downgrade(&self.shared))?;
            state.timer_running = true;
        }
        let file_config = self.shared.graph.load().config.clone();
        self.swap_in(&mut state, &file_config, None)?;
        drop(state);
        super::refresh_tracing_interest();
        self.shared.timer.notify_all();
        Ok(())
    }

    /// Removes the override of logger `name`; the config's level applies again.
    ///
    /// # Errors
    ///
    /// When the dispatcher was shut down.
    pub fn clear_level(&self, name: &str) -> Result<(), Error> {
        let mut state = self.lock_state();
        if self.is_shut_down() {
            return Err(Error::new(ErrorKind::Other, "the logger was shut down"));
        }
        if state.levels.remove(&normal(name)).is_some() {
            let file_config = self.shared.graph.load().config.clone();
            self.swap_in(&mut state, &file_config, None)?;
            drop(state);
            super::refresh_tracing_interest();
        }
        Ok(())
    }
}

/// The expiry thread: sleeps until the next override expires, then rebuilds
/// the graph without it. It holds only a weak reference, and ends when no
/// override has a time-to-live left or the dispatcher is gone.
fn start_timer(shared: Weak<Shared>) -> Result<(), Error> {
    crate::catch::spawn(
        "logfig-level-ttl".into(),
        Box::new(move || {
            loop {
                let Some(shared) = shared.upgrade() else {
                    return;
                };
                let dispatcher = Dispatcher { shared };
                let mut state = dispatcher.lock_state();
                if state.expire(Instant::now()) {
                    let file_config = dispatcher.shared.graph.load().config.clone();
                    if dispatcher.swap_in(&mut state, &file_config, None).is_ok() {
                        // Outside the state lock, then take it again.
                        drop(state);
                        super::refresh_tracing_interest();
                        state = dispatcher.lock_state();
                    }
                }
                let Some(next) = state.next_expiry() else {
                    state.timer_running = false;
                    return;
                };
                if dispatcher.is_shut_down() {
                    state.timer_running = false;
                    return;
                }
                let wait = next.saturating_duration_since(Instant::now());
                // Wake early when a sooner override arrives; re-check in any case.
                let shared = Arc::clone(&dispatcher.shared);
                let (guard, _) = shared
                    .timer
                    .wait_timeout(state, wait.min(Duration::from_secs(60)))
                    .unwrap_or_else(PoisonError::into_inner);
                drop(guard);
            }
        }),
    )
    .map(drop)
    .map_err(|e| Error::io("starting the level expiry thread", e))
}
