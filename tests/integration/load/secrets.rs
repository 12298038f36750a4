//! Secrets never shown: passwords, HTTP header values, the user information
//! and token-like parameters of URLs, secret-named options of custom
//! handlers. Not in `Debug` of a config, a dispatcher or a handle, not in a
//! diagnostic's message or source line. (`logfig explain` and `fmt` are in
//! `cli`.)

use logfig::{Builder, CaptureHandler, Config, Format};

/// Every secret value of [`CONFIG`]; none may appear in anything shown.
pub(crate) const SECRETS: &[&str] = &[
    "url-pass-1",
    "url-token-1",
    "header-token-1",
    "header-key-1",
    "basic-pass-1",
    "smtp-pass-1",
    "option-key-1",
    "option-pass-1",
];

/// An `http` handler with a password and a token in its URL, two secret
/// headers and basic authentication; an `smtp` handler with a password; a
/// custom handler with a secret option and a URL with a password.
pub(crate) const CONFIG: &str = "version: 1
handlers:
  web:
    type: http
    url: 'https://bot:url-pass-1@127.0.0.1:9/push?tenant=t1&token=url-token-1'
    headers: { Authorization: 'Bearer header-token-1', X-Api-Key: header-key-1, X-Scope-OrgID: team-1 }
    credentials: { username: web-user, password: basic-pass-1 }
  mail: { type: smtp, host: 127.0.0.1, port: 9, from: a@example.com, to: [b@example.com], credentials: { username: mailer, password: smtp-pass-1 } }
  c: { type: custom, factory: capture, options: { api_key: option-key-1, endpoint: 'https://u:option-pass-1@x.example/' } }
root: { level: INFO, handlers: [web, mail, c] }
";

/// Fails when `text` shows a secret, or shows no `***` where they were.
pub(crate) fn assert_hidden(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} shows `{s}`:\n{text}");
    }
    assert!(text.contains("***"), "{what}: no `***`:\n{text}");
}

fn builder() -> Builder {
    let capture = CaptureHandler::new();
    Builder::new().handler_factory("capture", move |_| Ok(Box::new(capture.clone())))
}

#[test]
fn debug_of_a_config_a_dispatcher_and_a_handle_hides_secrets() {
    let config = Config::from_str(CONFIG, Format::Yaml).unwrap();
    for shown in [format!("{config:?}"), format!("{config:#?}")] {
        assert_hidden("Debug of the config", &shown);
        // What is not secret is shown as it is.
        for visible in [
            "127.0.0.1:9/push",
            "tenant=t1",
            "X-Scope-OrgID",
            "web-user",
            "mailer",
        ] {
            assert!(shown.contains(visible), "{visible} missing:\n{shown}");
        }
    }
    let dispatcher = builder().build(&config).unwrap();
    assert_hidden("Debug of the dispatcher", &format!("{dispatcher:#?}"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logging.yaml");
    std::fs::write(&path, CONFIG).unwrap();
    let handle = builder().build_file(&path).unwrap();
    assert_hidden("Debug of the handle", &format!("{handle:?}"));
    dispatcher.shutdown();
}

/// The code that sends them gets the values whole.
#[test]
fn the_values_themselves_are_still_there() {
    let config = Config::from_str(CONFIG, Format::Yaml).unwrap();
    let logfig::config::HandlerConfig::Http(web) = &config.handlers["web"] else {
        panic!("an http handler")
    };
    assert_eq!(
        web.url.expose(),
        "https://bot:url-pass-1@127.0.0.1:9/push?tenant=t1&token=url-token-1"
    );
    assert_eq!(web.headers["X-Api-Key"].expose(), "header-key-1");
    let creds = web.credentials.as_ref().unwrap();
    assert_eq!(creds.password.expose(), "basic-pass-1");
    let logfig::config::HandlerConfig::Custom(c) = &config.handlers["c"] else {
        panic!("a custom handler")
    };
    assert_eq!(c.options.expose()["api_key"], "option-key-1");
}

/// A diagnostic about a secret value (here a `${` left open in it) neither
/// quotes the value in its message nor shows it in its source line; nor does
/// one about another key on a line that holds a secret.
#[test]
fn a_diagnostic_on_a_bad_secret_value_does_not_quote_it() {
    let text = "version: 1
handlers:
  mail: { type: smtp, host: h, from: a@example.com, to: [b@example.com], credentials: { username: u, password: 'smtp-pass-1${' } }
  web: { type: http, url: 'https://u:url-pass-1@h/', headers: { X-Api-Key: header-key-1 }, batch_size: lots }
  c: { type: custom, factory: f, options: { api_key: option-key-1 }, level: LOUD }
root: { handlers: [mail, web, c] }
";
    let err = Config::from_str(text, Format::Yaml).unwrap_err();
    let shown = err.to_string();
    assert_hidden("the error", &shown);
    assert_eq!(err.diagnostics().len(), 3, "{shown}");
    let open = &err.diagnostics()[0];
    assert!(open.message().contains("unterminated `${`"), "{open}");
    assert!(open.message().contains("`***`"), "{open}");
    // The line is shown up to the first secret on it.
    assert!(
        open.source_line()
            .unwrap()
            .ends_with("credentials: { username: u, password: ***"),
        "{open}"
    );
    // Other problems on lines that hold secrets: the line is shown up to
    // the secret.
    let batch = &err.diagnostics()[1];
    assert_eq!(batch.path(), "handlers.web.batch_size", "{shown}");
    assert_eq!(
        batch.source_line(),
        Some("  web: { type: http, url: ***"),
        "{shown}"
    );
    assert_hidden("Debug of the error", &format!("{err:?}"));
}

/// A syntax error is found before any value is read: the source line it
/// quotes is cut after a secret-like key, and a URL's user information is
/// hidden, by the look of the line.
#[test]
fn a_syntax_error_on_a_secret_line_does_not_show_it() {
    let text = "version: 1\nhandlers:\n  web: { type: http, url: 'https://u:url-pass-1@h/', password: 'smtp-pass-1 }\n";
    let err = Config::from_str(text, Format::Yaml).unwrap_err();
    assert_hidden("a syntax error", &err.to_string());
}

/// The newer places a secret can sit: an `otlp` handler's URL (user
/// information, a token parameter) and headers, and the control endpoint's
/// token. Hidden in `Debug`, in a diagnostic on their lines, in `explain`
/// and in `fmt` (shown with `--show-secrets`).
#[cfg(all(feature = "otlp", feature = "control"))]
#[test]
fn otlp_headers_and_the_control_token_are_hidden_everywhere() {
    const NEWER: &[&str] = &["otlp-pass-1", "otlp-token-1", "otlp-key-1", "control-token-1-0123"];
    let text = "version: 1
control: { listen: '127.0.0.1:0', token: control-token-1-0123 }
handlers:
  otel: { type: otlp, endpoint: 'http://u:otlp-pass-1@127.0.0.1:9/v1/logs?token=otlp-token-1', headers: { x-api-key: otlp-key-1 } }
root: { level: INFO, handlers: [otel] }
";
    let hidden = |what: &str, shown: &str| {
        for s in NEWER {
            assert!(!shown.contains(s), "{what} shows `{s}`:\n{shown}");
        }
        assert!(shown.contains("***"), "{what}: no `***`:\n{shown}");
    };
    let config = Config::from_str(text, Format::Yaml).unwrap();
    hidden("Debug of the config", &format!("{config:#?}"));
    let dispatcher = Builder::new().build(&config).unwrap();
    hidden("Debug of the dispatcher", &format!("{dispatcher:#?}"));
    dispatcher.shutdown();
    // A diagnostic on each secret's line.
    let bad = text
        .replace("token: control-token-1-0123 }", "token: control-token-1-0123, bogus: 1 }")
        .replace("otlp-key-1 } }", "otlp-key-1 }, bogus: 1 }");
    let err = Config::from_str(&bad, Format::Yaml).unwrap_err();
    assert_eq!(err.diagnostics().len(), 2, "{err}");
    hidden("the error", &format!("{err} {err:?}"));
    #[cfg(feature = "cli")]
    {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logging.yaml");
        std::fs::write(&path, text).unwrap();
        let file = path.to_str().unwrap();
        let (out, err, code) = crate::cli::logfig(&["explain", file, "app"]);
        assert_eq!(code, 0, "{err}");
        hidden("explain", &out);
        for to in ["yaml", "toml", "json"] {
            let (out, err, code) = crate::cli::logfig(&["fmt", file, "--to", to]);
            assert_eq!(code, 0, "{err}");
            hidden(&format!("fmt --to {to}"), &out);
            let (out, _, code) = crate::cli::logfig(&["fmt", file, "--to", to, "--show-secrets"]);
            assert_eq!(code, 0);
            for s in NEWER {
                assert!(out.contains(s), "fmt --show-secrets --to {to} lacks {s}:\n{out}");
            }
        }
    }
}
