"""CPython's side of the differential tests (tests/integration/load/dictconfig_vs_cpython.rs).

Reads one JSON object on stdin: {"config": <the dictConfig dict>, "records": [...]},
runs `logging.config.dictConfig(config)`, then hands each record to its logger
as `Logger.log` would (level check, then `Logger.handle`), with a fixed time,
thread, process and source location, and finally calls `logging.shutdown()`.
Whatever the handlers write to stdout, stderr and files is what the Rust side
compares with logfig's output. The test runs this with TZ=UTC.

The config arrives as JSON (the Rust test parses the YAML), so PyYAML is not needed.
"""
import json
import logging
import logging.config
import logging.handlers
import sys

# A Rust application's TRACE, as logfig numbers it.
logging.addLevelName(5, "TRACE")

data = json.load(sys.stdin)
logging.config.dictConfig(data["config"])
for r in data["records"]:
    name = r["name"]
    logger = logging.getLogger(name)
    if not logger.isEnabledFor(r["levelno"]):
        continue
    rec = logger.makeRecord(name, r["levelno"], r["pathname"], r["lineno"],
                            r["msg"], None, None, func=None)
    rec.created = r["created"]
    # CPython 3.11's formula, whatever the local Python version.
    rec.msecs = int((rec.created - int(rec.created)) * 1000) + 0.0
    rec.relativeCreated = 0.0
    rec.process = r["process"]
    rec.processName = "MainProcess"
    rec.thread = r["thread"]
    rec.threadName = r["threadName"]
    rec.taskName = None
    logger.handle(rec)
logging.shutdown()
sys.stdout.flush()
sys.stderr.flush()
