"""`cdr lineage`: OpenLineage events (column lineage, PII tags) for the CDR topics."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.tools.loading import config_from
from pipeline.vocabulary import ExitCode

if TYPE_CHECKING:
    pass


def command(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from pipeline.contracts.lineage import emit, lineage_events
    from pipeline.runtime.bootstrap import load_declaration_set

    try:
        import openlineage.client  # noqa: F401
    except ImportError:
        print("cdr lineage: needs the OpenLineage client: pip install 'cdr-pipeline[lineage]'", file=sys.stderr)
        return ExitCode.USAGE
    if args.file is None and not (os.environ.get("OPENLINEAGE_URL") or os.environ.get("OPENLINEAGE_CONFIG")):
        print(
            "cdr lineage: give --file PATH, or configure the client (OPENLINEAGE_URL, OPENLINEAGE_CONFIG)",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    config = config_from(args.config, args.schemas or (None if args.config else Path("schemas")))
    decls = load_declaration_set(config)
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    events = lineage_events(decls, config.treatment_defaults, args.namespace, now)
    sent = emit(events, args.file)
    print(f"{sent} OpenLineage event(s) sent ({args.file or 'client transport'})")
    return ExitCode.OK
