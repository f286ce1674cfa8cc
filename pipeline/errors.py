"""The project's one exception tree: every error it raises derives from :class:`CdrError`.

Messages are written by this code only and never interpolate a record's values: they name
topics, tables, columns, types and positions. Where callers (or the standard library)
rely on a built-in base, a subclass keeps it beside :class:`CdrError` (``ValueError``,
``RuntimeError``), so ``except ValueError`` still catches it.
"""

from __future__ import annotations

from pathlib import Path


class CdrError(Exception):
    """Base class of every error this project raises."""


class SourceFileError(CdrError):
    """A configuration or declaration file is wrong; ``str()`` is ``file:line: message``."""

    def __init__(self, file: str | Path, line: int, message: str) -> None:
        from pipeline.core.safenames import redact_quoted_values

        self.file = str(file)
        self.line = line
        # The message quotes what it is about ('unknown pii {pii!r}', 'unknown key {key!r}'):
        # a value pasted into the file, or a key named with one, is shown only when it is
        # a plain name; ``file:line`` says where it is.
        self.message = redact_quoted_values(message)
        super().__init__(f"{self.file}:{line}: {self.message}")

    def __reduce__(self) -> tuple[type, tuple[str, int, str]]:  # crosses processes (cdr process --workers)
        return type(self), (self.file, self.line, self.message)


class InvalidFilesError(CdrError):
    """Start-up refused: one or more configuration or declaration files are wrong."""

    def __init__(self, errors: list[SourceFileError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

    def __reduce__(self) -> tuple[type, tuple[list[SourceFileError]]]:
        return type(self), (self.errors,)


class DeadLetterKeyError(CdrError, ValueError):
    """The configured dead-letter key is unusable, or a dead letter does not open with it
    (the message never contains the key)."""


class DependencyError(CdrError):
    """A service a format depends on (a schema registry) did not answer as it should: not
    the record's fault. The processor lets it out of the batch (nothing dead-lettered,
    nothing committed: the records are read again once the service is back)."""


class ProcessingError(CdrError):
    """A record cannot be published safely; it goes to the dead-letter topic."""

    stage = "process"

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        self.message = message
        super().__init__(message)


class DecodeError(ProcessingError):
    stage = "decode"


class PolicyError(ProcessingError):
    stage = "policy"


class TransformError(ProcessingError):
    stage = "transform"


class EncodeError(ProcessingError):
    stage = "encode"
