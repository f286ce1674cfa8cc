"""The column profiler: a verdict per (table, column, column type) from the column's
name, its Debezium logical type and a sample of its values, kept up to date as the
stream flows.

- Sampling: every non-null value until ``min_samples``, then one in ``sample_every``.
  A profile holds counters only, never values: memory per column is constant.
- Value evidence is the fraction of *sampled non-null rows* a validated recognizer
  matches (like AWS Glue's thresholdFraction), not the share among detections (one
  e-mail in 1,000 rows is 0.001, not 1.0). It is blended with name evidence
  (datahub-classify style) and every signal is kept in the verdict's evidence.
- Fail closed: a column is released (``clear``) only on *positive* evidence that it holds
  no personal data (:mod:`detectors.release`): its type, a measure/id name on a numeric
  type, or the shape of its values (numeric measures, small numbers, a few categories,
  event dates over a short span). "No detector fired in N samples" releases nothing: such
  a column stays ``withheld``. A released column keeps a per-value guard
  (:mod:`detectors.guard`); its first hit withholds the column again, for good.
- Personal data is sticky: once a column is PII it stays PII with the same entity. A
  strong column name (``email``, ``card_number``) holds a column sensitive on its own.
- Deterministic: ties between entities break by a fixed order, never by hash order.
- A schema change (the column's type changes) starts a fresh profile.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from detectors import decimals, guard
from detectors.identifiers import holds_labelled_name
from detectors.logical_types import logical_name
from detectors.recognizers.person import KNOWN, SHAPED, is_known_name, name_token, person_value_score
from detectors.recognizers.temporal import DateOfBirthRecognizer, birth_distribution_score
from detectors.release import event_time_name, measure_name
from detectors.scripts import letter_scripts, unread
from detectors.textscan import TextScanner, looks_like_sentences, parse_json_text
from detectors.vocabulary import CALENDAR_WORDS, FREE_TEXT, contradicted, name_evidence, quasi_identifier
from pipeline.vocabulary import VerdictState

# The verdict states (pipeline.vocabulary.VerdictState), by the short names this package uses.
PENDING = VerdictState.PENDING
WITHHELD = VerdictState.WITHHELD
CLEAR = VerdictState.CLEAR
QUASI = VerdictState.QUASI
PII = VerdictState.PII
FREE = VerdictState.FREE_TEXT
JSON = VerdictState.JSON
STRONG_NAME = 0.85  # a column name this strong holds the column sensitive on its own
_PLACE_NAME = 0.6  # name evidence of a place that makes precise degrees a position

VALUE_ENTITIES = frozenset(
    {
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "IBAN_CODE",
        "US_SSN",
        "IP_ADDRESS",
        "URL",
        "CRYPTO",
        "DATE_OF_BIRTH",
    }
)
_NAME_SHAPED = re.compile(r"[A-Z\u00C0-\u00DE][a-z\u00DF-\u00FF'\-]+(?: [A-Z\u00C0-\u00DE][a-z\u00DF-\u00FF'\-]+){0,3}")


def _name_vote(text: str) -> bool:
    """A text the column's NER votes read: shaped like a name, and no month or weekday."""
    return _NAME_SHAPED.fullmatch(text) is not None and text.lower() not in CALENDAR_WORDS


_NUMERIC = frozenset({"int8", "int16", "int32", "int64", "float32", "float64", "double", "float"})
_GEO = frozenset(
    {"io.debezium.data.geometry.Point", "io.debezium.data.geometry.Geometry", "io.debezium.data.geometry.Geography"}
)
_DATES = frozenset(
    {
        "io.debezium.time.Date",
        "org.apache.kafka.connect.data.Date",
        "io.debezium.time.Timestamp",
        "io.debezium.time.MicroTimestamp",
        "io.debezium.time.NanoTimestamp",
        "io.debezium.time.ZonedTimestamp",
        "org.apache.kafka.connect.data.Timestamp",
        "io.debezium.time.IsoDate",
        "io.debezium.time.IsoTimestamp",
    }
)
_DECIMALS = frozenset({"org.apache.kafka.connect.data.Decimal", "io.debezium.data.VariableScaleDecimal"})
_NEVER_PII = frozenset(
    {
        "io.debezium.data.Uuid",
        "io.debezium.data.Enum",
        "io.debezium.data.EnumSet",
        "io.debezium.data.Bits",
        "io.debezium.time.Time",
        "io.debezium.time.MicroTime",
        "io.debezium.time.NanoTime",
        "io.debezium.time.ZonedTime",
        "io.debezium.time.MicroDuration",
        "io.debezium.time.Interval",
    }
)


_ENTITY_ORDER = (
    "CREDENTIAL",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "IP_ADDRESS",
    "CRYPTO",
    "US_BANK_NUMBER",
    "US_PASSPORT",
    "US_DRIVER_LICENSE",
    "NATIONAL_ID",
    "DEVICE_ID",
    "VEHICLE_ID",
    "TAX_ID",
    "MEDICAL_LICENSE",
    "DATE_OF_BIRTH",
    "PERSON",
    "LOCATION",
    "NRP",
    "URL",
)


def _rank(entity: str) -> int:
    """Fixed tie-break order between entities (never hash or insertion order)."""
    try:
        return len(_ENTITY_ORDER) - _ENTITY_ORDER.index(entity)
    except ValueError:
        return 0


@dataclass(frozen=True)
class DetectionSettings:
    min_samples: int = 100
    sample_every: int = 20
    enter: float = 0.6
    strong_fraction: float = 0.1  # validated matches in this share of rows make a column PII
    prose_fraction: float = 0.3
    ner_samples: int = 40
    ner_fraction: float = 0.5  # NER votes on name-shaped values that make a PERSON/LOCATION column
    max_profiles: int = 20_000
    categories: int = 20  # at most this many distinct values (and 1 in 5 samples) is categorical
    event_span_days: int = 730  # dates spanning less than this are event dates, not births


@dataclass(frozen=True)
class Verdict:
    state: str  # pending | withheld | clear | quasi | pii | free_text | json
    entity: str | None = None
    confidence: float = 0.0
    samples: int = 0
    evidence: tuple[tuple[str, float], ...] = ()
    named: bool = False  # PII on the strength of the column's name alone (no value evidence yet)

    @property
    def is_sensitive(self) -> bool:
        return self.state != CLEAR

    def describe(self) -> str:
        return self.state if self.entity is None else f"{self.state}:{self.entity}"


def type_key(field: dict[str, Any] | None) -> str:
    """What of a column's schema its profile depends on: a change makes a new profile
    (withheld until sampled again). The type and logical name, and how values are read
    under them: a decimal's scale (4111111111111111 under scale 2 reads as no card), an
    enum's symbols (by a digest: values outside them break its release)."""
    if field is None:
        return "schemaless"
    key = f"{field.get('type')}/{field.get('name') or ''}"
    logical = logical_name(field)
    if logical == "org.apache.kafka.connect.data.Decimal":
        key += f"/{decimals.scale_of(field)}"
    elif logical in ENUMS:
        key += f"/{zlib.crc32(repr(_allowed(field)).encode('utf-8', 'surrogatepass')):08x}"
    return key


ENUMS = frozenset({"io.debezium.data.Enum", "io.debezium.data.EnumSet"})


def _allowed(field: dict[str, Any] | None) -> frozenset[str] | None:
    """An enum's symbols (Debezium's ``allowed`` parameter), or None when it has none."""
    params = (field or {}).get("parameters")
    allowed = params.get("allowed") if isinstance(params, dict) else None
    return frozenset(allowed.split(",")) if isinstance(allowed, str) else None


VOTED_ENTITIES = frozenset({"PERSON", "LOCATION", "NRP"})  # found by NER votes and name lists, not validators
_MIN_DIGITS = {"PHONE_NUMBER": 7, "CREDIT_CARD": 12, "US_SSN": 9, "IBAN_CODE": 12}  # fewer is not one
_DOB = DateOfBirthRecognizer()
_MIN_VOTES = 5  # NER votes (on distinct values) before their share counts
_NAME_CHECKS = 200  # short values checked against the name lists per profile (then counters only)
_KNOWN_NAMES = 0.5  # share of people's names that makes a PERSON column (cities score 0.1-0.36)
_RELEASED_BY_TYPE = ("type", "bool", "measure", "id", "event_time")
_TYPE_DECIDED = frozenset({*_RELEASED_BY_TYPE, "geo", "dob"})
_MIN_NAME_TOKENS = 5  # distinct one-word values before their shares count
_KNOWN_TOKENS = 0.3  # share of known first names or surnames among them ...
_NAME_TOKENS = 0.75  # ... and of those with name-shaped unknown words (cities: 0.3-0.65)
_EARLY_FRACTION = 0.9  # share of validated values that decides a column ...
_PII_SPACING = 100  # a column decided personal for good: one value in 100 x sample_every
_DECIDED = frozenset({PII, CLEAR, FREE, JSON})  # sampled one value in 10 x sample_every
_EARLY_VALUES = 5  # ... after this many values (a small table never reaches min_samples)
_EARLY_SCORE = 0.8
_EMBEDDED = 0.3  # share of short values holding a validated entity inside that makes it PII
_DISTINCT_LIMIT = 64  # distinct sampled values tracked (as hashes) for the categorical test


class ColumnProfile:
    __slots__ = (
        "birth_decades",
        "bools",
        "column",
        "contra",
        "coordinates",
        "date_max",
        "date_min",
        "dates",
        "distinct",
        "embedded",
        "floats",
        "fractional",
        "guard_hit",
        "guard_seen",
        "int_digits",
        "ints",
        "json_docs",
        "json_hits",
        "logical",
        "max_len",
        "name",
        "name_checked",
        "name_known",
        "name_shaped",
        "name_tokens",
        "ner_checked",
        "ner_location",
        "ner_person",
        "next_sample",
        "numeric_text",
        "prose",
        "release",
        "sampled",
        "scale",
        "scripts",
        "seen",
        "settings",
        "strings",
        "strong",
        "symbols",
        "table",
        "text_hits",
        "timeofday",
        "titled",
        "type_hint",
        "unknown_words",
        "verdict",
        "weak",
    )

    def __init__(self, table: str, column: str, field: dict[str, Any] | None, settings: DetectionSettings) -> None:
        self.table = table
        self.column = column
        self.settings = settings
        self.name = name_evidence(column)
        self.contra = contradicted(column)
        self.logical = logical_name(field)  # "" when its base type is not the logical type's
        self.symbols = _allowed(field) if self.logical in ENUMS else None  # an enum's values
        self.scale = decimals.scale_of(field)  # of a Connect Decimal's values
        self.type_hint = _type_hint(field, column, self.name)
        self.seen = 0
        self.sampled = 0
        self.next_sample = 1
        self.strings = 0
        self.prose = 0
        self.json_docs = 0
        self.ner_checked = 0
        self.ner_person = 0
        self.ner_location = 0
        self.bools = 0
        self.ints = 0
        self.int_digits = 0  # the most digits an integer value had
        self.floats = 0
        self.fractional = 0
        self.numeric_text = 0  # strings that are plain decimal numbers with a fraction
        self.coordinates = 0  # ... and numbers with 4+ decimals within +-180: degrees of a position
        self.max_len = 0
        self.scripts: set[str] = set()  # of the sampled text's letters until the column is released
        self.titled = 0  # ... and its values shaped as capitalised words ('Gold Plus', 'Jane Roe')
        self.unknown_words = 0  # ... or as words no English has ('kenji okafor', 'nike airmax')
        self.dates = 0
        self.date_min: int | None = None
        self.date_max: int | None = None
        self.timeofday = 0
        self.name_checked = 0  # distinct short text values checked against the public name lists
        self.name_known = 0  # ... that were people's names
        self.name_tokens = 0  # ... one-word values that were known first names or surnames
        self.name_shaped = 0  # ... one-word values written like a name, unknown to the lists and to English
        self.birth_decades: dict[int, int] = {}  # dates of birth as text, counted per decade
        self.distinct: set[int] = set()
        self.guard_seen: set[int | tuple[int]] = set()  # guard._memo of values that passed
        self.guard_hit: str | None = None
        self.release: str | None = None  # why the column is released (clear), if it is
        self.strong: dict[str, int] = {}
        self.weak: dict[str, int] = {}
        self.text_hits: dict[str, int] = {}
        self.embedded: dict[str, int] = {}  # short, non-prose values holding an entity inside
        self.json_hits: dict[str, int] = {}
        self.verdict = self._initial_verdict()

    def _initial_verdict(self) -> Verdict:
        hint = self.type_hint
        quasi = quasi_identifier(self.column) if hint in _RELEASED_BY_TYPE else None
        if quasi is not None:
            # Its type rules out a direct identifier, not what its name says it is: a
            # gender enum, an age in years, a country code are quasi-identifiers, handled
            # as the same columns sent as text are (detection.quasi_identifiers).
            return Verdict(QUASI, quasi, 1.0, 0, ((f"type:{hint}", 1.0), (f"name:{quasi}", 1.0)))
        if hint in _RELEASED_BY_TYPE:
            self.release = hint
            return Verdict(CLEAR, None, 1.0, 0, ((f"release:{hint}", 1.0),))
        if hint == "geo":
            return Verdict(PII, "LOCATION", 1.0, 0, (("type:geometry", 1.0),))
        if hint == "dob":
            return Verdict(
                PII,
                "DATE_OF_BIRTH",
                0.9,
                0,
                (("type:date", 1.0), ("name:DATE_OF_BIRTH", self.name.get("DATE_OF_BIRTH", 0))),
            )
        if hint == "json":
            return Verdict(JSON, None, 0.9, 0, (("type:Json", 1.0),))
        strong = self._strong_name()
        if strong is not None:
            return Verdict(PII, strong, self.name[strong], 0, ((f"name:{strong}", self.name[strong]),), named=True)
        return Verdict(PENDING)

    def _strong_name(self) -> str | None:
        """An entity the column's name alone says, strongly enough to hold it sensitive."""
        if self.type_hint == "opaque":
            return None  # bytes: a name says little about what the bytes hold
        best = [(w, _rank(e), e) for e, w in self.name.items() if e != FREE_TEXT and w >= STRONG_NAME]
        return max(best)[2] if best else None

    # -- sampling -----------------------------------------------------------------------

    def sample(self, value: Any, scanner: TextScanner) -> bool:
        """Analyse one sampled value; True when the verdict changed."""
        s = self.settings
        if self.type_hint in _TYPE_DECIDED:
            self.sampled += 1  # the type (with the name) decided; the guard checks released values
            self.next_sample = self.seen + 1000
            return False
        if self.sampled < s.min_samples:
            self.next_sample = self.seen + 1
        elif self.verdict.state == PII and not (self.verdict.named and self.verdict.entity in _MIN_DIGITS):
            # Personal data is sticky: a sample changes no more than the evidence shown
            # (and costs a model call on a name column). Only a number entity held by its
            # column's name alone may yet turn out a count (_numbers_too_short).
            self.next_sample = self.seen + _PII_SPACING * s.sample_every
        elif self.verdict.state in _DECIDED:
            # Decided: samples only keep the evidence current. Each value is judged on its
            # own anyway: a released one by the guard, prose and documents withheld or
            # redacted by a scan of every value; a sample of prose costs a whole scan. Not a
            # quasi-identifier: its samples alone turn it personal on weak evidence the guard
            # lets through (surnames in a city column, by the name lists).
            self.next_sample = self.seen + 10 * s.sample_every
        else:
            self.next_sample = self.seen + s.sample_every
        self.sampled += 1
        if self.logical in decimals.LOGICAL:
            number = decimals.number(self.logical, self.scale, value)
            value = value if number is None else number  # one that is no decimal: as it came
        if self.type_hint in ("date", "timestamp") and not isinstance(value, bool):
            self._temporal(value)
        elif isinstance(value, bool):
            self.bools += 1
        elif isinstance(value, int | float):
            self._number(value, scanner)
        elif isinstance(value, str):
            new = self._remember_distinct(value)
            self.max_len = max(self.max_len, len(value))
            self._text(value, scanner, numeric=False, new=new)
        elif isinstance(value, dict | list):
            self.json_docs += 1
            self._json(value, scanner)
        if self.sampled >= 4 * max(1, s.min_samples) and self.sampled % (4 * max(1, s.min_samples)) == 0:
            self._halve()
        if self.sampled <= s.min_samples or self.sampled % 10 == 0:
            return self._decide()
        return False

    def votes_on(self, value: Any) -> bool:
        """Whether sampling ``value`` next would put it to an NER vote, as far as can be
        told before its sample: the column is in its first ``min_samples`` values (each
        one sampled), has votes left, and the value is a new name-shaped text. A guess,
        for fetching the labels of a batch's votes in one model call
        (:meth:`Profiler.vote_values`); the vote itself is decided by :meth:`_text`."""
        s = self.settings
        return (
            type(value) is str
            and self.sampled < s.min_samples
            and self.ner_checked < s.ner_samples
            and self.type_hint not in _TYPE_DECIDED
            and self.type_hint not in ("date", "timestamp")
            and self.logical not in decimals.LOGICAL
            and _name_vote(value)
            and (len(self.distinct) > _DISTINCT_LIMIT or hash(value) not in self.distinct)
        )

    def _remember_distinct(self, value: Any) -> bool:
        """Count a distinct value (as a hash); True when it is new or the set is full."""
        if len(self.distinct) > _DISTINCT_LIMIT:
            return True
        h = hash(value)
        if h in self.distinct:
            return False
        self.distinct.add(h)
        return True

    def _number(self, value: int | float, scanner: TextScanner) -> None:
        self._remember_distinct(value)
        if isinstance(value, float) and not value.is_integer():
            self.floats += 1
            self.fractional += 1
            self._coordinate(value)
            return  # a measure: a float with a fraction is not a phone, a card or an SSN
        if isinstance(value, float):
            self.floats += 1
            if abs(value) >= 1e19:
                self.int_digits = max(self.int_digits, 20)
                return
            value = int(value)
        else:
            self.ints += 1
        digits = len(str(abs(value))) if abs(value) < 10**40 else 41
        self.int_digits = max(self.int_digits, digits)
        if digits >= 7:
            self._text(str(abs(value)), scanner, numeric=True)

    def _temporal(self, value: Any) -> None:
        """Dates as days since the epoch; timestamps as ms/µs/ns since the epoch; ISO text."""
        if isinstance(value, str):
            try:
                day = date.fromisoformat(value[:10]).toordinal() - _EPOCH_ORDINAL
            except ValueError:
                return  # not a date: counts as nothing, so the column cannot be released
            self.dates += 1
            if len(value) > 11 and value[11:19].strip("0:") != "":
                self.timeofday += 1
        elif not isinstance(value, int | float):
            return
        elif self.type_hint == "date":
            self.dates += 1
            day = int(value)
        else:
            self.dates += 1
            day, rest = divmod(int(value), guard.ticks_per_day(self.logical))
            if rest:
                self.timeofday += 1
        self.date_min = day if self.date_min is None else min(self.date_min, day)
        self.date_max = day if self.date_max is None else max(self.date_max, day)

    def _text(self, text: str, scanner: TextScanner, numeric: bool, new: bool = True) -> None:
        self.strings += 1
        if not numeric and self.release is None:
            # the scripts a release is granted on: the guard holds new values to them
            self.scripts |= letter_scripts(text)
            if guard.titled_words(text):
                self.titled += 1
            if guard.unknown_words(text):
                self.unknown_words += 1
        hit = False
        digits = -1
        for entity, score in scanner.value_scores(text):  # on the normalised value
            need = _MIN_DIGITS.get(entity)
            if need is not None:
                digits = digits if digits >= 0 else sum(c.isdigit() for c in text)
                if digits < need:
                    continue  # a 5-digit code is not a phone number
            hit = True
            if score >= 0.5:
                self.strong[entity] = self.strong.get(entity, 0) + 1
            else:
                self.weak[entity] = self.weak.get(entity, 0) + 1
        if self.weak.get("DATE_OF_BIRTH") and not numeric:
            year = _DOB.birth_year(text)
            if year is not None:
                decade = year - year % 10
                self.birth_decades[decade] = self.birth_decades.get(decade, 0) + 1
        if hit or numeric:
            return
        if _DECIMAL_TEXT.fullmatch(text.strip()):
            self.numeric_text += 1
            self._coordinate(float(text.strip().replace(",", ".")))
            return
        doc = parse_json_text(text)
        if doc is not None:
            self.json_docs += 1
            self._json(doc, scanner)
            return
        if looks_like_sentences(text):
            self.prose += 1
            for f in scanner.find(text, prose=False):
                self.text_hits[f.entity] = self.text_hits.get(f.entity, 0) + 1
            return
        for entity in sorted({f.entity for f in scanner.find(text, prose=False)}):
            # 'Roe, Jane <jroe@example.com>', 'call 0151 496 0000 after 6': not the whole value
            self.embedded[entity] = self.embedded.get(entity, 0) + 1
            self.text_hits[entity] = self.text_hits.get(entity, 0) + 1
        if new and self.name_checked < _NAME_CHECKS and len(text) <= 64:
            # distinct values only: one product name repeated is not a column of people
            self.name_checked += 1
            if _names_in(text):
                self.name_known += 1
            token = name_token(text)
            if token == KNOWN:
                self.name_tokens += 1
            elif token == SHAPED:
                self.name_shaped += 1
        if (
            new  # votes on distinct values: one category repeated 40 times is one vote
            and scanner.ner is not None
            and self.ner_checked < self.settings.ner_samples
            and _name_vote(text)
        ):
            self.ner_checked += 1
            label = scanner.value_label(text)
            if label == "PERSON":
                self.ner_person += 1
            elif label == "LOCATION":
                self.ner_location += 1

    def _json(self, doc: Any, scanner: TextScanner) -> None:
        found: list[tuple[str, str]] = []
        scanner.redact_json(doc, None, found)
        for path, entity in found:
            key = f"{path}:{entity}"
            if len(self.json_hits) < 64 or key in self.json_hits:
                self.json_hits[key] = self.json_hits.get(key, 0) + 1

    def _halve(self) -> None:
        for counter in (self.strong, self.weak, self.text_hits, self.json_hits, self.embedded):
            for k in counter:
                counter[k] //= 2
        self.sampled //= 2
        self.strings //= 2
        self.prose //= 2
        self.json_docs //= 2
        self.bools //= 2
        self.ints //= 2
        self.floats //= 2
        self.fractional //= 2
        self.coordinates //= 2
        self.numeric_text //= 2
        self.dates //= 2
        self.timeofday //= 2
        for decade in self.birth_decades:
            self.birth_decades[decade] //= 2

    # -- the guard ------------------------------------------------------------------------

    def withhold(self, reason: str) -> None:
        """The guard's hit (an entity, or a reason the release no longer holds): the
        column is withheld for good."""
        self.guard_hit = reason
        self.release = None
        entity = reason if reason not in (guard.CARDINALITY, guard.SHAPE) else None
        evidence = (*self.verdict.evidence, (f"guard:{reason}", 1.0))
        if entity is not None:
            self.verdict = Verdict(PII, entity, 1.0, self.sampled, evidence)
        else:
            self.verdict = Verdict(WITHHELD, None, 1.0, self.sampled, evidence)

    # -- verdict --------------------------------------------------------------------------

    def scores(self) -> dict[str, float]:
        n = max(1, self.sampled)
        out: dict[str, float] = {}
        for entity in sorted(set(self.strong) | set(self.weak) | (set(self.name) - {FREE_TEXT})):
            name = self.name.get(entity, 0.0)
            if entity in VALUE_ENTITIES:
                strong = self.strong.get(entity, 0) / n
                value = min(1.0, strong + 0.5 * self.weak.get(entity, 0) / n)
                score = 0.7 * value + 0.3 * name
                if strong >= self.settings.strong_fraction and n >= self.settings.min_samples // 2:
                    score = max(score, self.settings.enter)
                if strong >= _EARLY_FRACTION and n >= _EARLY_VALUES:
                    score = max(score, _EARLY_SCORE)  # nearly every value validated: no need to wait
                formatted = (self.strong.get(entity, 0) + self.weak.get(entity, 0)) / n
                if entity == "CREDIT_CARD" and formatted >= _EARLY_FRACTION and n >= self.settings.min_samples // 2:
                    score = max(score, self.settings.enter)  # card-formatted numbers, checksums or not
                if entity in self.contra:
                    score *= 0.5  # the name explains the values otherwise
            else:
                ner = 0.0
                if self.ner_checked >= _MIN_VOTES:
                    hits = self.ner_person if entity == "PERSON" else self.ner_location if entity == "LOCATION" else 0
                    ner = hits / self.ner_checked
                score = max(0.9 * name if name >= 0.85 else 0.6 * name, 0.85 * ner + 0.15 * name if ner else 0.0)
                rows = self.strong.get(entity, 0) / n  # validated values: addresses, names with titles
                if rows:
                    score = max(score, 0.85 * min(1.0, rows + 0.5 * self.weak.get(entity, 0) / n) + 0.15 * name)
                    if rows >= max(self.settings.strong_fraction, 0.3) and n >= self.settings.min_samples // 2:
                        score = max(score, self.settings.enter)
            out[entity] = round(score, 3)
        if self.name_checked >= 10:
            frac = self.name_known / self.name_checked
            if frac >= _KNOWN_NAMES:  # mostly people's names by the public name lists
                score = max(self.settings.enter, 0.85 * frac + 0.15 * self.name.get("PERSON", 0.0))
                out["PERSON"] = max(out.get("PERSON", 0.0), round(score, 3))
        if self.strings >= _EARLY_VALUES:
            for entity, hits in self.embedded.items():
                frac = hits / self.strings
                if frac >= _EMBEDDED:  # values that hold an e-mail, a phone, a card inside
                    score = max(self.settings.enter, 0.6 + 0.3 * frac)
                    out[entity] = max(out.get(entity, 0.0), round(score, 3))
        if self.name_checked >= _MIN_NAME_TOKENS:
            # one-word first names or surnames from anywhere: some known to the lists, the
            # rest written like names and no English word ('Tratnik', 'Desrosiers')
            known = self.name_tokens / self.name_checked
            shaped = (self.name_tokens + self.name_shaped) / self.name_checked
            if known >= _KNOWN_TOKENS and shaped >= _NAME_TOKENS:
                score = max(self.settings.enter, 0.85 * shaped + 0.15 * self.name.get("PERSON", 0.0))
                out["PERSON"] = max(out.get("PERSON", 0.0), round(score, 3))
        births = sum(self.birth_decades.values())
        if births * 2 >= n and n >= self.settings.min_samples // 2:
            # a decade counts by its middle year: 2010-2019 are ages 7-16, not adults
            spread = birth_distribution_score({d + 5: c for d, c in self.birth_decades.items()})
            if spread >= 0.6:  # dates spread over decades of adult ages: births, not events
                score = max(self.settings.enter, 0.7 * spread + 0.3 * self.name.get("DATE_OF_BIRTH", 0.0))
                out["DATE_OF_BIRTH"] = max(out.get("DATE_OF_BIRTH", 0.0), round(score, 3))
        if self.ner_checked >= _MIN_VOTES:
            for entity, hits in (("PERSON", self.ner_person), ("LOCATION", self.ner_location)):
                frac = hits / self.ner_checked
                if frac >= self.settings.ner_fraction:
                    score = max(self.settings.enter, 0.85 * frac + 0.15 * self.name.get(entity, 0.0))
                    out[entity] = max(out.get(entity, 0.0), round(score, 3))
        return out

    def positive_evidence(self) -> str | None:
        """Why the sampled values show the column holds no personal data, or None."""
        s = self.settings
        n = self.sampled
        if n < s.min_samples or self.strong or self.text_hits or self.json_docs or self.prose:
            return None
        if self.bools == n:
            return "bool"
        numbers = self.ints + self.floats
        if self.dates == n and self.date_min is not None and self.date_max is not None:
            if self.type_hint == "timestamp" and self.timeofday * 2 >= n:
                return "event_times"
            if self.date_max - self.date_min < s.event_span_days:
                return "event_dates"
            return None
        if numbers == n:
            if self.fractional * 2 >= n:
                return None if self._positions() else "measure"
            if self.int_digits <= 6:
                return "small_numbers"
            return None
        if self.strings == n and self.numeric_text * 2 >= n and not self.weak:
            return None if self._positions() else "measure"
        if self.strings + numbers == n and self._categorical():
            return "categorical"
        return None

    def _coordinate(self, value: float) -> None:
        if abs(value) <= 180 and abs(value * 1000 - round(value * 1000)) > 1e-6:
            self.coordinates += 1

    def _positions(self) -> bool:
        """Latitudes or longitudes: a column whose name says a place ('latitude',
        'home_lng') holding degrees to four decimals or more (about 10 m). A precise
        position is where someone lives or is, not a measure to release."""
        return self.name.get("LOCATION", 0.0) >= _PLACE_NAME and self.coordinates * 2 >= max(1, self.sampled)

    def _numbers_seen(self) -> bool:
        """A sample held a number entity, validated, or weak as a bare SSN or card is."""
        return any(self.strong.get(e) for e in _NUMBER_ENTITIES) or any(self.weak.get(e) for e in _WEAK_NUMBERS)

    def _numbers_too_short(self, entity: str | None) -> bool:
        """Every sampled value a number with fewer digits than the entity ever has."""
        need = _MIN_DIGITS.get(entity or "")
        numbers = self.ints + self.floats
        return (
            need is not None
            and self.sampled >= self.settings.min_samples
            and numbers == self.sampled
            and (0 < self.int_digits < need)
        )

    def _repeated_places(self) -> bool:
        """At most 64 distinct values, each seen twice on average: states, regions,
        countries (a street address or a home town per row has far more)."""
        distinct = len(self.distinct)
        return distinct <= _DISTINCT_LIMIT and distinct * 2 <= self.sampled

    def _categorical(self) -> bool:
        s = self.settings
        distinct = len(self.distinct)
        if distinct > s.categories or distinct * 5 > self.sampled or self.max_len > guard.MAX_CATEGORY_LENGTH:
            return False
        if self.weak:
            return False
        if unread(self.scripts):
            return False  # categories the name lists and NER cannot read are no evidence
        # a handful of names (three sales reps) is still personal data
        if self.name_checked and self.name_known * 5 >= 2 * self.name_checked:
            return False
        return not (self.ner_checked and (self.ner_person + self.ner_location) * 5 >= 2 * self.ner_checked)

    def _decide(self) -> bool:
        s = self.settings
        n = self.sampled
        prev = self.verdict
        if self.guard_hit is not None:
            return False  # the guard's verdict is final
        scores = self.scores()
        strings = max(1, self.strings)
        prose = self.prose / strings
        json_frac = self.json_docs / max(1, n)
        evidence = [(f"rows:{e}", round(self.strong.get(e, 0) / max(1, n), 3)) for e in sorted(self.strong)]
        evidence += [(f"weak:{e}", round(self.weak.get(e, 0) / max(1, n), 3)) for e in sorted(self.weak)]
        evidence += [(f"inside:{e}", round(self.embedded[e] / strings, 3)) for e in sorted(self.embedded)]
        evidence += [(f"name:{e}", w) for e, w in sorted(self.name.items())]
        if self.ner_checked:
            evidence += [
                ("ner:PERSON", round(self.ner_person / self.ner_checked, 3)),
                ("ner:LOCATION", round(self.ner_location / self.ner_checked, 3)),
            ]
        if self.prose:
            evidence.append(("prose", round(prose, 3)))
        if self.json_docs:
            evidence.append(("json", round(json_frac, 3)))
        if self.distinct:
            evidence.append(("distinct", float(len(self.distinct))))
        best_entity, best = max(scores.items(), key=lambda kv: (kv[1], _rank(kv[0]), kv[0]), default=(None, 0.0))
        quasi = quasi_identifier(self.column)
        verdict: Verdict
        if prev.state == PII and prev.named and self._numbers_too_short(prev.entity):
            prev = Verdict(PENDING)  # Num_Credit_Card holding 3, 5, 7: a count, whatever its name says
        if prev.state == PII and prev.entity is not None:
            # personal data is sticky: the column never goes back out raw
            named = prev.named and not self.strong.get(prev.entity)  # still no value evidence
            confidence = max(prev.confidence, scores.get(prev.entity, 0.0))
            verdict = Verdict(PII, prev.entity, confidence, n, tuple(evidence), named=named)
        elif json_frac >= 0.5:
            leaf_entities: dict[str, int] = {}
            for key, hits in self.json_hits.items():
                entity = key.rsplit(":", 1)[1]
                leaf_entities[entity] = leaf_entities.get(entity, 0) + hits
            top = max(sorted(leaf_entities.items()), key=lambda kv: kv[1])[0] if leaf_entities else None
            evidence += [(f"json:{k}", float(v)) for k, v in sorted(self.json_hits.items())[:16]]
            verdict = Verdict(JSON, top, round(json_frac, 3), n, tuple(evidence))
        elif best_entity is not None and best >= s.enter and (n >= s.min_samples // 2 or best >= 0.8):
            voted = best_entity in VOTED_ENTITIES and not self.strong.get(best_entity)
            if best_entity == "PERSON" and self.name_checked and self.name_known * 2 >= self.name_checked:
                voted = False  # people's names by the public lists, whatever the column is called
            if voted and quasi in _PLACE_QUASI:
                # city names in a city column (NER calls some of them people: 'Jackson');
                # a person found in an employer or a job title column is a person
                verdict = Verdict(QUASI, quasi, best, n, tuple(evidence))
            elif voted and best_entity == "LOCATION" and n < s.min_samples:
                verdict = Verdict(PENDING, None, 0.0, n, tuple(evidence))  # withheld until repetition shows
            elif voted and best_entity == "LOCATION" and self._repeated_places():
                verdict = Verdict(QUASI, "region", best, n, tuple(evidence))  # states, countries: coarse places
            else:
                verdict = Verdict(PII, best_entity, best, n, tuple(evidence))
        elif (
            prose >= s.prose_fraction
            or (self.name.get(FREE_TEXT, 0) >= 0.6 and prose >= 0.1)
            or (prev.state == FREE and prose >= 0.05)
        ):
            verdict = Verdict(FREE, FREE_TEXT, round(max(prose, self.name.get(FREE_TEXT, 0)), 3), n, tuple(evidence))
        elif n >= s.min_samples and quasi is not None and not self._numbers_seen():
            # its name says what it is; values shaped as a number entity (bare SSNs in a
            # 'zip' column) say otherwise: judged as any other column, below
            verdict = Verdict(QUASI, quasi, 1.0, n, tuple(evidence))
        elif n >= s.min_samples:
            reason = self.positive_evidence()
            if reason is not None:
                self.release = reason
                evidence.append((f"release:{reason}", 1.0))
                verdict = Verdict(CLEAR, None, 1.0, n, tuple(evidence))
            else:
                self.release = None
                evidence.append(("release:none", 0.0))
                verdict = Verdict(WITHHELD, None, round(1.0 - best, 3), n, tuple(evidence))
        else:
            verdict = Verdict(PENDING, None, 0.0, n, tuple(evidence))
        if verdict.state != CLEAR:
            self.release = None
        changed = (verdict.state, verdict.entity) != (prev.state, prev.entity)
        self.verdict = verdict
        return changed


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Quasi-identifier categories of places: NER's votes on their values (a city NER reads as
# a person) are the category's, not a person's or a place's to withhold.
_PLACE_QUASI = frozenset({"city", "region", "postcode", "country", "nationality"})
_NUMBER_ENTITIES = ("US_SSN", "PHONE_NUMBER", "CREDIT_CARD", "US_BANK_NUMBER")
_WEAK_NUMBERS = ("US_SSN", "CREDIT_CARD")  # weak alone: a bare 7-digit postcode reads as a local phone


def _names_in(text: str) -> bool:
    """A person's name by the public name lists, or a list of them ('Mills, Cheryl D;
    Sullivan, Jacob J'): most parts of a ';'-separated value are names."""
    parts = [p.strip() for p in text.split(";") if p.strip()] if ";" in text else [text]
    hits = sum(1 for p in parts[:8] if _known_person(p))
    return hits * 2 > min(len(parts), 8)


def _known_person(part: str) -> bool:
    """A name by the lists: one word must be a known name that is not a lower-case
    English word ('white' in a colour column); several must all be names."""
    if " " not in part.strip() and "," not in part:
        return name_token(part) == KNOWN
    return is_known_name(part) or (person_value_score(part) or 0.0) >= 0.75 or holds_labelled_name(part)


_DECIMAL_TEXT = re.compile(r"[-+]?\d{1,15}[.,]\d{1,6}")


def _type_hint(field: dict[str, Any] | None, column: str, name: dict[str, float]) -> str | None:
    """What the column's type (with its name) says before any value is seen.

    ``type``/``bool``/``measure``/``id``/``event_time``: released at once (positive
    evidence); ``geo``/``dob``/``json``: sensitive at once; ``date``/``timestamp``:
    temporal values, judged on their span; ``opaque``: bytes, never released by values;
    None: judged on the values.
    """
    if field is None:
        return None
    logical = logical_name(field)
    ftype = field.get("type")
    strong_name = any(w >= STRONG_NAME for e, w in name.items() if e != FREE_TEXT)
    if logical in _GEO:
        return "geo"
    if logical in _DATES:
        if name.get("DATE_OF_BIRTH", 0) >= 0.8:
            return "dob"
        if event_time_name(column) and not strong_name:
            return "event_time"
        return "date" if logical in guard.DAY_DATES or logical == "io.debezium.time.IsoDate" else "timestamp"
    if logical == "io.debezium.data.Json":
        return "json"
    if logical in _DECIMALS:
        scale = (field.get("parameters") or {}).get("scale")
        if logical == "org.apache.kafka.connect.data.Decimal" and str(scale).isdigit() and int(scale) > 0:
            return None if strong_name else "measure"  # an amount with cents is a measure
        return None if strong_name or not measure_name(column) else "measure"
    if ftype == "bytes" and logical != "io.debezium.data.Bits":
        return "opaque"  # whatever else it is named: bytes can hold anything (Bits: read by the guard)
    if logical in ENUMS:
        symbols = _allowed(field)
        if symbols is None or any(guard.is_person_value(x) or guard.unknown_words(x) for x in symbols):
            return None  # an enum that names no symbols, or people: its values are judged
    if logical in _NEVER_PII:
        return None if strong_name else "type"
    if ftype == "boolean":
        return None if strong_name else "bool"
    if ftype in _NUMERIC and not strong_name and measure_name(column):
        return "id" if column.lower().endswith("id") or column.lower() == "pk" else "measure"
    return None


@dataclass
class VerdictChange:
    table: str
    column: str
    before: Verdict
    after: Verdict


@dataclass(slots=True)
class Generation:
    """How many times a table's verdicts changed. Whatever was compiled under an older
    value (schemas, plans) is stale. Holders keep the cell and read ``value``."""

    value: int = 0


GENERATIONS_MAX = 65_536  # tables with a generation cell of their own
_SHARED_CELLS = 1_024  # ... the tables past them share these, by a digest of the name


@dataclass
class Profiler:
    """Profiles of every observed column, and the tables whose verdicts changed."""

    settings: DetectionSettings = field(default_factory=DetectionSettings)
    scanner: TextScanner = field(default_factory=TextScanner)
    on_change: Callable[[VerdictChange], None] | None = None
    # Why an earlier run withheld a column for good (None: it did not), read when its
    # profile is made: a guard hit outlives the process that saw it.
    recall: Callable[[str, str], str | None] | None = None
    profiles: dict[tuple[str, str, str], ColumnProfile] = field(default_factory=dict)
    # (table, column) -> its newest profile, of those held (for vote_values)
    _newest: dict[tuple[str, str], ColumnProfile] = field(default_factory=dict)
    generations: dict[str, Generation] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    sampling: bool = True  # off while a record is treated again: its values were sampled once
    # Tables are as many as topics under a default declaration: past GENERATIONS_MAX a
    # table shares a cell with others (a change in any of them has them all compile
    # again: slower, never stale). A table's cell never changes: holders keep it.
    shared_cells: tuple[Generation, ...] = field(
        default_factory=lambda: tuple(Generation() for _ in range(_SHARED_CELLS))
    )

    def listen(self, callback: Callable[[VerdictChange], None]) -> None:
        """Call ``callback`` on every verdict change too, after the listeners already set
        (one listener set after another must not silence it: the verdicts file writes a
        guard hit down, the log says it)."""
        then = self.on_change
        if then is None:
            self.on_change = callback
            return

        def both(change: VerdictChange) -> None:
            then(change)
            callback(change)

        self.on_change = both

    def profile(self, table: str, column: str, fld: dict[str, Any] | None) -> ColumnProfile:
        key = (table, column, type_key(fld))
        prof = self.profiles.get(key)
        if prof is None:
            if len(self.profiles) >= self.settings.max_profiles:
                # the oldest profile goes (its column starts over, withheld until sampled
                # again), not all of them: a stream of new columns costs the others nothing
                oldest = self.profiles.pop(next(iter(self.profiles)))
                if self._newest.get((oldest.table, oldest.column)) is oldest:
                    del self._newest[(oldest.table, oldest.column)]
            prof = self.profiles[key] = self._newest[(table, column)] = ColumnProfile(table, column, fld, self.settings)
            reason = self.recall(table, column) if self.recall is not None else None
            if reason is not None:
                prof.withhold(reason)  # withheld for good by an earlier run (pipeline.runtime.verdictmemory)
        return prof

    def vote_values(self, table: str, rows: Iterable[dict[str, Any]]) -> list[str]:
        """The values of ``rows`` (rows of ``table`` a batch is about to sample, in order)
        that its columns would put to NER votes (:meth:`ColumnProfile.votes_on`), each
        column's at most as many as it has votes left, within the values it has left to
        sample one by one. Their labels are then fetched in one model call
        (:meth:`TextScanner.fetch_labels`): a vote is cast at the same moment, with the
        same label, only cheaper. Columns with no profile yet are left out."""
        s = self.settings
        found: dict[str, None] = {}
        planned: dict[str, tuple[ColumnProfile, set[str], list[int]]] = {}
        newest = self._newest
        for row in rows:
            for column, value in row.items():
                if value is None:
                    continue
                plan = planned.get(column)
                if plan is None:
                    prof = newest.get((table, column))
                    if prof is None:
                        continue
                    plan = planned[column] = (prof, set(), [s.min_samples - prof.sampled])
                prof, mine, left = plan
                if left[0] <= 0:
                    continue  # past its first min_samples: sampled one in many
                left[0] -= 1
                if prof.votes_on(value) and value not in mine and prof.ner_checked + len(mine) < s.ner_samples:
                    mine.add(value)
                    found[value] = None
        return list(found)

    def generation(self, table: str) -> Generation:
        cell = self.generations.get(table)
        if cell is None:
            if len(self.generations) >= GENERATIONS_MAX:
                return self.shared_cells[zlib.crc32(table.encode("utf-8", "surrogatepass")) % _SHARED_CELLS]
            cell = self.generations[table] = Generation()
        return cell

    def observe(self, prof: ColumnProfile, value: Any) -> None:
        """Count a non-null value and sample it when due."""
        prof.seen += 1
        if prof.seen >= prof.next_sample:
            self.take(prof, value)

    def take(self, prof: ColumnProfile, value: Any) -> None:
        """Analyse a value the caller has counted (``prof.seen``) and found due."""
        before = prof.verdict
        if prof.sample(value, self.scanner):
            self.generation(prof.table).value += 1
            if self.on_change is not None:
                self.on_change(VerdictChange(prof.table, prof.column, before, prof.verdict))

    def guard(self, prof: ColumnProfile, value: Any) -> bool:
        """Check a value of a released (or declared ``none``) column before it goes out;
        True when it broke the release (the column is withheld from now on: whoever
        holds rules compiled under the old generation treats the record again)."""
        reason = guard.check(prof, value, self.scanner)
        if reason is None:
            return False
        self.withhold(prof, reason)
        return True

    def withhold(self, prof: ColumnProfile, reason: str) -> None:
        """A guard hit found by the caller: withhold the column and bump the generation.
        A hit for the reason the column is already withheld for changes no rule (a column
        declared none under ``drift: report`` stays guarded and passes): no new generation,
        or its record would be treated again until it is dead-lettered unsettled."""
        if prof.guard_hit == reason:
            return
        before = prof.verdict
        prof.withhold(reason)
        self.generation(prof.table).value += 1
        if self.on_change is not None:
            self.on_change(VerdictChange(prof.table, prof.column, before, prof.verdict))
        return True

    def unmatched(self, prof: ColumnProfile, entity: str) -> bool:
        """A declared entity the recognizers never matched in a full sample."""
        return (
            entity in VALUE_ENTITIES
            and prof.sampled >= self.settings.min_samples
            and not prof.strong.get(entity)
            and not prof.weak.get(entity)
            and prof.json_docs == 0
        )
