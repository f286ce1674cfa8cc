"""Oracle's HR and Customer Orders sample schemas: employees, offices, customers, stores,
orders and shipments, read from the ``INSERT`` statements of their populate scripts and
typed by their create scripts as Debezium's Oracle connector types them; the events carry
the Oracle connector's source block."""

from __future__ import annotations

from bench.corpus.fetched import Snapshot
from bench.corpus.model import Source, Unavailable
from bench.corpus.oracletypes import UnmappedType, field_for, value_of
from bench.corpus.sources import Context, manifest
from bench.corpus.sources.oracledump import create_columns, insert_rows
from bench.corpus.sources.sqldump import DumpError, labelled_table

NAME = "oracle-samples"


def load(ctx: Context) -> Source:
    man = manifest(NAME)
    snap = Snapshot(ctx.mirror, man["repository"], man["commit"])
    tables: dict[str, dict[str, str]] = man["tables"]
    drop: dict[str, list[str]] = man.get("drop", {})
    src = Source(NAME, man, connector="oracle")
    if snap.note:
        src.notes.append(snap.note)
    try:
        columns: dict[str, list[tuple[str, str]]] = {}
        rows: dict[str, list[list[object]]] = {}
        for script in man["scripts"]:
            declared = create_columns(snap.read(script["schema_path"]).decode("utf-8"))
            mine = set(declared) & set(tables)
            order = {t: [n for n, _ in declared[t]] for t in mine}
            rows |= insert_rows(snap.read(script["data_path"]).decode("utf-8"), mine, ctx.max_rows, order)
            columns |= {t: declared[t] for t in mine}
        missing = sorted(set(tables) - set(rows))
        if missing:
            raise DumpError(f"no CREATE TABLE or no INSERT rows for {', '.join(missing)}")
        for name, labels in tables.items():
            names = [n for n, _ in columns[name]]
            fields = [field_for(t) for _, t in columns[name]]
            src.tables.append(
                labelled_table(name, names, rows[name], labels, frozenset(drop.get(name, ())), fields, value_of)
            )
    except (DumpError, UnmappedType) as exc:
        raise Unavailable(f"{NAME}: {exc}") from None
    return src
