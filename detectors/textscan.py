"""Value-level scanning: spans of personal data inside free text and JSON documents.

Every text is matched as a reader sees it (:func:`detectors.normalize.normalize`: NFKC,
no zero-width characters, confusables folded, ``[at]``/``%40`` decoded) and each span is
mapped back to the original characters it covers. Fast pattern recognizers (with
validators) run on every text; base64-looking tokens are decoded and scanned too (a
token holding personal data is a span as a whole); spaCy NER (PERSON, LOCATION, through
Presidio) runs only on free text, batched: :meth:`TextScanner.prepare` analyses many
texts in one ``nlp.pipe`` call and caches the results, so the per-record path finds
them ready.

In JSON documents numbers are scanned as their digits, object keys are scanned like
values (a key holding personal data is replaced, distinct keys staying distinct), and a
leaf's key name is context for the recognizers (``{"phone": 4155550100}``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, Generic, TypeVar

import orjson

from detectors import unwrap
from detectors.guard import document_parts, is_person_value, titled_words, unknown_words
from detectors.nameshapes import handle_of_names, initialled_name, joined_name_words, listed_first_name_then_unknown
from detectors.ner import NerEngine, NerRefused
from detectors.normalize import Normalized, normalize
from detectors.recognizers import Finding, Recognizer, default_recognizers
from detectors.recognizers.contact import is_nanp_number
from detectors.recognizers.person import is_place
from detectors.scripts import UNREAD_SCORE, UNREAD_TEXT, unread_runs
from detectors.truecase import for_ner
from detectors.vocabulary import name_evidence
from detectors.widen import outside, readings, widen

# NER results kept across batches: keyed by a 16-byte BLAKE2b digest of the text (no raw
# text outlives its batch), least recently used evicted first, bounded in entries and in
# findings held (a long text can hold many).
CACHE_ENTRIES = 50_000
CACHE_FINDINGS = 200_000
# Scans remembered within one batch: texts of the batch's own records, at most this many
# and this long each.
_SCANNED_ENTRIES = 20_000
_SCANNED_CHARS = 100_000
# Pattern findings kept across batches, like NER's (a row's unchanged free text comes
# back in every later update of the row; a column's short values repeat): digest-keyed,
# bounded, for texts that normalisation leaves as they are. A scan of even a short cell
# ('NL', '3.17.0') runs every recognizer, 30-65 us; the digest takes about 1.
SCAN_CACHE_ENTRIES = 20_000
SCAN_CACHE_FINDINGS = 100_000
# Short texts (a column's repeating values) in a cache of their own, so that a stream of
# distinct short values never evicts the long texts whose scans cost the most.
SHORT_SCAN_CHARS = 32
SHORT_SCAN_CACHE_ENTRIES = 20_000
# Whole values' scores kept across batches, the same way (a column's values repeat).
SCORE_CACHE_ENTRIES = 20_000
SCORE_CACHE_SCORES = 100_000
_DIGEST_KEY = os.urandom(32)  # the caches' digests are of this process alone
_Found = TypeVar("_Found")
_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]{2,}")

# Base64 tokens: at least 12 characters (9 bytes, a short e-mail), at most 1 MiB; decoded
# text is scanned again (a token inside a decoded token too, down to this depth).
_B64 = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{12,}={0,2}(?![A-Za-z0-9+/_=-])")
_MIME_LINE = 60  # MIME wraps base64 in full lines of 64 or 76: such a line goes on in the next
_B64_MAX = 1 << 20
_HEX = re.compile(r"(?:[0-9a-f]{2})+|(?:[0-9A-F]{2})+")  # one case: mixed case is base64, not hex
_B64_DEPTH = 2
_CONTEXT_CHARS = re.compile(r"[^A-Za-z0-9]+")
# A leaf under a key that says it is a part of a name ('lastName', 'given_name',
# 'surname': name evidence this strong) is that part of a person's name when it is
# written as one: up to four words of letters.
_NAME_KEY = 0.85
_NAME_PART = re.compile(r"[^\W\d_]+\.?(?:[-'\u2019 ]{1,2}[^\W\d_]+\.?){0,3}")


def looks_like_prose(text: str) -> bool:
    """Natural language: several words, mostly letters and spaces; a short run of
    capitalised words is a title or a name ("Maple Street Pharmacy"), not a sentence."""
    if len(text) < 16 or text.count(" ") < 2:
        return False
    words = _WORD.findall(text)
    if len(words) < 3 or (len(words) < 5 and all(w[0].isupper() for w in words)):
        return False
    letters = sum(len(w) for w in words)
    return letters / len(text) > 0.5


def reads_as_free_text(text: str) -> bool:
    """Whether NER reads a value of a declared free-text column: prose, or any value of
    two words or more. The owning team said the column holds free text, so a short post
    ('Where is Anne?', 'Anne Kretchmar <3') is text written there, not a title or a
    category to be judged as one; a value of one word is left to the patterns."""
    return looks_like_prose(text) or len(_WORD.findall(text)) >= 2


_FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "is",
        "was",
        "are",
        "were",
        "be",
        "been",
        "it",
        "its",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "this",
        "that",
        "these",
        "those",
        "please",
        "not",
        "no",
        "as",
        "if",
        "so",
    ]
)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def looks_like_sentences(text: str) -> bool:
    """Prose for a column's verdict: :func:`looks_like_prose` and also written as
    sentences (function words, or a sentence's end), not a title or a list of names
    ('Secondary / secondary special', 'Auto Loan, Credit-Builder Loan, Home Loan')."""
    if not looks_like_prose(text):
        return False
    words = _WORD.findall(text)
    capitalised = sum(1 for w in words if w[0].isupper())
    if capitalised * 10 >= len(words) * 6 and not _SENTENCE_END.search(text):
        return False
    functional = sum(1 for w in words if w.lower() in _FUNCTION_WORDS)
    return functional >= 2 or (functional >= 1 and len(words) >= 8) or bool(_SENTENCE_END.search(text.strip()))


def merge(findings: Iterable[Finding]) -> list[Finding]:
    """Overlapping spans become one span (their union) labelled by the strongest. Two
    spans of different entities that only cross (neither holds the other: a name line
    that NER ran into the address below it) stay two: the weaker one loses the shared
    part, so each keeps its own label."""
    out: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if out and f.start < out[-1].end:
            last = out[-1]
            if last.entity != f.entity and last.start < f.start and f.end > last.end:
                if f.score > last.score:
                    out[-1] = Finding(last.entity, last.start, f.start, last.score, last.recognizer)
                    out.append(f)
                else:
                    out.append(Finding(f.entity, last.end, f.end, f.score, f.recognizer))
                continue
            best = last if last.score >= f.score else f
            out[-1] = Finding(best.entity, last.start, max(last.end, f.end), best.score, best.recognizer)
        else:
            out.append(f)
    return out


# A regnal or generational number after a name: 'Wilhelm II', 'Edward VII', 'Murad I,'. A lone
# 'I' only before punctuation, a possessive or the end ('Murad I and' could be 'Ana I and').
_NUMERAL = re.compile(
    r" (?:(?=[IVX]{2})X{0,3}(?:IX|IV|V?I{0,3})|V|X|I(?=['\u2019]s\b|\s*[,;:.()]|$))(?![\w-])(?!['\u2019](?!s\b))"
)


def with_numerals(text: str, findings: list[Finding]) -> list[Finding]:
    """Each PERSON finding followed by a Roman numeral stretched over it: the name is
    'Wilhelm II', and NER and the name recognizers stop at 'Wilhelm' (the numeral left
    alone says which one)."""
    out = findings
    for i, f in enumerate(findings):
        if f.entity != "PERSON":
            continue
        m = _NUMERAL.match(text, f.end)
        if m is not None:
            if out is findings:
                out = list(findings)
            out[i] = Finding(f.entity, f.start, m.end(), f.score, f.recognizer)
    return out


_ACCENTED_MAX_CHARS = 20_000  # a longer text is read by NER folded only (one lookup per letter)


@lru_cache(maxsize=4096)
def _accented_latin(ch: str) -> str | None:
    """The ASCII letter under one precomposed accented Latin letter ('é' -> 'e'), else None."""
    if ch.isascii() or not ch.isalpha() or not unicodedata.name(ch, "").startswith("LATIN"):
        return None
    base = unicodedata.normalize("NFD", ch)
    if len(base) > 1 and base[0].isascii() and base[0].isalpha() and all(unicodedata.combining(c) for c in base[1:]):
        return base[0]
    return None


def with_accents(norm: Normalized) -> str | None:
    """The normalised text with each letter that normalisation stripped of its accents
    given them back ('Cesar Lattes' -> 'César Lattes'), or None when there is none. The
    English model reads 'Gröbner' and 'César Lattes' as people and their folded forms as
    nothing: NER reads both forms and the findings of both count (offsets are the same:
    only precomposed letters, one for one, come back; a letter built with combining marks,
    a lookalike from another script or anything else normalisation rewrote stays folded,
    so no disguise NER saw through before goes unread)."""
    original = norm.original
    if not norm.changed or original.isascii() or len(norm.text) > _ACCENTED_MAX_CHARS:
        return None
    if not any(_accented_latin(c) for c in original):
        return None
    chars = list(norm.text)
    restored = False
    for i, c in enumerate(chars):
        if not c.isascii() or not c.isalpha():
            continue
        start, end = norm.original_span(i, i + 1)
        if end - start == 1 and _accented_latin(original[start]) == c:
            chars[i] = original[start]
            restored = True
    return "".join(chars) if restored else None


def redact_spans(text: str, spans: Sequence[Finding]) -> str:
    parts = []
    pos = 0
    for f in spans:
        parts.append(text[pos : f.start])
        parts.append(f"<{f.entity}>")
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)


class TextScanner:
    def __init__(self, recognizers: Sequence[Recognizer] | None = None, ner: NerEngine | None = None) -> None:
        self.recognizers = tuple(recognizers) if recognizers is not None else default_recognizers()
        self.ner = ner
        self._ner_cache = FindingsCache()
        self._scan_cache = FindingsCache(SCAN_CACHE_ENTRIES, SCAN_CACHE_FINDINGS)
        self._short_scan_cache = FindingsCache(SHORT_SCAN_CACHE_ENTRIES, SCAN_CACHE_FINDINGS)
        # every recognizer's score of a whole value, by the value's digest: column values
        # repeat (a country, a status, a version), and the scores are the text's alone
        self._score_cache: FindingsCache[tuple[str, float]] = FindingsCache(SCORE_CACHE_ENTRIES, SCORE_CACHE_SCORES)
        self._batch: dict[str, Sequence[Finding]] = {}  # the current batch's results, until end_batch()
        self._refused: dict[str, NerRefused] = {}  # by the current batch, until end_batch()
        self._pending: list[str] | None = None  # texts for NER, while a batch is being collected
        # While a batch is open (begin_batch() .. end_batch()): the normalised text and
        # pattern findings of each (text, context) it scanned. A batch reads its records
        # twice when NER runs, and updates carry a text in before and after.
        self._scanned: dict[tuple[str, str], tuple[Normalized, tuple[Finding, ...]]] | None = None
        # column values' NER labels fetched for the votes of the batch at hand, until forget_labels()
        self._labels: dict[str, str | None] = {}
        self._used: set[str] = set()  # of those, the ones a vote read

    # -- the column profiles' NER votes -----------------------------------------------------

    def fetch_labels(self, values: Sequence[str]) -> None:
        """Label column values in one model call (:meth:`NerEngine.labels`), for the votes
        the batch at hand will cast (:meth:`Profiler.vote_values`); :meth:`value_label`
        reads them until :meth:`forget_labels`, at the batch's end (no text is kept
        past it). A value the model refused is left out: its vote reads it alone."""
        if self.ner is None:
            return
        todo = [v for v in dict.fromkeys(values) if v not in self._labels]
        if not todo:
            return
        try:
            labels = self.ner.labels(todo)
        except Exception:  # each vote reads its value alone, inside its record's safety net
            return
        for value, label in zip(todo, labels, strict=True):
            if not isinstance(label, NerRefused):
                self._labels[value] = label

    def value_label(self, value: str) -> str | None:
        """The NER label of a column value (:meth:`NerEngine.label_values`): the one
        fetched with its batch, or read now. Raises :class:`NerRefused` as that does."""
        if value in self._labels:
            self._used.add(value)
            return self._labels[value]
        assert self.ner is not None
        return self.ner.label_values([value])[0]

    def used_labels(self) -> set[str]:
        """The fetched values whose labels a vote read, since they were fetched."""
        return self._used

    def forget_labels(self) -> None:
        self._labels.clear()
        self._used = set()

    # -- NER batching (pipeline.core.scanning.NerBatching) -------------------------------

    @property
    def batches_ner(self) -> bool:
        return self.ner is not None

    def begin_batch(self) -> None:
        """A batch starts: its scans are remembered and the texts that need NER are
        collected (not analysed) until :meth:`analyse_pending`."""
        self._scanned = {}
        self._pending = []

    def collected(self) -> int:
        return len(self._pending) if self._pending is not None else 0

    def analyse_pending(self) -> None:
        """Stop collecting; analyse what was collected in one batch (never raises)."""
        pending, self._pending = self._pending or [], None
        self.prepare(pending)

    def prepare(self, texts: Iterable[str]) -> None:
        """Analyse the texts NER has not seen yet, in one batch. A text the engine refused
        (over the batch's budget, or failed on) stays refused until :meth:`end_batch`;
        :meth:`_ner` raises it inside its record's safety net. If the batch itself fails,
        each text is analysed alone when its record asks for it (inside that net).

        The budget is spent on every distinct text of the batch, the ones the cache
        remembers too: which text is refused depends on the batch alone, not on what the
        process read before (``cdr process --workers`` gives each worker some tables, so
        its cache holds only theirs)."""
        if self.ner is None:
            return
        distinct = [t for t in dict.fromkeys(texts) if t not in self._batch and _has_letter(t)]
        for text, refused in zip(distinct, self.ner.admit(distinct), strict=True):
            if refused is not None:
                self._refused[text] = refused
            elif (cached := self._ner_cache.get(text)) is not None:
                self._batch[text] = cached  # pending though cached (_ner): its records find it here
        todo = [t for t in distinct if t not in self._refused and t not in self._batch]
        if not todo:
            return
        try:
            results = self.ner.analyze([for_ner(t) or t for t in todo])  # (None only without a letter)
        except Exception:  # an optimisation failed; the per-record path decides
            return
        for text, found in zip(todo, results, strict=True):
            if isinstance(found, NerRefused):
                self._refused[text] = found
            else:
                self._batch[text] = found  # the batch's records find it here, whatever the cache evicts
                self._ner_cache.put(text, found)

    def end_batch(self) -> None:
        """End of a batch: its refusals are not carried to the next one (a text refused for
        the budget of one batch is analysed afresh in another, e.g. when replayed), and its
        texts are let go (the bounded digest-keyed cache keeps their NER findings)."""
        self._pending = None
        self._refused.clear()
        self._batch.clear()
        self._scanned = None

    def clear_cache(self) -> None:
        self._ner_cache.clear()
        self._scan_cache.clear()
        self._short_scan_cache.clear()
        self._score_cache.clear()
        self._batch.clear()

    def _ner(self, text: str) -> Sequence[Finding]:
        if self.ner is None or not _has_letter(text):
            return []
        refused = self._refused.get(text)
        if refused is not None:
            raise NerRefused(refused.reason, refused.message)
        found = self._batch.get(text)
        if found is None and self._pending is not None:
            # While a batch is collected a text is pending even when the cache holds it:
            # whether its record is read again (its values sampled again) must not depend
            # on what other records, of other tables, had NER read before (the cache is
            # the process's; cdr process --workers splits the tables between processes).
            self._pending.append(text)
            return []
        if found is None:
            found = self._ner_cache.get(text)
        if found is None:
            # what NER reads (capitals where a name's would be) has the text's offsets
            result = self.ner.analyze([for_ner(text) or text])[0]
            if isinstance(result, NerRefused):
                raise result
            self._ner_cache.put(text, result)
            found = result
        return found

    # -- scanning -------------------------------------------------------------------------

    def find(self, text: str, prose: bool | None = None, context: str = "") -> list[Finding]:
        """Spans in ``text`` (offsets into ``text`` itself). NER runs when the text is prose
        (or ``prose`` says so). ``context`` (a field or key name) counts as words before it."""
        return self._find(text, context, looks_like_prose if prose is None else (lambda _text: prose))

    def find_in_free_text(self, text: str) -> list[Finding]:
        """Spans in a value of a declared free-text column (``redact_detected``): NER reads
        it when :func:`reads_as_free_text` says so, short values of several words too.
        Words in a script no detector reads are spans too (``UNREAD_TEXT``): a name in
        Cyrillic or Han letters is no hit for the English model, and a miss is no proof."""
        findings = self._find(text, "", reads_as_free_text)
        if all(f.entity in _NAME_OR_PLACE for f in findings):
            name = whole_name(text, listed=not findings, norm=self._normalized(text))
            if name is not None:
                # the whole value a name, NER finding none of it or a part as a place
                # ('Amara <LOCATION>'): the name goes whole
                findings = [Finding("PERSON", *name, 0.85, "whole_name")]
        unread = [Finding(UNREAD_TEXT, start, end, UNREAD_SCORE, "script") for start, end in unread_runs(text)]
        return merge([*findings, *unread]) if unread else findings

    def _normalized(self, text: str) -> Normalized | None:
        """``text`` normalised, as the batch's scan of it remembered (None outside a batch,
        or when it was not kept)."""
        hit = self._scanned.get((text, "")) if self._scanned is not None else None
        return hit[0] if hit is not None else None

    def _find(self, text: str, context: str, ner_reads: Callable[[str], bool]) -> list[Finding]:
        findings = self._read(text, context, ner_reads)
        for reading, markup in readings(text):
            # 'Kenji_Nakamura', '<b>Kenji</b> <i>Nakamura</i>', 'CUSTOMER KENJI PETROV':
            # read as a person reads them too (same length: the spans are the text's own)
            findings += outside(text, self._read(reading, context, ner_reads), markup)
        # A name is redacted whole: a span that ends inside a word or beside more of the
        # name grows over it (detectors.widen), or the rest of the name goes out.
        # 'Wilhelm II': a numeral after a name is part of it (with_numerals)
        return merge(widen(text, merge(with_numerals(text, findings))))

    def _read(self, text: str, context: str, ner_reads: Callable[[str], bool]) -> list[Finding]:
        norm, found = self._scan(text, context)
        findings = list(found)
        if ner_reads(norm.text):
            # NER reads the normalised text: the batch collects it, so what
            # ``analyse_pending`` analyses is keyed as ``_ner`` looks it up.
            findings.extend(self._ner(norm.text))
            lettered = with_accents(norm)
            if lettered is not None:
                findings.extend(self._ner(lettered))  # the same offsets: one letter for one
        if norm.changed:
            findings = [Finding(f.entity, *norm.original_span(f.start, f.end), f.score, f.recognizer) for f in findings]
        return findings

    def _scan(self, text: str, context: str) -> tuple[Normalized, tuple[Finding, ...]]:
        """``text`` normalised and its pattern findings (remembered while a batch is open)."""
        memo = self._scanned
        if memo is not None:
            hit = memo.get((text, context))
            if hit is not None:
                return hit
        # The context's length first: a NUL in the context or the text cannot make one
        # (context, text) read as another ('\x00' + A, B against '', A + '\x00' + B).
        key = f"{len(context)}:{context}\x00{text}"
        cache = self._short_scan_cache if len(text) < SHORT_SCAN_CHARS else self._scan_cache
        cached = cache.get(key)
        if cached is not None:
            result = (Normalized(text, text), cached)  # kept only for texts normalisation leaves alone
        else:
            norm = normalize(text)
            result = (norm, tuple(self._patterns(norm.text, 0, context)))
            if not norm.changed:
                cache.put(key, result[1])
        if memo is not None and len(memo) < _SCANNED_ENTRIES and len(text) <= _SCANNED_CHARS:
            memo[(text, context)] = result
        return result

    def _patterns(self, text: str, depth: int, context: str = "") -> list[Finding]:
        """Recognizer and base64 findings in normalised ``text``."""
        out: list[Finding] = []
        if context:
            prefix = _CONTEXT_CHARS.sub(" ", context)[-32:].lower() + ": "
            scan, off = prefix + text, len(prefix)
        else:
            scan, off = text, 0
        for rec in self.recognizers:
            if off and not getattr(rec, "reads_key_as_context", True):
                out.extend(rec.find(text))
                continue
            for f in rec.find(scan):
                if f.start >= off:
                    out.append(Finding(f.entity, f.start - off, f.end - off, f.score, f.recognizer) if off else f)
        if depth < _B64_DEPTH:
            for start, end in _base64_tokens(text):
                inner = self._decoded(text[start:end], depth)
                if inner is not None:
                    out.append(Finding(inner.entity, start, end, inner.score, "base64"))
        return out

    def _decoded(self, token: str, depth: int) -> Finding | None:
        """The strongest finding in the text a base64 (or hex) token decodes to, if any."""
        decoded = decode_base64(token)
        if decoded is None:
            decoded = decode_hex(token)
        if decoded is None:
            decoded = unwrap.inflate_base64(token)  # gzip or zlib in base64, bounded
        if decoded is None:
            return None
        inner = self._patterns(normalize(decoded).text, depth + 1)
        return max(inner, key=lambda f: f.score) if inner else None

    def redact(self, text: str) -> str:
        """A free-text value with its detected spans as ``<ENTITY>``; withheld whole
        (``<ENTITY>``) when what is left still holds personal data under a disguise the
        spans do not read through (:func:`hidden`)."""
        spans = self.find_in_free_text(text)
        out = redact_spans(text, spans) if spans else text
        entity = self.hidden(out)
        return out if entity is None else f"<{entity}>"

    def hidden(self, text: str) -> str | None:
        """The entity a reading of ``text`` holds (:mod:`detectors.unwrap`: percent-encoded,
        entity-encoded or quoted-printable throughout, a number with letters for digits or
        odd separators, gzip in base64), if any. A reading has no offsets in ``text``: the
        caller withholds the whole value. A reading that is a person's name alone by the
        guard's checks counts too ('D-a-n-i-e-l-l-e J-o-h-n-s-o-n' reads 'Danielle Johnson')."""
        for reading in unwrap.readings(text):
            for finding in self.find(reading, prose=False):
                return finding.entity
            if is_person_value(reading):
                return "PERSON"
        return None

    def whole_value(self, value: str) -> tuple[str, float] | None:
        """The entity the whole (normalised) value is, if any (score >= 0.5); a value that
        is base64 of text holding personal data counts as that entity."""
        best: tuple[str, float] | None = None
        for entity, score in self._scores(value):
            if score >= 0.5 and (best is None or score > best[1]):
                best = (entity, score)
        if best is None:
            token = normalize(value).text.strip()
            if _B64.fullmatch(token):
                inner = self._decoded(token, 0)
                if inner is not None:
                    best = (inner.entity, inner.score)
        return best

    def value_scores(self, value: str) -> list[tuple[str, float]]:
        """Every recognizer's score for the whole normalised value (weak ones included),
        for callers that weigh evidence over many values."""
        return list(self._scores(value))

    def _scores(self, value: str) -> Sequence[tuple[str, float]]:
        """``(entity, score)`` of each recognizer that scores the whole normalised value,
        in the recognizers' order; remembered by the value's digest."""
        cached = self._score_cache.get(value)
        if cached is None:
            norm = normalize(value).text
            cached = tuple((rec.entity, s) for rec in self.recognizers if (s := rec.match_value(norm)) is not None)
            self._score_cache.put(value, cached)
        return cached

    # -- JSON -----------------------------------------------------------------------------

    def redact_json(
        self,
        doc: Any,
        path_ops: dict[str, Callable[[Any], Any]] | None = None,
        found: list[tuple[str, str]] | None = None,
        free_text: bool = False,
    ) -> Any:
        """Walk a JSON document: declared paths get their operator; every other string or
        number leaf and every object key is scanned, detected spans becoming ``<ENTITY>``
        (a number holding personal data becomes the string ``<ENTITY>``). A key holding
        personal data is replaced, and later paths use the replacement. Paths are dotted
        keys, ``[]`` for array elements (``addresses[].street``). With ``free_text`` (a
        declared free-text column's document), a leaf or key that is a person's name by
        the guard's checks is redacted whole, and so is an array whose words together are
        one ('["Maria", "Gonzalez"]'); words in a script no detector reads are spans too, as
        in :meth:`find_in_free_text`. A free-text document whose texts in a row, after its
        spans are redacted, spell a name (:func:`_name_over_leaves`: '{"first": "Danielle",
        "last": "Johnson"}', '{"Xiomara": "Quintanilla"}') is withheld whole: None."""
        out = self._walk(doc, "", path_ops or {}, found, "", free_text)
        if free_text and isinstance(out, dict | list) and _name_over_leaves(out):
            return None
        return out

    def _walk(
        self,
        node: Any,
        path: str,
        ops: dict[str, Callable[[Any], Any]],
        found: list[tuple[str, str]] | None,
        context: str,
        free_text: bool = False,
    ) -> Any:
        op = ops.get(path)
        if op is not None and path:
            return None if node is None else op(node)
        if isinstance(node, dict):
            return self._walk_object(node, path, ops, found, free_text)
        if isinstance(node, list):
            child = f"{path}[]"
            if free_text and _name_in_parts(node):
                if found is not None:
                    found.extend((child, "PERSON") for _ in node)
                return ["<PERSON>" for _ in node]  # ["Maria", "Gonzalez"]: no part is a name alone
            return [self._walk(v, child, ops, found, context, free_text) for v in node]
        if isinstance(node, str) and node:
            new, entities = self.redact_leaf(node, context, free_text)
            if entities and found is not None:
                found.extend((path, e) for e in entities)
            return new
        if isinstance(node, int | float) and not isinstance(node, bool):
            new, entities = self.redact_leaf(number_text(node), context)
            if entities:
                if found is not None:
                    found.extend((path, e) for e in entities)
                return f"<{entities[0]}>"  # a number cannot be redacted in part
        return node

    def _walk_object(
        self,
        node: dict[Any, Any],
        path: str,
        ops: dict[str, Callable[[Any], Any]],
        found: list[tuple[str, str]] | None,
        free_text: bool = False,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        suffixes: dict[str, int] = {}  # next free number per replacement: linear in the key count
        for key, value in node.items():
            skey = key if isinstance(key, str) else str(key)
            new_key, entities = self.redact_key(skey, value, free_text) if skey else (skey, [])
            if entities:
                if found is not None:
                    found.extend((f"{path}.{{key}}" if path else "{key}", e) for e in entities)
                new_key = _unique(new_key, out, node, suffixes)
            child = f"{path}.{new_key}" if path else new_key
            out[new_key] = self._walk(value, child, ops, found, "" if entities else skey, free_text)
        return out

    def redact_key(self, key: str, value: Any, free_text: bool = False) -> tuple[str, list[str]]:
        """An object key: scanned like a leaf, with a short string value as context
        (``{"4155550123": "mobile"}``); a key that is ten bare digits of a valid North
        American number counts even without context (renaming a key loses little: its
        value stays)."""
        context = value if isinstance(value, str) and len(value) <= 40 else ""
        new_key, entities = self.redact_leaf(key, context, free_text)
        if not entities and key_is_phone(key):
            return "<PHONE_NUMBER>", ["PHONE_NUMBER"]
        return new_key, entities

    def redact_leaf(self, text: str, context: str = "", free_text: bool = False) -> tuple[str, list[str]]:
        """A JSON leaf or key: ``<ENTITY>`` when the whole value is one, else its spans
        redacted; and the entities found (empty when nothing was). With ``free_text``, a
        value that is a person's name as the guard reads one ('Maria Gonzalez', 'Ольга
        Петрова') is a span whole, and words in a script no detector reads are spans."""
        hit = self.whole_value(text)
        if hit is not None:
            return f"<{hit[0]}>", [hit[0]]
        if context and _NAME_PART.fullmatch(text.strip()) and name_evidence(context).get("PERSON", 0.0) >= _NAME_KEY:
            return "<PERSON>", ["PERSON"]  # {"firstName": "Kenji", "lastName": "Nakamura"}: a name in parts
        if free_text and whole_name(text) is not None:
            return "<PERSON>", ["PERSON"]
        # a free-text document's leaf is free text: NER reads a leaf of several words too
        spans = self._find(text, context, reads_as_free_text if free_text else looks_like_prose)
        if free_text:
            runs = unread_runs(text)
            if runs:
                spans = merge([*spans, *(Finding(UNREAD_TEXT, a, b, UNREAD_SCORE, "script") for a, b in runs)])
        if len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(text):
            return f"<{spans[0].entity}>", [spans[0].entity]
        out = redact_spans(text, spans) if spans else text
        entity = self.hidden(out)
        if entity is not None:
            return f"<{entity}>", [f.entity for f in spans] + [entity]
        return out, [f.entity for f in spans]


def _has_letter(text: str) -> bool:
    """Whether NER has anything to read in ``text`` (:func:`detectors.truecase.for_ner` is
    None exactly when it has no letter); what it reads is worked out only for the texts
    it analyses, not for the ones the batch or the cache already answers."""
    return any(c.isalpha() for c in text)


def _name_over_leaves(doc: dict[str, Any] | list[Any]) -> bool:
    """Two texts in a row of a document (leaves, or a key and its value, whatever nests
    them: :func:`detectors.guard.document_parts`) that are a person's name by the guard's
    checks ('{"first": "Danielle", "last": "Johnson"}') or a name alone as free text reads
    one ('{"given": "Kwame", "family": "Mensah"}', '[["Ngozi"], ["Okonjo"]]'), unless a
    part is a place ('{"city": "Lagos", "country": "Nigeria"}')."""
    for pair in document_parts(doc)[1]:
        if "<" in pair:
            continue  # a redacted part ('<EMAIL_ADDRESS>'): no name's
        if is_person_value(pair) or (
            whole_name(pair, listed=False) is not None and not any(is_place(part) for part in pair.split())
        ):
            return True
    return False


def _name_in_parts(node: list[Any]) -> bool:
    """An array of two to four words that together are a person's name (the guard's
    check): each part alone is no name to any detector."""
    return (
        2 <= len(node) <= 4
        and all(isinstance(v, str) and _NAME_PART.fullmatch(v.strip()) for v in node)
        and whole_name(" ".join(v.strip() for v in node)) is not None
    )


_NAME_OR_PLACE = frozenset({"PERSON", "LOCATION"})
_NAME_CHARS = 128  # a name alone is shorter: a longer value is read by the lists only


def whole_name(text: str, listed: bool = True, norm: Normalized | None = None) -> tuple[int, int] | None:
    """Where a free-text value is a person's name alone, within the quotes, marks or emoji
    around it ('"Chidi Okonkwo"', 'Chidi Okonkwo 🙂'), in capitals too ('JEAN-LUC PICARD'),
    read normalised (look-alike dashes and apostrophes, invisible characters, doubled
    spaces): two to four capitalised words no English has ('Chidi Okonkwo'), parts joined
    by hyphens or apostrophes too ('Jean-Luc Picard'), a listed first name before such
    words ('Maria Lindqvist'), one with an initial ('C. Okonkwo', 'Chidi O.'), or a handle
    of such words ('kenji_okafor'); with ``listed``, also a value that holds a name the
    lists know (the guard's check, which reads names among other words too: only for a
    value nothing else was found in). NER misses many such names alone. ``norm``: the
    value already normalised (a batch's scan keeps it), so it is not normalised twice."""
    if norm is None:
        norm = normalize(text)
    core_start, core_end = _enclosed(norm.text)
    core = norm.text[core_start:core_end]
    if not core:
        return None
    if len(core) <= _NAME_CHARS and _name_shaped(core):
        return norm.original_span(core_start, core_end)
    if listed and is_person_value(core):
        return norm.original_span(core_start, core_end)
    return None


def _enclosed(text: str) -> tuple[int, int]:
    """The value within the marks around it: from its first letter or digit to its last
    (linear: a regular expression for it backtracks over long runs of marks)."""
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def _name_shaped(core: str) -> bool:
    shown = core.title() if core.isupper() and _spelled_words(core) else core
    return (
        (titled_words(shown) and unknown_words(shown))
        or joined_name_words(shown)
        or initialled_name(shown)
        or listed_first_name_then_unknown(shown)
        or handle_of_names(core)
    )


_VOWELS = frozenset("AEIOUÀÁÂÃÄÅÆÈÉÊËÌÍÎÏÒÓÔÕÖØÙÚÛÜ")


def _spelled_words(core: str) -> bool:
    """Words in capitals that are spelled, not initials: each of three letters or more
    with a vowel ('TENDAI MOYO'; 'PCI DSS', 'AWS GCP' and 'KYC AML' are acronyms)."""
    return all(len(w) >= 3 and any(c in _VOWELS for c in w) for w in re.split(r"[\s'\u2019-]+", core) if w)


class FindingsCache(Generic[_Found]):
    """Findings by text, across batches (NER's, the pattern scan's, the scores of whole
    values): keyed by a 16-byte BLAKE2b digest of the text under a key drawn for the
    process (the text itself is not kept, and a digest of a short value cannot be
    looked up outside the process), least recently used evicted first once it holds
    ``entries`` texts or ``findings`` findings in all. Findings hold offsets, labels
    and scores, never text."""

    def __init__(self, entries: int = CACHE_ENTRIES, findings: int = CACHE_FINDINGS) -> None:
        self.entries = entries
        self.findings = findings
        self._held = 0
        self._by_digest: OrderedDict[bytes, Sequence[_Found]] = OrderedDict()
        # a scanner may be read from two threads (the service's loop and its reader of
        # retiring topics both name topics): a lookup and its move, an insert and its
        # evictions, happen under the lock
        self._lock = threading.Lock()

    @staticmethod
    def digest(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16, key=_DIGEST_KEY).digest()

    def __len__(self) -> int:
        return len(self._by_digest)

    @property
    def held(self) -> int:
        """Findings held in all."""
        return self._held

    def get(self, text: str) -> Sequence[_Found] | None:
        key = self.digest(text)
        with self._lock:
            found = self._by_digest.get(key)
            if found is not None:
                self._by_digest.move_to_end(key)
        return found

    def put(self, text: str, found: Sequence[_Found]) -> None:
        if len(found) > self.findings:
            return  # would evict everything else: not kept
        key = self.digest(text)
        with self._lock:
            old = self._by_digest.pop(key, None)
            if old is not None:
                self._held -= len(old)
            self._by_digest[key] = found
            self._held += len(found)
            while len(self._by_digest) > self.entries or self._held > self.findings:
                _, evicted = self._by_digest.popitem(last=False)
                self._held -= len(evicted)

    def clear(self) -> None:
        with self._lock:
            self._by_digest.clear()
            self._held = 0


def key_is_phone(key: str) -> bool:
    """A key that is ten bare digits of a valid North American number."""
    return is_nanp_number(normalize(key).text.strip())


def _unique(new_key: str, out: dict[str, Any], original: dict[Any, Any], suffixes: dict[str, int]) -> str:
    """``new_key``, or the first free numbered form of it: never a key already written
    nor one of the document's own keys (which may come later)."""
    if new_key not in out and new_key not in original:
        suffixes.setdefault(new_key, 2)
        return new_key
    n = suffixes.get(new_key, 2)
    whole = new_key.startswith("<") and new_key.endswith(">") and new_key.count("<") == 1
    while True:
        candidate = f"{new_key[:-1]}#{n}>" if whole else f"{new_key}#{n}"
        n += 1
        if candidate not in out and candidate not in original:
            suffixes[new_key] = n
            return candidate


def _base64_tokens(text: str) -> list[tuple[int, int]]:
    """Spans of base64-looking tokens; the lines of a wrapped block (full lines of the
    same length, then a last one) make one token."""
    spans: list[tuple[int, int]] = []
    full = 0  # the length of the block's full lines, while a block is open
    for m in _B64.finditer(text):
        start, end = m.span()
        if spans and full and text[spans[-1][1] : start] in ("\n", "\r\n") and end - start <= full:
            spans[-1] = (spans[-1][0], end)
            full = full if end - start == full else 0
            continue
        spans.append((start, end))
        full = end - start if end - start >= _MIME_LINE and (end - start) % 4 == 0 else 0
    return spans


def number_text(value: int | float) -> str:
    """The digits of a JSON number as a reader sees them (4111111111111111.0 too)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e19:
        return str(int(value))
    return str(value)


def decode_base64(token: str) -> str | None:
    """The text a base64 (or base64url) token encodes, when it is mostly printable UTF-8."""
    body = token.replace("\r", "").replace("\n", "").rstrip("=")
    if len(body) > _B64_MAX or len(body) % 4 == 1:
        return None
    url = "-" in body or "_" in body
    if url and ("+" in body or "/" in body):
        return None
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_" if url else None, validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if not text or (not text.isprintable() and sum(c.isprintable() or c in "\t\r\n" for c in text) < 0.9 * len(text)):
        return None
    return text


def decode_hex(token: str) -> str | None:
    """The text a hex token encodes (``6a616e65...``), when it is printable UTF-8; random
    bytes (a digest, a UUID without dashes) almost never are."""
    body = token.rstrip("=")
    if len(body) % 2 or len(body) > _B64_MAX or not _HEX.fullmatch(body):
        return None
    try:
        text = bytes.fromhex(body).decode("utf-8")
    except ValueError:
        return None
    return text if text.isprintable() else None


def parse_json_text(value: str) -> Any | None:
    """The document in a string that holds a JSON object or array, else None."""
    stripped = value.lstrip()
    if not stripped or stripped[0] not in "{[":
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
