"""The teams' declaration files, parsed: one :class:`Declaration` per source table."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from pipeline.core.treatments.spec import TreatmentSpec

UNDECLARED_POLICIES = ("detect", "mask", "drop", "pass", "block")
FORMATS = ("auto", "envelope", "flattened")
COMPATIBILITY_MODES = ("BACKWARD", "FORWARD", "FULL", "NONE")  # cdr check (pipeline.contracts)


@dataclass(frozen=True, slots=True)
class Override:
    """A recorded exception to one dangerous-treatment rule (:mod:`pipeline.declarations.rules`)."""

    rule: str
    reason: str
    approved_by: str
    line: int


@dataclass(frozen=True, slots=True)
class Approval:
    """A recorded approval of a change that weakens protection (``cdr check``): it names the
    rule it covers and, optionally, the column, so it cannot silently cover another change."""

    rule: str
    column: str | None
    reason: str
    approved_by: str
    line: int


@dataclass(frozen=True, slots=True)
class PathDeclaration:
    """A leaf of a JSON column (``contact.email``, ``addresses[].street``)."""

    path: str
    pii: str
    treatment: TreatmentSpec | None
    line: int
    override: Override | None = None


@dataclass(frozen=True, slots=True)
class ColumnDeclaration:
    name: str
    pii: str  # none | free_text | ENTITY
    treatment: TreatmentSpec | None  # None: the entity's default from the config
    line: int
    paths: MappingProxyType[str, PathDeclaration] = field(default_factory=lambda: MappingProxyType({}))
    override: Override | None = None


@dataclass(frozen=True, slots=True)
class Declaration:
    table: str
    source_topic: str
    cdr_topic: str
    owner: str
    undeclared: str
    format: str
    columns: MappingProxyType[str, ColumnDeclaration]
    path: str
    fingerprint: str = field(default="")  # hash of the policy in force (cdr.policy header)
    # Fields the connector adds to flattened rows (ExtractNewRecordState add.fields,
    # __deleted), declared as such: they pass. Undeclared, a column named like them is
    # treated like any other column.
    connector_fields: frozenset[str] = field(default=frozenset())
    # Data contracts (cdr check): the record key's columns, the compatibility mode of the
    # CDR schema, approvals of weakened protection, and the line of each top-level key.
    key: tuple[str, ...] = ()
    compatibility: str = "BACKWARD"
    approvals: tuple[Approval, ...] = ()
    lines: MappingProxyType[str, int] = field(default_factory=lambda: MappingProxyType({}))
    description: str = ""  # for the catalog (cdr docs)
    # Versioned topics: the cdr_topic this one replaces and the day it stops (YYYY-MM-DD).
    replaces: str | None = None
    sunset: str | None = None

    @property
    def table_name(self) -> str:
        return self.table.split(".", 1)[1]


@dataclass(frozen=True)
class DeclarationSet:
    """All declarations, indexed by source topic."""

    by_topic: MappingProxyType[str, Declaration]
    # Older versions still published until their sunset: source topic -> declarations
    # (the cdr_topic a current declaration ``replaces``), each under its own rules.
    retiring: MappingProxyType[str, tuple[Declaration, ...]] = field(default_factory=lambda: MappingProxyType({}))

    def __len__(self) -> int:
        return len(self.by_topic)

    def for_topic(self, topic: str) -> Declaration | None:
        return self.by_topic.get(topic)

    @property
    def source_topics(self) -> list[str]:
        return sorted(self.by_topic)

    @functools.cached_property
    def tables(self) -> frozenset[str]:
        """The tables declared (current and older versions)."""
        retiring = (d.table for decls in self.retiring.values() for d in decls)
        return frozenset((*(d.table for d in self.by_topic.values()), *retiring))

    def default_table(self, topic: str) -> str:
        """The table a topic nobody declared stands for under the default declaration
        (:func:`default_table`), never a declared table: it would share that table's
        column profiles, and whoever writes to the topic could sample a declared
        table's columns towards release. Then it is named by its whole topic, with a
        space no declared name can hold."""
        name = default_table(topic)
        return name if name not in self.tables else f"{topic} (undeclared)"

    def table_of(self, topic: str, default: bool, shown: Callable[[str], str] | None = None) -> str:
        """The table a topic's records are read as: its declaration's, else (``default``:
        topics nobody declared are read under the default declaration) the table that
        makes for it, else the topic itself (its records are skipped). ``shown``: the
        topic's safe form (``SafeNames.topic``), which the default table is named after
        (``Processor.table_for``): a topic named after a person and one named as its safe
        form are one table, and must be grouped as one."""
        decl = self.by_topic.get(topic)
        if decl is not None:
            return decl.table
        if not default:
            return topic
        return self.default_table(shown(topic) if shown is not None else topic)


def _override_data(column: Override | None, paths: Mapping[str, Override | None]) -> list[Any]:
    """Overrides in force, for the fingerprint (nothing when there are none, so a policy
    without overrides keeps its fingerprint)."""
    recorded = {p: [o.rule, o.approved_by] for p, o in sorted(paths.items()) if o is not None}
    if column is None and not recorded:
        return []
    return [{"override": [column.rule, column.approved_by] if column else None, "paths": recorded}]


def fingerprint(decl: Declaration, effective: Mapping[str, TreatmentSpec], extra: str = "") -> str:
    """Hash of the policy in force for a table: what the ``cdr.policy`` header carries."""
    canonical = {
        "table": decl.table,
        "source_topic": decl.source_topic,
        "cdr_topic": decl.cdr_topic,
        "undeclared": decl.undeclared,
        "format": decl.format,
        "connector_fields": sorted(decl.connector_fields),
        "columns": {
            n: [
                c.pii,
                effective[n].as_data(),
                {p: [d.pii, d.treatment.as_data() if d.treatment else None] for p, d in sorted(c.paths.items())},
                *_override_data(c.override, {p: d.override for p, d in c.paths.items()}),
            ]
            for n, c in sorted(decl.columns.items())
        },
        "extra": extra,
    }
    blob = json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def default_table(topic: str) -> str:
    """The table a topic nobody declared stands for under the default declaration: its
    last two dotted parts (``<prefix>.<schema>.<table>`` -> ``<schema>.<table>``)."""
    return ".".join(topic.split(".")[-2:]) if topic.count(".") >= 1 else f"default.{topic}"


def in_force(declarations: DeclarationSet, today: date) -> DeclarationSet:
    """``declarations`` without the older versions whose sunset has come."""
    kept = {
        topic: tuple(d for d in decls if d.sunset is None or date.fromisoformat(d.sunset) > today)
        for topic, decls in declarations.retiring.items()
    }
    return DeclarationSet(declarations.by_topic, MappingProxyType({t: d for t, d in kept.items() if d}))
