"""Values smuggled where a reader does not look for them, found by a hostile review of
the pipeline: a ``message`` block on a change event, a key whose bytes hold more than
its parsed form (a duplicate ``payload`` member), the field names of a nested struct in
the schema, column and table names run together or in camelCase, a name split across
the parts of a JSON document or hidden past its first few thousand texts, text shaped
as a timestamp around a card number, a timestamp no calendar holds, and envelope
timestamps written as text."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from detectors.recognizers import person
from tests.security import values as v
from tests.security.cases.common import declaration, table
from tests.security.events import TS, RawJson, Rec, change, field, key
from tests.security.ledger import Case, with_fragments

N = 30
TIERS = ("bronze", "silver", "gold", "platinum")


@cache
def _listed() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """First names and the 1,000 most frequent surnames of the detectors' public lists:
    names drawn from them are names the detectors are meant to know, whatever the shape."""
    first, _, _ = person._lists()
    return tuple(sorted(first)), tuple(sorted(person._top_surnames()))


def listed_name(r: Any) -> tuple[str, str]:
    """A listed first name and surname, three letters each at least (a shorter planted
    value would match by chance)."""
    firsts, lasts = _listed()
    while True:
        first, last = r.choice(firsts).capitalize(), r.choice(lasts).capitalize()
        if len(first) >= 3 and len(last) >= 3 and first.isalpha() and last.isalpha():
            return first, last


def _case(case_id: str, attack: str, doc: str, columns: str, records: list[Rec], planted: Any, **extra: Any) -> Case:
    """A case of one table declared with ``columns`` (the declaration's YAML body)."""
    return Case(case_id, attack, doc, declaration(case_id, columns), tuple(records), tuple(planted), **extra)


def _message_on_changes() -> Case:
    """Change and truncate events that carry a logical-decoding ``message`` block (an
    SMT's, a forged record's): its prefix an e-mail, its content the e-mail in base64,
    and a field no message has holding a phone number and a name."""
    case_id = "message-block-on-changes"
    r, name = v.rng(case_id), table(case_id)
    records, planted = [], []
    for n in range(N):
        email, phone, person = v.email(r, n + 1), v.phone(r), v.name(r)
        planted += [email, phone, person]
        block = {"prefix": email, "content": v.b64(email), "note": f"call {phone}, {person}"}
        op = "t" if n % 5 == 4 else "c"
        after = None if op == "t" else {"id": n, "plan": TIERS[n % 4]}
        records.append(Rec(key(n), change(name, after, op=op, extra={"message": block})))
    return _case(
        case_id,
        "envelope-shapes",
        _message_on_changes.__doc__ or "",
        "id: {pii: none}\nplan: {pii: none}",
        records,
        planted,
        service=True,
    )


def _duplicate_key_members() -> Case:
    """Keys (and ``__debezium.oldkey`` headers) whose JSON holds an e-mail in a first
    ``payload`` member and null in a second: a parser keeps the last, the bytes still
    hold the first."""
    case_id = "key-duplicate-payload-members"
    r, name = v.rng(case_id), table(case_id)
    records, planted = [], []
    for n in range(N):
        email, other = v.email(r, n + 1), v.email(r)
        planted += [email, other]
        smuggled = RawJson(f'{{"schema":null,"payload":{{"id":"{email}"}},"payload":null}}')
        header = RawJson(f'{{"schema":null,"payload":{{"id":"{other}"}},"payload":null}}')
        value = change(name, {"id": n, "plan": TIERS[n % 4]})
        records.append(Rec(smuggled, value, (("__debezium.oldkey", header),)))
    return _case(
        case_id,
        "envelope-shapes",
        _duplicate_key_members.__doc__ or "",
        "id: {pii: none}\nplan: {pii: none}",
        records,
        planted,
    )


def _nested_struct_names() -> Case:
    """A struct column whose nested fields are named with an e-mail and a person's name:
    undeclared (withheld, so its value is null) and declared none with a null value. The
    names would go out in the CDR schema with no value to guard."""
    case_id = "nested-struct-field-names"
    r, name = v.rng(case_id), table(case_id)
    records, planted = [], []
    for n in range(N):
        email, person, other = v.email(r, n + 1), v.name(r), v.email(r)
        planted += [email, person, other]
        nested = {
            "type": "struct",
            "optional": True,
            "fields": [field(email), field(person, "int32")],
        }
        fields = [
            field("id", "int32"),
            {**nested, "field": "meta"},
            {"type": "struct", "optional": True, "field": "info", "fields": [field(other)]},
        ]
        value = change(name, {"id": n, "meta": None, "info": None}, fields=fields)
        records.append(Rec(key(n), value))
    return _case(
        case_id,
        "schema-metadata",
        _nested_struct_names.__doc__ or "",
        "id: {pii: none}\ninfo: {pii: none}",
        records,
        planted,
        service=True,
    )


_UNLISTED_FIRST = ("Kenji", "Priya", "Amara", "Oluwaseun", "Henrik", "Liam")  # no public list holds them
_UNLISTED_LAST = ("Okafor", "Adeyemi", "Nakashima", "Raghunathan", "Lindqvist", "Oyelaran")


def _nested_keys_no_list_knows() -> Case:
    """A struct column declared none whose nested fields are named after people no list
    knows, in camelCase, holding small numbers: the CDR schema leaves the fields out, so
    the payload must too (the guard reads listed names only in a value's keys)."""
    case_id = "nested-keys-no-list-knows"
    r, name = v.rng(case_id), table(case_id)
    records, planted = [], []
    for n in range(N):
        person = f"{r.choice(_UNLISTED_FIRST).lower()}{r.choice(_UNLISTED_LAST)}"
        planted.append(person)
        fields = [
            field("id", "int32"),
            {
                "type": "struct",
                "optional": True,
                "field": "stats",
                "fields": [field(person, "int32"), field("visits", "int32")],
            },
        ]
        records.append(Rec(key(n), change(name, {"id": n, "stats": {person: n % 7, "visits": n}}, fields=fields)))
    return _case(
        case_id,
        "schema-metadata",
        _nested_keys_no_list_knows.__doc__ or "",
        "id: {pii: none}\nstats: {pii: none}",
        records,
        dict.fromkeys(planted),
        service=True,
        fragments=tuple(() for _ in dict.fromkeys(planted)),
    )


def _keys_beyond_the_schema() -> Case:
    """A struct column declared none whose values hold keys its schema does not name (a
    person no list knows, an e-mail made an identifier), beside the one it does."""
    case_id = "struct-keys-beyond-the-schema"
    r, name = v.rng(case_id), table(case_id)
    records, planted = [], []
    fields = [
        field("id", "int32"),
        {"type": "struct", "optional": True, "field": "stats", "fields": [field("n", "int32")]},
    ]
    for n in range(N):
        person = f"{r.choice(_UNLISTED_FIRST).lower()}{r.choice(_UNLISTED_LAST)}"
        planted.append(person)
        value = {"id": n, "stats": {"n": n, person: n % 7}}
        records.append(Rec(key(n), change(name, value, fields=fields)))
    return _case(
        case_id,
        "schema-metadata",
        _keys_beyond_the_schema.__doc__ or "",
        "id: {pii: none}\nstats: {pii: none}",
        records,
        dict.fromkeys(planted),
        fragments=tuple(() for _ in dict.fromkeys(planted)),
    )


def _enum_of_people() -> Case:
    """An undeclared enum column whose symbols are people no list knows: an enum is
    released by its type only when its symbols are no people."""
    case_id = "enum-symbols-are-people"
    r, name = v.rng(case_id), table(case_id)
    people = sorted({f"{r.choice(_UNLISTED_FIRST)} {r.choice(_UNLISTED_LAST)}" for _ in range(12)})
    enum = {"type": "string", "optional": True, "field": "owner", "name": "io.debezium.data.Enum"}
    fields = [field("id", "int32"), {**enum, "parameters": {"allowed": ",".join(people)}}]
    records = [Rec(key(n), change(name, {"id": n, "owner": people[n % len(people)]}, fields=fields)) for n in range(N)]
    return _case(case_id, "undeclared-types", _enum_of_people.__doc__ or "", "id: {pii: none}", records, people)


def _names_as_columns(case_id: str, doc: str, shapes: Any, known_leak: str | None = None) -> Case:
    """Undeclared columns named after people, each name written by ``shapes(first, last)``.
    A known leak stays out of the service run: the cases there share one run's logs and
    metrics, and its names would show there for the other cases too."""
    r, name = v.rng(case_id), table(case_id)
    records, planted = [], []
    for n in range(N):
        columns = shapes(r.choice(v.FIRST), r.choice(v.LAST))
        planted += columns
        after: dict[str, Any] = {"id": n, **{c: "v" for c in columns}}
        records.append(Rec(key(n), change(name, after)))
    return _case(
        case_id,
        "names-are-data",
        doc,
        "id: {pii: none}",
        records,
        dict.fromkeys(planted),
        service=known_leak is None,
        known_leak=known_leak,
    )


def _names_among_words() -> Case:
    """Undeclared columns named with a listed person's name among other words, digits
    and initials (``robert_brown_notes``, ``customer_john_smith``, ``Mary_Lee_2020``,
    ``JohnQSmith``), surname first (``smith_john_notes``), and run together in lower
    case and capitalised (``johnsmith``, ``Johnsmith``)."""
    case_id = "names-among-words"
    r, name = v.rng(case_id), table(case_id)
    records, planted = [], []
    for n in range(N):
        first, last = listed_name(r)
        columns = [
            f"{first.lower()}_{last.lower()}_notes",
            f"customer_{first.lower()}_{last.lower()}",
            f"{first}_{last}_2020",
            f"{first}Q{last}",
            f"{first}{last}".lower(),
            f"{last.lower()}_{first.lower()}_notes",
            f"{first}{last.lower()}",
        ]
        planted += columns
        records.append(Rec(key(n), change(name, {"id": n, **{c: "v" for c in columns}})))
    return _case(
        case_id,
        "names-are-data",
        _names_among_words.__doc__ or "",
        "id: {pii: none}",
        records,
        dict.fromkeys(planted),
        service=True,
        # judged whole: an identifier's other words ('notes', a surname that is also an
        # English word, 'good') are no fragment of a person
        fragments=tuple(() for _ in dict.fromkeys(planted)),
    )


def _identifier_values(r: Any) -> tuple[Any, list[str]]:
    """A listed name as an identifier-shaped value, or as a key of JSON text, or in parts
    of a document with something between them: (the value, the planted forms)."""
    first, last = listed_name(r)
    camel = f"{first}{last}"
    shape = r.randrange(6)
    if shape == 0:
        return f"{first.lower()}_{last.lower()}", [f"{first.lower()}_{last.lower()}"]
    if shape == 1:
        return f"{first}-{last}", [f"{first}-{last}"]
    if shape == 2:
        return camel, [camel]
    if shape == 3:
        return json.dumps({camel: 1, "tier": "gold"}), [camel]
    return ([first, None, last] if shape == 4 else [[first], [last]]), [f"{first} {last}"]


def _time_of_day_numbers() -> Case:
    """An undeclared ``io.debezium.time.Time`` column (released for its type) whose values
    turn into SSNs: no time of day has 9 digits of milliseconds."""
    case_id = "time-of-day-numbers"
    r, name = v.rng(case_id), table(case_id)
    fields = [field("id", "int32"), field("opens_at", "int32", logical="io.debezium.time.Time")]
    records, planted = [], []
    for n in range(N):
        records.append(Rec(key(n), change(name, {"id": n, "opens_at": 32_400_000 + n * 60_000}, fields=fields)))
    for n in range(N, 2 * N):
        ssn = v.ssn(r)
        planted.append(ssn)
        records.append(Rec(key(n), change(name, {"id": n, "opens_at": int(ssn)}, fields=fields)))
    return _case(case_id, "undeclared-types", _time_of_day_numbers.__doc__ or "", "id: {pii: none}", records, planted)


def _documents(case_id: str, doc: str, loud: Any, known_leak: str | None = None) -> Case:
    """Quiet tag lists, then documents ``loud(r)`` makes: (the document, the planted
    values), in a schemaless column declared none."""
    r, name = v.rng(case_id), table(case_id)
    records, planted = [], []
    for n in range(N):
        records.append(Rec(key(n), change(name, {"id": n, "tags": [TIERS[n % 4], TIERS[(n + 1) % 4]]})))
    for n in range(N, 2 * N):
        document, values = loud(r)
        planted += values
        records.append(Rec(key(n), change(name, {"id": n, "tags": document})))
    return _case(
        case_id,
        "disguised-values",
        doc,
        "id: {pii: none}\ntags: {pii: none}",
        records,
        dict.fromkeys(planted),
        known_leak=known_leak,
    )


def _name_parts(r: Any) -> tuple[Any, list[str]]:
    first, last = r.choice(v.FIRST), r.choice(v.LAST)
    shape = r.randrange(3)
    document = [first, last] if shape == 0 else {"first": first, "last": last} if shape == 1 else {first: last}
    return document, [f"{first} {last}"]  # and its surname, as a fragment (with_fragments)


def _name_past_the_texts(r: Any) -> tuple[Any, list[str]]:
    person = v.name(r)
    if r.randrange(2):
        return [person, *["x"] * 5000], [person]
    return {**{f"k{i}": 1 for i in range(4100)}, "owner": person}, [person]


def _shaped_timestamps() -> Case:
    """Columns of Debezium's ``ZonedTimestamp`` (text), one declared none and one left
    undeclared, whose text is a date then a card number, an SSN or a phone number where
    the time of day goes."""
    case_id = "timestamp-shaped-numbers"
    r, name = v.rng(case_id), table(case_id)
    zoned = "io.debezium.time.ZonedTimestamp"
    fields = [field("id", "int32"), field("created_at", logical=zoned), field("updated_at", logical=zoned)]
    records, planted = [], []
    for n in range(N):
        records.append(
            Rec(
                key(n), change(name, {"id": n, "created_at": "2024-01-01T10:00:00Z", "updated_at": None}, fields=fields)
            )
        )
    for n in range(N, 2 * N):
        card, ssn, phone = v.card(r), v.ssn(r), v.phone(r)
        planted += [card, ssn, phone]
        after = {
            "id": n,
            "created_at": f"2024-01-01T{card}Z",
            "updated_at": f"2024-01-01T{ssn[:3]}.{ssn[3:5]}.{ssn[5:]}Z"
            if n % 2
            else f"2024-01-01 {phone[:3]}.{phone[3:6]}.{phone[6:]}",
        }
        records.append(Rec(key(n), change(name, after, fields=fields)))
    return _case(
        case_id,
        "undeclared-types",
        _shaped_timestamps.__doc__ or "",
        "id: {pii: none}\ncreated_at: {pii: none}",
        records,
        dict.fromkeys(planted),
        service=True,
    )


def _implausible_timestamps(case_id: str, logical: str, per_ms: int, doc: str) -> Case:
    """An int64 timestamp column of the ``logical`` type, ``per_ms`` units a millisecond,
    declared none, whose values turn into card numbers (``doc`` says when they fall)."""
    r, name = v.rng(case_id), table(case_id)
    fields = [field("id", "int32"), field("paid_at", "int64", logical=logical)]
    records, planted = [], []
    for n in range(N):
        records.append(Rec(key(n), change(name, {"id": n, "paid_at": (TS + n * 60_000) * per_ms}, fields=fields)))
    for n in range(N, 2 * N):
        card = v.card(r)  # 16 digits
        planted.append(card)
        records.append(Rec(key(n), change(name, {"id": n, "paid_at": int(card)}, fields=fields)))
    return _case(case_id, "undeclared-types", doc, "id: {pii: none}\npaid_at: {pii: none}", records, planted)


def _text_stamps() -> Case:
    """Envelope timestamps (``ts_ms``, ``ts_us``, ``ts_ns``) written as text no number is
    written as: an SSN with its leading zero, a phone number with its country code and
    dashes."""
    case_id = "envelope-stamps-as-text"
    r, name = v.rng(case_id), table(case_id)
    records, planted = [], []
    for n in range(N):
        ssn, phone = "0" + v.ssn(r)[1:], v.phone(r)
        planted += [ssn, phone]
        value = change(name, {"id": n, "plan": TIERS[n % 4]})
        value.update({"ts_ms": ssn, "ts_us": f"+1{phone}", "ts_ns": f"{phone[:3]}-{phone[3:6]}-{phone[6:]}"})
        records.append(Rec(key(n), value))
    return _case(
        case_id, "envelope-shapes", _text_stamps.__doc__ or "", "id: {pii: none}\nplan: {pii: none}", records, planted
    )


CASES = with_fragments(
    [
        _message_on_changes(),
        _duplicate_key_members(),
        _nested_struct_names(),
        _nested_keys_no_list_knows(),
        _keys_beyond_the_schema(),
        _enum_of_people(),
        _names_as_columns(
            "names-in-camel-case",
            "Undeclared columns named after people in camelCase, capitalised, and surname first.",
            lambda first, last: [f"{first.lower()}{last}", f"{first}{last}", f"{last.lower()}{first}"],
        ),
        _names_as_columns(
            "names-run-together",
            "Undeclared columns named after people in one word, in lower case and in capitals.",
            lambda first, last: [f"{first}{last}".lower(), f"{first}{last}".upper()],
            known_leak="a name run together in one case has no boundary to read unknown words by: it is found "
            "only when the public lists know both parts (they know no Liam, Kenji, Priya, Amara or Henrik)",
        ),
        _documents(
            "json-name-parts",
            "A column declared none whose JSON documents hold a person's name in parts: an array "
            "of first name and surname, an object of both, the name as key and value.",
            _name_parts,
        ),
        _documents(
            "json-name-past-4096-texts",
            "A column declared none whose documents hold a person's name before 5,000 other "
            "array items, or after 4,100 other keys.",
            _name_past_the_texts,
            known_leak="a JSON leaf gets no NER (a document's leaves are not batched): only listed names are read",
        ),
        _names_among_words(),
        _documents(
            "identifier-shaped-names",
            "A column declared none whose values become a listed name written as an identifier "
            "(snake, kebab, camel case), a key of JSON text, or parts of a document with a null "
            "or a nesting between them.",
            _identifier_values,
        ),
        _time_of_day_numbers(),
        _shaped_timestamps(),
        _implausible_timestamps(
            "timestamp-implausible-numbers",
            "org.apache.kafka.connect.data.Timestamp",
            1,
            "A millisecond Timestamp column declared none whose values turn into card numbers: as "
            "times they fall in the year 33,000 and later.",
        ),
        _implausible_timestamps(
            "micro-timestamp-card-numbers",
            "io.debezium.time.MicroTimestamp",
            1_000,
            "A MicroTimestamp column declared none whose values turn into card numbers: as "
            "microseconds they fall in the years 2033-2191, plausible times but no record's of today.",
        ),
        _implausible_timestamps(
            "nano-timestamp-card-numbers",
            "io.debezium.time.NanoTimestamp",
            1_000_000,
            "A NanoTimestamp column declared none whose values turn into card numbers: as "
            "nanoseconds they fall in the first months of 1970.",
        ),
        _text_stamps(),
    ]
)
