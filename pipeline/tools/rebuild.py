"""`cdr rebuild`: undo what a CDR topic published under a mistaken declaration. Shows the
plan (a dry run) unless ``--execute``; see :mod:`pipeline.core.rebuildplan`."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from pipeline.tools.loading import config_from, safe_names
from pipeline.vocabulary import ExitCode


def command(args: argparse.Namespace) -> int:
    from pipeline.runtime.bootstrap import load_declaration_set
    from pipeline.runtime.rebuild import RebuildError, execute, read_plan

    config = config_from(args.config)
    declarations = load_declaration_set(config)  # a declaration that does not load stops here (exit 3)
    # the deployment's names: a topic nobody declared is shown (and found) in its safe form
    names = safe_names(config, declarations=declarations, local_stack=config.local_stack)
    others: dict[str, tuple[str, ...]] = {}
    for topic, decl in declarations.by_topic.items():
        retiring = declarations.retiring.get(topic, ())
        others[topic] = (decl.cdr_topic, *(d.cdr_topic for d in retiring))
    err = Console(stderr=True)
    try:
        with Progress(
            SpinnerColumn(), TextColumn("reading {task.fields[topic]}: {task.completed} records"), console=err
        ) as bar:
            task = bar.add_task("read", total=None, topic=args.cdr_topic)
            plan = read_plan(
                config, args.cdr_topic, others, args.allow_loss, lambda n: bar.update(task, completed=n), names
            )
    except RebuildError as exc:
        err.print(f"cannot plan: {exc}")
        return ExitCode.ERROR
    out = Console(highlight=False)
    t = Table(title=f"rebuild {plan.cdr_topic}: group {plan.group} resumes each source partition at")
    for name, justify in (
        ("source partition", "left"),
        ("oldest in CDR topic", "right"),
        ("source starts at", "right"),
    ):
        t.add_column(name, justify=justify)  # type: ignore[arg-type]
    t.add_column("committed", justify="right")
    t.add_column("resumes at", justify="right")
    for r in plan.rewinds:
        style = "red" if r.lost else None
        committed = "-" if r.committed is None else str(r.committed)
        t.add_row(
            f"{names.topic(r.topic)}/{r.partition}",
            str(r.oldest),
            str(r.source_start),
            committed,
            str(r.resume_at),
            style=style,
        )
    out.print(t)
    deleted = ", ".join(f"{p}: up to {end}" for p, end in plan.delete_to.items()) or "nothing"
    out.print(f"deleted from {plan.cdr_topic}: {plan.held} record(s) (partition {deleted})")
    if plan.also_republished:
        listed = ", ".join(plan.also_republished)
        out.print(f"also published again from the same source records (duplicates of what they hold): {listed}")
    for problem in plan.problems:
        out.print(f"[red]refused:[/red] {problem}")
    if plan.problems:
        return ExitCode.ERROR
    if not args.execute:
        out.print("dry run: nothing changed. Fix the declaration, then run again with --execute.")
        return ExitCode.OK
    try:
        execute(config, plan)
    except RebuildError as exc:
        out.print(f"[red]failed:[/red] {exc}")
        return ExitCode.ERROR
    out.print(
        f"done: {plan.cdr_topic} emptied, group {plan.group} moved back. Start `cdr run` with the fixed "
        "declaration: it publishes the topic again from the source."
    )
    return ExitCode.OK
