"""Rows out of PostgreSQL dump text, with the standard library: ``COPY ... FROM stdin``
blocks (pg_dump's default) and one-line ``INSERT INTO t VALUES (...);`` statements
(column names from the dump's own ``CREATE TABLE``). Values come out as the dump spells
them (strings, ``None`` for NULL); the corpus types them as a loader would."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bench.corpus.model import Column, Table
from bench.corpus.pgtypes import ValueTypeError, value_for

_COPY = re.compile(r"^COPY (?:\w+\.)?(\w+) \(([^)]*)\) FROM stdin;$")
_CREATE = re.compile(r"^CREATE TABLE (?:\w+\.)?(\w+) \($")
_INSERT_HEAD = re.compile(r"^INSERT INTO (?:\w+\.)?(\w+)\b")
_INSERT = re.compile(r"^INSERT INTO (?:\w+\.)?(\w+) VALUES \((.*)\);$")
_COPY_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
_TYPE_END = re.compile(r" (?:DEFAULT|NOT NULL|NULL|COLLATE|CONSTRAINT|PRIMARY KEY|REFERENCES|CHECK|UNIQUE)\b")
_CONSTRAINT_WORDS = frozenset({"CONSTRAINT", "PRIMARY", "FOREIGN", "UNIQUE", "CHECK", "EXCLUDE"})


class DumpError(ValueError):
    """Dump text this reader does not understand (line number and what, never a value)."""


def copy_blocks(text: str, wanted: set[str], max_rows: int) -> dict[str, tuple[list[str], list[list[str | None]]]]:
    """``table -> (column names, rows)`` for the ``COPY`` blocks of ``wanted`` tables."""
    out: dict[str, tuple[list[str], list[list[str | None]]]] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = _COPY.match(lines[i])
        i += 1
        if not m or m.group(1) not in wanted:
            continue
        names = [n.strip().strip('"') for n in m.group(2).split(",")]
        rows: list[list[str | None]] = []
        while i < len(lines) and lines[i] != "\\.":
            if len(rows) < max_rows:
                fields = lines[i].split("\t")
                if len(fields) != len(names):
                    raise DumpError(f"line {i + 1}: {len(fields)} fields for {len(names)} columns")
                rows.append([_copy_field(f) for f in fields])
            i += 1
        if i == len(lines):
            raise DumpError(f"COPY of {m.group(1)}: no end marker")
        out[m.group(1)] = (names, rows)
    return out


def _copy_field(field: str) -> str | None:
    if field == "\\N":
        return None
    if "\\" not in field:
        return field
    out: list[str] = []
    i = 0
    while i < len(field):
        ch = field[i]
        if ch == "\\" and i + 1 < len(field):
            out.append(_COPY_ESCAPES.get(field[i + 1], field[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def create_columns(text: str) -> dict[str, list[tuple[str, str]]]:
    """``table -> [(column, SQL type)]`` from ``CREATE TABLE name (`` blocks, one column a line."""
    out: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for line in text.split("\n"):
        if current is None:
            m = _CREATE.match(line.strip())
            if m:
                current = out.setdefault(m.group(1), [])
            continue
        stripped = line.strip().rstrip(",")
        if stripped.startswith(")"):
            current = None
        elif stripped and stripped.split()[0].upper() not in _CONSTRAINT_WORDS:
            name, _, rest = stripped.partition(" ")
            current.append((name.strip('"'), _TYPE_END.split(rest, maxsplit=1)[0].strip()))
    return out


def insert_rows(text: str, wanted: set[str], max_rows: int) -> dict[str, list[list[object]]]:
    """``table -> rows`` from one-line ``INSERT INTO t VALUES (...);`` statements, read as
    ``standard_conforming_strings = on`` reads them (a backslash is a backslash)."""
    out: dict[str, list[list[object]]] = {}
    for number, line in enumerate(text.split("\n"), 1):
        m = _INSERT.match(line)
        if not m:
            head = _INSERT_HEAD.match(line)
            if head and head.group(1) in wanted:  # a statement over several lines: not read, not skipped
                raise DumpError(f"line {number}: an INSERT this reader cannot read on one line")
            continue
        if m.group(1) not in wanted:
            continue
        rows = out.setdefault(m.group(1), [])
        if len(rows) < max_rows:
            try:
                rows.append(values(m.group(2)))
            except DumpError as exc:
                raise DumpError(f"line {number}: {exc}") from None
    return out


def values(body: str) -> list[object]:
    """The comma-separated literals of one ``VALUES (...)`` list: ``'quoted'`` strings
    (``''`` for a quote; an ``E''`` string's backslash escapes), ``NULL``, bare numbers."""
    out: list[object] = []
    i = 0
    n = len(body)
    while True:
        while i < n and body[i] == " ":
            i += 1
        if i < n and body[i] in "eE" and i + 1 < n and body[i + 1] == "'":
            value, i = _quoted(body, i + 1, escapes=True)
            out.append(value)
        elif i < n and body[i] == "'":
            value, i = _quoted(body, i, escapes=False)
            out.append(value)
        else:
            j = body.find(",", i)
            j = n if j < 0 else j
            bare = body[i:j].strip()
            if not bare:
                raise DumpError(f"empty value at character {i}")
            out.append(None if bare.upper() == "NULL" else bare)
            i = j
        while i < n and body[i] == " ":
            i += 1
        if i == n:
            return out
        if body[i] != ",":
            raise DumpError(f"expected a comma at character {i}")
        i += 1


def _quoted(body: str, start: int, *, escapes: bool) -> tuple[str, int]:
    out: list[str] = []
    i = start + 1
    while i < len(body):
        ch = body[i]
        if ch == "'":
            if i + 1 < len(body) and body[i + 1] == "'":
                out.append("'")
                i += 2
                continue
            return "".join(out), i + 1
        if escapes and ch == "\\" and i + 1 < len(body):
            out.append(_COPY_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
            continue
        out.append(ch)
        i += 1
    raise DumpError(f"unterminated string from character {start}")


def labelled_table(
    name: str,
    names: list[str],
    rows: list[list[object]],
    labels: dict[str, str],
    drop: frozenset[str],
    fields: list[dict[str, Any]] | None = None,
    convert: Callable[[object, dict[str, Any]], object] = value_for,
) -> Table:
    """A corpus table of the columns not in ``drop``; every kept column must have a label
    in the manifest (a column the dump adds later fails the build, it is not guessed).
    With ``fields`` (Debezium field schemas, one per column in ``names``) the values are
    converted to what Debezium publishes for them (``convert``: the connector's rules,
    PostgreSQL's by default) and the table carries the schemas."""
    keep = [i for i, c in enumerate(names) if c not in drop]
    missing = [names[i] for i in keep if names[i] not in labels]
    if missing:
        raise DumpError(f"{name}: no label in the manifest for {', '.join(missing)}")
    columns = [Column(names[i], labels[names[i]], "", "cdr-pipeline") for i in keep]
    if fields is None:
        return Table(name, columns, [[row[i] for i in keep] for row in rows])
    out: list[list[object]] = []
    for row in rows:
        try:
            out.append([convert(row[i], fields[i]) for i in keep])
        except ValueTypeError as exc:
            raise DumpError(f"{name}: {exc}") from None
    return Table(name, columns, out, [fields[i] for i in keep])


def skip_space(text: str, i: int) -> int:
    """The index of the first character at or after ``i`` that is not a space, a tab or a
    line break (the dump readers' whitespace)."""
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i
