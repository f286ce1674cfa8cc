"""The column profiler: a verdict per (table, column, column type) from the column's
name, its Debezium logical type and a sample of its values, kept up to date as the
stream flows.

- Sampling: every non-null value until ``min_samples``, then one in ``sample_every``.
  A profile holds counters only, never values: memory per column is constant.
- Value evidence is the fraction of *sampled non-null rows* a validated recognizer
  matches (like AWS Glue's thresholdFraction), not the share among detections (one
  e-mail in 1,000 rows is 0.001, not 1.0). It is blended with name evidence
  (datahub-classify style) and every signal is kept in the verdict's evidence.
- Hysteresis: a column enters PII at ``enter`` and leaves only below ``leave`` after
  twice the minimum sample; counters halve periodically so recent values weigh more.
- A schema change (the column's type changes) starts a fresh profile.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from detectors.textscan import TextScanner, looks_like_prose, parse_json_text
from detectors.vocabulary import FREE_TEXT, contradicted, name_evidence

PENDING = "pending"
CLEAR = "clear"
PII = "pii"
FREE = "free_text"
JSON = "json"

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
        "org.apache.kafka.connect.data.Decimal",
        "io.debezium.data.VariableScaleDecimal",
    }
)


@dataclass(frozen=True)
class DetectionSettings:
    min_samples: int = 100
    sample_every: int = 20
    enter: float = 0.6
    leave: float = 0.25
    strong_fraction: float = 0.1  # validated matches in this share of rows make a column PII
    prose_fraction: float = 0.3
    ner_samples: int = 40
    ner_fraction: float = 0.5  # NER votes on name-shaped values that make a PERSON/LOCATION column
    max_profiles: int = 20_000


@dataclass(frozen=True)
class Verdict:
    state: str  # pending | clear | pii | free_text | json
    entity: str | None = None
    confidence: float = 0.0
    samples: int = 0
    evidence: tuple[tuple[str, float], ...] = ()

    @property
    def is_sensitive(self) -> bool:
        return self.state in (PII, FREE, JSON) or self.state == PENDING

    def describe(self) -> str:
        return self.state if self.entity is None else f"{self.state}:{self.entity}"


def type_key(field: dict[str, Any] | None) -> str:
    if field is None:
        return "schemaless"
    return f"{field.get('type')}/{field.get('name') or ''}"


class ColumnProfile:
    __slots__ = (
        "column",
        "contra",
        "json_docs",
        "json_hits",
        "name",
        "ner_checked",
        "ner_location",
        "ner_person",
        "next_sample",
        "prose",
        "sampled",
        "seen",
        "settings",
        "strings",
        "strong",
        "table",
        "text_hits",
        "type_hint",
        "verdict",
        "weak",
    )

    def __init__(self, table: str, column: str, field: dict[str, Any] | None, settings: DetectionSettings) -> None:
        self.table = table
        self.column = column
        self.settings = settings
        self.name = name_evidence(column)
        self.contra = contradicted(column)
        self.type_hint = _type_hint(field, self.name)
        self.seen = 0
        self.sampled = 0
        self.next_sample = 1
        self.strings = 0
        self.prose = 0
        self.json_docs = 0
        self.ner_checked = 0
        self.ner_person = 0
        self.ner_location = 0
        self.strong: dict[str, int] = {}
        self.weak: dict[str, int] = {}
        self.text_hits: dict[str, int] = {}
        self.json_hits: dict[str, int] = {}
        self.verdict = self._initial_verdict()

    def _initial_verdict(self) -> Verdict:
        hint = self.type_hint
        if hint == "never":
            return Verdict(CLEAR, None, 1.0, 0, (("type", 1.0),))
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
        return Verdict(PENDING)

    # -- sampling -----------------------------------------------------------------------

    def sample(self, value: Any, scanner: TextScanner) -> bool:
        """Analyse one sampled value; True when the verdict changed."""
        s = self.settings
        if self.type_hint in ("never", "geo", "dob"):
            self.sampled += 1  # the type decided: nothing in a value can change it
            self.next_sample = self.seen + 1000
            return False
        if self.sampled < s.min_samples:
            self.next_sample = self.seen + 1
        elif self.verdict.state == PII:
            # Already treated as personal data: samples only guard the way back out.
            self.next_sample = self.seen + 10 * s.sample_every
        else:
            self.next_sample = self.seen + s.sample_every
        self.sampled += 1
        if isinstance(value, bool):
            pass
        elif isinstance(value, int | float):
            self._text(str(value), scanner, numeric=True)
        elif isinstance(value, str):
            self._text(value, scanner, numeric=False)
        elif isinstance(value, dict | list):
            self.json_docs += 1
            self._json(value, scanner)
        if self.sampled >= 4 * max(1, s.min_samples) and self.sampled % (4 * max(1, s.min_samples)) == 0:
            self._halve()
        if self.sampled <= s.min_samples or self.sampled % 10 == 0:
            return self._decide()
        return False

    def _text(self, text: str, scanner: TextScanner, numeric: bool) -> None:
        self.strings += 1
        hit = False
        for rec in scanner.recognizers:
            score = rec.match_value(text)
            if score is None:
                continue
            hit = True
            if score >= 0.5:
                self.strong[rec.entity] = self.strong.get(rec.entity, 0) + 1
            else:
                self.weak[rec.entity] = self.weak.get(rec.entity, 0) + 1
        if hit or numeric:
            return
        doc = parse_json_text(text)
        if doc is not None:
            self.json_docs += 1
            self._json(doc, scanner)
            return
        if looks_like_prose(text):
            self.prose += 1
            for f in scanner.find(text, prose=False):
                self.text_hits[f.entity] = self.text_hits.get(f.entity, 0) + 1
            return
        if scanner.ner is not None and self.ner_checked < self.settings.ner_samples and _NAME_SHAPED.fullmatch(text):
            self.ner_checked += 1
            label = scanner.ner.label_values([text])[0]
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
        for counter in (self.strong, self.weak, self.text_hits, self.json_hits):
            for k in counter:
                counter[k] //= 2
        self.sampled //= 2
        self.strings //= 2
        self.prose //= 2
        self.json_docs //= 2

    # -- verdict --------------------------------------------------------------------------

    def scores(self) -> dict[str, float]:
        n = max(1, self.sampled)
        out: dict[str, float] = {}
        for entity in set(self.strong) | set(self.weak) | (set(self.name) - {FREE_TEXT}):
            name = self.name.get(entity, 0.0)
            if entity in VALUE_ENTITIES:
                strong = self.strong.get(entity, 0) / n
                value = min(1.0, strong + 0.5 * self.weak.get(entity, 0) / n)
                score = 0.7 * value + 0.3 * name
                if strong >= self.settings.strong_fraction and n >= self.settings.min_samples // 2:
                    score = max(score, self.settings.enter)
                if entity in self.contra:
                    score *= 0.5  # the name explains the values otherwise
            else:
                ner = 0.0
                if self.ner_checked:
                    hits = self.ner_person if entity == "PERSON" else self.ner_location if entity == "LOCATION" else 0
                    ner = hits / self.ner_checked
                score = max(0.9 * name if name >= 0.85 else 0.6 * name, 0.85 * ner + 0.15 * name if ner else 0.0)
            out[entity] = round(score, 3)
        if self.ner_checked >= 5:
            for entity, hits in (("PERSON", self.ner_person), ("LOCATION", self.ner_location)):
                frac = hits / self.ner_checked
                if frac >= self.settings.ner_fraction:
                    score = max(self.settings.enter, 0.85 * frac + 0.15 * self.name.get(entity, 0.0))
                    out[entity] = max(out.get(entity, 0.0), round(score, 3))
        return out

    def _decide(self) -> bool:
        s = self.settings
        n = self.sampled
        prev = self.verdict
        scores = self.scores()
        strings = max(1, self.strings)
        prose = self.prose / strings
        json_frac = self.json_docs / max(1, n)
        evidence = [(f"rows:{e}", round(self.strong.get(e, 0) / max(1, n), 3)) for e in sorted(self.strong)]
        evidence += [(f"weak:{e}", round(self.weak.get(e, 0) / max(1, n), 3)) for e in sorted(self.weak)]
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
        best_entity, best = max(scores.items(), key=lambda kv: kv[1], default=(None, 0.0))
        verdict: Verdict
        settled = n >= 2 * s.min_samples
        if json_frac >= 0.5:
            leaf_entities: dict[str, int] = {}
            for key, hits in self.json_hits.items():
                entity = key.rsplit(":", 1)[1]
                leaf_entities[entity] = leaf_entities.get(entity, 0) + hits
            top = max(leaf_entities.items(), key=lambda kv: kv[1])[0] if leaf_entities else None
            evidence += [(f"json:{k}", float(v)) for k, v in sorted(self.json_hits.items())[:16]]
            verdict = Verdict(JSON, top, round(json_frac, 3), n, tuple(evidence))
        elif prev.state == PII and prev.entity is not None and (not settled or scores.get(prev.entity, 0.0) >= s.leave):
            verdict = Verdict(PII, prev.entity, scores.get(prev.entity, prev.confidence), n, tuple(evidence))
        elif best_entity is not None and best >= s.enter and (n >= s.min_samples // 2 or best >= 0.8):
            verdict = Verdict(PII, best_entity, best, n, tuple(evidence))
        elif (
            prose >= s.prose_fraction
            or (self.name.get(FREE_TEXT, 0) >= 0.6 and prose >= 0.1)
            or (prev.state == FREE and (not settled or prose >= 0.05))
        ):
            verdict = Verdict(FREE, FREE_TEXT, round(max(prose, self.name.get(FREE_TEXT, 0)), 3), n, tuple(evidence))
        elif n >= s.min_samples:
            verdict = Verdict(CLEAR, None, round(1.0 - best, 3), n, tuple(evidence))
        else:
            verdict = Verdict(PENDING, None, 0.0, n, tuple(evidence))
        changed = (verdict.state, verdict.entity) != (prev.state, prev.entity)
        self.verdict = verdict
        return changed


def _type_hint(field: dict[str, Any] | None, name: dict[str, float]) -> str | None:
    if field is None:
        return None
    logical = field.get("name") or ""
    ftype = field.get("type")
    if logical in _GEO:
        return "geo"
    if logical in _DATES:
        return "dob" if name.get("DATE_OF_BIRTH", 0) >= 0.8 else "never"
    if logical == "io.debezium.data.Json":
        return "json"
    if logical in _NEVER_PII or ftype == "boolean":
        return "never" if not any(w >= 0.85 for w in name.values()) else None
    if ftype == "bytes":
        return "never" if not name else None
    if ftype in _NUMERIC and not name:
        return None  # digits can still be cards, phones, SSNs
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


@dataclass
class Profiler:
    """Profiles of every observed column, and the tables whose verdicts changed."""

    settings: DetectionSettings = field(default_factory=DetectionSettings)
    scanner: TextScanner = field(default_factory=TextScanner)
    on_change: Callable[[VerdictChange], None] | None = None
    profiles: dict[tuple[str, str, str], ColumnProfile] = field(default_factory=dict)
    generations: dict[str, Generation] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def profile(self, table: str, column: str, fld: dict[str, Any] | None) -> ColumnProfile:
        key = (table, column, type_key(fld))
        prof = self.profiles.get(key)
        if prof is None:
            if len(self.profiles) >= self.settings.max_profiles:
                self.profiles.clear()
            prof = self.profiles[key] = ColumnProfile(table, column, fld, self.settings)
        return prof

    def generation(self, table: str) -> Generation:
        cell = self.generations.get(table)
        if cell is None:
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

    def unmatched(self, prof: ColumnProfile, entity: str) -> bool:
        """A declared entity the recognizers never matched in a full sample."""
        return (
            entity in VALUE_ENTITIES
            and prof.sampled >= self.settings.min_samples
            and not prof.strong.get(entity)
            and not prof.weak.get(entity)
            and prof.json_docs == 0
        )
