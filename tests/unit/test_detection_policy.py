"""The processing core with detection on: undeclared columns, drift, JSON paths, NER
batching, and logs without values."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from pipeline.config import DetectionConfig
from pipeline.core.events import Published
from pipeline.runtime.logs import JsonFormatter, log_verdict
from pipeline.runtime.metrics import Metrics
from tests.support import PATTERNS_ONLY, assert_no_raw, digest, doc, record

DECL = """\
table: public.accounts
source_topic: pg.public.accounts
cdr_topic: cdr.accounts.v1
owner: ledger
undeclared: detect
columns:
  id:      {pii: none}
  plan:    {pii: none}
  profile:
    pii: none
    paths:
      contact.email: {pii: EMAIL_ADDRESS}
      contact.phone: {pii: PHONE_NUMBER, treatment: {mask: {keep_last: 2}}}
  notes:   {pii: free_text}
"""


def accounts(tmp_path: Path, detection: DetectionConfig = PATTERNS_ONLY, on_verdict=None):
    from pipeline.config import Config
    from pipeline.runtime.bootstrap import build_processor
    from tests.support import write_declarations

    write_declarations(tmp_path / "s", {"a.yaml": DECL})
    return build_processor(Config(schemas_dir=tmp_path / "s", detection=detection), on_verdict=on_verdict)


def event(i: int, **cols):
    after = {"id": i, "plan": "gold", **cols}
    return {"op": "c", "before": None, "after": after, "source": {"ts_ms": 1}}


def after_of(outcome) -> dict:
    assert isinstance(outcome, Published), outcome
    return doc(outcome.records[0].value)["after"]


def test_undeclared_email_column_is_withheld_then_hashed(tmp_path: Path) -> None:
    proc = accounts(tmp_path)
    first = after_of(proc.process(record("pg.public.accounts", event(0, c7="anne0@example.com"))))
    assert first["c7"] == "*" * len("anne0@example.com")  # withheld from the first event
    outs = [proc.process(record("pg.public.accounts", event(i, c7=f"anne{i}@example.com"))) for i in range(1, 40)]
    last = outs[-1]
    assert after_of(last)["c7"] == digest("anne39@example.com")  # EMAIL_ADDRESS -> hash
    assert json.loads(dict(last.records[0].headers)["cdr.pii"])["c7"] == "hash"
    assert ("c7", "EMAIL_ADDRESS", "detected", 1) in last.report.detections
    for o in outs:
        assert_no_raw([f"anne{i}@example.com" for i in range(40)], o.records[0].value)


def test_undeclared_column_without_pii_is_released_after_the_minimum_sample(tmp_path: Path) -> None:
    proc = accounts(tmp_path)
    outs = [after_of(proc.process(record("pg.public.accounts", event(i, region="north")))) for i in range(25)]
    assert outs[0]["region"] == "*****"
    assert outs[-1]["region"] == "north"  # cleared after 20 samples


def test_withheld_columns_keep_their_type(tmp_path: Path) -> None:
    proc = accounts(tmp_path)
    value = {
        "schema": {
            "type": "struct",
            "name": "pg.public.accounts.Envelope",
            "fields": [
                {
                    "type": "struct",
                    "field": "after",
                    "optional": True,
                    "name": "pg.public.accounts.Value",
                    "fields": [
                        {"type": "int64", "field": "id"},
                        {"type": "int64", "field": "c5", "optional": False},
                    ],
                },
                {"type": "string", "field": "op"},
            ],
        },
        "payload": {"op": "c", "after": {"id": 1, "c5": 700}},
    }
    out = doc(proc.process(record("pg.public.accounts", value)).records[0].value)
    c5 = next(f for f in out["schema"]["fields"][0]["fields"] if f["field"] == "c5")
    assert out["payload"]["after"]["c5"] is None
    assert c5 == {
        "type": "int64",
        "field": "c5",
        "optional": True,
        "parameters": {"cdr.pii": "undeclared", "cdr.treatment": "withhold", "cdr.detected": "pending"},
    }


def test_drift_enforced_or_reported(tmp_path: Path) -> None:
    enforce = accounts(tmp_path / "e")
    report = accounts(tmp_path / "r", DetectionConfig(ner=False, min_samples=20, sample_every=2, drift="report"))
    for i in range(30):
        e = after_of(
            enforce.process(record("pg.public.accounts", event(i) | {"after": {"id": i, "plan": f"p{i}@example.com"}}))
        )
        r = after_of(
            report.process(record("pg.public.accounts", event(i) | {"after": {"id": i, "plan": f"p{i}@example.com"}}))
        )
    assert e["plan"] == digest("p29@example.com")
    assert r["plan"] == "p29@example.com"  # reported only
    prof = next(p for (t, c, _), p in report.settings.policy.profiler.profiles.items() if c == "plan")
    assert prof.verdict.entity == "EMAIL_ADDRESS"


def test_declared_json_paths_and_scanning(tmp_path: Path) -> None:
    proc = accounts(tmp_path)
    profile = {"contact": {"email": "anne@example.com", "phone": "+44 20 7946 0958"}, "prefs": {"lang": "en"}}
    out = after_of(proc.process(record("pg.public.accounts", event(1, profile=json.dumps(profile)))))
    assert json.loads(out["profile"]) == {
        "contact": {"email": digest("anne@example.com"), "phone": "**************58"},
        "prefs": {"lang": "en"},
    }


def test_free_text_with_batched_ner(tmp_path: Path) -> None:
    proc = accounts(tmp_path, DetectionConfig(min_samples=20, sample_every=2))
    recs = [
        record(
            "pg.public.accounts",
            event(i, notes=f"Grace Hopper called about invoice {i} from +44 20 7946 0958."),
            offset=i,
        )
        for i in range(10)
    ]
    outs = proc.process_batch(recs)
    for o in outs:
        notes = after_of(o)["notes"]
        assert "Grace" not in notes and "7946" not in notes and "<PERSON>" in notes and "<PHONE_NUMBER>" in notes


def test_verdict_logs_and_metrics_hold_no_values(tmp_path: Path) -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, rec: logging.LogRecord) -> None:
            records.append(rec)

    logger = logging.getLogger("cdr.detection")
    handler = Keep()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        proc = accounts(tmp_path, on_verdict=log_verdict)
        metrics = Metrics()
        metrics.watch_detection(proc.settings.policy.profiler, proc.declarations)
        for i in range(40):
            metrics.record_outcome(
                proc.process(record("pg.public.accounts", event(i, c7=f"anne{i}@example.com", c8="x")))
            )
    finally:
        logger.removeHandler(handler)
    lines = [JsonFormatter().format(r) for r in records]
    verdicts = [json.loads(line) for line in lines]
    assert any(v["column"] == "c7" and v["entity"] == "EMAIL_ADDRESS" for v in verdicts)
    from prometheus_client import generate_latest

    text = generate_latest(metrics.registry).decode()
    assert 'cdr_undeclared_pii_columns{table="public.accounts"} 1.0' in text
    assert (
        'cdr_pii_detections_total{column="c7",entity="EMAIL_ADDRESS",source="detected",table="public.accounts"}' in text
    )
    assert_no_raw([f"anne{i}@example.com" for i in range(40)], "\n".join(lines), text)


def test_same_state_same_bytes(tmp_path: Path) -> None:
    proc = accounts(tmp_path)
    for i in range(30):
        proc.process(record("pg.public.accounts", event(i, c7=f"a{i}@example.com")))
    rec = record("pg.public.accounts", event(99, c7="z@example.com"), offset=5)
    assert proc.process(rec).records == proc.process(rec).records


# --- fail closed: released only on positive evidence, guarded per value ------------------


def outputs(proc, rows: list[dict]) -> list[bytes]:
    out = []
    for i, cols in enumerate(rows):
        outcome = proc.process(record("pg.public.accounts", event(i, **cols)))
        assert isinstance(outcome, Published), outcome
        out.append(outcome.records[0].value)
    return out


def test_a_column_that_starts_empty_and_fills_with_emails_never_leaks(tmp_path: Path) -> None:
    proc = accounts(tmp_path)
    emails = [f"late{i}@example.org" for i in range(60)]
    rows = [{"c8": "n/a"} for _ in range(150)] + [{"c8": e} for e in emails]
    blobs = outputs(proc, rows)
    assert after_of_bytes(blobs[149])["c8"] == "n/a"  # a handful of categories: released
    assert_no_raw(emails, *blobs)


def test_a_declared_none_column_is_guarded_on_every_value(tmp_path: Path) -> None:
    seen = []
    proc = accounts(tmp_path, on_verdict=seen.append)
    emails = [f"drift{i}@example.org" for i in range(5)]
    blobs = outputs(proc, [{} for _ in range(30)] + [{"plan": e} for e in emails])
    assert_no_raw(emails, *blobs)
    assert any(c.column == "plan" and c.after.entity == "EMAIL_ADDRESS" for c in seen)


def test_free_form_values_no_detector_fires_on_stay_withheld(tmp_path: Path) -> None:
    proc = accounts(tmp_path)
    words = ["amber", "birch", "cedar", "delta", "ember", "frost", "grove", "haven", "ivory", "jade"]
    values = [f"{words[i % 10]} {words[(i * 7) % 10]} {i}" for i in range(300)]
    blobs = outputs(proc, [{"c9": v} for v in values])
    assert_no_raw(values, *blobs)


def test_every_undeclared_type_is_withheld_from_its_first_event(tmp_path: Path) -> None:
    proc = accounts(tmp_path)
    first = after_of(
        proc.process(
            record(
                "pg.public.accounts",
                event(0, n1=5551234567, f1=12.5, b1=True, j1={"k": "v"}, a1=[1, 2], s1="x"),
            )
        )
    )
    assert first["n1"] is None and first["f1"] is None and first["b1"] is None
    assert first["j1"] is None and first["a1"] is None and first["s1"] == "*"


def test_ten_digit_numbers_under_an_opaque_name_never_go_out(tmp_path: Path) -> None:
    proc = accounts(tmp_path)
    numbers = [2025550100 + 7 * i for i in range(200)]
    blobs = outputs(proc, [{"n2": n} for n in numbers])
    assert_no_raw([str(n) for n in numbers], *blobs)


def test_verdicts_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    code = (
        "from detectors.profiler import Profiler, DetectionSettings\n"
        "from detectors.textscan import TextScanner\n"
        "p = Profiler(DetectionSettings(min_samples=20, sample_every=1), TextScanner())\n"
        "out = []\n"
        "for name in ('c1', 'ssn_or_phone', 'c3'):\n"
        "    prof = p.profile('t', name, None)\n"
        "    for i in range(40):\n"
        "        p.observe(prof, f'{536 + i % 3}-{40 + i % 50:02d}-{4399 + i}' if i % 2 else f'(212) 555-{1000 + i}')\n"
        "    out.append(prof.verdict.describe())\n"
        "print(out)\n"
    )
    runs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        runs.add(
            subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
        )
    assert len(runs) == 1, runs


def after_of_bytes(blob: bytes) -> dict:
    return json.loads(blob)["after"]


def test_an_undeclared_column_named_with_personal_data_is_dropped_name_and_value(tmp_path: Path) -> None:
    proc = accounts(tmp_path)
    names = ["jane.roe@example.net", "078-05-1120", "Jane Roe"]
    outs = outputs(proc, [{n: "x" for n in names} for _ in range(3)])
    assert_no_raw(names, *outs)
    assert after_of_bytes(outs[-1])["plan"] == "gold"  # the rest of the row is published


class _BrittleNer:
    """NER that fails on one text (spaCy over its max_length, say): logic under test only."""

    max_batch_chars = 1_000_000

    @staticmethod
    def label_chars(value: str) -> int:
        return len(value)

    def labels(self, values: list[str]) -> list[str | None]:
        return [None for _ in values]

    def analyze(self, texts: list[str]) -> list[list]:
        if any("BOOM" in t for t in texts):
            raise ValueError("text too long for the model")
        return [[] for _ in texts]

    def label_values(self, values: list[str]) -> list[str | None]:
        return [None for _ in values]

    def admit(self, texts: list[str]) -> list[None]:
        return [None for _ in texts]  # no budget


def test_a_batch_whose_ner_fails_dead_letters_only_the_record_that_broke_it(tmp_path: Path) -> None:
    from pipeline.core.events import DeadLetter

    proc = accounts(tmp_path)
    proc.settings.policy.scanner.ner = _BrittleNer()
    texts = [
        "Anne Example called about her card today.",
        "BOOM Anne wrote a very long letter here.",
        "Bob Example asked for a refund today.",
    ]
    outcomes = proc.process_batch([record("pg.public.accounts", event(i, notes=t)) for i, t in enumerate(texts)])
    kinds = [type(o).__name__ for o in outcomes]
    assert kinds == ["Published", "DeadLetter", "Published"], kinds
    assert isinstance(outcomes[1], DeadLetter) and "BOOM" not in outcomes[1].message


def test_many_columns_deciding_on_the_same_record_are_sampled_once(tmp_path: Path) -> None:
    proc = accounts(tmp_path)
    rows = [
        {f"c{k:02d}": (f"u{i}.{k}@example.org" if k % 2 else ["a", "b"][i % 2]) for k in range(30)} for i in range(60)
    ]
    outs = outputs(proc, rows)  # every record published: re-treating does not sample again
    assert len(outs) == 60
    profiles = proc.settings.policy.profiler.profiles.values()
    assert {p.seen for p in profiles if p.column.startswith("c")} == {60}, "a value was counted twice"


def test_a_topic_nobody_declared_cannot_sample_a_declared_tables_columns_towards_release(tmp_path: Path) -> None:
    """Under a default declaration a topic stands for the table its last two parts
    name; ``evil.public.accounts`` named the declared ``public.accounts`` and shared its
    column profiles, so whoever wrote to it could have the declared table release a
    column on no evidence of its own."""
    from pipeline.config import Config, UndeclaredTopics
    from pipeline.runtime.bootstrap import build_processor
    from tests.support import write_declarations

    write_declarations(tmp_path / "s", {"a.yaml": DECL})
    topics = UndeclaredTopics(policy="default", cdr_topic="cdr.default.{topic}", undeclared="detect")
    proc = build_processor(Config(schemas_dir=tmp_path / "s", detection=PATTERNS_ONLY, undeclared_topics=topics))
    for i in range(150):  # a handful of categories: enough to release the column
        out = proc.process(record("evil.public.accounts", event(i, c8="n/a"), offset=i))
    assert after_of(out)["c8"] == "n/a"  # released, for the topic that showed it
    first = proc.process(record("pg.public.accounts", event(1, c8="n/a"), offset=1))
    assert after_of(first)["c8"] == "***"  # the declared table has seen none: withheld
    table = proc.table_for("evil.public.accounts")
    assert table is not None and table.decl.table != "public.accounts"
