"""Rows out of a SQL Server install script and its data files, with the standard library:
the script's ``CREATE TYPE`` (alias types), ``CREATE TABLE [schema].[table](...)``
columns (bracketed names, one column a line, computed ``AS`` columns marked) and
``BULK INSERT ... FROM '...file' WITH (...)`` options, and the data files read as those
options say (``FIELDTERMINATOR``, ``ROWTERMINATOR``, ``CODEPAGE = '65001'``, ``DATAFILETYPE =
'char'``). Values come out as the file spells them (strings; an empty field ``None``);
``sqlservertypes`` types them as Debezium's SQL Server connector would.

What this reader does not know fails with the table and what is wrong, never a value:
an option it does not read (a format file, UTF-16 ``widechar`` data, ``FIRSTROW``), a row
whose width is not the table's, or an empty field in a column with a ``DEFAULT`` (BULK
INSERT without ``KEEPNULLS`` would put the default there: it is not guessed)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bench.corpus.sources.sqldump import DumpError

_CREATE = re.compile(r"^CREATE TABLE \[(\w+)\]\.\[(\w+)\]\s*\($", re.IGNORECASE)
_COLUMN = re.compile(r"^\[([^\]]+)\]\s+(.*)$")
_TYPE = re.compile(r"^(\[?\w+\]?(?:\.\[?\w+\]?)?)\s*(\(\s*(?:\d+|max)\s*(?:,\s*\d+\s*)?\))?", re.IGNORECASE)
_COMPUTED = re.compile(r"^AS\b", re.IGNORECASE)
_ALIAS = re.compile(
    r"^CREATE TYPE \[(\w+)\] FROM (\w+(?:\s*\(\s*\d+\s*(?:,\s*\d+\s*)?\))?)", re.IGNORECASE | re.MULTILINE
)
_BULK = re.compile(
    r"BULK INSERT \[(\w+)\]\.\[(\w+)\] FROM '\$\(\w+\)([^']+)'\s*WITH\s*\((.*?)\)\s*;", re.IGNORECASE | re.DOTALL
)
_OPTION = re.compile(r"^(\w+)(?:\s*=\s*'([^']*)')?$")
_FLAGS = frozenset({"CHECK_CONSTRAINTS", "KEEPIDENTITY", "TABLOCK"})  # change no value read
_READ = frozenset({"CODEPAGE", "DATAFILETYPE", "FIELDTERMINATOR", "ROWTERMINATOR"})


@dataclass(frozen=True)
class ScriptColumn:
    name: str
    sql_type: str  # as declared: "nvarchar(50)", "Name" (an alias type), "datetime"
    computed: bool  # ``[c] AS expression``: SQL Server computes it and ignores the data file's field for it
    has_default: bool


@dataclass(frozen=True)
class BulkLoad:
    table: str  # "Schema.Table"
    file: str  # the data file's name, beside the script
    field_terminator: str
    row_terminator: str


def alias_types(script: str) -> dict[str, str]:
    """``CREATE TYPE [Name] FROM nvarchar(50) NULL`` -> ``{"name": "nvarchar(50)"}`` (lower-case names)."""
    return {m.group(1).lower(): " ".join(m.group(2).split()) for m in _ALIAS.finditer(script)}


def create_columns(script: str) -> dict[str, list[ScriptColumn]]:
    """``"Schema.Table" -> columns`` from ``CREATE TABLE [Schema].[Table](`` blocks; a line
    that is not a bracketed column ends nothing and adds nothing (``CONSTRAINT ...``), the
    block ends at a line starting with ``)``."""
    out: dict[str, list[ScriptColumn]] = {}
    current: list[ScriptColumn] | None = None
    for number, line in enumerate(script.split("\n"), 1):
        stripped = line.strip()
        if current is None:
            m = _CREATE.match(stripped)
            if m:
                current = out.setdefault(f"{m.group(1)}.{m.group(2)}", [])
            continue
        if stripped.startswith(")"):
            current = None
            continue
        m = _COLUMN.match(stripped)
        if not m:
            continue
        rest = m.group(2).strip().rstrip(",")
        if _COMPUTED.match(rest):
            current.append(ScriptColumn(m.group(1), "", True, False))
            continue
        t = _TYPE.match(rest)
        if not t:
            raise DumpError(f"line {number}: a column without a type this reader reads")
        sql_type = t.group(1).replace("[", "").replace("]", "") + (t.group(2) or "").replace(" ", "")
        has_default = re.search(r"\bDEFAULT\b", rest, re.IGNORECASE) is not None
        current.append(ScriptColumn(m.group(1), sql_type, False, has_default))
    return out


def bulk_loads(script: str) -> dict[str, BulkLoad]:
    """``"Schema.Table" -> BulkLoad`` for every ``BULK INSERT`` of the script. An option
    this reader does not read fails here, for the table it belongs to."""
    out: dict[str, BulkLoad] = {}
    for m in _BULK.finditer(script):
        table = f"{m.group(1)}.{m.group(2)}"
        options: dict[str, str] = {}
        for raw in m.group(4).split(","):
            o = _OPTION.match(" ".join(raw.split()))
            if o is None:
                raise DumpError(f"{table}: a BULK INSERT option this reader does not read")
            key = o.group(1).upper()
            if key in _FLAGS and o.group(2) is None:
                continue
            if key not in _READ or o.group(2) is None:
                raise DumpError(f"{table}: BULK INSERT option {key} is not read here")
            options[key] = o.group(2)
        if options.get("DATAFILETYPE", "char").lower() != "char" or options.get("CODEPAGE") != "65001":
            raise DumpError(f"{table}: only UTF-8 character data files (CODEPAGE 65001, DATAFILETYPE char) are read")
        field = terminator(options.get("FIELDTERMINATOR", "\\t"))
        row = terminator(options.get("ROWTERMINATOR", "\\n"))
        out[table] = BulkLoad(table, m.group(3), field, row)
    return out


def terminator(spelled: str) -> str:
    """A terminator as BULK INSERT spells it: ``\\t``, ``\\n``, ``\\r``, ``\\0``, ``\\\\`` escapes,
    ``0x0a`` hex bytes, or the characters themselves (``+|``, ``&|\\n``)."""
    if re.fullmatch(r"0x(?:[0-9a-fA-F]{2})+", spelled):
        return bytes.fromhex(spelled[2:]).decode("utf-8")
    out: list[str] = []
    i = 0
    while i < len(spelled):
        if spelled[i] == "\\" and i + 1 < len(spelled) and spelled[i + 1] in "tnr0\\":
            out.append({"t": "\t", "n": "\n", "r": "\r", "0": "\0", "\\": "\\"}[spelled[i + 1]])
            i += 2
        else:
            out.append(spelled[i])
            i += 1
    if not out:
        raise DumpError("an empty terminator")
    return "".join(out)


def data_rows(data: bytes, load: BulkLoad, columns: list[ScriptColumn], max_rows: int) -> list[list[str | None]]:
    """The first ``max_rows`` rows of a data file, one value per column of ``columns``
    (a computed column's field too: the files carry the value SQL Server computes).

    A row terminator ending in a line feed also ends a row at a carriage return and line
    feed: BULK INSERT reads ``\\n`` as CR LF, and the files ship with either."""
    text = data.decode("utf-8-sig")
    row_end = load.row_terminator
    if row_end.endswith("\n"):
        text = text.replace("\r\n", "\n")
    if text.endswith(row_end):
        text = text[: -len(row_end)]
    elif row_end.endswith("\n") and text.endswith(row_end[:-1]):  # the last row without its line feed
        text = text[: -len(row_end) + 1]
    out: list[list[str | None]] = []
    for n, line in enumerate(text.split(row_end), 1):
        if len(out) >= max_rows:
            break
        fields = line.split(load.field_terminator)
        if len(fields) != len(columns):
            raise DumpError(f"{load.table}: row {n} has {len(fields)} fields for {len(columns)} columns")
        row: list[str | None] = []
        for field, column in zip(fields, columns, strict=True):
            if field == "" and column.has_default:
                raise DumpError(f"{load.table}: row {n}: an empty field in {column.name}, which has a DEFAULT")
            row.append(None if field == "" else field)
        out.append(row)
    return out
