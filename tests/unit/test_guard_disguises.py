"""A hostile review of the per-value guard with disguised values: a column declared
``none`` (and an undeclared one released as categorical) that starts holding personal
data a reader reads through an encoding, odd separators, letters for digits, gzip in
base64 or a short personal "category". Each test drives the real Processor (or the
guard's public check) and never prints a planted value."""

from __future__ import annotations

import base64
import gzip
from pathlib import Path

import pytest

from detectors import guard, unwrap
from detectors.textscan import TextScanner
from pipeline.core.events import CdrRecord
from tests.support import QUIET, TIERS, assert_no_raw, publish_orders, record_blobs

# Made up for these tests: a Luhn-valid card, an SSN in issued ranges, a valid North
# American number, an e-mail on a reserved domain.
CARD = "6011253015619660"
SSN = "246-01-1623"
PHONE = "702-859-8381"
EMAIL = "quill.harrow71@example.org"
NAME = "Mary Johnson"


def _gzip_b64(text: str) -> str:
    return base64.b64encode(gzip.compress(text.encode(), mtime=0)).decode()


DISGUISED = {
    "percent-all": "".join(f"%{b:02X}" for b in EMAIL.encode()),
    "entities-all": "".join(f"&#{ord(c)};" for c in EMAIL),
    "quoted-printable-at": EMAIL.replace("@", "=40"),
    "quoted-printable-all": "".join(f"={b:02X}" for b in EMAIL.encode()),
    "card-underscores": "_".join(CARD[i : i + 4] for i in range(0, 16, 4)),
    "card-pipes": "|".join(CARD[i : i + 4] for i in range(0, 16, 4)),
    "card-colons": ":".join(CARD[i : i + 4] for i in range(0, 16, 4)),
    "card-letters": CARD.replace("0", "O").replace("1", "l"),
    "ssn-letters": SSN.replace("0", "O").replace("1", "l"),
    "phone-slashes": PHONE.replace("-", "/"),
    "phone-letters-brackets": f"({PHONE[:3]}) {PHONE[4:]}".replace("0", "O").replace("1", "l"),
    "gzip-base64": _gzip_b64(EMAIL),
    "zlib-base64url": base64.urlsafe_b64encode(__import__("zlib").compress(EMAIL.encode())).decode(),
    "percent-of-gzip": "".join(f"%{b:02X}" for b in _gzip_b64(EMAIL).encode()),
    # a second hostile review: characters drawn as nothing, lookalikes, letters spaced
    # apart, a right-to-left override, values written backwards or signed, a labelled passport
    "name-soft-hyphen": f"{NAME[:9]}\u00ad{NAME[9:]}",
    "name-word-joiner": f"{NAME[:9]}\u2060{NAME[9:]}",
    "name-variation-selector": f"{NAME[:9]}\ufe0f{NAME[9:]}",
    "name-hangul-filler": f"{NAME[:9]}\u3164{NAME[9:]}",
    "name-cyrillic-lookalikes": NAME.replace("a", "\u0430").replace("o", "\u043e"),
    "name-spaced-out": "  ".join(" ".join(word) for word in NAME.split()),
    "name-right-to-left-override": "\u202e" + NAME[::-1],
    "name-backwards": NAME[::-1],
    "card-backwards": CARD[::-1],
    "ssn-backwards": SSN[::-1],
    "email-backwards": EMAIL[::-1],
    "card-signed": "-" + CARD,
    "card-hangul-filler": "\u3164".join(CARD[i : i + 4] for i in range(0, 16, 4)),
    "passport-labelled": "Passport No: 912803456",
    "card-eight-and-eight": f"{CARD[:8]} {CARD[8:]}",
    "card-spaced-dashes": " — ".join(CARD[i : i + 4] for i in range(0, 16, 4)),
    "ssn-spaced-slashes": " / ".join(SSN.split("-")),
    "name-spelled-out": " ".join("-".join(word) for word in NAME.split()),
}


def _run(tmp_path: Path, extra: str, column: str, quiet: list[str], loud: list[str]) -> list[CdrRecord]:
    return publish_orders(tmp_path / "s", extra, column, quiet + loud)


@pytest.mark.parametrize("kind", sorted(DISGUISED))
def test_a_declared_none_column_never_publishes_a_disguised_value(kind: str, tmp_path: Path) -> None:
    planted = DISGUISED[kind]
    out = _run(tmp_path, "  ref: {pii: none}\n", "ref", [f"R{n:04d}" for n in range(QUIET)], [planted])
    assert_no_raw([planted], *(b for r in out for b in record_blobs(r)))


@pytest.mark.parametrize(
    "kind",
    ["quoted-printable-at", "card-letters", "phone-slashes", "name-soft-hyphen", "name-right-to-left-override"],
)
def test_a_released_categorical_column_never_publishes_a_short_disguised_value(kind: str, tmp_path: Path) -> None:
    planted = DISGUISED[kind]
    assert len(planted) <= 32, "precondition: short enough to pass for a new category"
    out = _run(tmp_path, "", "tier", [TIERS[n % 4] for n in range(QUIET)], [planted])
    assert_no_raw([planted], *(b for r in out for b in record_blobs(r)))


@pytest.mark.parametrize("value", ["maria.gonzalez49", "james.okafor", "K. Nakamura", "J. Whitfield"])
def test_a_new_category_that_is_a_local_part_or_an_initial_and_surname_withholds(value: str, tmp_path: Path) -> None:
    out = _run(tmp_path, "", "tier", [TIERS[n % 4] for n in range(QUIET)], [value])
    assert_no_raw([value], *(b for r in out for b in record_blobs(r)))


@pytest.mark.parametrize(
    "value",
    [
        "12/31/2024",
        "2024_12_31",
        "12:30:45",
        "v10.20.30",
        "1.10.0",
        "report%20final%2Epdf",
        "limit=40;offset=80",
        "R&amp;D &#8211; Q3",
        "R0001",
        "Ollie",
        "eJaneDoe",
        "H4sIAAAA",
        "bill_pay",
        "gold.card",
        "A. Grade",
        # a first name and an English word that is a rare surname: event types, brands
        "bill.pay",
        "page.view",
        "dean.list",
        "drew.line",
        "J. Crew",
        "T. Rex",
        # topic coordinates (the cdr.source header's shape) are no scheme-less URL
        "shop.public.orders/0/7",
        "cdr.shop.customers/1/55",
    ],
)
def test_ordinary_values_hold_nothing_under_their_readings(value: str) -> None:
    assert guard.holds(value, TextScanner()) is None


@pytest.mark.parametrize("kind", ["percent-all", "card-underscores", "gzip-base64", "quoted-printable-at"])
def test_a_document_leaf_is_read_through_its_disguise(kind: str) -> None:
    assert guard.holds({"a": [{"b": DISGUISED[kind]}]}, TextScanner()) is not None


@pytest.mark.parametrize("value", ["A. Smith", "james.brown", "karen.hill71", "kim.park"])
def test_a_very_common_surname_that_is_also_a_word_still_makes_a_short_name(value: str) -> None:
    assert guard.holds(value, TextScanner()) == "PERSON"


@pytest.mark.parametrize("value", ["K. Nakamura", "maria.gonzalez49"])
def test_a_document_leaf_or_key_that_is_a_short_name_is_a_person(value: str) -> None:
    assert guard.holds({"notes": [value]}, TextScanner()) == "PERSON"
    assert guard.holds({value: 1}, TextScanner()) == "PERSON"


def test_a_gzip_bomb_inflates_to_the_bound_and_its_head_is_read() -> None:
    bomb = base64.b64encode(gzip.compress(EMAIL.encode(), mtime=0) + gzip.compress(b"\0" * (16 << 20))).decode()
    inflated = unwrap.inflate_base64(bomb)
    assert inflated is not None and len(inflated.encode()) <= unwrap.INFLATE_LIMIT
    assert guard.holds(bomb, TextScanner()) == "EMAIL_ADDRESS"


def test_readings_are_bounded_in_number_and_depth() -> None:
    value = "%25" * 40 + "&#37;" * 40 + "=25" * 40 + CARD.replace("0", "O")
    found = unwrap.readings(value)
    assert len(found) <= unwrap.MAX_READINGS
    assert all(len(r) <= len(value) for r in found)


def test_a_new_category_shaped_as_a_name_withholds_where_no_category_was(tmp_path: Path) -> None:
    """'Oluwaseun Adeyemi' is in no name list: after 'bronze', 'silver'... its shape
    (capitalised words) is what is new."""
    out = _run(tmp_path, "", "tier", [TIERS[n % 4] for n in range(QUIET)], ["Oluwaseun Adeyemi"])
    assert_no_raw(["Oluwaseun Adeyemi"], *(b for r in out for b in record_blobs(r)))


def test_capitalised_categories_take_a_new_capitalised_one(tmp_path: Path) -> None:
    plans = ["Gold Plus", "Silver Basic", "Bronze Lite", "Family Pack"]
    out = _run(tmp_path, "", "plan", [plans[n % 4] for n in range(QUIET)], ["Platinum Max"])
    assert b"Platinum Max" in out[-1].value, "a category shaped like the released ones stays published"


def test_a_new_category_of_words_no_english_has_withholds_where_no_category_was(tmp_path: Path) -> None:
    out = _run(tmp_path, "", "tier", [TIERS[n % 4] for n in range(QUIET)], ["oluwaseun adeyemi"])
    assert_no_raw(["oluwaseun adeyemi"], *(b for r in out for b in record_blobs(r)))


def test_a_new_category_of_english_words_stays_published(tmp_path: Path) -> None:
    out = _run(tmp_path, "", "tier", [TIERS[n % 4] for n in range(QUIET)], ["gold plus", "next day"])
    assert b"next day" in out[-1].value


def test_an_integer_that_collides_with_a_card_in_the_guards_memory_lets_no_card_pass(tmp_path: Path) -> None:
    """An integer's hash is its value modulo 2**61 - 1: anyone can compute one that
    collides with a card's. The guard remembers the integers that passed by value."""
    card = int(CARD)
    collider = card + (1 << 61) - 1  # 19 digits, within int64
    assert hash(collider) == hash(card) and guard.holds(collider, TextScanner()) is None, "precondition"
    out = _run(tmp_path, "  ref: {pii: none}\n", "ref", [collider, collider], [card])
    assert_no_raw([CARD], *(b for r in out for b in record_blobs(r)))
