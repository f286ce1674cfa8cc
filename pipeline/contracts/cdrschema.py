"""The CDR schema of a topic, computed from its declaration: the contract consumers read.

Each field has the type it has *after* its treatment (hash, mask and redact publish
strings; drop removes the field; null, redact_detected and withheld columns become
optional), the treatment's output format, its PII tag, and whether it is part of the
record key. The source column types are used where they are known (a live database, a
migration, a Debezium record's schema); where they are not, a field that keeps its
source type says so (``type is None``: "as the source column").

Pure: the same rules as :mod:`pipeline.core.treatments.operators` (``out_field``) and
:mod:`pipeline.core.policy` (key columns: anything but pass/tag is hashed in the key), without
building operators or needing a hash key. A unit test holds the two together on real
Debezium records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.core.declaration import Declaration
from pipeline.core.entities import NONE
from pipeline.core.outschema import name_shaped
from pipeline.core.safenames import looks_personal
from pipeline.core.treatments.spec import WITHHOLD, TreatmentSpec

UNDECLARED = "undeclared"
SOURCE_FORMAT = "source"  # the value as the source column has it
TEXT_KINDS = frozenset({"redact", "mask", "hash"})  # always publish a string
OPTIONAL_KINDS = frozenset({"null", "redact_detected", WITHHOLD})  # may publish null where the source did not
KEEP_IN_KEY = frozenset({"pass", "tag"})
HASH = TreatmentSpec("hash")
MASK = TreatmentSpec("mask")  # the config's default undeclared_mask

SourceField = Mapping[str, Any]  # a Connect field: {"field", "type", "optional", "name", ...}


@dataclass(frozen=True, slots=True)
class PathField:
    """A declared leaf of a JSON column: its treatment shapes what consumers parse."""

    path: str
    pii: str
    treatment: str
    format: str
    line: int


@dataclass(frozen=True, slots=True)
class CdrField:
    name: str
    type: str | None  # Connect type after the treatment; None: as the source column (unknown here)
    logical: str | None  # Connect logical name (io.debezium.time.Date, ...) when known
    optional: bool | None  # None: as the source column (unknown here)
    format: str  # "source", or the treatment that shapes the value (hash, mask(keep_last=4), ...)
    pii: str  # entity | none | free_text | undeclared
    treatment: str  # the treatment's label
    declared: bool
    line: int  # the declaration line (0: not in the declaration)
    paths: tuple[PathField, ...] = ()

    def as_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type if self.type is not None else "source",
            "optional": self.optional if self.optional is not None else "source",
            "format": self.format,
            "pii": self.pii,
            "treatment": self.treatment,
        }
        if self.logical:
            out["logical"] = self.logical
        if self.paths:
            out["paths"] = {p.path: {"pii": p.pii, "treatment": p.treatment} for p in self.paths}
        return out


@dataclass(frozen=True, slots=True)
class CdrSchema:
    """One CDR topic's contract: its value fields and its key fields."""

    topic: str
    source_topic: str
    table: str
    owner: str
    compatibility: str
    fields: tuple[CdrField, ...]
    key: tuple[CdrField, ...]
    path: str  # the declaration file

    def field(self, name: str) -> CdrField | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def pii_fields(self) -> dict[str, str]:
        return {f.name: f.pii for f in self.fields if f.pii not in (NONE, UNDECLARED)}

    def as_data(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "source_topic": self.source_topic,
            "table": self.table,
            "owner": self.owner,
            "compatibility": self.compatibility,
            "key": [f.as_data() for f in self.key],
            "fields": [f.as_data() for f in self.fields],
        }


def value_format(spec: TreatmentSpec) -> str:
    """What a consumer parses: the source value, or the treatment's output."""
    return SOURCE_FORMAT if spec.kind in KEEP_IN_KEY else spec.label


def treated_field(
    name: str,
    spec: TreatmentSpec,
    source: SourceField | None,
    *,
    pii: str,
    declared: bool,
    line: int = 0,
    paths: tuple[PathField, ...] = (),
) -> CdrField | None:
    """The CDR field a source column becomes under ``spec``; None when it is removed."""
    if spec.kind == "drop":
        return None
    src_type = source.get("type") if source is not None else None
    src_logical = source.get("name") if source is not None else None
    if not name_shaped(src_logical):
        src_logical = None  # a logical name is a dotted identifier; anything else could be any text
    src_optional = bool(source.get("optional", True)) if source is not None else None
    if spec.kind in TEXT_KINDS:
        # operators._string_field: a plain string, no logical type, optionality kept
        kind, logical, optional = "string", None, src_optional
    else:
        kind, logical = src_type, src_logical
        optional = True if spec.kind in OPTIONAL_KINDS else src_optional
    return CdrField(
        name=name,
        type=kind,
        logical=logical,
        optional=optional,
        format=value_format(spec),
        pii=pii,
        treatment=spec.label,
        declared=declared,
        line=line,
        paths=paths,
    )


def key_field(name: str, spec: TreatmentSpec, pii: str, source: SourceField | None, line: int) -> CdrField:
    """A key column: kept when its treatment keeps the value (pass, tag), else hashed, so
    keys stay distinct and partitioning and compaction still work (drop included)."""
    in_key = spec if spec.kind in KEEP_IN_KEY else HASH
    field = treated_field(name, in_key, source, pii=pii, declared=True, line=line)
    assert field is not None  # hash and pass never remove a field
    return field


def undeclared_spec(decl: Declaration, undeclared_mask: TreatmentSpec) -> TreatmentSpec | None:
    """What an undeclared column becomes (None: ``block``, the record is dead-lettered).
    ``detect`` withholds it (type kept, optional) until the detector clears it."""
    return {
        "detect": TreatmentSpec(WITHHOLD),
        "mask": undeclared_mask,
        "drop": TreatmentSpec("drop"),
        "pass": TreatmentSpec("pass"),
    }.get(decl.undeclared)


def cdr_schema(
    decl: Declaration,
    defaults: Mapping[str, TreatmentSpec],
    source: Mapping[str, SourceField] | None = None,
    source_key: tuple[str, ...] | None = None,
    undeclared_mask: TreatmentSpec = MASK,
) -> CdrSchema:
    """The CDR schema of ``decl``'s topic. ``source`` (column -> Connect field, in table
    order) adds the source types and the columns nobody declared; ``source_key`` (the
    table's primary key) stands in for a declaration that does not name its ``key``."""
    fields: list[CdrField] = []
    specs: dict[str, TreatmentSpec] = {}
    lines: dict[str, int] = {}
    piis: dict[str, str] = {}
    order = list(source) if source is not None else []
    order += [c for c in decl.columns if c not in (source or {})]
    for name in order:
        col = decl.columns.get(name)
        src = source.get(name) if source is not None else None
        if col is not None:
            spec = col.treatment or defaults[col.pii]
            paths = tuple(
                PathField(
                    p.path,
                    p.pii,
                    (p.treatment or defaults[p.pii]).label,
                    value_format(p.treatment or defaults[p.pii]),
                    p.line,
                )
                for p in sorted(col.paths.values(), key=lambda p: p.path)
            )
            field = treated_field(name, spec, src, pii=col.pii, declared=True, line=col.line, paths=paths)
            specs[name], lines[name] = spec, col.line
        elif name in decl.connector_fields:
            spec = TreatmentSpec("pass")
            field = treated_field(name, spec, src, pii=NONE, declared=True)
        else:
            undeclared = TreatmentSpec("drop") if looks_personal(name) else undeclared_spec(decl, undeclared_mask)
            if undeclared is None:
                continue  # block: a record carrying it is dead-lettered
            spec = undeclared
            field = treated_field(name, spec, src, pii=UNDECLARED, declared=False)
        specs.setdefault(name, spec)
        piis[name] = field.pii if field is not None else (col.pii if col is not None else UNDECLARED)
        if field is not None:
            fields.append(field)
    key_names = decl.key or source_key or ()
    key = tuple(
        key_field(
            k,
            specs.get(k, TreatmentSpec("pass")),
            piis.get(k, NONE),
            source.get(k) if source is not None else None,
            lines.get(k, decl.lines.get("key", 0)),
        )
        for k in key_names
    )
    return CdrSchema(
        topic=decl.cdr_topic,
        source_topic=decl.source_topic,
        table=decl.table,
        owner=decl.owner,
        compatibility=decl.compatibility,
        fields=tuple(fields),
        key=key,
        path=decl.path,
    )
