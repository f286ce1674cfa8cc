"""The local schema registry (devstack.registry): its Confluent-compatible API answers on
loopback, registers Avro schemas and enforces a subject's compatibility mode."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.integration

CT = "application/vnd.schemaregistry.v1+json"


def call(url: str, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": CT})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def record(fields: list[dict[str, Any]]) -> dict[str, str]:
    return {"schema": json.dumps({"type": "record", "name": "Row", "fields": fields})}


def test_avro_registry_registers_and_enforces_backward(schema_registry_url: str) -> None:
    subject = f"t-{uuid.uuid4().hex[:8]}-value"
    assert call(f"{schema_registry_url}/subjects")[0] == 200
    status, _ = call(f"{schema_registry_url}/config/{subject}", "PUT", {"compatibility": "BACKWARD"})
    assert status == 200
    status, first = call(
        f"{schema_registry_url}/subjects/{subject}/versions", "POST", record([{"name": "a", "type": "long"}])
    )
    assert status == 200 and isinstance(first["id"], int)
    status, schema = call(f"{schema_registry_url}/schemas/ids/{first['id']}")
    assert status == 200 and json.loads(schema["schema"])["fields"][0]["name"] == "a"
    # A new field without a default cannot read old records: rejected under BACKWARD.
    status, body = call(
        f"{schema_registry_url}/subjects/{subject}/versions",
        "POST",
        record([{"name": "a", "type": "long"}, {"name": "b", "type": "string"}]),
    )
    assert status == 409, body
