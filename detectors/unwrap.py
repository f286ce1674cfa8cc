"""What a guarded value also reads as, under disguises the normaliser leaves alone.

:func:`detectors.normalize.normalize` rewrites text in place for every matcher, so it
undoes only what cannot destroy other evidence (``%40`` and ``&#64;``, not ``=41``:
``ssn=412...`` must keep its key and its value). The readings here are *extra* texts the
guard checks after the value itself, so a reading can add a finding, never hide one:

- every character percent-encoded (``%6A%61...``, twice: ``%2540``), or written as an
  HTML/XML entity (``&#106;&#97;...``, ``&commat;``), or quoted-printable (``=6A=61``);
- a number spelled with letters for digits (``O`` for 0, ``l``/``I`` for 1) or grouped
  with separators the recognizers do not read (``6011_2530_...``, ``415/555/0123``):
  the letters become digits and the separators dashes;
- a number split over a line break with no separator at the break (``131-41`` /
  ``0293``): joined with the separator it uses elsewhere (the normaliser joins only
  breaks at a separator: unseparated number lines are also an address block's lines);
- gzip or zlib inside base64 (``H4sI...``, ``eJ...``), inflated to at most
  :data:`INFLATE_LIMIT` bytes (a decompression bomb costs that much and no more);
- text after a right-to-left override (U+202E, up to its pop, U+202C) in the order it
  is drawn: ``\u202enosnhoJ yraM`` shows as a name (the normaliser only drops the
  control, which leaves the text backwards);
- a short value written backwards (``0669165103521106``, ``gro.elpmaxe@...``,
  ``nosnhoJ yraM``): read reversed when it holds what a reversed value of interest
  has, an ``@``, nine digits in a row (single separators between them, no ``:``: no
  time), four dotted numbers (``1.0.861.291``) or a word that ends in a capital after a
  small letter;
- digit groups apart by a separator written loosely (`` — ``, `` / ``, `` | ``, ``,``,
  brackets: ``[4532] [0151] ...``) or in uneven sizes (``45320151 12830366``): nine to
  eleven digits are read with dashes between the groups (``536-22-8145``, a phone), twelve
  to nineteen as one number (a card); a thousands grouping (``1,234,567,890``) is a
  number, not read; an IBAN's groups so written (``GB82 / WEST / 1234 / ...``) are read
  together;
- words spelled out a letter at a time (``D-a-n-i-e-l-l-e J-o-h-n-s-o-n``, ``D a n i e l l e
  J o h n s o n``): each word's letters joined, the words apart by one space;
- a number with a sign before it (``-6011253015619660``): the recognizers refuse a
  card or an SSN right after a dash (``ref-6011...`` is an identifier), a value that is
  a signed number is read without its sign.

Bounded: readings of readings down to :data:`MAX_DEPTH`, at most :data:`MAX_READINGS`
in all, only for values of at most :data:`MAX_CHARS` characters; each reading is no
longer than its value, an inflated one no longer than :data:`INFLATE_LIMIT`.
"""

from __future__ import annotations

import base64
import binascii
import html
import quopri
import re
import zlib
from urllib.parse import unquote

from detectors.normalize import join_number_lines

MAX_DEPTH = 2
MAX_READINGS = 8
MAX_CHARS = 1 << 20
INFLATE_LIMIT = 64 << 10  # bytes inflated from one value, all gzip members together
_MEMBERS = 4  # gzip members inflated from one value

_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_QUOTED_PRINTABLE = re.compile(r"=[0-9A-F]{2}")
# A run of nine or more digits and digit-like letters (groups apart by a space, a dot, a
# dash, a slash or brackets: ``(4l5) 555-O123``), standing alone.
_SPELLED = re.compile(r"(?<![A-Za-z0-9])[0-9OoIl](?:[ .()/-]{0,2}[0-9OoIl]){8,}(?![A-Za-z0-9])")
_DIGIT = re.compile(r"\d")
_DIGIT_LETTERS = str.maketrans("OoIl", "0011")
_SPELLED_MIN_DIGITS = 0.5  # share of real digits among the run's digits and letters
# Groups of digits joined by one separator the recognizers do not read as a number's.
_GROUPED = re.compile(r"(?<![A-Za-z0-9])\d{2,6}([_|:*~/;#+\\])\d{2,6}(?:\1\d{1,6}){0,5}(?![A-Za-z0-9])")
_GROUPED_MIN_DIGITS = 9  # fewer is a date, a time or a version, never a card, SSN or phone
_OVERRIDE, _POP = "\u202e", "\u202c"
_REVERSED_CHARS = 64  # longer text written backwards is no value form
_REVERSED_CUE = re.compile(r"@|\d(?:[ .()/-]?\d){8}|\d{1,3}(?:\.\d{1,3}){3}|[a-z][A-Z](?![A-Za-z])")
_LOOSE_SEPARATOR = r"[\s\u2012-\u2015/.,|\u00b7\u2022\[\]()-]{1,5}"
_LOOSE_GROUPS = re.compile(rf"(?<![\w.,-])\[?\d{{1,12}}(?:{_LOOSE_SEPARATOR}\d{{1,12}}){{1,7}}\]?(?![\w-])")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_LOOSE_IBAN = re.compile(rf"(?<![\w])[A-Z]{{2}}\d{{2}}(?:{_LOOSE_SEPARATOR}[A-Z0-9]{{1,8}}){{2,8}}(?![\w])")
_SPELLED_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_]([ .-])(?:[^\W\d_]\1){1,}[^\W\d_](?![^\W\d_])")
_SIGNED = re.compile(r"\s*[-+]\s*(\d(?:[ .-]?\d){8,})\s*")
_PACKED = re.compile(r"\s*((?:H4sI|eJ|eN|eF|eA|eD|eE)[A-Za-z0-9+/_-]{8,}={0,2})\s*")


def readings(value: str) -> list[str]:
    """The other texts ``value`` reads as (empty for almost every value: one cheap test
    per disguise), readings of readings included, each different from the value."""
    if len(value) > MAX_CHARS:
        return []
    out: list[str] = []
    frontier = [value]
    for _ in range(MAX_DEPTH):
        nxt: list[str] = []
        for text in frontier:
            for reading in _once(text):
                if reading != value and reading not in out and len(out) < MAX_READINGS:
                    out.append(reading)
                    nxt.append(reading)
        frontier = nxt
        if not frontier:
            break
    return out


def _once(text: str) -> list[str]:
    found: list[str] = []
    if "%" in text and _PERCENT.search(text):
        found.append(unquote(text, errors="replace"))
    if "&" in text and _ENTITY.search(text):
        found.append(html.unescape(text))
    if "=" in text and _QUOTED_PRINTABLE.search(text):
        found.append(quopri.decodestring(text.encode("utf-8", "surrogatepass")).decode("utf-8", "replace"))
    numbers = _numbers(text)
    if numbers is not None:
        found.append(numbers)
    joined = join_number_lines(text)  # a number split over a line break with no separator at it
    if joined is not None:
        found.append(joined)
    packed = _PACKED.fullmatch(text)
    if packed is not None:
        inflated = inflate_base64(packed.group(1))
        if inflated is not None:
            found.append(inflated)
    if _OVERRIDE in text:
        found.append(drawn(text))
    loose = _loose_groups(text)
    if loose is not None:
        found.append(loose)
    if _SPELLED_WORD.search(text):
        found.append(re.sub(r"  +", " ", _SPELLED_WORD.sub(lambda m: m.group(0).replace(m.group(1), ""), text)))
    if len(text) <= _REVERSED_CHARS and _reversible(text):
        found.append(text[::-1])
    signed = _SIGNED.fullmatch(text) if len(text) <= _REVERSED_CHARS else None
    if signed is not None:
        found.append(signed.group(1))
    return [f for f in found if f != text]


def drawn(text: str) -> str:
    """``text`` with each right-to-left override's run (up to its pop, a line's end or
    the text's end) reversed, as it is drawn, and the two controls taken out."""
    out: list[str] = []
    pos = 0
    while (start := text.find(_OVERRIDE, pos)) >= 0:
        out.append(text[pos:start])
        stop = min((i for i in (text.find(_POP, start), text.find("\n", start)) if i >= 0), default=len(text))
        out.append(text[start + 1 : stop][::-1].replace(_OVERRIDE, ""))
        pos = stop + 1 if stop < len(text) and text[stop] == _POP else stop
    out.append(text[pos:])
    return "".join(out)


def _loose_groups(text: str) -> str | None:
    """``text`` with loosely grouped numbers (and IBANs) written as the recognizers read
    them (None: it has none)."""
    if not _DIGIT.search(text):
        return None
    changed = _LOOSE_IBAN.sub(lambda m: re.sub(r"[^A-Z0-9]", "", m.group(0)), text)
    changed = _LOOSE_GROUPS.sub(_loose_number, changed)
    return changed if changed != text else None


def _loose_number(m: re.Match[str]) -> str:
    run = m.group(0)
    if _THOUSANDS.fullmatch(run.strip("[]()")):
        return run
    groups = re.findall(r"\d+", run)
    digits = sum(len(g) for g in groups)
    if 9 <= digits <= 11:
        return "-".join(groups)
    if 12 <= digits <= 19:
        return "".join(groups)
    return run


def _reversible(text: str) -> bool:
    return "@" in text or (":" not in text and _REVERSED_CUE.search(text) is not None)


def _numbers(text: str) -> str | None:
    """``text`` with numbers spelled with letters, or grouped by odd separators, written
    as digits and dashes (None: it has neither)."""
    if not _DIGIT.search(text):
        return None
    changed = _SPELLED.sub(_spelled, text)
    if _GROUPED.search(changed):
        changed = _GROUPED.sub(_grouped, changed)
    return changed if changed != text else None


def _spelled(m: re.Match[str]) -> str:
    run = m.group(0)
    symbols = [c for c in run if c.isalnum()]
    digits = sum(c.isdigit() for c in symbols)
    if digits == len(symbols) or digits < _SPELLED_MIN_DIGITS * len(symbols):
        return run
    return run.translate(_DIGIT_LETTERS)


def _grouped(m: re.Match[str]) -> str:
    run = m.group(0)
    if sum(c.isdigit() for c in run) < _GROUPED_MIN_DIGITS:
        return run
    return run.replace(m.group(1), "-")


def inflate_base64(token: str) -> str | None:
    """The text gzip or zlib data in a base64 (or base64url) token inflates to, at most
    :data:`INFLATE_LIMIT` bytes of it (None: not such a token)."""
    body = token.rstrip("=")
    url = "-" in body or "_" in body
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_" if url else None, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not (raw[:2] == b"\x1f\x8b" or (len(raw) > 1 and raw[0] & 0x0F == 8 and (raw[0] << 8 | raw[1]) % 31 == 0)):
        return None
    out = bytearray()
    for _ in range(_MEMBERS):
        inflater = zlib.decompressobj(wbits=47)  # gzip or zlib, by the header
        try:
            out += inflater.decompress(raw, INFLATE_LIMIT - len(out))
        except zlib.error:
            break
        if not inflater.eof or len(out) >= INFLATE_LIMIT or not inflater.unused_data:
            break
        raw = inflater.unused_data  # the next gzip member
    return out.decode("utf-8", "replace") if out else None
