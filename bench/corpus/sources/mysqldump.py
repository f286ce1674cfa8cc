"""Rows out of MySQL dump text, with the standard library: mysqldump's extended
``INSERT INTO `t` VALUES (...),(...),...;`` statements, one tuple a line or many, read as
MySQL reads them (``NO_BACKSLASH_ESCAPES`` off: a backslash escapes the next character,
and ``''`` is a quote). Values come out as the dump spells them (strings, ``None`` for
NULL); ``mysqltypes`` types them as Debezium's MySQL connector would."""

from __future__ import annotations

import re

from bench.corpus.sources.sqldump import DumpError, skip_space

_INSERT = re.compile(r"INSERT INTO `?(\w+)`?\s*(?:\([^)]*\)\s*)?VALUES\s*", re.IGNORECASE)
# MySQL's escape sequences (reference manual, "String Literals"); \% and \_ keep their
# backslash; any other escaped character stands for itself.
_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "%": "\\%", "_": "\\_"}
_BARE = re.compile(r"[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|NULL", re.IGNORECASE)


def insert_rows(text: str, wanted: set[str], max_rows: int) -> dict[str, list[list[str | None]]]:
    """``table -> rows`` from the extended ``INSERT`` statements of ``wanted`` tables, the
    first ``max_rows`` of each; every statement of a wanted table is read to its ``;``."""
    out: dict[str, list[list[str | None]]] = {}
    pos = 0
    while True:
        m = _INSERT.search(text, pos)
        if m is None:
            return out
        name = m.group(1)
        rows, pos = _tuples(text, m.end())
        if name in wanted:
            kept = out.setdefault(name, [])
            kept.extend(rows[: max(0, max_rows - len(kept))])


def _tuples(text: str, i: int) -> tuple[list[list[str | None]], int]:
    """The tuples of one statement from ``i`` (just after ``VALUES``) and the position
    after its ``;``."""
    rows: list[list[str | None]] = []
    n = len(text)
    while True:
        i = skip_space(text, i)
        if i >= n or text[i] != "(":
            raise DumpError(f"character {i}: expected a '(' opening a row")
        row, i = _row(text, i + 1)
        rows.append(row)
        i = skip_space(text, i)
        if i < n and text[i] == ",":
            i += 1
            continue
        if i < n and text[i] == ";":
            return rows, i + 1
        raise DumpError(f"character {i}: expected ',' or ';' after a row")


def _row(text: str, i: int) -> tuple[list[str | None], int]:
    out: list[str | None] = []
    n = len(text)
    while True:
        i = skip_space(text, i)
        if i < n and text[i] == "'":
            value, i = _quoted(text, i)
            out.append(value)
        else:
            m = _BARE.match(text, i)
            if m is None:
                raise DumpError(f"character {i}: a value this reader does not read")
            out.append(None if m.group().upper() == "NULL" else m.group())
            i = m.end()
        i = skip_space(text, i)
        if i < n and text[i] == ",":
            i += 1
        elif i < n and text[i] == ")":
            return out, i + 1
        else:
            raise DumpError(f"character {i}: expected ',' or ')' in a row")


def _quoted(text: str, start: int) -> tuple[str, int]:
    out: list[str] = []
    i = start + 1
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            out.append(_ESCAPES.get(text[i + 1], text[i + 1]))
            i += 2
        elif ch == "'":
            if i + 1 < n and text[i + 1] == "'":
                out.append("'")
                i += 2
            else:
                return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    raise DumpError(f"unterminated string from character {start}")
