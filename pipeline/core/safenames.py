"""Safe forms of column and key names: names are data too.

A column or map key can be *named* with personal data (a pivoted table with one column
per customer e-mail, a JSON source keyed by phone number, a hostile producer). Wherever a
name leaves the record (metric labels, log lines, the ``cdr.pii`` header, dead-letter
headers, error messages, console output of ``cdr scan``/``cdr audit``) it goes through
:meth:`SafeNames.safe`:

- a name the table's declaration lists is shown as it is (the owning team published it);
- a *plain* name is shown as it is: at most 64 characters of ``A-Z a-z 0-9 _ -`` with a
  letter, no run of 5+ digits, and no recognizer of :mod:`detectors` matching it
  (:func:`looks_personal` is false);
- anything else becomes ``col~`` and 10 hex digits of an HMAC-SHA256 of the name under a
  key derived from the service's hash key: deterministic within a deployment (the same
  column has the same label everywhere and across restarts), not reversible by hashing a
  dictionary of common names without the key. ``cdr name-digest NAME`` computes it.

Error messages name columns as Python literals (``f"column {col!r}"``): :meth:`SafeNames.scrub`
rewrites every quoted token of a message into its safe form, so an exception text that
quotes a name is safe to log and to put in a dead-letter header.
"""

from __future__ import annotations

import ast
import hashlib
import hmac
import os
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Container, Iterable, Mapping
from typing import TYPE_CHECKING

from detectors import english
from detectors.identifiers import CAMEL_BOUNDARY, COLUMN_WORDS, holds_listed_name
from detectors.recognizers import default_recognizers
from detectors.recognizers.person import is_first_name, is_known_name
from detectors.scripts import letter_scripts, unread
from detectors.textscan import TextScanner
from detectors.vocabulary import name_evidence, tokens

if TYPE_CHECKING:
    from pipeline.core.declaration import DeclarationSet
    from pipeline.core.treatments.hashing import HashKey

PREFIX = "col~"
DIGEST_HEX = 10
MAX_SHOWN = 64
CACHE_ENTRIES = 4096
# looks_personal's verdicts kept (the oldest goes first): as many as MAX_COLUMNS tracked
# columns of a few tables; emptying the whole cache when full had every name of a table
# wider than it judged again on each record (~1 ms a fresh name). At most 256 characters
# each, so at most ~5 MB.
PERSONAL_ENTRIES = 16_384
_CACHEABLE = 256  # longer names are not kept as cache keys (memory is bounded per entry)
_DOMAIN = b"cdr-pipeline column names v1"

_PLAIN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_LETTER = re.compile(r"[A-Za-z]")
_DIGIT_RUN = re.compile(r"\d{5,}")
_DIGEST_FORM = re.compile(r"col~[0-9a-f]{10}|topic-[0-9a-f]{10}")
GROUP_PREFIX = "group-"
TOPIC_PREFIX = "topic-"  # a topic's safe form: Kafka topic names hold no '~'
_TOPIC_DOMAIN = b"cdr-pipeline topic names v1"
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# Two or three capitalised words: "John Smith", "Mary-Ann O'Neil" (column headers of
# spreadsheets look alike: "Order Date"; column words rule those out, see below).
_PERSON_SHAPE = re.compile(r"[^\W\d_][^\W\d_'-]+(?:['-][^\W\d_]+)?(?:[ _.][^\W\d_][^\W\d_'-]+(?:['-][^\W\d_]+)?){1,2}")
# Words that make a capitalised phrase a column header rather than a person.
_COLUMN_WORDS = COLUMN_WORDS
_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")

_scanner = TextScanner(recognizers=default_recognizers(), ner=None)
_personal: OrderedDict[str, bool] = OrderedDict()


def _normalised(name: str) -> str:
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", name))


def looks_personal(name: str) -> bool:
    """True when a column or key *name* looks like personal data itself: a recognizer of
    :mod:`detectors` finds an e-mail, phone, SSN, card, IBAN, IP address... in it (also
    with ``_`` read as a space), it holds 9 or more digits, it is shaped like a
    person's name (two or three capitalised words, none of them a column word), or it
    has letters in a script no detector reads (a name in Han or Arabic letters).

    For the policy: an *undeclared* column whose name looks personal is dropped from
    the CDR payload (its name would otherwise be published as a field name). Declared
    columns are the team's published names and are never dropped for their name.
    Pure and cached (bounded)."""
    hit = _personal.get(name)
    if hit is not None:
        return hit
    result = _looks_personal(name)
    if len(name) <= _CACHEABLE:
        if len(_personal) >= PERSONAL_ENTRIES:
            _personal.popitem(last=False)  # O(1): a dict's oldest key is found by a scan past deleted ones
        _personal[name] = result
    return result


# An e-mail address with its '@' and dots turned into '_' (what makes it an Avro or SQL
# name): a local part, a domain word and a generic top-level domain, the last words.
_FLAT_EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9.+-]*(?:_[A-Za-z0-9.+-]+)*_[A-Za-z0-9-]{3,63}_(?:com|net|org|edu|gov|io|info|biz)"
)


def _looks_personal(name: str) -> bool:
    text = _normalised(name)
    if not text.strip():
        return False
    if sum(c.isdigit() for c in text) >= 9:
        return True
    spaced = text.replace("_", " ")
    for candidate in dict.fromkeys((text, spaced, text.strip())):
        if _scanner.whole_value(candidate) is not None or _scanner.find(candidate, prose=False):
            return True
    # letters no detector reads ('Ольга_Петрова', a Han or Arabic name): no evidence either way
    if unread(letter_scripts(text)) or _person_shaped(text) or _known_person(text):
        return True
    if _FLAT_EMAIL.fullmatch(text):
        return True  # an e-mail made an identifier: amara_haddad25_example_com (an Avro name)
    camel = CAMEL_BOUNDARY.sub("_", text)  # margaretThompson, kenjiOkafor: words by their capitals
    # a listed name among other words, digits, capitals or run together (robert_brown_notes,
    # JohnQSmith, margaretthompson): detectors.identifiers
    return (camel != text and _known_person(camel)) or holds_listed_name(text)


def _known_person(text: str) -> bool:
    """``jane_roe``, ``mary.lee``: two or three words that are all people's first names or
    surnames by the public name lists, none of them a column word."""
    words = [w for w in re.split(r"[ _.\-]+", text) if w]
    if not 2 <= len(words) <= 3 or not all(w.isalpha() for w in words):
        return False
    if any(w.lower() in _COLUMN_WORDS for w in words) or name_evidence(text):
        return False
    if is_known_name(" ".join(w.capitalize() for w in words)):
        return True
    # kenji_okafor: names no list knows; words that are neither English nor column words
    # (a known first name may be English too: maria_lindqvist, mark_okafor)
    expanded = set(tokens(text))
    return (
        english.available()
        and all(len(w) >= 3 for w in words)
        and not any(english.is_english(w) and not is_first_name(w) for w in words)
        and not expanded & _COLUMN_WORDS
        and expanded == {w.lower() for w in words}  # no abbreviation that expands (nm, qty)
    )


def _person_shaped(text: str) -> bool:
    if len(text) > 64 or not _PERSON_SHAPE.fullmatch(text):
        return False
    words = re.split(r"[ _.]", text)
    if not all(w[:1].isupper() for w in words):
        return False
    return not (name_evidence(text) or any(t in _COLUMN_WORDS for t in tokens(text)))


def is_plain(name: str) -> bool:
    """A name shown as it is even when undeclared: short, ``A-Z a-z 0-9 _ -`` with a
    letter, no run of 5+ digits, and not :func:`looks_personal`."""
    return (
        _PLAIN.fullmatch(name) is not None
        and _LETTER.search(name) is not None
        and _DIGIT_RUN.search(name) is None
        and not looks_personal(name)
    )


def is_safe_form(name: str) -> bool:
    """Already a digest (``col~`` or ``topic-`` + 10 hex digits): shown as it is
    (idempotence)."""
    return _DIGEST_FORM.fullmatch(name) is not None


class SafeNames:
    """Safe forms under one deployment key, with the declared columns of each table."""

    def __init__(
        self,
        secret: bytes,
        declared: Mapping[str, Container[str]] | None = None,
        declared_topics: Container[str] = frozenset(),
    ) -> None:
        self._key = hmac.digest(secret, _DOMAIN, hashlib.sha256)
        self._topic_key = hmac.digest(secret, _TOPIC_DOMAIN, hashlib.sha256)
        self._declared: dict[str, Container[str]] = dict(declared or {})
        self._digests: dict[str, str] = {}
        self._plain: dict[str, bool] = {}
        self._topics: dict[str, str] = {}
        self._declared_topics = declared_topics  # the teams' own topics: shown as they are

    @classmethod
    def from_hash_key(cls, key: HashKey, declarations: DeclarationSet | None = None) -> SafeNames:
        declared: dict[str, Container[str]] = {}
        topics: frozenset[str] = frozenset()
        if declarations is not None:
            for decl in declarations.by_topic.values():
                declared[decl.table] = decl.columns
            topics = frozenset(declarations.by_topic)
        return cls(key.secret, declared, topics)

    @classmethod
    def ephemeral(cls) -> SafeNames:
        """A random key: safe, but digests differ from one process to the next. For
        tools run without the deployment's hash key."""
        return cls(os.urandom(32))

    def __repr__(self) -> str:  # never print the key
        return f"SafeNames(tables={len(self._declared)})"

    def digest(self, name: str) -> str:
        cached = self._digests.get(name)
        if cached is not None:
            return cached
        mac = hmac.digest(self._key, name.encode("utf-8", "surrogatepass"), hashlib.sha256)
        out = PREFIX + mac.hex()[:DIGEST_HEX]
        if len(name) <= _CACHEABLE:
            if len(self._digests) >= CACHE_ENTRIES:
                self._digests.clear()
            self._digests[name] = out
        return out

    def _is_plain(self, name: str) -> bool:
        hit = self._plain.get(name)
        if hit is None:
            hit = is_plain(name) or is_safe_form(name)
            if len(name) <= _CACHEABLE:
                if len(self._plain) >= CACHE_ENTRIES:
                    self._plain.clear()
                self._plain[name] = hit
        return hit

    def safe(self, name: str, declared: Container[str] = ()) -> str:
        """The name as it is when declared or plain, else its digest."""
        if not isinstance(name, str):
            name = str(name)
        if name in declared or self._is_plain(name):
            return name
        return self.digest(name)

    def topic(self, name: str) -> str:
        """A topic as it may be shown and published (a CDR topic made from a topic
        nobody declared, the ``cdr.source`` header, metric labels, log lines): as it is
        when a declaration names it, or when every segment is plain and no run of them reads as personal data
        (:func:`is_plain_topic`), else ``topic-`` and 10 hex digits of a keyed HMAC
        (a table named after a customer, ``shop.public.jane_roe``). A valid Kafka topic
        name; deterministic within a deployment, so ``cdr rebuild`` finds the topic
        again by digesting the broker's topic names."""
        hit = self._topics.get(name)
        if hit is not None:
            return hit
        if name in self._declared_topics or is_plain_topic(name) or is_safe_form(name):
            out = name
        else:
            out = self.topic_digest(name)
        if len(name) <= _CACHEABLE:
            if len(self._topics) >= CACHE_ENTRIES:
                self._topics.clear()
            self._topics[name] = out
        return out

    def group(self, name: str) -> str:
        """A consumer group id as a metric label or the catalog shows it: as it is when its
        dotted parts are plain, as a topic's are (``analytics.orders-etl``), else ``group-``
        and 10 hex digits of the keyed HMAC (a person's notebook: ``jane.roe-notebook``)."""
        if is_plain_topic(name):
            return name
        return GROUP_PREFIX + self.topic_digest(name)[len(TOPIC_PREFIX) :]

    def topic_digest(self, name: str) -> str:
        """``topic-`` and 10 hex digits of the keyed HMAC of a topic's name, whatever it is."""
        mac = hmac.digest(self._topic_key, name.encode("utf-8", "surrogatepass"), hashlib.sha256)
        return TOPIC_PREFIX + mac.hex()[:DIGEST_HEX]

    def column(self, table: str, name: str) -> str:
        """:meth:`safe` with the declared columns of ``table`` (none if undeclared)."""
        return self.safe(name, self._declared.get(table, ()))

    def declare(self, table: str, columns: Container[str]) -> None:
        """Register a table's declared columns (tables made at run time from a template)."""
        self._declared[table] = columns

    def forget(self, table: str) -> None:
        """A table made at run time is gone (tables made from a template are bounded)."""
        self._declared.pop(table, None)

    def scrub(self, message: str, declared: Container[str] = ()) -> str:
        """Every quoted token of ``message`` (a ``{name!r}``) in its safe form."""
        return scrub_quoted(message, lambda name: self.safe(name, declared))


_by_key: dict[bytes, SafeNames] = {}


def safe_name(name: str, key: HashKey, declared: Container[str] = ()) -> str:
    """:meth:`SafeNames.safe` under ``key`` (one cached :class:`SafeNames` per key)."""
    ident = hashlib.sha256(key.secret).digest()
    names = _by_key.get(ident)
    if names is None:
        if len(_by_key) >= 8:
            _by_key.clear()
        names = _by_key[ident] = SafeNames(key.secret)
    return names.safe(name, declared)


def scrub_quoted(message: str, safe: Callable[[str], str]) -> str:
    """``message`` with each quoted token ``'...'``/``"..."`` replaced by ``repr(safe(token))``."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        try:
            name = ast.literal_eval(token)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            name = token[1:-1]
        if not isinstance(name, str):
            name = token[1:-1]
        return repr(safe(name))

    return _QUOTED.sub(replace, message)


def redact_unsafe_quoted(message: str) -> str:
    """Without a key: quoted tokens that are not plain names nor digests become ``'<name>'``
    (a last line of defence where messages leave the process)."""
    return scrub_quoted(message, lambda name: name if is_plain(name) or is_safe_form(name) else "<name>")


NOT_SHOWN = "<not shown>"


_MAX_SEGMENTS = 16


def is_plain_dotted(name: str) -> bool:
    """A dotted name (``schema.table``, a topic, a field path ``a.b[].{key}``) whose every
    segment is a plain name or a digest, and no run of its segments after the first reads as
    personal data (``public.mary.lee``, ``public.jane.doe_at_example.org``)."""
    segments = [seg.removesuffix("[]") for seg in name.split(".")]
    if len(segments) > _MAX_SEGMENTS:
        return False
    if not all(s in ("{key}", "") or is_plain(s) or is_safe_form(s) for s in segments):
        return False
    # Runs after the first segment (a schema, a topic prefix): the first with the rest
    # reads as two words of a name too often (public.ok, sales.kim).
    return not any(looks_personal(".".join(segments[i:])) for i in range(1, len(segments) - 1))


def is_plain_topic(name: str) -> bool:
    """A topic shown as it is: every segment a plain name, and no run of two or more
    segments after the first (``<prefix>.<schema>.<table>``; in a topic of two parts, the
    whole: ``maria.lopez``) reads as personal data. Both are read in lower case: schema
    and table names in capitals (Oracle's ``server1.DEBEZIUM.CUSTOMERS``) or in CamelCase
    (SQL Server's ``Sales.Store``) would otherwise read as two capitalised words of a
    name, while a person's name is still found by the name lists and the words no
    dictionary holds (``Maria.Lopez``, ``MARIA.LOPEZ``, ``kenji.okafor``)."""
    segments = name.split(".")
    if len(segments) > _MAX_SEGMENTS or not all(is_plain(s.lower()) or is_safe_form(s) for s in segments):
        return False
    if any(holds_listed_name(s) for s in segments):
        return False  # read in its own case too: JohnQSmith's capitals split its words
    first = 0 if len(segments) == 2 else 1
    return not any(looks_personal(".".join(segments[i:]).lower()) for i in range(first, len(segments) - 1))


def shown_path(parts: Iterable[object]) -> str:
    """A path into a declaration or config (``columns.email.pii``) as a message shows it:
    as it is when it is plain (:func:`is_plain_dotted`), else with each segment that is no
    plain name as ``<not shown>`` (``columns.<not shown>.pii``: a column named with an
    e-mail address), else, when its plain segments still read as personal data together,
    ``<not shown>`` whole. The file and line a message names say where it is."""
    segments = [str(p) for p in parts]
    if not segments:
        return ""
    shown = [s if s.isdigit() or is_plain(s) else NOT_SHOWN for s in segments]
    # an array's index is no name, a masked segment none either: the names around them are read together
    read = ".".join(s for s in shown if not s.isdigit() and s != NOT_SHOWN)
    return ".".join(shown) if not read or is_plain_dotted(read) else NOT_SHOWN


def redact_quoted_values(message: str) -> str:
    """Without a key, for messages about files (declarations, configs): quoted tokens that
    are not plain (dotted) names become ``'<not shown>'``: a value pasted where a name of
    an entity or a treatment goes, or a key named with personal data, is not echoed."""
    return scrub_quoted(message, lambda token: token if is_plain_dotted(token) else NOT_SHOWN)


def safe_path(path: str, safe: Callable[[str], str]) -> str:
    """A field path (``after.col.sub[].{key}``) as it is when it is :func:`is_plain_dotted`,
    else the digest of the whole path (its segments could split a name at a dot)."""
    return path if is_plain_dotted(path) else safe(path)
