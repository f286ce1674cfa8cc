"""A hostile review of schema changes mid-stream (the shape of a column's values changes
after the column was released or declared ``none``): each test plants values of its own
making after a harmless start, drives the real Processor and asserts that no planted
value reaches a CDR key, value or header, with messages that never print one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.core.events import CdrRecord, Published
from tests.support import PATTERNS_ONLY, assert_no_raw, make_processor, record, record_blobs

TOPIC = "pg.public.orders"
DECL = """\
table: public.orders
source_topic: pg.public.orders
cdr_topic: cdr.orders.v1
owner: ledger
undeclared: detect
{format}columns:
  id: {{pii: none}}
"""
QUIET = 60  # harmless records first: past PATTERNS_ONLY's min_samples, so columns are released
# Ten-digit North American numbers and e-mails on reserved domains, made up for these tests.
PHONES = [
    f"{area}{exchange}{line:04d}" for area, exchange, line in ((415, 382, 1907), (212, 647, 3310), (617, 923, 4471))
]
EMAILS = ["quill.harrow71@example.org", "tamsin.vale38@example.net", "odo.brack52@example.com"]


def processor(tmp_path: Path, fmt: str | None = None):
    text = DECL.format(format=f"format: {fmt}\n" if fmt else "")
    return make_processor(tmp_path / "s", {"o.yaml": text}, detection=PATTERNS_ONLY)


def envelope(after: dict[str, Any]) -> dict[str, Any]:
    return {"before": None, "after": after, "source": {"table": "orders"}, "op": "c", "ts_ms": 1}


def run(proc, items: list[tuple[Any, Any]]) -> list[CdrRecord]:
    out = []
    for i, (key, value) in enumerate(items):
        outcome = proc.process(record(TOPIC, value, key=key, offset=i))
        assert isinstance(outcome, Published), f"record {i} not published: {type(outcome).__name__}"
        out.extend(outcome.records)
    return out


def blobs(recs: list[CdrRecord]) -> list[bytes | None]:
    return [b for r in recs for b in record_blobs(r)]


def test_declared_none_id_that_starts_holding_emails_never_publishes_one(tmp_path: Path) -> None:
    # Attack: `id` is declared none and holds integers (released as an id by its name);
    # then the source starts keying rows by e-mail. The guard's shape hit withheld nothing
    # on a declared column, and its memo passed the same value on the record's next pass.
    proc = processor(tmp_path)
    quiet = [({"id": n}, envelope({"id": n})) for n in range(QUIET)]
    loud = [({"id": e}, envelope({"id": e})) for e in EMAILS]
    recs = run(proc, quiet + loud)
    assert_no_raw(EMAILS, *blobs(recs))


def test_declared_none_value_that_breaks_its_shape_is_still_checked(tmp_path: Path) -> None:
    # Attack: the e-mail arrives in the value only (no key), after the same integer start.
    proc = processor(tmp_path)
    quiet = [(None, envelope({"id": n})) for n in range(QUIET)]
    recs = run(proc, quiet + [(None, envelope({"id": e})) for e in EMAILS])
    assert_no_raw(EMAILS, *blobs(recs))


def test_phone_numbers_as_text_in_a_column_released_for_small_numbers(tmp_path: Path) -> None:
    # Attack: schemaless `code` holds JSON integers under 100 (released: small numbers),
    # then the source starts sending ten-digit phone numbers as strings. Digits as text
    # passed the numeric release's shape check and no bare-digit recognizer fired.
    proc = processor(tmp_path)
    quiet = [({"id": n}, envelope({"id": n, "code": n % 40})) for n in range(QUIET)]
    recs = run(
        proc, quiet + [({"id": QUIET + i}, envelope({"id": QUIET + i, "code": p})) for i, p in enumerate(PHONES)]
    )
    assert_no_raw(PHONES, *blobs(recs))


def test_flattened_rows_of_a_released_table_switch_to_phone_text(tmp_path: Path) -> None:
    # Attack: the same table arrives as envelopes, then as ExtractNewRecordState rows
    # (`__deleted` added) whose released `code` now holds phone numbers as text.
    proc = processor(tmp_path, fmt="auto")
    quiet = [({"id": n}, envelope({"id": n, "code": n % 40})) for n in range(QUIET)]
    rows = [({"id": QUIET + i}, {"id": QUIET + i, "code": p, "__deleted": "false"}) for i, p in enumerate(PHONES)]
    assert_no_raw(PHONES, *blobs(run(proc, quiet + rows)))
