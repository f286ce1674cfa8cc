"""`cdr validate`: check declaration files; print ``file:line: problem`` for each."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from pipeline.tools.loading import config_from
from pipeline.vocabulary import ExitCode

if TYPE_CHECKING:
    pass


def command(args: argparse.Namespace) -> int:
    from pipeline.runtime.bootstrap import load_declaration_set

    config = config_from(args.config, args.schemas or (None if args.config else Path("schemas")))
    decls = load_declaration_set(config)
    table = Table(title=f"{len(decls)} declaration(s) in {config.schemas_dir}: valid")
    for name in ("table", "source topic", "CDR topic", "owner"):
        table.add_column(name, overflow="fold")  # names must stay whole on a narrow terminal
    table.add_column("undeclared", no_wrap=True)
    for name in ("cols", "PII"):
        table.add_column(name, justify="right", no_wrap=True)
    for decl in sorted(decls.by_topic.values(), key=lambda d: d.table):
        pii = sum(1 for c in decl.columns.values() if c.pii != "none")
        table.add_row(
            decl.table,
            decl.source_topic,
            decl.cdr_topic,
            decl.owner,
            decl.undeclared,
            str(len(decl.columns)),
            str(pii),
        )
    Console().print(table)
    return ExitCode.OK
