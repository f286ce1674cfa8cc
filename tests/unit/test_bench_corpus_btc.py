"""The Broad Twitter Corpus prose source (bench/corpus/sources/btc.py): CoNLL tweets put
back into text with this corpus' clitics and split @mentions, spans exactly their labelled
tokens, and a held-out part that shares nothing with the tuned one. Names here are invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.corpus.model import QUASI, Unavailable
from bench.corpus.sources import Context, btc, manifest, registry, wnut17
from bench.corpus.sources.btc import btc_text, documents, mentions
from bench.corpus.sources.wnut17 import ConllError
from tests.conll_support import conll_doc, text_spans
from tests.snapshot_support import git_snapshot

LABELS = manifest("btc")["labels"]


def test_empty_tokens_tagged_o_are_skipped_and_blank_lines_of_spaces_split() -> None:
    conll = "Hi\tO\n\tO\nOrla\tB-PER\n \nin\tO\n \tO\nBrakvale\tB-LOC\n"
    assert documents(conll) == [[("Hi", "O"), ("Orla", "B-PER")], [("in", "O"), ("Brakvale", "B-LOC")]]
    assert documents("") == []


@pytest.mark.parametrize("line", ["Orla\tB-PER\textra", "Orla", "Orla\tPERSON", "\tB-PER"])
def test_a_malformed_line_fails_by_its_number_never_its_token(line: str) -> None:
    with pytest.raises(ConllError) as caught:
        documents(f"ok\tO\n{line}\n")
    assert "line 2" in str(caught.value)
    assert "Orla" not in str(caught.value), "a token (maybe a name) in an exception message"


def test_a_split_mention_becomes_one_token_and_one_span_per_mention() -> None:
    doc = conll_doc("RT @/B-PER orla_q/B-PER : @/B-PER bexr/B-PER @/I-PER tamo/I-PER @ … @/O quintco/O")
    assert mentions(doc) == [
        ("RT", "O"),
        ("@orla_q", "B-@PER"),
        (":", "O"),
        ("@bexr", "B-@PER"),
        ("@tamo", "B-@PER"),  # an I- mention is a person of its own, not the one before
        ("@", "O"),  # "@" before anything but a handle stays as it is
        ("…", "O"),
        ("@quintco", "O"),
    ]


def test_clitics_and_punctuation_join_the_word_before() -> None:
    text = btc_text(conll_doc("I do n't know Orla/B-PER Quint/I-PER 's ( new ) place , ca n't wait ! get ' em"), LABELS)
    assert text.text == "I don't know Orla Quint's (new) place, can't wait! get ' em"
    assert text_spans(text) == [("Orla Quint", "PERSON", "PER")]


def test_people_and_places_are_scored_and_mentions_and_organisations_are_not() -> None:
    tagged = "@/B-PER orlaq/B-PER met Bex/B-PER Ryle/I-PER in Brakvale/B-LOC at Quintco/B-ORG @/B-ORG qco/B-ORG"
    text = btc_text(conll_doc(tagged), LABELS)
    assert text.text == "@orlaq met Bex Ryle in Brakvale at Quintco @qco"
    assert text_spans(text) == [
        ("@orlaq", QUASI, "@PER"),
        ("Bex Ryle", "PERSON", "PER"),
        ("Brakvale", "LOCATION", "LOC"),
        ("Quintco", QUASI, "ORG"),
        ("@qco", QUASI, "@ORG"),
    ]


@pytest.mark.parametrize("name", ["btc", "btc-dev"])
def test_the_manifest_maps_people_and_places_and_pins_its_origin(name: str) -> None:
    man = manifest(name)
    assert name in registry() and man["name"] == name
    assert len(man["commit"]) == 40 and man["licence"].startswith("CC BY 4.0")
    assert man["labels"]["PER"] == "PERSON" and man["labels"]["LOC"] == "LOCATION"
    assert {man["labels"][k] for k in ("ORG", "@PER", "@LOC", "@ORG")} == {QUASI}


def test_the_held_out_part_and_the_tuned_part_share_no_file() -> None:
    held_out, tuned = manifest("btc"), manifest("btc-dev")
    assert held_out["repository"] == tuned["repository"] and held_out["commit"] == tuned["commit"]
    assert held_out["paths"] == ["f.conll"], "section F is the authors' test section"
    assert tuned["paths"] and not set(held_out["paths"]) & set(tuned["paths"]), "a file both tuned on and held out"


def test_each_part_reads_only_its_own_file_up_to_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (test_file,) = manifest("btc")["paths"]
    (dev_file,) = manifest("btc-dev")["paths"]
    git_snapshot(
        tmp_path,
        manifest("btc")["repository"],
        {
            test_file: "Orla\tB-PER\nwrote\tO\n\n@\tB-PER\nbexr\tB-PER\n\nyo\tO\n",
            dev_file: "in\tO\nBrakvale\tB-LOC\n\nbye\tO\n",
        },
    )
    real = wnut17.manifest  # the CoNLL loader btc shares with wnut17 reads the manifest
    monkeypatch.setattr(wnut17, "manifest", lambda name: {**real(name), "max_texts": 2})
    ctx = Context(tmp_path, tmp_path / "downloads", 10)
    held_out, tuned = btc.load(ctx), btc.load_dev(ctx)
    assert (held_out.name, tuned.name) == ("btc", "btc-dev")
    assert [t.text for t in held_out.texts] == ["Orla wrote", "@bexr"]
    assert [t.text for t in tuned.texts] == ["in Brakvale", "bye"]
    assert [[s.truth for s in t.spans] for t in held_out.texts + tuned.texts] == [["PERSON"], [QUASI], ["LOCATION"], []]
    assert any("not in the snapshot" in n for n in held_out.notes), "reading another commit than the pin is said"
    assert any("first 2 of 3 documents" in n for n in held_out.notes), "the cap is said"
    assert not any("first" in n for n in tuned.notes)


def test_a_malformed_file_makes_the_source_unavailable_by_line_not_token(tmp_path: Path) -> None:
    (test_file,) = manifest("btc")["paths"]
    (dev_file,) = manifest("btc-dev")["paths"]
    git_snapshot(tmp_path, manifest("btc")["repository"], {test_file: "ok\tO\nOrla\n", dev_file: "ok\tO\n"})
    with pytest.raises(Unavailable) as caught:
        btc.load(Context(tmp_path, tmp_path / "downloads", 10))
    assert "f.conll" in str(caught.value) and "line 2" in str(caught.value) and "Orla" not in str(caught.value)
