"""Debezium-shaped records for the attack ledger, built as documents (what Kafka
Connect's JsonConverter writes), plus :class:`RawJson` for JSON no Python encoder would
write (a 5,000-digit integer, nesting deeper than the stdlib recurses)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

SOURCE = {"version": "2.7.0.Final", "connector": "postgresql", "name": "sec", "db": "shop", "schema": "public"}
TS = 1_700_000_000_000


class RawJson(str):
    """JSON text spliced verbatim into an encoded document."""


@dataclass(frozen=True)
class Rec:
    """One source record: key and value documents (or None), optional headers."""

    key: Any
    value: Any
    headers: tuple[tuple[str, Any], ...] = ()


def encode(doc: Any) -> bytes:
    """JSON bytes of ``doc`` as JsonConverter writes them (compact; non-ASCII escaped, so
    a lone surrogate survives as ``\\ud800``), with every :class:`RawJson` spliced in."""
    raws: list[str] = []

    def swap(node: Any) -> Any:
        if isinstance(node, RawJson):
            raws.append(str(node))
            return f"@@raw{len(raws) - 1}@@"
        if isinstance(node, dict):
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    text = json.dumps(swap(doc), separators=(",", ":"))
    for i, raw in enumerate(raws):
        text = text.replace(f'"@@raw{i}@@"', raw, 1)
    return text.encode()


def field(name: str, kind: str = "string", logical: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind, "optional": True, "field": name}
    if logical is not None:
        out["name"] = logical
    out.update(extra)
    return out


def row_schema(fields: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return {"type": "struct", "fields": fields, "optional": True, "name": name}


def envelope_schema(fields: list[dict[str, Any]], table: str, name: str | None = None) -> dict[str, Any]:
    value = f"sec.public.{table}.Value"
    return {
        "type": "struct",
        "name": name or f"sec.public.{table}.Envelope",
        "optional": False,
        "fields": [
            {**row_schema(fields, value), "field": "before"},
            {**row_schema(fields, value), "field": "after"},
            {
                "type": "struct",
                "optional": False,
                "field": "source",
                "name": "io.debezium.connector.postgresql.Source",
                "fields": [
                    field("version", optional=False),
                    field("connector", optional=False),
                    field("name", optional=False),
                    field("db", optional=False),
                    field("schema", optional=False),
                    field("table", optional=False),
                ],
            },
            field("op", optional=False),
            field("ts_ms", "int64"),
        ],
    }


def change(
    table: str,
    after: dict[str, Any] | None,
    *,
    op: str = "c",
    before: dict[str, Any] | None = None,
    fields: list[dict[str, Any]] | None = None,
    schema_name: str | None = None,
    drop: tuple[str, ...] = (),
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A change envelope; with ``fields`` it carries its schema (``schemas.enable=true``).
    ``drop`` removes top-level keys (a schemaless envelope without ``op``), ``extra`` adds
    some (an SMT's field)."""
    payload: dict[str, Any] = {
        "before": before,
        "after": after,
        "source": {**SOURCE, "table": table},
        "op": op,
        "ts_ms": TS,
    }
    for name in drop:
        payload.pop(name, None)
    payload.update(extra or {})
    if fields is None:
        return payload
    return {"schema": envelope_schema(fields, table, schema_name), "payload": payload}


def row(values: dict[str, Any], fields: list[dict[str, Any]] | None = None, table: str = "t") -> dict[str, Any]:
    """A flattened row (ExtractNewRecordState output)."""
    if fields is None:
        return values
    return {"schema": row_schema(fields, f"sec.public.{table}.Value"), "payload": values}


def key(n: int) -> dict[str, Any]:
    return {"id": n}
