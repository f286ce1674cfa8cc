"""presidio-research's labelled synthetic sentences."""

from __future__ import annotations

import json

from bench.corpus.fetched import Snapshot
from bench.corpus.model import QUASI, Source, Span, Text
from bench.corpus.sources import Context, manifest

NAME = "presidio-synth"


def load(ctx: Context) -> Source:
    man = manifest(NAME)
    snap = Snapshot(ctx.mirror, man["repository"], man["commit"])
    samples = json.loads(snap.read(man["paths"][0]))
    labels: dict[str, str] = man["labels"]
    src = Source(NAME, man)
    if snap.note:
        src.notes.append(snap.note)
    for s in samples:
        text = s["full_text"]
        spans = tuple(
            Span(sp["start_position"], sp["end_position"], labels.get(sp["entity_type"], QUASI), sp["entity_type"])
            for sp in s["spans"]
            if 0 <= sp["start_position"] < sp["end_position"] <= len(text)
        )
        src.texts.append(Text(text, spans))
    return src
