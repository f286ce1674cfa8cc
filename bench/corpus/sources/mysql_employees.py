"""MySQL's employees sample database: employees (names, birth dates, genders, hire dates),
departments, managers, department members, titles and salaries, read from mysqldump's
extended ``INSERT`` statements and typed by the database's ``CREATE TABLE`` statements as
Debezium's MySQL connector types them; the events carry the MySQL connector's source block.

Each table's dump may come from a different snapshot (the manifest's ``files``): test_db
keeps its large dumps out of reach, and copies of their leading rows are read instead."""

from __future__ import annotations

from pathlib import Path

from bench.corpus.fetched import Snapshot
from bench.corpus.model import Source, Unavailable
from bench.corpus.mysqltypes import UnmappedType, field_for
from bench.corpus.sources import Context, manifest
from bench.corpus.sources.mysqldump import insert_rows
from bench.corpus.sources.sqldump import DumpError, create_columns, labelled_table

NAME = "mysql-employees"


def _snapshot(mirror: Path | None, repository: str, commit: str) -> Snapshot:
    snap = Snapshot(mirror, repository, commit)
    if snap.note:  # a newer HEAD holds other (cut or missing) files: only the pin is read
        raise Unavailable(f"{repository}: {snap.note}")
    return snap


def load(ctx: Context) -> Source:
    man = manifest(NAME)
    home = _snapshot(ctx.mirror, man["repository"], man["commit"])
    tables: dict[str, dict[str, str]] = man["tables"]
    files: dict[str, dict[str, str]] = man["files"]
    src = Source(NAME, man, connector="mysql")
    try:
        columns = create_columns(home.read(man["schema_path"]).decode("utf-8"))
        for name, labels in tables.items():
            where = files[name]
            snap = _snapshot(ctx.mirror, where["repository"], where["commit"])
            text = snap.read(where["path"]).decode("utf-8")
            rows = insert_rows(text, {name}, ctx.max_rows).get(name)
            if not rows:
                raise DumpError(f"{where['path']}: no INSERT rows for {name}")
            if name not in columns:
                raise DumpError(f"{name}: no CREATE TABLE in {man['schema_path']}")
            names = [n for n, _ in columns[name]]
            fields = [field_for(t) for _, t in columns[name]]
            bad = sum(1 for r in rows if len(r) != len(names))
            if bad:
                raise DumpError(f"{name}: {bad} rows whose width is not the CREATE TABLE's")
            src.tables.append(labelled_table(name, names, list(rows), labels, frozenset(), fields))
    except (DumpError, UnmappedType) as exc:
        raise Unavailable(f"{NAME}: {exc}") from None
    return src
