"""The processing core: one Kafka record in, one outcome out. Pure: no I/O, no clocks.

decode (the topic's format: record -> :class:`~pipeline.core.change.ChangeEvent`) ->
policy (declarations) -> transforms (keys, rows, field types; the Debezium rules that do
not depend on the format: SQL text in ``source`` and ``message.content`` nulled,
non-envelope fields dropped, timestamps checked) -> encode (the format). The same code
runs in the Kafka service (``cdr run``), in file mode (``cdr process``) and in the
benchmarks. Any failure becomes a :class:`~pipeline.core.events.DeadLetter` with a message
that names the stage, table and column, never a value: fail closed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from pipeline.core import metadata, outschema
from pipeline.core.change import (
    CHANGE,
    ENVELOPE_KEYS,
    KEY_HEADERS,
    NOT_TABLE_DATA,
    NULL_PAYLOAD,
    ROW,
    TOMBSTONE,
    ChangeCodec,
    ChangeEvent,
    FieldTypes,
    Header,
    Struct,
    find_field,
    struct_fields,
)
from pipeline.core.declaration import Declaration, DeclarationSet
from pipeline.core.events import (
    CdrRecord,
    DeadLetter,
    Outcome,
    ProcessingReport,
    Published,
    Skipped,
    SourceRecord,
)
from pipeline.core.policy import PolicySettings, TablePolicy
from pipeline.core.safenames import TOPIC_PREFIX, SafeNames
from pipeline.core.schemacache import TABLE_SCHEMA_BYTES, TABLES_SCHEMA_BYTES, SchemaBudget, SchemaCache, schema_size
from pipeline.core.transform import PLAN_BYTES, PLANS_BYTES, StructPlan, StructTransform
from pipeline.core.treatments.placeholder import UnavailableValues
from pipeline.core.votefetch import VoteFetch
from pipeline.errors import DecodeError, DependencyError, ProcessingError
from pipeline.tracebacks import frames
from pipeline.vocabulary import DeadLetterReason

PII_HEADER = "cdr.pii"
POLICY_HEADER = "cdr.policy"
SOURCE_HEADER = "cdr.source"
_SCHEMA_CACHE = 64
DEFAULT_TABLES_MAX = 4096  # tables the default declaration makes (one per topic), kept at once
_SUMMARIES = 4096
_SQL_SOURCE_FIELDS = frozenset({"query", "redo_sql", "undo_sql", "sql_redo", "sql_undo"})  # source fields holding SQL
# A summary's key holds a serial per plan of its record, and a record can carry thousands
# of key headers: 8 bytes a reference, 32 an int the evicted plans no longer hold.
_KEY_SERIAL_BYTES = 40
# The fields of a logical-decoding message (both may go out null); any other is dropped
_MESSAGE_FIELDS = frozenset({"prefix", "content"})
_MAX_PASSES = 8  # a record is treated again at most this often while verdicts change


@dataclass(frozen=True)
class CoreSettings:
    policy: PolicySettings
    unavailable_placeholder: str
    headers_passthrough: tuple[str, ...]
    codec: ChangeCodec  # the topics' format: records <-> ChangeEvents (pipeline.formats)
    default_declaration: Declaration | None = None  # for topics nobody declared, if opted in
    max_record_bytes: int | None = None  # larger source records are dead-lettered unread


_Summary = tuple[
    bytes, tuple[tuple[str, int], ...], tuple[str, ...], tuple[tuple[str, str, str, int], ...], tuple[str, ...]
]


class _Compiled:
    """A schema (or the schemaless case) compiled for one table."""

    __slots__ = ("out_types", "row")

    def __init__(self, out_schema: dict[str, Any], row: StructTransform | None, is_row: bool = True) -> None:
        self.out_types = FieldTypes(out_schema, orjson.dumps(out_schema), is_row)
        self.row = row


class TableProcessor:
    def __init__(
        self,
        decl: Declaration,
        settings: CoreSettings,
        unavailable: UnavailableValues,
        names: SafeNames,
        budget: SchemaBudget | None = None,  # the schema bytes it shares with the other tables
        plans: SchemaBudget | None = None,  # the plan bytes its transforms share with the other tables
        hidden_topic: str | None = None,
    ) -> None:
        """``hidden_topic``: the topic of a table the default declaration made, when it is
        shown in its safe form (``decl.source_topic``): never in a header, nor in the CDR
        schema (Debezium names structs after the topic)."""
        self.decl = decl
        self.names = names
        # the source topic as the cdr.source header names it (a topic nobody declared
        # whose name is not plain: its safe form); None: the record's own topic
        self.source_shown: str | None = decl.source_topic if hidden_topic is not None else None
        self.codec = settings.codec.bound(decl.cdr_topic)
        hidden = outschema.topic_texts(hidden_topic) if hidden_topic is not None else ()
        self.policy = TablePolicy(decl, settings.policy, hidden)
        # the topic's parts, which its connector metadata names one by one: masked there
        self._hidden_parts = metadata.topic_parts(hidden_topic) if hidden_topic is not None else frozenset()
        self.unavailable = unavailable
        self.passthrough = frozenset(settings.headers_passthrough)
        self._columns = frozenset(decl.columns)  # for shape classification
        self.policy_header = self.policy.fingerprint.encode()
        self._plan_budget = plans
        self._schemaless_row = StructTransform(self.policy, None, unavailable, what="row", plans=plans)
        self._schemaless_key = StructTransform(self.policy, None, unavailable, key_mode=True, what="key", plans=plans)
        self._values: SchemaCache[tuple[bytes, bool], _Compiled] = SchemaCache(
            _SCHEMA_CACHE, TABLE_SCHEMA_BYTES, budget=budget
        )
        self._keys: SchemaCache[bytes, _Compiled] = SchemaCache(_SCHEMA_CACHE, TABLE_SCHEMA_BYTES, budget=budget)
        # by the serials of the plans a record had: as many as combinations of plans, and
        # each as large as the names it lists, so bounded with the plans, by bytes
        self._summaries: SchemaCache[tuple[int, ...], _Summary] = SchemaCache(_SUMMARIES, PLAN_BYTES, budget=plans)
        profiler = self.policy.profiler
        self._generation_cell = profiler.generation(decl.table) if profiler is not None else None
        self._generation = 0
        self._votes_open = True  # a column may be in its first samples (vote_values)
        self.read_any = False  # a record was read: its columns have profiles

    # -- schemas ------------------------------------------------------------------------

    def _compiled_value(self, types: FieldTypes) -> _Compiled:
        as_row, schema = types.row, types.schema
        # Keyed by the schema's own bytes object: its hash is computed once, not per record
        # (a wide table's schema is kilobytes).
        cache_key = (types.identity, as_row)
        hit = self._values.get(cache_key)
        if hit is not None:
            return hit
        if as_row:
            fields = struct_fields(schema, "value")
            assert fields is not None
            row = StructTransform(self.policy, fields, self.unavailable, what="row", plans=self._plan_budget)
            compiled = _Compiled(row.out_struct(schema), row)
        else:
            compiled = self._compile_envelope(schema)
        self._values.put(cache_key, compiled, schema_size(types.identity))
        return compiled

    def _compile_envelope(self, schema: dict[str, Any]) -> _Compiled:
        fields = struct_fields(schema, "envelope")
        assert fields is not None
        row_struct = None
        for name in ("after", "before"):
            f = find_field(fields, name)
            if f is not None:
                if f.get("type") != "struct":
                    raise DecodeError(DeadLetterReason.SCHEMA_INVALID, f"envelope field {name!r} is not a struct")
                row_struct = f
                break
        before, after = find_field(fields, "before"), find_field(fields, "after")
        if before is not None and after is not None and before.get("fields") != after.get("fields"):
            # Debezium writes one row schema for both: one row transform judges both images,
            # so a before image of other fields would go out unjudged by its own schema
            raise DecodeError(DeadLetterReason.SCHEMA_MISMATCH, "envelope's before and after structs differ")
        row = None
        out_fields = []
        if row_struct is not None:
            row_fields = struct_fields(row_struct, "row")
            row = StructTransform(self.policy, row_fields, self.unavailable, what="row", plans=self._plan_budget)
        for f in fields:
            name = f.get("field")
            if name not in ENVELOPE_KEYS:
                continue  # dropped from the payload too (_treat_value)
            if name in ("before", "after") and row is not None:
                out_fields.append(row.out_struct(f))
            elif name == "message" and f.get("type") == "struct":
                out_fields.append(_message_schema(f))
            elif name in ("source", "transaction") and f.get("type") == "struct":
                out_fields.append(metadata.block_schema(f))  # as _treat_value drops them
            else:
                out_fields.append(f)
        # The rows are CDR schemas already; the rest (source, op, ts_*, transaction,
        # message) and the envelope keep their structure only (pipeline.core.outschema).
        clean = self._schemaless_row.clean
        made = [
            f
            if f.get("field") in ("before", "after") and row is not None
            else outschema.structural(f, clean, released=True)
            for f in out_fields
        ]
        return _Compiled(outschema.struct(schema, made, clean), row, is_row=False)

    def _compiled_key(self, schema: dict[str, Any], cache_key: bytes) -> _Compiled:
        hit = self._keys.get(cache_key)
        if hit is not None:
            return hit
        fields = struct_fields(schema, "key")
        key = StructTransform(self.policy, fields, self.unavailable, key_mode=True, what="key", plans=self._plan_budget)
        compiled = _Compiled(key.out_struct(schema), key)
        self._keys.put(cache_key, compiled, schema_size(cache_key))
        return compiled

    def _null_key_types(self, types: FieldTypes) -> FieldTypes:
        """The CDR schema of a key whose payload is null: a struct's as any key's, another
        type's by its structure alone (pipeline.core.outschema)."""
        if types.schema.get("type") == "struct":
            return self._compiled_key(types.schema, types.identity).out_types
        hit = self._keys.get(types.identity)
        if hit is None:
            hit = _Compiled(outschema.structural(types.schema, self._schemaless_key.clean), None)
            self._keys.put(types.identity, hit, schema_size(types.identity))
        return hit.out_types

    # -- records ------------------------------------------------------------------------

    def process(self, rec: SourceRecord, sample: bool = True) -> Outcome:
        """``sample=False``: the record's values were sampled already (an older CDR topic
        version reads the record the current one read; the profiles are the table's):
        only guarded and treated, or each record would count twice towards a release."""
        self.read_any = True
        cell = self._generation_cell
        if cell is None:
            return self._process(rec)
        profiler = self.policy.profiler
        assert profiler is not None
        try:
            for attempt in range(_MAX_PASSES):
                # The record's values are sampled once; a second pass only applies (and
                # guards under) the new rules.
                profiler.sampling = sample and attempt == 0
                generation = cell.value
                if generation != self._generation:
                    self._forget_compiled(generation)
                outcome = self._process(rec)
                if cell.value == generation:
                    return outcome
                # A verdict changed while this record was read (a sample decided, a guard
                # hit): treat it again under the new rules rather than publish it under
                # the old ones.
        finally:
            profiler.sampling = True
        raise ProcessingError(
            DeadLetterReason.VERDICTS_UNSETTLED,
            f"table {self.decl.table}: column verdicts kept changing on this record",
        )

    def _forget_compiled(self, generation: int) -> None:
        self.forget()
        self._generation = generation

    def forget(self) -> None:
        """Drop every compiled schema, plan and summary (what they held leaves the budgets
        shared with the other tables, not only this table's caches)."""
        for cache in (self._values, self._keys):
            for key in list(cache):
                compiled = cache.get(key)
                if compiled is not None and compiled.row is not None:
                    compiled.row.forget()
            cache.clear()
        self._summaries.clear()
        self._schemaless_row.forget()
        self._schemaless_key.forget()
        self._votes_open = True

    def vote_values(self, records: list[SourceRecord]) -> list[str]:
        """The values ``records`` (this table's, in order, about to be read) would put to
        its columns' NER votes (:meth:`Profiler.vote_values`, :mod:`.votefetch`). They are
        decoded here once more, one at a time, while a column of the table may be in its
        first samples, and at most ``min_samples`` of them (no column has more first
        samples left). A look that finds none, or whose labels no vote read, closes that
        until the table's compiled rules are next forgotten (a verdict changed). A record
        that does not decode is left to its reading, which dead-letters it; a service the
        format needs being down stops the batch here, as it would there."""
        profiler = self.policy.profiler
        if profiler is None or profiler.scanner.ner is None or not self._votes_open:
            return []
        values = profiler.vote_values(self.policy.table, self._rows(records[: profiler.settings.min_samples]))
        if not values:
            self._votes_open = False
        return values

    def close_votes(self) -> None:
        """Fetch no more votes until the compiled rules are next forgotten."""
        self._votes_open = False

    def _rows(self, records: list[SourceRecord]) -> Iterator[dict[str, Any]]:
        for rec in records:
            try:
                event = self.codec.decode(rec, self.decl.format, self._columns)
            except DependencyError:
                raise  # waited out once here rather than once here and once by each record
            except Exception:  # a guess: its reading says what is wrong
                continue
            if isinstance(event.before, dict):
                yield event.before
            if isinstance(event.after, dict):
                yield event.after

    def _process(self, rec: SourceRecord) -> Outcome:
        event = self.codec.decode(rec, self.decl.format, self._columns)
        if event.kind in NOT_TABLE_DATA:
            return Skipped(rec, event.kind.value)
        plans: list[StructPlan] = []
        note = plans.append
        key = self._treat_key(event.key, note) if event.key is not None else None
        value_types, before, after, source, message, stamps, source_ts = self._treat_value(event, note)
        headers: list[Header] = []
        for h in event.headers:
            if h.name in KEY_HEADERS:
                headers.append(Header(h.name, h.raw, self._treat_key(h.key, note)) if h.key is not None else h)
            elif h.name in self.passthrough and metadata.header_shaped(h.name, h.raw, self._hidden_parts):
                headers.append(h)  # a value not shaped like its metadata could be anything: left out
        treated = ChangeEvent(
            event.kind,
            event.topic,
            event.partition,
            event.offset,
            event.timestamp_ms,
            key,
            tuple(headers),
            value_types,
            event.op,
            before,
            after,
            source,
            metadata.block(event.transaction, self._hidden_parts)
            if isinstance(event.transaction, dict)
            else event.transaction,
            message,
            *stamps,
            event.envelope,
            event.value_wire,
        )
        encoded = self.codec.encode(treated)
        # What the CDR record says of its treatment, after the event's own headers.
        pii_header, counts, undeclared, detections, missing = self._summary(plans)
        out_headers = (
            *encoded.headers,
            (PII_HEADER, pii_header),
            (POLICY_HEADER, self.policy_header),
            (SOURCE_HEADER, self._coordinates(rec)),
        )
        out = CdrRecord(self.decl.cdr_topic, encoded.key, encoded.value, out_headers, rec.timestamp_ms)
        report = ProcessingReport(self.decl.table, counts, undeclared, source_ts, detections, missing)
        return Published(rec, (out,), report)

    def _coordinates(self, rec: SourceRecord) -> bytes:
        if self.source_shown is None:
            return rec.coordinates.encode()
        return f"{self.source_shown}/{rec.partition}/{rec.offset}".encode()

    def _summary(self, plans: list[StructPlan]) -> _Summary:
        """The cdr.pii header, treatment counts, undeclared columns and detections of a
        record, from the plans of its key, rows and key headers (cached per combination
        of plans). Column names are in their safe form (:mod:`pipeline.core.safenames`): the
        header and the report reach consumers, metrics and logs."""
        cache_key = tuple([p.serial for p in plans])
        hit = self._summaries.get(cache_key)
        if hit is not None:
            return hit
        counts: dict[str, int] = {}
        undeclared: dict[str, None] = {}
        sensitive: dict[str, str] = {}
        detections: dict[tuple[str, str, str], int] = {}
        missing: dict[str, None] = {}
        declared = self.decl.columns
        safe = self.names.safe
        for plan in plans:
            for treatment, n in plan.counts:
                counts[treatment] = counts.get(treatment, 0) + n
            for col in plan.undeclared:
                undeclared[safe(col, declared)] = None
            for col, label in plan.sensitive:
                sensitive.setdefault(safe(col, declared), label)
            for col, entity, source in plan.detections:
                detection = (safe(col, declared), entity, source)
                detections[detection] = detections.get(detection, 0) + 1
            for col in plan.missing:
                missing[safe(col, declared)] = None
        summary = (
            orjson.dumps(sensitive),
            tuple(sorted(counts.items())),
            tuple(undeclared),
            tuple((*d, n) for d, n in detections.items()),
            tuple(missing),
        )
        self._summaries.put(cache_key, summary, _summary_size(cache_key, summary))
        return summary

    def _treat_key(self, key: Struct, note: Any) -> Struct:
        values = key.values
        if values is None:
            if key.types is None:
                return key
            # no values, but a schema: it goes out as the CDR schema of such a key
            return Struct(None, self._null_key_types(key.types), key.wire)
        if key.types is not None:
            compiled = self._compiled_key(key.types.schema, key.types.identity)
            assert compiled.row is not None
            treated, plan = compiled.row.apply(values)
            note(plan)
            return Struct(treated, compiled.out_types, key.wire)
        treated, plan = self._schemaless_key.apply(values)
        note(plan)
        return Struct(treated, None, key.wire)

    def _treat_value(self, event: ChangeEvent, note: Any) -> _TreatedValue:
        """(field types, before, after, source, message, (ts_ms, ts_us, ts_ns)) of the
        treated event, and the source timestamp of the change."""
        kind = event.kind
        value_types = event.value_types
        before, after, source, message = event.before, event.after, event.source, event.message
        stamps = (event.ts_ms, event.ts_us, event.ts_ns)
        if kind is TOMBSTONE:
            return value_types, before, after, source, message, stamps, None
        compiled = None
        if value_types is not None:
            compiled = self._compiled_value(value_types)
            if compiled.row is None and kind is CHANGE:
                raise DecodeError(DeadLetterReason.SCHEMA_MISMATCH, "envelope schema has no before/after struct")
            value_types = compiled.out_types
        row_tx = compiled.row if compiled is not None and compiled.row is not None else self._schemaless_row
        if kind is NULL_PAYLOAD:
            return value_types, before, after, source, message, stamps, None
        if kind is ROW:
            assert after is not None
            treated, plan = row_tx.apply(after)
            note(plan)
            source_ts = _as_int(after.get("__source_ts_ms", after.get("__ts_ms")))
            return value_types, before, treated, source, message, stamps, source_ts
        # An envelope. Only its own fields go out (the format's decoder reads no other: a
        # key an SMT or a newer connector added could hold anything), and a timestamp
        # that is not a number is nulled.
        ts_ms, ts_us, ts_ns = stamps
        if not (type(ts_ms) in _PLAIN_STAMPS and type(ts_us) in _PLAIN_STAMPS and type(ts_ns) in _PLAIN_STAMPS):
            stamps = tuple(v if _is_timestamp(v) else None for v in stamps)  # type: ignore[assignment]
        if before is not None:
            before, plan = row_tx.apply(before)
            note(plan)
        if after is not None:
            after, plan = row_tx.apply(after)
            note(plan)
        source_ts: int | None = None
        if isinstance(source, dict):
            source = metadata.block(source, self._hidden_parts)  # a value of another shape is masked
            source_ts = _as_int(source.get("ts_ms"))
            if not _SQL_SOURCE_FIELDS.isdisjoint(source):
                # MySQL include.query, Oracle's redo/undo SQL: the statement holds values.
                source = {**source, **dict.fromkeys(k for k in _SQL_SOURCE_FIELDS if source.get(k) is not None)}
        if source_ts is None:
            source_ts = _as_int(ts_ms)
        if isinstance(message, dict):
            # a change or a truncate carries no message; one that does (an SMT's, a forged
            # record's) gets a message's treatment all the same
            message = self._treat_message(message, note)
        elif message is not None:
            message = None  # not the struct a message is: it could hold anything
        return value_types, before, after, source, message, stamps, source_ts

    def _treat_message(self, message: dict[str, Any], note: Any) -> dict[str, Any]:
        """A logical-decoding message: its content is arbitrary bytes, never republished;
        its prefix is text the application chose, treated as the ``prefix`` column the
        message's key holds (declared, or withheld until detection clears it). A field
        Debezium's message does not have could hold anything: dropped, as its schema's."""
        out = {k: None for k in message if k in _MESSAGE_FIELDS}
        prefix = message.get("prefix")
        if prefix is not None:
            treated, plan = self._schemaless_row.apply({"prefix": prefix})
            note(plan)
            out["prefix"] = treated.get("prefix")  # a dropped prefix is null, the field stays
        return out


def _summary_size(key: tuple[int, ...], summary: _Summary) -> int:
    """An upper bound of the bytes a summary keeps with its key (its names at 4 bytes a
    character, 200 a tuple entry, the key's plan serials at their own rate)."""
    header, counts, undeclared, detections, missing = summary
    names = sum(map(len, undeclared)) + sum(len(d[0]) for d in detections) + sum(map(len, missing))
    entries = len(counts) + len(undeclared) + len(detections) + len(missing)
    return 1024 + len(header) + 4 * names + 200 * entries + _KEY_SERIAL_BYTES * len(key)


_TreatedValue = tuple[
    FieldTypes | None,
    dict[str, Any] | None,
    dict[str, Any] | None,
    Any,
    Any,
    tuple[Any, Any, Any],
    int | None,
]


def _message_schema(field: dict[str, Any]) -> dict[str, Any]:
    out = dict(field)
    out["fields"] = [{**f, "optional": True} for f in field.get("fields") or [] if f.get("field") in _MESSAGE_FIELDS]
    return out


_INT64_DIGITS = 19  # the most digits a quoted ts_* may have
_PLAIN_STAMPS = frozenset({int, type(None)})  # timestamps as they mostly come: no question


def _is_timestamp(value: Any) -> bool:
    """A number, as Debezium writes every ``ts_*`` (int64), or one quoted as its own
    documentation's examples do ("1580390884335"); other text is nulled, and so are digits
    no number is written as: a leading zero ('078051120' is an SSN, no time) or more
    than an int64 holds."""
    if isinstance(value, str):
        return value.isascii() and value.isdigit() and len(value) <= _INT64_DIGITS and (value == "0" or value[0] != "0")
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def _as_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class Processor:
    """Routes each record to its table's processor; turns every failure into a dead letter."""

    def __init__(self, declarations: DeclarationSet, settings: CoreSettings) -> None:
        self.declarations = declarations
        self.settings = settings
        self.unavailable = UnavailableValues(settings.unavailable_placeholder)
        self.ner_seconds = 0.0  # time in batched NER, for the scanner metric
        self.names = SafeNames.from_hash_key(settings.policy.hash_key, declarations)
        self._digests: dict[str, str] | None = None  # declared topics by their digest, when first asked
        # every table's compiled schemas, together (tables are as many as topics under a
        # default declaration)
        self.schema_budget = SchemaBudget(TABLES_SCHEMA_BYTES)
        self.plan_budget = SchemaBudget(PLANS_BYTES)  # and their transforms' plans
        self._tables: dict[str, TableProcessor] = {
            topic: self._table(decl) for topic, decl in declarations.by_topic.items()
        }
        self._defaulted: dict[str, None] = {}  # topics whose table the default declaration made, oldest first
        self._default_names: dict[str, int] = {}  # their table names -> how many such tables have each
        # Older CDR topic versions published until their sunset, each under its own rules.
        self._retiring: dict[str, tuple[TableProcessor, ...]] = {
            topic: tuple(self._table(d) for d in decls) for topic, decls in declarations.retiring.items()
        }

    def table_for(self, topic: str) -> TableProcessor | None:
        table = self._tables.get(topic)
        if table is None and topic.startswith(TOPIC_PREFIX):
            # a dead letter replayed unsealed names its topic in its safe form: a topic
            # declared since is found by its digest
            declared = self._declared_digests().get(topic)
            if declared is not None:
                return self._tables.get(declared)
        if table is None and self.settings.default_declaration is not None:
            template = self.settings.default_declaration
            # Topics are input: one named after a person (its table's name) is published,
            # labelled and logged in its safe form (SafeNames.topic), never as it is.
            shown = self.names.topic(topic)
            decl = Declaration(
                table=self.declarations.default_table(shown),
                source_topic=shown,  # cdr.policy hashes it without a key: a guess must not be confirmable
                cdr_topic=template.cdr_topic.replace("{topic}", shown),
                owner=template.owner,
                undeclared=template.undeclared,
                format=template.format,
                columns=template.columns,
                path=template.path,
            )
            if len(self._defaulted) >= DEFAULT_TABLES_MAX:
                self._drop_default_table()
            if decl.table not in self._default_names:  # never a declared table's (default_table)
                self.names.declare(decl.table, decl.columns)
            self._default_names[decl.table] = self._default_names.get(decl.table, 0) + 1
            self._defaulted[topic] = None
            table = self._tables[topic] = self._table(decl, topic if shown != topic else None)
        return table

    def _declared_digests(self) -> dict[str, str]:
        if self._digests is None:
            self._digests = {self.names.topic_digest(t): t for t in self.declarations.by_topic}
        return self._digests

    def _drop_default_table(self) -> None:
        """Topics are input under a default declaration: the oldest table it made goes
        (about 10 KB each). Its column verdicts stay with the profiler, so a table made
        again for that topic does not start over; its compiled rules are made again."""
        topic = next(iter(self._defaulted))
        del self._defaulted[topic]
        table = self._tables.pop(topic)
        table.forget()
        name = table.decl.table
        left = self._default_names[name] - 1
        if left:
            self._default_names[name] = left
        else:
            del self._default_names[name]
            self.names.forget(name)

    def _table(self, decl: Declaration, hidden_topic: str | None = None) -> TableProcessor:
        return TableProcessor(
            decl, self.settings, self.unavailable, self.names, self.schema_budget, self.plan_budget, hidden_topic
        )

    @staticmethod
    def _with_older_versions(outcome: Published, older: tuple[TableProcessor, ...], table: str) -> Outcome:
        """The record on every version of its CDR topic; one version failing fails the
        record (it is dead-lettered whole and replayed whole, never half published)."""
        records = list(outcome.records)
        for older_table in older:
            # An older version of the same table shares its profiles: the current version
            # sampled the record for both (a version named otherwise samples its own).
            more = older_table.process(outcome.source, sample=older_table.decl.table != table)
            if not isinstance(more, Published):
                return more
            records.extend(more.records)
        return Published(outcome.source, tuple(records), outcome.report)

    def process_batch(self, records: list[SourceRecord]) -> list[Outcome]:
        """Process a batch. With free-text detection on, the texts that need NER are
        collected in a first pass, analysed in one ``nlp.pipe`` batch, and only the
        records that had such text are processed again with the results at hand."""
        scanner = self.settings.policy.scanner
        # A batch of one is read the same way: how often a record's values are sampled
        # must not depend on how many records share its batch (cdr process --workers
        # gives a worker its tables' share of each batch).
        if scanner is None or not scanner.batches_ner or not records:
            return [self.process(r) for r in records]
        votes = VoteFetch(self._tables, records, scanner, self.settings.max_record_bytes)
        scanner.begin_batch()
        try:
            touched: list[int] = []
            outcomes = []
            looked = votes.done
            for i, rec in enumerate(records):
                if rec.topic not in looked:
                    votes.before(i)
                before = scanner.collected()
                outcomes.append(self.process(rec))
                if scanner.collected() != before:
                    touched.append(i)
            if touched:
                started = time.perf_counter()
                scanner.analyse_pending()  # never raises: a failed batch is read record by record
                self.ner_seconds += time.perf_counter() - started
                for i in touched:
                    outcomes[i] = self.process(records[i])
        finally:
            scanner.end_batch()  # the batch's refusals, results and scans go with it
            votes.close()
        return outcomes

    def process_tables(self, records: list[SourceRecord]) -> list[Outcome]:
        """:meth:`process_batch` on each table's share of ``records`` in turn (tables in
        the order they first appear), the outcomes in the records' order. What a record
        meets in its batch (the NER budget, the texts read with it) is then its table's
        alone, whatever other tables the batch holds: ``cdr process`` reads its batches
        so, and ``--workers`` gives each worker whole tables' shares of them, so one
        process and N workers read every record alike. The service reads a poll's records
        as one batch instead: its NER budget bounds the time one poll takes."""
        default = self.settings.default_declaration is not None
        shares: dict[str, list[int]] = {}
        for i, rec in enumerate(records):
            shares.setdefault(self.declarations.table_of(rec.topic, default, self.names.topic), []).append(i)
        if len(shares) <= 1:
            return self.process_batch(records)
        placed: dict[int, Outcome] = {}
        for share in shares.values():
            placed.update(zip(share, self.process_batch([records[i] for i in share]), strict=True))
        return [placed[i] for i in range(len(records))]

    def process(self, rec: SourceRecord) -> Outcome:
        outcome = self._outcome(rec)
        if type(outcome) is DeadLetter:
            # dead-letter headers name the topic as logs and metrics do (names are data)
            return outcome._replace(topic=self.names.topic(rec.topic))
        return outcome

    def _outcome(self, rec: SourceRecord) -> Outcome:
        oversize = rec.oversize(self.settings.max_record_bytes)
        if oversize is not None:
            return DeadLetter(rec, "decode", DeadLetterReason.RECORD_TOO_LARGE, "RecordTooLarge", oversize)
        table = None
        try:
            table = self.table_for(rec.topic)
            if table is None:
                return Skipped(rec, "undeclared_topic")
            outcome = table.process(rec)
            older = self._retiring.get(rec.topic)
            if older and isinstance(outcome, Published):
                outcome = self._with_older_versions(outcome, older, table.decl.table)
            return outcome
        except DependencyError:
            raise  # a service the format needs is down: stop the batch, dead-letter nothing
        except ProcessingError as exc:
            # Messages quote column names ({col!r}): each quoted name in its safe form.
            declared = table.decl.columns if table is not None else ()
            message = self.names.scrub(exc.message, declared)
            return DeadLetter(rec, exc.stage, exc.reason, type(exc).__name__, message, frames(exc))
        except RecursionError as exc:
            return DeadLetter(
                rec, "process", DeadLetterReason.TOO_DEEP, "RecursionError", "record is nested too deeply", frames(exc)
            )
        except Exception as exc:  # fail closed: a bug must not publish a raw value
            return DeadLetter(
                rec,
                "process",
                DeadLetterReason.INTERNAL_ERROR,
                type(exc).__name__,
                f"unexpected {type(exc).__name__} while processing; the value is not shown",
                frames(exc),
            )
