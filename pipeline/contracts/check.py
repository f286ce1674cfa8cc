"""One ``cdr check`` run: today's declarations against a previous revision, a SQL
migration and the live database, as asked; every finding in one sorted list."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config
from pipeline.contracts.gitrev import RevisionError, declarations_at, default_revision, repo_root
from pipeline.contracts.migration import MigrationError, check_migration, read_migration
from pipeline.contracts.revdiff import Side, compare
from pipeline.contracts.rules import Finding
from pipeline.declarations.loader import load_declarations
from pipeline.declarations.model import Declaration, DeclarationSet
from pipeline.safenames import SafeNames


class CheckUsageError(Exception):
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


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    compared_with: str | None = None
    notes: list[str] = field(default_factory=list)  # what was (not) compared, for the person
    proposals: list[str] = field(default_factory=list)  # declaration snippets for new columns
    root: Path | None = None  # the repository root, for SARIF URIs


def load_current(config: Config) -> DeclarationSet:
    """Today's declarations; raises InvalidFilesError (exit 3) like ``cdr validate``."""
    return load_declarations(config.schemas_dir, config.entities, config.treatment_defaults)


def run_check(request: CheckRequest, current: DeclarationSet | None = None) -> CheckResult:
    config = request.config
    decls = current if current is not None else load_current(config)
    result = CheckResult()
    if not request.skip_revision:
        _against_revision(request, decls, result)
    if request.migration is not None:
        _against_migration(request, decls, result)
    result.findings.sort(key=Finding.sort_key)
    return result


def _against_revision(request: CheckRequest, decls: DeclarationSet, result: CheckResult) -> None:
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
    try:
        old = declarations_at(rev, schemas, config.entities, config.treatment_defaults)
    except RevisionError as exc:
        raise CheckUsageError(str(exc)) from None
    result.compared_with = rev
    result.notes.append(f"compared with {rev[:12]}: {len(old)} declaration(s) then, {len(decls)} now")
    # One config for both sides: the defaults in force are today's.
    defaults = config.treatment_defaults
    result.findings.extend(compare(Side(old, defaults), Side(decls, defaults)))


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
    result.notes.append(f"{request.migration}: {len(changes)} schema change(s) read")
    result.findings.extend(findings)
    result.proposals.extend(proposals)
