"""Helpers shared by the test tiers: the shared Debezium examples, a processor built
from inline declarations, and the leak check every test that publishes uses."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

from pipeline.config import Config, DetectionConfig, UndeclaredTopics
from pipeline.core.events import CdrRecord, Published, SourceRecord
from pipeline.core.processor import Processor
from pipeline.core.treatments.hashing import HashKey, default_key_id
from pipeline.runtime.bootstrap import build_processor

REPO = Path(__file__).resolve().parent.parent
SHARED_EVENTS = Path(os.environ.get("CDR_SHARED_EVENTS", REPO.parent / "shared" / "debezium-events"))
HASH_KEY = "unit-test-hash-key-mbrLuiSOOKrS/VpsOzcbSdrAgGP4KTOMS"
KEY = HashKey(HASH_KEY.encode(), default_key_id(HASH_KEY.encode()))


def digest(text: str) -> str:
    return KEY.digest(text)


def example(name: str) -> Any:
    return json.loads((SHARED_EVENTS / name).read_text(encoding="utf-8"))


def example_bytes(name: str) -> bytes:
    return (SHARED_EVENTS / name).read_bytes()


def write_declarations(root: Path, declarations: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in declarations.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


NO_DETECTION = DetectionConfig(enabled=False)
PATTERNS_ONLY = DetectionConfig(ner=False, min_samples=20, sample_every=2)


def make_processor(root: Path, declarations: dict[str, str], default_topics: bool = False, **config: Any) -> Processor:
    """A processor over inline declarations; detection is off unless ``detection=`` says."""
    write_declarations(root, declarations)
    config.setdefault("detection", NO_DETECTION)
    if default_topics:
        config["undeclared_topics"] = UndeclaredTopics(policy="default", cdr_topic="cdr.default.{topic}")
    return build_processor(Config(schemas_dir=root, **config))


def record(
    topic: str, value: Any, key: Any = None, offset: int = 0, headers: Any = (), raw: bool = False
) -> SourceRecord:
    """A source record; ``value``/``key`` are documents (JSON-encoded here) or bytes."""

    def enc(doc: Any) -> bytes | None:
        if doc is None:
            return None
        if isinstance(doc, bytes):
            return doc
        return json.dumps(doc, separators=(",", ":")).encode()  # as JsonConverter writes it

    hdrs = tuple((k, enc(v) if not isinstance(v, bytes) else v) for k, v in headers)
    return SourceRecord(topic, 0, offset, enc(key), enc(value), hdrs, 1_700_000_000_000)


def doc(raw: bytes | None) -> Any:
    return None if raw is None else json.loads(raw)


def assert_no_raw(values: list[str], *blobs: bytes | str | None) -> None:
    """None of ``values`` appears in any blob. The failure message names which planted
    value leaked by its index, never the value itself.

    One pass over the text whatever the number of values: every window of the shortest
    value's length is looked up among the values' prefixes, and only hits are compared."""
    texts = [b.decode("utf-8", "replace") if isinstance(b, bytes) else b for b in blobs if b is not None]
    if not values or not texts:
        return
    width = min(len(v) for v in values)
    assert width > 0, "an empty planted value matches everything"
    by_prefix: dict[str, list[int]] = {}
    for j, value in enumerate(values):
        by_prefix.setdefault(value[:width], []).append(j)
    for i, text in enumerate(texts):
        get = by_prefix.get
        for start in range(len(text) - width + 1):
            hits = get(text[start : start + width])
            if hits:
                for j in hits:
                    if text.startswith(values[j], start):
                        raise AssertionError(f"planted value #{j} leaked into blob #{i}")


def record_blobs(rec: CdrRecord) -> list[bytes | None]:
    return [rec.key, rec.value, *(v for _, v in rec.headers)]


ORDERS_TOPIC = "pg.public.orders"
ORDERS_DECL = """\
table: public.orders
source_topic: pg.public.orders
cdr_topic: cdr.orders.v1
owner: ledger
undeclared: detect
columns:
  id: {{pii: none}}
{extra}"""
QUIET = 60  # past PATTERNS_ONLY's min_samples: an undeclared column is released
TIERS = ("bronze", "silver", "gold", "platinum")


def publish_orders(root: Path, extra: str, column: str, values: list[Any]) -> list[CdrRecord]:
    """``values`` in ``column`` of an orders table (``extra``: more declared columns),
    one record each, through a processor with pattern detection; every record must be
    published. The records published, in order."""
    proc = make_processor(root, {"o.yaml": ORDERS_DECL.format(extra=extra)}, detection=PATTERNS_ONLY)
    out: list[CdrRecord] = []
    for i, value in enumerate(values):
        env = {"before": None, "after": {"id": i, column: value}, "source": {"table": "orders"}, "op": "c", "ts_ms": 1}
        outcome = proc.process(record(ORDERS_TOPIC, env, key={"id": i}, offset=i))
        assert isinstance(outcome, Published), f"record {i} not published: {type(outcome).__name__}"
        out.extend(outcome.records)
    return out
