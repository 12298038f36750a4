//! Timestamps as production logs carry them: the `json` formatter writes RFC
//! 3339 in UTC with microseconds and takes sub-second directives; the
//! pattern formatter keeps CPython's `time.strftime` and gains `usecs`; a
//! `datefmt` directive that renders as itself is a warning with its position.

use std::time::{Duration, SystemTime};

use logfig::{Config, Dispatcher, Entry, Format};

fn lines_of(yaml_formatter: &str) -> (Vec<String>, Vec<logfig::Diagnostic>) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let text = format!(
        "version: 1\nformatters:\n  f: {yaml_formatter}\nhandlers:\n  file: {{ type: file, path: '{}', formatter: f }}\nroot: {{ level: INFO, handlers: [file] }}\n",
        log.display()
    );
    let config = Config::from_str(&text, Format::Yaml).unwrap();
    let d = Dispatcher::new(&config).unwrap();
    let warnings = d.apply(&config).unwrap();
    let record = log::Record::builder()
        .args(format_args!("hi"))
        .level(log::Level::Info)
        .target("app")
        .build();
    let time = SystemTime::UNIX_EPOCH + Duration::from_nanos(1_764_238_502_123_456_789);
    d.log_entry(&Entry::new(&record).with_time(time));
    d.shutdown();
    let lines = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    (lines, warnings)
}

#[test]
fn json_defaults_to_rfc3339_utc_microseconds() {
    let (lines, warnings) = lines_of("{ type: json, fields: [asctime, message] }");
    assert_eq!(
        lines,
        [r#"{"asctime":"2025-11-27T10:15:02.123456Z","message":"hi"}"#]
    );
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn json_datefmt_takes_sub_second_directives() {
    for (datefmt, want) in [
        ("%Y-%m-%dT%H:%M:%S.%fZ", "2025-11-27T10:15:02.123456Z"),
        (
            "%Y-%m-%dT%H:%M:%S%.9f%z",
            "2025-11-27T10:15:02.123456789+0000",
        ),
        ("%s.%3f", "1764238502.123"),
    ] {
        let (lines, warnings) = lines_of(&format!(
            "{{ type: json, fields: [asctime], datefmt: '{datefmt}' }}"
        ));
        assert_eq!(lines, [format!(r#"{{"asctime":"{want}"}}"#)], "{datefmt}");
        assert!(warnings.is_empty(), "{datefmt}: {warnings:?}");
    }
    let err = Config::from_str(
        "version: 1\nformatters:\n  f: { type: json, datefmt: '%S.%f%N' }\n",
        Format::Yaml,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains(
            "formatters.f.datefmt: `%N` at character 6: a datefmt may hold one sub-second directive"
        ),
        "{err}"
    );
}

#[test]
fn pattern_keeps_python_and_gains_usecs() {
    let (lines, warnings) = lines_of(
        "{ format: '%(asctime)s.%(usecs)06d %(message)s', datefmt: '%Y-%m-%dT%H:%M:%S', utc: true }",
    );
    assert_eq!(lines, ["2025-11-27T10:15:02.123456 hi"]);
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn a_directive_that_renders_as_itself_is_a_warning_with_its_position() {
    let (lines, warnings) = lines_of(
        "{ format: '%(asctime)s %(message)s', datefmt: '%Y-%m-%dT%H:%M:%S.%fZ', utc: true }",
    );
    // CPython's bytes: `time.strftime` prints `%f` as it is.
    assert_eq!(lines, ["2025-11-27T10:15:02.%fZ hi"]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = &warnings[0];
    assert_eq!(w.severity(), logfig::Severity::Warning);
    assert_eq!(w.path(), "formatters.f.datefmt");
    assert_eq!(w.line(), 3, "{w}");
    assert!(
        w.message()
            .starts_with("`%f` at character 19 is not a datefmt directive: it is printed as it is"),
        "{w}"
    );
    assert!(w.message().contains("`%(usecs)06d`"), "{w}");
}
