"""Partial leaks: part of a value goes out while the rest is redacted, so no planted value
is ever whole in the output and only its fragments (:attr:`Case.fragments`: a surname,
an e-mail's local part, the last six digits) show it.

Free text (``redact_detected``) written the ways people write: double-barrelled and
hyphenated names, possessives, capitals, markup (HTML, Markdown), URL-encoded query
strings, CSV inside one value, names broken over a line or joined by ``_``, names in
parentheses, a surname first, phone numbers in groups, e-mails with tags and in
``mailto:`` links, a name across the NER window's cut. JSON documents in a free-text
column (a name as a key, split over ``firstName``/``lastName``). A phone masked to its
last four. A name split over two undeclared columns (``undeclared: detect``). And the
cases of the other modules that plant names, e-mails and numbers are judged by their
fragments too (:func:`tests.security.ledger.with_fragments`). Every value is computed
from the case id."""

from __future__ import annotations

import json
from collections.abc import Callable
from random import Random

from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import Rec, change, field, key
from tests.security.ledger import Case, fragments_of

ATTACK = "partial-leaks"
N = 24
FREE_TEXT = "id: {pii: none}\nnotes: {pii: free_text, treatment: redact_detected}"
JSON_FREE_TEXT = "id: {pii: none}\nprofile: {pii: free_text, treatment: redact_detected}"

# Names the lists know in both parts, and given names and surnames no list knows.
HYPHEN_FIRST = ("Jean-Baptiste", "Mary-Kate", "Anne-Marie", "Jean-Luc")
DOUBLE_LAST = tuple(f"{a}-{b}" for a, b in (("Adeyemi", "Okafor"), ("Okonkwo", "Adebayo"), ("Haddad", "Moreau")))

# A sentence maker: rng -> (the text, [(planted value, its fragments), ...])
Make = Callable[[Random], tuple[str, list[tuple[str, tuple[str, ...]]]]]


def _name(r: Random) -> tuple[str, str]:
    return r.choice(v.FIRST), r.choice(v.LAST)


def _person(first: str, last: str) -> tuple[str, tuple[str, ...]]:
    """A full name as planted: its fragments are every part of four letters or more (the
    given name too: next to ``<PERSON>`` it says whom the record is about)."""
    parts = [p for w in f"{first} {last}".split(" ") for p in w.split("-")]
    return f"{first} {last}", tuple(dict.fromkeys(p for p in parts if len(p) >= 4))


def _email(r: Random) -> tuple[str, tuple[str, ...]]:
    e = v.email(r)
    return e, fragments_of(e)


def _phone(r: Random) -> tuple[str, tuple[str, ...]]:
    p = v.phone(r)
    return p, fragments_of(p)


def _text_case(
    case_id: str, description: str, make: Make, known_leak: str | None = None, service: bool = False
) -> Case:
    r = v.rng(case_id)
    records, planted = [], {}
    for n in range(N):
        text, values = make(r)
        planted.update(values)
        records.append(Rec(key(n), change(table(case_id), {"id": n, "notes": text})))
    return _case(case_id, f"free text: {description}", FREE_TEXT, records, planted, known_leak, service)


def _case(
    case_id: str,
    description: str,
    columns_yaml: str,
    records: list[Rec],
    planted: dict[str, tuple[str, ...]],
    known_leak: str | None = None,
    service: bool = False,
    undeclared: str = "detect",
) -> Case:
    kept = {p: f for p, f in planted.items() if len(p) >= 6}
    return Case(
        case_id,
        ATTACK,
        description,
        declaration(case_id, columns_yaml, undeclared=undeclared),
        tuple(records),
        tuple(kept),
        fragments=tuple(kept.values()),
        known_leak=known_leak,
        service=service,
    )


# -- free-text shapes ---------------------------------------------------------------------


def _double_barrelled(r: Random):
    first, last = r.choice(v.FIRST), r.choice(DOUBLE_LAST)
    name = _person(first, last)
    return f"Contact Dr. {first} {last} about the refund.", [name]


def _hyphen_both(r: Random):
    first, last = r.choice(HYPHEN_FIRST), r.choice(DOUBLE_LAST)
    return f"Customer {first} {last} complained about the fee.", [_person(first, last)]


def _surname_hyphen_listed(r: Random):
    first, a, b = r.choice(v.FIRST), r.choice(v.LAST), r.choice(v.LAST)
    return f"Refund approved for {first} {a}-{b} yesterday.", [_person(first, f"{a}-{b}")]


def _possessive(r: Random):
    first, last = _name(r)
    mark = r.choice(("'", "\u2019"))
    return f"Customer {first} {last}{mark}s card was declined.", [_person(first, last)]


def _possessive_surname_only(r: Random):
    first, last = _name(r)
    return f"Spoke to {first} {last} about it; {last}'s wife called back later.", [_person(first, last)]


def _capitals(r: Random):
    first, last = _name(r)
    return f"CUSTOMER {first.upper()} {last.upper()} CALLED ABOUT THE FEE.", [_person(first, last)]


def _capitals_mixed(r: Random):
    first, last = _name(r)
    return f"Customer {first.upper()} {last.upper()} called about the fee.", [_person(first, last)]


def _html(r: Random):
    first, last = _name(r)
    return f"<p>Customer <b>{first}</b> <i>{last}</i> called.</p>", [_person(first, last)]


def _html_link(r: Random):
    first, last = _name(r)
    e, frags = _email(r)
    return (
        f'<p>Reply to <a href="mailto:{e}">{first} {last}</a> today.</p>',
        [_person(first, last), (e, frags)],
    )


def _markdown(r: Random):
    first, last = _name(r)
    return (
        f"Customer **{first} {last}** called, see [{first} {last}](https://example.com/u/{first}.{last}).",
        [_person(first, last)],
    )


def _url_encoded(r: Random):
    first, last = _name(r)
    return (
        f"Opened https://example.com/profile?name={first}%20{last}&id={r.randrange(100, 999)} for the customer.",
        [_person(first, last)],
    )


def _csv(r: Random):
    rows, values = ["name,phone,email"], []
    for _ in range(2):
        first, last = _name(r)
        p, e = v.phone(r), v.email(r)
        rows.append(f"{first} {last},{p[:3]}-{p[3:6]}-{p[6:]},{e}")
        values += [_person(first, last), (p, fragments_of(p)), (e, fragments_of(e))]
    return "\n".join(rows), values


def _line_break(r: Random):
    first, last = _name(r)
    return f"Customer name: {first}\n{last} called about the fee.", [_person(first, last)]


def _hyphen_break(r: Random):
    first, last = _name(r)
    cut = len(last) // 2
    return f"Customer {first} {last[:cut]}-\n{last[cut:]} called about the fee.", [_person(first, last)]


def _double_over_line(r: Random):
    first, last = r.choice(v.FIRST), r.choice(DOUBLE_LAST)
    a, b = last.split("-")
    return f"Customer {first} {a}-\n{b} asked for a callback.", [_person(first, last)]


def _tabbed(r: Random):
    first, last = _name(r)
    p = v.phone(r)
    return f"{first}\t{last}\t{p[:3]} {p[3:6]} {p[6:]}\tgold", [_person(first, last), (p, fragments_of(p))]


def _underscore(r: Random):
    first, last = _name(r)
    return f"Ticket raised by user {first}_{last} from the branch.", [_person(first, last)]


def _parenthesis(r: Random):
    first, last = _name(r)
    return f"Ask for {first} ({last}) at the branch.", [_person(first, last)]


def _inverted_list(r: Random):
    a, b = _name(r), _name(r)
    return f"{a[1]}, {a[0]};{b[1]}, {b[0]}", [_person(*a), _person(*b)]


def _initial(r: Random):
    first, last = _name(r)
    return f"Approved by {first[0]}. {last} on Monday.", [(f"{first[0]}. {last}", (last,))]


def _phone_groups(r: Random):
    p, frags = _phone(r)
    shape = r.choice(
        (
            f"+1 ({p[:3]}) {p[3:6]}-{p[6:]} ext 22",
            f"{p[:3]} {p[3:6]} {p[6:8]} {p[8:]}",
            f"1-{p[:3]}-{p[3:6]}-{p[6:]}",
        )
    )
    return f"Please call me back on {shape} after five.", [(p, frags)]


def _phone_dotted_pairs(r: Random):
    p, frags = _phone(r)
    return f"Please call me back on {p[:3]}.{p[3:6]}.{p[6:8]}.{p[8:]} after five.", [(p, frags)]


def _email_tagged(r: Random):
    first, last = _name(r)
    local = f"{first}.{last}".lower()
    e = f"{local}+{r.choice(('bank', 'statements', 'x1'))}@{r.choice(v.DOMAINS)}"
    shape = r.choice((e, e.upper(), f"<{e}>", f"mailto:{e}"))
    return f"Statements go to {shape} from now on.", [(e, (local, last.lower()))]


def _name_and_email(r: Random):
    first, last = _name(r)
    e = f"{first[0]}.{last}{r.randrange(10, 99)}@{r.choice(v.DOMAINS)}".lower()
    return f"Assigned to {last}, {first} ({e})", [_person(first, last), (e, fragments_of(e))]


def _window_cut(r: Random):
    """A long note whose name sits where NER's 4,000-character window is cut."""
    first, last = _name(r)
    filler = "The branch reviewed the account history and the fees in detail. "
    head = (filler * 70)[: 3990 - r.randrange(0, 12)]
    return f"{head} {first} {last} asked about the fee. " + filler * 3, [_person(first, last)]


FREE_TEXT_CASES = [
    ("partial-double-barrelled", "'Dr. Amara Adeyemi-Okafor': a double-barrelled surname", _double_barrelled),
    ("partial-hyphen-both", "'Jean-Baptiste Okonkwo-Adebayo': both parts hyphenated", _hyphen_both),
    ("partial-hyphen-listed", "'Liam Kowalski-Nakamura': two listed surnames joined", _surname_hyphen_listed),
    ("partial-possessive", "'Priya Nakamura's card': a possessive, straight or curly", _possessive),
    ("partial-possessive-later", "the surname alone and possessive later in the text", _possessive_surname_only),
    ("partial-capitals", "a note in capitals", _capitals),
    ("partial-capitals-name", "the name alone in capitals", _capitals_mixed),
    ("partial-html", "given name and surname in separate HTML elements", _html),
    ("partial-html-mailto", "a mailto: link around the name", _html_link),
    ("partial-markdown", "Markdown emphasis and a link whose path holds the name", _markdown),
    ("partial-url-encoded", "a URL query string with the name percent-encoded", _url_encoded),
    ("partial-csv", "CSV rows inside one value", _csv),
    ("partial-line-break", "a line break between given name and surname", _line_break),
    ("partial-hyphen-break", "a surname hyphenated over a line break", _hyphen_break),
    ("partial-double-over-line", "a double-barrelled surname broken after its hyphen", _double_over_line),
    ("partial-tabbed", "a tab-separated row: given name, surname, phone", _tabbed),
    ("partial-underscore", "a name joined by an underscore", _underscore),
    ("partial-parenthesis", "the surname in parentheses after the given name", _parenthesis),
    ("partial-inverted-list", "'Surname, Given;Surname, Given'", _inverted_list),
    ("partial-initial", "an initial and a surname", _initial),
    ("partial-phone-groups", "phone numbers in groups, with a country code or extension", _phone_groups),
    ("partial-phone-dotted-pairs", "a phone number written 3.3.2.2 with dots", _phone_dotted_pairs),
    ("partial-email-tagged", "e-mails with a +tag, in capitals, in angle brackets, mailto:", _email_tagged),
    ("partial-name-and-email", "'Surname, Given (initial.surname@...)'", _name_and_email),
    ("partial-window-cut", "a name where NER's window is cut", _window_cut),
]
# "partial-phone-dotted-pairs" (ten digits dotted 3.3.2.2) held since 2026-12-03: the loose
# digit groups reading (detectors/unwrap.py) reads it as a phone number, and the value goes whole.
KNOWN_LEAKS: dict[str, str] = {}
SERVICE = {"partial-double-barrelled", "partial-possessive", "partial-html"}


# -- JSON in a free-text column -------------------------------------------------------------


def _json_case(case_id: str, description: str, make: Make, known_leak: str | None = None) -> Case:
    r = v.rng(case_id)
    fields = [field("id", "int32"), field("profile", "string", "io.debezium.data.Json")]
    records, planted = [], {}
    for n in range(N):
        doc, values = make(r)
        planted.update(values)
        records.append(Rec(key(n), change(table(case_id), {"id": n, "profile": doc}, fields=fields)))
    return _case(case_id, f"JSON free text: {description}", JSON_FREE_TEXT, records, planted, known_leak)


def _json_name_key(r: Random):
    first, last = _name(r)
    return json.dumps({"owners": {f"{first} {last}": "primary"}}), [_person(first, last)]


def _json_split_name(r: Random):
    first, last = _name(r)
    keys = r.choice((("firstName", "lastName"), ("first_name", "last_name"), ("given_name", "surname")))
    return json.dumps({"contact": {keys[0]: first, keys[1]: last, "tier": "gold"}}), [_person(first, last)]


def _json_note(r: Random):
    first, last = r.choice(v.FIRST), r.choice(DOUBLE_LAST)
    return json.dumps({"note": f"Customer {first} {last}'s refund is late."}), [_person(first, last)]


def _json_name_array(r: Random):
    first, last = _name(r)
    key = r.choice(("names", "name_parts", "full_name"))
    return json.dumps({"holder": {key: [first, last]}, "tier": "gold"}), [_person(first, last)]


def _json_handle(r: Random):
    first, last = _name(r)
    return json.dumps({"handle": f"{first}_{last}".lower(), "plan": "basic"}), [_person(first, last)]


JSON_CASES = [
    ("partial-json-name-key", "a name as an object key", _json_name_key),
    ("partial-json-split-name", "a name split over firstName/lastName leaves", _json_split_name),
    ("partial-json-note", "a leaf of prose with a double-barrelled possessive surname", _json_note),
    ("partial-json-handle", "a leaf 'first_last' in lower case", _json_handle),
    ("partial-json-name-array", "a name as an array of its parts", _json_name_array),
]


# -- masks and undeclared columns -------------------------------------------------------------


def _masked_phone(case_id: str) -> Case:
    r = v.rng(case_id)
    records, planted = [], {}
    for n in range(N):
        p = v.phone(r)
        shape = r.choice((f"({p[:3]}) {p[3:6]}-{p[6:]}", f"+1 {p[:3]} {p[3:6]} {p[6:]}", f"{p} x12"))
        planted[p] = fragments_of(p)
        records.append(Rec(key(n), change(table(case_id), {"id": n, "phone": shape})))
    cols = "id: {pii: none}\nphone: {pii: PHONE_NUMBER, treatment: {mask: {keep_last: 4}}}"
    return _case(case_id, "phone numbers with separators masked to their last four", cols, records, planted)


def _split_columns(case_id: str, names: tuple[str, str], description: str, known_leak: str | None = None) -> Case:
    """A person's name over two undeclared columns: neither column holds it whole."""
    r = v.rng(case_id)
    records, planted = [], {}
    for n in range(150):
        first, last = _name(r)
        value, frags = _person(first, last)
        planted[value] = frags
        records.append(Rec(key(n), change(table(case_id), {"id": n, names[0]: first, names[1]: last})))
    return _case(case_id, description, "id: {pii: none}", records, planted, known_leak)


CASES = [
    *(_text_case(cid, desc, make, KNOWN_LEAKS.get(cid), service=cid in SERVICE) for cid, desc, make in FREE_TEXT_CASES),
    *(_json_case(cid, desc, make, KNOWN_LEAKS.get(cid)) for cid, desc, make in JSON_CASES),
    _masked_phone("partial-mask-phone"),
    _split_columns("partial-split-named", ("fname", "lname"), "undeclared fname/lname columns"),
    _split_columns("partial-split-opaque", ("c21", "c22"), "undeclared opaque columns of given names and surnames"),
]
