"""A PostgreSQL migration against the declarations, before it runs: which CDR topics
break, which new columns must be declared first.

The DDL is parsed by PostgreSQL's own parser (pglast wraps libpg_query), so quoting,
``ONLY``, ``IF EXISTS``, several commands per ``ALTER TABLE`` and comments read as the
server reads them. :func:`parse_migration` turns statements into :class:`Change` items;
:func:`check_migration` (pure) judges them against the declarations.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.contracts.cdrschema import OPTIONAL_KINDS, TEXT_KINDS, treated_field
from pipeline.contracts.protection import UNDECLARED_EFFECT
from pipeline.contracts.rules import RULES, Finding, Severity, finding
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
    # drop_table | rename_table | set_schema | drop_schema | drop_column | rename_column | alter_type
    # | add_column | add_primary_key | drop_constraint | drop_not_null | set_not_null | unread (a DO block)
    kind: str
    table: str  # schema.table (drop_schema: the schema)
    line: int
    column: str | None = None
    new_name: str | None = None  # rename: the new name; set_schema: the new schema; drop_constraint: its name
    type: Column | None = None
    not_null: bool = False
    columns: tuple[str, ...] = field(default=())
    # An unqualified table name: every schema.table the search_path in force could mean, in order.
    candidates: tuple[str, ...] = field(default=())


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


def _tables(schema: str | None, name: str, search_path: tuple[str, ...]) -> tuple[str, ...]:
    """``schema.name`` when qualified; else every schema of the search_path in force, in
    order (PostgreSQL takes the first that has the table)."""
    if schema:
        return (f"{schema}.{name}",)
    return tuple(f"{s}.{name}" for s in search_path) or (f"{DEFAULT_SCHEMA}.{name}",)


def _search_path(stmt: object) -> tuple[str, ...] | None:
    """The schemas of a ``SET [LOCAL] search_path`` (``RESET``: the default); None for
    any other statement. ``$user`` and the system schemas name no declared table."""
    from pglast import ast, enums

    if not isinstance(stmt, ast.VariableSetStmt) or (stmt.name or "").lower() != "search_path":
        return None
    if stmt.kind != enums.VariableSetKind.VAR_SET_VALUE:
        return (DEFAULT_SCHEMA,)
    names = [getattr(getattr(a, "val", None), "sval", None) for a in stmt.args or ()]
    return tuple(n for n in names if n and n not in ("$user", "pg_catalog", "pg_temp"))


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
        # PostgreSQL's message quotes the SQL near the error ('at or near "..."'), an
        # unterminated literal to its end, over lines: what it says of the SQL is cut off.
        text = str(exc.args[0] if exc.args else exc).split(" at or near", 1)[0]
        message = redact_quoted_values(text.splitlines()[0] if text.strip() else "syntax error")
        raise MigrationError(f"{file}:{line}: SQL syntax error: {message}") from None
    at = enums.AlterTableType
    out: list[Change] = []
    search_path: tuple[str, ...] = (DEFAULT_SCHEMA,)

    def change(kind: str, relation: object, line: int, *args: object, **kwargs: object) -> Change:
        names = _tables(getattr(relation, "schemaname", None), relation.relname, search_path)  # type: ignore[attr-defined]
        return Change(kind, names[0], line, *args, candidates=names, **kwargs)  # type: ignore[arg-type]

    for item in statements:
        stmt = item.stmt
        line = _line_at(sql, item.stmt_location or 0)
        path = _search_path(stmt)
        if path is not None:
            search_path = path
        elif isinstance(stmt, ast.DoStmt):
            out.append(Change("unread", "", line))  # PL/pgSQL: its statements are not parsed here
        elif isinstance(stmt, ast.DropStmt) and stmt.removeType == enums.ObjectType.OBJECT_TABLE:
            for obj in stmt.objects:
                parts = [n.sval for n in obj]
                names = _tables(parts[-2] if len(parts) > 1 else None, parts[-1], search_path)
                out.append(Change("drop_table", names[0], line, candidates=names))
        elif (
            isinstance(stmt, ast.DropStmt)
            and stmt.removeType == enums.ObjectType.OBJECT_SCHEMA
            and stmt.behavior == enums.DropBehavior.DROP_CASCADE
        ):
            for obj in stmt.objects:
                out.append(Change("drop_schema", obj.sval, line))
        elif (
            isinstance(stmt, ast.AlterObjectSchemaStmt)
            and stmt.objectType == enums.ObjectType.OBJECT_TABLE
            and stmt.relation is not None
        ):
            out.append(change("set_schema", stmt.relation, line, new_name=stmt.newschema))
        elif isinstance(stmt, ast.RenameStmt) and stmt.relation is not None:
            if stmt.renameType == enums.ObjectType.OBJECT_COLUMN:
                out.append(change("rename_column", stmt.relation, line, stmt.subname, stmt.newname))
            elif stmt.renameType == enums.ObjectType.OBJECT_TABLE:
                out.append(change("rename_table", stmt.relation, line, new_name=stmt.newname))
        elif isinstance(stmt, ast.AlterTableStmt) and stmt.relation is not None:
            relation = stmt.relation
            for cmd in stmt.cmds or ():
                kind = cmd.subtype
                if kind == at.AT_DropColumn:
                    out.append(change("drop_column", relation, line, cmd.name))
                elif kind == at.AT_DropNotNull:
                    out.append(change("drop_not_null", relation, line, cmd.name))
                elif kind == at.AT_SetNotNull:
                    out.append(change("set_not_null", relation, line, cmd.name))
                elif kind == at.AT_DropConstraint:
                    out.append(change("drop_constraint", relation, line, new_name=cmd.name))
                elif kind == at.AT_AlterColumnType and isinstance(cmd.def_, ast.ColumnDef):
                    out.append(
                        change("alter_type", relation, line, cmd.name, type=_column_type(cmd.name, cmd.def_.typeName))
                    )
                elif kind == at.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
                    coldef = cmd.def_
                    constraints = coldef.constraints or ()
                    not_null = bool(coldef.is_not_null) or any(
                        c.contype in (enums.ConstrType.CONSTR_NOTNULL, enums.ConstrType.CONSTR_PRIMARY)
                        for c in constraints
                    )
                    out.append(
                        change(
                            "add_column",
                            relation,
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
                    out.append(change("add_primary_key", relation, line, columns=keys))
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
    by_table = declared_tables(declarations)
    out: list[Finding] = []
    proposals: list[str] = []
    # tables whose primary key was dropped (and not yet re-created), per declaration
    keyless: dict[tuple[str, str], tuple[Change, Declaration]] = {}
    resolved: list[tuple[Change, Declaration]] = []
    for ch in changes:
        if ch.kind == "drop_schema":  # CASCADE: every table in it goes
            resolved.extend(
                (Change("drop_table", t, ch.line, new_name=ch.table), d)
                for t, ds in sorted(by_table.items())
                if t.split(".", 1)[0] == ch.table
                for d in ds
            )
            continue
        table = next((t for t in ch.candidates or (ch.table,) if t in by_table), None)
        if table is None:
            continue  # not a declared table: no CDR topic depends on it
        resolved.extend((ch if ch.table == table else dataclasses.replace(ch, table=table), d) for d in by_table[table])
    for ch, decl in resolved:
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

        def contract(rule: str, subject: str, message: str, ch: Change = ch, decl: Declaration = decl) -> None:
            """A contract rule that breaks in some modes only: error where the
            declaration's compatibility mode says so, else info."""
            breaks = decl.compatibility in RULES[rule].modes
            note = "" if breaks else f"compatibility {decl.compatibility}"
            report(rule, subject, message, None if breaks else Severity.INFO, note, ch=ch)

        if ch.kind == "drop_table":
            how = (
                f"drops schema {shown(ch.new_name, decl)!r} CASCADE, and with it {ch.table}"
                if ch.new_name
                else f"drops {ch.table}"
            )
            report("MIGRATION_TABLE_DROP", ch.table, f"{how}: {topic} ({decl.path}) stops", severity, mode_note)
        elif ch.kind == "set_schema":
            report(
                "MIGRATION_TABLE_DROP",
                ch.table,
                f"moves {ch.table} to schema {shown(ch.new_name or '', decl)!r}: {decl.path} (table: {decl.table}) no longer matches "
                f"and {topic} stops",
                severity,
                mode_note,
            )
        elif ch.kind in ("drop_not_null", "set_not_null") and ch.column in decl.columns:
            col = decl.columns[ch.column]
            spec = col.treatment or defaults[col.pii]
            if spec.kind == "drop" or spec.kind in OPTIONAL_KINDS:
                continue  # no field, or one that is optional whatever the column
            where = f"{decl.path}:{col.line}"
            if ch.kind == "drop_not_null":
                contract(
                    "FIELD_NO_MAKE_OPTIONAL",
                    ch.column,
                    f"drops NOT NULL on declared column {ch.column!r} of {ch.table}: field {ch.column!r} of "
                    f"{topic} may now be null ({where})",
                )
            else:
                contract(
                    "FIELD_NO_MAKE_REQUIRED",
                    ch.column,
                    f"sets NOT NULL on declared column {ch.column!r} of {ch.table}: field {ch.column!r} of "
                    f"{topic} becomes required ({where})",
                )
        elif ch.kind == "drop_constraint" and decl.key and ch.new_name == f"{ch.table.split('.', 1)[1]}_pkey":
            keyless[(ch.table, topic)] = (ch, decl)  # PostgreSQL's name for the primary key: unless re-created below
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
            col = decl.columns[ch.column]
            new_name = shown(ch.new_name or "", decl)
            if ch.new_name in decl.columns:
                becomes = f"the values of declared column {new_name!r} (pii {decl.columns[ch.new_name].pii})"
            else:
                becomes = (
                    f"undeclared column {new_name!r} (pii {col.pii} until now): undeclared: {decl.undeclared} "
                    f"{UNDECLARED_EFFECT[decl.undeclared]}"
                )
            report(
                "MIGRATION_COLUMN_RENAME",
                ch.column,
                f"renames declared column {ch.column!r} of {ch.table} to {new_name!r}: field {ch.column!r} of "
                f"{topic} becomes {becomes} ({decl.path}:{col.line})",
                severity if decl.undeclared != "pass" or col.pii == "none" else None,
                mode_note if decl.undeclared != "pass" or col.pii == "none" else "",
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
                col = decl.columns[ch.column]
                spec = col.treatment or defaults[col.pii]
                if ch.not_null and spec.kind != "drop" and spec.kind not in OPTIONAL_KINDS:
                    contract(
                        "FIELD_NO_ADD_REQUIRED",
                        ch.column,
                        f"adds declared column {ch.column!r} to {ch.table} NOT NULL: field {ch.column!r} of "
                        f"{topic} is required, and records published before it lack it "
                        f"({decl.path}:{col.line})",
                    )
                continue
            out.append(_undeclared(ch, decl, ch.column, file, shown))
            proposals.append(
                f"{decl.path}: declare before the migration runs (line {ch.line}):\n"
                f"  {shown(ch.column, decl)}: {{pii: ...}}  # {describe(debezium_field(ch.type))}"
                f"{', NOT NULL' if ch.not_null else ''}; none, free_text or an entity, and a treatment"
            )
        elif ch.kind == "add_primary_key" and decl.key:
            keyless.pop((ch.table, topic), None)
            if tuple(ch.columns) != decl.key:
                shown_key = ", ".join(map(repr, ch.columns)) if ch.columns else "an existing index's columns"
                report(
                    "KEY_SAME_FIELDS",
                    "key",
                    f"primary key of {ch.table} becomes ({shown_key}); declared key ({', '.join(map(repr, decl.key))})",
                    severity,
                    mode_note,
                )
    for (table, _), (ch, decl) in keyless.items():
        note = "" if decl.compatibility != "NONE" else "compatibility NONE"
        out.append(
            finding(
                "KEY_SAME_FIELDS",
                file=file,
                line=ch.line,
                topic=decl.cdr_topic,
                subject="key",
                message=f"drops the primary key {ch.new_name!r} of {table} and does not re-create it: records of "
                f"{decl.cdr_topic} would carry no key (declared key ({', '.join(map(repr, decl.key))}), {decl.path})",
                severity=Severity.INFO if note else None,
                note=note,
            )
        )
    return sorted(out, key=Finding.sort_key), proposals


def declared_tables(declarations: DeclarationSet) -> dict[str, list[Declaration]]:
    """Table -> every declaration published from it: the current one, then the older
    versions still published until their sunset (each under its own rules)."""
    out: dict[str, list[Declaration]] = {}
    for d in declarations.by_topic.values():
        out.setdefault(d.table, []).append(d)
    for older in declarations.retiring.values():
        for d in older:
            out.setdefault(d.table, []).append(d)
    return out


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
