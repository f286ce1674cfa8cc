"""Northwind's customers, employees, suppliers, orders and product tables, read from the
``INSERT`` statements of its PostgreSQL script and typed by the script's ``CREATE TABLE``
as Debezium's PostgreSQL connector types them."""

from __future__ import annotations

from bench.corpus.fetched import Snapshot
from bench.corpus.model import Source, Unavailable
from bench.corpus.pgtypes import field_for, schema_types
from bench.corpus.sources import Context, manifest
from bench.corpus.sources.namespans import biography_texts
from bench.corpus.sources.sqldump import DumpError, create_columns, insert_rows, labelled_table

NAME = "northwind"


def load(ctx: Context) -> Source:
    man = manifest(NAME)
    snap = Snapshot(ctx.mirror, man["repository"], man["commit"])
    text = snap.read(man["paths"][0]).decode("utf-8")
    tables: dict[str, dict[str, str]] = man["tables"]
    drop: dict[str, list[str]] = man.get("drop", {})
    src = Source(NAME, man)
    if snap.note:
        src.notes.append(snap.note)
    try:
        columns = create_columns(text)
        rows = insert_rows(text, set(tables), ctx.max_rows)
        missing = sorted(set(tables) - set(rows))
        if missing:
            raise DumpError(f"no INSERT rows for {', '.join(missing)}")
        enums, domains = schema_types(text)
        for name, labels in tables.items():
            names = [n for n, _ in columns[name]]
            fields = [field_for(t, enums, domains) for _, t in columns[name]]
            bad = [i for i, r in enumerate(rows[name]) if len(r) != len(names)]
            if bad:
                raise DumpError(f"{name}: {len(bad)} rows whose width is not the CREATE TABLE's")
            src.tables.append(labelled_table(name, names, rows[name], labels, frozenset(drop.get(name, ())), fields))
        bio = man.get("texts")
        if bio:  # the biographies again, as prose whose PERSON spans are the table's own names
            names = [n for n, _ in columns[bio["table"]]]
            src.texts.extend(biography_texts(rows[bio["table"]], names, bio["column"], bio["names_from"]))
    except DumpError as exc:
        raise Unavailable(f"{man['paths'][0]}: {exc}") from None
    return src
