"""`cdr check`: data contracts (declarations vs a git revision, a SQL migration, the database)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from pipeline.tools.loading import config_from, safe_names
from pipeline.vocabulary import ExitCode

if TYPE_CHECKING:
    pass


def command(args: argparse.Namespace) -> int:
    from pipeline.contracts.check import CheckRequest, CheckUsageError, run_check
    from pipeline.contracts.report import as_json, as_sarif, print_table
    from pipeline.contracts.rules import exit_code

    config = config_from(args.config, args.schemas or (None if args.config else Path("schemas")))
    err = Console(stderr=True, highlight=False)
    request = CheckRequest(
        config,
        args.against,
        args.no_revision,
        args.migration,
        args.dsn,
        safe_names(config, err),
        config_path=args.config,
    )
    try:
        with err.status("checking data contracts..."):
            result = run_check(request)
    except CheckUsageError as exc:
        print(f"cdr check: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if args.format == "json":
        extra = {"compared_with": result.compared_with, "proposals": result.proposals, "undo": result.undo}
        print(as_json(result.findings, extra))
    elif args.format == "sarif":
        print(as_sarif(result.findings, result.root))
    else:
        for note in result.notes:
            err.print(note, soft_wrap=True)
        print_table(result.findings, Console(highlight=False), f"cdr check: {config.schemas_dir}", result.proposals)
        if result.undo:
            err.print(
                f"to undo the declaration changes with errors: {shlex.join(result.undo)}", soft_wrap=True, markup=False
            )
    return exit_code(result.findings)
