"""`cdr docs`: an HTML catalog of the CDR topics and an AsyncAPI document per topic."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from pipeline.tools.loading import config_from, safe_names
from pipeline.vocabulary import ExitCode

if TYPE_CHECKING:
    pass


def command(args: argparse.Namespace) -> int:
    from pipeline.contracts.catalog import build_pages, write_catalog
    from pipeline.runtime.bootstrap import load_declaration_set

    config = config_from(args.config, args.schemas or (None if args.config else Path("schemas")))
    decls = load_declaration_set(config)
    groups = None
    if args.consumers:
        from pipeline.contracts.consumers import BrokerError, consumer_groups

        settings = dict(config.kafka)
        if args.server:
            settings["bootstrap.servers"] = args.server
        if not settings.get("bootstrap.servers"):
            print("cdr docs: --consumers needs --server or kafka.bootstrap.servers in --config", file=sys.stderr)
            return ExitCode.USAGE
        try:
            groups = consumer_groups(settings, [d.cdr_topic for d in decls.by_topic.values()])
        except BrokerError as exc:
            print(f"cdr docs: {exc}", file=sys.stderr)
            return ExitCode.USAGE
        names = safe_names(config, Console(stderr=True), decls)
        groups = {topic: [names.group(g) for g in found] for topic, found in groups.items()}  # ids people chose
    with Console(stderr=True).status("writing the catalog..."):
        pages = build_pages(decls, config.treatment_defaults, groups)
        written = write_catalog(pages, config.treatment_defaults, args.out, args.server)
    print(f"{len(pages)} CDR topic(s): {len(written)} file(s) in {args.out}")
    return ExitCode.OK
