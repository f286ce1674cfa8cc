"""Kafka I/O: the consumer-producer loop, offset tracking and the dead-letter topic."""
