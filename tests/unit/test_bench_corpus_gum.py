"""The GUM prose source (bench/corpus/sources/gum.py): CoNLL-U sentences written back as
their text lines, CorefUD entity brackets read into mentions, only named person and place
mentions scored, each span the name itself, and the held-out documents read in the order
of the repository's splits. Names here are invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.corpus.model import QUASI, Unavailable
from bench.corpus.sources import Context, gum, manifest, registry
from bench.corpus.sources.gum import gum_text, partitions, sentences
from bench.corpus.sources.wnut17 import ConllError
from tests.conll_support import text_spans
from tests.snapshot_support import git_snapshot

LABELS = manifest("gum")["labels"]


def conllu(text: str, *words: str) -> str:
    """A sentence: ``id form xpos head deprel misc`` per word (space-separated; ``-`` for
    an empty MISC), as the ten tab-separated CoNLL-U fields."""
    lines = ["# sent_id = doc-1", f"# text = {text}"]
    for word in words:
        ident, form, xpos, head, deprel, misc = word.split(" ")
        lines.append("\t".join([ident, form, "_", "_", xpos, "_", head, deprel, "_", "_" if misc == "-" else misc]))
    return "\n".join(lines) + "\n\n"


BYRON = conllu(
    "Dr. Orla Quint taught Bex's son in New Brakvale.",
    "1 Dr. NNP 2 nmod:desc Entity=(1-person-new-sssss-cf1-1,2,3-sgl",
    "2 Orla NNP 4 nsubj -",
    "3 Quint NNP 2 flat Entity=1)",
    "4 taught VBD 0 root -",
    "5-6 Bex's _ _ _ -",
    "5 Bex NNP 7 nmod:poss Entity=(2-person-new-sssss-cf2-1-coref(3-person-new-sssss-cf3-1-sgl)",
    "6 's POS 5 case -",
    "7 son NN 4 obj Entity=2)",
    "8 in IN 10 case -",
    "9 New NNP 10 amod Entity=(4-place-new-sssss-cf4-1,2-sgl-New_Brakvale",
    "10 Brakvale NNP 4 obl Entity=4)|SpaceAfter=No",
    "11 . . 4 punct -",
)


def test_words_are_written_back_as_the_sentence_text_line() -> None:
    (sentence,) = sentences(BYRON)
    assert sentence.text == "Dr. Orla Quint taught Bex's son in New Brakvale."
    by_id = {w.id: sentence.text[w.start : w.end] for w in sentence.words}
    assert by_id[5] == "Bex" and by_id[6] == "'s", "a multi-word token gives its words their own characters"
    assert [(m.etype, m.first, m.last) for m in sentence.mentions] == [
        ("person", 1, 3),
        ("person", 5, 5),
        ("person", 5, 7),
        ("place", 9, 10),
    ]


def test_a_name_is_scored_without_its_title_or_possessive_and_a_description_is_not() -> None:
    text = gum_text(sentences(BYRON)[0], LABELS)
    assert text_spans(text) == [
        ("Orla Quint", "PERSON", "person"),
        ("Bex's son", QUASI, "person (unnamed)"),
        ("Bex", "PERSON", "person"),
        ("New Brakvale", "LOCATION", "place"),
    ]


def test_pronouns_roles_and_groups_are_no_names() -> None:
    sentence = conllu(
        "She met the Governor and Brakvalians there.",
        "1 She PRP 2 nsubj Entity=(1-person-new-sssss-cf1-1-sgl)",
        "2 met VBD 0 root -",
        "3 the DT 4 det Entity=(2-person-new-sssss-cf2-2-sgl",
        "4 Governor NNP 2 obj Entity=2)",
        "5 and CC 6 cc -",
        "6 Brakvalians NNPS 4 conj Entity=(3-person-new-sssss-cf3-1-sgl)",
        "7 there RB 2 advmod Entity=(4-place-new-sssss-cf4-1-sgl)|SpaceAfter=No",
        "8 . . 2 punct -",
    )
    text = gum_text(sentences(sentence)[0], LABELS)
    assert [s.truth for s in text.spans] == [QUASI] * 4
    assert [s.label for s in text.spans] == ["person (unnamed)"] * 3 + ["place (unnamed)"]


def test_named_mentions_of_other_types_are_unscored_and_unnamed_ones_left_out() -> None:
    sentence = conllu(
        "Quintco sold a lamp.",
        "1 Quintco NNP 2 nsubj Entity=(1-organization-new-sssss-cf1-1-sgl)",
        "2 sold VBD 0 root -",
        "3 a DT 4 det Entity=(2-object-new-sssss-cf2-2-sgl",
        "4 lamp NN 2 obj Entity=2)|SpaceAfter=No",
        "5 . . 2 punct -",
    )
    assert text_spans(gum_text(sentences(sentence)[0], LABELS)) == [("Quintco", QUASI, "organization")]


@pytest.mark.parametrize(
    ("word", "message"),
    [
        ("2 Orla NNP 1 flat Entity=(", "cannot read"),
        ("2 Orla NNP 1 flat Entity=9)", "never opened"),
        ("2 Orla NNP 1 flat Entity=(9-person-new", "left open"),
        ("2 Orla NNP x flat -", "not a word id"),
    ],
)
def test_a_malformed_sentence_fails_by_its_line_number_never_its_words(word: str, message: str) -> None:
    with pytest.raises(ConllError) as caught:
        sentences(conllu("ok Orla", "1 ok UH 0 root -", word))
    assert message in str(caught.value) and "line 4" in str(caught.value)
    assert "Orla" not in str(caught.value), "a token (maybe a name) in an exception message"


def test_a_sentence_that_does_not_spell_its_text_line_is_refused() -> None:
    with pytest.raises(ConllError, match="text line"):
        sentences(conllu("Orla Quint", "1 Orla NNP 0 root SpaceAfter=No", "2 Quint NNP 1 flat -"))


def test_the_manifest_scores_named_people_and_places_and_pins_its_origin() -> None:
    man = manifest("gum")
    assert "gum" in registry() and man["name"] == "gum"
    assert man["repository"] == "amir-zeldes/gum" and len(man["commit"]) == 40
    assert "CC BY 4.0" in man["licence"] and "Reddit" in man["licence"]
    assert {k: v for k, v in man["labels"].items() if v != QUASI} == {"person": "PERSON", "place": "LOCATION"}
    assert man["partitions"] == ["test", "dev"], "GUM's held-out partitions, not its training one"
    assert 1000 <= man["max_texts"] <= 5000, "capped so that one run takes minutes"


SPLITS = "# Splits\n\n## dev\n\n  * GUM_bio_quint\n\n## test\n\n  * GUM_reddit_bex\n  * GUM_news_ryle\n\n## train\n\n  * GUM_bio_orla\n"


def test_splits_list_each_partitions_documents() -> None:
    assert partitions(SPLITS) == {
        "dev": ["GUM_bio_quint"],
        "test": ["GUM_reddit_bex", "GUM_news_ryle"],
        "train": ["GUM_bio_orla"],
    }


def test_the_held_out_partitions_are_read_in_order_without_reddit_up_to_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = conllu("Orla wrote", "1 Orla NNP 2 nsubj Entity=(1-person-new-sssss-cf1-1-sgl)", "2 wrote VBD 0 root -")
    git_snapshot(
        tmp_path,
        "amir-zeldes/gum",
        {
            "splits.md": SPLITS,
            "dep/GUM_news_ryle.conllu": one + conllu("Hi.", "1 Hi. UH 0 root -"),
            "dep/GUM_bio_quint.conllu": conllu("Bye.", "1 Bye. UH 0 root -") + conllu("Ok.", "1 Ok. UH 0 root -"),
            "dep/GUM_reddit_bex.conllu": conllu("_ _", "1 _ NNP 0 root -", "2 _ NN 1 dep -"),
            "dep/GUM_bio_orla.conllu": conllu("Train.", "1 Train. UH 0 root -"),
        },
    )
    real = gum.manifest
    monkeypatch.setattr(gum, "manifest", lambda name: {**real(name), "max_texts": 3})
    source = gum.load(Context(tmp_path, tmp_path / "downloads", 10))
    assert source.name == "gum"
    assert [t.text for t in source.texts] == ["Orla wrote", "Hi.", "Bye."], "test first, then dev; never train"
    assert text_spans(source.texts[0]) == [("Orla", "PERSON", "person")]
    assert any("1 Reddit documents skipped" in n for n in source.notes)
    assert any("first 3 of 4 sentences" in n for n in source.notes), "the cap is said"


def test_without_the_snapshot_the_source_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(Unavailable, match="amir-zeldes/gum"):
        gum.load(Context(tmp_path, tmp_path / "downloads", 10))
