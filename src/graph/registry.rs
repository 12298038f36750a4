//! [`Registry`]: handler factories registered in code, for `type: custom`.

use std::fmt;
use std::sync::Arc;

use crate::error::Error;
use crate::error::hint;
use crate::handlers::Handler;

use super::names::Names;

/// Builds a handler from the `options` of a `type: custom` handler.
///
/// Crate-private: applications register factories with
/// [`Builder::handler_factory`](crate::init::Builder::handler_factory).
pub(crate) type HandlerFactory =
    Arc<dyn Fn(&serde_json::Value) -> Result<Box<dyn Handler>, Error> + Send + Sync>;

/// The handler factories that `type: custom` handlers can name.
#[derive(Clone, Default)]
pub(crate) struct Registry {
    handlers: Names<HandlerFactory>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("handlers", &self.handlers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Registry {
    /// Registers `factory` under `name`, replacing any earlier one.
    pub(crate) fn register_handler(&mut self, name: impl Into<String>, factory: HandlerFactory) {
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
