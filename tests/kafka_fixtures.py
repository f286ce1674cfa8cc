"""Kafka fixtures shared by the integration and reliability tiers: a real broker, fresh
topics, and the service started the way a user starts it (`cdr run --config ...` in a
subprocess).

The broker: ``KAFKA_BOOTSTRAP_SERVERS`` if set; else testcontainers' Kafka when a Docker
engine answers; else the project's local KRaft broker (Maven Central jars), started once
per session in a temporary directory and stopped at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient, NewTopic

from tests.conftest import FAILED
from tests.harness import ServiceProcess

LOG_TAIL = 80


def _docker_engine_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if given:
        yield given
        return
    if _docker_engine_answers():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer() as container:
            yield container.get_bootstrap_server()
        return
    from devstack.kafka import LocalKafka

    broker = LocalKafka(tmp_path_factory.mktemp("kafka"))
    broker.start()
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


@pytest.fixture
def new_topic(kafka_bootstrap: str):
    """Factory: a fresh uuid-named topic."""
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    created: list[str] = []

    def make(prefix: str = "t", partitions: int = 1) -> str:
        name = f"{prefix}.{uuid.uuid4().hex[:10]}"
        for future in admin.create_topics([NewTopic(name, partitions, 1)]).values():
            future.result(timeout=30)
        created.append(name)
        return name

    yield make
    if created:
        admin.delete_topics(created)


@pytest.fixture
def service(kafka_bootstrap: str, tmp_path: Path, request: pytest.FixtureRequest):
    """Factory: a `cdr run` subprocess with a config and declarations in tmp_path. When
    the test fails, the tail of every log the service wrote is printed (logs never hold
    a raw value; the tests check that)."""
    started: list[ServiceProcess] = []

    def make(declarations: dict[str, str], **config: object) -> ServiceProcess:
        proc = ServiceProcess(tmp_path / f"svc{len(started)}", kafka_bootstrap, declarations, config)
        started.append(proc)
        return proc

    yield make
    for proc in started:
        proc.kill()
    if request.node.stash.get(FAILED, False):
        for proc in started:
            for log in sorted(proc.root.glob("service-*.log")):
                lines = log.read_text(errors="replace").splitlines()
                print(f"--- {log} (last {min(len(lines), LOG_TAIL)} of {len(lines)} lines)")
                print("\n".join(lines[-LOG_TAIL:]))


@pytest.fixture(scope="session")
def schema_registry_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A schema registry's Confluent-compatible API: ``SCHEMA_REGISTRY_URL`` if set, else
    the project's local Apicurio Registry (Maven Central), started once per session on
    loopback ports and stopped at the end."""
    given = os.environ.get("SCHEMA_REGISTRY_URL")
    if given:
        yield given
        return
    from devstack.registry import LocalRegistry

    registry = LocalRegistry(tmp_path_factory.mktemp("registry"))
    registry.start()
    try:
        yield registry.url
    finally:
        registry.stop()
