//! [`Registry`]: handler factories registered in code, for `type: custom`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::error::Error;
use crate::error::hint;
use crate::handlers::Handler;

/// Builds a handler from the `options` of a `type: custom` handler.
pub type HandlerFactory =
    Arc<dyn Fn(&serde_json::Value) -> Result<Box<dyn Handler>, Error> + Send + Sync>;

/// The handler factories that `type: custom` handlers can name.
///
/// # Examples
///
/// ```
/// use logfig::{Builder, CaptureHandler, Config, Format};
///
/// let capture = CaptureHandler::new();
/// let handle = capture.clone();
/// let dispatcher = Builder::new()
///     .handler_factory("capture", move |_options| Ok(Box::new(handle.clone())))
///     .build(&Config::from_str(
///         "version: 1\nhandlers:\n  c: { type: custom, factory: capture }\nroot: { level: INFO, handlers: [c] }\n",
///         Format::Yaml,
///     )?)?;
/// log::set_max_level(log::LevelFilter::Trace); // the macros check it first
/// log::warn!(logger: dispatcher, "disk almost full");
/// assert_eq!(capture.lines(), ["disk almost full"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default)]
pub struct Registry {
    handlers: BTreeMap<String, HandlerFactory>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("handlers", &self.handlers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `factory` under `name`, replacing any earlier one.
    pub fn register_handler(&mut self, name: impl Into<String>, factory: HandlerFactory) {
        self.handlers.insert(name.into(), factory);
    }

    pub(crate) fn create(
        &self,
        name: &str,
        options: &serde_json::Value,
    ) -> Result<Box<dyn Handler>, String> {
        match self.handlers.get(name) {
            // A factory is application code run on the reload thread too: its
            // panic is this handler's config error, not the end of the watcher.
            Some(factory) => match crate::catch::quietly(|| factory(options)) {
                Ok(built) => built.map_err(|e| format!("factory `{name}` failed: {e}")),
                Err(caught) => Err(format!("factory `{name}` panicked: {caught}")),
            },
            None => {
                let h = hint(name, self.handlers.keys().map(String::as_str));
                Err(if self.handlers.is_empty() {
                    format!(
                        "no handler factory `{name}` is registered (register one with `Builder::handler_factory`)"
                    )
                } else {
                    format!("no handler factory `{name}` is registered{h}")
                })
            }
        }
    }
}
