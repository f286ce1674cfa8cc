"""Figures from verdicts, published output and findings. Pure: no processor, no I/O.

- Column recall: personal-data columns (scored truth, not ``none``) that got a sensitive
  verdict (an entity, free text or JSON) over all of them; a column still *pending* when
  the table ends is not a detection (it was withheld, but nothing decided).
- Precision: flagged columns whose truth is sensitive over all flagged scored columns.
  URLs are personal data by this project's policy (a link can name a person: profile
  pages, tracking parameters): a column a source labels ``none`` that the service treats
  as ``URL`` is counted apart (``policy flagged``), like the quasi-identifiers, not as a
  false positive.
- Entity accuracy: of the personal-data columns flagged with an entity, the share whose
  entity is the truth's (``model.accepts``).
- Raw cells out: a personal-data cell whose value, normalised (NFKC, casefold, spaces
  collapsed), equals a published value of its record or, from 8 characters on, occurs
  inside one.
- Span recall: a labelled span counts when every letter and digit of it is covered by
  findings of the right entity (a half-redacted address still leaks); "redacted" counts
  coverage by findings of any entity.
- Span precision: of the findings of an entity a source labels, the share that overlap a
  labelled span of that entity. Meaningful only where the source labels every mention
  (WNUT 2017 does; Northwind's biographies label only the employees' own names).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.corpus.model import FREE_TEXT, JSON, NONE, Text, accepts, personal, scored

SENSITIVE_STATES = ("pii", "free_text", "json")
POLICY_ENTITIES = frozenset({"URL"})
_SPACE = re.compile(r"\s+")


def predicted(state: str, entity: str | None) -> str:
    if state == "pii":
        return entity or "ANY"
    if state in (FREE_TEXT, JSON):
        return state
    return "none" if state == "clear" else "pending"


def is_flag(pred: str) -> bool:
    return pred not in ("none", "pending")


def truth_sensitive(truth: str) -> bool:
    return truth != NONE and scored(truth)


@dataclass(frozen=True)
class ColumnResult:
    table: str
    variant: str
    column: str  # the source's name (never a value)
    truth: str
    by: str
    predicted: str
    confidence: float

    @property
    def ok(self) -> bool:
        if not scored(self.truth):
            return True
        if self.truth == NONE:
            return not is_flag(self.predicted)
        return is_flag(self.predicted) and (self.truth in (FREE_TEXT, JSON) or accepts(self.truth, self.predicted))


@dataclass
class ColumnFigures:
    positives: int = 0
    found: int = 0
    flagged: int = 0
    flagged_right: int = 0
    with_entity: int = 0
    entity_right: int = 0
    pending: int = 0
    quasi_flagged: int = 0
    quasi: int = 0
    policy_flagged: int = 0  # labelled none, treated by policy (URL)
    misses: list[ColumnResult] = field(default_factory=list)

    def recall(self) -> float | None:
        return self.found / self.positives if self.positives else None

    def precision(self) -> float | None:
        return self.flagged_right / self.flagged if self.flagged else None

    def entity_accuracy(self) -> float | None:
        return self.entity_right / self.with_entity if self.with_entity else None


def column_figures(results: Iterable[ColumnResult]) -> ColumnFigures:
    f = ColumnFigures()
    for r in results:
        flag = is_flag(r.predicted)
        f.pending += r.predicted == "pending"
        if not scored(r.truth):
            f.quasi += 1
            f.quasi_flagged += flag
            continue
        sensitive = truth_sensitive(r.truth)
        if r.truth == NONE and r.predicted in POLICY_ENTITIES:
            f.policy_flagged += 1
            continue
        if sensitive:
            f.positives += 1
            f.found += flag
        if flag:
            f.flagged += 1
            f.flagged_right += sensitive
        if sensitive and flag and r.truth not in (FREE_TEXT, JSON) and r.predicted not in (FREE_TEXT, JSON):
            f.with_entity += 1
            f.entity_right += accepts(r.truth, r.predicted)
        if not r.ok:
            f.misses.append(r)
    return f


def normalise(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def published_values(doc: Any, out: list[str] | None = None, depth: int = 0) -> list[str]:
    """Every scalar leaf of a published record, normalised (keys too: names are data)."""
    out = [] if out is None else out
    if depth > 64:
        return out
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.append(normalise(k))
            published_values(v, out, depth + 1)
    elif isinstance(doc, list):
        for v in doc:
            published_values(v, out, depth + 1)
    elif doc is not None and not isinstance(doc, bool):
        out.append(normalise(doc))
    return out


ROW_IMAGES = ("before", "after")


def record_values(published: Any, given: Any) -> list[str]:
    """What a published record's payload holds that could carry a cell: its row images
    (``before``, ``after``) whole, and the rest of the envelope (source block, op, times)
    less what repeats the input record's own envelope verbatim at the same place. The
    corpus wrote that envelope and no cell is in it: a source block's ``snapshot: true``
    echoed back is not the leak of a first name "True"; anything the service adds or
    changes there is checked."""
    if not isinstance(published, dict) or not isinstance(given, dict):
        return published_values(published)
    out = published_values({k: v for k, v in published.items() if k in ROW_IMAGES})
    meta = {k: v for k, v in published.items() if k not in ROW_IMAGES}
    _metadata_values(meta, {k: v for k, v in given.items() if k not in ROW_IMAGES}, out, 0)
    return out


def _metadata_values(published: Any, given: Any, out: list[str], depth: int) -> None:
    if not (isinstance(published, dict) and isinstance(given, dict)) or depth > 64:
        published_values(published, out, depth)
        return
    for k, v in published.items():
        if k not in given:
            out.append(normalise(k))
            published_values(v, out, depth + 1)
        elif v != given[k]:
            _metadata_values(v, given[k], out, depth + 1)


def header_values(headers: Sequence[tuple[str, bytes | None]] | None) -> list[str]:
    """Every header of a published record, names and values; a JSON value by its leaves."""
    out: list[str] = []
    for name, raw in headers or ():
        out.append(normalise(name))
        if raw is None:
            continue
        text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
        try:
            published_values(json.loads(text), out)
        except ValueError:
            out.append(normalise(text))
    return out


def raw_out(cell: object, values: Sequence[str]) -> bool:
    needle = normalise(cell)
    if not needle:
        return False
    if len(needle) < 8:
        return needle in values
    return any(needle in v for v in values)


def cells_to_check(truths: Sequence[str], row: Sequence[object]) -> list[tuple[int, object]]:
    return [(i, v) for i, (t, v) in enumerate(zip(truths, row, strict=True)) if personal(t) and v is not None]


@dataclass
class SpanFigures:
    labelled: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    redacted: Counter[str] = field(default_factory=Counter)
    unscored: Counter[str] = field(default_factory=Counter)
    misses: Counter[tuple[str, str]] = field(default_factory=Counter)  # (entity, predicted or "-")
    predicted: Counter[str] = field(default_factory=Counter)  # findings per found entity
    predicted_right: Counter[str] = field(default_factory=Counter)  # of those, on a span of their truth

    def precision(self, truth: str) -> float | None:
        """Findings a ``truth`` span accepts that overlap one, over all such findings."""
        ents = [e for e in self.predicted if accepts(truth, e)]
        made = sum(self.predicted[e] for e in ents)
        return sum(self.predicted_right[e] for e in ents) / made if made else None


def _covered(text: str, start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return all(any(s <= i < e for s, e in spans) for i in range(start, end) if text[i].isalnum())


def span_figures(texts: Sequence[Text], findings: Sequence[Sequence[tuple[str, int, int]]]) -> SpanFigures:
    """``findings[i]``: (entity, start, end) of what the scanner found in ``texts[i]``."""
    f = SpanFigures()
    for text, found in zip(texts, findings, strict=True):
        for span in text.spans:
            if not scored(span.truth):
                f.unscored[span.label] += 1
                continue
            f.labelled[span.truth] += 1
            right = [(s, e) for ent, s, e in found if accepts(span.truth, ent)]
            anything = [(s, e) for _ent, s, e in found]
            if _covered(text.text, span.start, span.end, right):
                f.found[span.truth] += 1
            else:
                over = sorted({ent for ent, s, e in found if s < span.end and e > span.start})
                f.misses[(span.truth, "/".join(over) or "-")] += 1
            f.redacted[span.truth] += _covered(text.text, span.start, span.end, anything)
        for ent, s, e in found:
            f.predicted[ent] += 1
            f.predicted_right[ent] += any(
                scored(sp.truth) and accepts(sp.truth, ent) and s < sp.end and e > sp.start for sp in text.spans
            )
    return f
