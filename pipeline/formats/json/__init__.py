"""Decoding Debezium records and encoding CDR records."""
