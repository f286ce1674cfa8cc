"""Golden output: every example in ../shared/debezium-events through the processing core
gives output byte-identical to ``tests/golden/<example>.jsonl``.

The guard for refactors of the core and for new formats layered on it: the golden files
are what this code produced, reviewed once and committed; any change to a published key,
value, header, skip or dead-letter reason shows up here as a diff. After an intended
change, regenerate with ``CDR_GOLDEN_UPDATE=1 pytest tests/unit/test_golden_examples.py``
and review the diff. The examples are read from ../shared, never copied.

Records are taken from each example by one generic rule (:func:`example_records`), so a
new example needs no code: a file that is one record is that record; a file of variants
gives one record per member (a ``schema_fields`` + ``after`` pair becomes a row with that
schema, a ``{key, value}`` pair a keyed record, lists one record per item). Every
example topic has the same declaration (hashed, masked and plain columns, the rest
masked), a fixed hash key, no detection, fixed coordinates and timestamps.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.events import DeadLetter, Outcome, Published, SourceRecord
from pipeline.core.processor import Processor
from tests.support import HASH_KEY, SHARED_EVENTS, make_processor

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
UPDATE = os.environ.get("CDR_GOLDEN_UPDATE") == "1"
SKIP_MEMBERS = frozenset({"_provenance", "note", "notes"})
DECLARATION = """\
table: golden.{table}
source_topic: {topic}
cdr_topic: cdr.{topic}
owner: golden
undeclared: mask
columns:
  id:         {{pii: none}}
  first_name: {{pii: PERSON, treatment: hash}}
  last_name:  {{pii: PERSON, treatment: {{mask: {{keep_first: 1}}}}}}
  email:      {{pii: EMAIL_ADDRESS, treatment: hash}}
  name:       {{pii: PERSON, treatment: redact}}
  weight:     {{pii: none}}
"""
EXAMPLES = sorted(p.name for p in SHARED_EVENTS.glob("*.json"))


def topic_of(name: str) -> str:
    return "golden." + name.removesuffix(".json").replace("_", "-")


def _enc(doc: Any) -> bytes | None:
    if doc is None:
        return None
    if isinstance(doc, str):
        return doc.encode()
    return json.dumps(doc, separators=(",", ":")).encode()  # as JsonConverter writes it


def _wire(data: Any) -> Any:
    """A documentation rendering made a record: an elided schema (a string) means the
    record is read schemaless, an elided ``source`` gets a minimal real one."""
    if isinstance(data, dict) and isinstance(data.get("schema"), str) and "payload" in data:
        data = data["payload"]
    if isinstance(data, dict) and list(data) == ["payload"]:
        data = data["payload"]
    if isinstance(data, dict) and isinstance(data.get("source"), str):
        data = {**data, "source": {"connector": "postgresql", "name": "doc", "ts_ms": 1559033904863}}
    return data


def _keyed(data: dict[str, Any]) -> tuple[Any, Any, tuple[tuple[str, bytes | None], ...]]:
    headers = tuple((k, _enc(v)) for k, v in sorted((data.get("headers") or {}).items()))
    return _wire(data.get("key")), _wire(data.get("value")), headers


def _is_record(data: dict[str, Any]) -> bool:
    return ("schema" in data and "payload" in data) or "op" in data or "key" in data or "value" in data


def example_records(name: str, data: Any) -> Iterator[tuple[str, Any, Any, tuple]]:
    """(label, key, value, headers) of every record an example holds."""
    if not (isinstance(data, dict) and "_provenance" in data):
        yield from _record(name, data)
        return
    yield from _row(name, data)
    for member, item in data.items():
        if member not in SKIP_MEMBERS and not (member in ("schema_fields", "after") and _has_row(data)):
            yield from _variant(f"{name}/{member}", item, 0)


def _has_row(data: dict[str, Any]) -> bool:
    return isinstance(data.get("schema_fields"), list) and isinstance(data.get("after"), dict)


def _row(label: str, data: dict[str, Any]) -> Iterator[tuple[str, Any, Any, tuple]]:
    if _has_row(data):
        schema = {"type": "struct", "name": "golden.Value", "optional": False, "fields": data["schema_fields"]}
        yield f"{label}/row", None, {"schema": schema, "payload": data["after"]}, ()


def _variant(label: str, item: Any, depth: int) -> Iterator[tuple[str, Any, Any, tuple]]:
    if item is None:
        yield label, None, None, ()
    elif isinstance(item, list):
        for i, x in enumerate(item):
            yield from _variant(f"{label}[{i}]", x, depth)
    elif isinstance(item, dict):
        if "schema_fields" in item:
            yield from _row(label, item)
        elif _is_record(item):
            yield from _record(label, item)
        elif (
            depth == 0
            and any(isinstance(v, dict) for v in item.values())
            and all(isinstance(v, dict) or v is None for v in item.values())
        ):
            for member, sub in item.items():
                yield from _variant(f"{label}/{member}", sub, depth + 1)
        else:
            yield label, None, item, ()  # a schemaless row


def _record(label: str, data: Any) -> Iterator[tuple[str, Any, Any, tuple]]:
    if isinstance(data, dict) and "key" in data and not ("schema" in data and "payload" in data):
        key, value, headers = _keyed(data)
        yield label, key, value, headers
    else:
        yield label, None, _wire(data), ()


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8")


def outcome_line(label: str, outcome: Outcome) -> bytes:
    line: dict[str, Any] = {"in": label, "outcome": type(outcome).__name__}
    if isinstance(outcome, Published):
        line["records"] = [
            {
                "topic": r.topic,
                "key": _text(r.key),
                "value": _text(r.value),
                "headers": [[n, _text(v)] for n, v in r.headers],
                "timestamp": r.timestamp_ms,
            }
            for r in outcome.records
        ]
        report = outcome.report
        line["report"] = {
            "fields_transformed": [list(t) for t in report.fields_transformed],
            "undeclared": list(report.undeclared_columns),
            "source_ts_ms": report.source_ts_ms,
        }
    elif isinstance(outcome, DeadLetter):
        line.update(stage=outcome.stage, reason=outcome.reason, error_class=outcome.error_class)
        line["message"] = outcome.message  # frames (file:line) are left out: they move with any edit
    else:
        line["reason"] = outcome.reason
    return json.dumps(line, sort_keys=True, ensure_ascii=False).encode() + b"\n"


@pytest.fixture(scope="module")
def golden_processor(tmp_path_factory: pytest.TempPathFactory) -> Processor:
    decls = {}
    for name in EXAMPLES:
        topic = topic_of(name)
        table = name.removesuffix(".json").replace("-", "_")
        decls[f"{table}.yaml"] = DECLARATION.format(table=table, topic=topic)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CDR_HASH_KEY", HASH_KEY)
        return make_processor(tmp_path_factory.mktemp("golden") / "schemas", decls)


def run_example(processor: Processor, name: str) -> bytes:
    data = json.loads((SHARED_EVENTS / name).read_text(encoding="utf-8"))
    topic = topic_of(name)
    out = bytearray()
    for offset, (label, key, value, headers) in enumerate(example_records(name, data)):
        rec = SourceRecord(topic, 0, offset, _enc(key), _enc(value), headers, 1_700_000_000_000)
        out += outcome_line(label, processor.process(rec))
    return bytes(out)


def test_examples_are_found() -> None:
    assert len(EXAMPLES) >= 50, f"expected the shared examples in {SHARED_EVENTS}"


@pytest.mark.parametrize("name", EXAMPLES)
def test_golden_output(golden_processor: Processor, name: str) -> None:
    got = run_example(golden_processor, name)
    path = GOLDEN / (name.removesuffix(".json") + ".jsonl")
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(got)
    assert got, f"{name}: no record taken from the example"
    assert path.exists(), f"{path.name} missing: run with CDR_GOLDEN_UPDATE=1 and review it"
    want = path.read_bytes()
    if got != want:
        got_lines, want_lines = got.splitlines(), want.splitlines()
        differ = [i + 1 for i, (a, b) in enumerate(zip(got_lines, want_lines, strict=False)) if a != b]
        # Line numbers only: the lines hold example values.
        pytest.fail(
            f"{name}: output differs from {path.name} (lines {differ[:10]}, "
            f"{len(got_lines)} lines now, {len(want_lines)} golden)"
        )


def test_golden_is_deterministic(tmp_path: Path) -> None:
    """A second processor, built afresh, gives the same bytes (no state, clock or
    ordering leaks into the output)."""
    decls = {}
    names = EXAMPLES[::5]
    for name in names:
        table = name.removesuffix(".json").replace("-", "_")
        decls[f"{table}.yaml"] = DECLARATION.format(table=table, topic=topic_of(name))
    first = make_processor(tmp_path / "a", decls)
    second = make_processor(tmp_path / "b", decls)
    for name in names:
        assert run_example(first, name) == run_example(second, name), name
