"""Context words with accents count in text the scanner has normalised (accents folded
away): a date of birth after 'née le' or 'geb.' is redacted; the same date after a word
that is no cue is not."""

from __future__ import annotations

import pytest

from detectors.recognizers.base import read_forms
from detectors.textscan import TextScanner


def test_read_forms_keeps_both_spellings() -> None:
    assert read_forms(("née le", "born")) == ("née le", "born", "nee le")


@pytest.mark.parametrize("cue", ["née le", "né le", "geb.", "geboren am", "date de naissance"])
def test_a_birth_cue_with_or_without_accents_marks_a_date(cue: str) -> None:
    out = TextScanner().redact(f"Kundin {cue} 14.03.1987, Termin bestätigt")
    assert out == f"Kundin {cue} <DATE_OF_BIRTH>, Termin bestätigt", out


@pytest.mark.parametrize("cue", ["livrée le", "Termin am", "bezahlt"])
def test_a_date_after_another_word_is_left(cue: str) -> None:
    assert "<DATE_OF_BIRTH>" not in TextScanner().redact(f"Commande {cue} 14.03.1987")
