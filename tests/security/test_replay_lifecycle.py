"""``cdr dlq replay`` after a declaration change, on the local broker: records the service
dead-lettered under ``undeclared: block`` (sealed, as the service writes them) are replayed
under a declaration that now lets their column through. The replay runs the current rules
with a fresh profiler: the per-value guard must still treat what it recognises, and
nothing the replay prints may hold a value."""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Callable
from pathlib import Path
from random import Random

import pytest
import yaml
from confluent_kafka import Producer

from pipeline.core.events import DeadLetter
from pipeline.runtime.deadletter import DeadLetterSealer, dead_letter_record
from pipeline.tools import main as cli
from tests.security import values as v
from tests.security.cases.common import SEALING_KEY, declaration
from tests.security.events import change, key
from tests.security.ledger import CDR, CDR_HEADERS, LOGS, Case, Observed, judge
from tests.support import make_processor, record
from tests.topic_reader import read_topic

pytestmark = [pytest.mark.security, pytest.mark.integration]
N = 30

# (id, the column's values, the declaration the replay runs under: columns, undeclared)
VARIANTS: list[tuple[str, Callable[[Random], str], str, str]] = [
    ("replay-kafka-pass-emails", lambda r: v.email(r), "id: {pii: none}", "pass"),
    ("replay-kafka-none-ssn", lambda r: v.ssn_dashed(v.ssn(r)), "id: {pii: none}\ncontact: {pii: none}", "detect"),
    ("replay-kafka-none-cards", lambda r: v.card(r), "id: {pii: none}\ncontact: {pii: none}", "detect"),
]


@pytest.mark.parametrize(("case_id", "make", "columns", "undeclared"), VARIANTS, ids=[x[0] for x in VARIANTS])
def test_replay_after_a_declaration_change(
    kafka_bootstrap, new_topic, tmp_path: Path, case_id: str, make, columns: str, undeclared: str
) -> None:
    source, dlq, cdr = "sec.replay.public.t", new_topic("sec.dlq"), new_topic("cdr.sec.replay")
    r = v.rng(case_id)
    planted = [make(r) for _ in range(N)]
    blocked = declaration(case_id, "id: {pii: none}", "block").replace("{source}", source).replace("{cdr}", cdr)
    before = make_processor(tmp_path / "v1", {"t.yaml": blocked})
    sealer = DeadLetterSealer.from_config(SEALING_KEY)
    producer = Producer({"bootstrap.servers": kafka_bootstrap, "enable.idempotence": True})
    for i, value in enumerate(planted):
        rec = record(source, change("t", {"id": i, "contact": value}), key=key(i), offset=i)
        dead = before.process(rec)
        assert isinstance(dead, DeadLetter), "undeclared: block did not dead-letter the record"
        out = dead_letter_record(dead, dlq, sealer=sealer)
        producer.produce(out.topic, key=out.key, value=out.value, headers=list(out.headers))
    assert producer.flush(30) == 0, "the dead letters were not all delivered"

    schemas = tmp_path / "v2"
    schemas.mkdir()
    opened = declaration(case_id, columns, undeclared).replace("{source}", source).replace("{cdr}", cdr)
    (schemas / "t.yaml").write_text(opened, encoding="utf-8")
    config = {
        "schemas": str(schemas),
        "kafka": {"bootstrap.servers": kafka_bootstrap},
        "consumer": {"group.id": f"sec-{case_id}"},
        "dead_letter_topic": dlq,
        "dlq": {"encryption_key": SEALING_KEY},
        "detection": {"ner": False, "verdicts_topic": f"cdr.verdicts.{case_id}.{uuid.uuid4().hex[:8]}"},
    }
    (tmp_path / "cdr.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["dlq", "replay", "--config", str(tmp_path / "cdr.yaml")])
    assert code == 0, f"cdr dlq replay exited {code}"
    published = read_topic(kafka_bootstrap, cdr, N, timeout=60)
    assert len(published) == N, f"{len(published)} of {N} dead letters republished"
    seen = Observed()
    seen.add(CDR, *(p.key for p in published), *(p.value for p in published))
    seen.add(
        CDR_HEADERS, *(h for p in published for h in p.headers.values()), *(h for p in published for h in p.headers)
    )
    seen.add(LOGS, out.getvalue(), err.getvalue())
    case = Case(case_id, "lifecycle", "dead letters replayed after a declaration change", "", (), tuple(planted))
    problems = judge(case, seen)
    assert not problems, "\n".join(problems)
