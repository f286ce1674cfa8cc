"""Canonical lines read without parsing the schemas they repeat.

A file-mode line ``{"topic":..,"key":{"schema":S1,"payload":..},"value":{"schema":S2,
"payload":..},..}`` carries Kafka Connect schema objects that make up most of its bytes
and that every line of a table version repeats byte for byte. :class:`KnownSchemas`
remembers (bounded) the canonical bytes of the schemas of earlier lines, as orjson wrote
them; :meth:`KnownSchemas.reduce` then finds each ``{"schema":`` followed by a
remembered schema's exact bytes and ``,"payload":`` (candidate by length and last
bytes, confirmed in place: one memcmp, no copy of the schema) and replaces those bytes
by the one-byte placeholder ``0``. The span reader (:mod:`.jsonspans`) runs its
canonical check on that reduced line (parse, write back, same bytes) and moves each
member's span by the bytes removed before it.

Why this gives exactly the spans of the bracket match, and never others. ``{"`` cannot
occur inside a valid JSON string with its ``"`` closing the string and ``schema":``
following (after a closing quote only ``,:]}`` or whitespace may come), and the ``"``
after ``{`` is never escaped; so in valid JSON each ``{"schema":`` opens an object whose
first name is ``schema``, and the value of that name starts right after the colon.

- Reduced line canonical => line valid, same members: in the reduced line the
  placeholder is that value, and a value starting with ``0`` and followed by ``,`` is
  the number 0, one complete value. Putting back S, itself one complete JSON value
  (orjson wrote it), gives a valid line with the same structure outside S: the same
  member names (none twice: orjson keeps one and the reduced line would not write back
  the same), each member's extent grown by the S inside it. The bracket match on a
  valid object finds exactly those extents; so do the old readers, whichever path.
  (Such a line may be one orjson would not write whole, its schema nested past 255
  levels once put back: the readers then take it, and give those same extents.)
- Line canonical => reduced line canonical: each replaced S is the whole value of its
  ``schema`` name (a complete object is never a proper prefix of another value), so the
  reduced line is the same tree with some subtrees written as ``0``; orjson reads it (no
  deeper, no new numbers, the same UTF-8) and writes it back the same. So when a
  reduced line is not canonical the whole line is not either, and the old canonical
  path would refuse it too: the caller goes straight to the readers.

Memory is bounded (:data:`MAX_SCHEMAS` entries and :data:`MAX_BYTES` bytes, the oldest
evicted first; the hints of which schema followed which hold only schemas held), and
so is the work per line: a comparison that fails is charged to a budget of four times
the line's length (one that succeeds removes those bytes from the line), after which
the rest of the line is left as it stands. A stream whose schemas never repeat (more
learned than are held, none seen again) pauses the cut: see :meth:`KnownSchemas.learn`.
"""

from __future__ import annotations

import threading

import orjson

OPEN = b'{"schema":'
THEN = b',"payload":'
PLACEHOLDER = b"0"
MAX_SCHEMAS = 256
MAX_BYTES = 16 << 20
MIN_LENGTH = 64  # below this the parse saved is not worth a lookup
TAIL = 16  # the last bytes that, with the length, name a candidate
MAX_PER_KEY = 4  # schemas of the same length and last bytes (versions of a table, tables alike)
PAUSE = 1024  # objects read whole, neither cut nor learned from, once learning stops paying


class KnownSchemas:
    """The canonical bytes of schema objects seen in earlier lines, and the cut of the
    lines that repeat them."""

    def __init__(self, max_schemas: int = MAX_SCHEMAS, max_bytes: int = MAX_BYTES, compare_budget: float = 4.0) -> None:
        self._max_schemas = max_schemas
        self._max_bytes = max_bytes
        self._compare_budget = compare_budget  # bytes compared in vain per byte of line
        # Changed under the lock only; readers only get() from them. ``_held``: schema ->
        # its key, oldest first (the eviction order); ``_by_tail``: (length, last bytes)
        # -> the schemas of that key (a tuple, replaced whole), newest first.
        self._held: dict[bytes, tuple[int, bytes]] = {}
        self._by_tail: dict[tuple[int, bytes], tuple[bytes, ...]] = {}
        # a schema held (None: the start of a line) -> the key of the schema cut after it
        # last time: a hint, confirmed in place like any candidate. Started afresh at
        # every eviction, so it never holds more than the schemas held.
        self._follows: dict[bytes | None, tuple[int, bytes]] = {}
        self._bytes = 0
        self._unused = 0  # schemas learned since a line was last cut
        self._paused = 0  # objects still to read whole, learning nothing
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._held)

    @property
    def size(self) -> int:
        """The bytes of schema held."""
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._held, self._by_tail, self._follows, self._bytes = {}, {}, {}, 0
            self._unused = self._paused = 0

    def reduce(self, piece: bytes) -> tuple[bytes, list[tuple[int, int, bytes]]] | None:
        """The line with each remembered schema replaced by the placeholder, and where
        (in the reduced line) and how many bytes were removed, with the schema's bytes
        (the object held here); None when none was.

        A schema is found by its length and last bytes: those of the bytes up to the
        next ``,"payload":``. Before looking for that, the schema that followed the
        previous one (or began the line) last time is tried where it would end: a
        table's value schema follows its key schema, and is then found without
        reading through it."""
        by_tail = self._by_tail
        if not by_tail or self._paused:
            if self._paused:
                self._paused -= 1
            return None
        find, startswith = piece.find, piece.startswith
        follows = self._follows
        parts: list[bytes] = []
        cuts: list[tuple[int, int, bytes]] = []
        done = 0  # bytes of ``piece`` already in ``parts`` (or replaced)
        removed = 0
        budget = self._compare_budget * len(piece)
        then = -1  # the first ``,"payload":`` after the current schema start
        previous: bytes | None = None  # the schema cut before
        opening = find(OPEN)
        while opening >= 0 and budget >= 0:
            begin = opening + len(OPEN)
            length = 0  # of the remembered schema found at ``begin``
            key = follows.get(previous)
            if key is not None and startswith(THEN, begin + key[0]):
                for known in by_tail.get(key, ()):
                    if startswith(known, begin):
                        length = key[0]
                        break
                    budget -= key[0]  # a miss: at most that many bytes compared
            if not length:
                if then < begin:
                    then = find(THEN, begin)
                    if then < 0:
                        break
                if then - begin >= MIN_LENGTH:
                    key = (then - begin, piece[then - TAIL : then])
                    for known in by_tail.get(key, ()):
                        if startswith(known, begin):
                            length = key[0]
                            break
                        budget -= key[0]
                if not length:
                    opening = find(OPEN, opening + 1)
                    continue
                if follows.get(previous) != key:
                    follows[previous] = key
            parts.append(piece[done:begin])
            parts.append(PLACEHOLDER)
            cuts.append((begin - removed, length - 1, known))  # the placeholder's place in the reduced line
            removed += length - 1
            done = begin + length
            previous = known
            opening = find(OPEN, done)
        if not cuts:
            return None
        self._unused = 0
        parts.append(piece[done:])
        return b"".join(parts), cuts

    def learn(self, envelope: dict[str, object]) -> None:
        """Remember the schema of ``{"schema":<object>,"payload":..}``, a member of a
        canonical line's object (one read as the placeholder is already known). When
        more schemas than are held were learned and none was seen again (each line a
        new one), learning and cutting pause for :data:`PAUSE` objects: the parse and
        the memory they would save are not there."""
        if self._paused:
            return
        schema = envelope.get("schema")
        if (
            len(envelope) != 2
            or type(schema) is not dict
            or next(iter(envelope)) != "schema"
            or "payload" not in envelope
        ):
            return
        try:
            written = orjson.dumps(schema)
        except orjson.JSONEncodeError:
            return
        self.remember(written)

    def remember(self, schema: bytes) -> None:
        """Remember ``schema``, the canonical bytes of one JSON object (as orjson writes it)."""
        length = len(schema)
        if length < MIN_LENGTH or length > self._max_bytes or schema in self._held:
            return
        key = (length, schema[-TAIL:])
        with self._lock:  # changed in place: a reader's get() sees a bucket before or after
            held, by_tail = self._held, self._by_tail
            if schema in held:
                return
            forgotten = 0
            bucket = by_tail.get(key, ())
            if len(bucket) >= MAX_PER_KEY:
                forgotten += self._forget(bucket[-1], held, by_tail)
            while held and (len(held) >= self._max_schemas or self._bytes - forgotten + length > self._max_bytes):
                forgotten += self._forget(next(iter(held)), held, by_tail)
            if forgotten:
                self._follows = {}  # no hint may name a schema forgotten
            held[schema] = key
            by_tail[key] = (schema, *by_tail.get(key, ()))
            self._bytes += length - forgotten
            self._unused += 1
            if self._unused > self._max_schemas:
                self._unused, self._paused = 0, PAUSE

    @staticmethod
    def _forget(
        schema: bytes, held: dict[bytes, tuple[int, bytes]], by_tail: dict[tuple[int, bytes], tuple[bytes, ...]]
    ) -> int:
        key = held.pop(schema)
        rest = tuple(s for s in by_tail[key] if s is not schema)
        if rest:
            by_tail[key] = rest
        else:
            del by_tail[key]
        return len(schema)
