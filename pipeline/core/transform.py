"""Applying a table's policy to rows, keys and their Connect schemas.

A :class:`StructTransform` is compiled once per table and schema (or once per table for
schemaless topics). Per distinct column set it caches a plan: which columns need work,
which are undeclared, what the ``cdr.pii`` header lists. Untouched columns are not
looked at again, which keeps the per-record cost close to a dict copy.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from detectors import guard
from pipeline.core import outschema
from pipeline.core.policy import GUARDED, OVER_CAP, UNDECLARED, ColumnRule, TablePolicy
from pipeline.errors import DecodeError, PolicyError
from pipeline.vocabulary import DeadLetterReason

if TYPE_CHECKING:
    from detectors.profiler import ColumnProfile
from pipeline.core.safenames import safe_name
from pipeline.core.schemacache import SchemaBudget, SchemaCache
from pipeline.core.treatments.operators import Operator
from pipeline.core.treatments.placeholder import UnavailableValues

Field = dict[str, Any]
_MAX_PLANS = 256
_PLAN_NAMES_MAX = 16_384  # characters of column names a remembered plan may hold (names are input)
PLAN_BYTES = 16 << 20  # one transform's remembered plans, together (sizes by plan_size)
PLANS_BYTES = 64 << 20  # ... the plans of all the transforms of a processor, together
_PROFILED_NAME = 256  # characters: a profile holds its column's name, and profiles are many
_serials = itertools.count(1)


@dataclass(frozen=True, slots=True)
class StructPlan:
    work: tuple[tuple[str, bool, Operator, Field | None], ...]  # (column, drops, op, field)
    undeclared: tuple[str, ...]
    sensitive: tuple[tuple[str, str], ...]  # (column, treatment label)
    counts: tuple[tuple[str, int], ...]  # (treatment, values treated per struct)
    serial: int  # unique per plan, so combinations of plans can be cached
    observe: tuple[tuple[str, ColumnProfile], ...] = ()  # columns the profiler samples
    detections: tuple[tuple[str, str, str], ...] = ()  # (column, entity, declared|detected|drift)
    missing: tuple[str, ...] = ()  # declared columns the row does not have (dropped upstream)
    checks: tuple[tuple[str, tuple[type, ...], str, re.Pattern[str] | None], ...] = ()  # (column, JSON types
    # allowed, schema type, the shape of its logical type's text)
    guard: tuple[tuple[str, ColumnProfile], ...] = ()  # released / declared-none columns: every value checked
    project: tuple[tuple[str, outschema.Projection], ...] = ()  # released columns cut to their CDR schema
    renames: dict[str, str] | None = None  # key columns whose name is personal data -> its safe form


# The JSON types the JsonConverter writes for each Connect schema type (bool is not an int).
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "int8": (int,),
    "int16": (int,),
    "int32": (int,),
    "int64": (int,),
    "float": (float, int),
    "float32": (float, int),
    "float64": (float, int),
    "double": (float, int),
    "boolean": (bool,),
    "string": (str,),
    "bytes": (str,),
    "array": (list,),
    "map": (dict, list),
    "struct": (dict,),
}
_JSON_NAMES = {int: "number", float: "number", bool: "boolean", str: "string", list: "array", dict: "object"}


def plan_size(columns: tuple[str, ...]) -> int:
    """An upper bound of the bytes a plan of these columns keeps, with its record
    summary's share: its key holds the names (at most 4 bytes a character), and each
    column takes a handful of small tuples in its fields. With the summary's own bound
    (``processor._summary_size``), 1.3 to 2.0 times what tracemalloc measured kept per
    record for rows of 5 to 200 columns, names of 10 to 100 characters."""
    return 1024 + 500 * len(columns) + 4 * sum(map(len, columns))


class StructTransform:
    """Treats one struct (a row's before/after, a record key) of one table."""

    def __init__(
        self,
        policy: TablePolicy,
        fields: list[Field] | None,
        unavailable: UnavailableValues,
        *,
        key_mode: bool = False,
        what: str = "row",
        plans: SchemaBudget | None = None,  # the plan bytes it shares with the processor's other transforms
    ) -> None:
        self.policy = policy
        self.fields = fields
        self.by_name = {f["field"]: f for f in fields} if fields is not None else None
        self.unavailable = unavailable
        self.key_mode = key_mode
        self.what = what
        # Plans are keyed by the row's column names in their order, which is input: each
        # order of the same columns is a plan (the cdr.pii header lists them in it), so
        # they are bounded by bytes, here and across the processor, not only by count.
        self._plans: SchemaCache[tuple[str, ...], StructPlan] = SchemaCache(_MAX_PLANS, PLAN_BYTES, budget=plans)
        self.profiler = policy.profiler
        self._generation_cell = self.profiler.generation(policy.table) if self.profiler is not None else None
        self._generation = self._generation_cell.value if self._generation_cell is not None else 0
        # checks what a schema carries besides types (defaults, enum symbols, names)
        scanner = self.profiler.scanner if self.profiler is not None else policy.settings.scanner
        self.clean = outschema.hiding(outschema.cleaner(scanner), policy.hidden)
        self._projections: dict[str, outschema.Projection | None] = {}  # by column: at most the schema's fields

    def forget(self) -> None:
        """Drop the plans (their bytes leave the budget they share with other transforms)."""
        self._plans.clear()

    def _shown(self, column: str) -> str:
        """The column's name as error messages may show it (pipeline.core.safenames)."""
        return safe_name(column, self.policy.settings.hash_key, self.policy.decl.columns)

    def _renamed(self, column: str) -> str:
        """A key column's name in its safe form as a field may be named in JSON and Avro
        alike (``col_<hex>``: Avro names hold no '~')."""
        return self._shown(column).replace("~", "_")

    def _op(self, rule: ColumnRule) -> Operator:
        return rule.key_operator if self.key_mode else rule.operator

    def _rule(self, column: str) -> tuple[ColumnRule, ColumnProfile | None]:
        """The rule in force for a column, after the profiler's verdict if it has one."""
        rule = self.policy.rule(column)
        if not rule.observe or self.profiler is None or len(column) > _PROFILED_NAME:
            return rule, None  # a longer name is no database's: not profiled, its policy holds
        field = self.by_name.get(column) if self.by_name is not None else None
        prof = self.profiler.profile(self.policy.table, column, field)
        return self.policy.effective(rule, prof.verdict), prof

    def _label(self, rule: ColumnRule, op: Operator) -> str:
        return op.kind if self.key_mode and op is not rule.operator else rule.treatment.label

    def plan_for(self, row: dict[str, Any]) -> StructPlan:
        if self._generation_cell is not None:
            generation = self._generation_cell.value
            if generation != self._generation:  # a verdict changed: rules may have too
                self._plans.clear()
                self._generation = generation
        columns = tuple(row)
        plan = self._plans.get(columns)
        if plan is None:
            plan = self._compile(columns)
            if sum(map(len, columns)) <= _PLAN_NAMES_MAX:  # else worked out per row: not kept past it
                self._plans.put(columns, plan, plan_size(columns))
        return plan

    def _compile(self, columns: tuple[str, ...]) -> StructPlan:
        if self.by_name is not None:
            for col in columns:
                if col not in self.by_name:
                    raise DecodeError(
                        DeadLetterReason.SCHEMA_MISMATCH,
                        f"{self.what} column {self._shown(col)!r} is not in its schema",
                    )
        work = []
        undeclared = []
        sensitive = []
        observe = []
        guard = []
        project = []
        renames: dict[str, str] = {}
        detections = []
        counts: dict[str, int] = {}
        for col in columns:
            rule, prof = self._rule(col)
            if self.key_mode and rule.name_unsafe:
                # a key cannot drop a column (its records would merge): hashed, under a
                # name that is not the personal data its own name is
                renames[col] = self._renamed(col)
            if rule.source == OVER_CAP:
                # past the columns the table tracks: dropped unjudged, counted without its
                # name (no safe form worked out for it, no label: names are input)
                if self.policy.blocks_undeclared:
                    undeclared.append(col)
                field = self.by_name.get(col) if self.by_name is not None else None
                op = self._op(rule)
                work.append((col, op.kind == "drop", op, field))
                counts[OVER_CAP] = counts.get(OVER_CAP, 0) + 1
                continue
            if prof is not None and not self.key_mode:
                observe.append((col, prof))
            if not rule.declared:
                undeclared.append(col)
            op = self._op(rule)
            if prof is not None and op.kind in ("pass", "tag") and rule.pii in GUARDED:
                guard.append((col, prof))  # out unchanged: every value is checked on its way
            if rule.sensitive:
                sensitive.append((col, self._label(rule, op)))
                if rule.pii not in (UNDECLARED, "none"):
                    detections.append((col, rule.pii, "declared" if rule.source == "declared" else rule.source))
            if op.kind in ("pass", "tag"):
                cut = self._projection(col)
                if cut is not None:
                    project.append((col, cut))
                continue
            field = self.by_name.get(col) if self.by_name is not None else None
            work.append((col, op.kind == "drop", op, field))
            counts[op.kind] = counts.get(op.kind, 0) + 1
        if undeclared and self.policy.blocks_undeclared:
            raise PolicyError(
                DeadLetterReason.UNDECLARED_COLUMN_BLOCKED,
                f"table {self.policy.decl.table}: undeclared column {self._shown(undeclared[0])!r} "
                "(declaration says undeclared: block)",
            )
        return StructPlan(
            tuple(work),
            tuple(undeclared),
            tuple(sensitive),
            tuple(sorted(counts.items())),
            next(_serials),
            tuple(observe),
            tuple(detections),
            self._missing(columns),
            self._checks(columns),
            tuple(guard),
            tuple(project),
            renames or None,
        )

    def _projection(self, column: str) -> outschema.Projection | None:
        """What of a released column's values its CDR schema keeps (None: all): a nested
        field whose name holds personal data leaves the schema (:meth:`out_fields`), and
        so the values."""
        if self.by_name is None:
            return None
        if column not in self._projections:
            self._projections[column] = outschema.projection(self.by_name[column], self.clean)
        return self._projections[column]

    def _missing(self, columns: tuple[str, ...]) -> tuple[str, ...]:
        """Declared columns the table no longer has: by its schema when the record carries
        one (a before image holding only the key is not a dropped column), else by the row."""
        if self.key_mode:
            return ()
        present = self.by_name if self.by_name is not None else columns
        return tuple(c for c in self.policy.decl.columns if c not in present)

    def _checks(
        self, columns: tuple[str, ...]
    ) -> tuple[tuple[str, tuple[type, ...], str, re.Pattern[str] | None], ...]:
        if self.by_name is None:
            return ()
        out = []
        for col in columns:
            field = self.by_name[col]
            kind = field.get("type")
            allowed = _JSON_TYPES.get(kind) if isinstance(kind, str) else None
            if allowed is not None:
                logical = field.get("name")
                shape = guard.LOGICAL_SHAPES.get(logical) if kind == "string" and isinstance(logical, str) else None
                out.append((col, allowed, str(kind), shape))
        return tuple(out)

    def _check(self, row: dict[str, Any], plan: StructPlan) -> None:
        """Each value has the JSON type its schema field says, and a Debezium logical
        string type's text its shape (a UUID, an ISO timestamp): a record whose payload
        contradicts its schema is malformed (consumers of the CDR schema would break, and
        a 'timestamp' holding a card number would pass as a timestamp)."""
        is_placeholder = self.unavailable.is_placeholder
        for col, allowed, kind, shape in plan.checks:
            value = row[col]
            if value is None:
                continue
            if type(value) not in allowed:
                if is_placeholder(value):
                    continue
                found = _JSON_NAMES.get(type(value), type(value).__name__)
                raise DecodeError(
                    DeadLetterReason.TYPE_MISMATCH,
                    f"{self.what} column {self._shown(col)!r} holds a JSON {found}; its schema says {kind}",
                )
            if shape is not None and shape.match(value) is None and not is_placeholder(value):
                raise DecodeError(
                    DeadLetterReason.TYPE_MISMATCH,
                    f"{self.what} column {self._shown(col)!r} holds text not shaped as its logical type",
                )

    def apply(self, row: dict[str, Any]) -> tuple[dict[str, Any], StructPlan]:
        plan = self.plan_for(row)
        if plan.checks:
            self._check(row, plan)
        if plan.guard:  # before sampling: a value is judged against what released the column
            profiler = self.profiler
            assert profiler is not None
            check, scanner = guard.check, profiler.scanner
            for col, prof in plan.guard:
                value = row[col]
                reason = check(prof, value, scanner)
                if reason is not None and not self.unavailable.is_placeholder(value):
                    # a hit withholds the column and bumps the table's generation: the
                    # record is treated again under the new rules before it goes out
                    profiler.withhold(prof, reason)
        if plan.observe and self.profiler is not None and self.profiler.sampling:
            profiler = self.profiler
            assert profiler is not None
            for col, prof in plan.observe:
                value = row[col]
                if value is not None:
                    prof.seen += 1
                    if prof.seen >= prof.next_sample and not self.unavailable.is_placeholder(value):
                        profiler.take(prof, value)
        if not plan.work and not plan.project and plan.renames is None:
            return row, plan
        out = dict(row)
        is_placeholder = self.unavailable.is_placeholder
        for col, drops, op, field in plan.work:
            if drops:
                del out[col]
                continue
            value = out[col]
            if value is None:
                continue
            if is_placeholder(value):
                # Unknown value (unchanged TOAST column): never turn it into a fake one.
                if op.produces_text:
                    out[col] = self.unavailable.text
                continue
            out[col] = op.apply(value, field)
        for col, cut in plan.project:
            out[col] = outschema.project(out[col], cut)
        if plan.renames is not None:
            renames = plan.renames
            out = {renames.get(k, k): v for k, v in out.items()}
        return out, plan

    def out_fields(self) -> list[Field]:
        """The struct's fields as the CDR schema has them: the operator's type, and only
        what is structural of the rest (:mod:`pipeline.core.outschema`); a default and
        enum symbols only where the values go out as they are, and on a treated required
        field the default as the treatment writes it (:meth:`Operator.treated_default`)."""
        assert self.fields is not None
        out: list[Field] = []
        for field in self.fields:
            rule, _ = self._rule(field["field"])
            op = self._op(rule)
            new = op.out_field(field)
            if new is None:
                continue
            released = op.kind in ("pass", "tag")
            new = outschema.structural(new, self.clean, released=released, treated_default=not released)
            if self.key_mode and rule.name_unsafe:
                new["field"] = self._renamed(field["field"])  # as the payload has it (apply)
            if rule.sensitive:
                params = dict(new.get("parameters") or {})
                params["cdr.pii"] = rule.pii if rule.pii != UNDECLARED else "undeclared"
                params["cdr.treatment"] = self._label(rule, op)
                if rule.source in ("detected", "drift", "pending"):
                    params["cdr.detected"] = rule.source
                new["parameters"] = params
            out.append(new)
        return out

    def out_struct(self, struct: Field) -> Field:
        return outschema.struct(struct, self.out_fields(), self.clean)
