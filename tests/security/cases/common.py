"""Declaration text shared by the case modules."""

from __future__ import annotations

SEALING_KEY = "base64:" + "c2VjdXJpdHktbGVkZ2VyLWRscS1zZWFsaW5nLWtleSE="  # 32 bytes, tests only
SEALED = {"dlq": {"encryption_key": SEALING_KEY}}


def declaration(case_id: str, columns: str, undeclared: str = "detect", fmt: str | None = None) -> str:
    """A declaration for one case's table; ``columns`` is the YAML body of ``columns:``,
    one ``name: {...}`` per line."""
    body = "".join(f"  {line.strip()}\n" for line in columns.strip().splitlines())
    head = (
        f"table: public.{case_id.replace('-', '_')}\n"
        "source_topic: {source}\n"
        "cdr_topic: {cdr}\n"
        "owner: security-ledger\n"
        f"undeclared: {undeclared}\n"
    )
    if fmt is not None:
        head += f"format: {fmt}\n"
    return head + "columns:\n" + body


def table(case_id: str) -> str:
    return case_id.replace("-", "_")
