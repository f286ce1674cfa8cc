"""The column profiler's decisions (patterns only: NER is exercised in test_textscan)."""

from __future__ import annotations

import random

import pytest

from detectors.profiler import CLEAR, FREE, JSON, PENDING, PII, QUASI, WITHHELD, DetectionSettings, Profiler
from detectors.textscan import TextScanner
from detectors.validators import luhn_ok

R = random.Random(5)


def card() -> str:
    while True:
        digits = "4" + "".join(str(R.randrange(10)) for _ in range(15))
        if luhn_ok(digits):
            return digits


def run(name: str, values, field=None, n: int = 300, settings: DetectionSettings | None = None):
    profiler = Profiler(settings or DetectionSettings(min_samples=100, sample_every=5), TextScanner())
    prof = profiler.profile("public.t", name, field)
    for i in range(n):
        profiler.observe(prof, values(i))
    return prof


@pytest.mark.parametrize(
    ("column", "values", "state", "entity"),
    [
        ("c7", lambda i: f"user{i}@example.com", PII, "EMAIL_ADDRESS"),
        ("x_1", lambda i: card(), PII, "CREDIT_CARD"),
        ("fld", lambda i: f"+44 20 7946 {1000 + i}", PII, "PHONE_NUMBER"),
        ("a", lambda i: f"10.{i % 200}.{(i * 7) % 250}.{(i * 3) % 250 + 1}", PII, "IP_ADDRESS"),
        ("k9", lambda i: "GB29NWBK60161331926819", PII, "IBAN_CODE"),
        # no detector fired, but nothing positive says "not personal" either: withheld
        ("ref", lambda i: "".join(str(R.randrange(10)) for _ in range(16)), WITHHELD, None),  # lookalike cards
        ("app_version", lambda i: f"{i % 5}.{i % 3}.{i % 7}.{i % 9}", WITHHELD, None),
        ("trace", lambda i: f"{R.getrandbits(128):032x}", WITHHELD, None),
        ("host", lambda i: f"db{i % 9}.prod.example.com", CLEAR, None),
        ("status", lambda i: R.choice(["active", "closed"]), CLEAR, None),
        ("first_name", lambda i: R.choice(["Anne", "Bob"]), PII, "PERSON"),  # the name says it
        ("notes", lambda i: "Customer called about the blocked card and asked for a new one.", FREE, "free_text"),
        ("c3", lambda i: f"Please ship order {i} to the second address next week.", FREE, "free_text"),
        ("payload", lambda i: '{"contact": {"email": "x@example.com"}, "n": 1}', JSON, "EMAIL_ADDRESS"),
        ("settings", lambda i: '{"lang": "en", "theme": "dark"}', JSON, None),
        ("email", lambda i: f"{R.getrandbits(256):064x}", PII, "EMAIL_ADDRESS"),  # a strong name holds it
        # positive evidence releases: a few categories, measures, small numbers, event dates
        ("c1", lambda i: ["n/a", "", "unknown"][i % 3], CLEAR, None),
        ("c2", lambda i: round(R.uniform(0, 500), 2), CLEAR, None),
        ("c3", lambda i: R.randrange(1000), CLEAR, None),
        ("c4", lambda i: str(round(R.uniform(0, 500), 2)), CLEAR, None),
        ("c5", lambda i: 5_550_100_000 + i, WITHHELD, None),  # ten-digit numbers: no release
        # degrees to six decimals under a place's name are a position, not a measure
        ("home_latitude", lambda i: round(R.uniform(25, 48), 6), WITHHELD, None),
        ("lng", lambda i: f"{R.uniform(-122, -71):.6f}", WITHHELD, None),
        # ... while a place-named measure to one or two decimals is still a measure
        ("lat_ms", lambda i: round(R.uniform(0, 90), 1), CLEAR, None),
        ("geo_score", lambda i: round(R.uniform(0, 1), 2), CLEAR, None),
        ("price", lambda i: round(R.uniform(0, 150), 6), CLEAR, None),  # no place in its name
        ("city", lambda i: R.choice(["Leeds", "York", "Bath"]), QUASI, "city"),
        ("zip_code", lambda i: f"{R.randrange(10000, 99999)}", QUASI, "postcode"),
    ],
)
def test_verdicts(column, values, state, entity) -> None:
    v = run(column, values).verdict
    assert (v.state, v.entity) == (state, entity), dict(v.evidence)


def test_one_email_in_a_thousand_rows_is_not_an_email_column() -> None:
    v = run(
        "c",
        lambda i: "anne@example.com" if i == 500 else f"item-{i}",
        n=1000,
        settings=DetectionSettings(min_samples=1000, sample_every=1),
    ).verdict
    assert v.state == WITHHELD  # not an e-mail column, and free-form: never released
    assert dict(v.evidence)["rows:EMAIL_ADDRESS"] == 0.001


def test_pending_until_enough_samples() -> None:
    prof = run("c", lambda i: "gold", n=99)
    assert prof.verdict.state == PENDING
    prof2 = run("c", lambda i: "gold", n=100)
    assert prof2.verdict.state == CLEAR and prof2.verdict.samples == 100


def test_sampling_rate_after_the_minimum() -> None:
    prof = run("c", lambda i: f"gold-{i}", n=1100, settings=DetectionSettings(min_samples=100, sample_every=20))
    assert prof.seen == 1100 and prof.sampled == 100 + 50
    decided = run("c", lambda i: "gold", n=1100, settings=DetectionSettings(min_samples=100, sample_every=20))
    assert decided.verdict.state == CLEAR and decided.sampled == 100 + 5  # the guard checks every value


def test_hysteresis_keeps_a_pii_verdict_through_noise() -> None:
    profiler = Profiler(DetectionSettings(min_samples=50, sample_every=1), TextScanner())
    prof = profiler.profile("t", "c", None)
    for i in range(100):
        profiler.observe(prof, f"u{i}@example.com")
    assert prof.verdict.entity == "EMAIL_ADDRESS"
    for _ in range(60):  # a burst of junk: 60 of 160 values
        profiler.observe(prof, "n/a")
    assert prof.verdict.state == PII and prof.verdict.entity == "EMAIL_ADDRESS"


def test_a_cleared_column_that_starts_carrying_pii_is_caught() -> None:
    profiler = Profiler(DetectionSettings(min_samples=50, sample_every=1), TextScanner())
    prof = profiler.profile("t", "c", None)
    for _ in range(100):
        profiler.observe(prof, "none")
    assert prof.verdict.state == CLEAR
    for i in range(60):
        profiler.observe(prof, f"u{i}@example.com")
    assert prof.verdict.state == PII


@pytest.mark.parametrize(
    ("field", "state", "entity"),
    [
        ({"type": "boolean", "field": "active"}, CLEAR, None),
        ({"type": "string", "name": "io.debezium.data.Uuid", "field": "u"}, CLEAR, None),
        ({"type": "struct", "name": "io.debezium.data.geometry.Point", "field": "p"}, PII, "LOCATION"),
        ({"type": "int32", "name": "io.debezium.time.Date", "field": "birth_date"}, PII, "DATE_OF_BIRTH"),
        ({"type": "int32", "name": "io.debezium.time.Date", "field": "shipped_on"}, CLEAR, None),
        ({"type": "string", "name": "io.debezium.data.Json", "field": "doc"}, JSON, None),
    ],
)
def test_types_decide_at_once(field, state, entity) -> None:
    profiler = Profiler(DetectionSettings(), TextScanner())
    prof = profiler.profile("t", field["field"], field)
    assert (prof.verdict.state, prof.verdict.entity) == (state, entity)


def test_a_type_change_starts_a_fresh_profile() -> None:
    profiler = Profiler(DetectionSettings(min_samples=10, sample_every=1), TextScanner())
    a = profiler.profile("t", "c", {"type": "string", "field": "c"})
    for _ in range(20):
        profiler.observe(a, "x")
    b = profiler.profile("t", "c", {"type": "int64", "field": "c"})
    assert a.verdict.state == CLEAR and b.verdict.state == PENDING and b is not a


def test_profiles_hold_counters_not_values() -> None:
    prof = run("c7", lambda i: f"user{i}@example.com")
    for slot in prof.__slots__:
        value = getattr(prof, slot)
        assert "@example.com" not in repr(value), slot


def test_declared_entity_that_never_matches_is_reported() -> None:
    profiler = Profiler(DetectionSettings(min_samples=20, sample_every=1), TextScanner())
    prof = profiler.profile("t", "contact", None)
    for _ in range(25):
        profiler.observe(prof, "n/a")
    assert profiler.unmatched(prof, "EMAIL_ADDRESS")
    assert not profiler.unmatched(prof, "PERSON")  # no value recognizer: never reported


def test_verdict_changes_bump_the_table_generation() -> None:
    seen = []
    profiler = Profiler(DetectionSettings(min_samples=10, sample_every=1), TextScanner(), on_change=seen.append)
    prof = profiler.profile("t", "c", None)
    for i in range(12):
        profiler.observe(prof, f"u{i}@example.com")
    assert profiler.generation("t").value == len(seen) >= 1
    assert seen[-1].after.entity == "EMAIL_ADDRESS" and seen[-1].before.state == PENDING


def test_name_and_value_together_decide_at_the_first_value() -> None:
    profiler = Profiler(DetectionSettings(min_samples=100), TextScanner())
    prof = profiler.profile("t", "ssn", None)
    profiler.observe(prof, "536-90-4399")
    assert (prof.verdict.state, prof.verdict.entity) == (PII, "US_SSN")
    obfuscated = profiler.profile("t", "c9", None)
    profiler.observe(obfuscated, "536-90-4399")
    assert obfuscated.verdict.state == PENDING  # one value alone is not enough


@pytest.mark.parametrize(
    ("values", "later", "reason"),
    [
        (lambda i: ["n/a", "none"][i % 2], "someone@example.org", "EMAIL_ADDRESS"),
        (lambda i: ["n/a", "none"][i % 2], lambda j: f"label-{j}", "cardinality"),
        # a measure column now holds text: what the text holds is the reason, when it holds one
        (lambda i: round(R.uniform(1, 99), 2), "Jane Roe", "PERSON"),
        (lambda i: round(R.uniform(1, 99), 2), "tier two", "shape"),
        (lambda i: R.randrange(100), 4155550123, "shape"),  # small numbers, then a ten-digit one
        (lambda i: R.randrange(100), "4111 1111 1111 1111", "CREDIT_CARD"),
    ],
)
def test_the_guard_withholds_a_released_column_at_its_first_hit(values, later, reason) -> None:
    profiler = Profiler(DetectionSettings(min_samples=50, sample_every=5), TextScanner())
    prof = profiler.profile("t", "c1", None)
    for i in range(100):
        profiler.observe(prof, values(i))
    assert prof.verdict.state == CLEAR
    hit = False
    for j in range(100):
        value = later(j) if callable(later) else later
        if profiler.guard(prof, value):
            hit = True
            break
    assert hit and prof.guard_hit == reason and prof.verdict.state != CLEAR
    for i in range(300):  # withheld for good
        profiler.observe(prof, values(i))
    assert prof.verdict.state != CLEAR


def test_a_column_decided_personal_for_good_is_sampled_sparsely() -> None:
    """Personal data is sticky: more samples change only the evidence shown, so a decided
    e-mail or name column is read one value in 100 x sample_every (a name column pays a
    model call per sample). A number entity held by its column's name alone still reads
    one in 10 x: its values may yet show it is a count."""
    settings = DetectionSettings(min_samples=100, sample_every=5)
    by_values = run("c7", lambda i: f"user{i}@example.com", n=20_000, settings=settings)
    names = run("first_name", lambda i: R.choice(["Anne", "Bob"]), n=20_000, settings=settings)
    card_by_name = run("card_number", lambda i: f"{R.getrandbits(256):064x}", n=20_000, settings=settings)
    assert (by_values.verdict.state, by_values.verdict.named) == (PII, False)
    assert (names.verdict.state, names.verdict.named) == (PII, True)
    assert (card_by_name.verdict.describe(), card_by_name.verdict.named) == ("pii:CREDIT_CARD", True)
    for sparse in (by_values, names):
        assert sparse.sampled < 100 + 20_000 // 500 + 50, f"{sparse.column}: decided for good, still sampled often"
    assert card_by_name.sampled >= 2 * by_values.sampled


@pytest.mark.parametrize(
    ("column", "field", "value"),
    [
        ("gender", {"type": "string", "name": "io.debezium.data.Enum", "parameters": {"allowed": "F,M"}}, "F"),
        ("country_code", {"type": "string", "name": "io.debezium.data.Enum", "parameters": {"allowed": "NL,BE"}}, "NL"),
    ],
)
def test_a_column_its_type_would_release_is_still_a_quasi_identifier_by_its_name(column, field, value) -> None:
    prof = run(column, lambda i: value, field=field, n=3)
    assert prof.verdict.state == QUASI and prof.release is None
