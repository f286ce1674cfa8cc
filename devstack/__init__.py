"""The local stack for development, tests and the demo: real Apache Kafka (KRaft) from
Maven Central jars, run as local processes on 127.0.0.1, no Docker needed."""
