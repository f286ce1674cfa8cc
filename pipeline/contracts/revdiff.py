"""Declarations against a previous revision: what breaks CDR consumers, what weakens
protection. Pure: two declaration sets (and, where known, the source column types) in,
findings out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from pipeline.contracts.cdrschema import CdrField, CdrSchema, SourceField, cdr_schema
from pipeline.contracts.protection import undeclared_loosened, weakened
from pipeline.contracts.rules import RULES, Finding, Severity, finding
from pipeline.core.declaration import Approval, Declaration, DeclarationSet
from pipeline.core.entities import NONE
from pipeline.core.treatments.spec import TreatmentSpec

_VERSION = re.compile(r"^(?P<base>.+)\.v(?P<n>\d+)$")


@dataclass(frozen=True)
class Side:
    """One revision's declarations and the treatment defaults of its config."""

    declarations: DeclarationSet
    defaults: Mapping[str, TreatmentSpec]
    hash_key_id: str | None = None  # the config's hashing.key_id (part of every hashed value)
    defaults_from: str | None = None  # the config file the defaults were read from, for messages


def topic_version(topic: str) -> tuple[str, int]:
    """``cdr.x.v2`` -> (``cdr.x``, 2); an unversioned topic is version 1 of itself."""
    m = _VERSION.match(topic)
    return (m["base"], int(m["n"])) if m else (topic, 1)


def is_version_bump(old: str, new: str) -> bool:
    (old_base, old_n), (new_base, new_n) = topic_version(old), topic_version(new)
    return old_base == new_base and new_n > old_n


def compare(
    old: Side,
    new: Side,
    sources: Mapping[str, Mapping[str, SourceField]] | None = None,
    today: date | None = None,
) -> list[Finding]:
    """Every finding between ``old`` and ``new``; ``sources`` maps a table to its source
    columns (types) where known; ``today`` (None: the clock's) tells a promised sunset
    that is still ahead."""
    out: list[Finding] = []
    new_by_topic = new.declarations.by_topic
    # A declaration whose source_topic changed (the connector was renamed) but that still
    # publishes the same cdr_topic is the same contract: compared, not reported as deleted.
    unmatched = {d.cdr_topic: d for t, d in new_by_topic.items() if t not in old.declarations.by_topic}
    for source_topic, before in sorted(old.declarations.by_topic.items()):
        after = new_by_topic.get(source_topic)
        if after is None and before.cdr_topic in unmatched:
            after = unmatched.pop(before.cdr_topic)
            out.append(
                finding(
                    "TOPIC_SOURCE_CHANGED",
                    file=after.path,
                    line=after.lines.get("source_topic", 1),
                    topic=after.cdr_topic,
                    subject="",
                    message=f"source_topic {before.source_topic} -> {after.source_topic}: {after.cdr_topic} is "
                    f"published from the new topic only; records still on the old one are not",
                )
            )
        if after is None:
            out.append(
                finding(
                    "TOPIC_NO_DELETE",
                    file=before.path,
                    line=1,
                    topic=before.cdr_topic,
                    subject="",
                    message=f"the declaration of {before.table} was removed: {before.cdr_topic} stops",
                )
            )
            continue
        source = (sources or {}).get(after.table)
        still = {d.cdr_topic: d for d in new.declarations.retiring.get(after.source_topic, ())}
        if before.cdr_topic != after.cdr_topic and before.cdr_topic not in still:
            out.extend(_old_version_stops(before, after, today or date.today()))
        elif before.cdr_topic in still:  # bumped, the old version kept: it is still a contract
            out.extend(_same_topic(before, still[before.cdr_topic], old, new, source))
        out.extend(_same_topic(before, after, old, new, source))
    out.extend(_older_versions(old, new, sources, today or date.today()))
    return sorted(out, key=Finding.sort_key)


def _same_topic(
    before: Declaration, after: Declaration, old: Side, new: Side, source: Mapping[str, SourceField] | None
) -> list[Finding]:
    """``before`` and ``after`` (one table's declarations, then and now) compared."""
    return compare_declarations(
        before,
        after,
        old.defaults,
        new.defaults,
        source,
        key_ids=(old.hash_key_id, new.hash_key_id),
        defaults_from=new.defaults_from,
    )


def _older_versions(
    old: Side, new: Side, sources: Mapping[str, Mapping[str, SourceField]] | None, today: date
) -> list[Finding]:
    """Older versions published until their sunset are contracts too: an edit to one is
    compared with what it was; one removed before its sunset stops early."""
    new_retiring = {d.cdr_topic: d for ds in new.declarations.retiring.values() for d in ds}
    new_current = {d.cdr_topic: d for d in new.declarations.by_topic.values()}
    out: list[Finding] = []
    for ds in old.declarations.retiring.values():
        for before in ds:
            after = new_retiring.get(before.cdr_topic) or new_current.get(before.cdr_topic)
            if after is not None:
                out.extend(_same_topic(before, after, old, new, (sources or {}).get(after.table)))
                out.extend(_sunset_advanced(before, after, new))
                continue
            if before.sunset is None or date.fromisoformat(before.sunset) <= today:
                continue  # retired as planned: removing the file is what TOPIC_SUNSET_PASSED asks
            out.append(
                finding(
                    "TOPIC_NO_DELETE",
                    file=before.path,
                    line=before.lines.get("cdr_topic", 1),
                    topic=before.cdr_topic,
                    subject="",
                    message=f"{before.cdr_topic} was to be published until its sunset {before.sunset}; its "
                    f"declaration was removed, so it stops now: restore {before.path.split(':', 1)[-1]}",
                )
            )
    return out


def _sunset_advanced(before: Declaration, after: Declaration, new: Side) -> list[Finding]:
    """An older version's sunset brought forward: its consumers planned for the old date."""
    if before.sunset is None or after.sunset is None or after.sunset >= before.sunset:
        return []
    successor = new.declarations.by_topic.get(after.source_topic)
    where = successor if successor is not None and successor.replaces == after.cdr_topic else after
    return [
        finding(
            "TOPIC_SUNSET_NO_ADVANCE",
            file=where.path,
            line=where.lines.get("replaces", 1),
            topic=after.cdr_topic,
            subject="",
            message=f"sunset of {after.cdr_topic}: {before.sunset} -> {after.sunset}: its consumers lose it "
            "earlier than they were told",
        )
    ]


def _old_version_stops(before: Declaration, after: Declaration, today: date) -> list[Finding]:
    """A bump made in place (the old declaration edited, not kept beside the new one):
    the old topic stops now, and its consumers get no more records. An error when the
    successor promises it until a sunset still ahead; a warning when nothing was promised;
    nothing once the promised sunset has come (removing the old file is then the task)."""
    if not is_version_bump(before.cdr_topic, after.cdr_topic) and after.replaces != before.cdr_topic:
        return []  # a plain rename: TOPIC_NO_RENAME says it
    promised = after.replaces == before.cdr_topic and after.sunset is not None
    if promised and date.fromisoformat(str(after.sunset)) <= today:
        return []
    keep = (
        f"keep its declaration ({before.path.split(':', 1)[-1]} as it was, cdr_topic {before.cdr_topic}) "
        f"beside this one, with replaces: {{cdr_topic: {before.cdr_topic}, sunset: YYYY-MM-DD}} here"
    )
    why = f"replaces promises it until {after.sunset}, but its declaration is gone" if promised else "no sunset"
    return [
        finding(
            "TOPIC_NO_DELETE",
            file=after.path,
            line=after.lines.get("replaces" if promised else "cdr_topic", 1),
            topic=before.cdr_topic,
            subject="",
            message=f"{before.cdr_topic} stops now ({why}): its consumers get no more records; to publish it "
            f"until they move to {after.cdr_topic}, {keep}",
            severity=Severity.ERROR if promised else Severity.WARNING,
        )
    ]


def compare_declarations(
    before: Declaration,
    after: Declaration,
    old_defaults: Mapping[str, TreatmentSpec],
    new_defaults: Mapping[str, TreatmentSpec],
    source: Mapping[str, SourceField] | None = None,
    *,
    key_ids: tuple[str | None, str | None] = (None, None),
    defaults_from: str | None = None,
) -> list[Finding]:
    """Contract and protection findings between two versions of one table's declaration.
    ``key_ids``: the hash key id then and now; ``defaults_from``: the config file whose
    treatment defaults changed, named in the findings a default causes."""
    old_schema = cdr_schema(before, old_defaults, source)
    new_schema = cdr_schema(after, new_defaults, source)
    contract = _contract(old_schema, new_schema, after)
    rotated = _rotated_key(old_schema, new_schema, after, key_ids)
    # A version bump, or a declared successor (the old topic stays published until its sunset).
    bump = is_version_bump(before.cdr_topic, after.cdr_topic) or after.replaces == before.cdr_topic
    out: list[Finding] = []
    topic_line = after.lines.get("cdr_topic", 1)
    table_change: list[Finding] = []
    if before.table != after.table:
        # The topics are unchanged, but --migration and --dsn match declarations by table:
        # a typo here makes both blind to the real table's changes.
        table_change.append(
            finding(
                "TOPIC_SOURCE_CHANGED",
                file=after.path,
                line=after.lines.get("table", 1),
                topic=after.cdr_topic,
                subject="",
                message=f"table {before.table} -> {after.table}: migrations and the database are now checked "
                f"against {after.table}; records still come from {after.source_topic}",
            )
        )
    if before.cdr_topic != after.cdr_topic:
        if bump:
            out.append(
                finding(
                    "TOPIC_VERSION_BUMP",
                    file=after.path,
                    line=topic_line,
                    topic=after.cdr_topic,
                    subject="",
                    message=f"{before.cdr_topic} -> {after.cdr_topic}",
                    severity=Severity.INFO,
                )
            )
        else:
            contract.append(
                finding(
                    "TOPIC_NO_RENAME",
                    file=after.path,
                    line=topic_line,
                    topic=after.cdr_topic,
                    subject="",
                    message=f"{before.cdr_topic} -> {after.cdr_topic} is not a version bump",
                )
            )
    # Consumers relied on the mode in force until now: a change that also loosens it is
    # judged under the stricter of the two, and the loosening itself is reported (else a
    # breaking change ships at info level by setting NONE in the same pull request).
    loosened = _loosened_modes(before.compatibility, after.compatibility)
    if loosened:
        contract.append(
            finding(
                "TOPIC_COMPATIBILITY_NO_LOOSEN",
                file=after.path,
                line=after.lines.get("compatibility", after.lines.get("cdr_topic", 1)),
                topic=after.cdr_topic,
                subject="compatibility",
                message=f"compatibility {before.compatibility} -> {after.compatibility}: consumers of "
                f"{after.cdr_topic} lose the {'/'.join(loosened)} guarantee",
            )
        )
    modes = {before.compatibility, after.compatibility}
    for f in contract:
        if bump:
            out.append(_lowered(f, f"covered by the version bump to {after.cdr_topic}"))
        elif not modes & RULES[f.rule].modes:
            out.append(_lowered(f, f"compatibility {after.compatibility}"))
        else:
            out.append(f)
    out.extend(rotated)
    out.extend(table_change)
    out.extend(_approved(before, after, _protection(before, after, old_defaults, new_defaults, defaults_from)))
    return out


def _rotated_key(
    old: CdrSchema, new: CdrSchema, decl: Declaration, key_ids: tuple[str | None, str | None]
) -> list[Finding]:
    """A new hash key id changes every hashed value (the id is part of it): joins between
    records before and after break. A deliberate operation, so a warning per topic that
    names its hashed fields, where people will see it."""
    old_id, new_id = key_ids
    if old_id == new_id:
        return []
    before = {f.name: f for f in (*old.fields, *old.key) if f.format.startswith("hash")}
    hashed = sorted(
        {f.name: f for f in (*new.fields, *new.key) if f.format.startswith("hash") and f.name in before}.values(),
        key=lambda f: f.line or 10**9,
    )
    if not hashed:
        return []
    first = hashed[0]
    names = ", ".join(dict.fromkeys(f.name for f in hashed))
    return [
        finding(
            "FIELD_SAME_FORMAT",
            file=decl.path,
            line=first.line or decl.lines.get("columns", 1),
            topic=new.topic,
            subject=first.name,
            message=f"hash key id {old_id or 'fingerprint'} -> {new_id or 'fingerprint'}: every hashed value of "
            f"{new.topic} changes ({names}); joins with earlier records break, tell its consumers",
            severity=Severity.WARNING,
        )
    ]


# What each mode guarantees consumers: FULL both directions, NONE nothing.
_GUARANTEES = {"FULL": ("BACKWARD", "FORWARD"), "BACKWARD": ("BACKWARD",), "FORWARD": ("FORWARD",), "NONE": ()}


def _loosened_modes(old: str, new: str) -> list[str]:
    """The guarantees ``old`` gave that ``new`` no longer gives."""
    kept = set(_GUARANTEES.get(new, ()))
    return [g for g in _GUARANTEES.get(old, ()) if g not in kept]


def _lowered(f: Finding, note: str) -> Finding:
    return Finding(f.rule, Severity.INFO, f.file, f.line, f.topic, f.subject, f.message, f.fix, note)


def _describe(f: CdrField) -> str:
    kind = f.type or "the source column's type"
    return kind if f.format == "source" else f"{kind} ({f.format})"


def _contract(old: CdrSchema, new: CdrSchema, decl: Declaration) -> list[Finding]:
    out: list[Finding] = []
    path, topic = decl.path, new.topic
    columns_line = decl.lines.get("columns", 1)

    def line_of(name: str) -> int:
        col = decl.columns.get(name)
        return col.line if col is not None else columns_line

    old_fields = {f.name: f for f in old.fields}
    new_fields = {f.name: f for f in new.fields}
    removed = [n for n in old_fields if n not in new_fields]
    added = [n for n in new_fields if n not in old_fields]
    renamed: dict[str, str] = {}
    if len(removed) == 1 and len(added) == 1:
        a, b = old_fields[removed[0]], new_fields[added[0]]
        if (a.pii, a.format, a.type) == (b.pii, b.format, b.type) and a.declared and b.declared:
            renamed[a.name] = b.name
    for name in removed:
        if name in renamed:
            out.append(
                finding(
                    "FIELD_NO_RENAME",
                    file=path,
                    line=line_of(renamed[name]),
                    topic=topic,
                    subject=renamed[name],
                    message=f"field {name!r} renamed to {renamed[name]!r}",
                )
            )
            continue
        if name in decl.columns:
            why = "its treatment is now drop"
        elif old_fields[name].declared:
            why = "it is no longer declared"
        else:
            why = f"undeclared: {decl.undeclared} removes it"
        out.append(
            finding(
                "FIELD_NO_DELETE",
                file=path,
                line=line_of(name),
                topic=topic,
                subject=name,
                message=f"field {name!r} is removed from {topic}: {why}",
            )
        )
    for name in added:
        field = new_fields[name]
        if name not in renamed.values() and field.optional is False:
            out.append(
                finding(
                    "FIELD_NO_ADD_REQUIRED",
                    file=path,
                    line=line_of(name),
                    topic=topic,
                    subject=name,
                    message=f"required field {name!r} ({_describe(field)}) added",
                )
            )
    for name, a in old_fields.items():
        b = new_fields.get(name)
        if b is None:
            continue
        out.extend(_field_change(a, b, path, line_of(name), topic))
    out.extend(_key_change(old, new, decl))
    return out


def _field_change(a: CdrField, b: CdrField, path: str, line: int, topic: str) -> list[Finding]:
    out: list[Finding] = []
    name = a.name
    if a.type != b.type and (a.type, b.type) != (None, None):
        out.append(
            finding(
                "FIELD_SAME_TYPE",
                file=path,
                line=line,
                topic=topic,
                subject=name,
                message=f"field {name!r}: {_describe(a)} -> {_describe(b)}",
            )
        )
    elif not a.declared:
        pass  # a withheld (or masked) undeclared column being declared: its values were placeholders
    elif a.format != b.format or a.logical != b.logical:
        out.append(
            finding(
                "FIELD_SAME_FORMAT",
                file=path,
                line=line,
                topic=topic,
                subject=name,
                message=f"field {name!r}: {_describe(a)} -> {_describe(b)}",
            )
        )
    if a.optional is True and b.optional is False and a.declared:
        out.append(
            finding(
                "FIELD_NO_MAKE_REQUIRED",
                file=path,
                line=line,
                topic=topic,
                subject=name,
                message=f"field {name!r} was optional and is now required",
            )
        )
    elif a.optional is False and b.optional is True:
        out.append(
            finding(
                "FIELD_NO_MAKE_OPTIONAL",
                file=path,
                line=line,
                topic=topic,
                subject=name,
                message=f"field {name!r} was required and may now be null",
            )
        )
    out.extend(_path_changes(a, b, path, line, topic))
    return out


def _path_changes(a: CdrField, b: CdrField, path: str, line: int, topic: str) -> list[Finding]:
    """A JSON leaf's value format: its path's treatment where declared, else the column's
    (a passed document publishes an undeclared leaf as it is). Declaring a path on a
    published document, or removing one, changes what consumers parse at that leaf."""
    old_paths = {p.path: p for p in a.paths}
    new_paths = {p.path: p for p in b.paths}
    same_column = a.declared and b.declared and a.format == b.format
    out: list[Finding] = []
    for leaf in sorted(old_paths.keys() | new_paths.keys()):
        before, after = old_paths.get(leaf), new_paths.get(leaf)
        if (before is None or after is None) and not same_column:
            continue  # the column's own format changed (reported), or it was withheld before
        old_format = before.format if before is not None else a.format
        new_format = after.format if after is not None else b.format
        if old_format != new_format:
            out.append(
                finding(
                    "FIELD_SAME_FORMAT",
                    file=path,
                    line=after.line if after is not None else line,
                    topic=topic,
                    subject=f"{a.name}:{leaf}",
                    message=f"field {a.name!r} path {leaf!r}: {old_format} -> {new_format}"
                    + ("" if before is not None else " (path declared)")
                    + ("" if after is not None else " (path no longer declared)"),
                )
            )
    return out


def _key_change(old: CdrSchema, new: CdrSchema, decl: Declaration) -> list[Finding]:
    if not old.key:
        return []  # the key was not declared before: nothing to compare with
    old_names = tuple(f.name for f in old.key)
    new_names = tuple(f.name for f in new.key)
    line = decl.lines.get("key", decl.lines.get("columns", 1))
    if old_names != new_names:
        shown = ", ".join(new_names) if new_names else "not declared"
        return [
            finding(
                "KEY_SAME_FIELDS",
                file=decl.path,
                line=line,
                topic=new.topic,
                subject="key",
                message=f"key ({', '.join(old_names)}) -> ({shown})",
            )
        ]
    out = []
    for a, b in zip(old.key, new.key, strict=True):
        if (a.type, a.format) != (b.type, b.format):
            col = decl.columns.get(b.name)
            out.append(
                finding(
                    "KEY_SAME_ENCODING",
                    file=decl.path,
                    line=col.line if col is not None else line,
                    topic=new.topic,
                    subject=b.name,
                    message=f"key column {b.name!r}: {_describe(a)} -> {_describe(b)}",
                )
            )
    return out


def _protection(
    before: Declaration,
    after: Declaration,
    old_defaults: Mapping[str, TreatmentSpec],
    new_defaults: Mapping[str, TreatmentSpec],
    defaults_from: str | None = None,
) -> list[Finding]:
    out: list[Finding] = []
    path, topic = after.path, after.cdr_topic

    def by_default(pii: str, treatment: TreatmentSpec | None) -> str:
        """Where a weaker default came from: the column names no treatment of its own."""
        if treatment is not None or defaults_from is None or old_defaults.get(pii) == new_defaults.get(pii):
            return ""
        return f" (the default for {pii} in {defaults_from}; set the treatment on the column to keep it)"

    for name, old_col in before.columns.items():
        new_col = after.columns.get(name)
        if new_col is None:
            if old_col.pii != NONE:
                protected = after.undeclared != "pass"
                out.append(
                    finding(
                        "PROTECTION_COLUMN_NO_UNDECLARE",
                        file=path,
                        line=after.lines.get("columns", 1),
                        topic=topic,
                        subject=name,
                        message=f"column {name!r} ({old_col.pii}) is no longer declared; "
                        f"undeclared: {after.undeclared} treats it now",
                        severity=Severity.WARNING if protected else Severity.ERROR,
                    )
                )
            continue
        if old_col.pii != NONE and new_col.pii == NONE:
            out.append(
                finding(
                    "PROTECTION_ENTITY_NO_REMOVE",
                    file=path,
                    line=new_col.line,
                    topic=topic,
                    subject=name,
                    message=f"column {name!r}: pii {old_col.pii} -> none",
                )
            )
        old_spec = old_col.treatment or old_defaults[old_col.pii]
        new_spec = new_col.treatment or new_defaults[new_col.pii]
        why = weakened(old_spec, new_spec)
        if why is not None:
            out.append(
                finding(
                    "PROTECTION_TREATMENT_NO_WEAKEN",
                    file=path,
                    line=new_col.line,
                    topic=topic,
                    subject=name,
                    message=f"column {name!r} ({new_col.pii}): {why}{by_default(new_col.pii, new_col.treatment)}",
                )
            )
        for leaf, old_path in old_col.paths.items():
            new_path = new_col.paths.get(leaf)
            if new_path is None or (old_path.pii != NONE and new_path.pii == NONE):
                if old_path.pii == NONE:
                    continue
                out.append(
                    finding(
                        "PROTECTION_ENTITY_NO_REMOVE",
                        file=path,
                        line=new_path.line if new_path is not None else new_col.line,
                        topic=topic,
                        subject=f"{name}:{leaf}",
                        message=f"column {name!r} path {leaf!r}: pii {old_path.pii} -> "
                        f"{'none' if new_path is not None else 'not declared'}",
                    )
                )
                continue
            why = weakened(
                old_path.treatment or old_defaults[old_path.pii], new_path.treatment or new_defaults[new_path.pii]
            )
            if why is not None:
                out.append(
                    finding(
                        "PROTECTION_TREATMENT_NO_WEAKEN",
                        file=path,
                        line=new_path.line,
                        topic=topic,
                        subject=f"{name}:{leaf}",
                        message=f"column {name!r} path {leaf!r} ({new_path.pii}): {why}"
                        f"{by_default(new_path.pii, new_path.treatment)}",
                    )
                )
    if undeclared_loosened(before.undeclared, after.undeclared):
        out.append(
            finding(
                "PROTECTION_UNDECLARED_NO_LOOSEN",
                file=path,
                line=after.lines.get("undeclared", after.lines.get("columns", 1)),
                topic=topic,
                subject="undeclared",
                message=f"undeclared: {before.undeclared} -> {after.undeclared}",
            )
        )
    return out


def _approval_key(a: Approval) -> tuple[str, str | None, str, str]:
    return (a.rule, a.column, a.reason, a.approved_by)


def _approved(before: Declaration, after: Declaration, findings: list[Finding]) -> list[Finding]:
    """Protection findings covered by an approval recorded *in this change* drop to info:
    an approval already there at the previous revision approved an earlier change, and
    cannot silently cover a new one on the same column."""
    old = {_approval_key(a) for a in before.approvals}
    fresh = [a for a in after.approvals if _approval_key(a) not in old]
    out = []
    for f in findings:
        column = f.subject.split(":", 1)[0]
        approval = next(
            (a for a in fresh if a.rule == f.rule and (a.column is None or a.column == column)),
            None,
        )
        if approval is None:
            out.append(f)
        else:
            note = f"approved by {approval.approved_by} (line {approval.line}): {approval.reason}"
            out.append(_lowered(f, note))
    return out
