"""The ledger checks itself: its search finds a planted value in every disguise it
claims to see through, stays quiet on treated forms, counts lost records, and an
end-to-end control (a column declared ``pii: none`` that holds e-mails) is caught
through the real file-mode path. If these fail, a 'held' in the ledger means nothing."""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path

import pytest

from tests.security import values as v
from tests.security.cases import ALL
from tests.security.cases.common import declaration
from tests.security.events import Rec, change, key
from tests.security.filemode import run_in_process
from tests.security.ledger import CDR, LOGS, Case, Forms, Fragment, Haystack, Observed, fragments_of, judge

pytestmark = pytest.mark.security
EMAIL = "maria.gonzalez42@example.com"
CARD = v.luhn_complete("453912345678901")


SEES_THROUGH = {  # id: (planted, blob, the form the search must report)
    "raw-in-json": (EMAIL, f'{{"after":{{"c":"{EMAIL}"}}}}', "raw"),
    "fullwidth-at-escaped": (EMAIL, json.dumps({"c": EMAIL.replace("@", "\uff20")}), "normalised"),
    "upper-case": (EMAIL, json.dumps({"c": EMAIL.upper()}, ensure_ascii=False), "normalised"),
    "zero-width": (EMAIL, "maria.gonz\u200balez42@example.com", "normalised"),
    "base64": (EMAIL, json.dumps({"blob": base64.b64encode(EMAIL.encode()).decode()}), "raw"),
    "map-key": (EMAIL, json.dumps({EMAIL: 1}), "raw"),
    "card-spaces": (CARD, "paid with " + " ".join(CARD[i : i + 4] for i in range(0, 16, 4)), "digits"),
    "card-en-dash": (CARD, "paid with " + "\u2013".join(CARD[i : i + 4] for i in range(0, 16, 4)), "digits"),
    "card-json-number": (CARD, f'{{"n":{CARD}}}', "raw"),
    "card-fullwidth": (CARD, "".join(chr(0xFF10 + int(d)) for d in CARD), "normalised"),
    "ssn-dashed": ("123456789", "ssn 123-45-6789", "digits"),
    "phone-parentheses": ("2127340198", "call (212) 734-0198", "digits"),
}
QUIET_ON = {  # id: (planted, a treated form of it)
    "hashed": (EMAIL, '{"c":"k1:3f9a0c..."}'),
    "card-last-four": (CARD, "card ************" + CARD[-4:]),
    "ssn-last-four": ("123456789", "ssn ***-**-6789"),
    "digits-in-separate-numbers": ("123456789", '{"a":123,"b":456789}'),
}


@pytest.mark.parametrize("name", list(SEES_THROUGH))
def test_search_sees_through(name: str) -> None:
    planted, blob, how = SEES_THROUGH[name]
    assert Haystack([blob]).holds(Forms.of(planted)) == how


@pytest.mark.parametrize("name", list(QUIET_ON))
def test_search_stays_quiet_on_treated_forms(name: str) -> None:
    planted, blob = QUIET_ON[name]
    assert Haystack([blob]).holds(Forms.of(planted)) is None


def test_judge_names_case_and_place_never_the_value() -> None:
    case = Case("c1", "disguised-values", "d", "", (), (EMAIL,))
    seen = Observed(inputs=["t/0/0", "t/0/1", "t/0/2"], published={"t/0/0"}, skipped=1)
    seen.add(LOGS, f"event with {EMAIL}")
    problems = judge(case, seen)
    assert any("c1" in p and LOGS in p for p in problems)
    assert any("1 of 3 records" in p for p in problems)
    assert all(EMAIL not in p and "gonzalez" not in p for p in problems)


def test_generated_values_are_valid() -> None:
    r = v.rng("self")
    for _ in range(200):
        card, ssn, phone = v.card(r), v.ssn(r), v.phone(r)
        assert v.luhn_valid(card) and len(card) == 16
        assert ssn[:3] not in ("000", "666") and ssn[3:5] != "00" and ssn[5:] != "0000" and int(ssn[:3]) < 900
        assert len(phone) == 10 and phone[3] in "23456789"
    assert [c.planted for c in ALL] == [c.planted for c in ALL]  # built once, deterministic within a run


def test_control_leak_is_caught_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A column declared ``tag`` keeps its values by design: the ledger must see those
    e-mails in the CDR file, and account for every record."""
    r = v.rng("control")
    emails = [v.email(r, n) for n in range(1, 11)]
    records = tuple(Rec(key(n), change("control", {"id": n, "contact": e})) for n, e in enumerate(emails))
    case = Case(
        "control-declared-tag",
        "undeclared-columns",
        "control",
        declaration("control", "id: {pii: none}\ncontact: {pii: EMAIL_ADDRESS, treatment: tag}", undeclared="drop"),
        records,
        tuple(emails),
    )
    problems = judge(case, run_in_process(case, tmp_path, monkeypatch))
    assert problems == [f"control-declared-tag: 10 of 10 planted values found in {CDR} (raw: #0, #1, #2, #3, #4, ...)"]


# -- partial leaks: the distinctive fragments of a value ------------------------------------

NAME = "Oluwaseun Adeyemi-Okafor"
PHONE = "4157340198"


def test_fragments_are_the_distinctive_parts() -> None:
    assert fragments_of(NAME) == ("Adeyemi", "Okafor")
    assert fragments_of("Priya Nakamura's") == ("Nakamura",)
    assert fragments_of("Siobhan O'Sullivan") == ("O'Sullivan",)
    assert fragments_of("Okafor, Amara") == ("Okafor",)
    assert fragments_of(EMAIL) == ("maria.gonzalez42", "gonzalez42")
    assert fragments_of("415-734-0198") == ("340198",)
    assert fragments_of("Wei Li") == ()  # too short to mean anything alone
    assert fragments_of("R0042 gold") == ()


PARTIAL = {  # id: (fragment, a blob leaking it, the form the search must report)
    "surname-after-redaction": ("Okafor", '{"notes":"Contact Dr. <PERSON>-Okafor"}', "fragment"),
    "surname-upper": ("Okafor", "CONTACT <PERSON> OKAFOR", "fragment"),
    "surname-in-underscore-token": ("Okafor", "user adeyemi_okafor logged in", "fragment"),
    "surname-possessive": ("Okafor", "<PERSON> and Okafor's wife", "fragment"),
    "local-part": ("maria.gonzalez42", "contact maria.gonzalez42@<REDACTED>", "fragment"),
    "phone-tail": ("340198", "call (415) <PHONE>734 0198", "fragment digits"),
}
PARTIAL_QUIET = {  # id: (fragment, a blob with no such part)
    "inside-a-longer-word": ("Osei", "the oseille plan"),
    "phone-last-four": ("340198", "phone ******0198"),
    "other-digits": ("340198", '{"id":3401,"n":98}'),
}


@pytest.mark.parametrize("name", list(PARTIAL))
def test_fragment_search_catches_a_partial_leak(name: str) -> None:
    part, blob, how = PARTIAL[name]
    frag = Fragment.of(part)
    assert frag is not None and frag.found_in(Haystack([blob])) == how


@pytest.mark.parametrize("name", list(PARTIAL_QUIET))
def test_fragment_search_stays_quiet(name: str) -> None:
    part, blob = PARTIAL_QUIET[name]
    frag = Fragment.of(part)
    assert frag is not None and frag.found_in(Haystack([blob])) is None


def test_judge_reports_a_partial_leak_without_the_value() -> None:
    case = Case(
        "c2",
        "disguised-values",
        "d",
        "",
        (),
        (EMAIL, NAME, PHONE),
        fragments=(fragments_of(EMAIL), fragments_of(NAME), fragments_of(PHONE)),
    )
    seen = Observed()
    seen.add(CDR, '{"notes":"Contact Dr. <PERSON>-Okafor, call <PHONE_NUMBER>"}')
    seen.add(LOGS, "masked 415-734-0198 to ***")
    problems = judge(case, seen)
    assert problems == [
        f"c2: 1 of 3 planted values found in {CDR} (fragment: #1)",
        f"c2: 1 of 3 planted values found in {LOGS} (digits: #2)",
    ]
    whole_only = Case("c3", "disguised-values", "d", "", (), (EMAIL, NAME, PHONE))
    assert judge(whole_only, seen) == [f"c3: 1 of 3 planted values found in {LOGS} (digits: #2)"]  # why fragments
    assert all(w not in p.lower() for p in problems for w in ("okafor", "adeyemi", "gonzalez", "340198"))


def test_partial_leak_is_caught_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A column declared ``tag`` keeps its values by design; it holds each person's
    surname only, so the full names planted never show whole: only their fragments
    (the surnames) see the partial leak, through the real file-mode path."""
    r = v.rng("control-partial")
    names = [f"{r.choice(v.FIRST)} {v.LAST[n % len(v.LAST)]}" for n in range(10)]
    records = tuple(
        Rec(key(n), change("control_partial", {"id": n, "holder": name.split(" ")[1]})) for n, name in enumerate(names)
    )
    columns = "id: {pii: none}\nholder: {pii: PERSON, treatment: tag}"
    case = Case(
        "control-partial-surname",
        "undeclared-columns",
        "control",
        declaration("control_partial", columns, undeclared="drop"),
        records,
        tuple(names),
    )
    seen = run_in_process(case, tmp_path, monkeypatch)
    assert judge(case, seen) == []  # whole values: invisible
    with_parts = dataclasses.replace(case, fragments=tuple(fragments_of(n) for n in names))
    assert judge(with_parts, seen) == [
        f"control-partial-surname: 10 of 10 planted values found in {CDR} (fragment: #0, #1, #2, #3, #4, ...)"
    ]
