"""`cdr scan`: profile a sample of change events (or table rows) and propose a
declaration per table; compared with the declarations in force, report what they miss.

The sample goes through the same decoding and the same column profiler as the service,
with every value analysed (no sampling rate), so a proposal is what the service would
have concluded. Proposals carry the evidence as YAML comments; values never appear.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detectors.profiler import (
    CLEAR,
    FREE,
    JSON,
    PENDING,
    PII,
    QUASI,
    WITHHELD,
    ColumnProfile,
    DetectionSettings,
    Profiler,
)
from detectors.textscan import TextScanner
from pipeline.core.change import NOT_TABLE_DATA, ChangeCodec, FieldTypes, Kind, struct_fields
from pipeline.core.declaration import DeclarationSet
from pipeline.core.events import SourceRecord
from pipeline.core.safenames import SafeNames, is_plain_dotted, is_plain_topic, safe_path
from pipeline.errors import CdrError, ProcessingError

Row = dict[str, Any]


@dataclass
class TableSample:
    table: str
    topic: str | None
    rows: int = 0
    columns: dict[str, ColumnProfile] = field(default_factory=dict)  # in first-seen order


@dataclass
class ScanStats:
    records: int = 0
    rows: int = 0
    skipped: int = 0
    undecodable: int = 0


class Scanner:
    """Feeds rows to a profiler that analyses every value."""

    def __init__(self, text_scanner: TextScanner, min_samples: int = 50) -> None:
        self.profiler = Profiler(DetectionSettings(min_samples=min_samples, sample_every=1), text_scanner)
        self.tables: dict[str, TableSample] = {}
        self.stats = ScanStats()

    def add_row(self, table: str, topic: str | None, row: Row, fields: dict[str, dict[str, Any]] | None) -> None:
        sample = self.tables.get(table)
        if sample is None:
            sample = self.tables[table] = TableSample(table, topic)
        sample.rows += 1
        self.stats.rows += 1
        for column, value in row.items():
            prof = sample.columns.get(column)
            if prof is None:
                fld = fields.get(column) if fields else None
                prof = sample.columns[column] = self.profiler.profile(table, column, fld)
            if value is not None:
                self.profiler.observe(prof, value)

    def add_record(self, rec: SourceRecord, codec: ChangeCodec) -> None:
        """A Debezium record, decoded by ``codec`` (its topics' format): its after image
        (or its flattened row) is profiled."""
        self.stats.records += 1
        if rec.value is None:
            return
        try:
            # The value only: the key is not profiled, and a key of another shape does not
            # make the row unreadable.
            event = codec.decode(rec._replace(key=None, headers=()), "auto", frozenset())
        except ProcessingError:
            self.stats.undecodable += 1
            return
        kind = event.kind
        if kind in NOT_TABLE_DATA or kind in (Kind.TRUNCATE, Kind.MESSAGE, Kind.NULL_PAYLOAD):
            self.stats.skipped += 1
            return
        fields = _row_fields(event.value_types)
        if kind is Kind.ROW:
            assert event.after is not None
            self.add_row(table_name(rec.topic, None), rec.topic, event.after, fields)
            return
        table = table_name(rec.topic, event.source)
        if event.after:  # the after image: a full row (before is often only the key)
            self.add_row(table, rec.topic, event.after, fields)


def _row_fields(types: FieldTypes | None) -> dict[str, dict[str, Any]] | None:
    if types is None:
        return None
    try:
        fields = struct_fields(types.schema, "value")
        if not types.row and fields is not None:
            row = next((f for f in fields if f.get("field") == "after"), None)
            fields = struct_fields(row, "row") if row is not None else None
    except ProcessingError:
        return None
    return {f["field"]: f for f in fields or []}


def plainly_named(table: str, sample: TableSample | None) -> bool:
    """A table from the data that may be spelled out (printed, proposed): its name is
    plain and so is its topic, read as :meth:`SafeNames.topic` reads one. A table is named
    after its topic's last two parts, whose run ``is_plain_dotted`` leaves unread (for
    ``public.ok``), so a topic named after a person (``pg.crm.<first>.<last>``, or
    ``<first>.<last>`` itself) names its table after the person too."""
    topic = sample.topic if sample is not None else None
    return is_plain_dotted(table) and (topic is None or is_plain_topic(topic))


def table_name(topic: str, source: Any) -> str:
    if isinstance(source, dict) and source.get("table"):
        schema = source.get("schema") or source.get("db") or "public"
        return f"{schema}.{source['table']}"
    parts = topic.split(".")
    return ".".join(parts[-2:]) if len(parts) >= 2 else f"public.{topic}"


# --- proposals ------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnFinding:
    column: str
    pii: str  # none | free_text | ENTITY
    state: str
    confidence: float
    samples: int
    evidence: str
    paths: tuple[tuple[str, str], ...] = ()  # JSON leaves: (path, entity)


UNDECIDED = "undecided"  # no proposal: the column stays undeclared (withheld or per policy)
_UNDECIDED_NOTES = {
    PENDING: "too few values to judge: left undeclared (withheld until the service sees enough)",
    WITHHELD: "no positive evidence that it holds no personal data: left undeclared (withheld); declare it",
    QUASI: "quasi-identifier: left undeclared (the service applies detection.quasi_identifiers); declare it",
}


def findings(sample: TableSample) -> list[ColumnFinding]:
    out = []
    for column, prof in sample.columns.items():
        v = prof.verdict
        paths: tuple[tuple[str, str], ...] = ()
        if v.state == PII and v.entity:
            pii = v.entity
        elif v.state == FREE:
            pii = "free_text"
        elif v.state == JSON:
            pii = "none"
            seen: dict[str, str] = {}
            for key in prof.json_hits:
                path, entity = key.rsplit(":", 1)
                if "{key}" in path:
                    pii = "free_text"  # personal data in map keys: scan the whole document
                seen.setdefault(path, entity)
            paths = tuple(sorted(seen.items()))
        elif v.state == CLEAR:
            pii = "none"
        else:
            pii = UNDECIDED  # pending, withheld, quasi-identifier: left to the service's policy
        out.append(ColumnFinding(column, pii, v.state, v.confidence, prof.seen, _evidence(prof), paths))
    return out


def _evidence(prof: ColumnProfile) -> str:
    v = prof.verdict
    parts = [f"{v.state}"]
    if v.state == PENDING:
        parts.append(f"unverified: only {prof.seen} non-null values")
    for name, weight in v.evidence:
        if name.startswith("json:"):
            continue
        parts.append(f"{name}={weight:g}")
    parts.append(f"n={prof.seen}")
    return ", ".join(parts)


def proposal_yaml(sample: TableSample, names: SafeNames | None = None) -> str:
    """The proposed declaration of one table. A column (or JSON path) whose name is not
    plain is not proposed: it is listed as a comment by its safe form (``names``; a
    digest), since its name can be personal data and the file is read by people."""
    names = names or _ephemeral()
    topic = sample.topic or f"<prefix>.{sample.table}"
    lines = [
        f"# Proposed by `cdr scan` from {sample.rows} rows. Review every column, set the owner, then",
        "# move this file under schemas/. Evidence per column: verdict, signals, values analysed.",
        f"table: {_yaml_key(sample.table)}",
        f"source_topic: {_yaml_key(topic)}",
        "owner: unassigned                   # the team that owns this table",
        f"cdr_topic: {_yaml_key(f'cdr.{sample.table}.v1')}",
        "undeclared: detect",
        "columns:",
    ]
    found = findings(sample)
    if all(f.pii == UNDECIDED or names.safe(f.column) != f.column for f in found):
        lines[-1] = "columns: {}"
    for f in found:
        shown = names.safe(f.column)
        if shown != f.column:
            lines.append(f"  # {shown}: {_UNSHOWN_NOTE}; detected {f.pii}  # {f.evidence}")
            continue
        name = _yaml_key(f.column)
        if f.pii == UNDECIDED:
            lines.append(f"  # {name}: {_UNDECIDED_NOTES.get(f.state, f.state)}  # {f.evidence}")
        elif f.paths:
            lines.append(f"  {name}:  # {f.evidence}")
            lines.append(f"    pii: {f.pii}")
            lines.append("    paths:")
            for path, entity in f.paths:
                shown_path = safe_path(path, names.safe)
                if shown_path != path:
                    lines.append(f"      # {shown_path}: {_UNSHOWN_NOTE}; detected {entity}")
                else:
                    lines.append(f"      {_yaml_key(path)}: {{pii: {entity}}}")
            if lines[-1] == "    paths:":
                lines[-1] = "    paths: {}"
        else:
            lines.append(f"  {name}: {{pii: {f.pii}}}  # {f.evidence}")
    return "\n".join(lines) + "\n"


_UNSHOWN_NOTE = "not proposed: its name is not plain (could be personal data); find it with `cdr name-digest`"
_names: SafeNames | None = None


def _ephemeral() -> SafeNames:
    global _names
    _names = _names or SafeNames.ephemeral()
    return _names


def _yaml_key(text: str) -> str:
    if text and all(c.isascii() and (c.isalnum() or c in "_-.[]") for c in text) and not text[0].isdigit():
        return text
    # A JSON string is a YAML double-quoted scalar with every control character escaped:
    # a name from the data can never end the line and add keys of its own.
    return json.dumps(text, ensure_ascii=True)


# --- writing proposals ----------------------------------------------------------------

MAX_NAME_BYTES = 200  # file name of a proposal, ".yaml" included (file systems allow 255)


class UnsafeName(CdrError, ValueError):
    """A table name that cannot be a file name inside the output folder (the message
    says why and never quotes the name)."""


def proposal_filename(table: str) -> str:
    """The file name of ``table``'s proposal: the name itself when it is plain
    (letters, digits, ``.``, ``_``, ``-``), else its other characters replaced by ``_``
    and a digest of the name appended, so that two names never share a file. Names
    that would leave the folder or hide in it are refused."""
    if not table:
        raise UnsafeName("the table name is empty")
    if "\x00" in table:
        raise UnsafeName("the table name contains NUL")
    if "/" in table or "\\" in table:
        raise UnsafeName("the table name contains a path separator")
    if table.startswith("."):
        raise UnsafeName("the table name starts with a dot (a parent, current or hidden name)")
    if any(unicodedata.category(c).startswith("C") for c in table):
        raise UnsafeName("the table name contains control or format characters")
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", table)
    if safe != table:
        safe += "-" + _digest(table)
    name = f"{safe}.yaml"
    if len(name.encode()) > MAX_NAME_BYTES or len(table.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise UnsafeName(f"the table name is longer than {MAX_NAME_BYTES} bytes")
    return name


def _digest(table: str) -> str:
    return hashlib.sha256(table.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _refused_to_stderr(index: int, reason: str) -> None:
    print(f"cdr scan: proposal for table #{index} not written: {reason}", file=sys.stderr)


def write_proposals(
    scanner: Scanner,
    out_dir: Path,
    on_refused: Callable[[int, str], None] = _refused_to_stderr,
    names: SafeNames | None = None,
) -> list[Path]:
    """Write one proposal per table inside ``out_dir`` and nowhere else. File names come
    from the data: :func:`proposal_filename` keeps them plain basenames, each file is
    written under a temporary name and renamed over the target relative to the folder's
    descriptor, so an existing symlink (or hard link) at the target is replaced, never
    written through. A refused table is reported to ``on_refused`` by its position in
    table order and the reason. A table (or topic) whose name is not plain is refused too:
    the proposal would have to spell it out, and it could be personal data."""
    out_dir.mkdir(parents=True, exist_ok=True)
    root = out_dir.resolve(strict=True)
    written: list[Path] = []
    used: set[str] = set()
    dir_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for index, (table, sample) in enumerate(sorted(scanner.tables.items()), 1):
            try:
                name = proposal_filename(table)
                if not plainly_named(table, sample):
                    raise UnsafeName(
                        "the table or topic name is not plain (it could be personal data): declare it by hand"
                    )
                if name.casefold() in used:  # one file on a case-insensitive file system
                    name = f"{name.removesuffix('.yaml')}-{_digest(table)}.yaml"
                if name.casefold() in used:
                    raise UnsafeName("another table's proposal has the same file name")
                if (root / name).parent != root or os.path.normpath(root / name) != str(root / name):
                    raise UnsafeName("the file name resolves outside the output folder")
                _write_in(dir_fd, name, proposal_yaml(sample, names).encode("utf-8", "surrogatepass"))
            except (UnsafeName, OSError) as exc:
                on_refused(index, str(exc) if isinstance(exc, UnsafeName) else f"cannot write ({exc.strerror})")
                continue
            used.add(name.casefold())
            written.append(root / name)
    finally:
        os.close(dir_fd)
    return written


def _write_in(dir_fd: int, name: str, data: bytes) -> None:
    tmp = f".{name}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp, dir_fd=dir_fd)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=dir_fd)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise


# --- declared vs detected -------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    table: str
    column: str
    declared: str | None  # None: not declared (table or column)
    detected: str
    status: str  # ok | undeclared-pii | drift | unmatched | undeclared | new-table
    evidence: str


def compare(scanner: Scanner, declarations: DeclarationSet) -> list[Comparison]:
    by_table = {d.table: d for d in declarations.by_topic.values()}
    by_topic = declarations.by_topic
    out = []
    for table, sample in sorted(scanner.tables.items()):
        decl = by_topic.get(sample.topic or "") or by_table.get(table)
        for f in findings(sample):
            col = decl.columns.get(f.column) if decl is not None else None
            declared = col.pii if col is not None else None
            found_pii = f.pii not in ("none", UNDECIDED) or bool(f.paths)
            if declared is None:
                status = "undeclared-pii" if found_pii else ("undeclared" if f.state != CLEAR else "ok")
                if decl is None:
                    status = "new-table-pii" if found_pii else "new-table"
            elif declared == "none":
                covered = col is not None and bool(col.paths) and {p for p, _ in f.paths} <= set(col.paths)
                status = "drift" if found_pii and not covered else "ok"
            elif f.pii == "none" and f.state == CLEAR and declared not in ("free_text",):
                status = "unmatched"
            else:
                status = "ok"
            detected = f.pii + (f" ({len(f.paths)} JSON paths)" if f.paths else "")
            out.append(Comparison(table, f.column, declared, detected, status, f.evidence))
    return out


FAILING = frozenset({"undeclared-pii", "new-table-pii", "drift"})


def scan_records(scanner: Scanner, records: Iterable[SourceRecord], codec: ChangeCodec) -> None:
    for rec in records:
        scanner.add_record(rec, codec)
