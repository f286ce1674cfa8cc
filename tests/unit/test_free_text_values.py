"""Values of a declared free-text column (``redact_detected``): NER reads short values of
several words too ('Firstname Lastname <3'), not only prose, while the column profiler and
JSON leaves keep judging short values as before. Names here are invented for the tests;
failure messages name the case, never the value."""

from __future__ import annotations

import pytest

from detectors.nameshapes import handle_of_names, listed_first_name_then_unknown
from detectors.ner import ner_engine
from detectors.textscan import TextScanner, reads_as_free_text, whole_name

SHORT_NAMES = ["Theodora Lockhart", "Isadora Underhill <3"]


@pytest.fixture(scope="module")
def scanner() -> TextScanner:
    return TextScanner(ner=ner_engine())


def test_two_words_are_read_as_text_and_one_word_is_not() -> None:
    assert reads_as_free_text("Alphonse Fairweather")
    assert reads_as_free_text("Please call Alphonse Fairweather tomorrow morning.")
    assert not reads_as_free_text("Alphonse")
    assert not reads_as_free_text("42 17")


@pytest.mark.parametrize("index", range(len(SHORT_NAMES)))
def test_a_short_value_of_a_free_text_column_has_its_name_redacted(scanner: TextScanner, index: int) -> None:
    value = SHORT_NAMES[index]
    redacted = scanner.redact(value)
    left = value.split()[0] in redacted or value.split()[1] in redacted
    assert not left, f"short value #{index}: a name word left readable"
    assert redacted.startswith("<PERSON>"), f"short value #{index}: not redacted as a person"
    judged_as_before = scanner.find(value) == []
    assert judged_as_before, f"short value #{index}: find() (profiler, JSON leaves) now reads it as prose"


@pytest.mark.parametrize("value", ["Maple Street Pharmacy", "Gold Card", "Alphonse", "Savings Plus account"])
def test_short_values_without_a_person_are_kept(scanner: TextScanner, value: str) -> None:
    assert scanner.redact(value) == value


def test_a_batch_collects_a_short_value_for_ner_like_prose(scanner: TextScanner) -> None:
    scanner.clear_cache()
    # A value that is a name alone is redacted by the whole-value rule before NER; one with a
    # word beside the name waits for the batch's NER.
    value = SHORT_NAMES[1]
    scanner.begin_batch()
    try:
        first_pass = scanner.redact(value)
        assert scanner.collected() == 1, "the short value was not collected for the batch's NER"
        scanner.analyse_pending()
        second_pass = scanner.redact(value)
    finally:
        scanner.end_batch()
    unchanged, redacted = first_pass == value, second_pass == "<PERSON> <3"
    assert unchanged, "patterns alone redact this value: the test no longer tests NER"
    assert redacted, "the batch's NER result did not reach the value"


@pytest.mark.parametrize(
    "value", ["Ysolde Vane-Tirrell", "Anouk Ter-Havelaar", "Corentin-Loup Marivasse", "Niamh O'Carrabhy"]
)
def test_a_name_written_with_joiners_is_redacted_whole(scanner: TextScanner, value: str) -> None:
    # invented names no list or model knows: a hyphen or an apostrophe joins capitalised parts
    redacted = scanner.redact(value)
    as_expected = redacted == "<PERSON>"
    assert as_expected, f"a joined name of {len(value)} characters left readable"


@pytest.mark.parametrize("value", ["Rolls-Royce Phantom", "Well-Known Brand", "Self-Service Kiosk", "Check-In Desk"])
def test_joined_words_that_english_has_are_kept(scanner: TextScanner, value: str) -> None:
    assert scanner.redact(value) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"Ysolde Marivasse"', '"<PERSON>"'),  # quoted
        ("Ysolde Marivasse \U0001f642", "<PERSON> \U0001f642"),  # an emoji beside it
        ("YSOLDE VANE-TIRRELL", "<PERSON>"),  # in capitals
    ],
)
def test_a_name_alone_within_marks_or_in_capitals_is_redacted(scanner: TextScanner, value: str, expected: str) -> None:
    as_expected = scanner.redact(value) == expected
    assert as_expected, f"a name of {len(value)} characters within marks left readable"


def _redacted_in_a_batch(scanner: TextScanner, value: str) -> str:
    """``value`` as a batch redacts it: read once, the batch's NER run, read again."""
    scanner.begin_batch()
    try:
        scanner.redact(value)
        scanner.analyse_pending()
        return scanner.redact(value)
    finally:
        scanner.end_batch()


def test_a_name_alone_that_ner_reads_in_part_as_a_place_goes_whole(scanner: TextScanner) -> None:
    # spaCy's small model reads the surname of 'Amara Nwosu' as a place: the first name
    # was left beside '<LOCATION>'
    value = "Amara Nwosu"
    redacted = _redacted_in_a_batch(scanner, value)
    as_expected = redacted == "<PERSON>"
    assert as_expected, "a part of the name was left readable"


@pytest.mark.parametrize(("value", "expected"), [("Y. Marivasse", "<PERSON>"), ("Ysolde M.", "<PERSON>.")])
def test_a_name_with_an_initial_alone_is_redacted(scanner: TextScanner, value: str, expected: str) -> None:
    as_expected = scanner.redact(value) == expected
    assert as_expected, f"an initialled name of {len(value)} characters left readable"


@pytest.mark.parametrize("value", ["J. Crew", "Vitamin C", "Plan B", "A Kiosk"])
def test_an_initial_beside_an_english_word_is_kept(scanner: TextScanner, value: str) -> None:
    assert scanner.redact(value) == value


def test_a_free_text_documents_leaf_that_is_a_name_alone_is_redacted(scanner: TextScanner) -> None:
    doc = {"who": "Ysolde Vane-Tirrell", "said": '"Corentin Marivasse"', "to": "Y. Marivasse", "plan": "Gold Card"}
    out = scanner.redact_json(doc, free_text=True)
    as_expected = out == {"who": "<PERSON>", "said": "<PERSON>", "to": "<PERSON>", "plan": "Gold Card"}
    assert as_expected, f"left as they were: {sorted(k for k in doc if out.get(k) == doc[k])}"


@pytest.mark.parametrize("value", ["Maria Marivasse", "James Vane-Tirrell"])
def test_a_listed_first_name_before_a_surname_english_lacks_is_redacted(scanner: TextScanner, value: str) -> None:
    # WordNet's proper nouns make 'maria' and 'james' English words: the lists read them
    as_expected = scanner.redact(value) == "<PERSON>"
    assert as_expected, f"a name of {len(value)} characters left readable"


@pytest.mark.parametrize("value", ["Jordan Almonds", "Grace Period", "Victoria Sponge", "Rose Petals"])
def test_a_first_name_before_an_english_word_is_no_name_by_shape(value: str) -> None:
    # (NER may still call some of them a person: this is the shape rule alone)
    assert not listed_first_name_then_unknown(value)
    assert whole_name(value, listed=False) is None


def test_a_free_text_documents_name_in_parts_or_as_a_key_is_redacted(scanner: TextScanner) -> None:
    doc = {
        "holder": {"names": ["Ysolde", "Marivasse"]},
        "owners": {"Maria Marivasse": "primary"},
        "tags": ["Gold", "Card"],
    }
    out = scanner.redact_json(doc, free_text=True)
    as_expected = out["holder"]["names"] == ["<PERSON>", "<PERSON>"]
    assert as_expected, "a name in parts left readable"
    as_expected = list(out["owners"]) == ["<PERSON>"]
    assert as_expected, "a name as a key left readable"
    as_expected = out["tags"] == ["Gold", "Card"]
    assert as_expected, "words of no name redacted"


@pytest.mark.parametrize("value", ["ysolde_marivasse", "maria.marivasse", "Corentin-Vanetirrell", "john_smith"])
def test_a_handle_of_names_alone_is_redacted(scanner: TextScanner, value: str) -> None:
    as_expected = scanner.redact(value) == "<PERSON>"
    assert as_expected, f"a handle of {len(value)} characters left readable"


@pytest.mark.parametrize(
    "value", ["blue_widget", "order.total", "first_name", "utf-8", "gmail.com", "nginx.conf", "smtp_tls", "green_white"]
)
def test_a_handle_of_english_words_is_no_name(value: str) -> None:
    assert not handle_of_names(value)
    assert whole_name(value, listed=False) is None


@pytest.mark.parametrize("value", ["PCI DSS", "AWS GCP", "KYC AML", "GDPR CCPA"])
def test_acronyms_in_capitals_are_no_name(value: str) -> None:
    assert whole_name(value, listed=False) is None


@pytest.mark.parametrize(
    "value",
    [
        "Ysolde  Marivasse",
        "Ysolde\tMarivasse",
        "Ysolde Vane\u2013Tirrell",
        "Ysolde Vane\u2010Tirrell",
        "Ysolde\u200b Marivasse",
    ],
)
def test_a_name_alone_is_read_normalised(scanner: TextScanner, value: str) -> None:
    # doubled spaces, a tab, look-alike dashes, an invisible character: read as normalize() reads them
    as_expected = scanner.redact(value) == "<PERSON>"
    assert as_expected, f"a name of {len(value)} characters left readable"


def test_marks_around_a_long_value_are_stripped_whole() -> None:
    # a linear strip: a regular expression for it backtracked over long runs of marks
    value = "\n" * 20_000 + '"Ysolde Marivasse"' + " \U0001f642" * 5_000
    start, end = whole_name(value) or (0, 0)
    assert value[start:end] == "Ysolde Marivasse"


def test_a_name_alone_read_from_the_batchs_normalised_scan(scanner: TextScanner) -> None:
    # inside a batch the value's normalised form comes from the scan it already had
    value = "Ysolde\u200b Vane\u2013Tirrell"
    redacted = _redacted_in_a_batch(scanner, value)
    as_expected = redacted == "<PERSON>"
    assert as_expected, f"a name of {len(value)} characters left readable in a batch"


def test_a_bytes_column_of_free_text_is_redacted_as_utf8_and_withheld_otherwise(scanner: TextScanner) -> None:
    import base64

    from pipeline.core.treatments.operators import RedactDetected

    op = RedactDetected(scanner)
    field = {"type": "bytes", "optional": True, "field": "body"}
    text = "Write to quill.harrow71@example.org about the refund."
    out = op.apply(base64.b64encode(text.encode()).decode(), field)
    assert isinstance(out, str), "UTF-8 text in bytes did not stay bytes"
    readable = base64.b64decode(out).decode()
    assert "quill.harrow71" not in readable and "<EMAIL_ADDRESS>" in readable, "the address was not redacted"
    for encoding in ("latin-1", "utf-16-le", "utf-16"):
        raw = (text + " Merci à vous.").encode(encoding)
        withheld = op.apply(base64.b64encode(raw).decode(), field) is None
        assert withheld, f"{encoding} bytes, which no span can be redacted in, went out"
