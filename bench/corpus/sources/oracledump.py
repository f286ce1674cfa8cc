"""Rows out of Oracle SQL scripts, with the standard library: ``INSERT INTO t [(cols)]
VALUES (...);`` statements of one row each, over one line or many (inside PL/SQL
``BEGIN ... END;`` blocks or not), and the columns of ``CREATE TABLE`` statements in
either layout (leading or trailing commas, constraints on their own lines). Strings are
read as Oracle reads them (``''`` is a quote, a backslash is a backslash, a newline inside
quotes is part of the value); a function call (``TO_DATE('17-06-2013', 'dd-MM-yyyy')``)
comes out as a :class:`Call` for ``oracletypes`` to convert."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bench.corpus.sources.sqldump import DumpError, skip_space

_INSERT = re.compile(r"\bINSERT\s+INTO\s+(\w+)\s*(\(([^)]*)\))?\s*VALUES\s*\(", re.IGNORECASE)
_CREATE = re.compile(r"\bCREATE\s+TABLE\s+(\w+)\s*\(", re.IGNORECASE)
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][\w.$#]*")
_CONSTRAINT_WORDS = frozenset({"CONSTRAINT", "PRIMARY", "FOREIGN", "UNIQUE", "CHECK"})
# where a column's type ends and its clauses begin
_CLAUSES = frozenset({"CONSTRAINT", "NOT", "NULL", "DEFAULT", "GENERATED", "PRIMARY", "REFERENCES", "CHECK", "UNIQUE"})


@dataclass(frozen=True)
class Call:
    """A function call in a VALUES list: its upper-case name and its (read) arguments."""

    name: str
    args: tuple[object, ...]


@dataclass(frozen=True)
class Variable:
    """A PL/SQL variable in a VALUES list (its value is not in the script's text)."""

    name: str


def create_columns(text: str) -> dict[str, list[tuple[str, str]]]:
    """``table -> [(column, type)]`` (lower-case names) from ``CREATE TABLE`` statements."""
    out: dict[str, list[tuple[str, str]]] = {}
    for m in _CREATE.finditer(text):
        body, _ = _balanced(text, m.end())
        columns: list[tuple[str, str]] = []
        for part in _top_level_split(body):
            words = part.split()
            if not words or words[0].upper() in _CONSTRAINT_WORDS:
                continue
            type_words: list[str] = []
            for w in words[1:]:
                if w.upper() in _CLAUSES:
                    break
                type_words.append(w)
            if not type_words:
                raise DumpError(f"{m.group(1)}: a column without a type")
            columns.append((words[0].lower(), " ".join(type_words)))
        out[m.group(1).lower()] = columns
    return out


def insert_rows(
    text: str, wanted: set[str], max_rows: int, columns: dict[str, list[str]]
) -> dict[str, list[list[object]]]:
    """``table -> rows``, each row in the order of ``columns[table]`` (the CREATE TABLE's):
    a statement that names its columns fills the others with ``None``, as the database
    would (no column here has a default). The first ``max_rows`` of each wanted table."""
    out: dict[str, list[list[object]]] = {}
    for m in _INSERT.finditer(text):
        name = m.group(1).lower()
        if name not in wanted:
            continue
        rows = out.setdefault(name, [])
        if len(rows) >= max_rows:
            continue
        values, _ = _values(text, m.end())
        order = columns[name]
        if m.group(2) is None:
            if len(values) != len(order):
                raise DumpError(f"{name}: {len(values)} values for {len(order)} columns")
            rows.append(values)
            continue
        named = [c.strip().lower() for c in m.group(3).split(",")]
        unknown = [c for c in named if c not in order]
        if unknown or len(named) != len(values):
            raise DumpError(f"{name}: an INSERT whose column list does not match the table")
        given = dict(zip(named, values, strict=True))
        rows.append([given.get(c) for c in order])
    return out


def _values(text: str, i: int) -> tuple[list[object], int]:
    """The values of a parenthesised list whose ``(`` ends just before ``i``, and the
    position after its ``)``."""
    out: list[object] = []
    n = len(text)
    while True:
        i = skip_space(text, i)
        if i < n and text[i] == ")" and not out:
            return out, i + 1
        value, i = _value(text, i)
        out.append(value)
        i = skip_space(text, i)
        if i < n and text[i] == ",":
            i += 1
        elif i < n and text[i] == ")":
            return out, i + 1
        else:
            raise DumpError(f"character {i}: expected ',' or ')' in a VALUES list")


def _value(text: str, i: int) -> tuple[object, int]:
    if i < len(text) and text[i] == "'":
        return _quoted(text, i)
    m = _NUMBER.match(text, i)
    if m:
        return m.group(), m.end()
    m = _NAME.match(text, i)
    if m:
        word = m.group()
        j = skip_space(text, m.end())
        if j < len(text) and text[j] == "(":
            args, end = _values(text, j + 1)
            return Call(word.upper(), tuple(args)), end
        if word.upper() == "NULL":
            return None, m.end()
        return Variable(word), m.end()
    raise DumpError(f"character {i}: a value this reader does not read")


def _quoted(text: str, start: int) -> tuple[str, int]:
    end = start + 1
    chunks: list[str] = []
    while True:
        q = text.find("'", end)
        if q < 0:
            raise DumpError(f"unterminated string from character {start}")
        chunks.append(text[end:q])
        if q + 1 < len(text) and text[q + 1] == "'":
            chunks.append("'")
            end = q + 2
            continue
        return "".join(chunks), q + 1


def _balanced(text: str, i: int) -> tuple[str, int]:
    """The text up to the ``)`` that closes a ``(`` just before ``i`` (quotes respected)."""
    depth = 1
    j = i
    while j < len(text):
        ch = text[j]
        if ch == "'":
            _, j = _quoted(text, j)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return text[i:j], j + 1
        j += 1
    raise DumpError(f"character {i}: an unclosed parenthesis")


def _top_level_split(body: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    start = 0
    for k, ch in enumerate(body):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:k])
            start = k + 1
    parts.append(body[start:])
    return [p.strip() for p in parts]
