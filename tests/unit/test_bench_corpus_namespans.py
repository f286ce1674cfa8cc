"""PERSON spans labelled from a table's own name columns (bench/corpus/sources/namespans.py)."""

from __future__ import annotations

from bench.corpus.sources.namespans import biography_texts, name_spans


def _words(text: str, names: list[str]) -> list[str]:
    return [text[s.start : s.end] for s in name_spans(text, names)]


def test_whole_words_only_and_a_full_name_is_one_span() -> None:
    text = "Orla Quint studied at St. Quints College; later Quint led it. Orlando came too."
    assert _words(text, ["Orla", "Quint"]) == ["Orla Quint", "Quint"]


def test_a_middle_initial_joins_and_punctuation_splits() -> None:
    assert _words("Met Orla B. Quint today.", ["Orla", "Quint"]) == ["Orla B. Quint"]
    assert _words("Orla, Quint and Bex.", ["Orla", "Quint", "Bex"]) == ["Orla", "Quint", "Bex"]


def test_the_longest_name_wins_and_empty_names_are_ignored() -> None:
    assert _words("Van Der Berg arrived", ["Van", "Van Der Berg", "", "  "]) == ["Van Der Berg"]
    assert name_spans("nothing here", []) == ()


def test_texts_take_every_rows_names_and_skip_empty_cells() -> None:
    rows: list[list[object]] = [["Orla", "Quint", "Orla met Bex."], ["Bex", "Ryle", None], ["Tam", "Ode", "Quiet."]]
    texts = biography_texts(rows, ["first", "last", "bio"], "bio", ["first", "last"])
    assert [t.text for t in texts] == ["Orla met Bex.", "Quiet."]
    assert [(s.start, s.end, s.truth) for s in texts[0].spans] == [(0, 4, "PERSON"), (9, 12, "PERSON")]
    assert texts[1].spans == ()
