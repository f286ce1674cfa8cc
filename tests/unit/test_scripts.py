"""Scripts the detectors do not read: their letters are told apart, two or three
capitalised Cyrillic or Greek words are shaped as a name, a released categorical column
holds new values to the scripts its categories were written in, and declared free text
keeps no run of unread words. Ordinary values (codes, tiers, a one-word product, a
lower-case phrase) are left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from detectors.scripts import ASCII, LATIN, letter_scripts, name_shaped, unread, unread_runs
from detectors.textscan import TextScanner
from pipeline.core.safenames import looks_personal
from tests.support import QUIET, TIERS, publish_orders

ZERO_WIDTH = "\u200b"  # inside a name
STRESS = "\u0301"  # a combining acute: Russian stress marks
LATIN_A = "a"  # a Latin look-alike ending a Cyrillic word


def _at(text: str, inserts: dict[int, str], replace: bool = False) -> str:
    """``text`` with characters put in (or in place of the ones) at the given offsets."""
    out = list(text)
    for i in sorted(inserts, reverse=True):
        out[i : i + 1] = [inserts[i]] if replace else [inserts[i], out[i]]
    return "".join(out)


@pytest.mark.parametrize(
    ("text", "scripts"),
    [
        ("gold", {ASCII}),
        ("R-0001", {ASCII}),
        ("1234", set()),
        ("Crème", {ASCII, LATIN}),
        ("\uff27\uff2f\uff2c\uff24", {ASCII}),  # full-width Latin is Latin after NFKC
        ("Ольга", {"CYRILLIC"}),
        ("Ελένη", {"GREEK"}),
        ("玛丽亚·莫罗", {"HAN"}),
        ("فاطمة", {"ARABIC"}),
        ("gold Молоко", {ASCII, "CYRILLIC"}),
    ],
)
def test_letters_are_tagged_by_script(text: str, scripts: set[str]) -> None:
    assert letter_scripts(text) == frozenset(scripts)


def test_only_latin_is_read() -> None:
    assert not unread({ASCII, LATIN})
    assert unread({ASCII, "CYRILLIC"})


@pytest.mark.parametrize(
    "value",
    [
        "Ольга Петрова",
        "ПЕТРОВА Ольга",
        "Анна-Мария Соколова",
        "Ελένη Γεωργίου",
        "И. Петров",
        _at("Ольга Петрова", {3: ZERO_WIDTH}),  # a zero-width space inside
        _at("Ольга Петрова", {1: STRESS, 12: STRESS}),  # stress accents
        _at("Ольга Петрова", {4: LATIN_A, 12: LATIN_A}, replace=True),  # Latin look-alikes at the ends
    ],
)
def test_capitalised_words_of_a_cased_unread_script_are_name_shaped(value: str) -> None:
    assert name_shaped(value)


@pytest.mark.parametrize(
    "value",
    ["Молоко", "Новый заказ", "Jane Roe", "Crème Brûlée", "玛丽亚·莫罗", "Ольга Smith", "Ольга Петрова 42", "gold"],
)
def test_other_values_are_not_name_shaped(value: str) -> None:
    assert not name_shaped(value)


def test_unread_runs_cover_neighbouring_words_and_leave_latin_alone() -> None:
    text = "Customer Ольга Петрова called, then فاطمة حداد; order 12"
    spans = [text[s:e] for s, e in unread_runs(text)]
    assert spans == ["Ольга Петрова", "فاطمة حداد"]
    assert unread_runs("Customer Jane Roe called about Crème Brûlée") == []


def _publish(tmp_path: Path, extra: str, column: str, values: list[Any]) -> list[Any]:
    """The column's value in each published record, in order."""
    return [
        (orjson.loads(rec.value).get("after") or {}).get(column)
        for rec in publish_orders(tmp_path / "s", extra, column, values)
    ]


def test_a_released_categorical_column_takes_a_new_category_in_its_own_letters(tmp_path: Path) -> None:
    out = _publish(tmp_path, "", "tier", [TIERS[n % 4] for n in range(QUIET)] + ["diamond", "gold"])
    assert out[-2:] == ["diamond", "gold"]


def test_a_released_categorical_column_withholds_a_value_in_new_letters(tmp_path: Path) -> None:
    out = _publish(tmp_path, "", "tier", [TIERS[n % 4] for n in range(QUIET)] + ["Ольга Петрова", "gold"])
    assert "Ольга Петрова" not in out
    assert out[-1] != "gold", "the column is withheld from the new value on"


def test_categories_in_an_unread_script_are_no_evidence(tmp_path: Path) -> None:
    people = ("Ольга Петрова", "Иван Смирнов")
    out = _publish(tmp_path, "", "driver", [people[n % 2] for n in range(QUIET)])
    assert not set(out) & set(people)


@pytest.mark.parametrize("value", ["Молоко", "Новый заказ", "東京タワー", "ORD-1234", "Crème Brûlée"])
def test_a_declared_none_column_passes_ordinary_values_in_any_script(value: str, tmp_path: Path) -> None:
    out = _publish(tmp_path, "  label: {pii: none}\n", "label", [value] * 3)
    assert out == [value] * 3


def test_a_declared_none_column_withholds_a_cyrillic_name(tmp_path: Path) -> None:
    out = _publish(tmp_path, "  label: {pii: none}\n", "label", ["Молоко", "Ольга Петрова"])
    assert out[0] == "Молоко"
    assert out[1] != "Ольга Петрова"


def test_declared_free_text_keeps_no_unread_words() -> None:
    scanner = TextScanner()
    assert scanner.redact("Customer Ольга Петрова called about order 12") == (
        "Customer <UNREAD_TEXT> called about order 12"
    )
    assert scanner.redact("The parcel left the depot on time") == "The parcel left the depot on time"


def test_a_json_leaf_or_key_of_declared_free_text_keeps_no_unread_words() -> None:
    doc = {"contact": "Ольга Петрова", "visits": {"فاطمة حداد": 2}, "status": "open"}
    out = TextScanner().redact_json(doc, free_text=True)
    # a Cyrillic name is read as a name (capitalised words); Arabic letters as unread text
    assert out == {"contact": "<PERSON>", "visits": {"<UNREAD_TEXT>": 2}, "status": "open"}


def test_a_document_read_for_entities_only_is_not_redacted_for_its_script() -> None:
    """The guard and the profiler read documents for what they hold: a word they cannot
    read is no entity there (a declared-none document in Russian stays published)."""
    doc = {"label": "Молоко", "status": "open"}
    assert TextScanner().redact_json(doc) == doc


@pytest.mark.parametrize(("name", "personal"), [("玛丽亚·莫罗", True), ("فاطمة_حداد", True), ("order_total", False)])
def test_a_column_name_in_an_unread_script_looks_personal(name: str, personal: bool) -> None:
    assert looks_personal(name) is personal
