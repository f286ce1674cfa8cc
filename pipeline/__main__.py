"""``python -m pipeline``: the ``cdr`` command (the worker supervisor starts workers this way)."""

from pipeline.cli import main

raise SystemExit(main())
