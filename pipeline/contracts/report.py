"""``cdr check`` findings as people read them (a rich table) and as machines do (JSON,
SARIF 2.1.0 for code-scanning upload). Deterministic: same findings, same bytes."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline import __version__
from pipeline.contracts.rules import RULES, Finding, Severity

FORMATS = ("table", "json", "sarif")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "dim"}


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    counts = Counter(str(f.severity) for f in findings)
    return {str(s): counts.get(str(s), 0) for s in Severity}


def print_table(findings: Sequence[Finding], console: Console, title: str, proposals: Sequence[str] = ()) -> None:
    if findings:
        t = Table(title=title, show_lines=False)
        t.add_column("severity", no_wrap=True)
        t.add_column("rule", no_wrap=True)
        t.add_column("where", overflow="fold")
        t.add_column("finding", overflow="fold")
        t.add_column("fix", overflow="fold")
        for f in findings:
            # names come from files and databases: never read as rich markup
            text = escape(f.message) + (f"\n[dim]{escape(f.note)}[/]" if f.note else "")
            t.add_row(
                str(f.severity), f.rule, escape(f"{f.file}:{f.line}"), text, escape(f.fix), style=_STYLE[f.severity]
            )
        console.print(t)
    for proposal in proposals:
        console.print(proposal, soft_wrap=True, highlight=False, markup=False)
    counts = summary(findings)
    line = f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info"
    console.print(line, style="bold red" if counts["error"] else "green", soft_wrap=True)


def as_json(findings: Sequence[Finding], extra: dict[str, Any] | None = None) -> str:
    doc: dict[str, Any] = {
        "tool": "cdr check",
        "version": __version__,
        "summary": summary(findings),
        "findings": [f.as_data() for f in findings],
    }
    doc.update(extra or {})
    return json.dumps(doc, indent=2, sort_keys=False)


def _uri(file: str, root: Path | None) -> str:
    """A repository-relative URI where the file is inside ``root``; ``REV:path`` as ``path``."""
    if ":" in file and not Path(file).exists():
        file = file.split(":", 1)[1]
    path = Path(file)
    if root is not None and path.is_absolute() and path.is_relative_to(root):
        path = path.relative_to(root)
    return path.as_posix()


def as_sarif(findings: Sequence[Finding], root: Path | None = None) -> str:
    rule_ids = sorted(RULES)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    rules = [
        {
            "id": rid,
            "name": "".join(part.title() for part in rid.split("_")),
            "shortDescription": {"text": RULES[rid].summary},
            "help": {"text": f"{RULES[rid].fix} (example: {RULES[rid].example})"},
            "defaultConfiguration": {"level": "error" if RULES[rid].modes or RULES[rid].approvable else "warning"},
            "properties": {"category": str(RULES[rid].category)},
        }
        for rid in rule_ids
    ]
    results = []
    for f in findings:
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f"{f.message}. Fix: {f.fix}" + (f" ({f.note})" if f.note else "")},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(f.file, root), "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": f.line},
                        }
                    }
                ],
                "partialFingerprints": {"cdrFinding/v1": f"{f.rule}:{f.topic}:{f.subject}"},
                "properties": {"topic": f.topic, "subject": f.subject, "category": str(f.category)},
            }
        )
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cdr check",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2)
