"""Versioned CDR topics with a sunset: a declaration names the version it replaces; until
the sunset the processor publishes every record on both topics, each under its own
declaration; from the sunset on, only the new one; cdr check then asks for the old file
to go, and a successor is not a rename."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.config import default_treatments
from pipeline.contracts.sunset import sunset_findings
from pipeline.core.declaration import in_force
from pipeline.core.entities import BUILTIN_ENTITIES
from pipeline.core.events import DeadLetter, Published
from pipeline.declarations.loader import load_declarations
from pipeline.errors import InvalidFilesError
from pipeline.tools.main import main
from tests.support import digest, doc, make_processor, record, write_declarations

V1 = """\
table: public.users
source_topic: pg.public.users
cdr_topic: cdr.users.v1
owner: identity
columns:
  id:    {pii: none}
  email: {pii: EMAIL_ADDRESS, treatment: {mask: {keep_first: 2}}}
  plan:  {pii: none}
"""
V2 = """\
table: public.users
source_topic: pg.public.users
cdr_topic: cdr.users.v2
owner: identity
replaces: {{cdr_topic: cdr.users.v1, sunset: "{sunset}"}}
columns:
  id:    {{pii: none}}
  email: {{pii: EMAIL_ADDRESS, treatment: hash}}
  plan:  {{pii: none, treatment: drop}}
"""
ROW = {"id": 7, "email": "ann@example.com", "plan": "gold"}


def files(sunset: str) -> dict[str, str]:
    return {"users.v1.yaml": V1, "users.v2.yaml": V2.format(sunset=sunset)}


def test_loads_with_the_old_version_retiring(tmp_path: Path) -> None:
    decls = load_declarations(
        write_declarations(tmp_path / "s", files("2999-01-01")), BUILTIN_ENTITIES, default_treatments()
    )
    assert decls.for_topic("pg.public.users").cdr_topic == "cdr.users.v2"
    (old,) = decls.retiring["pg.public.users"]
    assert (old.cdr_topic, old.sunset) == ("cdr.users.v1", "2999-01-01")
    assert in_force(decls, date(2999, 1, 1)).retiring == {}
    assert in_force(decls, date(2998, 12, 31)).retiring["pg.public.users"] == (old,)


def test_both_versions_are_published_each_under_its_own_rules(tmp_path: Path) -> None:
    proc = make_processor(tmp_path / "s", files("2999-01-01"))
    out = proc.process(record("pg.public.users", {"op": "c", "before": None, "after": dict(ROW)}))
    assert isinstance(out, Published)
    by_topic = {r.topic: doc(r.value) for r in out.records}
    assert set(by_topic) == {"cdr.users.v1", "cdr.users.v2"}
    assert by_topic["cdr.users.v1"]["after"]["email"] == "an*************"  # v1: mask keep_first 2
    assert by_topic["cdr.users.v1"]["after"]["plan"] == "gold"
    assert by_topic["cdr.users.v2"]["after"]["email"] == digest("ann@example.com")  # v2: hash
    assert "plan" not in by_topic["cdr.users.v2"]["after"]  # v2: dropped


def test_after_the_sunset_only_the_new_version(tmp_path: Path) -> None:
    proc = make_processor(tmp_path / "s", files("2000-01-01"))
    out = proc.process(record("pg.public.users", {"op": "c", "before": None, "after": dict(ROW)}))
    assert isinstance(out, Published) and [r.topic for r in out.records] == ["cdr.users.v2"]


def test_a_record_one_version_cannot_treat_is_dead_lettered_whole(tmp_path: Path) -> None:
    v1 = V1.replace("plan:  {pii: none}", "plan:  {pii: none, treatment: {generalize: {bucket: 10}}}")
    proc = make_processor(tmp_path / "s", {"users.v1.yaml": v1, "users.v2.yaml": V2.format(sunset="2999-01-01")})
    out = proc.process(record("pg.public.users", {"op": "c", "before": None, "after": dict(ROW)}))
    assert isinstance(out, DeadLetter)  # "gold" cannot be bucketed by v1: nothing half published
    assert out.reason == "generalize_type"


@pytest.mark.parametrize(
    ("v2", "expected"),
    [
        (V2.format(sunset="2027-02-30"), "replaces.sunset: not a calendar date"),
        (
            V2.format(sunset="2999-01-01").replace("pg.public.users", "pg.public.other"),
            "must be another declaration of",
        ),
    ],
)
def test_bad_replaces(tmp_path: Path, v2: str, expected: str) -> None:
    root = write_declarations(tmp_path / "s", {"users.v1.yaml": V1, "users.v2.yaml": v2})
    with pytest.raises(InvalidFilesError) as info:
        load_declarations(root, BUILTIN_ENTITIES, default_treatments())
    assert any(expected in e.message for e in info.value.errors), [e.message for e in info.value.errors]


def test_check_asks_for_the_old_file_after_the_sunset(tmp_path: Path) -> None:
    decls = load_declarations(
        write_declarations(tmp_path / "s", files("2026-01-31")), BUILTIN_ENTITIES, default_treatments()
    )
    assert sunset_findings(decls, date(2026, 1, 30)) == []
    (f,) = sunset_findings(decls, date(2026, 1, 31))
    assert (f.rule, str(f.severity), f.topic, f.line) == ("TOPIC_SUNSET_PASSED", "warning", "cdr.users.v1", 3)
    assert f.file.endswith("users.v1.yaml")


def test_a_successor_is_not_a_breaking_rename(tmp_path: Path, capsys) -> None:
    import subprocess

    repo = tmp_path / "repo"
    (repo / "schemas").mkdir(parents=True)
    (repo / "schemas" / "users.v1.yaml").write_text(V1)
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "HOME": str(repo),
        "PATH": "/usr/bin:/bin",
    }
    for args in (("init", "-q", "-b", "main"), ("add", "."), ("commit", "-qm", "v1")):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    (repo / "schemas" / "users.v2.yaml").write_text(V2.format(sunset="2999-01-01"))
    assert main(["check", str(repo / "schemas"), "--format", "json"]) == 0
    import json

    report = json.loads(capsys.readouterr().out)
    assert {(f["rule"], f["severity"]) for f in report["findings"]} >= {
        ("TOPIC_VERSION_BUMP", "info"),
        ("FIELD_NO_DELETE", "info"),
    }


def test_catalog_shows_both_versions(tmp_path: Path) -> None:
    schemas = write_declarations(tmp_path / "s", files("2999-01-01"))
    assert main(["docs", str(schemas), "--out", str(tmp_path / "site")]) == 0
    old = (tmp_path / "site" / "cdr.users.v1.html").read_text()
    new = (tmp_path / "site" / "cdr.users.v2.html").read_text()
    assert "<b>Retiring</b>: published until 2999-01-01" in old
    assert "Replaces <code>cdr.users.v1</code>, published too until 2999-01-01" in new


@pytest.mark.parametrize(
    ("sunset", "replaces", "expected"),
    [
        # the successor promises cdr.users.v1 until 2999, but its declaration is gone: it stops now
        ("2999-01-01", True, ("TOPIC_NO_DELETE", "error")),
        # bumped in place, no sunset promised: the old topic's consumers still get nothing more
        (None, False, ("TOPIC_NO_DELETE", "warning")),
        # past the sunset: removing the old file is what TOPIC_SUNSET_PASSED asked for
        ("2020-01-01", True, None),
    ],
)
def test_a_bump_that_removes_the_old_version_says_its_topic_stops(
    tmp_path: Path, sunset: str | None, replaces: bool, expected: tuple[str, str] | None
) -> None:
    from pipeline.contracts.revdiff import Side, compare

    v2 = (
        V2.format(sunset=sunset)
        if replaces
        else V2.format(sunset="x").replace('replaces: {cdr_topic: cdr.users.v1, sunset: "x"}\n', "")
    )
    old = load_declarations(
        write_declarations(tmp_path / "o", {"users.yaml": V1}), BUILTIN_ENTITIES, default_treatments()
    )
    new = load_declarations(
        write_declarations(tmp_path / "n", {"users.yaml": v2}), BUILTIN_ENTITIES, default_treatments()
    )
    found = compare(Side(old, default_treatments()), Side(new, default_treatments()), today=date(2026, 6, 1))
    stops = [(f.rule, str(f.severity)) for f in found if f.topic == "cdr.users.v1"]
    assert stops == ([expected] if expected else [])
    if expected:
        (f,) = [f for f in found if f.topic == "cdr.users.v1"]
        assert "replaces: {cdr_topic: cdr.users.v1" in f.message  # says how to keep it
    # keeping the old file (the documented way) reports nothing of the kind
    kept = load_declarations(
        write_declarations(tmp_path / "k", {"users.v1.yaml": V1, "users.v2.yaml": V2.format(sunset="2999-01-01")}),
        BUILTIN_ENTITIES,
        default_treatments(),
    )
    found = compare(Side(old, default_treatments()), Side(kept, default_treatments()), today=date(2026, 6, 1))
    assert [f for f in found if f.topic == "cdr.users.v1"] == []


def test_an_older_version_still_published_is_compared_with_itself(tmp_path: Path) -> None:
    """cdr.users.v1 is published until its sunset: an edit to its file (a mask that keeps
    more, a field removed) breaks its consumers and weakens its protection like any other."""
    from pipeline.contracts.revdiff import Side, compare

    def side(name: str, files: dict[str, str]) -> Side:
        root = write_declarations(tmp_path / name, files)
        return Side(load_declarations(root, BUILTIN_ENTITIES, default_treatments()), default_treatments())

    v2 = V2.format(sunset="2999-01-01")
    weaker = V1.replace("keep_first: 2", "keep_first: 6").replace("  plan:  {pii: none}\n", "")
    today = date(2026, 6, 1)
    before = side("o", {"users.v1.yaml": V1, "users.v2.yaml": v2})
    found = compare(before, side("n", {"users.v1.yaml": weaker, "users.v2.yaml": v2}), today=today)
    got = {(f.rule, str(f.severity), f.topic, f.subject) for f in found}
    assert got == {
        ("FIELD_SAME_FORMAT", "error", "cdr.users.v1", "email"),
        ("PROTECTION_TREATMENT_NO_WEAKEN", "error", "cdr.users.v1", "email"),
        ("FIELD_NO_DELETE", "error", "cdr.users.v1", "plan"),
    }
    # the same edit made while bumping (v1 kept beside the new v2) is compared too
    found = compare(
        side("o2", {"users.v1.yaml": V1}), side("n2", {"users.v1.yaml": weaker, "users.v2.yaml": v2}), today=today
    )
    assert ("PROTECTION_TREATMENT_NO_WEAKEN", "error", "cdr.users.v1") in {
        (f.rule, str(f.severity), f.topic) for f in found
    }
    # v1 removed before its sunset: its consumers lose it early
    found = compare(before, side("n3", {"users.v2.yaml": v2}), today=today)
    assert [(f.rule, str(f.severity), f.topic) for f in found] == [("TOPIC_NO_DELETE", "error", "cdr.users.v1")]
    assert "2999-01-01" in found[0].message
    # ... but once the sunset has come, removing it is what TOPIC_SUNSET_PASSED asked for
    assert compare(before, side("n4", {"users.v2.yaml": v2}), today=date(2999, 1, 1)) == []


def test_a_sunset_brought_forward_is_reported(tmp_path: Path) -> None:
    """The consumers of cdr.users.v1 planned their move for its sunset: bringing it forward
    breaks them early; pushing it back does not."""
    from pipeline.contracts.revdiff import Side, compare

    def side(name: str, sunset: str) -> Side:
        root = write_declarations(tmp_path / name, files(sunset))
        return Side(load_declarations(root, BUILTIN_ENTITIES, default_treatments()), default_treatments())

    today = date(2026, 6, 1)
    found = compare(side("o", "2027-01-31"), side("n", "2026-07-01"), today=today)
    assert [(f.rule, str(f.severity), f.topic, f.line) for f in found] == [
        ("TOPIC_SUNSET_NO_ADVANCE", "error", "cdr.users.v1", 5)
    ]
    assert "2027-01-31 -> 2026-07-01" in found[0].message and found[0].file.endswith("users.v2.yaml")
    assert compare(side("o2", "2027-01-31"), side("n2", "2027-06-30"), today=today) == []
