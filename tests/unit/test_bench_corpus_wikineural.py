"""The WikiNEuRal prose source (bench/corpus/sources/wikineural.py): indexed CoNLL sentences
put back into text with this corpus' quotes, clitics and brackets, spans exactly their
labelled tokens, and a held-out part that shares nothing with the tuned one. Names here
are invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.corpus.model import QUASI, Unavailable
from bench.corpus.sources import Context, manifest, registry, wikineural, wnut17
from bench.corpus.sources.wikineural import documents, wikineural_text
from bench.corpus.sources.wnut17 import ConllError
from tests.conll_support import conll_doc, text_spans
from tests.snapshot_support import git_snapshot

LABELS = manifest("wikineural")["labels"]


def test_indexed_lines_become_sentences() -> None:
    conll = "0\tHi\tO\n1\tOrla\tB-PER\n\n\n0\tin\tO\n1\tBrakvale\tB-LOC"
    assert documents(conll) == [[("Hi", "O"), ("Orla", "B-PER")], [("in", "O"), ("Brakvale", "B-LOC")]]
    assert documents("") == []


@pytest.mark.parametrize(
    "line", ["1\tOrla\tB-PER\textra", "Orla\tB-PER", "1\tOrla\tPERSON", "1\t\tB-PER", "x\tOrla\tO", "5\tOrla\tO"]
)
def test_a_malformed_line_fails_by_its_number_never_its_token(line: str) -> None:
    with pytest.raises(ConllError) as caught:
        documents(f"0\tok\tO\n{line}\n")
    assert "line 2" in str(caught.value)
    assert "Orla" not in str(caught.value), "a token (maybe a name) in an exception message"


def test_quotes_brackets_clitics_and_slashes_are_written_as_prose() -> None:
    tagged = (
        'Orla/B-PER Quint/I-PER \'s film " The/B-MISC Brakvale/I-MISC " ( 1958 ) , with Bex/B-PER , '
        "cost $ 5 and was n't rated 6 SLASH 10 ; the players ' union said \" no \" ."
    )
    doc = [("/" if token == "SLASH" else token, tag) for token, tag in conll_doc(tagged)]  # "/" parts tags
    text = wikineural_text(doc, LABELS)
    assert text.text == (
        "Orla Quint's film \"The Brakvale\" (1958), with Bex, cost $5 and wasn't rated 6/10; "
        'the players \' union said "no".'
    )
    assert text_spans(text) == [
        ("Orla Quint", "PERSON", "PER"),
        ("The Brakvale", QUASI, "MISC"),
        ("Bex", "PERSON", "PER"),
    ]


def test_people_and_places_are_scored_and_organisations_and_misc_are_not() -> None:
    tagged = "Bex/B-PER Ryle/I-PER of Quintco/B-ORG flew to Brakvale/B-LOC Harbour/I-LOC for Brakvalian/B-MISC week"
    text = wikineural_text(conll_doc(tagged), LABELS)
    assert text_spans(text) == [
        ("Bex Ryle", "PERSON", "PER"),
        ("Quintco", QUASI, "ORG"),
        ("Brakvale Harbour", "LOCATION", "LOC"),
        ("Brakvalian", QUASI, "MISC"),
    ]


@pytest.mark.parametrize("name", ["wikineural", "wikineural-dev"])
def test_the_manifest_maps_people_and_places_and_pins_its_origin(name: str) -> None:
    man = manifest(name)
    assert name in registry() and man["name"] == name
    assert len(man["commit"]) == 40 and man["licence"].startswith("CC BY-NC-SA 4.0")
    assert man["labels"] == {"PER": "PERSON", "LOC": "LOCATION", "ORG": QUASI, "MISC": QUASI}
    assert 1000 <= man["max_texts"] <= 5000, "capped so that one run takes minutes"


def test_the_held_out_part_and_the_tuned_part_share_no_file() -> None:
    held_out, tuned = manifest("wikineural"), manifest("wikineural-dev")
    assert held_out["repository"] == tuned["repository"] and held_out["commit"] == tuned["commit"]
    assert held_out["paths"] == ["data/wikineural/en/test.conllu"], "the test split is the held-out one"
    assert tuned["paths"] == ["data/wikineural/en/val.conllu"]


def test_each_part_reads_only_its_own_file_up_to_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (test_file,) = manifest("wikineural")["paths"]
    (dev_file,) = manifest("wikineural-dev")["paths"]
    git_snapshot(
        tmp_path,
        manifest("wikineural")["repository"],
        {
            test_file: "0\tOrla\tB-PER\n1\twrote\tO\n\n0\tQuintco\tB-ORG\n\n0\tyo\tO\n",
            dev_file: "0\tin\tO\n1\tBrakvale\tB-LOC\n\n0\tbye\tO\n",
        },
    )
    real = wnut17.manifest  # the CoNLL loader wikineural shares with wnut17 reads the manifest
    monkeypatch.setattr(wnut17, "manifest", lambda name: {**real(name), "max_texts": 2})
    ctx = Context(tmp_path, tmp_path / "downloads", 10)
    held_out, tuned = wikineural.load(ctx), wikineural.load_dev(ctx)
    assert (held_out.name, tuned.name) == ("wikineural", "wikineural-dev")
    assert [t.text for t in held_out.texts] == ["Orla wrote", "Quintco"]
    assert [t.text for t in tuned.texts] == ["in Brakvale", "bye"]
    assert [[s.truth for s in t.spans] for t in held_out.texts + tuned.texts] == [["PERSON"], [QUASI], ["LOCATION"], []]
    assert any("first 2 of 3 documents" in n for n in held_out.notes), "the cap is said"
    assert not any("first" in n for n in tuned.notes)


def test_a_malformed_file_makes_the_source_unavailable_by_line_not_token(tmp_path: Path) -> None:
    (test_file,) = manifest("wikineural")["paths"]
    (dev_file,) = manifest("wikineural-dev")["paths"]
    git_snapshot(
        tmp_path, manifest("wikineural")["repository"], {test_file: "0\tok\tO\n1\tOrla\n", dev_file: "0\tok\tO\n"}
    )
    with pytest.raises(Unavailable) as caught:
        wikineural.load(Context(tmp_path, tmp_path / "downloads", 10))
    assert "test.conllu" in str(caught.value) and "line 2" in str(caught.value) and "Orla" not in str(caught.value)
