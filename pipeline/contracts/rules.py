"""The rules of ``cdr check``: stable ids, what each protects, and the finding it reports.

Modelled on Buf's breaking-change categories (rules named for what must not change,
``FIELD_NO_DELETE``, ``FIELD_SAME_TYPE``) and on Schema Registry's compatibility modes.
A CDR consumer reads fields by name and has no reader-side defaults, so removing,
renaming or retyping a field (or changing what its value looks like) breaks it in every
mode but ``NONE``; the modes differ, as in Schema Registry, on optionality:

- ``BACKWARD`` (default): consumers on the new schema read old records: adding a
  required field, or making an optional one required, breaks.
- ``FORWARD``: consumers on the old schema read new records: making a field optional
  (it may now be null) breaks.
- ``FULL``: both. ``NONE``: contract rules report at info level only.

A contract finding is an error unless the ``cdr_topic`` carries a version bump
(``cdr.x.v1`` -> ``cdr.x.v2``): a new version is a new topic, and old consumers stay on
the old one. Protection rules (``PROTECTION_*``) are errors whatever the mode or version,
unless the declaration records an approval naming the rule (``approvals:``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Category(StrEnum):
    CONTRACT = "contract"  # the CDR schema consumers read
    PROTECTION = "protection"  # how personal data is treated
    MIGRATION = "migration"  # a SQL migration against the declarations
    LIVE = "live"  # the live database against the declarations


ALL_MODES = frozenset({"BACKWARD", "FORWARD", "FULL"})


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: Category
    summary: str
    fix: str  # one line: what to do
    example: str  # before -> after, for the README
    modes: frozenset[str] = field(default=frozenset())  # contract rules: the modes in which it breaks
    approvable: bool = False  # protection rules: an approval in the declaration lowers it to info


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "TOPIC_NO_DELETE",
            Category.CONTRACT,
            "a declaration (and its CDR topic) was removed",
            "keep the declaration, or publish a successor topic and retire this one with a sunset",
            "schemas/payments.yaml deleted",
            ALL_MODES,
        ),
        Rule(
            "TOPIC_NO_RENAME",
            Category.CONTRACT,
            "cdr_topic renamed without a version bump",
            "keep the cdr_topic, or bump its version suffix (cdr.x.v1 -> cdr.x.v2)",
            "cdr_topic: cdr.shop.payments -> cdr.ledger.payments",
            ALL_MODES,
        ),
        Rule(
            "TOPIC_VERSION_BUMP",
            Category.CONTRACT,
            "cdr_topic version bumped: breaking changes go to the new topic",
            "tell the old topic's consumers; they move when ready",
            "cdr_topic: cdr.shop.payments.v1 -> cdr.shop.payments.v2",
        ),
        Rule(
            "TOPIC_SUNSET_NO_ADVANCE",
            Category.CONTRACT,
            "an older CDR topic version's sunset was brought forward",
            "keep the sunset its consumers planned for, or agree the new date with them "
            "(cdr_retiring_topic_reader lists their groups)",
            "replaces: {cdr_topic: cdr.shop.payments.v1, sunset: 2027-01-31 -> 2026-07-01}",
            ALL_MODES,
        ),
        Rule(
            "TOPIC_SOURCE_CHANGED",
            Category.CONTRACT,
            "the declaration reads another source topic or names another table; its CDR topic is kept",
            "let the connector finish the old topic before the switch (and check the table's name), or keep them",
            "source_topic: shop.public.customers -> shop2.public.customers",
        ),
        Rule(
            "TOPIC_SUNSET_PASSED",
            Category.CONTRACT,
            "an older CDR topic version is past its sunset: the service no longer publishes it",
            "remove the old declaration (and the replaces key of its successor)",
            "replaces: {cdr_topic: cdr.shop.payments.v1, sunset: 2026-01-31}, on 2026-02-01",
        ),
        Rule(
            "TOPIC_COMPATIBILITY_NO_LOOSEN",
            Category.CONTRACT,
            "the compatibility mode was loosened (FULL > BACKWARD, FORWARD > NONE): consumers relied on the old one",
            "keep the compatibility mode, or bump the cdr_topic version (the new topic starts under the new mode)",
            "compatibility: BACKWARD -> compatibility: NONE",
            ALL_MODES,
        ),
        Rule(
            "FIELD_NO_DELETE",
            Category.CONTRACT,
            "a CDR field was removed (column undeclared or dropped, or treatment drop)",
            "keep the field (treatment null keeps it, always null), or bump the cdr_topic version",
            "email: {pii: EMAIL_ADDRESS, treatment: hash} -> treatment: drop",
            ALL_MODES,
        ),
        Rule(
            "FIELD_NO_RENAME",
            Category.CONTRACT,
            "a CDR field was renamed",
            "keep the old name (rename the source column back, or add a view), or bump the cdr_topic version",
            "mail: {pii: EMAIL_ADDRESS, treatment: hash} -> email: {pii: EMAIL_ADDRESS, treatment: hash}",
            ALL_MODES,
        ),
        Rule(
            "FIELD_SAME_TYPE",
            Category.CONTRACT,
            "a CDR field's type changed (a treatment that turns it into a string, or a source type change)",
            "keep a treatment that keeps the type, or bump the cdr_topic version",
            "amount: {pii: none} -> amount: {pii: none, treatment: hash} (int64 -> string)",
            ALL_MODES,
        ),
        Rule(
            "FIELD_SAME_FORMAT",
            Category.CONTRACT,
            "a CDR field's value format changed (another treatment or other parameters)",
            "keep the treatment and its parameters, or bump the cdr_topic version",
            "phone: {mask: {keep_last: 4}} -> hash",
            ALL_MODES,
        ),
        Rule(
            "FIELD_NO_ADD_REQUIRED",
            Category.CONTRACT,
            "a required (non-optional) field was added",
            "make the new column nullable, or bump the cdr_topic version",
            "new column rating integer NOT NULL, declared {pii: none}",
            frozenset({"BACKWARD", "FULL"}),
        ),
        Rule(
            "FIELD_NO_MAKE_REQUIRED",
            Category.CONTRACT,
            "an optional field became required",
            "keep the field optional, or bump the cdr_topic version",
            "nickname: treatment null -> pass on a NOT NULL column",
            frozenset({"BACKWARD", "FULL"}),
        ),
        Rule(
            "FIELD_NO_MAKE_OPTIONAL",
            Category.CONTRACT,
            "a required field became optional (it may now be null)",
            "keep the field required, or bump the cdr_topic version",
            "email (NOT NULL): treatment hash -> null",
            frozenset({"FORWARD", "FULL"}),
        ),
        Rule(
            "KEY_SAME_FIELDS",
            Category.CONTRACT,
            "the record key's columns changed",
            "keep the key (partitioning and compaction depend on it), or bump the cdr_topic version",
            "key: [id] -> key: [id, region]",
            ALL_MODES,
        ),
        Rule(
            "KEY_SAME_ENCODING",
            Category.CONTRACT,
            "a key column is encoded differently (kept vs hashed): every key changes",
            "keep the key column's treatment, or bump the cdr_topic version",
            "key: [email]; email: treatment tag -> hash",
            ALL_MODES,
        ),
        Rule(
            "PROTECTION_TREATMENT_NO_WEAKEN",
            Category.PROTECTION,
            "a personal-data column is protected less (hash -> pass, drop -> tag, mask keeps more, ...)",
            "restore the stronger treatment, or record an approval (rule, column, reason, approved_by)",
            "email: {pii: EMAIL_ADDRESS, treatment: hash} -> treatment: pass",
            approvable=True,
        ),
        Rule(
            "PROTECTION_ENTITY_NO_REMOVE",
            Category.PROTECTION,
            "a column (or JSON path) declared as personal data is now declared none",
            "restore its pii entity, or record an approval (rule, column, reason, approved_by)",
            "phone: {pii: PHONE_NUMBER} -> phone: {pii: none}",
            approvable=True,
        ),
        Rule(
            "PROTECTION_COLUMN_NO_UNDECLARE",
            Category.PROTECTION,
            "a personal-data column left the declaration: the undeclared policy treats it now",
            "keep declaring it while the table has it, or record an approval (rule, column, reason, approved_by)",
            "ssn: {pii: US_SSN, treatment: drop} -> (line removed)",
            approvable=True,
        ),
        Rule(
            "PROTECTION_UNDECLARED_NO_LOOSEN",
            Category.PROTECTION,
            "the undeclared policy was loosened (block > drop > mask > detect > pass)",
            "restore the stricter policy, or record an approval (rule, reason, approved_by)",
            "undeclared: detect -> undeclared: pass",
            approvable=True,
        ),
        Rule(
            "MIGRATION_TABLE_DROP",
            Category.MIGRATION,
            "the migration drops a declared table: its CDR topic stops",
            "retire the CDR topic first (sunset), or keep the table",
            "DROP TABLE public.payments;",
            ALL_MODES,
        ),
        Rule(
            "MIGRATION_COLUMN_DROP",
            Category.MIGRATION,
            "the migration drops a declared column: a CDR field disappears",
            "keep the column, or bump the cdr_topic version in the same change",
            "ALTER TABLE public.customers DROP COLUMN email;",
            ALL_MODES,
        ),
        Rule(
            "MIGRATION_COLUMN_RENAME",
            Category.MIGRATION,
            "the migration renames a declared column: the CDR field is renamed and the declaration no longer matches",
            "rename the column in the declaration and bump the cdr_topic version, or keep the name",
            "ALTER TABLE public.customers RENAME COLUMN email TO mail;",
            ALL_MODES,
        ),
        Rule(
            "MIGRATION_COLUMN_TYPE",
            Category.MIGRATION,
            "the migration changes a declared column's type: the CDR field's type changes or its treatment no longer fits",
            "choose a treatment that fits the new type and bump the cdr_topic version, or keep the type",
            "ALTER TABLE public.payments ALTER COLUMN amount TYPE text;",
            ALL_MODES,
        ),
        Rule(
            "MIGRATION_COLUMN_UNDECLARED",
            Category.MIGRATION,
            "the migration adds a column the declaration does not list",
            "declare the column (pii and treatment) before the migration runs",
            "ALTER TABLE public.customers ADD COLUMN loyalty_tier text;",
        ),
        Rule(
            "LIVE_TABLE_MISSING",
            Category.LIVE,
            "a declared table does not exist in the database",
            "fix the declaration's table, or remove the declaration (its topic stops)",
            "table: public.payment (the database has public.payments)",
        ),
        Rule(
            "LIVE_COLUMN_MISSING",
            Category.LIVE,
            "a declared column no longer exists in the database (dropped): its CDR field is gone",
            "remove the column from the declaration and bump the cdr_topic version",
            "declared email; the table has no column email",
        ),
        Rule(
            "LIVE_COLUMN_UNDECLARED",
            Category.LIVE,
            "a database column nobody declared",
            "declare it (cdr check prints a proposal; cdr scan --dsn samples its values)",
            "the table has loyalty_tier; the declaration does not list it",
        ),
        Rule(
            "LIVE_TREATMENT_INVALID",
            Category.LIVE,
            "a column's database type no longer fits its treatment",
            "choose a treatment for the column's type",
            "birth_date: {generalize: {to: year}} on a text column",
        ),
        Rule(
            "LIVE_KEY_MISMATCH",
            Category.LIVE,
            "the declared key is not the table's primary key",
            "set key: to the table's primary key columns",
            "key: [id]; primary key (account_id, id)",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported problem. Texts name columns, topics and treatments, never values."""

    rule: str
    severity: Severity
    file: str
    line: int
    topic: str  # the CDR topic (or table) concerned
    subject: str  # the field, column or key concerned ("" for the whole topic)
    message: str
    fix: str
    note: str = ""  # why the severity was lowered (approval, version bump, mode)

    @property
    def category(self) -> Category:
        return RULES[self.rule].category

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line, self.rule, self.subject)

    def as_data(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "category": str(self.category),
            "severity": str(self.severity),
            "file": self.file,
            "line": self.line,
            "topic": self.topic,
            "subject": self.subject,
            "message": self.message,
            "fix": self.fix,
            "note": self.note,
        }


def finding(
    rule: str,
    *,
    file: str,
    line: int,
    topic: str,
    subject: str,
    message: str,
    severity: Severity | None = None,
    note: str = "",
) -> Finding:
    """A finding of ``rule`` with its fix; contract and migration rules default to error,
    live rules to warning unless told."""
    spec = RULES[rule]
    if severity is None:
        severity = Severity.ERROR if spec.modes or spec.approvable else Severity.WARNING
    return Finding(rule, severity, file, max(1, line), topic, subject, message, spec.fix, note)


def exit_code(findings: list[Finding]) -> int:
    """0: nothing at error level; 1: at least one error."""
    return 1 if any(f.severity == Severity.ERROR for f in findings) else 0
