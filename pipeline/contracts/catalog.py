"""``cdr docs``: a static HTML catalog of every CDR topic (owner, description, fields with
types, PII entity and treatment, key, an example treated record, versions and changelog
from git, consumers where a broker was asked) and an AsyncAPI 3.0 document per topic.

Every text from a declaration or git is HTML-escaped; the pages have no script and load
nothing from elsewhere. Deterministic for the same declarations and history.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from pipeline.contracts.asyncapi import asyncapi_document
from pipeline.contracts.cdrschema import CdrSchema, cdr_schema
from pipeline.contracts.example import example_record
from pipeline.contracts.history import Change, declaration_history, versions
from pipeline.core.declaration import Declaration, DeclarationSet
from pipeline.core.entities import FREE_TEXT, NONE
from pipeline.core.treatments.spec import TreatmentSpec

_SAFE = re.compile(r"[^A-Za-z0-9._-]")
CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b;background:#fff}
h1{font-size:1.6rem;margin:0 0 .3rem} h2{font-size:1.15rem;margin-top:1.6rem}
table{border-collapse:collapse;margin:.4rem 0} th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
th{background:#eef1f5} .meta{color:#555} code{font-family:ui-monospace,monospace}
.pii{display:inline-block;padding:0 .45rem;border-radius:3px;font-weight:600}
.entity{background:#c62828;color:#fff} .free{background:#ef6c00;color:#fff} .none{background:#e0e0e0;color:#333}
.key{font-weight:700}
"""


@dataclass
class TopicPage:
    decl: Declaration
    schema: CdrSchema
    history: list[Change] = field(default_factory=list)
    consumers: list[str] | None = None  # None: no broker asked


def page_name(topic: str) -> str:
    return _SAFE.sub("_", topic)


def _badge(pii: str) -> str:
    kind = "none" if pii == NONE else ("free" if pii == FREE_TEXT else "entity")
    return f'<span class="pii {kind}">{escape(pii)}</span>'


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def topic_html(page: TopicPage, defaults: Mapping[str, TreatmentSpec]) -> str:
    decl, schema = page.decl, page.schema
    key_names = {f.name for f in schema.key}
    parts = [
        '<p><a href="index.html">all CDR topics</a></p>',
        f"<h1><code>{escape(schema.topic)}</code></h1>",
        f'<p class="meta">owner <b>{escape(schema.owner)}</b> · source table <code>{escape(schema.table)}</code>'
        f" · source topic <code>{escape(schema.source_topic)}</code> · compatibility {escape(schema.compatibility)}"
        f' · <a href="asyncapi/{escape(page_name(schema.topic))}.json">AsyncAPI 3.0</a></p>',
    ]
    if decl.replaces is None and decl.sunset is not None:
        parts.append(f"<p><b>Retiring</b>: published until {escape(decl.sunset)}; move to its new version.</p>")
    elif decl.replaces is not None:
        parts.append(
            f"<p>Replaces <code>{escape(decl.replaces)}</code>, published too until {escape(decl.sunset or '')}.</p>"
        )
    if decl.description:
        parts.append(f"<p>{escape(decl.description)}</p>")
    parts.append("<h2>Fields</h2><table><tr><th>field</th><th>type</th><th>PII</th><th>treatment</th></tr>")
    for f in schema.fields:
        kind = escape(f.type or "as the source column") + ("" if f.optional is not True else " (optional)")
        cls = ' class="key"' if f.name in key_names else ""
        parts.append(
            f"<tr><td{cls}><code>{escape(f.name)}</code>{' (key)' if f.name in key_names else ''}</td>"
            f"<td>{kind}</td><td>{_badge(f.pii)}</td><td><code>{escape(f.treatment)}</code></td></tr>"
        )
        for p in f.paths:
            parts.append(
                f"<tr><td>&nbsp;&nbsp;<code>{escape(f.name)}: {escape(p.path)}</code></td><td>JSON leaf</td>"
                f"<td>{_badge(p.pii)}</td><td><code>{escape(p.treatment)}</code></td></tr>"
            )
    parts.append("</table>")
    dropped = [n for n, c in decl.columns.items() if schema.field(n) is None]
    if dropped:
        parts.append(f"<p>Not published (dropped): {', '.join(f'<code>{escape(n)}</code>' for n in dropped)}</p>")
    if schema.key:
        shown = ", ".join(f"<code>{escape(k.name)}</code> ({escape(k.format)})" for k in schema.key)
        parts.append(f"<p>Record key: {shown}</p>")
    parts.append(
        '<h2>Example treated record</h2><p class="meta">Invented values, treated by the service\'s operators '
        "(hashes under a documentation key: real digests differ).</p>"
        "<table><tr><th>field</th><th>invented source value</th><th>on the CDR topic</th></tr>"
    )
    for name, raw, treated in example_record(schema, decl, defaults):
        parts.append(
            f"<tr><td><code>{escape(name)}</code></td><td>{escape(str(raw))}</td><td><code>{escape(str(treated))}</code></td></tr>"
        )
    parts.append("</table>")
    parts.append("<h2>Versions</h2><ul>")
    for topic, since in versions(page.history, schema.topic):
        parts.append(f"<li><code>{escape(topic)}</code> since {escape(since)}</li>")
    parts.append("</ul><h2>Changelog</h2>")
    if page.history:
        parts.append("<table><tr><th>date</th><th>commit</th><th>change</th></tr>")
        for change in page.history:
            parts.append(
                f"<tr><td>{escape(change.date)}</td><td><code>{escape(change.commit[:10])}</code></td>"
                f"<td>{escape(change.subject)}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>No git history.</p>")
    if page.consumers is not None:
        parts.append("<h2>Consumers</h2>")
        if page.consumers:
            parts.append("<ul>" + "".join(f"<li><code>{escape(g)}</code></li>" for g in page.consumers) + "</ul>")
        else:
            parts.append("<p>No consumer group has committed offsets on this topic.</p>")
    return _page(schema.topic, "\n".join(parts))


def index_html(pages: list[TopicPage]) -> str:
    rows = [
        "<h1>CDR topics</h1>",
        "<table><tr><th>CDR topic</th><th>owner</th><th>source table</th><th>fields</th><th>PII fields</th></tr>",
    ]
    for page in pages:
        s = page.schema
        rows.append(
            f'<tr><td><a href="{escape(page_name(s.topic))}.html"><code>{escape(s.topic)}</code></a></td>'
            f"<td>{escape(s.owner)}</td><td><code>{escape(s.table)}</code></td><td>{len(s.fields)}</td>"
            f"<td>{len(s.pii_fields)}</td></tr>"
        )
    rows.append("</table>")
    return _page("CDR topics", "\n".join(rows))


def build_pages(
    declarations: DeclarationSet,
    defaults: Mapping[str, TreatmentSpec],
    consumers: Mapping[str, list[str]] | None = None,
) -> list[TopicPage]:
    pages = []
    retiring = [d for decls in declarations.retiring.values() for d in decls]
    for decl in sorted([*declarations.by_topic.values(), *retiring], key=lambda d: d.cdr_topic):
        history = declaration_history(Path(decl.path))
        seen = None if consumers is None else sorted(consumers.get(decl.cdr_topic, []))
        pages.append(TopicPage(decl, cdr_schema(decl, defaults), history, seen))
    return pages


def write_catalog(
    pages: list[TopicPage], defaults: Mapping[str, TreatmentSpec], out: Path, server: str | None = None
) -> list[Path]:
    """index.html, one page per topic and asyncapi/<topic>.json under ``out``."""
    (out / "asyncapi").mkdir(parents=True, exist_ok=True)
    written = [out / "index.html"]
    written[0].write_text(index_html(pages), encoding="utf-8")
    for page in pages:
        name = page_name(page.schema.topic)
        html_path = out / f"{name}.html"
        html_path.write_text(topic_html(page, defaults), encoding="utf-8")
        doc = asyncapi_document(page.schema, page.decl.description, server)
        api_path = out / "asyncapi" / f"{name}.json"
        api_path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        written += [html_path, api_path]
    return written
