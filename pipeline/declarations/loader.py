"""Load and check every declaration file under a directory.

Every problem is reported as ``file:line: what is wrong`` and all of them are collected
before failing, so a team sees the whole list at once (``cdr validate``), and the
service refuses to start on any of them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema

from pipeline.core.declaration import (
    Approval,
    ColumnDeclaration,
    Declaration,
    DeclarationSet,
    Override,
    PathDeclaration,
)
from pipeline.core.entities import FREE_TEXT, NONE
from pipeline.core.safenames import shown_path
from pipeline.core.treatments.spec import TreatmentSpec, parse_treatment
from pipeline.declarations.rules import RULES, treatment_violation
from pipeline.errors import InvalidFilesError, SourceFileError
from pipeline.yamlfile import LocatedDocument, describe_violation, load_located

SCHEMA_FILE = Path(__file__).with_name("declaration.schema.json")
SUFFIXES = (".yaml", ".yml", ".json")


@cache
def declaration_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def declaration_files(root: str | Path) -> list[Path]:
    base = Path(root)
    if base.is_file():
        return [base]
    return sorted(
        p for p in base.rglob("*") if p.is_file() and p.suffix in SUFFIXES and not p.name.endswith(".schema.json")
    )


def load_declarations(
    root: str | Path,
    entities: Iterable[str],
    treatment_defaults: Mapping[str, TreatmentSpec],
) -> DeclarationSet:
    """Load every declaration under ``root``; raise :class:`InvalidFilesError` listing
    every problem found."""
    base = Path(root)
    if not base.exists():
        raise InvalidFilesError([SourceFileError(base, 1, "declarations directory does not exist")])
    known = frozenset(entities) | {NONE, FREE_TEXT}
    errors: list[SourceFileError] = []
    loaded: list[tuple[Declaration, LocatedDocument]] = []
    for path in declaration_files(base):
        try:
            doc = load_located(path)
        except SourceFileError as exc:
            errors.append(exc)
            continue
        decl, problems = _parse(doc, known, treatment_defaults)
        errors.extend(problems)
        if decl is not None and not problems:
            loaded.append((decl, doc))
    retired = _replaced(loaded, errors)
    current = [(d, doc) for d, doc in loaded if id(d) not in retired]
    errors.extend(_cross_file_problems(current))
    if errors:
        raise InvalidFilesError(sorted(errors, key=lambda e: (e.file, e.line)))
    retiring: dict[str, tuple[Declaration, ...]] = {}
    for decl, doc in current:
        old = next((d for d, _ in loaded if id(d) in retired and d.cdr_topic == decl.replaces), None)
        if old is not None:
            errors.extend(_rawer_in_older_version(decl, doc, old, treatment_defaults))
            retiring[decl.source_topic] = (dataclasses.replace(old, sunset=decl.sunset),)
    if errors:
        raise InvalidFilesError(sorted(errors, key=lambda e: (e.file, e.line)))
    return DeclarationSet(MappingProxyType({d.source_topic: d for d, _ in current}), MappingProxyType(retiring))


# Treatments that publish the value as it is (tag labels it, nothing more).
_RAW_KINDS = frozenset({"pass", "tag"})


def _rawer_in_older_version(
    decl: Declaration, doc: LocatedDocument, old: Declaration, defaults: Mapping[str, TreatmentSpec]
) -> list[SourceFileError]:
    """A version bump must not leave raw what it declares personal: the older version is
    published until its sunset under its own rules, so a column the new declaration
    treats (its team found it personal) and the older one passes raw (declared ``none``,
    ``tag``, ``pass``, or not listed under ``undeclared: pass``) would keep going out raw
    on the older CDR topic. Refused at start-up, on the new file's column line."""

    def kind(col: ColumnDeclaration) -> str | None:
        spec = col.treatment if col.treatment is not None else defaults.get(col.pii)
        return spec.kind if spec is not None else None

    problems: list[SourceFileError] = []
    for name, col in decl.columns.items():
        if col.pii == NONE or kind(col) in _RAW_KINDS:
            continue
        before = old.columns.get(name)
        if before is None:
            raw = old.undeclared == "pass" or name in old.connector_fields
        else:
            raw = before.pii == NONE or kind(before) in _RAW_KINDS
        if raw:
            problems.append(
                doc.error(
                    ("columns", name),
                    f"column {name!r}: declared {col.pii} here, but {old.cdr_topic!r} ({old.path}), which this "
                    f"replaces, publishes it raw until the sunset; treat it there too",
                )
            )
    return problems


def _replaced(loaded: list[tuple[Declaration, LocatedDocument]], errors: list[SourceFileError]) -> set[int]:
    """The declarations a current one ``replaces`` (same source topic, the named cdr_topic):
    published until the sunset under their own rules, not counted as duplicates."""
    by_cdr = {d.cdr_topic: d for d, _ in loaded}
    out: set[int] = set()
    for decl, doc in loaded:
        if decl.replaces is None:
            continue
        old = by_cdr.get(decl.replaces)
        if old is None:
            continue  # the old version is already gone: nothing more to publish
        if old is decl or old.source_topic != decl.source_topic or old.replaces is not None:
            errors.append(
                doc.error(
                    ("replaces", "cdr_topic"),
                    f"replaces {decl.replaces!r}, declared in {old.path}: it must be another declaration of "
                    f"source_topic {decl.source_topic!r} that replaces nothing itself",
                )
            )
            continue
        out.add(id(old))
    return out


def _parse(
    doc: LocatedDocument, known: frozenset[str], defaults: Mapping[str, TreatmentSpec]
) -> tuple[Declaration | None, list[SourceFileError]]:
    data = doc.data
    if not isinstance(data, dict):
        return None, [doc.error((), "a declaration must be a mapping (table, source_topic, ...)")]
    problems = _schema_problems(doc)
    columns: dict[str, ColumnDeclaration] = {}
    raw_columns = data.get("columns")
    for name, spec in raw_columns.items() if isinstance(raw_columns, dict) else ():
        if not isinstance(spec, dict):
            continue  # already reported by the schema
        path = ("columns", name)
        pii = spec.get("pii")
        if isinstance(pii, str) and pii not in known:
            problems.append(
                doc.error(
                    (*path, "pii"),
                    f"column {name!r}: unknown pii {pii!r}; "
                    f"expected none, free_text or one of {', '.join(sorted(known - {NONE, FREE_TEXT}))}",
                )
            )
            continue
        treatment: TreatmentSpec | None = None
        if "treatment" in spec:
            raw = spec["treatment"]
            try:
                # `treatment: null` reads as YAML null; it means the null treatment.
                treatment = parse_treatment("null" if raw is None else raw)
            except ValueError as exc:
                problems.append(doc.error((*path, "treatment"), f"column {name!r}: {exc}"))
                continue
            if treatment.kind == "redact_detected" and pii not in (FREE_TEXT, None):
                problems.append(
                    doc.error(
                        (*path, "treatment"),
                        f"column {name!r}: redact_detected is for free text; declare pii: free_text",
                    )
                )
        elif isinstance(pii, str) and pii not in defaults:
            problems.append(
                doc.error(
                    (*path, "pii"),
                    f"column {name!r}: no treatment given and no default treatment for {pii} in the config",
                )
            )
        paths = _paths(doc, path, spec.get("paths"), known, defaults, problems)
        override = _override(doc, path, spec.get("override"))
        if isinstance(pii, str):
            effective = treatment if treatment is not None else defaults.get(pii)
            problems.extend(_rule_problems(doc, path, f"column {name!r}", pii, effective, treatment, override))
            columns[str(name)] = ColumnDeclaration(str(name), pii, treatment, doc.line_of(path), paths, override)
    raw_replaces = data.get("replaces")
    if isinstance(raw_replaces, dict) and isinstance(raw_replaces.get("sunset"), str):
        try:
            date.fromisoformat(raw_replaces["sunset"])
        except ValueError:
            problems.append(doc.error(("replaces", "sunset"), "replaces.sunset: not a calendar date (YYYY-MM-DD)"))
    raw_key = data.get("key")
    key = tuple(str(k) for k in raw_key if isinstance(k, str)) if isinstance(raw_key, list) else ()
    for i, name in enumerate(key):
        if name not in columns and not (isinstance(raw_columns, dict) and name in raw_columns):
            problems.append(doc.error(("key", i), f"key column {name!r} is not declared under columns"))
    if problems:
        return None, problems
    decl = Declaration(
        table=data["table"],
        source_topic=data["source_topic"],
        cdr_topic=data["cdr_topic"],
        owner=data["owner"],
        undeclared=data.get("undeclared", "detect"),
        format=data.get("format", "auto"),
        columns=MappingProxyType(columns),
        path=doc.file,
        connector_fields=frozenset(data.get("connector_fields") or ()),
        key=key,
        compatibility=data.get("compatibility", "BACKWARD"),
        approvals=_approvals(doc, data.get("approvals")),
        lines=MappingProxyType({str(k): doc.line_of((k,)) for k in data}),
        description=str(data.get("description") or ""),
        replaces=data["replaces"]["cdr_topic"] if isinstance(data.get("replaces"), dict) else None,
        sunset=data["replaces"]["sunset"] if isinstance(data.get("replaces"), dict) else None,
    )
    return decl, []


def _approvals(doc: LocatedDocument, raw: object) -> tuple[Approval, ...]:
    """The file's ``approvals`` (their shape is checked by the schema)."""
    out = []
    for i, item in enumerate(raw if isinstance(raw, list) else ()):
        column = item.get("column")
        out.append(
            Approval(
                str(item["rule"]),
                str(column) if column is not None else None,
                str(item["reason"]).strip(),
                str(item["approved_by"]).strip(),
                doc.line_of(("approvals", i)),
            )
        )
    return tuple(out)


def _paths(
    doc: LocatedDocument,
    column_path: tuple[str, ...],
    raw: object,
    known: frozenset[str],
    defaults: Mapping[str, TreatmentSpec],
    problems: list[SourceFileError],
) -> MappingProxyType[str, PathDeclaration]:
    out: dict[str, PathDeclaration] = {}
    if not isinstance(raw, dict):
        return MappingProxyType(out)
    column = column_path[-1]
    for leaf, spec in raw.items():
        where = (*column_path, "paths", leaf)
        if not isinstance(spec, dict) or not isinstance(spec.get("pii"), str):
            continue  # reported by the schema
        pii = spec["pii"]
        if pii not in known or pii == FREE_TEXT:
            problems.append(doc.error((*where, "pii"), f"column {column!r} path {leaf!r}: unknown pii {pii!r}"))
            continue
        treatment = None
        if "treatment" in spec:
            try:
                treatment = parse_treatment("null" if spec["treatment"] is None else spec["treatment"])
            except ValueError as exc:
                problems.append(doc.error((*where, "treatment"), f"column {column!r} path {leaf!r}: {exc}"))
                continue
            if treatment.kind == "redact_detected":
                problems.append(
                    doc.error(
                        (*where, "treatment"),
                        f"column {column!r} path {leaf!r}: redact_detected applies to whole columns",
                    )
                )
                continue
        elif pii not in defaults:
            problems.append(
                doc.error((*where, "pii"), f"column {column!r} path {leaf!r}: no default treatment for {pii}")
            )
            continue
        override = _override(doc, where, spec.get("override"))
        effective = treatment if treatment is not None else defaults.get(pii)
        problems.extend(
            _rule_problems(doc, where, f"column {column!r} path {leaf!r}", pii, effective, treatment, override)
        )
        out[str(leaf)] = PathDeclaration(str(leaf), pii, treatment, doc.line_of(where), override)
    return MappingProxyType(out)


def _override(doc: LocatedDocument, where: tuple[str, ...], raw: object) -> Override | None:
    """The column's (or path's) ``override``; its shape is checked by the schema."""
    if not isinstance(raw, dict):
        return None
    fields = [raw.get(k) for k in ("rule", "reason", "approved_by")]
    if not all(isinstance(f, str) and f.strip() for f in fields):
        return None  # reported by the schema
    rule, reason, approved_by = (str(f) for f in fields)
    return Override(rule, reason.strip(), approved_by.strip(), doc.line_of((*where, "override")))


def _rule_problems(
    doc: LocatedDocument,
    where: tuple[str, ...],
    subject: str,
    pii: str,
    effective: TreatmentSpec | None,
    declared: TreatmentSpec | None,
    override: Override | None,
) -> list[SourceFileError]:
    """Dangerous treatments (:mod:`pipeline.declarations.rules`) need an override naming
    the rule; an override covering nothing is stale and refused too."""
    violation = treatment_violation(pii, effective) if effective is not None else None
    at = (*where, "treatment") if declared is not None else (*where, "pii")
    if violation is None:
        if override is None:
            return []
        return [
            doc.error(
                (*where, "override"),
                f"{subject}: override for rule {override.rule} but the treatment breaks no rule; remove it",
            )
        ]
    source = "" if declared is not None else " (the config's default treatment)"
    if override is None:
        return [
            doc.error(
                at,
                f"{subject}: rule {violation.rule}: {violation.message}{source}; "
                f"choose a safer treatment, or record override: {{rule: {violation.rule}, reason: ..., "
                "approved_by: ...}",
            )
        ]
    if override.rule != violation.rule:
        return [
            doc.error(
                (*where, "override"),
                f"{subject}: override is for rule {override.rule} but the treatment breaks rule {violation.rule}",
            )
        ]
    return []


def _schema_problems(doc: LocatedDocument) -> list[SourceFileError]:
    validator = jsonschema.Draft202012Validator(declaration_schema())
    out: list[SourceFileError] = []
    for err in validator.iter_errors(doc.data):
        path = tuple(err.absolute_path)
        if "treatment" in path:
            continue  # parse_treatment explains these better
        if "override" in path:
            at = path[: path.index("override") + 1]
            out.append(
                doc.error(
                    at,
                    f"{shown_path(at)}: an override needs rule (one of {', '.join(RULES)}), "
                    "reason (at least 10 characters) and approved_by, and nothing else but ticket",
                )
            )
            continue
        where = shown_path(path)  # a key is a column's name, which may be personal data
        if err.validator == "additionalProperties":
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            for key in extra:
                scope = f" in {where}" if where else ""
                out.append(doc.error((*path, key), f"unknown key {key!r}{scope}"))
            continue
        if err.validator == "pattern" and path and path[-1] in ("table",):
            out.append(doc.error(path, "table must be <schema>.<table>"))
            continue
        out.append(doc.error(path, f"{where + ': ' if where else ''}{describe_violation(err)}"))
    return out


def _cross_file_problems(loaded: list[tuple[Declaration, LocatedDocument]]) -> list[SourceFileError]:
    problems: list[SourceFileError] = []
    for key in ("source_topic", "cdr_topic"):
        first: dict[str, Declaration] = {}
        for decl, doc in loaded:
            value = getattr(decl, key)
            if value in first:
                problems.append(doc.error((key,), f"{key} {value!r} is already declared in {first[value].path}"))
            first.setdefault(value, decl)
    for decl, doc in loaded:
        if decl.cdr_topic == decl.source_topic:
            problems.append(doc.error(("cdr_topic",), "cdr_topic must differ from source_topic"))
    return problems
