"""cdr-pipeline: Debezium change streams in, masked and documented CDR topics out."""

__version__ = "0.1.0"
