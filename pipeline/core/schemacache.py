"""Caches keyed by a schema: bounded by entries and by the bytes of the schemas they hold.

Every record of a table version carries the same schema, so decoders and the core keep
what they work out per schema (the parsed schema, its field types, its envelope
markers, its compiled treatment). A schema is input, though, and can be as large as a
record: a count bound alone lets a stream of distinct megabyte schemas hold gigabytes
(256 entries of a parsed 500 KB schema held 1.7 GB). One rule serves every such cache:

- the schemas one cache keeps take at most :data:`SCHEMA_BYTES` parsed, together, as
  :func:`schema_size` bounds them from their JSON (a count of JSON bytes alone does
  not: a schema of empty objects, ``[{},{},..]``, takes 24 times its JSON parsed);
  a cache per table keeps :data:`TABLE_SCHEMA_BYTES`, and the caches of all the tables
  of one processor keep :data:`TABLES_SCHEMA_BYTES` together (a :class:`SchemaBudget`
  they share: the number of tables is not bounded where a default declaration serves
  every topic, so a bound per table alone bounds nothing);
- a schema over :data:`LARGEST_KEPT` is kept by none of them: it is worked out again
  for each record that carries it, at a cost bounded by the record's size;
- the oldest entries go first.

A cache's ``size`` of an entry is :func:`schema_size` of the schema bytes its key holds.
The core's plans (one per order of a row's column names, which are input too) and its
record summaries use the same caches, sized by ``transform.plan_size``, with a budget of
their own shared by all tables (``transform.PLANS_BYTES``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

SCHEMA_BYTES = 32 << 20  # parsed bytes of the schemas one cache keeps, together
TABLE_SCHEMA_BYTES = 16 << 20  # ... one cache of a table's
TABLES_SCHEMA_BYTES = 32 << 20  # ... the caches of all the tables of a processor, together
LARGEST_KEPT = 16 << 20  # a larger schema is not kept (about 1 MB of JSON of 4,096 columns)


def schema_size(schema: bytes) -> int:
    """An upper bound of the bytes a schema takes parsed, from its JSON: at most 4 a
    character (a string with one astral character is stored 4 bytes a character) and
    80 a value (an empty dict is 64 bytes and a pointer; a string or number less),
    values being counted by the separators and brackets that open them. Measured
    against the parsed form of empty containers, 1-key and 8-key objects, floats,
    integers, short strings and Debezium field lists: 1.0 to 4.1 times it. Called
    once per schema a cache has not seen; each count is a C scan of the bytes."""
    count = schema.count
    return 4 * len(schema) + 80 * (count(b",") + count(b":") + count(b"{") + count(b"[") + 1)


class SchemaBudget:
    """Bytes that several caches share: when their entries together would pass
    ``max_bytes``, the oldest entry among all of them goes first."""

    __slots__ = ("_order", "held_bytes", "max_bytes")

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(max_bytes, LARGEST_KEPT)
        self.held_bytes = 0
        self._order: dict[tuple[SchemaCache[Any, Any], Hashable], None] = {}  # oldest first

    def _make_room(self, size: int) -> None:
        while self._order and self.held_bytes + size > self.max_bytes:
            cache, key = next(iter(self._order))
            cache._drop(key)


class SchemaCache(Generic[K, V]):
    """A dict bounded by ``max_entries`` and by the summed ``size`` of its entries (and,
    with a ``budget``, by the bytes it shares with other caches).
    ``on_evict`` is told each key that leaves (an index beside the cache follows it)."""

    __slots__ = ("_budget", "_bytes", "_entries", "_on_evict", "_sizes", "get", "max_bytes", "max_entries")

    def __init__(
        self,
        max_entries: int,
        max_bytes: int = SCHEMA_BYTES,
        on_evict: Callable[[K], None] | None = None,
        budget: SchemaBudget | None = None,
    ) -> None:
        self._budget = budget
        self._entries: dict[K, V] = {}
        self._sizes: dict[K, int] = {}
        self._bytes = 0
        self.max_entries = max_entries
        self.max_bytes = max(max_bytes, LARGEST_KEPT)
        self._on_evict = on_evict
        # read once per record by several caches: the dict's own lookup (a C call); the
        # dict is never replaced, only emptied, so the bound method stays its
        self.get: Callable[[K], V | None] = self._entries.get

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[K]:
        return iter(self._entries)

    @property
    def held_bytes(self) -> int:
        return self._bytes

    def put(self, key: K, value: V, size: int) -> bool:
        """Keep ``value`` under ``key``; False (and nothing kept) when ``size`` is over
        the largest kept."""
        if size > LARGEST_KEPT:
            return False
        if key in self._entries:
            self._drop(key)
        while self._entries and (len(self._entries) >= self.max_entries or self._bytes + size > self.max_bytes):
            self._drop(next(iter(self._entries)))
        budget = self._budget
        if budget is not None:
            budget._make_room(size)
            budget._order[(self, key)] = None
            budget.held_bytes += size
        self._entries[key] = value
        self._sizes[key] = size
        self._bytes += size
        return True

    def touch(self, key: K) -> None:
        """Make a kept ``key`` the newest, so it goes last (a least-recently-used cache
        touches each hit)."""
        self._entries[key] = self._entries.pop(key)
        self._sizes[key] = self._sizes.pop(key)
        budget = self._budget
        if budget is not None:
            del budget._order[(self, key)]
            budget._order[(self, key)] = None

    def discard(self, key: K) -> None:
        if key in self._entries:
            self._drop(key)

    def clear(self) -> None:
        for key in list(self._entries):
            self._drop(key)

    def _drop(self, key: K) -> None:
        del self._entries[key]
        size = self._sizes.pop(key)
        self._bytes -= size
        budget = self._budget
        if budget is not None:
            del budget._order[(self, key)]
            budget.held_bytes -= size
        if self._on_evict is not None:
            self._on_evict(key)
