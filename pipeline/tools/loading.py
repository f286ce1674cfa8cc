"""What every command loads from its arguments: the config file (with a ``--schemas``
override) and the safe forms of column names for what it prints."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from pipeline.config import Config, load_config

if TYPE_CHECKING:
    from pipeline.core.declaration import DeclarationSet
    from pipeline.core.safenames import SafeNames


def config_from(path: Path | None, schemas: Path | None = None) -> Config:
    return load_config(path, schemas=schemas)


def safe_names(
    config: Config,
    console: Console | None = None,
    declarations: DeclarationSet | None = None,
    local_stack: bool = False,
) -> SafeNames:
    """Names under the deployment's hash key when one is set; else a random key (the
    digests of this run only), said on ``console``. With ``declarations`` (and the
    service's ``local_stack``), topics are shown as the service shows them
    (:meth:`SafeNames.topic`: declared topics as they are)."""
    from pipeline.core.safenames import SafeNames
    from pipeline.core.treatments.hashing import HashKeyError, load_hash_key

    try:
        key = load_hash_key(config.hash_key_file, config.hash_key_id, local_stack=local_stack)
    except HashKeyError:
        key = None
    if key is not None:
        return SafeNames.from_hash_key(key, declarations)
    if console is not None:
        console.print("no hash key set: undeclared unusual column names are shown as digests of this run only")
    return SafeNames.ephemeral()
