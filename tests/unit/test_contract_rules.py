"""cdr check against a previous revision: one table row per rule, a (before, after)
declaration pair -> the findings (rule, severity, subject, line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import default_treatments
from pipeline.contracts.revdiff import Side, compare, is_version_bump, topic_version
from pipeline.contracts.rules import RULES, Category, Severity, exit_code
from pipeline.core.entities import BUILTIN_ENTITIES
from pipeline.declarations.loader import load_declarations
from tests.support import write_declarations

HEAD = """\
table: public.customers
source_topic: shop.public.customers
cdr_topic: {topic}
owner: crm
undeclared: {undeclared}
{extra}columns:
"""
BASE_COLUMNS = {
    "id": "{pii: none}",
    "email": "{pii: EMAIL_ADDRESS, treatment: hash}",
    "phone": "{pii: PHONE_NUMBER, treatment: {mask: {keep_last: 4}}}",
    "ssn": "{pii: US_SSN, treatment: drop}",
    "plan": "{pii: none}",
}


def text(
    columns: dict[str, str] | None = None,
    topic: str = "cdr.customers.v1",
    undeclared: str = "detect",
    extra: str = "",
) -> str:
    cols = BASE_COLUMNS if columns is None else columns
    body = "".join(f"  {name}: {spec}\n" for name, spec in cols.items())
    return HEAD.format(topic=topic, undeclared=undeclared, extra=extra) + body


def side(root: Path, decl: str | None) -> Side:
    files = {"customers.yaml": decl} if decl is not None else {}
    write_declarations(root, files)
    return Side(load_declarations(root, BUILTIN_ENTITIES, default_treatments()), default_treatments())


def check(tmp_path: Path, before: str | None, after: str | None) -> list[tuple[str, str, str, int]]:
    findings = compare(side(tmp_path / "old", before), side(tmp_path / "new", after))
    return [(f.rule, str(f.severity), f.subject, f.line) for f in findings]


def changed(**columns: str | None) -> dict[str, str]:
    out = dict(BASE_COLUMNS)
    for name, spec in columns.items():
        if spec is None:
            out.pop(name)
        else:
            out[name] = spec
    return out


KEY = "key: [id]\n"
# `columns:` is line 6 (plus one per extra line): id 7, email 8, phone 9, ssn 10, plan 11.
CASES = [
    ("unchanged", text(), text(), []),
    (
        "pure strengthening of a dropped column is not a change",
        text(),
        text(changed(ssn="{pii: US_SSN, treatment: drop}")),
        [],
    ),
    (
        "field removed: treatment drop",
        text(),
        text(changed(plan="{pii: none, treatment: drop}")),
        [("FIELD_NO_DELETE", "error", "plan", 11)],
    ),
    (
        "field removed: no longer declared (undeclared detect keeps it withheld, so it is a warning)",
        text(),
        text(changed(email=None)),
        [
            ("FIELD_NO_DELETE", "error", "email", 6),
            ("PROTECTION_COLUMN_NO_UNDECLARE", "warning", "email", 6),
        ],
    ),
    (
        "PII column undeclared under undeclared: pass",
        text(undeclared="pass"),
        text(changed(email=None), undeclared="pass"),
        [
            ("FIELD_NO_DELETE", "error", "email", 6),
            ("PROTECTION_COLUMN_NO_UNDECLARE", "error", "email", 6),
        ],
    ),
    (
        "field renamed",
        text(),
        text({("mail" if k == "email" else k): v for k, v in BASE_COLUMNS.items()}),
        [("FIELD_NO_RENAME", "error", "mail", 8), ("PROTECTION_COLUMN_NO_UNDECLARE", "warning", "email", 6)],
    ),
    (
        "retyped: pass -> mask makes a string of a source-typed field",
        text(),
        text(changed(plan="{pii: none, treatment: {mask: {keep_first: 2}}}")),
        [("FIELD_SAME_TYPE", "error", "plan", 11)],
    ),
    (
        "format: mask -> hash (both strings; stronger protection, still breaking)",
        text(),
        text(changed(phone="{pii: PHONE_NUMBER, treatment: hash}")),
        [("FIELD_SAME_FORMAT", "error", "phone", 9)],
    ),
    (
        "hash -> pass: format and protection",
        text(),
        text(changed(email="{pii: EMAIL_ADDRESS, treatment: pass}")),
        [("FIELD_SAME_TYPE", "error", "email", 8), ("PROTECTION_TREATMENT_NO_WEAKEN", "error", "email", 8)],
    ),
    (
        "drop -> tag: a field appears (not breaking) but protection is weakened",
        text(),
        text(
            changed(
                ssn="{pii: US_SSN, treatment: tag, override: {rule: high_risk_kept, reason: needed by fraud team, approved_by: dpo}}"
            )
        ),
        [("PROTECTION_TREATMENT_NO_WEAKEN", "error", "ssn", 10)],
    ),
    (
        "mask keeps more characters",
        text(),
        text(changed(phone="{pii: PHONE_NUMBER, treatment: {mask: {keep_first: 4}}}")),
        [("FIELD_SAME_FORMAT", "error", "phone", 9)],
    ),
    (
        "entity -> none",
        text(),
        text(changed(phone="{pii: none, treatment: {mask: {keep_last: 4}}}")),
        [("PROTECTION_ENTITY_NO_REMOVE", "error", "phone", 9)],
    ),
    (
        "undeclared policy loosened",
        text(),
        text(undeclared="pass"),
        [("PROTECTION_UNDECLARED_NO_LOOSEN", "error", "undeclared", 5)],
    ),
    ("undeclared policy tightened", text(), text(undeclared="block"), []),
    (
        "topic renamed",
        text(),
        text(topic="cdr.crm.customers"),
        [("TOPIC_NO_RENAME", "error", "", 3)],
    ),
    (
        "declaration deleted",
        text(),
        None,
        [("TOPIC_NO_DELETE", "error", "", 1)],
    ),
    (
        "key columns changed",
        text(extra=KEY),
        text(changed(plan="{pii: none}"), extra="key: [id, plan]\n"),
        [("KEY_SAME_FIELDS", "error", "key", 6)],
    ),
    (
        "key column encoding: kept -> hashed",
        text(extra=KEY),
        text(changed(id="{pii: none, treatment: hash}"), extra=KEY),
        [("FIELD_SAME_TYPE", "error", "id", 8), ("KEY_SAME_ENCODING", "error", "id", 8)],
    ),
    (
        "version bump: breaking changes drop to info",
        text(),
        text(changed(plan="{pii: none, treatment: drop}"), topic="cdr.customers.v2"),
        [
            ("TOPIC_VERSION_BUMP", "info", "", 3),
            ("TOPIC_NO_DELETE", "warning", "", 3),  # bumped in place: cdr.customers.v1 stops
            ("FIELD_NO_DELETE", "info", "plan", 11),
        ],
    ),
    (
        "a version bump does not excuse weakened protection",
        text(),
        text(changed(email="{pii: EMAIL_ADDRESS, treatment: tag}"), topic="cdr.customers.v2"),
        [
            ("TOPIC_VERSION_BUMP", "info", "", 3),
            ("TOPIC_NO_DELETE", "warning", "", 3),
            ("FIELD_SAME_TYPE", "info", "email", 8),
            ("PROTECTION_TREATMENT_NO_WEAKEN", "error", "email", 8),
        ],
    ),
    (
        "compatibility NONE: contract findings are info",
        text(extra="compatibility: NONE\n"),
        text(changed(plan="{pii: none, treatment: drop}"), extra="compatibility: NONE\n"),
        [("FIELD_NO_DELETE", "info", "plan", 12)],
    ),
    (
        "approved weakening is info",
        text(),
        text(
            changed(email="{pii: EMAIL_ADDRESS, treatment: {mask: {keep_last: 4}}}"),
            extra="approvals:\n  - {rule: PROTECTION_TREATMENT_NO_WEAKEN, column: email, reason: support looks up by domain, approved_by: dpo}\n",
        ),
        [("FIELD_SAME_FORMAT", "error", "email", 10), ("PROTECTION_TREATMENT_NO_WEAKEN", "info", "email", 10)],
    ),
    (
        "an approval for another column covers nothing",
        text(),
        text(
            changed(email="{pii: EMAIL_ADDRESS, treatment: {mask: {keep_last: 4}}}"),
            extra="approvals:\n  - {rule: PROTECTION_TREATMENT_NO_WEAKEN, column: phone, reason: support looks up by domain, approved_by: dpo}\n",
        ),
        [("FIELD_SAME_FORMAT", "error", "email", 10), ("PROTECTION_TREATMENT_NO_WEAKEN", "error", "email", 10)],
    ),
    (
        "generalize to a finer date",
        text(changed(born="{pii: DATE_OF_BIRTH, treatment: {generalize: {to: year}}}")),
        text(changed(born="{pii: DATE_OF_BIRTH, treatment: {generalize: {to: month}}}")),
        [("FIELD_SAME_FORMAT", "error", "born", 12), ("PROTECTION_TREATMENT_NO_WEAKEN", "error", "born", 12)],
    ),
    (
        "compatibility loosened to NONE in the same change: judged under the old mode, and reported",
        text(),
        text(changed(plan="{pii: none, treatment: drop}"), extra="compatibility: NONE\n"),
        [("FIELD_NO_DELETE", "error", "plan", 12), ("TOPIC_COMPATIBILITY_NO_LOOSEN", "error", "compatibility", 6)],
    ),
    (
        "compatibility loosened alone (a later change would break consumers at info level)",
        text(extra="compatibility: FULL\n"),
        text(extra="compatibility: BACKWARD\n"),
        [("TOPIC_COMPATIBILITY_NO_LOOSEN", "error", "compatibility", 6)],
    ),
    ("compatibility tightened", text(), text(extra="compatibility: FULL\n"), []),
    (
        "compatibility loosened with a version bump: the new topic starts under the new mode",
        text(),
        text(extra="compatibility: NONE\n", topic="cdr.customers.v2"),
        [
            ("TOPIC_VERSION_BUMP", "info", "", 3),
            ("TOPIC_NO_DELETE", "warning", "", 3),
            ("TOPIC_COMPATIBILITY_NO_LOOSEN", "info", "compatibility", 6),
        ],
    ),
    (
        "JSON path declared on a passed document: that leaf's value format changes for consumers",
        text(changed(profile="{pii: none, paths: {a.email: {pii: EMAIL_ADDRESS, treatment: hash}}}")),
        text(
            changed(
                profile="{pii: none, paths: {a.email: {pii: EMAIL_ADDRESS, treatment: hash}, a.phone: {pii: PHONE_NUMBER, treatment: redact}}}"
            )
        ),
        [("FIELD_SAME_FORMAT", "error", "profile:a.phone", 12)],
    ),
    (
        "JSON path removed from a passed document: that leaf goes out raw",
        text(changed(profile="{pii: none, paths: {a.email: {pii: EMAIL_ADDRESS, treatment: hash}}}")),
        text(changed(profile="{pii: none}")),
        [
            ("FIELD_SAME_FORMAT", "error", "profile:a.email", 12),
            ("PROTECTION_ENTITY_NO_REMOVE", "error", "profile:a.email", 12),
        ],
    ),
    (
        "source_topic changed (connector renamed), cdr_topic kept: still compared column by column",
        text(),
        text(changed(email="{pii: EMAIL_ADDRESS, treatment: pass}")).replace("shop.public", "shop2.public"),
        [
            ("TOPIC_SOURCE_CHANGED", "warning", "", 2),
            ("FIELD_SAME_TYPE", "error", "email", 8),
            ("PROTECTION_TREATMENT_NO_WEAKEN", "error", "email", 8),
        ],
    ),
    (
        "table changed under the same topics: --migration and --dsn now check another table",
        text(),
        text().replace("table: public.customers", "table: public.customer"),
        [("TOPIC_SOURCE_CHANGED", "warning", "", 1)],
    ),
    (
        "JSON path leaf undeclared and retreated",
        text(
            changed(
                profile="{pii: free_text, treatment: redact_detected, paths: {a.email: {pii: EMAIL_ADDRESS, treatment: hash}, a.ip: {pii: IP_ADDRESS, treatment: redact}}}"
            )
        ),
        text(
            changed(
                profile="{pii: free_text, treatment: redact_detected, paths: {a.ip: {pii: IP_ADDRESS, treatment: hash}}}"
            )
        ),
        [
            ("FIELD_SAME_FORMAT", "error", "profile:a.ip", 12),
            ("FIELD_SAME_FORMAT", "error", "profile:a.email", 12),  # hash -> the document's redact_detected
            ("PROTECTION_ENTITY_NO_REMOVE", "error", "profile:a.email", 12),
            ("PROTECTION_TREATMENT_NO_WEAKEN", "error", "profile:a.ip", 12),
        ],
    ),
]


@pytest.mark.parametrize(("before", "after", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_table(tmp_path: Path, before: str, after: str | None, expected: list) -> None:
    assert sorted(check(tmp_path, before, after)) == sorted(expected)


@pytest.mark.parametrize(
    ("mode", "severity"), [("BACKWARD", "error"), ("FULL", "error"), ("FORWARD", "info"), ("NONE", "info")]
)
def test_added_required_field_depends_on_the_mode(tmp_path: Path, mode: str, severity: str) -> None:
    """Optionality is known only from source types: the new column is NOT NULL (and was
    dropped as undeclared before it was declared)."""
    decl_old = text(undeclared="drop", extra=f"compatibility: {mode}\n")
    decl_new = text(changed(rating="{pii: none}"), undeclared="drop", extra=f"compatibility: {mode}\n")
    sources = {
        "public.customers": {"id": {"type": "int32", "optional": False}, "rating": {"type": "int32", "optional": False}}
    }
    findings = compare(side(tmp_path / "o", decl_old), side(tmp_path / "n", decl_new), sources)
    assert [(f.rule, str(f.severity), f.subject) for f in findings] == [("FIELD_NO_ADD_REQUIRED", severity, "rating")]


@pytest.mark.parametrize(
    ("mode", "rule", "severity"),
    [
        ("BACKWARD", "FIELD_NO_MAKE_OPTIONAL", "info"),
        ("FORWARD", "FIELD_NO_MAKE_OPTIONAL", "error"),
        ("FULL", "FIELD_NO_MAKE_OPTIONAL", "error"),
    ],
)
def test_required_to_optional_depends_on_the_mode(tmp_path: Path, mode: str, rule: str, severity: str) -> None:
    extra = f"compatibility: {mode}\n"
    decl_old = text(extra=extra)
    decl_new = text(changed(email="{pii: EMAIL_ADDRESS, treatment: null}"), extra=extra)
    sources = {"public.customers": {"email": {"type": "string", "optional": False}}}
    found = {
        (f.rule, str(f.severity))
        for f in compare(side(tmp_path / "o", decl_old), side(tmp_path / "n", decl_new), sources)
    }
    assert (rule, severity) in found


def test_an_approval_from_an_earlier_change_does_not_cover_a_new_weakening(tmp_path: Path) -> None:
    approval = "approvals:\n  - {rule: PROTECTION_TREATMENT_NO_WEAKEN, column: email, reason: support looks up by domain, approved_by: dpo}\n"
    masked = changed(email="{pii: EMAIL_ADDRESS, treatment: {mask: {keep_last: 4}}}")
    passed = changed(email="{pii: EMAIL_ADDRESS, treatment: pass}")
    findings = compare(
        side(tmp_path / "o", text(masked, extra=approval)), side(tmp_path / "n", text(passed, extra=approval))
    )
    weakened = [f for f in findings if f.rule == "PROTECTION_TREATMENT_NO_WEAKEN"]
    assert [str(f.severity) for f in weakened] == ["error"]


def test_declaring_a_withheld_column_is_not_a_format_break(tmp_path: Path) -> None:
    sources = {"public.customers": {"rating": {"type": "int32", "optional": False}}}
    findings = compare(side(tmp_path / "o", text()), side(tmp_path / "n", text(changed(rating="{pii: none}"))), sources)
    assert findings == []
    retyped = text(changed(rating="{pii: none, treatment: hash}"))
    findings = compare(side(tmp_path / "o2", text()), side(tmp_path / "n2", retyped), sources)
    assert [f.rule for f in findings] == ["FIELD_SAME_TYPE"]  # int32 (withheld) -> string: consumers break


def test_every_finding_carries_a_fix_and_the_file() -> None:
    for rule in RULES.values():
        assert rule.fix and rule.summary and rule.example, rule.id
        if rule.category is Category.PROTECTION:
            assert rule.approvable, rule.id


def test_exit_code_counts_only_errors(tmp_path: Path) -> None:
    findings = compare(side(tmp_path / "o", text()), side(tmp_path / "n", text(topic="cdr.customers.v2")))
    # a bump in place: info, and a warning that the old topic stops (no sunset)
    assert sorted(str(f.severity) for f in findings) == ["info", "warning"] and exit_code(findings) == 0
    findings = compare(side(tmp_path / "o2", text()), side(tmp_path / "n2", text(undeclared="pass")))
    assert exit_code(findings) == 1
    assert all(f.file.endswith("customers.yaml") for f in findings)
    assert findings[0].severity is Severity.ERROR and findings[0].fix == RULES[findings[0].rule].fix


@pytest.mark.parametrize(
    ("old", "new", "bump"),
    [
        ("cdr.x.v1", "cdr.x.v2", True),
        ("cdr.x", "cdr.x.v2", True),
        ("cdr.x.v2", "cdr.x.v1", False),
        ("cdr.x.v1", "cdr.y.v2", False),
        ("cdr.x.v1", "cdr.x.v1", False),
    ],
)
def test_version_bump(old: str, new: str, bump: bool) -> None:
    assert is_version_bump(old, new) is bump
    assert topic_version("cdr.x.v12") == ("cdr.x", 12)
