"""Free text and JSON documents: spans found and redacted; NER through Presidio."""

from __future__ import annotations

import json
import random

import pytest

from detectors.ner import ner_engine
from detectors.profiler import CLEAR, PII, DetectionSettings, Profiler
from detectors.recognizers import Finding
from detectors.textscan import TextScanner, looks_like_prose, merge


@pytest.fixture(scope="module")
def scanner() -> TextScanner:
    return TextScanner(ner=ner_engine())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Please ask Anne Kretchmar to call +44 20 7946 0958 about her card.",
            "Please ask <PERSON> to call <PHONE_NUMBER> about her card.",
        ),
        (
            "Refund to 4111 1111 1111 1111 requested by dmitri@example.com today.",
            "Refund to <CREDIT_CARD> requested by <EMAIL_ADDRESS> today.",
        ),
        ("The customer moved to Berlin last spring.", "The customer moved to <LOCATION> last spring."),
        ("SSN 536-90-4399 was verified by the branch.", "SSN <US_SSN> was verified by the branch."),
        ("nothing personal in this note at all", "nothing personal in this note at all"),
    ],
)
def test_redact_free_text(scanner: TextScanner, text: str, expected: str) -> None:
    assert scanner.redact(text) == expected


def test_ner_only_on_prose(scanner: TextScanner) -> None:
    assert not looks_like_prose("Anne Kretchmar")
    assert [f.entity for f in scanner.find("Anne Kretchmar")] == []
    assert looks_like_prose("Please call Anne Kretchmar tomorrow morning.")
    assert not looks_like_prose("Maple Street Pharmacy")  # a title, not a sentence


FIRST = ["Agnieszka", "Bongani", "Chiara", "Dmitri", "Efua", "Farid", "Grete", "Hiroshi", "Ines", "Jonas"]
LAST = ["Mbeki", "Novak", "Ortega", "Park", "Quispe", "Reyes", "Sato", "Tremblay", "Umarov", "Varga"]


@pytest.mark.parametrize(
    ("values", "entity"),
    [
        ([f"{f} {last}" for f in FIRST for last in LAST], "PERSON"),
        (["Premium Plan", "Gold Card", "Savings Plus", "Travel Insurance", "Business Loan", "Credit Line"], None),
        (["Northwind Traders", "Blue Harbor Coffee", "Riverside Books", "Apex Fitness", "Crescent Motors"], None),
        (["Groceries", "Dining Out", "Utilities", "Health Care", "Online Shopping", "Cash Withdrawal"], None),
    ],
)
def test_ner_votes_on_values_under_an_opaque_column_name(scanner: TextScanner, values: list[str], entity) -> None:
    profiler = Profiler(DetectionSettings(min_samples=100, sample_every=5), scanner)
    prof = profiler.profile("public.t", "c7", None)
    rng = random.Random(3)
    for _ in range(300):
        profiler.observe(prof, rng.choice(values))
    assert (prof.verdict.state, prof.verdict.entity) == ((PII, entity) if entity else (CLEAR, None)), dict(
        prof.verdict.evidence
    )


def test_batched_ner_fills_the_cache(scanner: TextScanner) -> None:
    texts = [f"Ticket {i}: the invoice went to Grace Hopper in Boston." for i in range(40)]
    scanner.begin_batch()
    partial = [scanner.redact(t) for t in texts]
    assert scanner.collected() == 40 and "Boston" in partial[0]  # patterns only so far
    scanner.analyse_pending()
    assert all("<LOCATION>" in scanner.redact(t) and "Boston" not in scanner.redact(t) for t in texts)
    scanner.end_batch()


def test_json_leaves_keys_and_paths(scanner: TextScanner) -> None:
    doc = {
        "contact": {"email": "anne@example.com", "phones": ["+44 20 7946 0958", "n/a"]},
        "anne@example.com": {"since": 2019},
        "note": "Ask Anne Kretchmar before shipping to her office please.",
        "tier": "gold",
        "account": {"number": "12345678"},
    }
    found: list[tuple[str, str]] = []
    out = scanner.redact_json(doc, {"account.number": lambda v: "#" * len(v)}, found)
    assert out["contact"] == {"email": "<EMAIL_ADDRESS>", "phones": ["<PHONE_NUMBER>", "n/a"]}
    assert "<EMAIL_ADDRESS>" in out and "anne@example.com" not in json.dumps(out)
    assert "Kretchmar" not in out["note"] and out["tier"] == "gold"
    assert out["account"]["number"] == "########"
    assert ("contact.phones[]", "PHONE_NUMBER") in found and ("{key}", "EMAIL_ADDRESS") in found


def test_merge_keeps_both_labels_of_crossing_spans() -> None:
    # a name that NER ran into the address line below it: each keeps its label, the
    # stronger one its whole span, the weaker one the part outside it
    person = Finding("PERSON", 0, 20, 0.85, "spacy")
    street = Finding("LOCATION", 14, 40, 0.95, "street_address")
    got = [(f.entity, f.start, f.end) for f in merge([person, street])]
    assert got == [("PERSON", 0, 14), ("LOCATION", 14, 40)]
    weaker = Finding("LOCATION", 14, 40, 0.6, "street_address")
    got = [(f.entity, f.start, f.end) for f in merge([person, weaker])]
    assert got == [("PERSON", 0, 20), ("LOCATION", 20, 40)]
    # one inside the other, or the same entity: one span, as before
    inner = Finding("PERSON", 16, 22, 0.85, "spacy")
    assert [(f.entity, f.start, f.end) for f in merge([street, inner])] == [("LOCATION", 14, 40)]
    same = Finding("LOCATION", 30, 50, 0.7, "spacy")
    assert [(f.entity, f.start, f.end) for f in merge([street, same])] == [("LOCATION", 14, 50)]


def _pct(text: str) -> str:
    return "".join(f"%{b:02X}" for b in text.encode())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a disguise the spans do not read through: the whole value is withheld
        (f"Forwarded: {_pct('dmitri@example.com')} as received.", "<EMAIL_ADDRESS>"),
        ("Forwarded: =64=6D=69=74=72=69=40=65=78=61=6D=70=6C=65=2E=63=6F=6D as received.", "<EMAIL_ADDRESS>"),
        ("Card 4l1l 1l11 11l1 1111 on file.", "<CREDIT_CARD>"),
        # gzip in base64 is a token of the text: only it is redacted
        ("Attached H4sIAAAAAAACA0vJzSwpynRIrUjMLchJ1UvOzwUAavdA7RIAAAA= end.", "Attached <EMAIL_ADDRESS> end."),
        # ordinary text with the same characters keeps its words
        ("Fish &amp; chips cost 50% less at the 3=4 sale.", "Fish &amp; chips cost 50% less at the 3=4 sale."),
    ],
)
def test_a_disguise_the_spans_do_not_read_through_withholds_the_text(scanner, text: str, expected: str) -> None:
    assert scanner.redact(text) == expected


@pytest.mark.parametrize(
    "address",
    [
        "ольга.петрова@пример.испытание",
        "玛丽亚.莫罗@例子.测试",
        "çağla.doğan@exämple.test",
        "olga.petrova42@xn--e1afmkfd.xn--80akhbyknj4f",
        "josé.núñez@example.com",
        "kenji.okafor@[203.0.113.5]",  # an address literal (RFC 5321)
        "kenji.okafor@[IPv6:2001:db8::1]",
    ],
)
def test_an_internationalised_email_address_is_redacted_whole(address: str) -> None:
    """RFC 6531 addresses: letters of any script in the local part and the domain, or a
    punycode top-level domain."""
    assert TextScanner().redact(f"Reply to {address} before Friday") == "Reply to <EMAIL_ADDRESS> before Friday"


@pytest.mark.parametrize("text", ["snake_case@host_name.com", "pkg@1.2.3", "user@localhost", "v1.2@3"])
def test_what_is_no_address_in_any_script_stays(text: str) -> None:
    assert TextScanner().redact(text) == text


def test_a_declared_free_text_document_redacts_a_leaf_or_key_that_is_a_persons_name() -> None:
    """What the guard reads as a name in a document (and drifts the column for), the
    column's redaction must redact too; an ordinary leaf stays."""
    doc = {"contact": {"other": "Maria Gonzalez"}, "visits": {"Linda Miller": 2}, "tier": "gold"}
    out = TextScanner().redact_json(doc, free_text=True)
    assert out == {"contact": {"other": "<PERSON>"}, "visits": {"<PERSON>": 2}, "tier": "gold"}
