"""The integration tier: a real Kafka broker and the service as a subprocess."""

from tests.kafka_fixtures import kafka_bootstrap, new_topic, schema_registry_url, service

__all__ = ["kafka_bootstrap", "new_topic", "schema_registry_url", "service"]
