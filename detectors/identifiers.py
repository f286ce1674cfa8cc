"""Person names written as identifiers: column, key, table and topic names, and short
values shaped like them (``robert_brown_notes``, ``customer_john_smith``, ``JohnQSmith``,
``Margaret_Thompson_2020``, ``margaretthompson``, ``Robert-Brown``).

An identifier is read as words, split at ``_ . -``, spaces and digits, and at a capital
after a lower-case letter; one word in one case may also be two run together
(capitalised, ``Johnsmith``: with a very common surname, the whole no listed first
name). It holds a name when two words side by side (or the two halves of one) are a
first name and a surname the public lists know (:mod:`detectors.recognizers.person`),
in either order (run together: the first name first). The lists are loose ('Toby Tes',
'Rea Dall', 'Meta Kafka', 'Mark Down'), so a pair counts only when neither word is a
column word, and the surname is a very common one or both words have four letters or
more and are no English words (the surname first: neither may be). Names the lists do
not know are not found here, nor a short surname no list ranks glued on (``janeRoe2``).
"""

from __future__ import annotations

import itertools
import re

from detectors import english
from detectors.recognizers.person import is_first_name, is_top_surname, known_pair

# Words that make a phrase a column header rather than a person ('Order Date', 'max_price').
COLUMN_WORDS = frozenset(
    [
        "id",
        "key",
        "date",
        "time",
        "day",
        "month",
        "year",
        "total",
        "amount",
        "sum",
        "count",
        "number",
        "num",
        "no",
        "qty",
        "quantity",
        "price",
        "cost",
        "value",
        "code",
        "type",
        "status",
        "state",
        "kind",
        "level",
        "rate",
        "score",
        "flag",
        "name",
        "first",
        "last",
        "full",
        "customer",
        "order",
        "item",
        "product",
        "created",
        "updated",
        "deleted",
        "modified",
        "at",
        "by",
        "on",
        "of",
        "per",
        "avg",
        "min",
        "max",
        "new",
        "old",
        "is",
        "has",
        "user",
        "account",
        "email",
        "phone",
        "address",
        "city",
        "country",
        "zip",
        "street",
        "region",
        "description",
        "notes",
        "comment",
        "text",
        "title",
        "label",
        "category",
        "group",
    ]
)
_SPLIT = re.compile(r"[\W_\d]+")
CAMEL_BOUNDARY = re.compile(r"(?<=[^\W\d_])(?<![A-Z])(?=[A-Z])")  # a capital after a lower-case letter
# ... and the last capital of a run before lower case (JohnQSmith)
_CAMEL = re.compile(CAMEL_BOUNDARY.pattern + r"|(?<=[A-Z])(?=[A-Z][a-z])")
_MAX_CHARS = 128  # a longer identifier is not read (a record's names are bounded, this keeps it cheap)
_MAX_WORD = 40  # a longer word is not tried as two run together


def words(identifier: str) -> list[str]:
    """The identifier's words in lower case: ``janeRoe2`` -> ``['jane', 'roe']``."""
    return [w.lower() for w in _SPLIT.split(_CAMEL.sub(" ", identifier)) if w]


def holds_listed_name(identifier: str, common: bool = False) -> bool:
    """Two words side by side, or the halves of one word written in one case, are a
    listed first name and surname (either order): see the module's rules. ``common``:
    the surname must be one of the 1,000 most frequent (for values, where brands and
    places are written alike: 'Mercedes-Benz')."""
    if len(identifier) > _MAX_CHARS:
        return False
    parts = [w for w in words(identifier) if len(w) > 1]  # a middle initial stands between none (JohnQSmith)
    if any(_pair(a, b, common=common) for a, b in itertools.pairwise(parts)):
        return True
    raw = [w for w in _SPLIT.split(identifier) if w]  # one case: no capital splits the word
    if any(_run_together(w, common) for w in raw if w.islower() or w.isupper()):
        return True
    # capitalised (Johnsmith): a first name itself is often two names glued (Theodora,
    # Ingeborg), so only a whole that is no listed name, with a very common surname
    return any(_run_together(w, True) for w in raw if w.istitle() and not is_first_name(w))


def _run_together(word: str, common: bool) -> bool:
    """``margaretthompson``, ``JOHNSMITH``: a word of letters, no English one, cut in two."""
    if not 6 <= len(word) <= _MAX_WORD:
        return False
    word = word.lower()
    if english.available() and english.is_english(word):
        return False
    # the first name first only: a surname and a first name run together are too often a
    # word cut at a chance place ('varnum' + 'eric')
    return any(_pair(word[:cut], word[cut:], reversed_too=False, common=common) for cut in range(3, len(word) - 2))


def _pair(a: str, b: str, reversed_too: bool = True, common: bool = False) -> bool:
    if len(a) < 2 or len(b) < 2 or a in COLUMN_WORDS or b in COLUMN_WORDS:
        return False
    if known_pair(a, b) and is_top_surname(b):
        return True  # john_smith, bob_smith: a very common surname
    if (
        reversed_too
        and known_pair(b, a)
        and is_top_surname(a)
        and (len(b) >= 3 or (common and not english.is_english(b)))
    ):
        return True  # smith_john, brown_robert_notes: the same, surname first
    if common:
        return False
    if known_pair(a, b) and min(len(a), len(b)) >= 4 and not english.is_english(b):
        return True  # maria_lindqvist-like: a listed surname no English word
    # the surname first (thompson_margaret): both longer words, neither English
    return (
        reversed_too
        and known_pair(b, a)
        and min(len(a), len(b)) >= 4
        and not (english.is_english(a) or english.is_english(b))
    )


_TEXT_WORD = re.compile(r"[^\W\d_]+")
_MAX_TEXT = 4096  # characters of a value read for a labelled name (a record's size bounds the rest)
# Words that label a person before their name ('Customer: Mary Johnson', 'Attn Mary Johnson')
PERSON_LABELS = frozenset(
    [
        "customer",
        "client",
        "contact",
        "attn",
        "attention",
        "agent",
        "manager",
        "patient",
        "recipient",
        "employee",
        "owner",
        "user",
        "rep",
        "representative",
        "driver",
        "tenant",
        "guest",
        "member",
        "caller",
        "name",
        "sender",
        "from",
        "to",
        "cc",
        "by",
        "doctor",
        "dr",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "nurse",
        "teacher",
        "student",
        "applicant",
        "candidate",
        "buyer",
        "seller",
        "assignee",
        "reporter",
        "approver",
        "requester",
        "holder",
        "cardholder",
        "beneficiary",
        "payee",
        "account",
        "signed",
        "handled",
        "created",
        "updated",
        "sales",
        "support",
        "service",
        "billing",
    ]
)
# Words after a name that belong to it, not to a longer proper name
_AFTER_NAME = frozenset({"jr", "sr", "ii", "iii", "iv", "md", "phd", "dds", "esq", "rn", "cpa", "vip"})
# A surname that is also a place word makes the pair a place ('Virginia Beach')
_PLACE_WORDS = frozenset(
    [
        "beach",
        "springs",
        "city",
        "park",
        "hills",
        "heights",
        "falls",
        "lake",
        "river",
        "bay",
        "island",
        "valley",
        "creek",
        "port",
        "harbor",
        "harbour",
        "station",
        "square",
        "center",
        "centre",
        "street",
        "avenue",
        "road",
        "county",
        "village",
        "town",
    ]
)


def holds_labelled_name(text: str) -> bool:
    """A listed first name and a very common surname side by side, both capitalised (or
    both in capitals), labelled as a person: after a person's label ('Customer: Mary
    Johnson', 'Attn Mary Johnson'), or first in the value with a note after it ('Mary
    Johnson (VIP)', 'Mary Johnson - Sales'); the rules of :func:`holds_listed_name` with
    ``common``. Not a surname that is a place word ('Virginia Beach'), nor a pair running
    on into a longer proper name ('Martin Luther King Blvd', 'Jack Daniels Whiskey')."""
    if len(text) > _MAX_TEXT:
        return False
    found = list(_TEXT_WORD.finditer(text))
    for i in range(len(found) - 1):
        a, b = found[i][0], found[i + 1][0]
        if len(a) < 2 or len(b) < 2 or not ((a.istitle() and b.istitle()) or (a.isupper() and b.isupper())):
            continue
        if text[found[i].end() : found[i + 1].start()] != " " or b.lower() in _PLACE_WORDS:
            continue  # one space between: 'Mary Johnson', not 'Mary, Johnson'
        after = found[i + 2] if i + 2 < len(found) else None
        if (
            after is not None
            and text[found[i + 1].end() : after.start()] == " "
            and after[0][:1].isupper()
            and after[0].lower() not in _AFTER_NAME
        ):
            continue  # runs on into a longer proper name
        labelled = i > 0 and found[i - 1][0].lower() in PERSON_LABELS
        noted = i == 0 and text[found[i + 1].end() :].lstrip()[:1] in ("(", "-", "[", ",", "/", "|")
        if not (labelled or noted):
            continue
        first, last = a.lower(), b.lower()
        if first not in COLUMN_WORDS and last not in COLUMN_WORDS and is_top_surname(last) and known_pair(first, last):
            return True
    return False
