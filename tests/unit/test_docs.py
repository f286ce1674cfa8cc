"""cdr docs: the AsyncAPI 3.0 document of each CDR topic validates against the official
schema; the HTML catalog shows fields, PII, treatments, an example treated record, and the
versions and changelog from git; every text from a declaration is escaped."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pipeline.config import default_treatments
from pipeline.contracts.asyncapi import asyncapi_document
from pipeline.contracts.cdrschema import cdr_schema
from pipeline.core.entities import BUILTIN_ENTITIES
from pipeline.declarations.loader import load_declarations
from pipeline.tools.main import main
from tests.asyncapi_schema import asyncapi_schema, asyncapi_validator
from tests.support import REPO

SHOP = REPO / "schemas" / "shop"


@pytest.fixture(scope="module")
def validator():
    schema = asyncapi_schema()
    if schema is None:
        pytest.skip("the AsyncAPI schema is not cached and npm is not installed")
    return asyncapi_validator(schema)


def test_asyncapi_documents_validate(validator, tmp_path: Path) -> None:
    assert main(["docs", str(SHOP), "--out", str(tmp_path), "--server", "broker:9092"]) == 0
    docs = sorted((tmp_path / "asyncapi").glob("*.json"))
    assert len(docs) == 7
    for path in docs:
        doc = json.loads(path.read_text())
        errors = [e.message for e in validator.iter_errors(doc)]
        assert errors == [], path.name
    customers = json.loads((tmp_path / "asyncapi" / "cdr.shop.customers.json").read_text())
    row = customers["components"]["messages"]["cdrChangeEvent"]["payload"]["properties"]["payload"]["properties"][
        "after"
    ]["oneOf"][1]
    assert row["properties"]["email"]["x-cdr-pii"] == "EMAIL_ADDRESS" and row["properties"]["email"]["type"] == [
        "string",
        "null",
    ]
    assert (
        "street" in row["properties"] and customers["channels"]["cdr.shop.customers"]["address"] == "cdr.shop.customers"
    )


def test_the_validator_rejects_a_broken_document(validator) -> None:
    decls = load_declarations(SHOP, BUILTIN_ENTITIES, default_treatments())
    doc = asyncapi_document(cdr_schema(decls.for_topic("shop.public.payments"), default_treatments()))
    doc["operations"]["consumeChanges"]["action"] = "listen"
    assert list(validator.iter_errors(doc))


def git(repo: Path, *args: str) -> None:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "HOME": str(repo),
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


V1 = """\
table: public.customers
source_topic: shop.public.customers
cdr_topic: cdr.shop.customers.v1
owner: crm
description: "Customers <b>of the shop</b> & their contacts"
key: [id]
columns:
  id:    {pii: none}
  email: {pii: EMAIL_ADDRESS, treatment: hash}
  phone: {pii: PHONE_NUMBER, treatment: {mask: {keep_last: 4}}}
  ssn:   {pii: US_SSN, treatment: drop}
  "<img src=x>": {pii: none}
"""


def test_catalog_page_with_history(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "schemas").mkdir(parents=True)
    (repo / "schemas" / "customers.yaml").write_text(V1)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "customers v1")
    (repo / "schemas" / "customers.yaml").write_text(V1.replace(".v1", ".v2").replace("{mask: {keep_last: 4}}", "hash"))
    git(repo, "commit", "-qam", "phone hashed: v2")
    out = tmp_path / "site"
    assert main(["docs", str(repo / "schemas"), "--out", str(out)]) == 0
    index = (out / "index.html").read_text()
    assert 'href="cdr.shop.customers.v2.html"' in index
    page = (out / "cdr.shop.customers.v2.html").read_text()
    assert "&lt;b&gt;of the shop&lt;/b&gt; &amp; their contacts" in page  # escaped, never markup
    assert "<img" not in page and "&lt;img src=x&gt;" in page
    assert '<span class="pii entity">EMAIL_ADDRESS</span>' in page
    assert "<code>ssn</code>" in page and "Not published (dropped)" in page
    assert "Record key: <code>id</code> (source)" in page
    # the example: invented values through the real operators
    assert "jane.doe@example.com" in page and "docs:" in page
    assert "<code>cdr.shop.customers.v1</code> since" in page and "<code>cdr.shop.customers.v2</code> since" in page
    assert "phone hashed: v2" in page and "customers v1" in page
    assert "<script" not in page
