"""A PostgreSQL migration against the declarations, before it runs: which CDR topics
break, which new columns must be declared first.

The DDL is parsed by PostgreSQL's own parser (pglast wraps libpg_query), so quoting,
``ONLY``, ``IF EXISTS``, several commands per ``ALTER TABLE`` and comments read as the
server reads them. :func:`parse_migration` turns statements into :class:`Change` items;
:func:`check_migration` (pure) judges them against the declarations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.contracts.cdrschema import TEXT_KINDS, treated_field
from pipeline.contracts.protection import UNDECLARED_EFFECT
from pipeline.contracts.rules import Finding, Severity, finding
from pipeline.contracts.typefit import describe, misfit
from pipeline.core.declaration import Declaration, DeclarationSet
from pipeline.core.safenames import redact_quoted_values
from pipeline.core.treatments.spec import TreatmentSpec
from pipeline.errors import CdrError
from pipeline.runtime.dbsample import Column, debezium_field

MAX_MIGRATION_BYTES = 16 * 1024 * 1024
DEFAULT_SCHEMA = "public"  # an unqualified table name, under the default search_path


class MigrationError(CdrError):
    """The migration cannot be read or parsed; ``str()`` is ``file:line: what``."""


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # drop_table | rename_table | drop_column | rename_column | alter_type | add_column | add_primary_key
    table: str  # schema.table
    line: int
    column: str | None = None
    new_name: str | None = None
    type: Column | None = None
    not_null: bool = False
    columns: tuple[str, ...] = field(default=())


def read_migration(path: Path) -> list[Change]:
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_MIGRATION_BYTES + 1)
    except OSError as exc:
        raise MigrationError(f"{path}:1: cannot read: {exc.strerror}") from None
    if len(raw) > MAX_MIGRATION_BYTES:
        raise MigrationError(f"{path}:1: larger than {MAX_MIGRATION_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MigrationError(f"{path}:1: not UTF-8 (byte {exc.start})") from None
    return parse_migration(text, str(path))


_SKIP = re.compile(r"(?:\s+|--[^\n]*\n?|/\*.*?\*/)*", re.S)


def _line_at(sql: str, offset: int) -> int:
    """The line of the first token at or after character ``offset`` (pglast's offsets
    are in characters), comments skipped."""
    m = _SKIP.match(sql, offset)
    start = m.end() if m else offset
    return sql.count("\n", 0, start) + 1


def _table(relation: object) -> str:
    schema = getattr(relation, "schemaname", None) or DEFAULT_SCHEMA
    return f"{schema}.{relation.relname}"  # type: ignore[attr-defined]


def _column_type(name: str, type_name: object) -> Column:
    names = [n.sval for n in type_name.names]  # type: ignore[attr-defined]
    typname = names[-1]
    mods = getattr(type_name, "typmods", None) or ()
    scale = None
    if typname == "numeric" and len(mods) == 2:
        scale = int(mods[1].val.ival)
    array = bool(getattr(type_name, "arrayBounds", None))
    return Column(name, typname, "A" if array else "S", scale)


def parse_migration(sql: str, file: str = "<migration>") -> list[Change]:
    from pglast import ast, enums, parse_sql
    from pglast.parser import ParseError

    try:
        statements = parse_sql(sql)
    except ParseError as exc:
        # args: (message, character offset of the error)
        location = exc.args[1] if len(exc.args) > 1 else None
        line = sql.count("\n", 0, location) + 1 if isinstance(location, int) else 1
        # PostgreSQL's message quotes the SQL near the error: a literal there is a value.
        message = redact_quoted_values(str(exc.args[0] if exc.args else exc))
        raise MigrationError(f"{file}:{line}: SQL syntax error: {message}") from None
    at = enums.AlterTableType
    out: list[Change] = []
    for item in statements:
        stmt = item.stmt
        line = _line_at(sql, item.stmt_location or 0)
        if isinstance(stmt, ast.DropStmt) and stmt.removeType == enums.ObjectType.OBJECT_TABLE:
            for obj in stmt.objects:
                parts = [n.sval for n in obj]
                table = ".".join(parts[-2:]) if len(parts) > 1 else f"{DEFAULT_SCHEMA}.{parts[0]}"
                out.append(Change("drop_table", table, line))
        elif isinstance(stmt, ast.RenameStmt) and stmt.relation is not None:
            table = _table(stmt.relation)
            if stmt.renameType == enums.ObjectType.OBJECT_COLUMN:
                out.append(Change("rename_column", table, line, stmt.subname, stmt.newname))
            elif stmt.renameType == enums.ObjectType.OBJECT_TABLE:
                out.append(Change("rename_table", table, line, new_name=stmt.newname))
        elif isinstance(stmt, ast.AlterTableStmt) and stmt.relation is not None:
            table = _table(stmt.relation)
            for cmd in stmt.cmds or ():
                kind = cmd.subtype
                if kind == at.AT_DropColumn:
                    out.append(Change("drop_column", table, line, cmd.name))
                elif kind == at.AT_AlterColumnType and isinstance(cmd.def_, ast.ColumnDef):
                    out.append(
                        Change("alter_type", table, line, cmd.name, type=_column_type(cmd.name, cmd.def_.typeName))
                    )
                elif kind == at.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
                    coldef = cmd.def_
                    constraints = coldef.constraints or ()
                    not_null = bool(coldef.is_not_null) or any(
                        c.contype in (enums.ConstrType.CONSTR_NOTNULL, enums.ConstrType.CONSTR_PRIMARY)
                        for c in constraints
                    )
                    out.append(
                        Change(
                            "add_column",
                            table,
                            line,
                            coldef.colname,
                            type=_column_type(coldef.colname, coldef.typeName),
                            not_null=not_null,
                        )
                    )
                elif (
                    kind == at.AT_AddConstraint
                    and isinstance(cmd.def_, ast.Constraint)
                    and cmd.def_.contype == enums.ConstrType.CONSTR_PRIMARY
                ):
                    keys = tuple(k.sval for k in cmd.def_.keys or ())
                    out.append(Change("add_primary_key", table, line, columns=keys))
    return out


def check_migration(
    changes: list[Change],
    declarations: DeclarationSet,
    defaults: Mapping[str, TreatmentSpec],
    file: str,
    shown: Callable[[str, Declaration], str] = lambda name, decl: name,
) -> tuple[list[Finding], list[str]]:
    """Findings (located in the migration file) and declaration snippets for the columns
    it adds. ``shown`` gives an undeclared column's name as reports may show it."""
    by_table = {d.table: d for d in declarations.by_topic.values()}
    out: list[Finding] = []
    proposals: list[str] = []
    for ch in changes:
        decl = by_table.get(ch.table)
        if decl is None:
            continue  # not a declared table: no CDR topic depends on it
        topic = decl.cdr_topic
        mode_note = "" if decl.compatibility != "NONE" else "compatibility NONE"
        severity = Severity.INFO if mode_note else None

        def report(
            rule: str,
            subject: str,
            message: str,
            sev: Severity | None = None,
            note: str = "",
            ch: Change = ch,
            topic: str = topic,
        ) -> None:
            out.append(
                finding(
                    rule,
                    file=file,
                    line=ch.line,
                    topic=topic,
                    subject=subject,
                    message=message,
                    severity=sev,
                    note=note,
                )
            )

        if ch.kind == "drop_table":
            report(
                "MIGRATION_TABLE_DROP", ch.table, f"drops {ch.table}: {topic} ({decl.path}) stops", severity, mode_note
            )
        elif ch.kind == "rename_table":
            report(
                "MIGRATION_TABLE_DROP",
                ch.table,
                f"renames {ch.table} to {ch.new_name!r}: {decl.path} no longer matches and {topic} stops",
                severity,
                mode_note,
            )
        elif ch.kind == "drop_column" and ch.column in decl.columns:
            report(
                "MIGRATION_COLUMN_DROP",
                ch.column,
                f"drops declared column {ch.column!r} of {ch.table}: field {ch.column!r} leaves {topic} "
                f"({decl.path}:{decl.columns[ch.column].line})",
                severity,
                mode_note,
            )
        elif ch.kind == "rename_column" and ch.column in decl.columns:
            report(
                "MIGRATION_COLUMN_RENAME",
                ch.column,
                f"renames declared column {ch.column!r} of {ch.table}: field {ch.column!r} of {topic} "
                f"becomes an undeclared column ({decl.path}:{decl.columns[ch.column].line})",
                severity,
                mode_note,
            )
        elif ch.kind == "rename_column" and ch.new_name is not None and ch.new_name not in decl.columns:
            out.append(_undeclared(ch, decl, ch.new_name, file, shown))
        elif ch.kind == "alter_type" and ch.column in decl.columns and ch.type is not None:
            problem = _type_problem(decl, ch.column, ch.type, defaults)
            if problem is not None:
                report("MIGRATION_COLUMN_TYPE", ch.column, problem, severity, mode_note)
        elif ch.kind == "add_column" and ch.column is not None and ch.type is not None:
            if ch.column in decl.columns:
                problem = _type_problem(decl, ch.column, ch.type, defaults, added=True)
                if problem is not None:
                    report("MIGRATION_COLUMN_TYPE", ch.column, problem, severity, mode_note)
                continue
            out.append(_undeclared(ch, decl, ch.column, file, shown))
            proposals.append(
                f"{decl.path}: declare before the migration runs (line {ch.line}):\n"
                f"  {shown(ch.column, decl)}: {{pii: ...}}  # {describe(debezium_field(ch.type))}"
                f"{', NOT NULL' if ch.not_null else ''}; none, free_text or an entity, and a treatment"
            )
        elif ch.kind == "add_primary_key" and decl.key and tuple(ch.columns) != decl.key:
            report(
                "KEY_SAME_FIELDS",
                "key",
                f"primary key of {ch.table} becomes ({', '.join(map(repr, ch.columns))}); "
                f"declared key ({', '.join(map(repr, decl.key))})",
                severity,
                mode_note,
            )
    return sorted(out, key=Finding.sort_key), proposals


def _undeclared(
    ch: Change, decl: Declaration, column: str, file: str, shown: Callable[[str, Declaration], str]
) -> Finding:
    # Nothing declared yet: what the undeclared policy does with it until someone does.
    severity = Severity.ERROR if decl.undeclared in ("pass", "block") else Severity.WARNING
    effect = UNDECLARED_EFFECT[decl.undeclared]
    return finding(
        "MIGRATION_COLUMN_UNDECLARED",
        file=file,
        line=ch.line,
        topic=decl.cdr_topic,
        subject=shown(column, decl),
        message=f"adds column {shown(column, decl)!r} to {ch.table}, not in {decl.path}; "
        f"undeclared: {decl.undeclared} {effect}",
        severity=severity,
    )


def _type_problem(
    decl: Declaration, column: str, new_type: Column, defaults: Mapping[str, TreatmentSpec], added: bool = False
) -> str | None:
    col = decl.columns[column]
    spec = col.treatment or defaults[col.pii]
    source = debezium_field(new_type)
    why = misfit(spec, source, bool(col.paths))
    if why is not None:
        return f"column {column!r} becomes {describe(source)}: {why}; every record would be dead-lettered"
    if added:
        return None
    after = treated_field(column, spec, source, pii=col.pii, declared=True)
    if after is None or spec.kind in TEXT_KINDS:
        return None  # dropped, or published as text whatever the source type: consumers see no change
    return f"column {column!r} becomes {describe(source)}: field {column!r} of {decl.cdr_topic} changes type"
