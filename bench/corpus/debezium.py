"""A table as a Debezium snapshot reads it (``op: r``), JsonConverter with schemas
enabled: one record per row, keyed by a surrogate ``row_id``, with the source block of the
PostgreSQL connector (the default), the MySQL connector (``connector="mysql"``), the
Oracle connector (``connector="oracle"``) or the SQL Server connector
(``connector="sqlserver"``). Column types are inferred
the way a loader would have typed them: int64 when every value is an integer, double
when every value is a number, string otherwise; a table whose source says its types
(``Table.fields``, from a SQL dump's schema) carries Debezium's field schemas instead."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from bench.corpus.model import Table
from devstack.sample_events import SOURCE_FIELDS

KEY = "row_id"
_INT = re.compile(r"[+-]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[+-]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_TS_MS = 1_764_460_800_000  # fixed: the output is deterministic
# version, connector, name, ts_ms, snapshot, db: the head every connector's source block
# shares (devstack.sample_events has the PostgreSQL connector's)
_SOURCE_HEAD = SOURCE_FIELDS[:6]
# io.debezium.connector.mysql.Source, as the MySQL connector's snapshot reads carry it
MYSQL_SOURCE_FIELDS: list[dict[str, Any]] = [
    *_SOURCE_HEAD,
    {"type": "string", "optional": True, "field": "sequence"},
    {"type": "string", "optional": True, "field": "table"},
    {"type": "int64", "optional": False, "field": "server_id"},
    {"type": "string", "optional": True, "field": "gtid"},
    {"type": "string", "optional": False, "field": "file"},
    {"type": "int64", "optional": False, "field": "pos"},
    {"type": "int32", "optional": False, "field": "row"},
    {"type": "int64", "optional": True, "field": "thread"},
    {"type": "string", "optional": True, "field": "query"},
]
# io.debezium.connector.oracle.Source, the fields a snapshot read carries (LogMiner adapter)
ORACLE_SOURCE_FIELDS: list[dict[str, Any]] = [
    *_SOURCE_HEAD,
    {"type": "string", "optional": True, "field": "sequence"},
    {"type": "string", "optional": False, "field": "schema"},
    {"type": "string", "optional": False, "field": "table"},
    {"type": "string", "optional": True, "field": "txId"},
    {"type": "string", "optional": True, "field": "scn"},
    {"type": "string", "optional": True, "field": "commit_scn"},
    {"type": "string", "optional": True, "field": "lcr_position"},
]
# io.debezium.connector.sqlserver.Source, the fields a snapshot read carries
SQLSERVER_SOURCE_FIELDS: list[dict[str, Any]] = [
    *_SOURCE_HEAD,
    {"type": "string", "optional": True, "field": "sequence"},
    {"type": "string", "optional": False, "field": "schema"},
    {"type": "string", "optional": False, "field": "table"},
    {"type": "string", "optional": True, "field": "change_lsn"},
    {"type": "string", "optional": True, "field": "commit_lsn"},
    {"type": "int64", "optional": True, "field": "event_serial_no"},
]
CONNECTORS = ("postgresql", "mysql", "oracle", "sqlserver")


def column_type(values: list[object]) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return "string"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int64"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "double"
    if all(isinstance(v, str) for v in present):
        if all(_INT.fullmatch(v) and abs(int(v)) < 2**63 for v in present):  # type: ignore[arg-type]
            return "int64"
        if all(_FLOAT.fullmatch(v) for v in present):  # type: ignore[arg-type]
            return "double"
    return "string"


def convert(value: object, kind: str) -> object:
    if value is None or kind == "typed":
        return value
    if kind == "int64":
        return int(value)  # type: ignore[call-overload]
    if kind == "double":
        return float(value)  # type: ignore[arg-type]
    return value if isinstance(value, str) else str(value)


def key_name(names: list[str]) -> str:
    key = KEY
    while key in names:
        key += "_"
    return key


def envelopes(
    table: Table, names: list[str], server: str, schema_name: str, connector: str = "postgresql"
) -> Iterator[dict[str, Any]]:
    """``{"key": ..., "value": ...}`` per row; ``names`` are the column names to publish
    (the source's, or opaque ones); ``schema_name`` is the PostgreSQL schema, or the MySQL
    database (the topic's middle part either way)."""
    if connector not in CONNECTORS:
        raise ValueError(f"no source block for connector {connector!r}")
    by_connector = {"mysql": MYSQL_SOURCE_FIELDS, "oracle": ORACLE_SOURCE_FIELDS, "sqlserver": SQLSERVER_SOURCE_FIELDS}
    source_fields = by_connector.get(connector, SOURCE_FIELDS)
    if table.fields is not None:  # typed by the source: values are already Debezium's
        kinds = ["typed"] * len(table.columns)
        specs = table.fields
    else:
        kinds = [column_type([row[i] for row in table.rows]) for i in range(len(table.columns))]
        specs = [{"type": k} for k in kinds]
    key = key_name(names)
    prefix = f"{server}.{schema_name}.{table_slug(table.name)}"
    row_fields = [{"type": "int64", "optional": False, "field": key}]
    row_fields += [{**spec, "optional": True, "field": n} for n, spec in zip(names, specs, strict=True)]
    row_schema = {"type": "struct", "optional": True, "name": f"{prefix}.Value", "fields": row_fields}
    value_schema = {
        "type": "struct",
        "optional": False,
        "name": f"{prefix}.Envelope",
        "version": 2,
        "fields": [
            {**row_schema, "field": "before"},
            {**row_schema, "field": "after"},
            {
                "type": "struct",
                "optional": False,
                "name": f"io.debezium.connector.{connector}.Source",
                "field": "source",
                "fields": source_fields,
            },
            {"type": "string", "optional": False, "field": "op"},
            {"type": "int64", "optional": True, "field": "ts_ms"},
        ],
    }
    key_schema = {
        "type": "struct",
        "optional": False,
        "name": f"{prefix}.Key",
        "fields": [{"type": "int64", "optional": False, "field": key}],
    }
    for n, row in enumerate(table.rows, start=1):
        after: dict[str, object] = {key: n}
        after.update({name: convert(v, k) for name, v, k in zip(names, row, kinds, strict=True)})
        source: dict[str, object] = {
            "version": "3.3.1.Final",
            "connector": connector,
            "name": server,
            "ts_ms": _TS_MS,
            "snapshot": "true" if n < len(table.rows) else "last",
        }
        if connector == "mysql":
            source |= {"db": schema_name, "sequence": None, "table": table_slug(table.name), "server_id": 0}
            source |= {"gtid": None, "file": "mysql-bin.000003", "pos": 156, "row": 0, "thread": None, "query": None}
        elif connector == "oracle":
            source |= {"db": "ORCLPDB1", "sequence": None, "schema": schema_name, "table": table_slug(table.name)}
            source |= {"txId": None, "scn": str(2_000_000 + n), "commit_scn": None, "lcr_position": None}
        elif connector == "sqlserver":
            source |= {"db": "corpus", "sequence": None, "schema": schema_name, "table": table_slug(table.name)}
            source |= {"change_lsn": None, "commit_lsn": f"00000027:{n:08x}:0001", "event_serial_no": None}
        else:
            source |= {"db": "corpus", "schema": schema_name, "table": table_slug(table.name)}
            source |= {"txId": 1, "lsn": 1000 + n}
        payload = {"before": None, "after": after, "source": source, "op": "r", "ts_ms": _TS_MS + n}
        yield {
            "key": {"schema": key_schema, "payload": {key: n}},
            "value": {"schema": value_schema, "payload": payload},
        }


def opaque_names(count: int) -> list[str]:
    width = max(2, len(str(count)))
    return [f"c{i:0{width}d}" for i in range(1, count + 1)]


def table_slug(name: str) -> str:
    """A topic- and SQL-safe table name (source names hold spaces, dots, dashes)."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return slug or "t"
