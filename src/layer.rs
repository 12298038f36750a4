//! [`TracingLayer`]: `tracing` events through the same graph as `log` records.
//!
//! An event becomes a `log::Record` (target, level, message, source location,
//! and its other fields as typed key-values) and takes the dispatcher's normal
//! path: the same loggers, filters, handlers and formatters, read from the same
//! `ArcSwap`, so a reload changes `log` and `tracing` at once and costs no lock
//! per event. The span scope of the event, root first, rides along in
//! [`Entry::spans`](crate::Entry::spans).
//!
//! The interest rules are documented on [`TracingLayer`].

use std::cell::Cell;
use std::fmt::{self, Write as _};
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing_core::field::{Field, Visit};
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::subscriber::Interest;
use tracing_core::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use crate::graph::Graph;
use crate::runtime::Dispatcher;
use crate::span::SpanRecord;
use crate::value::OwnedValue;

/// A `tracing_subscriber::Layer` that routes `tracing` events through a
/// [`Dispatcher`]'s graph, obtained from [`Dispatcher::tracing_layer`] or
/// [`Handle::tracing_layer`](crate::Handle::tracing_layer).
///
/// - An event's target is the logger name; its level maps one to one (`WARN`
///   is WARNING); its `message` field is the message; its other fields are the
///   record's key-values with their types kept (integers, floats, booleans,
///   strings; anything else by its `Debug` text). `%(kv)s` and the JSON
///   formatter's `kv` render them exactly as they render a `log` record's.
/// - The span scope of the event, root first, with each span's name and
///   fields, is `%(spans)s` / `{spans}` in pattern formats
///   (`outer{a=1}:inner{b="x y"}`) and the `spans` field of the JSON formatter.
/// - Callsites that the config disables get `Interest::never()`: `tracing`
///   skips them as cheaply as its own disabled callsites, without calling
///   logfig; the rules are below.
///
/// `init_file`, `init_str` and `init` install a global subscriber made of
/// `tracing_subscriber::registry()` and this layer. To combine it with other
/// layers (OpenTelemetry, say), build the subscriber yourself and turn that
/// off with [`Builder::install_tracing`](crate::Builder::install_tracing).
///
/// # Interest
///
/// `tracing` asks each callsite's interest once (and again after
/// `rebuild_interest_cache`), then skips `never` callsites without calling any
/// subscriber code. The answer comes from the graph, for the callsite's target
/// and level:
///
/// - events: `never` when the level is above the target's effective level,
///   when a filter of the target's own logger rejects it by level or target
///   (`Filter::enabled`), or when no handler of the chain takes the level
///   (handler level, handler filters' `enabled`; with no handler at all,
///   Python's last resort takes WARNING and above). Otherwise `sometimes` when
///   a filter stands on the way (only the record can answer it: a regex, a
///   rate limit, a custom filter) and `always` when none does.
/// - spans: `always` when the level is at most the target's effective level,
///   else `never`. Spans are context for events, so handler levels do not
///   apply to them.
///
/// Every swap of the graph (reload, `apply`, runtime level overrides and
/// their expiry, shutdown) calls `tracing_core::callsite::rebuild_interest_cache`
/// after logfig released its own locks, once any layer exists in the process.
///
/// One caveat comes from `tracing-core`: while a single subscriber is
/// registered in the process and it is a scoped one (`with_default`,
/// `set_default`), a rebuild asks the default subscriber *of the thread that
/// rebuilds*. A swap made on another thread (the file watcher's, a level
/// override's expiry) then does not reach the scoped subscriber's callsites
/// until the next rebuild on its own thread. A global subscriber, as `init_*`
/// install, has no such gap; with a scoped one, call
/// [`Dispatcher::apply`] or [`Dispatcher::set_level`] on its thread.
///
/// # Examples
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt;
/// use logfig::{CaptureHandler, Builder, Config, Format};
///
/// let capture = CaptureHandler::new();
/// let sink = capture.clone();
/// let config = Config::from_str(
///     "version: 1\n\
///      formatters:\n  f: { format: '%(levelname)s %(spans)s %(message)s %(kv)s' }\n\
///      handlers:\n  h: { type: custom, factory: capture, formatter: f }\n\
///      root: { level: INFO, handlers: [h] }\n",
///     Format::Yaml,
/// )?;
/// let dispatcher = Builder::new()
///     .handler_factory("capture", move |_| Ok(Box::new(sink.clone())))
///     .build(&config)?;
/// let subscriber = tracing_subscriber::registry().with(dispatcher.tracing_layer());
/// tracing::subscriber::with_default(subscriber, || {
///     let span = tracing::info_span!("request", id = 7);
///     let _in = span.enter();
///     tracing::info!(user = "bob", "done");
///     tracing::debug!("not shown");
/// });
/// assert_eq!(capture.lines(), ["INFO request{id=7} done user=bob"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct TracingLayer {
    dispatcher: Dispatcher,
    seen: Arc<AtomicU64>,
}

impl fmt::Debug for TracingLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TracingLayer")
            .field("events_seen", &self.events_seen())
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// A `tracing` layer that routes events through this dispatcher's graph;
    /// see [`TracingLayer`]. Layers of one dispatcher share its graph:
    /// reloads and level overrides apply to all of them at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use tracing_subscriber::layer::SubscriberExt;
    ///
    /// let config = logfig::Config::from_str("version: 1\n", logfig::Format::Yaml)?;
    /// let dispatcher = logfig::Dispatcher::new(&config)?;
    /// let subscriber = tracing_subscriber::registry().with(dispatcher.tracing_layer());
    /// tracing::subscriber::with_default(subscriber, || tracing::warn!("to stderr"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tracing_layer(&self) -> TracingLayer {
        crate::runtime::interest::layer_created();
        TracingLayer {
            dispatcher: self.clone(),
            seen: Arc::new(AtomicU64::new(0)),
        }
    }
}

/// The graph's answer for one callsite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Never,
    Sometimes,
    Always,
}

fn log_level(level: tracing_core::Level) -> log::Level {
    match level {
        tracing_core::Level::ERROR => log::Level::Error,
        tracing_core::Level::WARN => log::Level::Warn,
        tracing_core::Level::INFO => log::Level::Info,
        tracing_core::Level::DEBUG => log::Level::Debug,
        _ => log::Level::Trace,
    }
}

fn tracing_level_filter(level: log::LevelFilter) -> tracing_core::LevelFilter {
    match level {
        log::LevelFilter::Off => tracing_core::LevelFilter::OFF,
        log::LevelFilter::Error => tracing_core::LevelFilter::ERROR,
        log::LevelFilter::Warn => tracing_core::LevelFilter::WARN,
        log::LevelFilter::Info => tracing_core::LevelFilter::INFO,
        log::LevelFilter::Debug => tracing_core::LevelFilter::DEBUG,
        log::LevelFilter::Trace => tracing_core::LevelFilter::TRACE,
    }
}

/// What `graph` makes of a callsite; the rules are in the module docs.
fn verdict(graph: &Graph, meta: &Metadata<'_>) -> Verdict {
    let level = log_level(*meta.level());
    let target = meta.target();
    let decision = graph.decide(target);
    if level > decision.level {
        return Verdict::Never;
    }
    if !meta.is_event() {
        return Verdict::Always;
    }
    let log_meta = log::Metadata::builder().level(level).target(target).build();
    let logger = &graph.loggers[decision.logger as usize];
    let mut filtered = false;
    if decision.exact && !logger.filters.is_empty() {
        if !logger.filters.iter().all(|f| f.enabled(&log_meta)) {
            return Verdict::Never;
        }
        filtered = true;
    }
    if logger.chain.is_empty() {
        // Python's last resort: WARNING and above to stderr.
        return match (level <= log::Level::Warn, filtered) {
            (false, _) => Verdict::Never,
            (true, true) => Verdict::Sometimes,
            (true, false) => Verdict::Always,
        };
    }
    let mut reachable = false;
    for node in &logger.chain {
        if node.takes(&log_meta) {
            reachable = true;
            filtered |= !node.filters.is_empty();
        }
    }
    match (reachable, filtered) {
        (false, _) => Verdict::Never,
        (true, true) => Verdict::Sometimes,
        (true, false) => Verdict::Always,
    }
}

impl TracingLayer {
    fn verdict(&self, meta: &Metadata<'_>) -> Verdict {
        verdict(&self.dispatcher.graph(), meta)
    }

    /// How many times `tracing` called into this layer for an event: its
    /// `enabled` check (made only for `sometimes` callsites) and its
    /// `on_event`. A callsite disabled by the config adds nothing: its interest
    /// is `never`, so `tracing` skips it without calling the layer. For tests
    /// and benchmarks; clones of a layer share the count.
    #[doc(hidden)]
    pub fn events_seen(&self) -> u64 {
        self.seen.load(Ordering::Relaxed)
    }
}

impl<S> Layer<S> for TracingLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    /// The graph's verdict for a callsite: `never` when no logger lets its
    /// level through, `always` when nothing but its level decides.
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        match self.verdict(meta) {
            Verdict::Never => Interest::never(),
            Verdict::Sometimes => Interest::sometimes(),
            Verdict::Always => Interest::always(),
        }
    }

    /// For `sometimes` callsites: whether the graph may take the event.
    fn enabled(&self, meta: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        if meta.is_event() {
            self.seen.fetch_add(1, Ordering::Relaxed);
        }
        self.verdict(meta) != Verdict::Never
    }

    /// The most verbose level any logger of the graph lets through.
    fn max_level_hint(&self) -> Option<tracing_core::LevelFilter> {
        Some(tracing_level_filter(self.dispatcher.max_level()))
    }

    /// Keeps the span's name and fields, for the events inside it.
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut record = SpanRecord::new(attrs.metadata().name());
        attrs.record(&mut SpanVisitor(&mut record));
        span.extensions_mut().insert(record);
    }

    /// Adds fields recorded on a span after it was created.
    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut extensions = span.extensions_mut();
        if let Some(record) = extensions.get_mut::<SpanRecord>() {
            values.record(&mut SpanVisitor(record));
        }
    }

    /// Routes the event through the graph as a record, with its span scope.
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        self.seen.fetch_add(1, Ordering::Relaxed);
        let meta = event.metadata();
        let level = log_level(*meta.level());
        // A `sometimes` callsite, or a swap since the interest was computed:
        // decide on the level before collecting anything.
        let log_meta = log::Metadata::builder()
            .level(level)
            .target(meta.target())
            .build();
        if !log::Log::enabled(&self.dispatcher, &log_meta) {
            return;
        }
        with_scratch(|scratch| {
            event.record(&mut EventVisitor(&mut scratch.fields));
            if let Some(scope) = ctx.event_scope(event) {
                for span in scope.from_root() {
                    if let Some(record) = span.extensions().get::<SpanRecord>() {
                        scratch.spans.push(record.clone());
                    }
                }
            }
            let fields = &scratch.fields;
            self.dispatcher.log_with_spans(
                &log::Record::builder()
                    .args(format_args!("{}", fields.message()))
                    .level(level)
                    .target(meta.target())
                    .module_path(meta.module_path())
                    .file(meta.file())
                    .line(meta.line())
                    .key_values(fields)
                    .build(),
                &scratch.spans,
            );
        });
    }
}

/// Records span fields into a [`SpanRecord`].
struct SpanVisitor<'a>(&'a mut SpanRecord);

impl Visit for SpanVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.set(field.name().into(), OwnedValue::F64(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.set(field.name().into(), OwnedValue::I64(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.set(field.name().into(), OwnedValue::U64(value));
    }
    fn record_i128(&mut self, field: &Field, value: i128) {
        self.0.set(field.name().into(), OwnedValue::I128(value));
    }
    fn record_u128(&mut self, field: &Field, value: u128) {
        self.0.set(field.name().into(), OwnedValue::U128(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.set(field.name().into(), OwnedValue::Bool(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0
            .set(field.name().into(), OwnedValue::Str(value.into()));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.set(
            field.name().into(),
            OwnedValue::Str(value.to_string().into()),
        );
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.set(
            field.name().into(),
            OwnedValue::Str(format!("{value:?}").into()),
        );
    }
}

/// An event's fields, kept in one reused text buffer: the message, then the
/// others with their types (text values as ranges of the buffer).
#[derive(Default)]
struct EventFields {
    text: String,
    message: Range<usize>,
    fields: Vec<(&'static str, Slot)>,
}

#[derive(Clone)]
enum Slot {
    Bool(bool),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    F64(f64),
    Text(Range<usize>),
}

impl EventFields {
    fn clear(&mut self) {
        self.text.clear();
        self.message = 0..0;
        self.fields.clear();
    }

    fn message(&self) -> &str {
        self.text.get(self.message.clone()).unwrap_or("")
    }

    fn push_text(&mut self, name: &'static str, write: impl FnOnce(&mut String)) {
        let start = self.text.len();
        write(&mut self.text);
        let range = start..self.text.len();
        if name == "message" {
            self.message = range;
        } else {
            self.fields.push((name, Slot::Text(range)));
        }
    }
}

impl log::kv::Source for EventFields {
    fn visit<'kvs>(
        &'kvs self,
        visitor: &mut dyn log::kv::VisitSource<'kvs>,
    ) -> Result<(), log::kv::Error> {
        for (key, slot) in &self.fields {
            let value = match slot {
                Slot::Bool(b) => log::kv::Value::from(*b),
                Slot::I64(i) => log::kv::Value::from(*i),
                Slot::U64(u) => log::kv::Value::from(*u),
                Slot::I128(i) => log::kv::Value::from(*i),
                Slot::U128(u) => log::kv::Value::from(*u),
                Slot::F64(f) => log::kv::Value::from(*f),
                Slot::Text(r) => log::kv::Value::from(self.text.get(r.clone()).unwrap_or("")),
            };
            visitor.visit_pair(log::kv::Key::from_str(key), value)?;
        }
        Ok(())
    }
}

struct EventVisitor<'a>(&'a mut EventFields);

impl Visit for EventVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.fields.push((field.name(), Slot::F64(value)));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.fields.push((field.name(), Slot::I64(value)));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.fields.push((field.name(), Slot::U64(value)));
    }
    fn record_i128(&mut self, field: &Field, value: i128) {
        self.0.fields.push((field.name(), Slot::I128(value)));
    }
    fn record_u128(&mut self, field: &Field, value: u128) {
        self.0.fields.push((field.name(), Slot::U128(value)));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.fields.push((field.name(), Slot::Bool(value)));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push_text(field.name(), |s| s.push_str(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.push_text(field.name(), |s| {
            let _ = write!(s, "{value}");
        });
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        // The message is `format_args!(..)`, whose `Debug` is its text.
        self.0.push_text(field.name(), |s| {
            let _ = write!(s, "{value:?}");
        });
    }
}

/// Per-thread buffers for one event.
#[derive(Default)]
struct Scratch {
    fields: EventFields,
    spans: Vec<SpanRecord>,
}

thread_local! {
    static SCRATCH: Cell<Option<Box<Scratch>>> = const { Cell::new(None) };
}

/// Runs `f` with this thread's cleared buffers, so an event allocates nothing
/// once they have grown. They are taken out while `f` runs: an event logged
/// from inside (a handler that uses `tracing`) gets fresh ones.
fn with_scratch(f: impl FnOnce(&mut Scratch)) {
    let mut scratch = SCRATCH
        .try_with(Cell::take)
        .ok()
        .flatten()
        .unwrap_or_default();
    scratch.fields.clear();
    f(&mut scratch);
    // Release the spans now; don't keep a buffer grown by one huge event.
    scratch.spans.clear();
    if scratch.fields.text.capacity() <= 64 << 10 {
        let _ = SCRATCH.try_with(|cell| cell.set(Some(scratch)));
    }
}
