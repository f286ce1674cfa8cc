"""Value-level scanning: spans of personal data inside free text and JSON documents.

Fast pattern recognizers (with validators) run on every text; spaCy NER (PERSON,
LOCATION, through Presidio) runs only on free text, batched: :meth:`TextScanner.prepare`
analyses many texts in one ``nlp.pipe`` call and caches the results, so the per-record
path finds them ready.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson

from detectors.ner import NerEngine, NerRefused
from detectors.recognizers import Finding, Recognizer, default_recognizers

_CACHE_LIMIT = 50_000
_CACHE_CHARS = 4_000_000  # texts kept as cache keys: a few long ones, not 50,000 of them
_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]{2,}")


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


def merge(findings: Iterable[Finding]) -> list[Finding]:
    """Overlapping spans become one span (their union) labelled by the strongest."""
    out: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if out and f.start < out[-1].end:
            last = out[-1]
            best = last if last.score >= f.score else f
            out[-1] = Finding(best.entity, last.start, max(last.end, f.end), best.score, best.recognizer)
        else:
            out.append(f)
    return out


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
        self._ner_cache: dict[str, list[Finding]] = {}
        self._cache_chars = 0
        self._refused: dict[str, NerRefused] = {}  # by the current batch, until forget_refusals()
        self.pending: list[str] | None = None  # set while a batch is being collected

    # -- NER batching ---------------------------------------------------------------------

    def needs_ner(self, text: str) -> bool:
        return self.ner is not None and text not in self._ner_cache and any(c.isupper() for c in text)

    def prepare(self, texts: Iterable[str]) -> None:
        """Analyse the texts NER has not seen yet, in one batch. A text the engine refused
        (over the batch's budget, or failed on) stays refused until :meth:`forget_refusals`;
        :meth:`_ner` raises it inside its record's safety net. If the batch itself fails,
        each text is analysed alone when its record asks for it (inside that net)."""
        if self.ner is None:
            return
        todo = list(dict.fromkeys(t for t in texts if self.needs_ner(t)))
        if not todo:
            return
        try:
            results = self.ner.analyze(todo)
        except Exception:  # an optimisation failed; the per-record path decides
            return
        for text, found in zip(todo, results, strict=True):
            if isinstance(found, NerRefused):
                self._refused[text] = found
            else:
                self._remember(text, found)

    def forget_refusals(self) -> None:
        """End of a batch: its refusals are not carried to the next one (a text refused for
        the budget of one batch is analysed afresh in another, e.g. when replayed)."""
        self._refused.clear()

    def _remember(self, text: str, found: list[Finding]) -> None:
        if len(self._ner_cache) >= _CACHE_LIMIT or self._cache_chars + len(text) > _CACHE_CHARS:
            self._ner_cache.clear()
            self._cache_chars = 0
        self._ner_cache[text] = found
        self._cache_chars += len(text)

    def clear_cache(self) -> None:
        self._ner_cache.clear()
        self._cache_chars = 0

    def _ner(self, text: str) -> list[Finding]:
        if self.ner is None or not any(c.isupper() for c in text):
            return []
        refused = self._refused.get(text)
        if refused is not None:
            raise NerRefused(refused.reason, refused.message)
        found = self._ner_cache.get(text)
        if found is None:
            if self.pending is not None:
                self.pending.append(text)
                return []
            result = self.ner.analyze([text])[0]
            if isinstance(result, NerRefused):
                raise result
            self._remember(text, result)
            found = result
        return found

    # -- scanning -------------------------------------------------------------------------

    def find(self, text: str, prose: bool | None = None) -> list[Finding]:
        """Spans in ``text``. NER runs when the text is prose (or ``prose`` says so)."""
        findings: list[Finding] = []
        for rec in self.recognizers:
            findings.extend(rec.find(text))
        if prose if prose is not None else looks_like_prose(text):
            findings.extend(self._ner(text))
        return merge(findings)

    def redact(self, text: str) -> str:
        spans = self.find(text)
        return redact_spans(text, spans) if spans else text

    def whole_value(self, value: str) -> tuple[str, float] | None:
        """The entity the whole value is, if any (score >= 0.5)."""
        best: tuple[str, float] | None = None
        for rec in self.recognizers:
            score = rec.match_value(value)
            if score is not None and score >= 0.5 and (best is None or score > best[1]):
                best = (rec.entity, score)
        return best

    # -- JSON -----------------------------------------------------------------------------

    def redact_json(
        self,
        doc: Any,
        path_ops: dict[str, Callable[[Any], Any]] | None = None,
        found: list[tuple[str, str]] | None = None,
    ) -> Any:
        """Walk a JSON document: declared paths get their operator; every other string leaf
        and every object key is scanned, detected spans becoming ``<ENTITY>``. Paths are
        dotted keys, ``[]`` for array elements (``addresses[].street``)."""
        return self._walk(doc, "", path_ops or {}, found)

    def _walk(
        self, node: Any, path: str, ops: dict[str, Callable[[Any], Any]], found: list[tuple[str, str]] | None
    ) -> Any:
        op = ops.get(path)
        if op is not None and path:
            return None if node is None else op(node)
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            for key, value in node.items():
                child = f"{path}.{key}" if path else str(key)
                new_key = key
                hit = self.whole_value(key) if isinstance(key, str) and key else None
                if hit is not None:
                    new_key = f"<{hit[0]}>"
                    n = 1
                    while new_key in out:
                        n += 1
                        new_key = f"<{hit[0]}#{n}>"
                    if found is not None:
                        found.append((f"{path}.{{key}}" if path else "{key}", hit[0]))
                out[new_key] = self._walk(value, child, ops, found)
            return out
        if isinstance(node, list):
            child = f"{path}[]"
            return [self._walk(v, child, ops, found) for v in node]
        if isinstance(node, str) and node:
            hit = self.whole_value(node)
            if hit is not None:
                if found is not None:
                    found.append((path, hit[0]))
                return f"<{hit[0]}>"
            spans = self.find(node)
            if spans:
                if found is not None:
                    found.extend((path, f.entity) for f in spans)
                return redact_spans(node, spans)
        return node


def parse_json_text(value: str) -> Any | None:
    """The document in a string that holds a JSON object or array, else None."""
    stripped = value.lstrip()
    if not stripped or stripped[0] not in "{[":
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
