"""Names are data too: a column named with personal data reaches no metric label, log
line, CDR header or dead-letter header; declared and plain names are shown as they are.

The planted names are built here and never printed: failures name them by index."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from pipeline.core.declaration import fingerprint
from pipeline.core.events import DeadLetter, Published, SourceRecord
from pipeline.core.processor import Processor
from pipeline.core.safenames import CACHE_ENTRIES, PREFIX, SafeNames, is_plain, looks_personal, safe_path
from pipeline.formats.avro.codec import AvroCodec
from pipeline.runtime.deadletter import H_FRAMES, H_MESSAGE, DeadLetterSealer, dead_letter_record, original_record
from pipeline.runtime.logs import JsonFormatter, verdict_logger
from pipeline.runtime.metrics import OTHER, Metrics
from pipeline.tools import main as cli
from pipeline.tracebacks import diagnostic, frames
from tests.avro_support import MemoryRegistry, avro_bytes, read_avro
from tests.support import HASH_KEY, KEY, PATTERNS_ONLY, make_processor, record

# Built, not written out, so that no planted name sits in the repository as a literal.
EMAIL = "".join(["jane.roe", "@", "example", ".org"])
SSN = "-".join(["219", "09", "9999"])
PHONE = " ".join(["+1", "415", "555", "0134"])
PERSON = " ".join(["John", "Smith"])
BARE_SSN = "".join(["2190", "99999"])
PLANTED = [EMAIL, SSN, PHONE, PERSON, BARE_SSN]

DECL = """\
table: public.contacts
source_topic: pg.public.contacts
cdr_topic: cdr.contacts.v1
owner: crm
undeclared: {undeclared}
columns:
  id: {{pii: none}}
  email: {{pii: EMAIL_ADDRESS, treatment: hash}}
"""


def holds(ok: bool, what: str) -> None:
    """An assertion whose failure prints ``what`` only: pytest's explanation of a
    comparison (and a helper's arguments) would print the planted names."""
    __tracebackhide__ = True
    if not ok:
        raise AssertionError(what)


def no_leak(*blobs: str | bytes | None) -> None:
    """No planted name in any blob; a failure names the planted name and blob by index."""
    __tracebackhide__ = True
    texts = [b.decode("utf-8", "replace") if isinstance(b, bytes) else b for b in blobs if b is not None]
    found = [(j, i) for j, name in enumerate(PLANTED) for i, text in enumerate(texts) if name in text]
    holds(not found, f"planted name leaked (name #, blob #): {found[:5]}")


def names(secret: bytes = b"k" * 32, declared: dict | None = None) -> SafeNames:
    return SafeNames(secret, declared)


# --- the safe form ---------------------------------------------------------------------


def test_personal_names_become_keyed_digests_and_ordinary_names_stay() -> None:
    n = names()
    for i, planted in enumerate(PLANTED):
        shown = n.safe(planted)
        holds(shown.startswith(PREFIX) and len(shown) == len(PREFIX) + 10, f"planted name #{i} not digested")
        holds(looks_personal(planted), f"planted name #{i} not recognised as personal")
    for ordinary in ("id", "email", "first_name", "created_at", "ip_address", "card_number", "__source_ts_ms", "op"):
        assert n.safe(ordinary) == ordinary
        assert not looks_personal(ordinary)
    # Declared: shown as it is whatever it looks like (the team published it).
    holds(n.safe(PERSON, declared={PERSON}) == PERSON, "a declared name is not shown as it is")


def test_the_digest_is_deterministic_and_keyed() -> None:
    a, b, other = names(b"a" * 32), names(b"a" * 32), names(b"b" * 32)
    for i, planted in enumerate(PLANTED):
        holds(a.safe(planted) == b.safe(planted), f"planted name #{i}: not deterministic")
        holds(a.safe(planted) != other.safe(planted), f"planted name #{i}: the key does not matter")
        holds(a.safe(planted).startswith(PREFIX), f"planted name #{i} not digested")
    holds(len({a.safe(p) for p in PLANTED}) == len(PLANTED), "two planted names share a digest")
    # Not the hash treatment of the same text (a separate key, derived from the hash key).
    proc_names = SafeNames(KEY.secret)
    holds(proc_names.digest(EMAIL)[len(PREFIX) :] not in KEY.digest(EMAIL), "name digest = value hash")


def test_charset_and_length_bounds() -> None:
    assert is_plain("a" * 64) and not is_plain("a" * 65)
    for odd in ("naïve", "two words", "a.b", "x\u200by", "", "12345", "col_123456", "a'b"):
        assert not is_plain(odd)
    n = names()
    assert n.safe("a" * 65).startswith(PREFIX)
    holds(n.safe(n.safe(EMAIL)) == n.safe(EMAIL), "a digest is not shown as it is")


def test_caches_are_bounded() -> None:
    n = names()
    for i in range(CACHE_ENTRIES + 50):
        n.safe(f"name {i}")
    n.safe("y" * 100_000)  # a huge name is digested, not kept as a cache key
    assert len(n._digests) <= CACHE_ENTRIES and len(n._plain) <= CACHE_ENTRIES
    assert all(len(k) <= 256 for k in n._digests)
    assert len(n.safe("y" * 100_000)) == len(PREFIX) + 10


def test_quoted_names_in_messages_are_scrubbed() -> None:
    n = names(declared={})
    message = f"row column {EMAIL!r} holds a JSON string; envelope field 'after' and {PERSON!r}"
    out = n.scrub(message)
    no_leak(out)
    holds("'after'" in out and out.count(PREFIX) == 2, "scrubbed the wrong tokens")
    holds(safe_path(f"after.{PERSON}.x[]", n.safe).startswith(PREFIX), "a path with a planted name is shown")
    assert safe_path("after.addresses[].{key}", n.safe) == "after.addresses[].{key}"


# --- through the processor, metrics, logs and dead letters -----------------------------


def contacts(tmp_path: Path, undeclared: str = "mask", **config):
    return make_processor(tmp_path / "s", {"contacts.yaml": DECL.format(undeclared=undeclared)}, **config)


def row(i: int) -> dict:
    # A JSON column keyed by a planted name: the profiler's evidence names JSON paths.
    out = {"id": i, "email": f"user{i}@example.net", "prefs": json.dumps({PERSON: f"user{i}@example.net"})}
    for j, planted in enumerate(PLANTED):
        out[planted] = f"v{j}"
    return out


def envelope(after: dict) -> dict:
    return {"op": "c", "before": None, "after": after, "source": {"ts_ms": 1}, "ts_ms": 2}


def with_schema(after: dict, types: dict[str, str]) -> dict:
    fields = [{"field": k, "type": types.get(k, "string"), "optional": True} for k in after]
    row_schema = {"type": "struct", "name": "pg.public.contacts.Value", "optional": True, "fields": fields}
    schema = {
        "type": "struct",
        "name": "pg.public.contacts.Envelope",
        "fields": [
            {**row_schema, "field": "before"},
            {**row_schema, "field": "after"},
            {"type": "struct", "field": "source", "fields": [{"type": "int64", "field": "ts_ms"}]},
            {"type": "string", "field": "op"},
            {"type": "int64", "field": "ts_ms", "optional": True},
        ],
    }
    return {"schema": schema, "payload": envelope(after)}


class Keep(logging.Handler):
    """Log lines as the service writes them, kept in a test's body (a fixture's value
    would be printed among the test's arguments on failure)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, rec: logging.LogRecord) -> None:
        self.lines.append(JsonFormatter().format(rec))

    def __enter__(self) -> list[str]:
        root = logging.getLogger("cdr")
        self._level = root.level
        root.addHandler(self)
        root.setLevel(logging.DEBUG)
        return self.lines

    def __exit__(self, *_: object) -> None:
        root = logging.getLogger("cdr")
        root.removeHandler(self)
        root.setLevel(self._level)


def test_planted_names_reach_no_header_label_log_or_dead_letter(tmp_path: Path) -> None:
    with Keep() as captured_logs:
        check_planted_names(tmp_path, captured_logs)


def check_planted_names(tmp_path: Path, captured_logs: list[str]) -> None:
    __tracebackhide__ = True
    proc = contacts(tmp_path, "detect", detection=PATTERNS_ONLY)
    profiler = proc.settings.policy.profiler
    assert profiler is not None
    profiler.on_change = verdict_logger(proc.names)
    metrics = Metrics(names=proc.names)
    metrics.watch_detection(profiler, proc.declarations)
    outcomes = []
    for i in range(60):
        outcome = proc.process(record("pg.public.contacts", envelope(row(i)), key={"id": i}, offset=i))
        metrics.record_outcome(outcome)
        outcomes.append(outcome)
    # One schema'd record whose planted column contradicts its schema: a dead letter
    # whose message names that column.
    bad = row(99)
    bad[EMAIL] = 7
    dead = proc.process(record("pg.public.contacts", with_schema(bad, {"id": "int64"}), key={"id": 99}, offset=99))
    holds(
        isinstance(dead, DeadLetter) and dead.reason == "type_mismatch", "the contradicting record is not dead-lettered"
    )
    metrics.record_outcome(dead)
    outcomes.append(dead)

    published = [o for o in outcomes if isinstance(o, Published)]
    assert len(published) == 60
    headers = [v for o in published for r in o.records for _, v in r.headers]
    pii = json.loads(dict(published[0].records[0].headers)["cdr.pii"])
    holds("email" in pii, "the declared ordinary name is not in cdr.pii as it is")
    holds(sum(1 for c in pii if c.startswith(PREFIX)) == len(PLANTED), "planted names not in cdr.pii as digests")
    reports = [repr(o.report) for o in published]
    sealer = DeadLetterSealer.from_config("hex:" + "42" * 32)
    letters = [
        dead_letter_record(dead, "cdr.dlq", now_ms=1),
        dead_letter_record(dead, "cdr.dlq", now_ms=1, sealer=sealer),
    ]
    dlq_headers = [f"{name}={(v or b'').decode('latin-1')}" for letter in letters[1:] for name, v in letter.headers]
    dlq_context = [
        f"{name}={(v or b'').decode('latin-1')}"
        for name, v in letters[0].headers
        if name.startswith(("__connect", "cdr."))
    ]
    text = generate_latest(metrics.registry).decode()

    no_leak(*headers, *reports, dead.message, *dlq_headers, *dlq_context, text, *captured_logs)
    holds('column="email"' in text, "the declared ordinary name is not a label as it is")
    holds("row column 'col~" in dead.message, "the dead letter does not name the column by its digest")
    # undeclared columns named with personal data are dropped from the payload, name and value
    payloads = [(r.value or b"").decode() for o in published for r in o.records]
    no_leak(*payloads)
    # The sealed dead letter still replays as the record it was made from.
    reopened = original_record(letters[1].key, letters[1].value, list(letters[1].headers), sealer)
    holds(reopened == dead.source, "the sealed dead letter does not reopen as its source record")


def test_blocked_undeclared_columns_are_dead_lettered_under_their_safe_name(tmp_path: Path) -> None:
    proc = contacts(tmp_path, "block")
    blocked = row(1)
    del blocked["prefs"]  # the first undeclared column is then a planted one
    dead = proc.process(record("pg.public.contacts", envelope(blocked), key={"id": 1}))
    holds(isinstance(dead, DeadLetter) and dead.reason == "undeclared_column_blocked", "not blocked")
    no_leak(dead.message)
    holds(PREFIX in dead.message, "the blocked column is not named by its digest")


def test_column_labels_are_capped_per_table(tmp_path: Path) -> None:
    proc = contacts(tmp_path, "mask")
    metrics = Metrics(names=proc.names, max_columns_per_table=5)
    for i in range(20):
        metrics._note_undeclared("public.contacts", [f"extra_{i}"])
    labels = {column for table, column in metrics._undeclared_events}
    assert len(labels) == 6 and OTHER in labels


# --- file mode -------------------------------------------------------------------------


def test_file_mode_shows_no_planted_name_outside_the_payload(tmp_path: Path, capsys) -> None:
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "contacts.yaml").write_text(DECL.format(undeclared="mask"))
    lines = [
        {"topic": "pg.public.contacts", "offset": i, "key": {"id": i}, "value": envelope(row(i))} for i in range(3)
    ]
    bad = row(9)
    bad[SSN] = True
    lines.append(
        {"topic": "pg.public.contacts", "offset": 9, "key": {"id": 9}, "value": with_schema(bad, {"id": "int64"})}
    )
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(line) + "\n" for line in lines))
    out, dlq = tmp_path / "out.jsonl", tmp_path / "dlq.jsonl"
    code = cli.main(
        ["process", "--schemas", str(schemas), "--input", str(src), "--output", str(out), "--dlq", str(dlq)]
    )
    assert code == 0
    printed = capsys.readouterr()
    published = [json.loads(line) for line in out.read_text().splitlines()]
    dead = [json.loads(line) for line in dlq.read_text().splitlines()]
    assert len(published) == 3 and len(dead) == 1
    header_text = json.dumps([p["headers"] for p in published])
    holds('"email"' in header_text, "the declared ordinary name is not in the headers as it is")
    no_leak(header_text, json.dumps(dead[0]["error"]), printed.out, printed.err)
    assert dead[0]["error"]["frames"].startswith("pipeline/core/transform.py:")


def test_name_digest_command_matches_the_service(tmp_path: Path, capsys) -> None:
    proc = contacts(tmp_path)
    assert cli.main(["name-digest", EMAIL, "id"]) == 0
    printed = capsys.readouterr().out.split()
    holds(printed == [proc.names.digest(EMAIL), proc.names.digest("id")], "name-digest differs from the service")
    holds(proc.names.column("public.contacts", EMAIL) == printed[0], "the service shows another digest")
    holds(SafeNames(HASH_KEY.encode()).digest(EMAIL) == printed[0], "not keyed by the hash key")


# --- diagnostics -----------------------------------------------------------------------


def test_dead_letters_keep_the_failures_own_frames_and_no_values(tmp_path: Path) -> None:
    proc = contacts(tmp_path)
    bad = row(1)
    bad["id"] = "not-a-number"
    dead = proc.process(record("pg.public.contacts", with_schema(bad, {"id": "int64"}), key={"id": 1}))
    holds(isinstance(dead, DeadLetter), "not dead-lettered")
    letter = dict(dead_letter_record(dead, "cdr.dlq", now_ms=1).headers)
    where = (letter[H_FRAMES] or b"").decode()
    assert (
        where.startswith("pipeline/core/transform.py:")
        and "(_check)" in where
        and "pipeline/core/processor.py:" in where
    )
    holds("not-a-number" not in where + (letter[H_MESSAGE] or b"").decode(), "the value is in the diagnostic")


def test_loop_diagnostics_name_type_and_frames_never_the_message(tmp_path: Path) -> None:
    secret = "".join(["hidden", "-", "value"])

    def fail() -> None:
        raise ValueError(secret)

    try:
        fail()
    except ValueError as exc:
        text = diagnostic(exc)
        assert text.startswith("ValueError") and secret not in text
        assert frames(exc) == ""  # a test module's frames are not the project's code
    from pipeline.runtime.filemode import FileLoopError, process_file

    with pytest.raises(FileLoopError) as info:  # the input is a directory: fails outside the per-record net
        process_file(None, tmp_path, tmp_path / "o.jsonl", tmp_path / "d.jsonl")  # type: ignore[arg-type]
    assert "pipeline/runtime/filemode.py:" in str(info.value) and "Error at" in str(info.value)


def test_the_service_logs_undeclared_columns_and_dead_letters_by_safe_name(tmp_path: Path) -> None:
    """The service's own log lines (undeclared_column, dead_letter with its frames), from a
    real Service whose clients are never asked to reach a broker."""
    from pipeline.config import Config
    from pipeline.runtime.service import Service

    with Keep() as lines:
        proc = contacts(tmp_path, "mask")
        config = Config(kafka={"bootstrap.servers": "127.0.0.1:9"}, schemas_dir=tmp_path / "s")
        service = Service(config, proc, Metrics(names=proc.names))
        try:
            published = proc.process(record("pg.public.contacts", envelope(row(1)), key={"id": 1}))
            holds(isinstance(published, Published), "not published")
            service._log_undeclared(published)  # type: ignore[arg-type]
            bad = row(2)
            bad[PHONE] = 5
            dead = proc.process(record("pg.public.contacts", with_schema(bad, {"id": "int64"}), key={"id": 2}))
            holds(isinstance(dead, DeadLetter), "not dead-lettered")
            service._dispatch(dead.source, None, dead)
        finally:
            service.producer.purge()
            service.consumer.close()
    events = [json.loads(line) for line in lines if line.startswith("{")]
    undeclared = [e for e in events if e.get("event") == "undeclared_column"]
    holds(len(undeclared) == len(PLANTED) + 1, "not every undeclared column logged once")
    holds(sum(e["column"].startswith(PREFIX) for e in undeclared) == len(PLANTED), "a planted column logged as is")
    dead_lines = [e for e in events if e.get("event") == "dead_letter"]
    holds(
        len(dead_lines) == 1 and dead_lines[0]["frames"].startswith("pipeline/core/transform.py:"), "no frames logged"
    )
    no_leak(*lines)


def test_the_service_logs_each_undeclared_column_once_as_records_repeat_and_a_new_one_when_it_comes(
    tmp_path: Path,
) -> None:
    """The service skips a report whose names it logged last for the table (known by
    identity): a new column, in a new report, is still logged, once."""
    from pipeline.config import Config
    from pipeline.runtime.service import Service

    with Keep() as lines:
        proc = contacts(tmp_path, "mask")
        config = Config(kafka={"bootstrap.servers": "127.0.0.1:9"}, schemas_dir=tmp_path / "s")
        service = Service(config, proc, Metrics(names=proc.names))
        try:
            for i in range(3):
                published = proc.process(record("pg.public.contacts", envelope(row(i)), key={"id": i}))
                holds(isinstance(published, Published), "not published")
                service._log_undeclared(published)  # type: ignore[arg-type]
            logged = len([line for line in lines if '"undeclared_column"' in line])
            wider = proc.process(record("pg.public.contacts", envelope({**row(3), "nickname": "x"}), key={"id": 3}))
            holds(isinstance(wider, Published), "not published")
            for _ in range(2):
                service._log_undeclared(wider)  # type: ignore[arg-type]
        finally:
            service.producer.purge()
            service.consumer.close()
    undeclared = [json.loads(line) for line in lines if '"undeclared_column"' in line]
    holds(logged == len(PLANTED) + 1, "a repeated record's undeclared columns logged again")
    holds(len(undeclared) == logged + 1, "the new column not logged, or logged twice")
    no_leak(*lines)


def test_sealed_dead_letters_seal_header_names_too() -> None:
    from pipeline.core.events import SourceRecord

    source = SourceRecord("pg.public.contacts", 0, 3, b"{}", b"{}", ((EMAIL, b"x"), ("__op", None)), 1)
    dead = DeadLetter(source, "decode", "invalid_json", "DecodeError", f"field {PERSON!r} is wrong")
    sealer = DeadLetterSealer.from_config("hex:" + "42" * 32)
    sealed = dead_letter_record(dead, "cdr.dlq", now_ms=1, sealer=sealer)
    no_leak(*(name for name, _ in sealed.headers), *(v for _, v in sealed.headers))
    holds(original_record(sealed.key, sealed.value, list(sealed.headers), sealer) == source, "does not reopen")
    # Without a key the last line of defence still keeps unusual quoted names out.
    plain = dict(dead_letter_record(dead, "cdr.dlq", now_ms=1).headers)
    no_leak(plain[H_MESSAGE])


def test_a_column_named_with_names_no_list_knows_is_personal_and_column_words_are_not() -> None:
    from pipeline.core.safenames import looks_personal

    assert looks_personal("kenji_okafor") and looks_personal("priya_nakamura")
    for plain in ("ship_via", "cust_nm", "order_status", "xref_cd", "created_at", "utm_source", "acct_typ"):
        assert not looks_personal(plain), "an ordinary column name was taken for a person"


# --- topics nobody declared, named after a person ------------------------------------------

PERSON_TOPIC = ".".join(["pg", "public", "_".join(["jane", "roe"])])


def test_a_topic_named_after_a_person_has_a_safe_form_kafka_accepts() -> None:
    names = SafeNames(KEY.secret)
    shown = names.topic(PERSON_TOPIC)
    assert shown != PERSON_TOPIC and "roe" not in shown, "a person's topic name is shown as it is"
    assert re.fullmatch(r"topic-[0-9a-f]{10}", shown), "the safe form is not a topic- digest"
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,249}", shown), "the safe form is no valid Kafka topic name"
    assert SafeNames(KEY.secret).topic(PERSON_TOPIC) == shown, "the safe form changes between processes"
    assert SafeNames(b"another key of thirty-two bytes!!").topic(PERSON_TOPIC) != shown, "the form ignores the key"
    assert names.topic(shown) == shown, "a safe form is digested again"
    assert names.topic("pg.public.orders") == "pg.public.orders", "a plain topic is not shown as it is"


def test_a_declared_topic_is_shown_as_the_team_named_it(tmp_path: Path) -> None:
    decl = DECL.format(undeclared="detect").replace("pg.public.contacts", PERSON_TOPIC)
    processor = make_processor(tmp_path, {"contacts.yaml": decl})
    assert processor.names.topic(PERSON_TOPIC) == PERSON_TOPIC, "a declared topic is digested"


def test_a_topic_nobody_declared_goes_out_and_is_labelled_in_its_safe_form(tmp_path: Path) -> None:
    processor = make_processor(tmp_path, {}, default_topics=True, detection=PATTERNS_ONLY)
    value = {"before": None, "after": {"id": 1}, "op": "c", "source": {"table": "jane_roe"}}
    outcome = processor.process(record(PERSON_TOPIC, value, key={"id": 1}, offset=7))
    assert isinstance(outcome, Published), type(outcome).__name__
    (out,) = outcome.records
    shown = processor.names.topic(PERSON_TOPIC)
    assert out.topic == f"cdr.default.{shown}", "the CDR topic is not made from the safe form"
    assert dict(out.headers)["cdr.source"] == f"{shown}/0/7".encode(), "cdr.source names the topic as it is"
    assert "roe" not in outcome.report.table, "the table a default declaration makes is named after the person"
    metrics = Metrics(names=processor.names)
    metrics.consumed_from(PERSON_TOPIC)
    metrics.record_outcome(outcome)
    metrics.set_lag(PERSON_TOPIC, 0, 3)
    exposed = generate_latest(metrics.registry).decode()
    assert "roe" not in exposed, "a metric label names the topic as it is"
    assert shown in exposed, "the topic's metrics are not labelled by its safe form"


def test_a_dead_letter_names_an_undeclared_persons_topic_in_its_safe_form(tmp_path: Path) -> None:
    processor = make_processor(tmp_path / "a", {}, default_topics=True, detection=PATTERNS_ONLY)
    shown = processor.names.topic(PERSON_TOPIC)
    bad = record(PERSON_TOPIC, b"{not json", key={"id": 1}, offset=3)
    dead = processor.process(bad)
    assert isinstance(dead, DeadLetter), type(dead).__name__
    plain = dead_letter_record(dead, "cdr.dlq", now_ms=1)
    sealer = DeadLetterSealer.from_config("hex:" + "42" * 32)
    sealed = dead_letter_record(dead, "cdr.dlq", now_ms=1, sealer=sealer)
    for letter in (plain, sealed):
        blob = b" ".join(v or b"" for _, v in letter.headers) + b" " + b" ".join(n.encode() for n, _ in letter.headers)
        assert b"roe" not in blob, "a dead letter's headers name the topic as it is"
        assert dict(letter.headers)["__connect.errors.topic"] == shown.encode(), "the topic header is not the safe form"
    # Sealed: replay gets the topic back as it was. Not sealed: the safe form, which routes
    # to the same default table (its digest is its own safe form) or to a declaration made since.
    assert original_record(sealed.key, sealed.value, list(sealed.headers), sealer).topic == PERSON_TOPIC
    unsealed = original_record(plain.key, plain.value, list(plain.headers), None)
    assert unsealed.topic == shown
    fixed = json.dumps({"before": None, "after": {"id": 1}, "op": "c"}).encode()
    again = processor.process(unsealed._replace(value=fixed))
    assert isinstance(again, Published) and again.records[0].topic == f"cdr.default.{shown}", "replay went elsewhere"
    decl = DECL.format(undeclared="detect").replace("pg.public.contacts", PERSON_TOPIC)
    declared_since = make_processor(tmp_path / "b", {"contacts.yaml": decl})
    later = declared_since.process(unsealed._replace(value=fixed))
    assert isinstance(later, Published) and later.records[0].topic == "cdr.contacts.v1", (
        "a declaration made since is not found"
    )


def _connect(name: str, fields: list[dict]) -> dict:
    return {"type": "struct", "name": name, "optional": False, "fields": fields}


def _with_debezium_names(topic: str) -> tuple[dict, dict]:
    """A key and an envelope as Debezium's JsonConverter writes them: their struct names
    are made from the topic (``<topic>.Key``, ``<topic>.Value``, ``<topic>.Envelope``)."""
    ident = [{"field": "id", "type": "int32", "optional": False}]
    row = {**_connect(f"{topic}.Value", ident), "optional": True}
    envelope = _connect(
        f"{topic}.Envelope",
        [{**row, "field": "before"}, {**row, "field": "after"}, {"field": "op", "type": "string", "optional": False}],
    )
    value = {"schema": envelope, "payload": {"before": None, "after": {"id": 1}, "op": "c"}}
    return {"schema": _connect(f"{topic}.Key", ident), "payload": {"id": 1}}, value


@pytest.mark.parametrize("detection", ["off", "patterns"])
def test_schema_names_made_from_a_persons_topic_do_not_go_out(tmp_path: Path, detection: str) -> None:
    """Debezium names a record's structs after its topic: a topic shown in its safe form
    must not go out as it is in the CDR schema (embedded in JSON, an Avro record name)."""
    topics = [PERSON_TOPIC, ".".join(["pg", "crm", "maria", "lopez"]), ".".join(["t", "public", "4155550134"])]
    config = {"detection": PATTERNS_ONLY} if detection == "patterns" else {}
    processor = make_processor(tmp_path, {}, default_topics=True, **config)
    for n, topic in enumerate(topics):
        key, value = _with_debezium_names(topic)
        outcome = processor.process(record(topic, value, key=key))
        holds(isinstance(outcome, Published), f"topic #{n}: not published ({type(outcome).__name__})")
        (out,) = outcome.records
        blob = b" ".join([out.topic.encode(), out.key or b"", out.value or b""]).lower()
        last = topic.rsplit(".", 1)[1].encode()
        holds(last not in blob, f"topic #{n}: the CDR schema names the source topic as it is")
        holds(b'"type":"struct"' in (out.value or b""), f"topic #{n}: the CDR schema is gone")


def test_the_policy_header_is_not_a_plain_hash_of_a_persons_topic(tmp_path: Path) -> None:
    """cdr.policy is an unkeyed hash of the table's declaration: with a topic nobody
    declared as it is in it, anyone holding a list of names could confirm which one the
    topic is. The default declaration names the topic by its safe form there too."""
    processor = make_processor(tmp_path, {}, default_topics=True)
    outcome = processor.process(record(PERSON_TOPIC, {"before": None, "after": {"id": 1}, "op": "c"}, key={"id": 1}))
    assert isinstance(outcome, Published), type(outcome).__name__
    header = dict(outcome.records[0].headers)["cdr.policy"].decode()
    table = processor.table_for(PERSON_TOPIC)
    assert table is not None
    policy = table.policy
    effective = {name: policy._declared_spec(name) for name in table.decl.columns}
    extra = f"{policy.undeclared_spec().as_data()}|{policy.settings.hash_key.key_id}"
    guessed = fingerprint(dataclasses.replace(table.decl, source_topic=PERSON_TOPIC), effective, extra)
    holds(header != guessed, "cdr.policy confirms a guess of the topic's name without the key")


def test_avro_record_names_made_from_a_persons_topic_are_not_registered(tmp_path: Path) -> None:
    """The Avro format: records Debezium named ``<topic>.Value`` are registered under the
    CDR topic's subject without the topic's name, and still encode."""
    topic = ".".join(["pg", "crm", "maria", "lopez"])
    row = {"type": "record", "name": "Value", "namespace": topic, "fields": [{"name": "id", "type": "int"}]}
    envelope = {
        "type": "record",
        "name": "Envelope",
        "namespace": topic,
        "connect.name": f"{topic}.Envelope",
        "fields": [
            {"name": "before", "type": ["null", {**row, "connect.name": f"{topic}.Value"}], "default": None},
            {"name": "after", "type": ["null", f"{topic}.Value"], "default": None},
            {"name": "op", "type": "string"},
        ],
    }
    key = {"type": "record", "name": "Key", "namespace": topic, "connect.name": f"{topic}.Key", "fields": row["fields"]}
    registry = MemoryRegistry()
    plain = make_processor(tmp_path, {}, default_topics=True)
    processor = Processor(plain.declarations, dataclasses.replace(plain.settings, codec=AvroCodec(registry)))  # type: ignore[arg-type]
    value = avro_bytes(registry, envelope, {"before": None, "after": {"id": 1}, "op": "c"})
    source = SourceRecord(topic, 0, 1, avro_bytes(registry, key, {"id": 1}), value, (), 1)
    sent = set(registry.schemas)
    outcome = processor.process(source)
    holds(isinstance(outcome, Published), f"not published ({type(outcome).__name__})")
    (out,) = outcome.records
    holds(read_avro(registry, out.value or b"")[1]["after"] is not None, "the CDR record does not read back")
    registered = " ".join(registry.schemas[i] for i in registry.schemas if i not in sent) + " ".join(registry.subjects)
    holds("lopez" not in registered.lower(), "a registered schema or subject names the source topic as it is")


def test_a_two_part_topic_named_after_a_person_is_digested() -> None:
    """A topic of two parts has no prefix an operator chose: read whole, as a person's
    name it is shown in its safe form; ordinary two-part topics stay as they are."""
    names = SafeNames(KEY.secret)
    for n, topic in enumerate([".".join(["maria", "lopez"]), ".".join(["jane", "roe"])]):
        holds(names.topic(topic) != topic, f"two-part topic #{n} named after a person is shown as it is")
    for topic in ("inventory.customers", "pg.orders", "sales.kim", "orders.archive"):
        assert names.topic(topic) == topic, f"{topic} is not shown as it is"


def test_the_service_logs_a_persons_topic_partitions_by_their_safe_form(tmp_path: Path) -> None:
    """Partitions assigned, revoked and lost are logged by the topic's safe form alike."""
    from confluent_kafka import TopicPartition

    from pipeline.config import Config
    from pipeline.runtime.service import Service

    with Keep() as lines:
        proc = make_processor(tmp_path / "s", {}, default_topics=True)
        config = Config(kafka={"bootstrap.servers": "127.0.0.1:9"}, schemas_dir=tmp_path / "s")
        service = Service(config, proc, Metrics(names=proc.names))
        try:
            for handler in (service._on_assign, service._on_revoke, service._on_assign, service._on_lost):
                handler(service.consumer, [TopicPartition(PERSON_TOPIC, 0)])  # type: ignore[arg-type]
        finally:
            service.producer.purge()
            service.consumer.close()
    events = {json.loads(line).get("event") for line in lines if line.startswith("{")}
    holds({"partitions_assigned", "partitions_revoked", "partitions_lost"} <= events, "a partition event not logged")
    holds(not any("roe" in line for line in lines), "a partition log line names the topic as it is")


def test_workers_route_a_persons_topic_by_the_table_the_processor_reads_it_as(tmp_path: Path) -> None:
    """``cdr process --workers``: every record of a table goes to one worker. A topic shown
    in its safe form is read as the table of that form (``default.topic-...``), which a
    topic literally so named shares: the router must group them as the processor does."""
    from pipeline.runtime.fileworkers import Router

    processor = make_processor(tmp_path, {"contacts.yaml": DECL.format(undeclared="mask")}, default_topics=True)
    shown = processor.names.topic(PERSON_TOPIC)
    router = Router(processor.declarations, True, 2, processor.names.topic)
    for n, topic in enumerate([PERSON_TOPIC, shown, f"x.default.{shown}", "pg.public.orders", "pg.public.contacts"]):
        table = processor.table_for(topic)
        assert table is not None
        holds(router.table(topic) == table.decl.table, f"topic #{n}: routed apart from the table it is read as")


def test_the_source_block_does_not_spell_out_a_topic_shown_in_its_safe_form(tmp_path: Path) -> None:
    """Debezium's source block and its add.headers name the topic's parts (``schema``,
    ``table``): each part of a person's name passes a per-value check alone, together they
    spell the topic its safe form hides."""
    first, last = "maria", "lopez"
    topic = ".".join(["pg", "crm", first, last])
    processor = make_processor(tmp_path, {}, default_topics=True, headers_passthrough=["__table", "__schema"])
    source = {"connector": "postgresql", "name": "pg", "db": "crm", "schema": first, "table": last, "ts_ms": 1}
    value = {"before": None, "after": {"id": 1}, "op": "c", "source": source}
    headers = [("__table", last.encode()), ("__schema", first.encode())]
    outcome = processor.process(record(topic, value, key={"id": 1}, headers=headers))
    holds(isinstance(outcome, Published), f"not published ({type(outcome).__name__})")
    (out,) = outcome.records
    blob = b" ".join([out.value or b"", *(v or b"" for _, v in out.headers)])
    holds(last.encode() not in blob and first.encode() not in blob, "the source block spells the topic out")
    holds(json.loads(out.value or b"{}")["source"]["connector"] == "postgresql", "the source block is gone")


@pytest.mark.parametrize(
    "topic",
    [
        "server1.DEBEZIUM.CUSTOMERS",  # Oracle: schema and table in capitals
        "oracle.HR.EMPLOYEES",
        "oracle.PM.ONLINE_MEDIA",
        "sqlserver.Sales.Store",  # SQL Server: CamelCase
        "sqlserver.HumanResources.Employee",
        "sqlserver.Person.Person",
        "pg.Public.Orders",
        "dbserver1.inventory.customers",
        "inventory.customers",
    ],
)
def test_ordinary_topics_in_capitals_or_camel_case_are_shown_as_they_are(topic: str) -> None:
    assert SafeNames(KEY.secret).topic(topic) == topic


def test_a_persons_topic_is_digested_whatever_its_case() -> None:
    names = SafeNames(KEY.secret)
    first, last = "maria", "lopez"
    for person in (f"{first}.{last}", f"{first.title()}.{last.title()}", f"{first}_{last}".upper()):
        for topic in (f"pg.crm.{person}", f"shop.public.{person}"):
            assert names.topic(topic).startswith("topic-"), f"a person's topic is shown as it is ({len(topic)} chars)"
