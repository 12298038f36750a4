"""CPython's side of the real-world corpus test (tests/integration/load/real_configs_vs_cpython.rs).

Usage: python3 oracle.py CONFIG_FILE  (records as JSON on stdin)

Loads CONFIG_FILE the way the projects in this corpus load theirs:

- `.yaml` / `.yml`: `yaml.safe_load` (PyYAML, as Kedro, Synapse, Prefect, Hydra
  and the Python docs do: YAML 1.1, so `propagate: no` is False), then
  `logging.config.dictConfig`;
- `.json`: `json.load`, then `logging.config.dictConfig`;
- `.ini` / `.conf`: `logging.config.fileConfig(path)` with its defaults
  (`disable_existing_loggers=True`), as alembic's env.py, Pyramid's pserve and
  gunicorn's `--log-config` do.

Then hands each record to its logger as `Logger.log` would (level check, then
`Logger.handle`), with a fixed time, thread, process and source location and
the record's `extra=` key-values set as attributes, and calls
`logging.shutdown()`. The test runs this with TZ=UTC and the output directory
as the working directory, so relative log file names land there.

A config that CPython rejects ends with its traceback on stderr and exit
status 1, before any record is logged.
"""
import json
import logging
import logging.config
import logging.handlers
import sys

# A Rust application's TRACE, as logfig numbers it.
logging.addLevelName(5, "TRACE")

path = sys.argv[1]
records = json.load(sys.stdin)["records"]

if path.endswith((".ini", ".conf")):
    logging.config.fileConfig(path)
else:
    with open(path, encoding="utf-8") as f:
        if path.endswith(".json"):
            config = json.load(f)
        else:
            import yaml  # PyYAML

            config = yaml.safe_load(f)
    logging.config.dictConfig(config)

for r in records:
    name = r["name"]
    logger = logging.getLogger(name)
    if not logger.isEnabledFor(r["levelno"]):
        continue
    rec = logger.makeRecord(name, r["levelno"], r["pathname"], r["lineno"],
                            r["msg"], None, None, func=None, extra=r["kvs"] or None)
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
