"""Pagila's customers, staff, addresses, actors and a few non-personal tables, read from
the ``COPY`` blocks of its pg_dump data file and typed by its schema file as Debezium's
PostgreSQL connector types them."""

from __future__ import annotations

from bench.corpus.fetched import Snapshot
from bench.corpus.model import Source, Unavailable
from bench.corpus.pgtypes import field_for, schema_types
from bench.corpus.sources import Context, manifest
from bench.corpus.sources.sqldump import DumpError, copy_blocks, create_columns, labelled_table

NAME = "pagila"


def load(ctx: Context) -> Source:
    man = manifest(NAME)
    snap = Snapshot(ctx.mirror, man["repository"], man["commit"])
    if snap.note:  # the data file is large and absent from newer snapshots: only the pin is read
        raise Unavailable(f"{man['repository']}: {snap.note}")
    text = snap.read(man["paths"][0]).decode("utf-8")
    schema = snap.read(man["schema_path"]).decode("utf-8")  # column types, as Debezium reads them
    tables: dict[str, dict[str, str]] = man["tables"]
    drop: dict[str, list[str]] = man.get("drop", {})
    try:
        blocks = copy_blocks(text, set(tables), ctx.max_rows)
        missing = sorted(set(tables) - set(blocks))
        if missing:
            raise DumpError(f"no COPY block for {', '.join(missing)}")
        types = create_columns(schema)
        enums, domains = schema_types(schema)
        src = Source(NAME, man)
        for name, labels in tables.items():
            names, rows = blocks[name]
            declared = dict(types.get(name, []))
            untyped = [n for n in names if n not in declared]
            if untyped:
                raise DumpError(f"{name}: no type in the schema for {', '.join(untyped)}")
            fields = [field_for(declared[n], enums, domains) for n in names]
            src.tables.append(labelled_table(name, names, list(rows), labels, frozenset(drop.get(name, ())), fields))
    except DumpError as exc:
        raise Unavailable(f"{man['paths'][0]}: {exc}") from None
    return src
