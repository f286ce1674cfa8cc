"""Microsoft's AdventureWorks (OLTP) and AdventureWorksDW sample databases: employees,
e-mail addresses, phones, addresses, credit cards, password hashes, pay history, vendors
and prospective buyers, read from the data files their install scripts ``BULK INSERT``
and typed by the scripts' ``CREATE TABLE`` statements as Debezium's SQL Server connector
types them; the events carry the SQL Server connector's source block."""

from __future__ import annotations

from pathlib import PurePosixPath

from bench.corpus.fetched import Snapshot
from bench.corpus.model import Source, Unavailable
from bench.corpus.sources import Context, manifest
from bench.corpus.sources.bulkinsert import alias_types, bulk_loads, create_columns, data_rows
from bench.corpus.sources.sqldump import DumpError, labelled_table
from bench.corpus.sqlservertypes import UnmappedType, field_for, value_of

NAME = "adventureworks"


def load(ctx: Context) -> Source:
    man = manifest(NAME)
    snap = Snapshot(ctx.mirror, man["repository"], man["commit"])
    labels: dict[str, dict[str, str]] = man["tables"]
    drop: dict[str, list[str]] = man.get("drop", {})
    src = Source(NAME, man, connector="sqlserver")
    if snap.note:
        src.notes.append(snap.note)
    try:
        listed = [t for script in man["scripts"] for t in script["tables"]]
        if sorted(listed) != sorted(labels):
            raise DumpError("the scripts' tables are not the labelled tables")
        for script in man["scripts"]:
            text = snap.read(script["path"]).decode("utf-8-sig")
            folder = PurePosixPath(script["path"]).parent
            aliases = alias_types(text)
            columns = create_columns(text)
            loads = bulk_loads(text)
            for name in script["tables"]:
                if name not in columns or name not in loads:
                    raise DumpError(f"{name}: no CREATE TABLE or no BULK INSERT in {script['path']}")
                cols = columns[name]
                gone = frozenset(drop.get(name, ()))
                names = [c.name for c in cols]
                # a dropped column is not typed (hierarchyid, geography, computed ones are not mapped)
                fields = [{"type": "string"} if c.name in gone else field_for(c.sql_type, aliases) for c in cols]
                data = snap.read(str(folder / loads[name].file))
                rows = data_rows(data, loads[name], cols, ctx.max_rows)
                if not rows:
                    raise DumpError(f"{name}: no rows in {loads[name].file}")
                src.tables.append(labelled_table(name, names, list(rows), labels[name], gone, fields, value_of))
    except (DumpError, UnmappedType) as exc:
        raise Unavailable(f"{NAME}: {exc}") from None
    return src
