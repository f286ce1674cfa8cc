"""Word lists as regular expressions that fail fast: an alternation factored by common
prefixes ("rue|route|rambla" reads ``r(?:ue|oute|ambla)``) and matching exactly as the
plain alternation does.

Python's ``re`` tries the alternatives of an alternation one after the other; a list of
a hundred street types is a hundred attempts at every position a pattern tries it. The
factored form tries one alternative per first character, then one per second, and so
on.

Why it matches the same text with the same groups: ``re`` takes the first alternative,
in order, with which the rest of the pattern matches. Factoring moves an alternative
only past alternatives that begin with a different literal character; those cannot
match at the same position (the lists are lower case, matched case-insensitively, and no
two of their first characters fold to the same one: ``tests/unit/test_fast_patterns.py``
checks it), so which alternatives can match, and their order among themselves, is
unchanged. An alternative that does not begin with a plain character (an empty
remainder, a quantified character, a group) is a barrier: nothing is moved across it.
"""

from __future__ import annotations

_SPECIAL = "()[]{}?*+|^$."
_QUANTIFIERS = ("?", "*", "+", "{")


def _first_atom(alternative: str) -> tuple[str, str] | None:
    """(first character, rest) when the alternative begins with one literal character
    (``\\.`` counts as one) that no quantifier follows; else None."""
    if not alternative:
        return None
    if alternative[0] == "\\":
        if len(alternative) < 2 or alternative[1].isalnum():
            return None  # a class such as \\d or \\w: not one character
        atom, rest = alternative[:2], alternative[2:]
    elif alternative[0] in _SPECIAL:
        return None
    else:
        atom, rest = alternative[0], alternative[1:]
    if rest.startswith(_QUANTIFIERS):
        return None
    return atom, rest


def factored(alternatives: str) -> str:
    """``alternatives`` (``a|b|c``: literal words, ``\\.`` escapes, quantifiers such as
    ``s?`` and groups such as ``meet(?: me| us)?``; no character classes) factored by
    common prefixes."""
    return "|".join(_factor(_top_level(alternatives)))


def _top_level(alternatives: str) -> list[str]:
    """The alternatives of ``alternatives``: split at the ``|`` outside any group."""
    out: list[str] = []
    depth = start = 0
    i = 0
    while i < len(alternatives):
        ch = alternatives[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            raise ValueError("character classes are not factored")
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(alternatives[start:i])
            start = i + 1
        i += 1
    out.append(alternatives[start:])
    return out


def _factor(alternatives: list[str]) -> list[str]:
    """The factored alternatives, in order."""
    parts: list[str] = []
    groups: dict[str, list[str]] = {}  # first character -> rests, in order (this segment)
    segment: list[str] = []  # first characters in order of first appearance (this segment)

    def flush() -> None:
        for atom in segment:
            inner = _factor(groups[atom])
            parts.append(atom + inner[0] if len(inner) == 1 else f"{atom}(?:{'|'.join(inner)})")
        groups.clear()
        segment.clear()

    for alternative in alternatives:
        first = _first_atom(alternative)
        if first is None:
            flush()  # a barrier: no alternative moves across it
            parts.append(alternative)
            continue
        atom, rest = first
        if atom not in groups:
            groups[atom] = []
            segment.append(atom)
        groups[atom].append(rest)
    flush()
    return parts
