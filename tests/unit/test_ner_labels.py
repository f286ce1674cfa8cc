"""NER reads spaCy's documents itself; its findings are exactly those of Presidio's spaCy
engine and SpacyRecognizer over the same model (labels mapped by Presidio's own
configuration, ignored labels dropped, the same scores)."""

from __future__ import annotations

import pytest

from detectors.ner import NerRefused, ner_engine

# Persons, places, organisations, dates, nationalities, money and numbers: every label
# the small model gives, so the mapping and the ignore list are both exercised.
TEXTS = [
    "Maria Gonzalez moved from Madrid to Toronto in March 2021.",
    "Call Dr. Okonkwo at the Lagos office before Friday.",
    "The Norwegian team met Apple and Siemens in Berlin last week.",
    "John Smith paid $45.20 for 3 tickets to Paris on 12 May.",
    "Ticket closed by agent; customer Hiroshi Tanaka in Osaka was happy.",
    "Please ship to 221B Baker Street, London, United Kingdom.",
    "meeting with the Chinese delegation at 10am on Monday at the UN",
    "Anna and Lars from Sweden called about the Volvo contract worth 2 million euros.",
    "no entities here at all, just words",
    "Mount Everest and the Pacific Ocean are places; Buddhism is a religion.",
    "Łukasz Żółw from Kraków wrote to Zoë Brontë in Düsseldorf.",
    "",
]


def test_direct_reading_equals_presidio() -> None:
    engine = ner_engine()
    direct = list(engine._run(TEXTS))
    through_presidio = list(engine._run_through_presidio(TEXTS))
    assert direct == through_presidio
    found = {f.entity for findings in direct for f in findings}
    assert found == {"PERSON", "LOCATION"}  # the texts do exercise both entities


# Short column values of every kind a column's votes read: people, places, products, words.
VALUES = [
    "Maria Gonzalez",
    "Hiroshi Tanaka",
    "Amara Okonkwo",
    "Lucas",
    "Toronto",
    "Lagos",
    "Kraków",
    "United Kingdom",
    "Chai",
    "Gorgonzola Telino",
    "Gold Plus",
    "Next Day",
    "Volvo",
    "Jackson",
    "Zoë Brontë",
    "Customer",
]


def test_values_labelled_in_one_call_get_the_labels_they_get_alone() -> None:
    engine = ner_engine()
    alone = [engine.label_values([v])[0] for v in VALUES]
    assert engine.labels(VALUES) == alone
    assert engine.label_values(VALUES) == alone
    assert {"PERSON", "LOCATION", None} <= set(alone)  # the values do exercise every answer


def test_a_value_over_the_budget_is_refused_in_its_place_and_the_others_labelled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = ner_engine()
    alone = [engine.label_values([v])[0] for v in VALUES[:3]]
    texts = sum(len(v) * 2 + len(", the customer, called.") for v in VALUES[:2])
    monkeypatch.setattr(engine, "max_batch_chars", texts)  # the first two values fit, not the third
    labels = engine.labels(VALUES[:3])
    assert labels[:2] == alone[:2]
    assert isinstance(labels[2], NerRefused)
    with pytest.raises(NerRefused):
        engine.label_values(VALUES[:3])
