"""One ``cdr check`` run: today's declarations against a previous revision, a SQL
migration and the live database, as asked; every finding in one sorted list."""

from __future__ import annotations

import dataclasses
import functools
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.config import Config
from pipeline.contracts.cdrschema import SourceField
from pipeline.contracts.gitrev import RevisionError, declarations_at, default_revision, repo_root, undo_command
from pipeline.contracts.livedb import LiveTable, check_live, read_tables
from pipeline.contracts.migration import MigrationError, check_migration, read_migration
from pipeline.contracts.revdiff import Side, compare
from pipeline.contracts.rules import Finding, Severity
from pipeline.contracts.sunset import sunset_findings
from pipeline.core.declaration import Declaration, DeclarationSet, in_force
from pipeline.core.safenames import SafeNames, safe_path
from pipeline.declarations.loader import load_declarations
from pipeline.errors import CdrError


class CheckUsageError(CdrError):
    """The check cannot run as asked (unknown revision, unreadable migration, database
    unreachable): exit code 2."""


@dataclass(frozen=True)
class CheckRequest:
    config: Config  # schemas_dir, entities, treatment defaults
    against: str | None = None  # None: the merge base (see gitrev.default_revision)
    skip_revision: bool = False
    migration: Path | None = None
    dsn: str | None = None
    names: SafeNames | None = None  # undeclared column names in their safe form (None: as they are)
    sample_rows: int = 500  # --dsn: rows sampled per table with undeclared columns, for the proposal
    today: date | None = None  # for sunsets (None: the clock's)
    config_path: Path | None = None  # the config file (--config): read at the revision too, when in the repository


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    compared_with: str | None = None
    notes: list[str] = field(default_factory=list)  # what was (not) compared, for the person
    proposals: list[str] = field(default_factory=list)  # declaration snippets for new columns
    root: Path | None = None  # the repository root, for SARIF URIs
    undo: list[str] | None = None  # the git command that restores the files with errors (revision)


def load_current(config: Config) -> DeclarationSet:
    """Today's declarations; raises InvalidFilesError (exit 3) like ``cdr validate``."""
    return load_declarations(config.schemas_dir, config.entities, config.treatment_defaults)


def run_check(request: CheckRequest, current: DeclarationSet | None = None) -> CheckResult:
    config = request.config
    decls = current if current is not None else load_current(config)
    result = CheckResult()
    live = _read_live(request) if request.dsn is not None else None
    if not request.skip_revision:
        sources = {name: t.fields for name, t in live.items()} if live is not None else None
        _against_revision(request, decls, result, sources)
    # Older versions are checked too while they are still published (until their sunset).
    published = in_force(decls, request.today or date.today())
    if live is not None:
        _against_live(request, published, live, result)
    if request.migration is not None:
        _against_migration(request, published, result)
    result.findings.extend(sunset_findings(decls, request.today or date.today()))
    result.findings.sort(key=Finding.sort_key)
    return result


def _against_revision(
    request: CheckRequest,
    decls: DeclarationSet,
    result: CheckResult,
    sources: Mapping[str, Mapping[str, SourceField]] | None = None,
) -> None:
    config = request.config
    schemas = Path(config.schemas_dir)
    try:
        root = repo_root(schemas.resolve())
    except RevisionError:
        if request.against is not None:
            raise CheckUsageError(f"--against {request.against}: {schemas} is not in a git repository") from None
        result.notes.append(f"{schemas} is not in a git repository: no revision to compare with")
        return
    result.root = root
    rev = request.against or default_revision(root)
    if rev is None:
        result.notes.append("no commit yet: every declaration is new")
        return
    old_config = _config_at(request, rev, result)
    then = old_config if old_config is not None else config
    try:
        old = declarations_at(rev, schemas, then.entities, then.treatment_defaults)
    except RevisionError as exc:
        raise CheckUsageError(str(exc)) from None
    result.compared_with = rev
    result.notes.append(f"compared with {rev[:12]}: {len(old)} declaration(s) then, {len(decls)} now")
    # The treatment defaults (and hash key id) in force then, when the config is in the
    # repository: a loosened default weakens every column that relies on it.
    where = str(request.config_path) if old_config is not None else None
    found = compare(
        Side(old, then.treatment_defaults, then.hash_key_id),
        Side(decls, config.treatment_defaults, config.hash_key_id, where),
        sources,
        request.today,
    )
    result.findings.extend(_safe(found, [old, decls], request.names) if sources else found)
    broken = [f.file for f in found if f.severity == Severity.ERROR]
    config_changed = (then.treatment_defaults, then.hash_key_id) != (config.treatment_defaults, config.hash_key_id)
    if broken and config_changed and request.config_path is not None:
        broken.append(str(request.config_path.resolve()))
    result.undo = undo_command(rev, root, broken) if broken else None


def _config_at(request: CheckRequest, rev: str, result: CheckResult) -> Config | None:
    """The config file as it was at ``rev`` (None: no --config, or not in the repository
    then: today's defaults stand for both sides, and the person is told)."""
    from pipeline.config import load_config
    from pipeline.contracts.gitrev import file_at
    from pipeline.errors import InvalidFilesError

    if request.config_path is None:
        return None
    try:
        raw = file_at(rev, request.config_path)
    except RevisionError as exc:
        if "unknown git revision" in str(exc):
            raise CheckUsageError(str(exc)) from None
        raw = None  # not in a git repository
    if raw is None:
        result.notes.append(
            f"{request.config_path} is not in the repository at {rev[:12]}: today's treatment defaults on both sides"
        )
        return None
    with tempfile.TemporaryDirectory(prefix="cdr-check-config-") as tmp:
        copy = Path(tmp) / request.config_path.name
        copy.write_bytes(raw)
        try:
            return load_config(copy, schemas=Path(request.config.schemas_dir))
        except InvalidFilesError as exc:
            shown = "; ".join(f"{rev}:{request.config_path}:{e.line}: {e.message}" for e in exc.errors[:5])
            raise CheckUsageError(f"the config at {rev} does not load: {shown}") from None


def shown_name(names: SafeNames | None):
    def shown(name: str, decl: Declaration) -> str:
        return name if names is None else names.safe(name, decl.columns)

    return shown


def _against_migration(request: CheckRequest, decls: DeclarationSet, result: CheckResult) -> None:
    assert request.migration is not None
    try:
        changes = read_migration(request.migration)
    except MigrationError as exc:
        raise CheckUsageError(str(exc)) from None
    findings, proposals = check_migration(
        changes, decls, request.config.treatment_defaults, str(request.migration), shown_name(request.names)
    )
    read = sum(1 for ch in changes if ch.kind != "unread")
    result.notes.append(f"{request.migration}: {read} schema change(s) read")
    for ch in changes:
        if ch.kind == "unread":
            result.notes.append(
                f"{request.migration}:{ch.line}: a DO block is not read (PL/pgSQL): check its DDL by hand, "
                "or run cdr check --dsn once it has run"
            )
    result.findings.extend(_safe(findings, [decls], request.names))
    result.proposals.extend(proposals)


def _read_live(request: CheckRequest) -> dict[str, LiveTable]:
    import psycopg

    assert request.dsn is not None
    try:
        return read_tables(request.dsn)
    except psycopg.Error as exc:  # names host and database, never row values
        raise CheckUsageError(f"cannot read the database: {type(exc).__name__}: {exc}".strip()) from None


def _against_live(
    request: CheckRequest, decls: DeclarationSet, live: dict[str, LiveTable], result: CheckResult
) -> None:
    shown = shown_name(request.names)
    findings, undeclared = check_live(decls, live, request.config.treatment_defaults, shown)
    result.notes.append(f"database: {len(live)} table(s) read")
    result.findings.extend(_safe(findings, [decls], request.names))
    if undeclared:
        result.proposals.extend(_scan_proposals(request, decls, undeclared))


def _scan_proposals(request: CheckRequest, decls: DeclarationSet, undeclared: dict[str, list[str]]) -> list[str]:
    """Declaration lines for the undeclared columns, from the values of a sample (the
    profiler ``cdr scan`` uses; patterns only, no NER model)."""
    import psycopg

    from detectors.textscan import TextScanner
    from pipeline.core.scan import UNDECIDED, Scanner, findings
    from pipeline.runtime.dbsample import sample_database

    assert request.dsn is not None
    scanner = Scanner(TextScanner(ner=None), min_samples=min(50, request.sample_rows))
    try:
        for table, topic, row, fields in sample_database(request.dsn, request.sample_rows, only=set(undeclared)):
            wanted = undeclared[table]
            scanner.add_row(table, topic, {c: row[c] for c in wanted if c in row}, fields)
    except psycopg.Error as exc:
        raise CheckUsageError(f"cannot sample the database: {type(exc).__name__}: {exc}".strip()) from None
    by_table = {d.table: d for d in decls.by_topic.values()}
    shown = shown_name(request.names)
    out = []
    for table, columns in sorted(undeclared.items()):
        decl = by_table[table]
        sample = scanner.tables.get(table)
        verdicts = {f.column: f for f in findings(sample)} if sample is not None else {}
        rows = sample.rows if sample is not None else 0
        lines = [f"{decl.path}: proposed from {rows} sampled row(s), review and add under columns:"]
        for name in columns:
            f = verdicts.get(name)
            if f is None or f.pii == UNDECIDED:
                why = f.evidence if f is not None else "no values"
                lines.append(f"  # {shown(name, decl)}: undecided ({why}); declare it")
            else:
                lines.append(f"  {shown(name, decl)}: {{pii: {f.pii}}}  # {f.evidence}")
        out.append("\n".join(lines))
    return out


def _safe(findings: list[Finding], sets: list[DeclarationSet], names: SafeNames | None) -> list[Finding]:
    """With source columns in play (a revision compared with the database, the database, a
    migration), a finding may name a column or table nobody declared: every quoted name
    that is not declared (then or now) in its safe form."""
    if names is None:
        return findings
    declared: dict[str, set[str]] = {}
    for decl_set in sets:
        retiring = (d for decls in decl_set.retiring.values() for d in decls)  # checked until their sunset too
        for d in (*decl_set.by_topic.values(), *retiring):
            declared.setdefault(d.cdr_topic, set()).update(d.columns)
    out = []
    for f in findings:
        known = declared.get(f.topic, set())
        # A subject is a column, a table (schema.table) or a rule's own word ("key").
        keep = ":" in f.subject or f.subject in known
        subject = f.subject if keep else safe_path(f.subject, functools.partial(names.safe, declared=known))
        out.append(dataclasses.replace(f, subject=subject, message=names.scrub(f.message, known)))
    return out
