"""The local registry's pieces that need no running registry: which Java runs it, which
jar starts an unpacked app, the converter's API URL, the Avro stack's declarations."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from devstack import registry
from devstack.stack import SHOP_SCHEMAS, avro_declarations, registry_api


def test_avro_registry_java_version_is_read_from_the_runtime() -> None:
    java = shutil.which("java")
    assert java is not None, "the stack needs a JDK on PATH"
    major = registry.java_major(java)
    assert major is not None and major >= 17
    assert registry.java_major("/nonexistent/java") is None
    modern = registry.modern_java()
    assert modern is None or (registry.java_major(modern) or 0) >= registry.MODERN_JAVA


def test_avro_registry_launcher_of_either_archive_layout(tmp_path: Path) -> None:
    v3, v2, empty = tmp_path / "v3", tmp_path / "v2", tmp_path / "empty"
    for d in (v3, v2, empty):
        d.mkdir()
    (v3 / "quarkus-run.jar").write_bytes(b"")
    (v2 / "apicurio-registry-app-2.6.13.Final-runner.jar").write_bytes(b"")
    assert registry._launcher(v3) == v3 / "quarkus-run.jar"
    assert registry._launcher(v2) == v2 / "apicurio-registry-app-2.6.13.Final-runner.jar"
    assert registry._launcher(empty) is None


def test_avro_converter_talks_to_the_registry_api_beside_ccompat() -> None:
    assert registry_api("http://127.0.0.1:8080/apis/ccompat/v7") == "http://127.0.0.1:8080/apis/registry/v2"


def test_avro_stack_declarations_point_at_the_avro_topics(tmp_path: Path) -> None:
    out = avro_declarations(tmp_path)
    docs = {p.name: yaml.safe_load(p.read_text()) for p in out.glob("*.yaml")}
    shop = {p.name for p in SHOP_SCHEMAS.glob("*.yaml") if not p.name.endswith(".schemaless.yaml")}
    assert set(docs) == shop
    for doc in docs.values():
        assert doc["source_topic"].startswith("shopavro.public.")
        assert doc["cdr_topic"].startswith("cdr.shopavro.")
