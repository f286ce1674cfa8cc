"""Data contracts: the CDR schema of each topic and the checks of ``cdr check``."""
