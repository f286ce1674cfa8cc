"""Errors of the service. Messages are written by this code only and never interpolate
a record's values: they name topics, tables, columns, types and positions."""

from __future__ import annotations

from pipeline.yamlfile import SourceFileError


class CdrError(Exception):
    """Base class."""


class InvalidFilesError(CdrError):
    """Start-up refused: one or more configuration or declaration files are wrong."""

    def __init__(self, errors: list[SourceFileError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


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
