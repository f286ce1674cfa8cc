"""Declarations against the live PostgreSQL database: tables and columns that are gone,
columns nobody declared (with a scan proposal from sampled values), types a treatment
can no longer read, and a declared key that is not the primary key.

:func:`read_tables` is the only part that talks to the database (read-only);
:func:`check_live` is pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pipeline.contracts.protection import UNDECLARED_EFFECT
from pipeline.contracts.rules import Finding, Severity, finding
from pipeline.contracts.typefit import describe, misfit
from pipeline.core.declaration import Declaration, DeclarationSet
from pipeline.core.treatments.spec import TreatmentSpec
from pipeline.runtime.dbsample import Column, debezium_field, list_tables

_PRIMARY_KEYS_SQL = """
SELECT n.nspname, c.relname, a.attname
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
WHERE i.indisprimary AND n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY n.nspname, c.relname, array_position(i.indkey::int2[], a.attnum)
"""
CONNECT_TIMEOUT_S = 10


@dataclass
class LiveTable:
    name: str  # schema.table
    columns: dict[str, Column]  # in table order
    primary_key: tuple[str, ...] = ()
    fields: dict[str, dict] = field(default_factory=dict)  # column -> Debezium's Connect field

    def __post_init__(self) -> None:
        if not self.fields:
            self.fields = {n: debezium_field(c) for n, c in self.columns.items()}


def read_tables(dsn: str) -> dict[str, LiveTable]:
    """Every user table's columns and primary key, read in a read-only session."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
        conn.execute("SET default_transaction_read_only = on")
        tables = {
            f"{t.schema}.{t.name}": LiveTable(f"{t.schema}.{t.name}", {c.name: c for c in t.columns})
            for t in list_tables(conn)
        }
        keys: dict[str, list[str]] = {}
        for schema, table, column in conn.execute(_PRIMARY_KEYS_SQL).fetchall():
            keys.setdefault(f"{schema}.{table}", []).append(column)
    for name, columns in keys.items():
        if name in tables:
            tables[name].primary_key = tuple(columns)
    return tables


def check_live(
    declarations: DeclarationSet,
    tables: Mapping[str, LiveTable],
    defaults: Mapping[str, TreatmentSpec],
    shown: Callable[[str, Declaration], str] = lambda name, decl: name,
) -> tuple[list[Finding], dict[str, list[str]]]:
    """Findings, and per table the undeclared columns (for a scan proposal)."""
    out: list[Finding] = []
    undeclared: dict[str, list[str]] = {}
    current = {id(d) for d in declarations.by_topic.values()}
    older = [d for ds in declarations.retiring.values() for d in ds]  # published until their sunset
    for decl in sorted([*declarations.by_topic.values(), *older], key=lambda d: (d.table, d.cdr_topic)):
        live = tables.get(decl.table)
        topic, path = decl.cdr_topic, decl.path
        if live is None:
            out.append(
                finding(
                    "LIVE_TABLE_MISSING",
                    file=path,
                    line=decl.lines.get("table", 1),
                    topic=topic,
                    subject=decl.table,
                    message=f"table {decl.table} does not exist in the database: {topic} gets no records",
                    severity=Severity.ERROR,
                )
            )
            continue
        for name, col in decl.columns.items():
            column = live.columns.get(name)
            if column is None:
                out.append(
                    finding(
                        "LIVE_COLUMN_MISSING",
                        file=path,
                        line=col.line,
                        topic=topic,
                        subject=name,
                        message=f"declared column {name!r} is not in {decl.table} (dropped?): "
                        f"field {name!r} of {topic} is gone",
                        severity=Severity.ERROR,
                    )
                )
                continue
            spec = col.treatment or defaults[col.pii]
            why = misfit(spec, live.fields[name], bool(col.paths))
            if why is not None:
                out.append(
                    finding(
                        "LIVE_TREATMENT_INVALID",
                        file=path,
                        line=col.line,
                        topic=topic,
                        subject=name,
                        message=f"column {name!r} is {describe(live.fields[name])}: {why}; "
                        "its records would be dead-lettered",
                        severity=Severity.ERROR,
                    )
                )
        new = [c for c in live.columns if c not in decl.columns and c not in decl.connector_fields]
        if new and id(decl) in current:  # the proposal goes to the current declaration
            undeclared[decl.table] = new
        for name in new:
            severity = Severity.ERROR if decl.undeclared in ("pass", "block") else Severity.WARNING
            out.append(
                finding(
                    "LIVE_COLUMN_UNDECLARED",
                    file=path,
                    line=decl.lines.get("columns", 1),
                    topic=topic,
                    subject=shown(name, decl),
                    message=f"column {shown(name, decl)!r} ({describe(live.fields[name])}) of {decl.table} "
                    f"is not declared; undeclared: {decl.undeclared} {UNDECLARED_EFFECT[decl.undeclared]}",
                    severity=severity,
                )
            )
        if decl.key and decl.key != live.primary_key:
            # No primary key at all is the worst mismatch: Debezium then publishes records
            # without a key, so compaction and per-key order on the CDR topic are gone.
            actual = (
                f"primary key of {decl.table} ({', '.join(shown(k, decl) for k in live.primary_key)})"
                if live.primary_key
                else f"{decl.table} has no primary key (dropped?): its records would carry no key"
            )
            out.append(
                finding(
                    "LIVE_KEY_MISMATCH",
                    file=path,
                    line=decl.lines.get("key", 1),
                    topic=topic,
                    subject="key",
                    message=f"declared key ({', '.join(decl.key)}); {actual}",
                    severity=Severity.ERROR,
                )
            )
    return sorted(out, key=Finding.sort_key), undeclared
