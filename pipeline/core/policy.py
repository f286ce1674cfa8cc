"""Policy: the treatment of every column of a table, from its declaration, the config's
defaults, the table's ``undeclared`` policy and, with detection on, the column
profiler's verdicts. Fail closed: a column nobody declared is withheld until the
detector clears it (``detect``), masked, dropped or blocked, unless the declaration
explicitly says ``undeclared: pass``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.core.declaration import Declaration, fingerprint
from pipeline.core.entities import FREE_TEXT, NONE
from pipeline.core.safenames import looks_personal
from pipeline.core.scanning import ValueScanner
from pipeline.core.treatments.hashing import HashKey
from pipeline.core.treatments.operators import Hash, JsonPaths, Operator, build_operator
from pipeline.core.treatments.spec import PASS, WITHHOLD, TreatmentSpec

if TYPE_CHECKING:
    from detectors.profiler import Profiler, Verdict

UNDECLARED = "undeclared"
QUASI_IDENTIFIER = "QUASI_IDENTIFIER"
GUARDED = frozenset({NONE, QUASI_IDENTIFIER})  # rules whose values go out as they are: guarded
KEEP_IN_KEY = frozenset({"pass", "tag"})
TAG = TreatmentSpec("tag")
DROP = TreatmentSpec("drop")
WITHHELD_SPEC = TreatmentSpec(WITHHOLD)
DRIFT_BY_VOTES = 0.8  # NER-voted drift in a column declared none needs this confidence
REDACT_DETECTED = TreatmentSpec("redact_detected")
OVER_CAP = "over_cap"  # a rule's source, and the treatment label its values are counted under

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ColumnRule:
    column: str
    pii: str  # entity | none | free_text | undeclared
    treatment: TreatmentSpec
    declared: bool
    operator: Operator
    key_operator: Operator  # keys stay distinct: anything but pass/tag becomes a hash
    source: str = "declared"  # declared | detected | drift | pending | policy
    observe: bool = False  # the profiler samples this column's values
    name_unsafe: bool = False  # its name is personal data, or was not judged (past the cap): never shown

    @property
    def sensitive(self) -> bool:
        """Listed in the cdr.pii header: declared PII (tagged too) and masked undeclared."""
        return self.treatment.kind != "pass" or self.pii not in (NONE, UNDECLARED) or self.operator.kind == "json_paths"


@dataclass(frozen=True)
class PolicySettings:
    treatment_defaults: Mapping[str, TreatmentSpec]
    undeclared_mask: TreatmentSpec
    hash_key: HashKey
    scanner: ValueScanner | None = None
    profiler: Profiler | None = None
    drift: str = "enforce"  # enforce | report
    quasi_identifiers: TreatmentSpec = TAG  # undeclared city/postcode/gender... (config switch)


# Columns a table tracks: each has a rule remembered here (and, with detection, a profile and
# verdicts). A schemaless producer, a flattened JSON column or an attacker can bring fresh
# column names with every record; past this many, a column the table does not track yet is
# dropped, name and value, without being judged (fail closed: never released, its name
# never published nor judged at a cost per record), and counted under the treatment label
# ``over_cap`` (``cdr_fields_transformed_total``). MySQL allows 4,096 columns a table.
MAX_COLUMNS = 4_096
_REMEMBERED_RULES = MAX_COLUMNS  # rules remembered per table, each way (column names come from schemas and rows)
_REMEMBERED_NAME = 256  # characters: a longer column name's rule is worked out per row, never kept


class TablePolicy:
    def __init__(self, decl: Declaration, settings: PolicySettings, hidden: tuple[str, ...] = ()) -> None:
        self.decl = decl
        self.settings = settings
        # texts the table's CDR schemas must not hold (outschema.topic_texts of a topic
        # nobody declared that is shown in its safe form)
        self.hidden = hidden
        self.profiler = settings.profiler
        self._rules: dict[str, ColumnRule] = {}
        self._effective: dict[tuple[str, str, str | None], ColumnRule] = {}
        self._ops: dict[TreatmentSpec, Operator] = {}
        self._key_hash = Hash(settings.hash_key)
        self.columns_over_cap = 0  # rules handed out for columns past MAX_COLUMNS (not remembered)
        self._over_cap_rule: ColumnRule | None = None
        effective = {name: self._declared_spec(name) for name in decl.columns}
        self.fingerprint = fingerprint(
            decl, effective, f"{self.undeclared_spec().as_data()}|{settings.hash_key.key_id}"
        )
        for name in decl.columns:
            self.rule(name)  # build every declared operator now: errors surface at start-up

    @property
    def table(self) -> str:
        return self.decl.table

    @property
    def blocks_undeclared(self) -> bool:
        return self.decl.undeclared == "block"

    @property
    def detects(self) -> bool:
        return self.profiler is not None

    def undeclared_spec(self) -> TreatmentSpec:
        policy = self.decl.undeclared
        if policy == "detect":
            # Withheld until the profiler clears the column; without detection: masked.
            return TreatmentSpec(WITHHOLD) if self.detects else self.settings.undeclared_mask
        if policy == "mask":
            return self.settings.undeclared_mask
        if policy == "drop":
            return TreatmentSpec("drop")
        return PASS  # pass, and block (the record is dead-lettered before it matters)

    def _declared_spec(self, column: str) -> TreatmentSpec:
        col = self.decl.columns[column]
        return col.treatment or self.settings.treatment_defaults[col.pii]

    def rule(self, column: str) -> ColumnRule:
        """The rule from the declaration and the undeclared policy alone."""
        rule = self._rules.get(column)
        if rule is not None:
            return rule
        col = self.decl.columns.get(column)
        if col is None and len(self._rules) >= _REMEMBERED_RULES and column not in self.decl.connector_fields:
            return self._over_cap()
        observe = False
        source = "declared"
        unsafe = False
        if col is not None:
            spec, pii, declared = self._declared_spec(column), col.pii, True
            observe = self.detects and col.pii != FREE_TEXT
            op = self._operator(spec, column)
        elif column in self.decl.connector_fields:
            # the connector's metadata passes, guarded like a column declared none
            spec, pii, declared = PASS, NONE, True
            observe = self.detects
            op = self._operator(spec)
        elif looks_personal(column):
            # The name itself is personal data (a pivoted e-mail, a person's name): the
            # field would publish it as a field name. Dropped, value and name alike.
            spec, pii, declared = DROP, UNDECLARED, False
            op = self._operator(spec)
            source = "policy"
            unsafe = True
        elif self.decl.undeclared == "pass":
            # The team passes what it did not list: as if declared none, so guarded like
            # such a column (a renamed e-mail column is drift, treated), never sampled out.
            spec, pii, declared = PASS, NONE, False
            observe = self.detects
            op = self._operator(spec)
            source = "policy"
        else:
            spec, pii, declared = self.undeclared_spec(), UNDECLARED, False
            observe = self.detects and self.decl.undeclared == "detect"
            source = "pending" if observe else "policy"
            op = self._operator(spec)
        key_op = op if spec.kind in KEEP_IN_KEY else self._key_hash
        rule = ColumnRule(column, pii, spec, declared, op, key_op, source, observe, unsafe)
        if len(self._rules) < _REMEMBERED_RULES and len(column) <= _REMEMBERED_NAME:
            self._rules[column] = rule
        return rule

    def _over_cap(self) -> ColumnRule:
        """The rule of a column past :data:`MAX_COLUMNS` that the table does not track:
        dropped, name and value, its name not judged (nor logged)."""
        if self.columns_over_cap == 0:
            log.warning(
                "table %s tracks %d columns: columns it has not seen yet are dropped (name and value) "
                "and counted under treatment over_cap",
                self.decl.table,
                _REMEMBERED_RULES,
            )
        self.columns_over_cap += 1
        rule = self._over_cap_rule
        if rule is None:
            op = self._operator(DROP)
            rule = self._over_cap_rule = ColumnRule(
                "", UNDECLARED, DROP, False, op, self._key_hash, OVER_CAP, name_unsafe=True
            )
        return rule

    def effective(self, rule: ColumnRule, verdict: Verdict | None) -> ColumnRule:
        """The rule in force given the profiler's verdict on the column."""
        if verdict is None or not rule.observe:
            return rule
        drift = rule.pii == NONE  # declared none, connector metadata, or passed by `undeclared: pass`
        undeclared = not rule.declared and not drift
        if not (undeclared or (drift and self.settings.drift == "enforce")):
            return rule
        from detectors.profiler import CLEAR, FREE, JSON, PII, QUASI, VOTED_ENTITIES

        if drift and (verdict.named or (verdict.entity in VOTED_ENTITIES and verdict.confidence < DRIFT_BY_VOTES)):
            # The team declared it none: a column name alone is not drift, nor are a few
            # NER votes on merchant or product names; validated values are.
            return rule
        cache_key = (rule.column, verdict.state, verdict.entity)
        hit = self._effective.get(cache_key)
        if hit is not None:
            return hit
        state = verdict.state
        if state == CLEAR:
            # released on positive evidence (undeclared); declared none stays as declared
            new = rule if drift else self._make(rule, PASS, NONE, "detected")
        elif state == QUASI:
            new = rule if drift else self._make(rule, self.settings.quasi_identifiers, QUASI_IDENTIFIER, "detected")
        elif state == PII and verdict.entity is not None:
            spec = self.settings.treatment_defaults.get(verdict.entity, self.settings.undeclared_mask)
            if spec.kind == "generalize":
                # Generalizing needs the column's shape (a date type, a number); a detected
                # column's shape is a guess: withheld instead, type kept, on any type.
                spec = WITHHELD_SPEC
            new = self._make(rule, spec, verdict.entity, "drift" if drift else "detected")
        elif drift and (state == FREE or (state == JSON and verdict.entity is not None)):
            # A column declared none that holds prose, or JSON with personal data in its
            # leaves: scanned and redacted. Undeclared prose and JSON stay withheld: a
            # redaction that relies on detection is the owning team's decision to make.
            new = self._make(rule, REDACT_DETECTED, FREE_TEXT, "drift")
        else:
            new = rule  # pending / withheld: undeclared stays withheld, declared none passes guarded
        if len(self._effective) < _REMEMBERED_RULES and len(rule.column) <= _REMEMBERED_NAME:
            self._effective[cache_key] = new
        return new

    def _make(self, rule: ColumnRule, spec: TreatmentSpec, pii: str, source: str) -> ColumnRule:
        op = self._operator(spec, rule.column if rule.declared else None)  # declared JSON paths still apply
        key_op = op if spec.kind in KEEP_IN_KEY else self._key_hash
        return ColumnRule(rule.column, pii, spec, rule.declared, op, key_op, source, rule.observe, rule.name_unsafe)

    def _operator(self, spec: TreatmentSpec, column: str | None = None) -> Operator:
        col = self.decl.columns.get(column) if column is not None else None
        if col is not None and col.paths:
            defaults = self.settings.treatment_defaults
            paths = {
                path: build_operator(p.treatment or defaults[p.pii], self.settings.hash_key)
                for path, p in col.paths.items()
            }
            if spec.kind in KEEP_IN_KEY:
                return JsonPaths(paths)  # only the declared leaves are treated
            return build_operator(spec, self.settings.hash_key, self.settings.scanner, paths)
        op = self._ops.get(spec)
        if op is None:
            op = build_operator(spec, self.settings.hash_key, self.settings.scanner)
            self._ops[spec] = op
        return op
