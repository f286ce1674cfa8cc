"""Diagnostics of a failure that hold no data: the exception's type and the
``file:line (function)`` frames of the project's own code, from the traceback.

Never the message (a third-party exception can quote the value that caused it), never
locals, never source lines: a dead letter or a loop failure stays debuggable without
showing what the record held.
"""

from __future__ import annotations

import traceback
from functools import lru_cache
from pathlib import Path

MAX_FRAMES = 12
_ROOT = Path(__file__).resolve().parent.parent  # the directory holding the packages
_PACKAGES = frozenset({"pipeline", "detectors", "devstack"})


@lru_cache(maxsize=512)
def _own(filename: str) -> str | None:
    """The path relative to the project, if the file is one of the project's modules."""
    try:
        rel = Path(filename).resolve().relative_to(_ROOT)
    except (ValueError, OSError):
        return None
    return rel.as_posix() if rel.parts and rel.parts[0] in _PACKAGES else None


def frames(exc: BaseException, limit: int = MAX_FRAMES) -> str:
    """``pipeline/core/transform.py:118 (_compile) < pipeline/core/processor.py:172 (_process)``:
    the project's frames of ``exc``'s traceback, innermost first, at most ``limit``."""
    out: list[str] = []
    for frame, lineno in reversed(list(traceback.walk_tb(exc.__traceback__))):
        code = frame.f_code  # the code object only: never the frame's locals
        path = _own(code.co_filename)
        if path is None:
            continue
        out.append(f"{path}:{lineno} ({code.co_name})")
        if len(out) >= limit:
            break
    return " < ".join(out)


def diagnostic(exc: BaseException) -> str:
    """``TypeError at pipeline/x.py:3 (f) < ...``: the type and the project's frames."""
    where = frames(exc)
    return f"{type(exc).__name__} at {where}" if where else type(exc).__name__
