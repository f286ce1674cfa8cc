"""Where pattern scanning of free text spends its time: microseconds per text for each
stage of :meth:`detectors.textscan.TextScanner.find` (normalisation, each recognizer's
``find``, base64 tokens, merging) on realistic texts, and this tree against another
revision. Prints figures; never fails on time.

    .venv/bin/python bench/scan_profile.py [--prose-events N] [--rounds R] [--parts]
    .venv/bin/python bench/scan_profile.py --against REV [--rounds R]
    .venv/bin/python bench/scan_profile.py --dump FILE [--tree DIR]

Texts: the distinct free texts of the prose workload (``bench/workloads.py``,
``write_file(..., prose=True)``) and the labelled corpus (``.corpus/``, built by
``bench/detection_quality.py``): its sentences (``texts.jsonl``) and the distinct string
cells of its tables (named variant). NER is not run (spaCy is measured by
``bench/filemode_throughput.py``): this is the scanning every text pays besides it.

- default: a table of us/text per stage and recognizer (min over ``--rounds`` rounds);
  ``--parts`` adds the regex-only cost of each recognizer's pattern(s) (what is left of
  its ``find`` is validators and context) and the address recognizer's patterns.
- ``--against REV``: ``REV`` (a git revision) is exported (``git archive``) into a
  temporary directory; each round runs one child per tree, alternating which goes
  first, each timing ``TextScanner().find`` over every text; the minimum per tree is
  compared (machine noise is 20-40%: minima of alternated rounds compare best).
- ``--dump FILE``: every text's findings (``find`` without and with a key as context,
  and ``whole_value``/``value_scores`` for cells), one JSON line per text, with the
  scanner of ``--tree`` (default: this tree). Two dumps that differ in nothing show a
  change kept every finding.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _tree_first(argv: Sequence[str]) -> None:
    """Put ``--tree DIR`` (the scanner under test) before this tree on the path."""
    sys.path.insert(0, str(ROOT))
    if "--tree" in argv:
        sys.path.insert(0, str(Path(argv[list(argv).index("--tree") + 1]).resolve()))


_tree_first(sys.argv)

from rich.console import Console  # noqa: E402
from rich.progress import Progress  # noqa: E402
from rich.table import Table  # noqa: E402

CORPUS = ROOT / ".corpus"
CELL_CONTEXTS = ("notes", "phone")  # key names a JSON leaf is scanned under (context)


# -- texts ------------------------------------------------------------------------------------


def prose_workload(events: int) -> list[str]:
    from bench.workloads import prose_texts, write_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        write_file(path, events, seed=42, prose=True)
        return prose_texts(path)


def corpus_texts(root: Path) -> tuple[list[str], list[str]]:
    """(sentences, distinct string cells) of every built source under ``root``."""
    sentences: dict[str, None] = {}
    cells: dict[str, None] = {}
    if not root.is_dir():
        return [], []
    for folder in sorted(p for p in root.iterdir() if (p / "source.json").is_file()):
        texts = folder / "texts.jsonl"
        if texts.is_file():
            for line in texts.read_text(encoding="utf-8").splitlines():
                sentences[json.loads(line)["text"]] = None
        for table in sorted(folder.glob("*.named.jsonl")):
            with table.open(encoding="utf-8") as fh:
                for line in fh:
                    after = (json.loads(line).get("value") or {}).get("payload", {}).get("after") or {}
                    for v in after.values():
                        if isinstance(v, str) and v:
                            cells[v] = None
    return list(sentences), list(cells)


def load(args: argparse.Namespace) -> dict[str, list[str]]:
    sentences, cells = corpus_texts(args.corpus)
    if args.cells is not None and len(cells) > args.cells > 0:
        cells = cells[:: len(cells) // args.cells][: args.cells]  # an even sample, the same every run
    sets = {"prose": prose_workload(args.prose_events), "corpus texts": sentences, "corpus cells": cells}
    return {k: v for k, v in sets.items() if v}


# -- timing -----------------------------------------------------------------------------------


def per_text(
    fn: Callable[[Any], object], items: Sequence[Any], rounds: int, fresh: Callable[[], object] | None = None
) -> float:
    """Microseconds per item, the minimum over ``rounds`` passes; ``fresh`` is called
    before each pass, untimed (a scanner remembers the texts it scanned: without
    forgetting them, every pass after the first would time its cache)."""
    best = float("inf")
    for _ in range(rounds):
        if fresh is not None:
            fresh()
        t0 = time.perf_counter_ns()
        for item in items:
            fn(item)
        best = min(best, time.perf_counter_ns() - t0)
    return best / 1000 / max(1, len(items))


def stages(texts: list[str], rounds: int, parts: bool) -> list[tuple[str, float]]:
    """(stage, us/text) for one set of texts, in the order ``find`` runs them."""
    from detectors import textscan
    from detectors.normalize import normalize

    scanner = textscan.TextScanner()
    norms = [normalize(t).text for t in texts]
    rows: list[tuple[str, float]] = [
        ("find (whole)", per_text(scanner.find, texts, rounds, scanner.clear_cache)),
        ("normalize", per_text(normalize, texts, rounds)),
        ("looks_like_prose", per_text(textscan.looks_like_prose, norms, rounds)),
    ]
    for rec in scanner.recognizers:
        rows.append((f"  {rec.name}", per_text(rec.find, norms, rounds)))
        if parts:
            rows.extend((f"    {label}", cost) for label, cost in _parts(rec, norms, rounds))
    rows.append(("base64 tokens", per_text(_base64_stage(scanner), norms, rounds)))
    found = [scanner._patterns(t, 0) for t in norms]
    rows.append(("merge", per_text(textscan.merge, found, rounds)))
    return rows


def _base64_stage(scanner: Any) -> Callable[[str], object]:
    from detectors import textscan

    def run(text: str) -> object:
        return [scanner._decoded(text[s:e], 0) for s, e in textscan._base64_tokens(text)]

    return run


def _parts(rec: Any, norms: list[str], rounds: int) -> list[tuple[str, float]]:
    """Regex-only costs inside one recognizer (its prefilter applied as ``find`` does)."""
    from detectors.recognizers import address

    def regex(pattern: Any, gate: Callable[[str], bool] = lambda t: True) -> Callable[[str], object]:
        return lambda t: list(pattern.finditer(t)) if gate(t) else None

    if rec.name == "street_address":
        out = [("digit windows", per_text(address._digit_windows, norms, rounds))]
        windows = [address._digit_windows(t) for t in norms]
        pairs = list(zip(norms, windows, strict=True))
        for label, pattern in (
            ("number first", address._NUMBER_FIRST),
            ("number lead", address._NUMBER_LEAD),
            ("number last", address._NUMBER_LAST),
            ("po box", address._PO_BOX),
            ("military", address.MILITARY),
            ("unit", address.UNIT),
            ("weak street", address.WEAK_STREET),
        ):
            out.append((label, per_text(lambda p, pat=pattern: list(address._matches(pat, p[0], p[1])), pairs, rounds)))
        return out
    pattern = getattr(rec, "pattern", None)
    if pattern is None:
        return []
    gate = getattr(rec, "_prefilter", lambda t: True)
    return [("regex only", per_text(regex(pattern, gate), norms, rounds))]


def profile(args: argparse.Namespace) -> int:
    console = Console()
    with console.status("loading texts..."):
        sets = load(args)
    results: dict[str, list[tuple[str, float]]] = {}
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("profiling", total=len(sets))
        for name, texts in sets.items():
            progress.update(task, description=f"profiling {name} ({len(texts)} texts)")
            results[name] = stages(texts, args.rounds, args.parts)
            progress.advance(task)
    table = Table(title=f"pattern scanning, us per text (min of {args.rounds} rounds)")
    table.add_column("stage / recognizer", no_wrap=True)
    for name, texts in sets.items():
        table.add_column(f"{name}\n({len(texts)})", justify="right")
        table.add_column("share", justify="right")
    labels = [label for label, _ in next(iter(results.values()))]
    for i, label in enumerate(labels):
        cells = []
        for rows in results.values():
            whole = rows[0][1]
            cost = rows[i][1]
            cells += [f"{cost:.1f}", "" if i == 0 or label.startswith("    ") else f"{cost / whole:.0%}"]
        table.add_row(label, *cells)
    console.print(table)
    return 0


# -- this tree against another revision -------------------------------------------------------


CHILD = """
import json, sys, time
import detectors
from detectors.textscan import TextScanner
print(detectors.__file__, file=sys.stderr)
texts = json.load(open(sys.argv[1], encoding="utf-8"))
scanner = TextScanner()
out = {}
for name, items in texts.items():
    best = None
    for _ in range(int(sys.argv[2])):
        getattr(scanner, "clear_cache", lambda: None)()  # each pass scans, not its cache
        t0 = time.perf_counter_ns()
        for t in items:
            scanner.find(t)
        took = time.perf_counter_ns() - t0
        best = took if best is None else min(best, took)
    out[name] = best / 1000 / len(items)
print(json.dumps(out))
"""


def _child(tree: Path, texts: Path, passes: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    done = subprocess.run(  # in the tree: ``-c`` puts the working directory first on the path
        [sys.executable, "-c", CHILD, str(texts), str(passes)],
        env=env,
        cwd=tree,
        capture_output=True,
        check=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def against(args: argparse.Namespace) -> int:
    console = Console()
    with console.status("loading texts..."):
        sets = load(args)
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "other"
        other.mkdir()
        archive = subprocess.run(["git", "archive", args.against], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(other)], input=archive.stdout, check=True)
        texts = Path(tmp) / "texts.json"
        texts.write_text(json.dumps(sets), encoding="utf-8")
        trees = {"this tree": ROOT, args.against: other}
        best: dict[str, dict[str, float]] = {label: {} for label in trees}
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("alternating rounds", total=args.rounds)
            for r in range(args.rounds):
                order = list(trees.items()) if r % 2 == 0 else list(trees.items())[::-1]
                for label, tree in order:
                    for name, cost in _child(tree, texts, 2).items():
                        best[label][name] = min(best[label].get(name, cost), cost)
                progress.advance(task)
    table = Table(title=f"TextScanner.find, us per text (min of {args.rounds} alternated rounds x 2 passes)")
    table.add_column("texts")
    table.add_column(args.against, justify="right")
    table.add_column("this tree", justify="right")
    table.add_column("this / other", justify="right")
    for name, items in sets.items():
        old, new = best[args.against][name], best["this tree"][name]
        table.add_row(f"{name} ({len(items)})", f"{old:.1f}", f"{new:.1f}", f"{new / old:.2f}")
    console.print(table)
    return 0


# -- findings dump ----------------------------------------------------------------------------


def dump(args: argparse.Namespace) -> int:
    from detectors.textscan import TextScanner

    console = Console(stderr=True)
    with console.status("loading texts..."):
        sets = load(args)
    scanner = TextScanner()
    with args.dump.open("w", encoding="utf-8") as out, Progress(console=console, transient=True) as progress:
        for name, texts in sets.items():
            task = progress.add_task(f"dumping {name}", total=len(texts))
            for i, text in enumerate(texts):
                row: dict[str, Any] = {"set": name, "i": i, "find": _findings(scanner.find(text))}
                if name == "corpus cells":
                    row["context"] = {c: _findings(scanner.find(text, context=c)) for c in CELL_CONTEXTS}
                    row["whole"] = scanner.whole_value(text)
                    row["scores"] = scanner.value_scores(text)
                out.write(json.dumps(row) + "\n")
                progress.advance(task)
    console.print(f"{sum(len(t) for t in sets.values())} texts dumped to {args.dump}")
    return 0


def _findings(found: list[Any]) -> list[list[Any]]:
    return [[f.entity, f.start, f.end, f.score, f.recognizer] for f in found]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prose-events", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--cells", type=int, help="corpus cells to time, an even sample (default 5000; --dump: all)")
    parser.add_argument("--parts", action="store_true", help="regex-only costs inside each recognizer")
    parser.add_argument("--against", help="git revision to compare TextScanner.find with")
    parser.add_argument("--dump", type=Path, help="write every text's findings to this file")
    parser.add_argument("--tree", type=Path, help="the tree whose scanner --dump uses (default: this one)")
    args = parser.parse_args()
    if args.cells is None and not args.dump:
        args.cells = 5000
    if args.dump:
        return dump(args)
    if args.against:
        return against(args)
    return profile(args)


if __name__ == "__main__":
    raise SystemExit(main())
