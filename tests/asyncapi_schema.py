"""The official AsyncAPI 3.0.0 JSON Schema, from the AsyncAPI initiative's npm package
(@asyncapi/specs), fetched once with `npm pack` into ~/.cache and read from the tarball."""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

SPECS = "@asyncapi/specs@6.11.1"
TARBALL = "asyncapi-specs-6.11.1.tgz"
CACHE = Path.home() / ".cache" / "cdr-pipeline" / "npm"
MEMBER = "package/schemas/3.0.0.json"


def asyncapi_schema() -> dict[str, Any] | None:
    """The schema, or None when it is not cached and npm is not installed."""
    tarball = CACHE / TARBALL
    if not tarball.exists():
        if shutil.which("npm") is None:
            return None
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "pack", SPECS, "--pack-destination", str(CACHE)], check=True, capture_output=True, timeout=300
        )
    with tarfile.open(tarball, "r:gz") as tar:
        member = tar.extractfile(MEMBER)
        assert member is not None
        return json.load(member)


def asyncapi_validator(schema: dict[str, Any]):
    """A Draft 7 validator with the bundled definitions registered under their $id."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    registry = Registry().with_resources(
        (uri, Resource.from_contents(sub, default_specification=DRAFT7)) for uri, sub in schema["definitions"].items()
    )
    return jsonschema.Draft7Validator(schema, registry=registry)
