"""The ``cdr`` commands: one module per command, wired by :mod:`pipeline.tools.main`."""
