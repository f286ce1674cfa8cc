"""A table tracks at most ``policy.MAX_COLUMNS`` columns: records that each bring fresh
column names (a schemaless producer, a flattened JSON column, an attacker) cannot grow
its rules, profiles and verdicts without bound, nor have every fresh name judged (about
a millisecond each) forever. Past the cap a column the table does not track is dropped,
name and value, unjudged, and counted under the treatment ``over_cap``; its name is in
no header, metric label nor log line."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from pipeline.core import policy as policy_module
from pipeline.core import safenames
from pipeline.core.events import Published
from pipeline.runtime.metrics import Metrics
from tests.support import PATTERNS_ONLY, make_processor, record, record_blobs

CAP = 12
DECLARATION = (
    "table: public.docs\nsource_topic: pg.public.docs\ncdr_topic: cdr.docs\nowner: t\n"
    "undeclared: {undeclared}\ncolumns:\n  id: {{pii: none}}\n  email: {{pii: EMAIL_ADDRESS, treatment: hash}}\n"
)


def fresh(i: int, j: int) -> str:
    return f"attr_{i}_{j}"


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, undeclared: str, n: int = 10, k: int = 4):
    monkeypatch.setattr(policy_module, "_REMEMBERED_RULES", CAP)
    processor = make_processor(
        tmp_path / "d", {"d.yaml": DECLARATION.format(undeclared=undeclared)}, detection=PATTERNS_ONLY
    )
    outs = []
    for i in range(n):
        row = {"id": i, "email": f"user{i}@example.com", **{fresh(i, j): f"value {i} {j}" for j in range(k)}}
        outs.append(processor.process(record("pg.public.docs", row, offset=i)))
    return processor, outs


@pytest.mark.parametrize("undeclared", ["detect", "mask", "pass"])
def test_columns_past_the_cap_are_dropped_unjudged_and_nothing_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, undeclared: str
) -> None:
    judged: list[str] = []
    real = safenames._looks_personal
    monkeypatch.setattr(safenames, "_looks_personal", lambda name: judged.append(name) or real(name))
    metrics = Metrics()
    with caplog.at_level(logging.DEBUG):
        processor, outs = run(tmp_path, monkeypatch, undeclared)
        for out in outs:
            metrics.record_outcome(out)
    assert all(isinstance(o, Published) for o in outs)  # nothing lost: every record published
    over = [fresh(i, j) for i in range(10) for j in range(4)]
    tracked = {name for name in over if name in processor_rules(processor)}
    assert 0 < len(tracked) < len(over)  # the first ones are tracked, the others are past the cap
    past = [name for name in over if name not in tracked]
    for out in outs[-3:]:
        value = json.loads(out.records[0].value)
        payload = value.get("payload", value)
        row = payload.get("after", payload)
        assert row["id"] is not None and "email" in row  # declared columns are treated as declared
        assert not set(row) & set(past)  # dropped: name and value
        assert dict(out.report.fields_transformed).get("over_cap") == 4
    # fail closed: never released, whatever the table's undeclared policy
    blobs = [b for out in outs for rec in out.records for b in record_blobs(rec) if b is not None]
    text = b"".join(blobs).decode("utf-8", "replace") + caplog.text + metrics_text(metrics)
    for name in past:
        assert name not in text  # nor in a header, a metric label or a log line
        assert f"value {name.split('_')[1]} {name.split('_')[2]}" not in text
    assert not set(judged) & set(past)  # not judged: no cost per fresh name past the cap
    assert "over_cap" in caplog.text and caplog.text.count("tracks 12 columns") == 1  # said once, no name
    assert 'treatment="over_cap"' in metrics_text(metrics)


def test_a_table_past_the_cap_still_blocks_undeclared_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, outs = run(tmp_path, monkeypatch, "block", n=2, k=CAP + 4)
    assert all(not isinstance(o, Published) for o in outs)  # dead-lettered, as any undeclared column
    assert all(o.reason == "undeclared_column_blocked" for o in outs)


def test_tracked_columns_keep_their_rules_past_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A column tracked before the cap was reached is treated as before (here: masked)."""
    monkeypatch.setattr(policy_module, "_REMEMBERED_RULES", CAP)
    processor = make_processor(tmp_path / "d", {"d.yaml": DECLARATION.format(undeclared="mask")})
    first = processor.process(record("pg.public.docs", {"id": 0, "note": "kept"}, offset=0))
    for i in range(1, 6):
        processor.process(record("pg.public.docs", {"id": i, **{fresh(i, j): "x" for j in range(6)}}, offset=i))
    again = processor.process(record("pg.public.docs", {"id": 9, "note": "kept", "late_one": "x"}, offset=9))
    assert isinstance(first, Published) and isinstance(again, Published)
    row = json.loads(again.records[0].value)
    row = row.get("payload", row)
    row = row.get("after", row)
    assert "note" in row and row["note"] != "kept"  # tracked: masked as before
    assert "late_one" not in row  # past the cap: dropped
    assert dict(again.report.fields_transformed).get("over_cap") == 1


def processor_rules(processor) -> set[str]:
    """The columns the processor's table policies track."""
    found: set[str] = set()
    for obj in _walk(processor):
        if isinstance(obj, policy_module.TablePolicy):
            found |= set(obj._rules)
    return found


def _walk(root, depth: int = 4):
    seen, todo = set(), [(root, 0)]
    while todo:
        obj, d = todo.pop()
        if id(obj) in seen or d > depth:
            continue
        seen.add(id(obj))
        yield obj
        children = obj.values() if isinstance(obj, dict) else getattr(obj, "__dict__", {}).values()
        if isinstance(obj, (list, tuple)):
            children = obj
        todo.extend((c, d + 1) for c in children if not isinstance(c, (str, bytes, int, float)))


def metrics_text(metrics: Metrics) -> str:
    from prometheus_client import generate_latest

    return generate_latest(metrics.registry).decode()
