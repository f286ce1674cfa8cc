"""The project's vocabularies in one place, as enums whose values are the wire values
(exit codes, dead-letter reasons, verdict states): a member compares equal to, and
prints as, the plain value it replaces."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the ``cdr`` command."""

    OK = 0  # done (cdr scan, audit, check: nothing found)
    ERROR = 1  # unexpected failure, or findings (cdr scan, audit, check, dlq replay)
    USAGE = 2  # bad arguments, or cannot do as asked
    INVALID = 3  # invalid config or declarations, each problem printed as file:line: what
    DELIVERY_FAILED = 4  # the service stopped because a delivery failed (nothing past it committed)
    FENCED = 5  # another producer took over this worker's transactional id
    BROKER_TIMEOUT = 6  # the broker stayed unreachable past the configured timeout
