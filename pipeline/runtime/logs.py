"""Structured JSON logs, one object per line on stderr.

Call sites pass names, counts and coordinates as fields: never a record's value. The
formatter also drops exception tracebacks' locals (there are none in the stdlib
formatter) and prints only the exception class and the project's ``file:line`` frames
(:mod:`pipeline.tracebacks`), because a third-party exception's message can quote the
data that caused it. Column names are logged in their safe form
(:mod:`pipeline.core.safenames`): callers pass names from a processing report (already safe)
or through :class:`~pipeline.core.safenames.SafeNames`.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson

from pipeline.core.safenames import SafeNames, safe_path
from pipeline.tracebacks import frames


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            entry["error_class"] = record.exc_info[0].__name__
            if record.exc_info[1] is not None:
                entry["frames"] = frames(record.exc_info[1])
        return orjson.dumps(entry, default=str).decode()


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def log(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    logger.log(level, event, extra={"fields": fields})


_unkeyed: SafeNames | None = None


def verdict_logger(names: SafeNames) -> Callable[[Any], None]:
    """:func:`log_verdict` with the processor's names (its key and declarations)."""
    return lambda change: log_verdict(change, names)


def log_verdict(change: Any, names: SafeNames | None = None) -> None:
    """A column's detection verdict changed (detectors.profiler.VerdictChange): table,
    column (in its safe form), entity, confidence and evidence figures; never a value.
    Without ``names``, a per-process random key digests names that are not plain."""
    global _unkeyed
    if names is None:
        names = _unkeyed = _unkeyed or SafeNames.ephemeral()
    after = change.after
    log(
        logging.getLogger("cdr.detection"),
        logging.WARNING if after.state in ("pii", "free_text", "json") else logging.INFO,
        "column_verdict",
        table=change.table,
        column=names.column(change.table, change.column),
        previous=change.before.describe(),
        state=after.state,
        entity=after.entity,
        confidence=after.confidence,
        samples=after.samples,
        evidence={_evidence_name(name, names): weight for name, weight in after.evidence},
    )


def _evidence_name(name: str, names: SafeNames) -> str:
    """``json:<path>:<entity>`` evidence names a JSON path built from the document's keys:
    the path in its safe form."""
    if not name.startswith("json:") or ":" not in name[5:]:
        return name
    path, entity = name[5:].rsplit(":", 1)
    return f"json:{safe_path(path, names.safe)}:{entity}"
