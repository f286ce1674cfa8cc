"""The WNUT 2017 prose source (bench/corpus/sources/wnut17.py): CoNLL documents put back
into text with spans that are exactly their labelled tokens. Names here are invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.corpus.model import QUASI
from bench.corpus.sources import Context, manifest, registry, wnut17
from bench.corpus.sources.wnut17 import ConllError, documents, labelled_text
from tests.conll_support import conll_doc, text_spans
from tests.snapshot_support import git_snapshot

LABELS = {"person": "PERSON", "location": "LOCATION"}


def test_documents_are_split_on_blank_lines_and_the_last_needs_none() -> None:
    conll = "Hi\tO\nOrla\tB-person\n\n\n \nin\tO\nBrakvale\tB-location"
    assert documents(conll) == [[("Hi", "O"), ("Orla", "B-person")], [("in", "O"), ("Brakvale", "B-location")]]
    assert documents("") == []


@pytest.mark.parametrize("line", ["Orla\tB-person\textra", "Orla", "Orla\tPERSON", "\tO"])
def test_a_malformed_line_fails_by_its_number_never_its_token(line: str) -> None:
    with pytest.raises(ConllError) as caught:
        documents(f"ok\tO\n{line}\n")
    assert "line 2" in str(caught.value)
    assert "Orla" not in str(caught.value), "a token (maybe a name) in an exception message"


def test_tokens_are_joined_back_into_prose() -> None:
    text = labelled_text(conll_doc("& gt ; It ' s Orla/B-person , don ' t ( see here ) ! ! & amp ; co"), LABELS)
    assert text.text == "> It's Orla, don't (see here)!! & co"
    assert text_spans(text) == [("Orla", "PERSON", "person")]


def test_an_entity_written_as_html_is_left_as_its_tokens() -> None:
    text = labelled_text(conll_doc("& gt/B-product ; go"), LABELS)
    assert text.text == "& gt; go" and text_spans(text) == [("gt", QUASI, "product")]


def test_bio_tags_make_one_span_per_entity_and_unlisted_types_are_quasi() -> None:
    tagged = (
        "Orla/B-person Quint/I-person met Bex/B-person Ryle/B-person in Brakvale/B-location"
        " Upper/I-location at Quintco/B-corporation ; Tam/I-person Ode/I-person Sq/I-location ."
    )
    text = labelled_text(conll_doc(tagged), LABELS)
    assert text_spans(text) == [
        ("Orla Quint", "PERSON", "person"),
        ("Bex", "PERSON", "person"),  # B after B: two people
        ("Ryle", "PERSON", "person"),
        ("Brakvale Upper", "LOCATION", "location"),
        ("Quintco", QUASI, "corporation"),
        ("Tam Ode", "PERSON", "person"),  # I without B opens a span
        ("Sq", "LOCATION", "location"),  # a change of type closes it
    ]


@pytest.mark.parametrize("name", ["wnut17", "wnut17-dev"])
def test_the_manifest_maps_people_and_places_and_pins_its_origin(name: str) -> None:
    man = manifest(name)
    assert name in registry() and man["name"] == name
    assert len(man["commit"]) == 40 and man["licence"].startswith("CC BY 4.0")
    assert man["labels"]["person"] == "PERSON" and man["labels"]["location"] == "LOCATION"
    assert {man["labels"][k] for k in ("corporation", "group", "creative-work", "product")} == {QUASI}


def test_the_held_out_part_and_the_tuned_part_share_no_file() -> None:
    held_out, tuned = manifest("wnut17"), manifest("wnut17-dev")
    assert held_out["repository"] == tuned["repository"] and held_out["commit"] == tuned["commit"]
    assert held_out["paths"] and tuned["paths"]
    assert not set(held_out["paths"]) & set(tuned["paths"]), "a file both tuned on and held out"
    assert "test" in held_out["paths"][0] and "dev" in tuned["paths"][0]


def test_each_part_reads_only_its_own_file_up_to_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (test_file,) = manifest("wnut17")["paths"]
    (dev_file,) = manifest("wnut17-dev")["paths"]
    git_snapshot(
        tmp_path,
        manifest("wnut17")["repository"],
        {
            test_file: "Orla\tB-person\nwrote\tO\n\nhi\tO\n\nyo\tO\n",
            dev_file: "in\tO\nBrakvale\tB-location\n\nbye\tO\n",
        },
    )
    real = wnut17.manifest
    monkeypatch.setattr(wnut17, "manifest", lambda name: {**real(name), "max_texts": 2})
    ctx = Context(tmp_path, tmp_path / "downloads", 10)
    held_out, tuned = wnut17.load(ctx), wnut17.load_dev(ctx)
    assert (held_out.name, tuned.name) == ("wnut17", "wnut17-dev")
    assert [t.text for t in held_out.texts] == ["Orla wrote", "hi"]
    assert [t.text for t in tuned.texts] == ["in Brakvale", "bye"]
    assert [[s.truth for s in t.spans] for t in held_out.texts + tuned.texts] == [["PERSON"], [], ["LOCATION"], []]
    assert any("not in the snapshot" in n for n in held_out.notes), "reading another commit than the pin is said"
    assert any("first 2 of 3 documents" in n for n in held_out.notes), "the cap is said"
    assert not any("first" in n for n in tuned.notes)
