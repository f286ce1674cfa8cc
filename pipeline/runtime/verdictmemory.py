"""Columns withheld for good, remembered past the process (``detection.verdicts_file``).

A guard hit (personal data in a released column, or in one declared ``none``) withholds
the column for good, but only
in the process that saw it: a restarted service, ``cdr dlq replay``, the next ``cdr
process`` run or another worker starts with the column released (or declared ``none``)
again, and lets out the values the per-value guard does not flag on their own until one
it flags. With a verdicts file each such verdict is appended as one JSON line and read
back at start-up: the column's profile starts withheld for the same reason. To release such a
column again (a false hit), remove its line, or the file.

A line names the column only by a keyed digest of its table and name (HMAC-SHA256 under
the deployment's hash key): the file holds no name and no value. The reason is an entity
(``PERSON``) or a guard reason from the detectors' vocabulary. Lines are appended whole
(``O_APPEND``, one write each), so the workers of one host can share the file; services
on several hosts each keep their own. A line that is not ours stops the start-up with its
file and line. At most ``MAX_ENTRIES`` columns are remembered (a bounded start-up).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from pathlib import Path

from detectors.profiler import PII, VerdictChange
from pipeline.errors import InvalidFilesError, SourceFileError

MAX_ENTRIES = 100_000
_DIGEST = re.compile(r"^[0-9a-f]{32}$")
_REASON = re.compile(r"^[A-Za-z_]{1,40}$")


class Verdicts:
    """The guard hits an earlier run wrote down (``digest -> reason``), and the writing of
    new ones; where they are kept is the subclass's (a file, a compacted topic)."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._withheld: dict[str, str] = {}

    def digest(self, table: str, column: str) -> str:
        msg = f"{table}\x00{column}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key, b"cdr-verdict:" + msg, hashlib.sha256).hexdigest()[:32]

    def recall(self, table: str, column: str) -> str | None:
        """Why the column was withheld for good by an earlier run (None: it was not)."""
        return self._withheld.get(self.digest(table, column))

    def remember(self, change: VerdictChange) -> None:
        """A verdict change (:attr:`detectors.profiler.Profiler.on_change`): a guard hit
        that found personal data is written down, once. Sampled verdicts are not: they
        are weighed again each run (a name alone, a few NER votes), never made final here."""
        after = change.after
        if after.state != PII or after.entity is None or not _REASON.match(after.entity):
            return
        if not after.evidence or not str(after.evidence[-1][0]).startswith("guard:"):
            return
        digest = self.digest(change.table, change.column)
        if digest in self._withheld or len(self._withheld) >= MAX_ENTRIES:
            return
        self._withheld[digest] = after.entity
        self._write(digest, after.entity)

    def __len__(self) -> int:
        return len(self._withheld)

    def _write(self, digest: str, reason: str) -> None:
        raise NotImplementedError

    def _read(self, doc: object) -> tuple[str, str] | str:
        """``(digest, reason)`` of one stored verdict, or what is wrong with it."""
        digest = doc.get("column") if isinstance(doc, dict) else None
        reason = doc.get("withheld") if isinstance(doc, dict) else None
        if not (isinstance(digest, str) and _DIGEST.match(digest) and isinstance(reason, str)):
            return "not a verdict line (column digest, withheld)"
        if not _REASON.match(reason):
            return "withheld: not an entity or guard reason"
        return digest, reason

    def _recalled(self, digest: str, reason: str) -> None:
        if len(self._withheld) < MAX_ENTRIES:
            self._withheld.setdefault(digest, reason)


def verdict_line(digest: str, reason: str) -> bytes:
    """One stored verdict: the keyed digest of table and column, and the reason."""
    return json.dumps({"column": digest, "withheld": reason}, separators=(",", ":")).encode()


class VerdictMemory(Verdicts):
    """Verdicts in a JSON-lines file (``detection.verdicts_file``)."""

    def __init__(self, path: Path, key: bytes) -> None:
        super().__init__(key)
        self.path = path
        if path.exists():
            self._load()

    def _write(self, digest: str, reason: str) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, verdict_line(digest, reason) + b"\n")
        finally:
            os.close(fd)

    def _load(self) -> None:
        errors: list[SourceFileError] = []
        with self.path.open("rb") as stream:
            for lineno, raw in enumerate(stream, 1):
                if not raw.strip():
                    continue
                try:
                    doc = json.loads(raw)
                except ValueError:
                    doc = None
                read = self._read(doc)
                if isinstance(read, str):
                    errors.append(SourceFileError(self.path, lineno, read))
                else:
                    self._recalled(*read)
        if errors:
            raise InvalidFilesError(errors)
