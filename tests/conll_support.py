"""Helpers for the CoNLL corpus readers' tests (WNUT 2017, the Broad Twitter Corpus, WikiNEuRal)."""

from __future__ import annotations

from bench.corpus.model import Text


def conll_doc(tagged: str) -> list[tuple[str, str]]:
    """``"word word/B-person word/I-person"`` as CoNLL tokens (untagged is O)."""
    out = []
    for piece in tagged.split(" "):
        token, _, tag = piece.partition("/")
        out.append((token, tag or "O"))
    return out


def text_spans(text: Text) -> list[tuple[str, str, str]]:
    """Each labelled span of a text as (its characters, its truth, its label)."""
    return [(text.text[s.start : s.end], s.truth, s.label) for s in text.spans]
