"""Values written out the way people slip them past a filter (:mod:`detectors.spoken`
and the normaliser's passes): spelled e-mail separators, dictated numbers, one digit at a
time, line breaks inside a value, characters spaced apart, IPv4 with 'dot', IBANs
regrouped, dates said in words, profile URLs without a scheme. And the harmless texts
those readings must leave alone, in free text and in a guarded column.

Failure messages name the form, never the value (values are made up for these tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from detectors import guard, spoken, unwrap
from detectors.normalize import normalize
from detectors.textscan import TextScanner
from pipeline.core.events import Published
from tests.support import PATTERNS_ONLY, assert_no_raw, make_processor, record, record_blobs

SCANNER = TextScanner()

# form -> (text, what the normaliser makes of it)
READ = {
    "mail underscores": ("quill.harrow71_at_example_dot_org", "quill.harrow71@example.org"),
    "mail dashes": ("quill.harrow71-at-example-dot-org", "quill.harrow71@example.org"),
    "mail at sign, period": ("quill.harrow71 at sign example period org", "quill.harrow71@example.org"),
    "mail at-sign, point": ("quill.harrow71 at-sign example point org", "quill.harrow71@example.org"),
    "mail spaced letters": ("q u i l l . h a r r o w @ e x a m p l e . o r g", "quill.harrow@example.org"),
    "mail break after @": ("quill.harrow71@\nexample.org", "quill.harrow71@example.org"),
    "mail break before @": ("quill.harrow71\n@example.org", "quill.harrow71@example.org"),
    "mail break after domain dot": ("quill.harrow71@example.\norg", "quill.harrow71@example.org"),
    "phone words": ("seven oh two, eight five nine, eight three eight one", "702-859-8381"),
    "phone double": ("seven zero two eight five nine eight three double eight", "702-859-8388"),
    "phone mixed": ("7 oh two, 8 five 9, eight 3 8 one", "702-859-8381"),
    "phone teens and tens": ("seven oh two, eight five nine, eighty-three eighty-one", "702-859-8381"),
    "phone slashes": ("7 / 0 / 2 / 8 / 5 / 9 / 8 / 3 / 8 / 1", "702-859-8381"),
    "phone dots": ("7.0.2.8.5.9.8.3.8.1", "702-859-8381"),
    "phone spaced digits": ("7 0 2 8 5 9 8 3 8 1", "702-859-8381"),
    "phone break": ("702-\n859-8381", "702-859-8381"),
    "ssn words": ("two four six, oh one, one six two three", "246-01-1623"),
    "ssn break at its separator": ("246-01-\n1623", "246-01-1623"),
    "card words": (
        "six oh one one, two five three oh, one five six one, nine six six oh",
        "6011-2530-1561-9660",
    ),
    "card break at its separator": ("6011-2530-\n1561-9660", "6011-2530-1561-9660"),
    "iban spaced": ("D E 8 9 3 7 0 4 0 0 4 4 0 5 3 2 0 1 3 0 0 0", "DE89370400440532013000"),
    "ipv4 dot words": ("81 dot 2 dot 160 dot 7", "81.2.160.7"),
    "ipv4 defanged spaced": ("81 [.] 2 [.] 160 [.] 7", "81.2.160.7"),
    "ipv6 break": ("2001:db8:\n85a3::8a2e:370:7334", "2001:db8:85a3::8a2e:370:7334"),
    "date words": ("the fifth of March nineteen eighty-two", "5 March 1982"),
    "date words, month first": ("March fifth, two thousand and three", "5 March 2003"),
}


@pytest.mark.parametrize("form", sorted(READ))
def test_the_normaliser_reads_what_a_reader_reads(form: str) -> None:
    text, want = READ[form]
    same = normalize(text).text == want
    assert same, f"{form}: not read as written out"


# form -> (sentence, the planted part): found in free text, and in a guarded column alone
HELD = {
    "mail underscores": ("Write to {} please.", "quill.harrow71_at_example_dot_org"),
    "mail spaced letters": ("Write to {} please.", "q u i l l . h a r r o w @ e x a m p l e . o r g"),
    "phone words": ("Call me back on {} tonight.", "seven oh two, eight five nine, eight three eight one"),
    "phone mixed": ("Call me back on {} tonight.", "7 oh two, 8 five 9, eight 3 8 one"),
    "phone slashes": ("Text me on {} after work.", "7 / 0 / 2 / 8 / 5 / 9 / 8 / 3 / 8 / 1"),
    "phone break": ("Call me back on {} tonight.", "702-\n859-8381"),
    "ssn words": ("SSN is {} for the form.", "two four six, oh one, one six two three"),
    "card words": ("Card {} exp 09/29.", "six oh one one, two five three oh, one five six one, nine six six oh"),
    "card break": ("paid with {} yesterday", "6011-2530\n-1561-9660"),
    "iban regrouped": ("IBAN {} for the refund.", "de893.70400.44053.20130.00"),
    "iban then a short word": ("IBAN {} for the refund.", "DE89 3704 0044 0532 0130 00"),
    "ipv4 dot words": ("logged in from {} twice", "81 dot 2 dot 160 dot 7"),
    "profile url": ("Found her profile: {} (ask first).", "linkedin.com/in/quill-harrow-4a1b"),
}


@pytest.mark.parametrize("form", sorted(HELD))
def test_free_text_redacts_the_written_out_value_and_keeps_the_rest(form: str) -> None:
    sentence, planted = HELD[form]
    out = SCANNER.redact(sentence.format(planted))
    assert_no_raw([planted], out)
    head, tail = sentence.split("{}")
    kept = out.startswith(head.rstrip()) and out.endswith(tail.lstrip())
    assert kept, f"{form}: the words around the value were not kept"


@pytest.mark.parametrize("form", sorted(HELD))
def test_a_guarded_value_that_is_written_out_holds_its_entity(form: str) -> None:
    assert guard.holds(HELD[form][1], SCANNER) is not None, f"{form}: not found"


# A break with no separator at it: lines of an address block look the same ('APO AA
# 61487' over '416 60 039 office'), so the normaliser leaves it and the guard's readings
# (and free text's whole-value check) join it.
UNSEPARATED = {
    "ssn, separator after": ("246\n01-1623", "246-01-1623"),
    "ssn, separator before": ("246-01\n1623", "246-01-1623"),
    "card": ("6011 2530\n1561 9660", "6011 2530 1561 9660"),
}


@pytest.mark.parametrize("form", sorted(UNSEPARATED))
def test_a_number_split_with_no_separator_at_the_break_is_a_reading(form: str) -> None:
    text, want = UNSEPARATED[form]
    assert normalize(text).text == text, f"{form}: the normaliser joined lines"
    assert want in unwrap.readings(text), f"{form}: no reading joins it"
    assert guard.holds(text, SCANNER) is not None, f"{form}: not found by the guard"


def test_an_address_block_keeps_its_lines() -> None:
    block = "Dreux Joly\nPaxata\nPSC 3294, Box 9168\nAPO AA 61487\n416 60 039 office"
    assert SCANNER.redact(block) == "<PERSON>\nPaxata\n<LOCATION>\n<PHONE_NUMBER> office"


def test_a_date_of_birth_said_in_words_next_to_its_cue_is_found() -> None:
    out = SCANNER.redact("born on the fifth of March nineteen eighty-two in Leeds")
    assert "<DATE_OF_BIRTH>" in out and "March" not in out and out.endswith(" in Leeds")
    assert guard.holds("DOB: 05 / 03 / 1982", SCANNER) == "DATE_OF_BIRTH"
    assert guard.holds("born on the 5th of March 1982", SCANNER) == "DATE_OF_BIRTH"


# Harmless texts the readings must leave alone: released in a guarded column, unchanged
# in free text.
HARMLESS = [
    "Tom at home",
    "meet at 5 dot",
    "see you at one, two or three",
    "one or two",
    "we met at school point blank",
    "table for two at eight",
    "version 1.2.3.4.5",
    "Released 1.0.0 / 1.0.1 / 1.1.0",
    "version 10 dot 2 dot 0 dot 1",
    "a.m./p.m. and/or",
    "Top three: one, two, three",
    "ETA 10 . 30",
    "one two three four five six seven",
    "nine to five, five days a week, fifty two weeks",
    "rated five five five four five stars",
    "x x x x x x x x",
    "Invoice 12\n34 items",
    "Box 4\n22 pens",
    "nineteen eighty-four by Orwell",
    "the first of May",
    "split 50/50",
]


@pytest.mark.parametrize("text", HARMLESS, ids=range(len(HARMLESS)))
def test_harmless_texts_hold_nothing_under_the_readings(text: str) -> None:
    assert guard.holds(text, SCANNER) is None, "a harmless text reads as personal data"
    assert SCANNER.redact(text) == text, "a harmless free text was redacted"


TOPIC = "pg.public.orders"
DECL = """\
table: public.orders
source_topic: pg.public.orders
cdr_topic: cdr.orders.v1
owner: ledger
undeclared: detect
columns:
  id: {pii: none}
  ref: {pii: none}
"""


def _publish(tmp_path: Path, values: list[str]) -> list[bytes | str | None]:
    proc = make_processor(tmp_path / "s", {"o.yaml": DECL}, detection=PATTERNS_ONLY)
    blobs: list[bytes | str | None] = []
    for i, value in enumerate(values):
        env = {"before": None, "after": {"id": i, "ref": value}, "source": {"table": "orders"}, "op": "c", "ts_ms": 1}
        outcome = proc.process(record(TOPIC, env, key={"id": i}, offset=i))
        assert isinstance(outcome, Published), f"record {i} not published: {type(outcome).__name__}"
        blobs.extend(b for r in outcome.records for b in record_blobs(r))
    return blobs


def test_a_declared_none_column_publishes_harmless_texts_and_withholds_a_dictated_number(tmp_path: Path) -> None:
    harmless = [t for t in HARMLESS if len(t) >= 6]
    dictated = HELD["phone words"][1]
    blobs = _publish(tmp_path, [*harmless, dictated])
    text = "\n".join(b.decode() if isinstance(b, bytes) else b for b in blobs if b is not None)
    released = [t for t in harmless if t in text or t.replace("\n", "\\n") in text]
    assert len(released) == len(harmless), f"{len(harmless) - len(released)} harmless values withheld"
    assert_no_raw([dictated], *blobs)


def test_runs_are_bounded_in_tokens() -> None:
    text = " ".join(["seven"] * 500)
    edits = spoken.spoken_numbers(text)
    assert edits and all(len(text[s:e].split()) <= spoken.MAX_TOKENS for s, e, _ in edits)


@pytest.mark.parametrize(
    ("run", "digits"),
    [
        ("oh one", None),
        ("double", None),
        ("one hundred thousand", None),
        ("eight hundred five five five one two", "80055512"),
    ],
)
def test_heard(run: str, digits: str | None) -> None:
    assert spoken.heard(run) == digits
