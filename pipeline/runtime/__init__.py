"""The running service: Kafka loop, delivery, transactions, dead letters, metrics, health, workers, file mode."""
