"""Every ledger case through file mode with ``format: avro``: the records as the Confluent
AvroConverter writes them, processed through ``AvroCodec`` with the same declarations;
no planted value in the CDR records (bytes and decoded), the CDR schemas, headers,
dead-letter headers (anywhere in the dead letters when sealing is configured), logs or
metrics; every record published, dead-lettered or skipped. A case with no Avro form is
skipped with its reason, and counted by reason on the ledger's Avro line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.avro_records import NotExpressible
from tests.security.avromode import run_avro, run_avro_bounded
from tests.security.cases import ALL, params
from tests.security.ledger import AVRO_TALLY, Case, judge

pytestmark = pytest.mark.security


@pytest.mark.parametrize("case", params(ALL), ids=[c.id for c in ALL])
def test_avro_file_mode(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        seen, judged = run_avro_bounded(case, tmp_path) if case.bounded else run_avro(case, tmp_path, monkeypatch)
    except NotExpressible as exc:
        AVRO_TALLY.skip(case.id, str(exc))
        pytest.skip(f"no Avro form: {exc}")
    except Exception as exc:  # the class only: a traceback shows arguments, which hold the planted values
        AVRO_TALLY.record(case.id, case.attack, "avro", [f"{case.id}: the Avro run failed ({type(exc).__name__})"])
        pytest.fail(f"[{case.attack}] {case.id}: the Avro run failed ({type(exc).__name__})", pytrace=False)
    problems = judge(judged, seen)
    AVRO_TALLY.record(case.id, case.attack, "avro", problems)
    if problems:
        pytest.fail(f"[{case.attack}] {case.description} (format: avro):\n" + "\n".join(problems), pytrace=False)
