"""Runs a ledger case through file mode with ``format: avro``: the case's records as
the Confluent AvroConverter writes them (:mod:`tests.security.avro_records`), their
schemas in an in-memory registry that the ``cdr process`` run is handed instead of the
HTTP client (no network), the same declarations and config.

What came out is searched as the JSON run's output is, plus what only Avro has: each CDR
key and value both as its Avro bytes and as a consumer decodes it, every schema
registered under a CDR subject, and Avro PK-change key headers decoded.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import sys
from pathlib import Path

import pytest
import yaml

from pipeline.formats.avro import registry as registry_module
from tests.avro_support import MemoryRegistry
from tests.security.avro_process import dump, load
from tests.security.avro_records import WHY_DROPPED, AvroRec, NotExpressible, read_back, to_avro
from tests.security.cases.common import table
from tests.security.events import encode
from tests.security.filemode import CaseFiles, _args, collect_files, run_files, run_watched
from tests.security.ledger import AVRO_TALLY, CDR, CDR_HEADERS, LOGS, Case, Forms, Haystack, Observed

REGISTRY_URL = "http://127.0.0.1:9/"  # never dialled: the client is replaced by the in-memory registry


class InMemoryRegistry(MemoryRegistry):
    """The registry client's calls, in memory: answers its start-up ping too."""

    def ping(self) -> None:
        return None


def _b64(raw: bytes | None) -> str | None:
    return None if raw is None else base64.b64encode(raw).decode("ascii")


def avro_planted(
    case: Case, records: list[AvroRec], registry: MemoryRegistry
) -> tuple[tuple[str, ...], int, tuple[tuple[str, ...], ...]]:
    """The values to search the Avro run's output for, and how many of the case's the
    Avro records do not carry.

    The base64 text of a bytes value is JsonConverter's wire form of it, which Avro does
    not have (it carries the bytes): it is replaced by those bytes' text when they are
    text, else left out (a Decimal's bytes: the case plants its digits too). A value
    only in a place the converter does not write (a schema member Connect does not
    have, the ``doc`` of a second definition of one named record) is left out and
    counted. Raises :class:`NotExpressible` when the Avro records carry none of the
    values the JSON records carry (the Avro run would hold vacuously). The third item: the
    fragments of each value kept (:attr:`Case.fragments`), still aligned with it."""
    json_in = Haystack(encode({"key": r.key, "value": r.value}) for r in case.records)
    raw = [b for r in records for b in (r.key, r.value) if b is not None]
    avro_in = Haystack([*raw, *(read_back(registry, b) for b in raw), *registry.schemas.values()])
    planted: list[str] = []
    fragments: list[tuple[str, ...]] = []
    in_json = dropped = 0
    for i, value in enumerate(case.planted):
        forms = Forms.of(value)
        parts = case.fragments[i] if i < len(case.fragments) else ()
        if not json_in.holds(forms):
            planted.append(value)  # planted elsewhere (a declaration, a header): as in the JSON run
            fragments.append(parts)
            continue
        in_json += 1
        if avro_in.holds(forms):
            planted.append(value)
            fragments.append(parts)
            continue
        carried = _base64_bytes(value)
        if carried is not None and any(carried in b for b in raw):
            text = carried.decode("utf-8", "replace")
            if text.isprintable() and len(text) >= 6:
                planted.append(text)
                fragments.append(())
            continue
        dropped += 1
    if in_json and dropped == in_json:
        raise NotExpressible(WHY_DROPPED)
    return tuple(planted), dropped, tuple(fragments)


def _base64_bytes(value: str) -> bytes | None:
    try:
        return base64.b64decode(value, validate=True) or None
    except (binascii.Error, ValueError):
        return None


def write_avro_case(case: Case, root: Path, registry: InMemoryRegistry) -> tuple[CaseFiles, Case]:
    """The case's files with Avro records (base64 members, as file mode reads Avro), and
    the case with the values planted in that form (:func:`avro_planted`). Raises
    :class:`NotExpressible` when a record has no Avro form."""
    records = to_avro(case.records, table(case.id), registry)
    planted, dropped, fragments = avro_planted(case, records, registry)
    if dropped:
        AVRO_TALLY.narrow(case.id, dropped, len(case.planted))
    case = dataclasses.replace(case, planted=planted, fragments=fragments if case.fragments else ())
    topic, cdr = f"sec.{case.id}", f"cdr.sec.{case.id}"
    (root / "schemas").mkdir(parents=True)
    (root / "schemas" / f"{case.id}.yaml").write_text(case.declaration_for(topic, cdr), encoding="utf-8")
    config = {"schemas": "schemas", **case.config, "format": "avro", "schema_registry": {"url": REGISTRY_URL}}
    (root / "cdr.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    coords = []
    with (root / "input.jsonl").open("wb") as out:
        for offset, rec in enumerate(records):
            line = {"topic": topic, "partition": 0, "offset": offset, "key": _b64(rec.key), "value": _b64(rec.value)}
            if rec.headers:
                line["headers"] = dict(rec.headers)
            out.write(encode(line) + b"\n")
            coords.append(f"{topic}/0/{offset}")
    files = CaseFiles(
        root, root / "input.jsonl", root / "out.jsonl", root / "out.dlq.jsonl", root / "cdr.yaml", tuple(coords)
    )
    return files, case


def _framed(text: object) -> bytes | None:
    """The bytes of a base64 member when they are Confluent-framed Avro."""
    if not isinstance(text, str):
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) > 5 and raw[0] == 0 else None


def _decoded(registry: MemoryRegistry, raw: bytes) -> str:
    try:
        return read_back(registry, raw)
    except Exception as exc:  # the class only: what a consumer would fail on, not a value
        return f"<undecodable: {type(exc).__name__}>"


def collect_avro(files: CaseFiles, registry: MemoryRegistry, seen: Observed) -> None:
    collect_files(files, seen)
    if files.output.exists():
        for line in files.output.read_bytes().splitlines():
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            for member in ("key", "value"):
                raw = _framed(doc.get(member))
                if raw is not None:
                    seen.add(CDR, raw, _decoded(registry, raw))
            for value in (doc.get("headers") or {}).values():
                raw = _framed(value)
                if raw is not None:
                    seen.add(CDR_HEADERS, raw, _decoded(registry, raw))
    for subject, ids in registry.subjects.items():
        if subject.startswith("cdr."):
            seen.add(CDR, subject, *(registry.schemas[i] for i in ids))


def run_avro_bounded(case: Case, root: Path) -> tuple[Observed, Case]:
    """A resource case: ``cdr process`` as a subprocess (:mod:`tests.security.avro_process`)
    under the file-mode bounds, the registry handed over and back as JSON files."""
    registry = InMemoryRegistry()
    files, case = write_avro_case(case, root, registry)
    seen = Observed(inputs=list(files.coordinates))
    dump(registry, root / "registry.in.json")
    cmd = [sys.executable, "-m", "tests.security.avro_process", "registry.in.json", "registry.out.json", *_args(files)]
    run = run_watched(cmd, root)  # with this tree first on PYTHONPATH
    if run.killed is not None:
        seen.crash = run.killed
    elif run.returncode != 0:
        seen.crash = f"cdr process exited {run.returncode}"
    seen.add(LOGS, run.stdout, run.stderr)
    out = root / "registry.out.json"
    collect_avro(files, load(out) if out.exists() else registry, seen)
    return seen, case


def run_avro(case: Case, root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Observed, Case]:
    """What the Avro run let out, and the case as judged (its values planted in Avro's
    form). Raises :class:`NotExpressible` before running anything when the case has no
    Avro form."""
    registry = InMemoryRegistry()
    files, case = write_avro_case(case, root, registry)
    seen = Observed(inputs=list(files.coordinates))
    monkeypatch.setattr(registry_module, "RegistryClient", lambda *args, **kwargs: registry)
    run_files(files, seen, monkeypatch)
    collect_avro(files, registry, seen)
    return seen, case
