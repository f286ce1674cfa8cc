"""`cdr dlq replay`: re-run dead letters through the current declarations and code."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from pipeline.tools.loading import config_from
from pipeline.vocabulary import ExitCode

if TYPE_CHECKING:
    pass


def command(args: argparse.Namespace) -> int:
    from pipeline.runtime.bootstrap import build_processor, remember_on_topic
    from pipeline.runtime.replay import replay

    config = config_from(args.config)
    processor = build_processor(config)
    verdicts = remember_on_topic(config, processor)  # a replay starts from what the service withheld
    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]replaying"), BarColumn(), TextColumn("{task.completed} dead letters"), console=console
    ) as bar:
        task = bar.add_task("replay", total=args.limit)
        stats = replay(config, processor, args.group, args.limit, lambda n: bar.update(task, completed=n))
    if verdicts is not None:
        verdicts.close()
    out = Console(highlight=False)
    t = Table(title=f"dead letters replayed from {config.dead_letter_topic}")
    t.add_column("outcome")
    t.add_column("records", justify="right")
    t.add_row("read", str(stats.read))
    t.add_row("published to CDR topics", str(stats.replayed), style="green")
    t.add_row("skipped (not table data)", str(stats.skipped))
    for reason, n in sorted(stats.still_failing.items()):
        t.add_row(f"still failing: {reason}", str(n), style="yellow")
    t.add_row("unreadable (not ours, or sealed with another key)", str(stats.unreadable))
    t.add_row("delivery failures (offsets not committed)", str(stats.delivery_failures))
    out.print(t)
    if stats.delivery_failures:
        return ExitCode.ERROR
    return ExitCode.ERROR if stats.still_failing or stats.unreadable else ExitCode.OK
