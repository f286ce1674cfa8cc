"""``python -m pipeline``: the ``cdr`` command (the worker supervisor starts workers this way)."""

from pipeline.tools.main import main

raise SystemExit(main())
