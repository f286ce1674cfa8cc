"""Policy: the treatment of every column of a table, from its declaration, the config's
defaults and the table's ``undeclared`` policy. Fail closed: a column nobody declared is
masked, dropped or blocked unless the declaration explicitly says ``undeclared: pass``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.declarations.loader import fingerprint
from pipeline.declarations.model import Declaration
from pipeline.treatments.hashing import HashKey
from pipeline.treatments.operators import Hash, Operator, SpanRedactor, build_operator
from pipeline.treatments.spec import PASS, TreatmentSpec

UNDECLARED = "undeclared"
KEEP_IN_KEY = frozenset({"pass", "tag"})

# Fields Debezium's ExtractNewRecordState adds to flattened rows (add.fields, delete
# handling): event metadata, not table columns. Anything else undeclared is masked.
SMT_METADATA = frozenset(
    {
        "__op",
        "__table",
        "__db",
        "__schema",
        "__lsn",
        "__ts_ms",
        "__txId",
        "__name",
        "__connector",
        "__deleted",
    }
)


def is_smt_metadata(column: str) -> bool:
    return column in SMT_METADATA or column.startswith("__source_")


@dataclass(frozen=True, slots=True)
class ColumnRule:
    column: str
    pii: str  # entity | none | free_text | undeclared
    treatment: TreatmentSpec
    declared: bool
    operator: Operator
    key_operator: Operator  # keys stay distinct: anything but pass/tag becomes a hash

    @property
    def sensitive(self) -> bool:
        """Listed in the cdr.pii header: declared PII (tagged too) and masked undeclared."""
        return self.treatment.kind != "pass" or self.pii not in ("none", UNDECLARED)

    @property
    def drops(self) -> bool:
        return self.treatment.kind == "drop"


@dataclass(frozen=True)
class PolicySettings:
    treatment_defaults: Mapping[str, TreatmentSpec]
    undeclared_mask: TreatmentSpec
    hash_key: HashKey
    redactor: SpanRedactor | None = None


class TablePolicy:
    def __init__(self, decl: Declaration, settings: PolicySettings) -> None:
        self.decl = decl
        self.settings = settings
        self._rules: dict[str, ColumnRule] = {}
        self._ops: dict[TreatmentSpec, Operator] = {}
        self._key_hash = Hash(settings.hash_key)
        effective = {name: self._declared_spec(name) for name in decl.columns}
        self.fingerprint = fingerprint(
            decl, effective, f"{self.undeclared_spec().as_data()}|{settings.hash_key.key_id}"
        )
        for name in decl.columns:
            self.rule(name)  # build every declared operator now: errors surface at start-up

    @property
    def blocks_undeclared(self) -> bool:
        return self.decl.undeclared == "block"

    def undeclared_spec(self) -> TreatmentSpec:
        policy = self.decl.undeclared
        if policy in ("detect", "mask"):
            # Until the detector clears a column, `detect` masks it like `mask` does.
            return self.settings.undeclared_mask
        if policy == "drop":
            return TreatmentSpec("drop")
        return PASS  # pass, and block (the record is dead-lettered before it matters)

    def _declared_spec(self, column: str) -> TreatmentSpec:
        col = self.decl.columns[column]
        return col.treatment or self.settings.treatment_defaults[col.pii]

    def rule(self, column: str) -> ColumnRule:
        rule = self._rules.get(column)
        if rule is not None:
            return rule
        col = self.decl.columns.get(column)
        if col is not None:
            spec, pii, declared = self._declared_spec(column), col.pii, True
        elif is_smt_metadata(column):
            spec, pii, declared = PASS, "none", True
        else:
            spec, pii, declared = self.undeclared_spec(), UNDECLARED, False
        op = self._operator(spec)
        key_op = op if spec.kind in KEEP_IN_KEY else self._key_hash
        rule = ColumnRule(column, pii, spec, declared, op, key_op)
        if len(self._rules) < 10_000:  # bounded: column names come from schemas
            self._rules[column] = rule
        return rule

    def _operator(self, spec: TreatmentSpec) -> Operator:
        op = self._ops.get(spec)
        if op is None:
            op = build_operator(spec, self.settings.hash_key, self.settings.redactor)
            self._ops[spec] = op
        return op
