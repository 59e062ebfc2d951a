"""Logging to stdout: plain text by default, one JSON object a line when LOG_FORMAT=json
(for a log collector). Besides Django's own (errors with their tracebacks), two loggers
matter to an operator: "access", a line per request (core/middleware.py), and "money",
a line per money action saying who did what (core/money_log.py)."""

import json
import logging
import os
from typing import Any

# What every LogRecord has; anything else on a record came from `extra=` and is a field.
_RECORD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, the `extra` fields and,
    for an error, its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(
            (key, value) for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES
        )
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def logging_config(log_format: str) -> dict[str, Any]:
    """The LOGGING setting for LOG_FORMAT `log_format` ("json", else plain text)."""
    formatter: dict[str, Any] = (
        {"()": JsonFormatter}
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "default",
            }
        },
        "root": {"handlers": ["stdout"], "level": "WARNING"},
        "loggers": {
            name: {"level": "INFO"}
            for name in ("access", "money", "core.worker", "django_tasks", "django_tasks_db")
        },
    }


LOGGING = logging_config(os.environ.get("LOG_FORMAT", "text").lower())
