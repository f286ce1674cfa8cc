"""The per-value guard of released columns.

A column released on positive evidence (and every column declared ``pii: none``) passes
its values unchanged, so each value is checked on its way out, not a sample of them:

- text: every *distinct* value (a bounded memo of hashes, never the values) is matched by
  the validated pattern recognizers on the normalised text; a categorical column that
  grows past its category budget is no longer categorical;
- numbers: integers (and integral floats) long enough to be a card, an SSN, a phone or an
  account number are validated as such.

The first hit is returned as the reason; the profiler then withholds the column again
and the caller treats the record under the new rule.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
import unicodedata
from datetime import date
from typing import TYPE_CHECKING, Any

from detectors import decimals, english, unwrap
from detectors.english import is_english
from detectors.identifiers import holds_labelled_name, holds_listed_name
from detectors.normalize import normalize
from detectors.recognizers.inverted import is_inverted_name
from detectors.recognizers.person import is_known_name, is_top_surname, person_value_score
from detectors.recognizers.temporal import is_date
from detectors.scripts import letter_scripts, name_shaped
from detectors.validators import card_scheme, luhn_ok
from pipeline.vocabulary import VerdictState

if TYPE_CHECKING:
    from detectors.profiler import ColumnProfile
    from detectors.textscan import TextScanner

MEMO_LIMIT = 4096  # distinct values remembered (as hashes) per column, then forgotten
CATEGORY_BUDGET = 64  # distinct values a column released as categorical may show
MAX_CATEGORY_LENGTH = 128
CARDINALITY = "cardinality"  # reason: a categorical column stopped being one
SHAPE = "shape"  # reason: a value a categorical column never had (too long)
_RELEASE_REASONS = frozenset({CARDINALITY, SHAPE})  # the release no longer holds (no entity named)
_NUMERIC_ENTITIES = frozenset({"CREDIT_CARD", "US_SSN", "PHONE_NUMBER", "US_BANK_NUMBER"})
_ID_ENTITIES = frozenset({"CREDIT_CARD"})  # surrogate ids: 9-10 digit ids are not SSNs or phones
_MIN_DIGITS = 9
_TYPED = frozenset({"type", "bool", "event_time", "date", "timestamp"})  # profiler type hints
_NEW_CATEGORY_NAME = 0.75  # person_value_score of a new category that makes it a person's name
_CATEGORY_DIGITS = 7  # a new category with this many digits is a number, not a category
_NUMERIC_RELEASES = frozenset({"measure", "small_numbers", "id", "bool"})  # released for being numbers
_SMALL_DIGITS = 6  # a column released for small numbers holds at most this many digits
_SMALL = 10**_SMALL_DIGITS
_WEAK = 0.3  # the validators' score for a bare number with no context
_KNOWN_PERSON = 0.9  # person_value_score of a known first name and surname (or a title and a name)
_TEMPORAL = frozenset({"date", "timestamp", "event_time"})
_SPAN_SLACK_DAYS = 366  # how far outside its released span a date may fall
# A time of day's units in a day, by logical type (MySQL's TIME can be a duration of up to
# 838 hours: such a value withholds a column released for its type, fail closed).
_TIME_OF_DAY = {
    "io.debezium.time.Time": 86_400_000,
    "org.apache.kafka.connect.data.Time": 86_400_000,
    "io.debezium.time.MicroTime": 86_400_000_000,
    "io.debezium.time.NanoTime": 86_400_000_000_000,
}
DAY_DATES = frozenset({"io.debezium.time.Date", "org.apache.kafka.connect.data.Date"})  # days since 1970
_FIRST_DAY = (date(1000, 1, 1) - date(1970, 1, 1)).days  # the span of plausible dates, in days since 1970
_LAST_DAY = (date(2999, 12, 31) - date(1970, 1, 1)).days
_PER_DAY = {"io.debezium.time.MicroTimestamp": 86_400_000_000, "io.debezium.time.NanoTimestamp": 86_400_000_000_000}
# Where today's timestamps fall: from 2001-09-09 (1e12 ms, 1e15 us, 1e18 ns) until 2033 a
# timestamp's digits start with 1, which no card number does. Anywhere else (the year 2100
# as microseconds, 1971 as nanoseconds, any time of the 1980s) a timestamp that validates
# as a card (Luhn, an issuer's prefix and length) is taken for one.
_RECENT_DAYS = ((date(2001, 9, 10) - date(1970, 1, 1)).days, (date(2033, 1, 1) - date(1970, 1, 1)).days)
_CARD_DIGITS = range(13, 20)
# A date, a time of day and a zone as Debezium writes them: the time's parts are two digits
# each and its fraction nine at most, so no run of a card's or a phone's digits fits.
_ZONE = r"(?:Z|[+-]\d{2}(?::?\d{2})?)?"
_TIME = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
# PostgreSQL's infinite timestamps and dates come as words
_ISO = re.compile(rf"(?:[+-]?\d{{4,6}}-\d{{2}}-\d{{2}}(?:[T ]{_TIME})?{_ZONE}|[+-]?infinity)$")
LOGICAL_SHAPES = {  # what the values of a Debezium logical string type look like
    "io.debezium.data.Uuid": re.compile(
        r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
    ),
    "io.debezium.time.ZonedTimestamp": _ISO,
    "io.debezium.time.IsoDate": _ISO,
    "io.debezium.time.IsoTimestamp": _ISO,
    "io.debezium.time.ZonedTime": re.compile(rf"{_TIME}{_ZONE}$"),
    "io.debezium.time.IsoTime": re.compile(rf"{_TIME}$"),
    # interval.handling.mode=string: ISO 8601 (PostgreSQL's P1Y2M3DT4H5M6.78S, parts signed,
    # six digits at most: P536221234D is an SSN, no interval)
    "io.debezium.time.Interval": re.compile(
        r"-?P(?:-?\d{1,6}Y)?(?:-?\d{1,6}M)?(?:-?\d{1,6}W)?(?:-?\d{1,6}D)?"
        r"(?:T(?:-?\d{1,6}H)?(?:-?\d{1,6}M)?(?:-?\d{1,6}(?:\.\d{1,6})?S)?)?$"
    ),
}
_IDENTIFIER_CHARS = 64  # a text this long at most, with no space, is read as an identifier too
_NAME_PART_CHARS = 40  # a text this long at most may be one part of a name split in a document
_INITIAL_SURNAME = re.compile(r"[A-Z]\. ?[A-Z][a-z'-]{2,}")
_LOCAL_PART = re.compile(r"([A-Za-z]{2,})\.([A-Za-z]{2,})\d{0,4}")  # first.last, first.last71
_TITLE_WORD = re.compile(r"[^\W\d_][^\W\d_A-Z'\u2019-]*(?<=[^\W\d_])")


def titled_words(value: str) -> bool:
    """Two to four words, each a capital and lower-case letters ('Jane Roe', 'Oluwaseun
    Adeyemi', 'Gold Plus'): the shape of a person's name, and of some categories."""
    words = value.split(" ")
    return 2 <= len(words) <= 4 and all(
        w[:1].isupper() and _TITLE_WORD.fullmatch(w) is not None and w[1:].islower() for w in words
    )


_PLAIN_WORD = re.compile(r"[^\W\d_]{3,}")


def unknown_words(value: str) -> bool:
    """Two to four words of three letters or more, none of them English: 'oluwaseun
    adeyemi', 'kenji okafor' (a person no list knows, in any case); 'gold plus' and
    'next day' are English."""
    words = value.split(" ")
    return (
        2 <= len(words) <= 4
        and all(_PLAIN_WORD.fullmatch(w) is not None for w in words)
        and english.available()
        and not any(is_english(w.lower()) for w in words)
    )


_QUASI_DIGITS = 9  # a quasi-identifier holds no number this long: a bare SSN, a phone, a card
_DIGIT_RUN = re.compile(rf"\d{{{_QUASI_DIGITS}}}")  # (a 7-digit postcode of Japan or Israel is one)
_DECIMAL_TEXT = re.compile(r"\s*[-+]?\d{1,15}(?:[.,]\d{1,6})?\s*")


def check(prof: ColumnProfile, value: Any, scanner: TextScanner) -> str | None:
    """Why this value breaks the column's release (an entity or a reason), or None.

    A value that breaks the release's shape or budget is still checked for what it holds,
    and the entity wins: a column declared ``none`` has no release to lose (a shape
    reason withholds nothing there), so only an entity makes it drift and be treated."""
    if value is None:
        return None
    if type(value) is int and -_SMALL < value < _SMALL and prof.type_hint not in _TEMPORAL and prof.release != "bool":
        return None  # the common case without a second call: a small number
    reason = _check(prof, value, scanner)
    if reason in _RELEASE_REASONS:
        return _holds(value, scanner) or reason
    return reason


def _check(prof: ColumnProfile, value: Any, scanner: TextScanner) -> str | None:
    """Called on every value of every guarded column: the common cases return first."""
    if prof.logical in decimals.LOGICAL:  # checked as the number it holds
        number = decimals.number(prof.logical, prof.scale, value)
        value = value if number is None else number
    kind = type(value)
    if kind is int:
        if prof.type_hint in _TEMPORAL:
            return _temporal(prof, value)
        day = _TIME_OF_DAY.get(prof.logical)
        if day is not None and not 0 <= value <= day:
            return SHAPE  # no time of day: a column released for its type holds something else
        if prof.release == "bool":
            return SHAPE
        if -_SMALL < value < _SMALL:
            return None  # six digits or fewer: never a card, an SSN, a phone or an account
        if prof.release == "categorical" or (
            prof.verdict.state == VerdictState.QUASI and abs(value) >= 10 ** (_QUASI_DIGITS - 1)
        ):
            return SHAPE  # no category has seven digits, no postcode, age or region code nine
        return _number(prof, value, scanner)
    if value is None:
        return None
    if kind is bool:
        return None
    if prof.release == "bool":
        return SHAPE  # released for holding booleans: anything else is a different column
    if kind is str:
        if prof.type_hint == "opaque" or prof.logical == _BITS:  # a bytes column's value in base64 (JSON)
            return _text(prof, value, scanner) or _base64(prof, value, scanner)
        if prof.type_hint in _TYPED:
            return _typed_text(prof, value, scanner)
        return _text(prof, value, scanner)
    if kind is bytes:
        return _bytes(prof, value, scanner)
    if kind is float:
        if (abs(value) >= _SMALL and prof.release == "categorical") or (
            abs(value) >= 10 ** (_QUASI_DIGITS - 1) and prof.verdict.state == VerdictState.QUASI
        ):
            return SHAPE  # as an integer above
        if abs(value) >= 10 ** (_MIN_DIGITS - 1) and value == value and abs(value) != float("inf"):
            return _number(prof, int(value), scanner)  # 4111111111111111.5 still holds a card
        return None
    if isinstance(value, dict | list):
        # released for its values' shape (numbers, categories): a document is new; declared
        # none: its leaves and keys are checked
        return SHAPE if prof.release is not None else _document(value, scanner)
    return None


def _typed_text(prof: ColumnProfile, value: str, scanner: TextScanner) -> str | None:
    """A string column of a logical type (UUID, ISO timestamp, enum): the value must have
    the type's shape; one that has none is checked like any text."""
    shape = LOGICAL_SHAPES.get(prof.logical)
    if shape is not None:
        return None if shape.match(value) else SHAPE
    if prof.symbols is not None:  # an enum: one of its symbols (a set: a comma-separated few)
        parts = value.split(",") if prof.logical == "io.debezium.data.EnumSet" else (value,)
        if not all(part in prof.symbols for part in parts if part):
            return SHAPE
    return _text(prof, value, scanner)


def ticks_per_day(logical: str) -> int:
    """Units of a Debezium timestamp per day: ms, or µs/ns for Micro/NanoTimestamp."""
    return _PER_DAY.get(logical, 86_400_000)


def _temporal(prof: ColumnProfile, value: int) -> str | None:
    """Dates (days) or timestamps: one that is no time of a record (:func:`implausible_time`:
    5555555555554444 milliseconds is the year 178,000) is a number of another kind; and
    in a column released for its dates' short span, a date far outside that span (a birth
    among order dates)."""
    per_day = 1 if prof.type_hint == "date" or prof.logical in DAY_DATES else ticks_per_day(prof.logical)
    odd = implausible_time(value, per_day)
    if odd is not None:
        return odd
    if prof.release not in ("event_dates", "event_times") or prof.date_min is None or prof.date_max is None:
        return None
    day = value // per_day
    return SHAPE if day < prof.date_min - _SPAN_SLACK_DAYS or day > prof.date_max + _SPAN_SLACK_DAYS else None


def implausible_time(value: int, per_day: int) -> str | None:
    """Why an integer of a date or timestamp type (``per_day`` units a day) is no time of a record, or
    None: no calendar of records holds it (before the year 1000, after 2999: SHAPE), or
    it is a card number (CREDIT_CARD: Luhn, an issuer's prefix and length) outside the
    years whose timestamps start with the digit 1 (2001-2032, where no card fits): a
    card's 16 digits as microseconds are the years 2033-2191, as nanoseconds early 1970,
    14 or 15 as microseconds 1971-1987. Older timestamps that pass Luhn under a card's
    prefix are withheld with it (one in ten of those few: fail closed)."""
    day = value // per_day
    if not _FIRST_DAY <= day <= _LAST_DAY:
        return SHAPE
    if per_day == 1 or _RECENT_DAYS[0] <= day < _RECENT_DAYS[1]:
        return None  # the common case, first
    digits = str(abs(value))
    return "CREDIT_CARD" if len(digits) in _CARD_DIGITS and card_scheme(digits) and luhn_ok(digits) else None


def _document(doc: dict[str, Any] | list[Any], scanner: TextScanner) -> str | None:
    """A map or array (schemaless JSON, Connect maps): every leaf and key, by patterns,
    and by the name checks and the readings (:mod:`detectors.unwrap`) a text value of the
    column gets; and a name in parts ('["Jane", "Roe"]', '{"first": "Jane", "last":
    "Roe"}', '{"Jane": "Roe"}') as the name it spells."""
    found: list[tuple[str, str]] = []
    scanner.redact_json(doc, None, found)
    if found:
        return min(entity for _, entity in found)
    texts, pairs = document_parts(doc)
    for text in texts:
        if _is_name(text):
            return "PERSON"
        for reading in unwrap.readings(text):  # what the scan of the document did not read through
            hit = _read_entity(reading, scanner)
            if hit is not None:
                return hit
    for pair in pairs:
        if _is_name(pair):
            return "PERSON"
    return None


class _Key(str):
    """An object's key among a document's leaves (:func:`_texts`)."""


def document_parts(doc: dict[str, Any] | list[Any]) -> tuple[dict[str, None], dict[str, None]]:
    """The distinct keys and string leaves of a document, all of them (the patterns read
    the whole document already: these checks cost less than that, and a record's size
    bounds both), and the distinct pairs of short texts that could be a name's parts,
    read in the document's order whatever nests them or stands between them (a null, a
    number): two string values in a row (``["Jane", null, "Roe"]``, ``[["Jane"],
    ["Roe"]]``, ``{"first": "Jane", "last": "Roe"}``), and a key with what follows it
    (``{"Jane": "Roe"}``)."""
    texts: dict[str, None] = {}
    pairs: dict[str, None] = {}
    last_leaf: str | None = None  # the last key or string value, in order
    last_value: str | None = None  # the last string value
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for k, v in reversed(list(node.items())):
                stack.append(v)
                stack.append(_Key(k))
        elif isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, str):
            text = str(node)
            texts[text] = None
            part = _name_part(text)
            if part and last_leaf is not None:
                pairs[f"{last_leaf} {text}"] = None
            if not isinstance(node, _Key):
                if part and last_value is not None and last_value != last_leaf:
                    pairs[f"{last_value} {text}"] = None
                last_value = text if part else None
            last_leaf = text if part else None
    return texts, pairs


def _name_part(text: str) -> bool:
    """Short enough to be a part of a person's name (a first name, a surname, 'Mary Ann')."""
    return 0 < len(text) <= _NAME_PART_CHARS and text.count(" ") <= 1


def holds(value: Any, scanner: TextScanner) -> str | None:
    """The entity a value holds, by the checks every guarded value gets, whatever a
    column was released for; no profile is read or changed (None: none found). For
    values that are not a column's, such as the defaults and enum symbols of a schema."""
    return _holds(value, scanner)


def _holds(value: Any, scanner: TextScanner) -> str | None:
    """The entity a value holds, whatever the column was released for (None: none found)."""
    if isinstance(value, str):
        return _entity(value, scanner)
    if isinstance(value, bytes):
        return bytes_entity(value, scanner)
    if isinstance(value, dict | list):
        return _document(value, scanner)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and (value != value or abs(value) == float("inf")):
        return None
    whole = abs(int(value))
    return (
        _validated(str(whole), _NUMERIC_ENTITIES, 0.5, scanner) if 10 ** (_MIN_DIGITS - 1) <= whole < 10**40 else None
    )


def _bytes(prof: ColumnProfile, raw: bytes, scanner: TextScanner) -> str | None:
    if _memo(raw) in prof.guard_seen:
        return None
    hit = bytes_entity(raw, scanner)
    if hit is None:
        _passed(prof, raw)
    return hit


def _base64(prof: ColumnProfile, value: str, scanner: TextScanner) -> str | None:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return _bytes(prof, raw, scanner)


_BITS = "io.debezium.data.Bits"
# Quasi-identifier categories of places: many are named after people ('Benito Juárez',
# 'Santa Mónica'), so a name there is read by the whole-value checks only
_PLACES = frozenset({"city", "region", "postcode", "country"})
_BLANKS = re.compile(r"[\t\n\r]")


def bytes_entity(raw: bytes, scanner: TextScanner) -> str | None:
    """The entity bytes hold (a bytes column, Debezium's ``Bits``, an Avro ``fixed``): read
    as text in the encodings text is stored in (UTF-8, UTF-16 of either order, EBCDIC),
    padding of NULs and a byte-order mark taken off. Not as an integer: one random 8-byte
    value in forty reads as a valid card number (known limit: a card written as a binary
    integer passes)."""
    for text in _byte_texts(raw):
        hit = _entity(text, scanner)
        if hit is not None:
            return hit
    return None


def _byte_texts(raw: bytes) -> list[str]:
    """The texts bytes read as: UTF-8 (a BOM taken off); UTF-16 when it has its BOM or every
    other byte is mostly zero (Latin letters); EBCDIC when it reads as mostly letters,
    digits and punctuation. Each as it is and without its NUL padding (``BINARY(32)``)."""
    out: list[str] = []
    for data in dict.fromkeys((raw, raw.strip(b"\x00"))):
        if not data:
            continue
        with contextlib.suppress(UnicodeDecodeError):
            out.append(data.removeprefix(b"\xef\xbb\xbf").decode("utf-8"))
        if len(data) % 2 == 0:
            if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
                with contextlib.suppress(UnicodeDecodeError):
                    out.append(data.decode("utf-16"))
            for order, high in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
                if high.count(0) * 2 >= len(high):
                    with contextlib.suppress(UnicodeDecodeError):
                        out.append(data.decode(order))
        ebcdic = data.decode("cp037")
        if sum(c.isascii() and c.isprintable() for c in ebcdic) >= 0.9 * len(ebcdic) and any(
            c.isalnum() for c in ebcdic
        ):
            out.append(ebcdic)
    return [t for t in dict.fromkeys(out) if t.strip() and _BLANKS.sub(" ", t).isprintable()]


def _memo(value: Any) -> int | tuple[int]:
    """What the guard remembers of a value that passed. A text or bytes by its hash:
    SipHash under the process's key, whose preimages nobody can compute. An integer
    by itself: its hash is its value modulo 2**61 - 1, so an integer that passes
    (``card + 2**61 - 1``, 19 digits, no card) would otherwise let the card it collides
    with pass unread. The integer's 1-tuple is never equal to a text's hash either."""
    return (value,) if type(value) is int else hash(value)


def _passed(prof: ColumnProfile, value: Any) -> None:
    """Remember a value that passed (:func:`_memo`): a value is remembered only once it
    passed, so one that broke the release is checked again on the record's next pass."""
    seen = prof.guard_seen
    if prof.release == "categorical":
        if len(seen) >= CATEGORY_BUDGET:
            return
    elif len(seen) >= MEMO_LIMIT:
        seen.clear()
    seen.add(_memo(value))


def _text(prof: ColumnProfile, value: str, scanner: TextScanner) -> str | None:
    if _memo(value) in prof.guard_seen:
        return None
    reason = _text_reason(prof, value, scanner)
    if reason is None:
        _passed(prof, value)
    return reason


def _text_reason(prof: ColumnProfile, value: str, scanner: TextScanner) -> str | None:
    if prof.release in _NUMERIC_RELEASES:
        if not _DECIMAL_TEXT.fullmatch(value):
            return SHAPE  # released for holding numbers; text is a different column now
        # digits as text are judged as the number they spell: '4155550123' in a column
        # released for small numbers is ten digits, not a category
        whole = value.strip().lstrip("+-").replace(",", ".").split(".")[0]
        return _number_reason(prof, int(whole), scanner) if whole else None
    if prof.verdict.state == VerdictState.QUASI and (_DIGIT_RUN.search(value) or is_date(value)):
        # a postcode, a city or a job title holds no run of nine digits (a bare SSN, a
        # phone), and no quasi-identifier a whole date: '1985-03-12' in a birth_year or an
        # age column is a date of birth (the scanner rates a bare date weak: only the
        # profiler's samples would tell, one value in 20)
        return SHAPE
    if prof.release == "categorical":
        # A new category must look like one: short, few digits, not a person's name, no date.
        if len(prof.guard_seen) >= CATEGORY_BUDGET:
            return CARDINALITY
        if len(value) > max(MAX_CATEGORY_LENGTH // 4, 2 * prof.max_len) or len(value) > MAX_CATEGORY_LENGTH:
            return SHAPE
        if sum(c.isdigit() for c in value) >= _CATEGORY_DIGITS:
            return SHAPE
        if is_date(value):
            return SHAPE  # '12.03.85', '13-Oct-1989': a date is no category (a birth, maybe)
        if (person_value_score(value) or 0.0) >= _NEW_CATEGORY_NAME:
            return "PERSON"  # 'Jane Roe', 'Roe, Jane', 'Dr. Roe'; a lone 'Manual' or 'Ford' is a category
        if not letter_scripts(value) <= prof.scripts:
            return SHAPE  # written in letters no category was: 'Ольга Петрова' after 'gold', 'silver'
        if not prof.titled and titled_words(value):
            return SHAPE  # shaped as a name where no category was: 'Oluwaseun Adeyemi' after 'gold'
        if not prof.unknown_words and unknown_words(value):
            return SHAPE  # words no English and no category had: 'oluwaseun adeyemi' after 'gold'
    return _entity(value, scanner, places=prof.verdict.state == VerdictState.QUASI and prof.verdict.entity in _PLACES)


def _entity(value: str, scanner: TextScanner, places: bool = False) -> str | None:
    """The entity a text holds as it is, or else as one of its readings (percent- or
    entity-encoded throughout, quoted-printable, a number spelled with letters or odd
    separators, gzip in base64: :mod:`detectors.unwrap`), or, when it is JSON text, in
    its keys and leaves read as a document's (:func:`_document`)."""
    hit = _read_entity(value, scanner, places)
    if hit is None:
        for reading in unwrap.readings(value):
            hit = _read_entity(reading, scanner, places)
            if hit is not None:
                break
    if hit is None:
        from detectors.textscan import parse_json_text  # textscan imports this module

        doc = parse_json_text(value)  # JSON as text (leading blanks too): keys and leaves, as a document's
        if isinstance(doc, dict | list):
            hit = _document(doc, scanner)
    return hit


def is_person_value(value: str) -> bool:
    """A whole value that is a person's name by the guard's checks (:func:`_is_name`)."""
    return _is_name(value)


def _is_name(value: str, places: bool = False) -> bool:
    """A known first name and a known surname, or a title and a name; a name written
    surname first (:mod:`detectors.recognizers.inverted`); an initial and a
    known surname ('K. Nakamura'); an e-mail's local part made of a known first name and
    surname ('maria.gonzalez49'). In the last two the surname is all there is of a
    person, so one that is an English word must be a very common surname ('A. Smith',
    'mark.hill'): 'J. Crew', 'bill.pay' and 'page.view' are no people."""
    if (person_value_score(value) or 0.0) >= _KNOWN_PERSON:
        return True
    if not value.isascii() and not places:
        plain = _unaccented(value)
        if plain != value and _is_name(plain):
            return True  # 'José García', 'Hans Müller': the lists hold them unaccented
    if not places and (not value.isascii() or _SPACED_OUT.match(value)):
        seen = normalize(value).text  # as a reader sees it: 'Mary John\u00adson', 'M\u0430ry', 'M a r y  J o h n'
        if seen != value and _is_name(seen):
            return True  # (a place is read by the whole-value checks only, as above: 'Benito Juárez')
    if name_shaped(value):
        return True  # 'Ольга Петрова': the name lists hold no such names, the shape is enough
    if is_inverted_name(value):
        return True  # 'ADEYEMI, OLUWASEUN': surname, comma, given name, words no English has
    if " " not in value and len(value) <= _IDENTIFIER_CHARS and holds_listed_name(_folded(value), common=True):
        return True  # mary_johnson, Robert-Brown, MariaGonzalez, JOHNSMITH: a name as an identifier
    if " " in value and not places and holds_labelled_name(value):
        return True  # 'Customer: Mary Johnson', 'Mary Johnson (VIP)': a name with a label around it
    if _INITIAL_SURNAME.fullmatch(value) and is_known_name(value):
        return _surname_alone(value.rsplit(" ", 1)[-1].rsplit(".", 1)[-1])
    local = _LOCAL_PART.fullmatch(value)
    return (
        local is not None
        and (person_value_score(f"{local[1]} {local[2]}") or 0.0) >= _KNOWN_PERSON
        and _surname_alone(local[2])
    )


_SPACED_OUT = re.compile(r"\S \S \S ")  # letters spaced apart: the normaliser joins them


def _folded(value: str) -> str:
    """Plain ASCII as it is; other text as a reader sees it (zero-width characters gone,
    confusable and full-width letters folded: a Cyrillic o in ``john_smith``)."""
    return value if value.isascii() else normalize(value).text


# Latin letters that Unicode does not decompose into a letter and an accent
_UNDECOMPOSED = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "\u0131": "i", "ß": "ss",
                               "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "þ": "th", "Þ": "Th"})  # fmt: skip


def _unaccented(value: str) -> str:
    """Latin letters without their accents (é -> e, ü -> u, ø -> o): what the name lists hold."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_UNDECOMPOSED))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _surname_alone(word: str) -> bool:
    return not is_english(word) or is_top_surname(word)


def _read_entity(value: str, scanner: TextScanner, places: bool = False) -> str | None:
    if _is_name(value, places):
        return "PERSON"
    hit = scanner.whole_value(value)
    if hit is not None:
        return hit[0]
    for finding in scanner.find(value, prose=False):
        return finding.entity
    return None


def _number(prof: ColumnProfile, value: int, scanner: TextScanner) -> str | None:
    if (value,) in prof.guard_seen:  # :func:`_memo` of an integer
        return None
    reason = _number_reason(prof, value, scanner)
    if reason is None and abs(value) >= 10 ** (_MIN_DIGITS - 1):
        _passed(prof, value)
    return reason


def _number_reason(prof: ColumnProfile, value: int, scanner: TextScanner) -> str | None:
    digits = str(abs(value)) if abs(value) < 10**40 else ""
    if not digits or (prof.release == "small_numbers" and len(digits) > _SMALL_DIGITS):
        return SHAPE
    if len(digits) < _MIN_DIGITS:
        return None
    allowed = _ID_ENTITIES if prof.release == "id" else _NUMERIC_ENTITIES
    # A measure holding a 9-10 digit integer that validates as an SSN or a phone is not
    # taken on trust (a bare one scores low without context); declared-none columns keep
    # the stricter bar, or every 9-digit id column would read as SSNs.
    return _validated(digits, allowed, _WEAK if prof.release == "measure" else 0.5, scanner)


def _validated(digits: str, allowed: frozenset[str], bar: float, scanner: TextScanner) -> str | None:
    for rec in scanner.recognizers:
        if rec.entity in allowed:
            score = rec.match_value(digits)
            if score is not None and score >= bar:
                return rec.entity
    return None
