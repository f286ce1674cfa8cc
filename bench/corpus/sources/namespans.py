"""Labelled spans for prose that mentions the people of its own table: a biography
column whose PERSON spans are the table's own first and last names, found as whole
words (a first name followed by a surname is one span). The labels come from the
table's name columns, not from any detector."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bench.corpus.model import Span, Text


def name_spans(text: str, names: Iterable[str]) -> tuple[Span, ...]:
    """PERSON spans of ``names`` in ``text``: whole words, longest name first, and two
    names separated by one space or a middle initial merged into one span."""
    words = sorted({n for n in names if n and n.strip()}, key=lambda n: (-len(n), n))
    if not words:
        return ()
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")
    found = [(m.start(), m.end()) for m in pattern.finditer(text)]
    merged: list[list[int]] = []
    for start, end in found:
        if merged and re.fullmatch(r" (?:[A-Z]\. )?", text[merged[-1][1] : start]):
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return tuple(Span(s, e, "PERSON", "name column") for s, e in merged)


def biography_texts(
    rows: list[list[object]], columns: list[str], text_column: str, name_columns: list[str]
) -> list[Text]:
    """One labelled text per non-empty ``text_column`` cell; the names are every row's."""
    at = columns.index(text_column)
    names = [str(r[columns.index(c)]) for r in rows for c in name_columns if r[columns.index(c)]]
    return [Text(str(r[at]), name_spans(str(r[at]), names)) for r in rows if r[at]]
