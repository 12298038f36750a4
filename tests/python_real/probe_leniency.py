"""Probes each dictConfig leniency of LENIENCY.md with CPython and `logfig check`.

Usage: python3 tests/python_real/probe_leniency.py path/to/logfig

For each case, writes a small dictConfig YAML file to a temporary directory,
runs CPython's dictConfig on it (PyYAML's safe_load) and `logfig check` on it,
and prints one line: case id, CPython's verdict, logfig's verdict and logfig's
first diagnostic. LENIENCY.md's "logfig today" column comes from this output.
"""
import logging
import logging.config
import os
import subprocess
import sys
import tempfile
import textwrap

import yaml

BASE = """\
version: 1
formatters:
  f: {format: "%(levelname)s %(message)s"}
handlers:
  h: {class: logging.StreamHandler, formatter: f, stream: ext://sys.stdout}
root: {level: INFO, handlers: [h]}
"""

def with_handler(line):
    """BASE with one more handler (a YAML flow mapping) after `h`."""
    return BASE.replace("stream: ext://sys.stdout}\n", "stream: ext://sys.stdout}\n  " + line + "\n", 1)


CASES = {
    "top-unknown-key": BASE + "settings: {a: 1}\n",
    "logger-qualname": BASE + "loggers:\n  app: {level: INFO, qualname: app}\n",
    "root-propagate": BASE.replace("root: {level: INFO, handlers: [h]}", "root: {level: INFO, handlers: [h], propagate: false}"),
    "formatter-unknown-key": BASE.replace('f: {format: "%(levelname)s %(message)s"}', 'f: {format: "%(message)s", colors: true}'),
    "filter-unknown-key-only": BASE + "filters:\n  x: {foo: bar}\n",
    "filter-empty-map": BASE + "filters:\n  x: {}\nloggers:\n  app: {filters: [x]}\n",
    "filter-name-empty": BASE + "filters:\n  x: {name: ''}\nloggers:\n  app: {filters: [x]}\n",
    "handler-unknown-kwarg": BASE.replace("stream: ext://sys.stdout}", "stream: ext://sys.stdout, colour: true}"),
    "logger-empty-name": BASE + "loggers:\n  '': {level: DEBUG}\n",
    "logger-named-root": BASE + "loggers:\n  root: {level: DEBUG}\n",
    "logger-empty-map": BASE + "loggers:\n  app: {}\n",
    "logger-null": BASE + "loggers:\n  app: ~\n",
    "root-null": BASE.replace("root: {level: INFO, handlers: [h]}", "root: ~"),
    "propagate-string-no": BASE + "loggers:\n  app: {propagate: 'no'}\n",
    "propagate-yaml11-no": BASE + "loggers:\n  app: {propagate: no}\n",
    "propagate-int": BASE + "loggers:\n  app: {propagate: 0}\n",
    "propagate-null": BASE + "loggers:\n  app: {propagate: ~}\n",
    "disable-existing-string": BASE + "disable_existing_loggers: 'false'\n",
    "incremental-int": "version: 1\nincremental: 1\nloggers:\n  app: {level: DEBUG}\n",
    "version-missing": BASE.replace("version: 1\n", ""),
    "version-float": BASE.replace("version: 1", "version: 1.0"),
    "version-true": BASE.replace("version: 1", "version: true"),
    "version-string": BASE.replace("version: 1", "version: '1'"),
    "level-lowercase": BASE.replace("root: {level: INFO", "root: {level: info"),
    "level-warn-fatal": BASE + "loggers:\n  a: {level: WARN}\n  b: {level: FATAL}\n",
    "level-numeric-string": BASE.replace("root: {level: INFO", "root: {level: '20'"),
    "level-custom-int": BASE.replace("root: {level: INFO", "root: {level: 25"),
    "level-ext": BASE.replace("root: {level: INFO", "root: {level: 'ext://logging.DEBUG'"),
    "level-null": BASE.replace("root: {level: INFO", "root: {level: ~"),
    "cfg-reference": BASE + "settings: {lvl: WARNING}\nloggers:\n  app: {level: 'cfg://settings.lvl'}\n",
    "stream-plain-string": BASE.replace("stream: ext://sys.stdout", "stream: sys.stdout"),
    "stream-null": BASE.replace("stream: ext://sys.stdout", "stream: ~"),
    "stream-ext-other": BASE.replace("stream: ext://sys.stdout", "stream: ext://sys.__stdout__"),
    "formatter-factory-format": BASE.replace('f: {format: "%(levelname)s %(message)s"}', "f: {'()': logging.Formatter, format: '%(message)s'}"),
    "formatter-factory-fmt": BASE.replace('f: {format: "%(levelname)s %(message)s"}', "f: {'()': logging.Formatter, fmt: '%(message)s'}"),
    "formatter-class": BASE.replace('f: {format: "%(levelname)s %(message)s"}', "f: {class: logging.Formatter, format: '%(message)s'}"),
    "formatter-dot-attrs": BASE.replace('f: {format: "%(levelname)s %(message)s"}', "f: {'()': logging.Formatter, '.': {default_msec_format: '%s.%03d'}}"),
    "filter-factory": BASE + "filters:\n  x: {'()': logging.Filter, name: app}\n",
    "handler-factory": BASE.replace("h: {class: logging.StreamHandler,", "h: {'()': logging.StreamHandler,"),
    "handler-dot-attrs": BASE.replace("stream: ext://sys.stdout}", "stream: ext://sys.stdout, '.': {terminator: '\\r\\n'}}"),
    "validate-false": BASE.replace('f: {format: "%(levelname)s %(message)s"}', "f: {format: 'plain text', validate: false}"),
    "validate-string": BASE.replace('f: {format: "%(levelname)s %(message)s"}', "f: {format: 'plain text', validate: 'no'}"),
    "format-no-field": BASE.replace('f: {format: "%(levelname)s %(message)s"}', "f: {format: 'plain text'}"),
    "format-extra-field": BASE.replace('f: {format: "%(levelname)s %(message)s"}', "f: {format: '%(request)s %(message)s'}"),
    "format-empty": BASE.replace('f: {format: "%(levelname)s %(message)s"}', "f: {format: ''}"),
    "format-missing": BASE.replace('f: {format: "%(levelname)s %(message)s"}', "f: {datefmt: '%H'}"),
    "formatter-defaults": BASE.replace('f: {format: "%(levelname)s %(message)s"}', "f: {format: '%(request)s %(message)s', defaults: {request: '-'}}"),
    "style-brace": BASE.replace('f: {format: "%(levelname)s %(message)s"}', "f: {format: '{levelname} {message}', style: '{'}"),
    "style-invalid": BASE.replace('f: {format: "%(levelname)s %(message)s"}', "f: {format: '%(message)s', style: '!'}"),
    "handler-level-lowercase": BASE.replace("h: {class", "h: {level: debug, class"),
    "handler-formatter-empty": BASE.replace("formatter: f,", "formatter: '',"),
    "file-delay": with_handler("fh: {class: logging.FileHandler, filename: DIR/d.log, delay: true}"),
    "file-unused": with_handler("fh: {class: logging.FileHandler, filename: DIR/u.log}"),
    "file-encoding-utf8": with_handler("fh: {class: logging.FileHandler, filename: DIR/e.log, encoding: utf8}"),
    "file-encoding-latin1": with_handler("fh: {class: logging.FileHandler, filename: DIR/l.log, encoding: latin-1}"),
    "file-mode-w": with_handler("fh: {class: logging.FileHandler, filename: DIR/w.log, mode: w}"),
    "rotating-python-args": with_handler("fh: {class: logging.handlers.RotatingFileHandler, filename: DIR/r.log, maxBytes: 0, backupCount: 0}"),
    "memory-target-name": with_handler("m: {class: logging.handlers.MemoryHandler, capacity: 10, target: h}"),
    "memory-target-cfg": with_handler("m: {class: logging.handlers.MemoryHandler, capacity: 10, target: 'cfg://handlers.h'}"),
    "syslog-address-list": with_handler("s: {class: logging.handlers.SysLogHandler, address: [localhost, 514]}"),
    "smtp-mailhost-list": with_handler("s: {class: logging.handlers.SMTPHandler, mailhost: [localhost, 2525], fromaddr: a@b, toaddrs: [c@d], subject: x}"),
    "handlers-null": BASE + "loggers:\n  app: {handlers: ~}\n",
    "root-filters": BASE.replace("root: {level: INFO, handlers: [h]}", "filters:\n  x: {name: app}\nroot: {level: INFO, handlers: [h], filters: [x]}"),
    "handler-key-not-identifier": BASE.replace("stream: ext://sys.stdout}", "stream: ext://sys.stdout, max-bytes: 1}"),
}


def python_verdict(path):
    with open(path, encoding="utf-8") as f:
        config = yaml.safe_load(f)
    try:
        logging.config.dictConfig(config)
    except Exception as e:  # the verdict is the point
        cause = e.__cause__ or e
        return "rejects (%s: %s)" % (type(cause).__name__, cause)
    finally:
        logging.shutdown()
    return "accepts"


def main():
    logfig = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in CASES.items():
            path = os.path.join(tmp, name + ".yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text.replace("DIR/", tmp + "/"))
            py = python_verdict(path)
            out = subprocess.run([logfig, "check", path], capture_output=True, text=True)
            lines = [l for l in (out.stdout + out.stderr).splitlines() if ": " in l]
            first = lines[0].split(name + ".yaml", 1)[-1] if lines else ""
            verdict = {0: "accepts", 1: "errors"}.get(out.returncode, "rc=%d" % out.returncode)
            warn = " (warns)" if "warning" in out.stdout + out.stderr and verdict == "accepts" else ""
            print("%s\tpython: %s\tlogfig: %s%s\t%s" % (name, py, verdict, warn, first.strip()))


if __name__ == "__main__":
    main()
