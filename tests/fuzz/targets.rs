//! The fuzz targets: one per parser, each a thin call into logfig's public
//! API, with its seeds and the tokens its mutator inserts.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use logfig::config::{FormatStyle, HandlerConfig, PatternFormatterConfig};
use logfig::{Config, Entry, Format, Formatter, PatternFormatter, RotatingFileHandler};

/// One parser under test.
pub(crate) struct Target {
    pub(crate) name: &'static str,
    /// Directories (relative to the crate) whose files seed the target,
    /// besides `tests/fuzz/corpus/<name>`, and the extensions taken.
    pub(crate) seed_dirs: &'static [&'static str],
    pub(crate) extensions: &'static [&'static str],
    /// Tokens the mutator inserts: `words`, and the groups in `dictionary`,
    /// each a string of tokens separated by `¦`.
    pub(crate) words: &'static str,
    pub(crate) dictionary: &'static [&'static str],
    /// Runs one input; returns what it did, as a signature (see [`outcome`]).
    pub(crate) run: fn(&[u8]) -> u64,
    /// Inputs in the short pass: a few seconds' worth in a debug build.
    pub(crate) short: usize,
    /// An input at the config budget: short inputs can cost as much through
    /// YAML aliases or `cfg://` copies, which the budget allows, so a slow
    /// input is measured against this one.
    pub(crate) reference: Option<fn() -> Vec<u8>>,
}

const CONFIG_DIRS: &[&str] = &["tests/fixtures/valid", "tests/fixtures/invalid", "examples"];

/// Tokens of every config, whatever its syntax. Dictionaries are written as
/// one string each, tokens separated by `¦`.
const CONFIG_WORDS: &str = "version¦1¦handlers¦formatters¦filters¦loggers¦root¦level¦type¦\
    console¦file¦rotating_file¦queue¦memory¦null¦custom¦format¦datefmt¦style¦path¦target¦\
    capacity¦backups¦archive¦max_bytes¦10MiB¦250ms¦DEBUG¦INFO¦cfg://¦cfg://handlers.h¦\
    ${LOG_DIR:-¦}¦$${¦%(message)s¦{message}¦ext://sys.stdout¦class¦logging.StreamHandler¦\
    options¦factory¦incremental¦reload¦propagate¦true¦false";

const YAML_WORDS: &str = ": ¦- ¦[¦]¦{¦}¦, ¦&a ¦*a¦<<: *a¦!!str ¦!!binary ¦'¦\"¦\n¦\n  ¦\n    ¦\
    |\n  ¦>-\n  ¦---\n¦...\n¦# c\n¦? ¦~¦\\u0000¦\t¦%YAML 1.2\n¦!tag ";

const TOML_WORDS: &str = " = ¦[¦]¦[[¦]]¦{¦}¦.¦\"¦'¦'''¦\"\"\"¦, ¦\n¦# c\n¦1979-05-27T07:32:00Z¦\
    07:32:00¦inf¦nan¦0x1F¦0o7¦0b1¦1_000¦\\u00e9¦\\U0001F600¦a.b.c";

const JSON_WORDS: &str = "{¦}¦[¦]¦:¦,¦\"¦\\\"¦\\\\¦\\u0000¦\\ud83d\\ude00¦\\ud800¦true¦false¦\
    null¦-0¦1e999¦0.5¦01¦\"$schema\"";

const ENV_WORDS: &str = "${¦$${¦:-¦}¦$¦{¦HOME¦PATH¦LOGFIG_FUZZ_UNSET¦_¦a¦${HOME}¦${X:-¦\
    ${X:-${Y:-¦}}¦${}¦${:-}¦$$¦\\";

const PATTERN_WORDS: &str = "%(¦)s¦)d¦)f¦)r¦)-8s¦).3f¦)05d¦%%¦{¦}¦{{¦}}¦!r¦!a¦!s¦:¦<¦>¦^¦=¦\
    ,¦_¦.¦#¦0¦+¦ ¦z¦$¦${¦$$¦asctime¦created¦msecs¦levelname¦levelno¦name¦message¦lineno¦\
    process¦thread¦threadName¦kv¦spans¦user¦%Y¦%m¦%d¦%H¦%M¦%S¦%-d¦%_10H¦%010Y¦%#a¦%c¦%x¦\
    %Ey¦%Od¦%f¦%s¦%z¦%Z¦%:z¦%q¦%¦\n¦é¦😀";

const PYTHON_WORDS: &str = "class: logging.¦logging.handlers.RotatingFileHandler¦\
    logging.handlers.TimedRotatingFileHandler¦logging.handlers.MemoryHandler¦\
    logging.handlers.QueueHandler¦logging.handlers.SysLogHandler¦logging.handlers.SMTPHandler¦\
    logging.handlers.HTTPHandler¦logging.FileHandler¦filename: ¦maxBytes: ¦backupCount: ¦\
    when: ¦interval: ¦atTime: ¦flushLevel: ¦capacity: ¦()¦(): ¦.: ¦cfg://handlers[¦]¦\
    cfg://formatters.f¦ext://sys.stderr¦queue.Queue¦maxsize: ¦address: ¦mailhost: ¦toaddrs: ¦\
    fmt: ¦: ¦- ¦[¦]¦{¦}¦\n  ¦&a ¦*a";

const INI_WORDS: &str = "[¦]¦[loggers]\n¦[handlers]\n¦[formatters]\n¦[DEFAULT]\n¦keys=¦root¦\
    [logger_root]\n¦[handler_h]\n¦[formatter_f]\n¦handlers=¦qualname=¦propagate=¦level=¦\
    class=¦StreamHandler¦handlers.RotatingFileHandler¦args=¦kwargs=¦format=¦datefmt=¦style=¦\
    defaults=¦target=¦%(¦)s¦%%¦%(here)s¦ = ¦: ¦\n¦\n  ¦# c\n¦; c\n¦,¦(sys.stdout,)¦";

/// Python expressions of `args=`: literals, names, operators.
const ARGS_WORDS: &str = "(¦)¦[¦]¦{¦}¦,¦:¦'¦\"¦r'¦b'¦'''¦\\¦\\x41¦\\u00e9¦+¦-¦*¦//¦%¦**¦.¦\
    sys.stdout¦sys.stderr¦None¦True¦False¦DEBUG¦logging.INFO¦handlers.SYSLOG_UDP_PORT¦\
    handlers.SysLogHandler.LOG_USER¦os.system¦__import__¦1e9¦0x1F¦0o7¦1_000¦10*1024*1024¦\
    170141183460469231731687303715884105727¦%(x)s¦\n¦ ";

const ARCHIVE_WORDS: &str = "%Y¦%m¦%d¦%H¦%M¦%S¦%j¦%s¦%%¦%F¦%q¦%T¦%D¦%c¦%-d¦%3d¦%Ey¦.¦..¦.gz¦\
    .tmp¦.log¦app¦*¦?¦[¦]¦(¦)¦+¦\\¦é¦ ";

/// A loader target: config text, seeded from config files.
const fn loader(
    name: &'static str,
    seed_dirs: &'static [&'static str],
    extensions: &'static [&'static str],
    words: &'static str,
    run: fn(&[u8]) -> u64,
    reference: fn() -> Vec<u8>,
) -> Target {
    Target {
        name,
        seed_dirs,
        extensions,
        words,
        dictionary: &[CONFIG_WORDS],
        run,
        short: 400,
        reference: Some(reference),
    }
}

/// A target seeded from its corpus directory alone.
const fn own(
    name: &'static str,
    words: &'static str,
    run: fn(&[u8]) -> u64,
    short: usize,
) -> Target {
    Target {
        name,
        seed_dirs: &[],
        extensions: &[],
        words,
        dictionary: &[],
        run,
        short,
        reference: None,
    }
}

pub(crate) const TARGETS: &[Target] = &[
    loader(
        "yaml",
        CONFIG_DIRS,
        &["yaml", "yml"],
        YAML_WORDS,
        |b| load(b, Format::Yaml),
        || at_budget(Format::Yaml),
    ),
    loader(
        "toml",
        CONFIG_DIRS,
        &["toml"],
        TOML_WORDS,
        |b| load(b, Format::Toml),
        || at_budget(Format::Toml),
    ),
    loader(
        "json",
        CONFIG_DIRS,
        &["json"],
        JSON_WORDS,
        |b| load(b, Format::Json),
        || at_budget(Format::Json),
    ),
    own("env", ENV_WORDS, env, 400),
    own("pattern", PATTERN_WORDS, pattern, 400),
    loader(
        "python",
        &["tests/python_compat", "tests/fixtures/valid"],
        &["yaml"],
        PYTHON_WORDS,
        |b| load(b, Format::Yaml),
        || at_budget(Format::Yaml),
    ),
    loader(
        "ini",
        &["tests/python_real/fileconfig"],
        &["ini", "conf"],
        INI_WORDS,
        |b| load(b, Format::Ini),
        || at_budget(Format::Ini),
    ),
    own("ini_args", ARGS_WORDS, ini_args, 400),
    // Each input opens a handler: a thread, files, a regex.
    own("archive", ARCHIVE_WORDS, archive, 60),
];

/// The most expensive config a load reads in full: a list of 250,000
/// values (logfig's `MAX_NODES`), the densest text there is.
fn at_budget(format: Format) -> Vec<u8> {
    let items = "1,".repeat(250_000);
    match format {
        Format::Toml => format!("version = 1\nx = [{items}1]\n"),
        Format::Json => format!("{{\"version\": 1, \"x\": [{items}1]}}"),
        // ConfigParser reads every section, logging's or not.
        Format::Ini => {
            let mut text = String::from(
                "[loggers]\nkeys=root\n[handlers]\nkeys=\n[formatters]\nkeys=\n[logger_root]\nhandlers=\n[app]\n",
            );
            let mut i = 0;
            while text.len() < (2 << 20) - 32 {
                text.push_str(&format!("k{i}=v\n"));
                i += 1;
            }
            text
        }
        _ => format!("version: 1\nx: [{items}1]\n"),
    }
    .into_bytes()
}

/// The seeds of `target`: its corpus directory, then the files of its seed
/// directories.
pub(crate) fn seeds(target: &Target) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let corpus = root.join("tests/fuzz/corpus").join(target.name);
    let dirs = std::iter::once((corpus, None)).chain(
        target
            .seed_dirs
            .iter()
            .map(|d| (root.join(d), Some(target.extensions))),
    );
    for (dir, extensions) in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for path in files {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if extensions.is_some_and(|x| !x.contains(&ext)) || !path.is_file() {
                continue;
            }
            if let Ok(bytes) = std::fs::read(&path) {
                out.push((path, bytes));
            }
        }
    }
    out
}

fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// What an input made a target do, as a number: the harness keeps the
/// mutants that do something no input did before. There is no coverage on
/// stable Rust; the kinds of messages a parser gives stand in for the paths
/// it took. A message's kind is its text without what it quotes and without
/// digits (names and numbers come from the input, and would make every
/// input new).
pub(crate) fn outcome<'a>(verdict: &str, messages: impl IntoIterator<Item = &'a str>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    verdict.hash(&mut h);
    for message in messages.into_iter().take(4) {
        let mut quoted = false;
        for c in message.chars() {
            match c {
                '`' => quoted = !quoted,
                _ if quoted || c.is_ascii_digit() => {}
                c => c.hash(&mut h),
            }
        }
    }
    h.finish()
}

/// The `args=` of a `fileConfig` handler, and its `kwargs=`: the input is
/// the expression, in a file that reads it.
fn ini_args(bytes: &[u8]) -> u64 {
    let expr = text(bytes).replace('\n', "\n  ");
    let ini = format!(
        "[loggers]\nkeys=root\n[handlers]\nkeys=h,k\n[formatters]\nkeys=\n[logger_root]\nhandlers=h\n\
         [handler_h]\nclass=handlers.SMTPHandler\nargs={expr}\n\
         [handler_k]\nclass=handlers.SysLogHandler\nkwargs={expr}\n"
    );
    load(ini.as_bytes(), Format::Ini)
}

/// A loader: text → `Config` (or every diagnostic, rendered), then the
/// checks a loaded config gets.
fn load(bytes: &[u8], format: Format) -> u64 {
    match Config::from_str(&text(bytes), format) {
        Ok(config) => {
            let warnings = config.validate();
            let _ = format!("{config:?}");
            let kinds = config.handlers.values().map(|h| h.type_name());
            let n = warnings.as_ref().map_or(0, Vec::len);
            outcome(&format!("ok {n}"), kinds)
        }
        Err(e) => {
            let _ = e.to_string();
            outcome("err", e.diagnostics().iter().map(|d| d.message()))
        }
    }
}

/// `${}` expansion, as every string of a config gets it.
fn env(bytes: &[u8]) -> u64 {
    let value = serde_json::Value::String(text(bytes).into_owned());
    let json = serde_json::json!({
        "version": 1,
        "handlers": { "h": { "type": "file", "path": value } },
        "filters": { "f": { "type": "regex", "pattern": value } },
    });
    load(json.to_string().as_bytes(), Format::Json)
}

/// A pattern formatter: the input's first line is the style (`%`, `{` or
/// `$`), the second the format, the rest the `datefmt`. A format that
/// compiles renders records of every level, with key-values.
fn pattern(bytes: &[u8]) -> u64 {
    let text = text(bytes);
    let mut lines = text.splitn(3, '\n');
    let style = match lines.next().unwrap_or("").trim() {
        "{" => FormatStyle::Brace,
        "$" => FormatStyle::Dollar,
        _ => FormatStyle::Percent,
    };
    let format = lines.next().unwrap_or("").to_owned();
    let datefmt = lines.next().map(str::to_owned);
    let mut verdicts = Vec::new();
    for validate in [true, false] {
        let mut cfg = PatternFormatterConfig::default();
        cfg.format = Some(format.clone());
        cfg.style = style;
        cfg.datefmt = datefmt.clone();
        cfg.validate = validate;
        cfg.utc = validate;
        cfg.defaults.insert("user".into(), "nobody".into());
        match PatternFormatter::new(&cfg) {
            Ok(f) => {
                let len =
                    render_records(&f, format.len() + datefmt.as_ref().map_or(0, String::len));
                // How long a record came out, to a power of two.
                verdicts.push(format!("ok {}", usize::BITS - len.leading_zeros()));
            }
            Err(e) => verdicts.push(e.to_string()),
        }
    }
    outcome("", verdicts.iter().map(String::as_str))
}

/// Renders records of every level through `f`; the longest output's length.
fn render_records(f: &PatternFormatter, pattern_len: usize) -> usize {
    let mut longest = 0;
    let kvs: &[(&str, log::kv::Value<'_>)] = &[
        ("user", log::kv::Value::from("bob \u{1b}[2J")),
        ("n", log::kv::Value::from(-42i64)),
        ("x", log::kv::Value::from(f64::NAN)),
        ("ok", log::kv::Value::from(true)),
    ];
    for level in log::Level::iter() {
        let record = log::Record::builder()
            .args(format_args!("héllo 100% {{}} \n😀"))
            .level(level)
            .target("app::db")
            .file(Some("src/app/db.rs"))
            .line(Some(u32::MAX))
            .key_values(&kvs)
            .build();
        let entry = Entry::new(&record)
            .with_time(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1 << 40))
            .with_thread(u64::MAX, "w");
        let mut out = Vec::new();
        let _ = f.format(&entry, &mut out);
        // Linear in the pattern: each byte of it renders to a few bytes, each
        // placeholder (at most 100, each up to 255 wide, a fill up to 4 bytes)
        // to its value, and `asctime` to its `datefmt` (at most 100
        // directives of up to 255).
        let bound = 16 * pattern_len + 100 * (4 * 255 + 200) + 100 * (100 * 255 + 16 * pattern_len);
        assert!(
            out.len() <= bound,
            "a record rendered to {} bytes from a pattern of {pattern_len}",
            out.len()
        );
        longest = longest.max(out.len());
    }
    longest
}

/// The `archive` name pattern of a `rotating_file`: the config is loaded and
/// the handler opened in a temporary directory beside files it did not
/// write (opening recognises archives there, to keep `backups` of them).
fn archive(bytes: &[u8]) -> u64 {
    thread_local! {
        static DIR: tempfile::TempDir = tempfile::tempdir().expect("temp dir");
    }
    DIR.with(|dir| {
        let dir = dir.path();
        for name in [
            "app.log",
            "app.log.1",
            "errors.log",
            "README.log",
            "2024-01-01.log",
        ] {
            let _ = std::fs::write(dir.join(name), b"x\n");
        }
        let json = serde_json::json!({
            "version": 1,
            "handlers": { "r": {
                "type": "rotating_file",
                "path": dir.join("app.log"),
                "archive": text(bytes),
                "backups": 1,
                "max_bytes": "1KiB",
            } },
            "root": { "handlers": ["r"] },
        });
        let verdict = match Config::from_str(&json.to_string(), Format::Json) {
            Ok(config) => match config.handlers.get("r") {
                Some(HandlerConfig::RotatingFile(c)) => match RotatingFileHandler::open(c) {
                    Ok(_) => "opened".to_owned(),
                    Err(e) => e.to_string(),
                },
                _ => "not a rotating_file".to_owned(),
            },
            Err(e) => e.diagnostics().iter().map(|d| d.message()).collect(),
        };
        // Which of the files beside it are left, and the directory as it was.
        let mut left = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                left.push(e.file_name().to_string_lossy().into_owned());
                let _ = std::fs::remove_file(e.path());
            }
        }
        left.sort();
        outcome(&verdict, left.iter().map(String::as_str))
    })
}

/// Makes `input` about `factor` times longer by repeating the slice between
/// `start` and `end` (byte offsets on character boundaries), for the
/// superlinearity probe.
pub(crate) fn grow(input: &[u8], start: usize, end: usize, factor: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() * factor);
    out.extend_from_slice(&input[..start]);
    let times = (input.len() * (factor - 1)) / (end - start).max(1) + 1;
    for _ in 0..times {
        out.extend_from_slice(&input[start..end]);
    }
    out.extend_from_slice(&input[end..]);
    out
}
