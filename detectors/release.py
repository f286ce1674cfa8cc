"""Positive evidence that a column holds no personal data.

Absence of a detection is not evidence of absence: a column that no detector fired on
is *not* released for that. It is released only when something positive says it is
not personal: its type (booleans, UUIDs, enums, times of day, decimals with a scale),
its name together with a numeric type (surrogate ids, counters, amounts), or the shape
of its values (numeric measures with fractions, small numbers, a handful of categories,
event dates spanning a short period). Every released column keeps a per-value guard
(:mod:`detectors.guard`).

Quasi-identifiers (city, postcode, gender, job...: ``vocabulary.quasi_identifier``)
identify in combination; the policy decides what to do with them (config
``detection.quasi_identifiers``).
"""

from __future__ import annotations

from detectors.shortcache import short_lru
from detectors.vocabulary import name_evidence, tokens

# The last token of a numeric column's name that makes it a count, an amount, an id or
# some other measure (``order_id``, ``line_total``, ``retry_count``).
_MEASURE = frozenset(
    {
        "id",
        "ids",
        "pk",
        "fk",
        "key",
        "seq",
        "sequence",
        "version",
        "rev",
        "revision",
        "count",
        "cnt",
        "qty",
        "quantity",
        "amount",
        "amt",
        "price",
        "cost",
        "fee",
        "tax",
        "total",
        "sum",
        "subtotal",
        "balance",
        "rate",
        "ratio",
        "pct",
        "percent",
        "percentage",
        "score",
        "rank",
        "level",
        "index",
        "idx",
        "position",
        "pos",
        "size",
        "length",
        "width",
        "height",
        "depth",
        "weight",
        "duration",
        "ms",
        "millis",
        "seconds",
        "secs",
        "minutes",
        "mins",
        "hours",
        "days",
        "cents",
        "points",
        "stock",
        "lsn",
        "offset",
        "partition",
        "attempts",
        "retries",
        "min",
        "max",
        "avg",
        "mean",
        "limit",
        "capacity",
        "discount",
        "interest",
        "units",
    }
)

# Tokens of a date/time column's name that make it the time of an event, not of a birth.
_EVENT_TIME = frozenset(
    {
        "created",
        "updated",
        "modified",
        "deleted",
        "inserted",
        "changed",
        "shipped",
        "ordered",
        "paid",
        "due",
        "expires",
        "expiry",
        "expired",
        "processed",
        "sent",
        "received",
        "logged",
        "started",
        "start",
        "ended",
        "end",
        "since",
        "until",
        "valid",
        "effective",
        "scheduled",
        "booked",
        "closed",
        "opened",
        "settled",
        "posted",
        "at",
        "ts",
        "timestamp",
        "time",
        "last",
        "first",
        "synced",
        "published",
    }
)


@short_lru(maxsize=4096, longest=256)
def measure_name(column: str) -> bool:
    """A name that says the (numeric) column counts, prices or identifies rows."""
    toks = tokens(column)
    if not toks or toks[-1] not in _MEASURE:
        return False
    # ssn_id, passport_id, phone_id: the id *of* personal data is that data
    return not name_evidence(" ".join(toks[:-1])) if len(toks) > 1 else True


@short_lru(maxsize=4096, longest=256)
def event_time_name(column: str) -> bool:
    """A name that says a date/time column records when something happened."""
    return bool(set(tokens(column)) & _EVENT_TIME)
