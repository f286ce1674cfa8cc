"""Side channels of the tools: what ``cdr validate``, ``cdr scan``, ``cdr check``,
``cdr audit`` and the command line itself print or write, with personal values planted
in declarations, configs, records, SQL migrations and in column, table and topic *names*.

Each test runs the real CLI (``pipeline.tools.main.main``, in-process) and searches
everything it printed and wrote (stdout, stderr, proposal files and their names, metrics
files) with the ledger's normalised search. Each is one ledger case on the ``tool`` path.
Failure messages name the case and the indices of the values found, never a value.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from pipeline.tools import main as cli
from tests.security import values as v
from tests.security.events import change, encode
from tests.security.ledger import TALLY, Forms, Haystack
from tests.support import HASH_KEY

pytestmark = pytest.mark.security


def _run(*args: str) -> tuple[int | str, str, str]:
    """``cdr <args>`` in-process: (exit code or the crash's class, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: int | str = cli.main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:  # the class only: a message can quote the data
            code = f"crashed with {type(exc).__name__}"
    return code, out.getvalue(), err.getvalue()


def _judge(
    case_id: str, attack: str, planted: list[str], places: dict[str, list[str | bytes | None]], code: object = 0
) -> None:
    problems = [f"{case_id}: the command {code}"] if isinstance(code, str) else []
    forms = [Forms.of(p) for p in planted]
    for place, blobs in places.items():
        hay = Haystack(blobs)
        found = [j for j, f in enumerate(forms) if hay.holds(f) is not None]
        if found:
            problems.append(f"{case_id}: {len(found)} of {len(forms)} planted values found in {place} (#{found[:5]})")
    TALLY.record(case_id, attack, "tool", problems)
    if problems:
        pytest.fail(f"[{attack}] " + "\n".join(problems), pytrace=False)


def _files(folder: Path) -> tuple[list[str], list[str]]:
    """(contents, names) of every file under ``folder``."""
    paths = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
    return [p.read_text("utf-8", "replace") for p in paths], [p.name for p in paths]


# --- start-up errors: values pasted into declarations and configs ---------------------------


def test_validate_never_echoes_a_declared_value(tmp_path: Path) -> None:
    """A team pastes values where names of entities and treatments go: the refusal says
    where (file:line) and what is expected, never what was there."""
    r = v.rng("tool-validate-declaration-values")
    phone, person, email, ssn = v.phone(r), v.name(r), v.email(r), v.ssn_dashed(v.ssn(r))
    digits = str(r.randrange(10**10, 10**11))
    planted = [phone, person, email, ssn, digits]
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    doc = {
        "table": "public.t",
        "source_topic": "sec.t",
        "cdr_topic": "cdr.sec.t",
        "owner": int(digits),
        "columns": {
            "id": {"pii": "none"},
            "a": {"pii": phone},
            "b": {"pii": "free_text", "treatment": person},
            "c": {"pii": "none", "paths": {"x.y": {"pii": email}}},
            "d": {"pii": "US_SSN", "treatment": {"mask": {"char": ssn}}},
            "e": {"pii": "EMAIL_ADDRESS", "treatment": {"redact": {"text": 4}, "hash": ssn}},
        },
    }
    (schemas / "t.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    code, out, err = _run("validate", str(schemas))
    _judge("tool-validate-declaration-values", "hostile-declarations", planted, {"stdout/stderr": [out, err]}, code)
    assert code == 3, f"cdr validate exited {code}, not 3"


def test_config_errors_never_echo_a_key_or_value(tmp_path: Path) -> None:
    r = v.rng("tool-validate-config-values")
    person, email = v.name(r), v.email(r)
    planted = [person, email]
    (tmp_path / "schemas").mkdir()
    (tmp_path / "cdr.yaml").write_text(
        yaml.safe_dump({"schemas": "schemas", person: 1, "log_level": email, "detection": {email: True}}),
        encoding="utf-8",
    )
    code, out, err = _run("validate", "--config", str(tmp_path / "cdr.yaml"))
    _judge("tool-validate-config-values", "hostile-declarations", planted, {"stdout/stderr": [out, err]}, code)
    assert code == 3, f"cdr validate exited {code}, not 3"


def test_a_foreign_verdicts_file_is_refused_without_quoting_it(tmp_path: Path) -> None:
    """Control: a line that is not a verdict (it holds a record's values) stops the start,
    and the refusal names the file and line only."""
    r = v.rng("tool-foreign-verdicts-file")
    email, phone = v.email(r), v.phone(r)
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "t.yaml").write_text(
        "table: public.t\nsource_topic: sec.t\ncdr_topic: cdr.sec.t\nowner: o\ncolumns:\n  id: {pii: none}\n"
    )
    verdicts = tmp_path / "verdicts.jsonl"
    verdicts.write_text(json.dumps({"column": email, "withheld": phone}) + "\n" + json.dumps({email: phone}) + "\n")
    (tmp_path / "hash.key").write_text(HASH_KEY)
    hashing = {"key_file": str(tmp_path / "hash.key")}
    (tmp_path / "cdr.yaml").write_text(
        yaml.safe_dump({"schemas": "schemas", "hashing": hashing, "detection": {"verdicts_file": str(verdicts)}})
    )
    (tmp_path / "in.jsonl").write_text("")
    code, out, err = _run(
        "process", "--config", str(tmp_path / "cdr.yaml"), "--input", str(tmp_path / "in.jsonl"),
        "--output", str(tmp_path / "out.jsonl"),
    )  # fmt: skip
    _judge("tool-foreign-verdicts-file", "hostile-declarations", [email, phone], {"stdout/stderr": [out, err]}, code)
    assert code == 3, f"cdr process exited {code}: the foreign verdicts file was not refused"


# --- cdr scan: names from the data ----------------------------------------------------------

N = 80


def _scan_input(path: Path, r) -> list[str]:
    """Records of four tables: one with columns named with personal data (and a JSON column
    keyed by an e-mail), two whose source table is named with an e-mail or a person's name
    (dotted, as a login is), one whose topic is named after a person; the planted names."""
    email_col, person_col, phone_col = v.email(r, 1), v.name(r), v.phone(r)
    table_email, key_email = v.email(r, 2), v.email(r, 3)
    table_dotted = v.name(r).replace(" ", ".").lower()
    topic_person = v.name(r).replace(" ", "_").lower()
    lines = []

    def add(topic: str, n: int, value: dict) -> None:
        lines.append({"topic": topic, "partition": 0, "offset": n, "key": {"id": n}, "value": value})

    for n in range(N):
        after = {"id": n, email_col: n % 3, person_col: "gold", phone_col: n, "doc": json.dumps({key_email: {"p": 1}})}
        add("sec.public.t1", n, change("t1", after))
        add("sec.public.t2", n, change(table_email, {"id": n}))
        add("sec.public.t3", n, change(table_dotted, {"id": n}))
        add(f"sec.public.{topic_person}", n, {"id": n, "v": n % 4})
    path.write_bytes(b"".join(encode(line) + b"\n" for line in lines))
    return [email_col, person_col, phone_col, table_email, key_email, table_dotted, topic_person]


@pytest.mark.parametrize("keyed", [False, True])
def test_scan_shows_names_from_the_data_in_their_safe_form(tmp_path: Path, keyed: bool) -> None:
    """``cdr scan --out --schemas``: the tables printed, the comparison, the proposals
    written (contents and file names) never show a column, table or map key named with
    personal data."""
    case_id = "tool-scan-names" + ("-keyed" if keyed else "")
    planted = _scan_input(tmp_path / "in.jsonl", v.rng("tool-scan-names"))
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "t1.yaml").write_text(
        "table: public.t1\nsource_topic: sec.public.t1\ncdr_topic: cdr.sec.t1\nowner: o\ncolumns:\n  id: {pii: none}\n"
    )
    args = ["scan", "--input", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "proposals"), "--no-ner"]
    args += ["--schemas", str(schemas)]
    if keyed:
        (tmp_path / "hash.key").write_text(HASH_KEY)
        (tmp_path / "cdr.yaml").write_text(yaml.safe_dump({"hashing": {"key_file": str(tmp_path / "hash.key")}}))
        args += ["--config", str(tmp_path / "cdr.yaml")]
    code, out, err = _run(*args)
    contents, names = _files(tmp_path / "proposals")
    _judge(
        case_id,
        "names-are-data",
        planted,
        {"stdout/stderr": [out, err], "proposal files": list(contents), "proposal file names": ["\n".join(names)]},
        code,
    )
    assert isinstance(code, int), f"{case_id}: cdr scan {code}"
    assert "public.t1" in "\n".join(names) or any("public.t1" in c for c in contents), "no proposal for public.t1"


# --- cdr check --migration ------------------------------------------------------------------


def _migration_case(tmp_path: Path, sql: Callable[[list[str]], str], planted: list[str]) -> dict[str, list]:
    schemas = tmp_path / "schemas"
    schemas.mkdir(exist_ok=True)
    (schemas / "t.yaml").write_text(
        "table: public.t\nsource_topic: sec.public.t\ncdr_topic: cdr.sec.t\nowner: o\nkey: [id]\n"
        "columns:\n  id: {pii: none}\n  name: {pii: PERSON}\n"
    )
    migration = tmp_path / "m.sql"
    migration.write_text(sql(planted))
    printed: list[str | bytes | None] = []
    for fmt in ("table", "json", "sarif"):
        code, out, err = _run("check", str(schemas), "--no-revision", "--migration", str(migration), "--format", fmt)
        assert isinstance(code, int), f"cdr check --format {fmt} {code}"
        printed += [out, err]
    return {"stdout/stderr": printed}


def test_check_migration_shows_column_and_table_names_safely(tmp_path: Path) -> None:
    r = v.rng("tool-check-migration-names")
    planted = [v.email(r), v.phone(r), v.name(r), v.email(r, 1)]

    def sql(p: list[str]) -> str:
        return (
            f'ALTER TABLE public.t ADD COLUMN "{p[0]}" int;\n'
            f'ALTER TABLE public.t ADD COLUMN "{p[1]}" int NOT NULL;\n'
            f'ALTER TABLE public.t DROP CONSTRAINT t_pkey, ADD PRIMARY KEY ("{p[1]}", "{p[2]}");\n'
            f'ALTER TABLE public.t RENAME TO "{p[3]}";\n'
        )

    places = _migration_case(tmp_path, sql, planted)
    _judge("tool-check-migration-names", "names-are-data", planted, places)


def test_check_migration_syntax_error_does_not_quote_the_sql(tmp_path: Path) -> None:
    r = v.rng("tool-check-migration-syntax")
    planted = [v.email(r), v.ssn_dashed(v.ssn(r))]

    def sql(p: list[str]) -> str:
        return f"ALTER TABLE public.t ADD COLUMN x int;\nINSERT INTO public.t VALUES (1 '{p[0]}' '{p[1]}');\n"

    places = _migration_case(tmp_path, sql, planted)
    _judge("tool-check-migration-syntax", "hostile-declarations", planted, places)


# --- cdr audit: topic and field names ---------------------------------------------------------


def test_audit_shows_topic_and_field_names_safely(tmp_path: Path) -> None:
    r = v.rng("tool-audit-names")
    email_topic, person, email_field, phone = v.email(r), v.name(r), v.email(r, 1), v.phone(r)
    planted = [email_topic, person, email_field]
    lines = [
        {"topic": f"cdr.{email_topic}", "key": {"id": 1}, "value": {"id": 1, "plan": "gold"}},
        {"topic": f"cdr.{person.replace(' ', '_')}", "key": {"id": 2}, "value": {"plan": "gold"}},
        {"topic": "cdr.x", "key": {"id": 3}, "value": {email_field: phone}},
    ]
    planted.append(person.replace(" ", "_"))
    (tmp_path / "cdr.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, out, err = _run(
        "audit", "--input", str(tmp_path / "cdr.jsonl"), "--metrics-file", str(tmp_path / "audit.prom")
    )
    metrics = (tmp_path / "audit.prom").read_text() if (tmp_path / "audit.prom").exists() else ""
    _judge(
        "tool-audit-names", "names-are-data", planted, {"stdout/stderr": [out, err], "metrics file": [metrics]}, code
    )
    assert code == 1, f"cdr audit exited {code}: the phone number under a planted field name was not reported"


def test_audit_of_malformed_lines_does_not_crash_with_a_traceback(tmp_path: Path) -> None:
    """Lines that are JSON but not CDR records (a bare string, headers as a list, a lone
    surrogate): no Python traceback (its message and source lines), and the rest audited."""
    r = v.rng("tool-audit-malformed")
    email, phone = v.email(r), v.phone(r)
    text = (
        json.dumps(email)
        + "\n"
        + json.dumps({"topic": "cdr.x", "value": {"a": 1}, "headers": [email]})
        + "\n"
        + '{"topic": "cdr.x", "value": {"a": 1}, "headers": {"h": "\\ud800 '
        + phone
        + '"}}\n'
        + json.dumps({"topic": "cdr.x", "value": {"contact": email}})
        + "\n"
    )
    (tmp_path / "cdr.jsonl").write_text(text)
    code, out, err = _run("audit", "--input", str(tmp_path / "cdr.jsonl"))
    _judge("tool-audit-malformed", "envelope-shapes", [email, phone], {"stdout/stderr": [out, err]}, code)
    assert "Traceback" not in err, "cdr audit printed a traceback"
    assert code == 1 and "EMAIL_ADDRESS" in out, (
        f"cdr audit exited {code}: the e-mail in the last record was not reported"
    )
    assert "2 line(s) not CDR records" in out + err, "the malformed lines are not counted"


# --- the command line: an unexpected failure ------------------------------------------------


def test_an_unexpected_failure_prints_no_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any command that fails unexpectedly (a third-party exception quoting the value that
    caused it): the exit says the class and the project's frames, not the message."""
    r = v.rng("tool-unexpected-failure")
    email, ssn = v.email(r), v.ssn_dashed(v.ssn(r))

    def failing(args) -> int:
        raise ValueError(f"invalid literal for int() with base 10: {email!r} near {ssn}")

    monkeypatch.setitem(cli.COMMANDS, "validate", failing)
    code, out, err = _run("validate", str(tmp_path))
    _judge("tool-unexpected-failure", "hostile-declarations", [email, ssn], {"stdout/stderr": [out, err]}, code)
    assert code == 1, f"an unexpected failure exited {code}, not 1"
    assert "ValueError" in err, "the failure's class is not named"


# --- topics nobody declared, named after a person -----------------------------------------


def test_undeclared_topic_named_after_a_person(tmp_path: Path) -> None:
    r = v.rng("tool-undeclared-topic-names")
    person = v.name(r).replace(" ", "_").lower()
    (tmp_path / "schemas").mkdir()
    (tmp_path / "hash.key").write_text(HASH_KEY)
    (tmp_path / "cdr.yaml").write_text(
        yaml.safe_dump(
            {
                "schemas": "schemas",
                "hashing": {"key_file": "hash.key"},
                "undeclared_topics": {"policy": "default", "cdr_topic": "cdr.{topic}"},
            }
        )
    )
    topic = f"sec.public.{person}"
    lines = [
        {"topic": topic, "partition": 0, "offset": n, "key": {"id": n}, "value": change(person, {"id": n})}
        for n in range(N)
    ]
    lines.append({"topic": topic, "partition": 0, "offset": N, "key": {"id": N}, "value": [1, 2]})  # dead-lettered
    (tmp_path / "in.jsonl").write_bytes(b"".join(encode(line) + b"\n" for line in lines))
    code, out, err = _run(
        "process", "--config", str(tmp_path / "cdr.yaml"), "--input", str(tmp_path / "in.jsonl"),
        "--output", str(tmp_path / "out.jsonl"),
    )  # fmt: skip
    written = [(tmp_path / f).read_text() for f in ("out.jsonl", "out.dlq.jsonl") if (tmp_path / f).exists()]
    places = {"stdout/stderr": [out, err], "CDR and dead-letter files": written}
    _judge("tool-undeclared-topic-names", "names-are-data", [person], places, code)
    published = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(published) == N, f"{len(published)} of {N} records published"
    dead = (tmp_path / "out.dlq.jsonl").read_text().splitlines()
    assert len(dead) == 1, f"{len(dead)} dead letters, not 1"
    topics = {rec["topic"] for rec in published}
    assert len(topics) == 1 and re.fullmatch(r"cdr\.topic-[0-9a-f]{10}", topics.pop()), (
        "the CDR topic is not named by the source topic's safe form"
    )


def test_scan_shows_no_table_named_after_a_persons_topic(tmp_path: Path) -> None:
    """A table ``cdr scan`` names after a topic (its last two parts) is shown as the
    topic would be: ``<first>.<last>`` from ``pg.crm.<first>.<last>`` or the two-part
    topic itself is a person's name, in the tables printed and in the proposals."""
    r = v.rng("tool-scan-person-topic-tables")
    people = [v.name(r).replace(" ", ".").lower() for _ in range(2)]
    topics = [f"pg.crm.{people[0]}", people[1]]
    lines = [
        {
            "topic": t,
            "partition": 0,
            "offset": n,
            "key": {"id": n},
            "value": change("t", {"id": n, "code": "A"}, drop=("source",)),
        }
        for t in topics
        for n in range(N)
    ]
    (tmp_path / "in.jsonl").write_bytes(b"".join(encode(line) + b"\n" for line in lines))
    (tmp_path / "schemas").mkdir()
    code, out, err = _run(
        "scan", "--input", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "proposals"), "--no-ner",
        "--schemas", str(tmp_path / "schemas"),
    )  # fmt: skip
    contents, file_names = _files(tmp_path / "proposals")
    places = {"stdout/stderr": [out, err], "proposals": contents, "proposal file names": file_names}
    _judge("tool-scan-person-topic-tables", "names-are-data", people, places, code)


def test_audit_shows_no_two_part_topic_named_after_a_person(tmp_path: Path) -> None:
    """A topic read from a file is judged as the service judges a topic (a two-part
    ``<first>.<last>`` whole too), in the table printed and in the metrics file."""
    r = v.rng("tool-audit-person-topic")
    person = v.name(r).replace(" ", ".").lower()
    lines = [{"topic": person, "key": {"id": n}, "value": {"id": n, "code": "A"}} for n in range(3)]
    (tmp_path / "cdr.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, out, err = _run(
        "audit", "--input", str(tmp_path / "cdr.jsonl"), "--metrics-file", str(tmp_path / "audit.prom")
    )
    metrics = (tmp_path / "audit.prom").read_text() if (tmp_path / "audit.prom").exists() else ""
    places = {"stdout/stderr": [out, err], "metrics file": [metrics]}
    _judge("tool-audit-person-topic", "names-are-data", [person], places, code)
    assert "topic-" in out, "the topic is not shown by its safe form"
