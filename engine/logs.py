"""Logging set-up: text lines, or one JSON object per line (``--log-format json`` or
``[service] log_format = "json"``).

The JSON formatter is a few lines of the standard library rather than a dependency: a line is
``{"time", "level", "logger", "message"}`` plus the fields a call passes in ``extra`` (ids,
platform, status…) and ``exc`` (the traceback) when there is one. ``time`` is UTC, ISO 8601.
Every line, whatever its logger (huey's failed jobs, uvicorn, a library), has the secrets the
process holds masked (:class:`RedactingFormatter`). The service's activity lines (one per
check and claim transition, logger ``social_missions.activity``) are shown at the default
level; ``-v`` adds the rest of INFO.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from .errors import ConfigurationError
from .redaction import redact

FORMATS = ("text", "json")
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
ACTIVITY_LOGGERS = ("social_missions.activity", "engine.service.alerts")
# The attributes every LogRecord has: anything else was passed in ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_chosen: dict[str, Any] = {"format": None, "explicit": False, "level": logging.WARNING}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, the ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (values that are not JSON become strings)."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        line.update({key: value for key, value in vars(record).items()
                     if key not in _STANDARD and not key.startswith("_")})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class RedactingFormatter(logging.Formatter):
    """Another formatter's line (message, ``extra`` fields and traceback alike) with every
    secret the process holds masked (:func:`engine.redaction.redact`): a token a platform
    echoed in an error, or a job's exception quoting a cookie, never reaches the log."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        """``inner``'s line for ``record``, secrets replaced by ``***``."""
        return redact(self.inner.format(record))


def configure_logging(verbose: int = 0, log_format: str | None = None) -> None:
    """Set up the root logger: WARNING (``verbose`` 1: INFO, 2: DEBUG), the activity lines
    at INFO, in ``log_format`` (``text`` by default). A format given here wins over the
    configuration file's (:func:`follow_config`)."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    _chosen.setdefault("saved_level", logging.getLogger().level)
    _chosen.update(level=level, explicit=log_format is not None)
    _apply(log_format or "text")


def follow_config(section: Any, where: str) -> None:
    """Apply ``[service] log_format`` (``section`` is the ``[service]`` table) unless the
    command line chose a format; raises ``ConfigurationError`` for another value."""
    value = section.get("log_format")
    if value is None:
        return
    if value not in FORMATS:
        raise ConfigurationError(f"{where} [service] log_format: {value!r} is not a format; "
                                 "write \"text\" or \"json\"")
    if not _chosen["explicit"] and value != _chosen["format"]:
        _apply(str(value))


def json_logging() -> bool:
    """Whether lines are JSON now (uvicorn is then told to leave logging to us)."""
    return _chosen["format"] == "json"


class _StderrHandler(logging.StreamHandler):
    """Writes to the ``sys.stderr`` of the moment (a replaced or captured stream too)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def restore_logging() -> None:
    """Undo :func:`configure_logging`: remove its handler, give the activity loggers back
    their default level (for callers of the command line inside another program)."""
    handler = _chosen.pop("handler", None)
    if handler is not None:
        logging.getLogger().removeHandler(handler)
    if "saved_level" in _chosen:
        logging.getLogger().setLevel(_chosen.pop("saved_level"))
    for name in ACTIVITY_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    _chosen.update(format=None, explicit=False)


def _apply(log_format: str) -> None:
    handler = _StderrHandler()
    handler.setFormatter(RedactingFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)))
    root = logging.getLogger()
    if _chosen.get("handler") in root.handlers:  # ours from an earlier call; others stay
        root.removeHandler(_chosen["handler"])
    root.addHandler(handler)
    _chosen["handler"] = handler
    root.setLevel(_chosen["level"])
    for name in ACTIVITY_LOGGERS:
        logging.getLogger(name).setLevel(min(_chosen["level"], logging.INFO))
    _chosen["format"] = log_format
