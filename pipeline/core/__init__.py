"""The pure processing core: ChangeEvents in, treated ChangeEvents out; no I/O, no clocks."""
