"""OpenLineage events for the CDR topics, written by the openlineage-python client's file
transport (and its HTTP transport, to a local server): column lineage with the treatment
as the transformation, masking where the value changes, PII tags on both datasets."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipeline.config import default_treatments
from pipeline.contracts.lineage import emit, lineage_events
from pipeline.core.entities import BUILTIN_ENTITIES
from pipeline.declarations.loader import load_declarations
from pipeline.tools.main import main
from tests.support import REPO

SHOP = REPO / "schemas" / "shop"
NS = "kafka://127.0.0.1:9092"
TIME = "2026-11-30T10:00:00.000Z"


def shop_events():
    decls = load_declarations(SHOP, BUILTIN_ENTITIES, default_treatments())
    return lineage_events(decls, default_treatments(), NS, TIME)


def test_file_transport_writes_column_lineage_and_pii_tags(tmp_path: Path) -> None:
    out = tmp_path / "lineage.jsonl"
    assert emit(shop_events(), out) == 7
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(events) == 7
    customers = next(e for e in events if e["job"]["name"] == "cdr.shop.customers")
    assert customers["eventType"] == "COMPLETE" and customers["eventTime"] == TIME
    assert uuid.UUID(customers["run"]["runId"])
    (source,) = customers["inputs"]
    (cdr,) = customers["outputs"]
    assert (source["namespace"], source["name"]) == (NS, "shop.public.customers")
    assert cdr["name"] == "cdr.shop.customers"
    lineage = cdr["facets"]["columnLineage"]["fields"]

    def transformation(field: str) -> dict:
        (inp,) = lineage[field]["inputFields"]
        assert (inp["namespace"], inp["name"], inp["field"]) == (NS, "shop.public.customers", field)
        (t,) = inp["transformations"]
        return t

    assert transformation("email") == {
        "type": "DIRECT",
        "subtype": "TRANSFORMATION",
        "description": "hash",
        "masking": True,
    }
    assert transformation("city")["subtype"] == "IDENTITY" and transformation("city")["masking"] is False  # tag
    assert transformation("country")["masking"] is False
    assert transformation("last_name")["description"] == "mask(keep_first=1)"
    out_types = {f["name"]: f.get("type") for f in cdr["facets"]["schema"]["fields"]}
    assert out_types["email"] == "string"  # hashed: a string whatever the source type
    pii = {(t["field"], t["value"]) for t in cdr["facets"]["tags"]["tags"]}
    assert ("email", "EMAIL_ADDRESS") in pii and ("profile.contacts[].email", "EMAIL_ADDRESS") in pii
    assert not any(field == "country" for field, _ in pii)
    source_pii = {(t["field"], t["value"]) for t in source["facets"]["tags"]["tags"]}
    assert ("email", "EMAIL_ADDRESS") in source_pii
    for facet in (*cdr["facets"].values(), *source["facets"].values()):
        assert facet["_producer"].startswith("urn:cdr-pipeline:") and facet["_schemaURL"].startswith(
            "https://openlineage.io/spec/"
        )


def test_events_are_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    emit(shop_events(), a)
    emit(shop_events(), b)
    assert a.read_bytes() == b.read_bytes()


def test_http_transport_from_the_client_config(tmp_path: Path, monkeypatch) -> None:
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "event": json.loads(body)})
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("OPENLINEAGE_URL", f"http://127.0.0.1:{server.server_address[1]}")
        assert main(["lineage", str(SHOP), "--namespace", NS]) == 0
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert len(received) == 7
    assert {r["path"] for r in received} == {"/api/v1/lineage"}
    assert {r["event"]["job"]["name"] for r in received} >= {"cdr.shop.customers", "cdr.shop.payments"}


def test_cli_needs_a_destination(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("OPENLINEAGE_URL", raising=False)
    monkeypatch.delenv("OPENLINEAGE_CONFIG", raising=False)
    assert main(["lineage", str(SHOP), "--namespace", NS]) == 2
    assert main(["lineage", str(SHOP), "--namespace", NS, "--file", str(tmp_path / "l.jsonl")]) == 0
    assert len((tmp_path / "l.jsonl").read_text().splitlines()) == 7
