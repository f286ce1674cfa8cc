"""The attack ledger: what a case is, where a planted value must never show up, and
the tally printed at the end of the session.

A case plants raw personal values in records and declarations; a runner (file mode,
the Kafka service) feeds them through the real code path and hands back what came out,
place by place. :func:`judge` then looks for every planted value in every place where
it must not be, raw and normalised (NFKC, format and zero-width characters removed,
lowercase; digits only for numbers), inside JSON strings, keys and numbers, and inside
base64 text; and checks that every input record was published, dead-lettered or
counted as skipped. A case may also name distinctive fragments of its values (a
surname, an e-mail's local part, the last six digits): each is searched as a whole word
of the normalised text (digits: inside a run of digits), so a partial leak counts too. Problems name the case, the planted value's index and the place,
never the value.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tests.security.events import Rec

# Places a planted value must not reach.
CDR = "CDR key/value"
CDR_HEADERS = "CDR headers"
DLQ_HEADERS = "dead-letter headers"
DLQ_ANY = "dead-letter record (sealed)"
LOGS = "logs"
METRICS = "metrics"
PLACES = (CDR, CDR_HEADERS, DLQ_HEADERS, DLQ_ANY, LOGS, METRICS)

ATTACK_CLASSES = (
    "undeclared-columns",
    "undeclared-types",
    "envelope-shapes",
    "disguised-values",
    "names-are-data",
    "resources",
    "hostile-declarations",
    "schema-changes",
    "schema-metadata",
    "lifecycle",  # tests/security/test_lifecycle.py: several runs of one stream
    "partial-leaks",  # part of a value out (a surname past a redacted first name): judged by fragments
)


@dataclass(frozen=True)
class Case:
    id: str  # [a-z0-9-]: also part of topic names
    attack: str  # one of ATTACK_CLASSES
    description: str
    declaration: str  # YAML; {source} and {cdr} are replaced by the run's topics
    records: tuple[Rec, ...]
    planted: tuple[str, ...]
    config: Mapping[str, Any] = field(default_factory=dict)  # extra service/file-mode config
    allowed: frozenset[str] = frozenset()  # places where the planted values may appear by design
    service: bool = False  # also in the Kafka service run
    bounded: bool = False  # a resource case: file mode runs as a subprocess under time/memory bounds
    known_leak: str | None = None  # why the case is known to leak (a strict xfail until it is fixed)
    # fragments[i]: distinctive parts of planted[i] (a surname, an e-mail's local part, the
    # last six digits of a number) that must not show up either: a partial leak
    # ('<PERSON>-Okafor') holds no whole planted value. Empty: the values are searched whole only.
    fragments: tuple[tuple[str, ...], ...] = ()

    def declaration_for(self, source: str, cdr: str) -> str:
        return self.declaration.replace("{source}", source).replace("{cdr}", cdr)

    @property
    def sealed(self) -> bool:
        return bool((self.config.get("dlq") or {}).get("encryption_key"))


@dataclass
class Observed:
    """What one run of one case let out, by place, and where each input went."""

    blobs: dict[str, list[bytes | str | None]] = field(default_factory=lambda: {p: [] for p in PLACES})
    inputs: list[str] = field(default_factory=list)  # coordinates of every record fed
    published: set[str] = field(default_factory=set)
    dead: set[str] = field(default_factory=set)
    skipped: int = 0
    crash: str | None = None  # the exception class or exit status, never a message

    def add(self, place: str, *blobs: bytes | str | None) -> None:
        self.blobs[place].extend(blobs)


# --- normalised search -----------------------------------------------------------------

_FORMAT_CHARS = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_DIGIT_RUN = re.compile(r"\d(?:[\d \u00a0\u2009\u202f()+\-\u2010-\u2015./]*\d)?")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


def normalise(text: str) -> str:
    return _FORMAT_CHARS.sub("", unicodedata.normalize("NFKC", text)).lower()


def digit_runs(text: str) -> str:
    """Every run of digits with number separators, as digits only, one per line."""
    return "\n".join(re.sub(r"\D", "", m.group()) for m in _DIGIT_RUN.finditer(unicodedata.normalize("NFKC", text)))


def _json_texts(node: Any, out: list[str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            out.append(str(k))
            _json_texts(v, out)
    elif isinstance(node, list):
        for v in node:
            _json_texts(v, out)
    elif isinstance(node, str):
        out.append(node)
        for m in _BASE64.finditer(node):
            with contextlib.suppress(binascii.Error, UnicodeDecodeError, ValueError):
                out.append(base64.b64decode(m.group() + "=" * (-len(m.group()) % 4), validate=True).decode())
    elif node is not None and not isinstance(node, bool):
        out.append(str(node))


def readable(blob: bytes | str | None) -> str:
    """A blob as text, plus every string, key and number inside it when it is JSON
    (unescaped), plus the text of base64 strings."""
    if blob is None:
        return ""
    text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
    parts = [text]
    try:
        _json_texts(json.loads(text), parts)
    except (ValueError, RecursionError):  # not one document: JSON lines (logs), or not JSON
        for line in text.splitlines():
            if line[:1] in "{[":
                try:
                    _json_texts(json.loads(line), parts)
                except (ValueError, RecursionError):
                    continue
    return "\n".join(parts)


@dataclass(frozen=True)
class Forms:
    """The forms of one planted value that are searched for."""

    raw: str
    norm: str
    digits: str | None

    @classmethod
    def of(cls, value: str) -> Forms:
        digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", value))
        letters = any(c.isalpha() for c in unicodedata.normalize("NFKC", value))
        return cls(value, normalise(value), digits if len(digits) >= 7 and not letters else None)


class Haystack:
    """One place's text in the three forms the search needs, built once."""

    def __init__(self, blobs: Iterable[bytes | str | None]) -> None:
        self.raw = "\n\x00".join(readable(b) for b in blobs)
        self.norm = normalise(self.raw)
        self.digits = digit_runs(self.raw)

    def holds(self, forms: Forms) -> str | None:
        """Which form of the value is here (None: none of them)."""
        if forms.raw and forms.raw in self.raw:
            return "raw"
        if len(forms.norm) >= 5 and forms.norm in self.norm:
            return "normalised"
        if forms.digits is not None and forms.digits in self.digits:
            return "digits"
        return None


_FRAGMENT_MIN = 4  # letters; digit fragments need 6
# Where six digits of a value are searched for inside longer numbers: the places whose
# numbers the input alone decides (CDR records are deterministic). Logs, metrics and
# dead-letter headers carry clock times and durations, in which any six digits turn up by
# chance now and then; there the whole value is searched, as everywhere.
_DETERMINISTIC = frozenset({CDR, CDR_HEADERS})


@dataclass(frozen=True)
class Fragment:
    """One distinctive part of a planted value, searched as a whole word of the normalised
    text ('okafor' in '<person>-okafor', not in 'okaforth'), or, digits only, inside a
    run of digits with number separators ('340198' in '415 734 0198')."""

    word: re.Pattern[str] | None
    digits: str | None

    @classmethod
    def of(cls, part: str) -> Fragment | None:
        norm = normalise(part).strip()
        digits = re.sub(r"\D", "", norm)
        if norm and not any(c.isalpha() for c in norm):
            return cls(None, digits) if len(digits) >= 6 else None
        if sum(c.isalnum() for c in norm) < _FRAGMENT_MIN:
            return None
        return cls(re.compile(r"(?<![^\W_])" + re.escape(norm) + r"(?![^\W_])"), None)

    def found_in(self, hay: Haystack, digits: bool = True) -> str | None:
        if self.word is not None and self.word.search(hay.norm):
            return "fragment"
        if digits and self.digits is not None and self.digits in hay.digits:
            return "fragment digits"
        return None


def fragments_of(value: str) -> tuple[str, ...]:
    """The distinctive parts of a planted value, derived from its shape: an e-mail's local
    part and each of its words past the first; a person's name past its first word (the
    surname, each part of a double-barrelled one; the first word when a comma follows it);
    the last six digits of a number of 9+
    digits. Words of fewer than four letters are left out (they match by chance)."""
    text = unicodedata.normalize("NFKC", value).strip()
    if "@" in text:
        local = text.split("@", 1)[0]
        words = [w for w in re.split(r"[._+\-]", local) if sum(c.isalpha() for c in w) >= _FRAGMENT_MIN]
        return tuple(dict.fromkeys([local, *words[1:]])) if len(local) >= _FRAGMENT_MIN else ()
    digits = re.sub(r"\D", "", text)
    if not any(c.isalpha() for c in text):
        return (digits[-6:],) if len(digits) >= 9 else ()
    words = re.findall(r"[^\W\d_]+(?:['\u2019][^\W\d_]{2,})?", text)  # O'Brien; Smith's: Smith
    if len(words) < 2 or digits:
        return ()
    surname = words[:1] if re.match(r"[^,\s]+,", text) else words[1:]  # 'Okafor, Amara': the first
    return tuple(dict.fromkeys(w for w in surname if len(w) >= _FRAGMENT_MIN))


def with_fragments(cases: list[Case]) -> list[Case]:
    """The cases, each judged by the fragments of its planted values too (a surname, an
    e-mail's local part, the last six digits), so a partial leak of it counts. Resource
    cases are judged on their bounds and keep their values whole."""
    out = []
    for case in cases:
        frags = tuple(fragments_of(p) for p in case.planted)
        keep = case.bounded or case.fragments or not any(frags)
        out.append(case if keep else replace(case, fragments=frags))
    return out


def judge(case: Case, seen: Observed) -> list[str]:
    """Every problem of one run of one case (empty: the case held)."""
    problems: list[str] = []
    if seen.crash is not None:
        problems.append(f"{case.id}: the run crashed ({seen.crash})")
    checked = [p for p in PLACES if p not in case.allowed and (p != DLQ_ANY or case.sealed)]
    forms = [Forms.of(v) for v in case.planted]
    parts = [[p for p in map(Fragment.of, frags) if p is not None] for frags in case.fragments]
    for place in checked:
        hay = Haystack(seen.blobs[place])
        found: dict[str, list[int]] = {}
        for j, f in enumerate(forms):
            how = hay.holds(f)
            if how is None and j < len(parts):
                by_digits = place in _DETERMINISTIC
                how = next((h for p in parts[j] if (h := p.found_in(hay, by_digits)) is not None), None)
            if how is not None:
                found.setdefault(how, []).append(j)
        for how, idx in found.items():
            shown = ", ".join(f"#{j}" for j in idx[:5]) + (", ..." if len(idx) > 5 else "")
            problems.append(f"{case.id}: {len(idx)} of {len(forms)} planted values found in {place} ({how}: {shown})")
    accounted = seen.published | seen.dead
    lost = [c for c in seen.inputs if c not in accounted]
    if len(lost) > seen.skipped:
        problems.append(
            f"{case.id}: {len(lost) - seen.skipped} of {len(seen.inputs)} records neither published, "
            f"dead-lettered nor counted as skipped"
        )
    return problems


# --- the tally -------------------------------------------------------------------------


@dataclass
class Tally:
    """Per case and path (file, service, tool): held or the problems found."""

    attack: dict[str, str] = field(default_factory=dict)
    runs: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    label: str = "security ledger"
    skipped: dict[str, list[str]] = field(default_factory=dict)  # reason -> case ids not tried

    narrowed: dict[str, tuple[int, int]] = field(default_factory=dict)  # case id -> (values not carried, planted)

    def skip(self, case_id: str, reason: str) -> None:
        self.skipped.setdefault(reason, []).append(case_id)

    def narrow(self, case_id: str, dropped: int, planted: int) -> None:
        """A case tried on fewer values than it plants (the others have no place in this format)."""
        self.narrowed[case_id] = (dropped, planted)

    def record(self, case_id: str, attack: str, path: str, problems: list[str]) -> None:
        self.attack[case_id] = attack
        self.runs.setdefault(case_id, {})[path] = problems

    def failing(self) -> dict[str, list[str]]:
        by_class: dict[str, list[str]] = {}
        for case_id, paths in sorted(self.runs.items()):
            bad = sorted(p for p, problems in paths.items() if problems)
            if bad:
                by_class.setdefault(self.attack[case_id], []).append(f"{case_id} [{', '.join(bad)}]")
        return by_class

    def lines(self) -> list[str]:
        tried = len(self.runs)
        held = sum(1 for paths in self.runs.values() if not any(paths.values()))
        out = [f"{self.label}: held {held} / tried {tried}"]
        if self.skipped:
            out[0] += f" (skipped {sum(len(ids) for ids in self.skipped.values())})"
        for attack in ATTACK_CLASSES:
            ids = self.failing().get(attack)
            if ids:
                out.append(f"  failing {attack}: {' '.join(ids)}")
        for reason, ids in sorted(self.skipped.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            out.append(f"  skipped {len(ids):3d}: {reason}: {' '.join(sorted(ids))}")
        for case_id, (dropped, planted) in sorted(self.narrowed.items()):
            out.append(f"  narrowed {case_id}: {dropped} of {planted} planted values only in places this format lacks")
        return out


TALLY = Tally()
AVRO_TALLY = Tally(label="security ledger (format: avro)")  # its own line: the JSON figure stays as it was
