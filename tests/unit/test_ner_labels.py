"""NER reads spaCy's documents itself; its findings are exactly those of Presidio's spaCy
engine and SpacyRecognizer over the same model (labels mapped by Presidio's own
configuration, ignored labels dropped, the same scores)."""

from __future__ import annotations

from detectors.ner import ner_engine

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
