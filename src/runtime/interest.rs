//! `tracing`'s interest in callsites, which follows the running graph: after
//! every swap, `tracing` asks the layers again about every callsite. The
//! layer (a floor above) only says that it exists.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a layer exists: from then on, every graph swap rebuilds
/// `tracing`'s interest cache. Processes that never use `tracing` skip it.
static LAYER_CREATED: AtomicBool = AtomicBool::new(false);

/// Tells `tracing` to ask every layer again about every callsite. Call only
/// with no lock of logfig's held: `tracing` calls back into
/// `register_callsite`, and it takes locks of its own.
pub(crate) fn rebuild() {
    if LAYER_CREATED.load(Ordering::Acquire) {
        tracing_core::callsite::rebuild_interest_cache();
    }
}

/// Called when a layer is made: from then on, swaps rebuild the interest.
pub(crate) fn layer_created() {
    LAYER_CREATED.store(true, Ordering::Release);
}
