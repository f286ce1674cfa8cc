"""`cdr name-digest`: the ``col~`` digest of candidate column names under the deployment's key."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from pipeline.tools.loading import config_from
from pipeline.vocabulary import ExitCode

if TYPE_CHECKING:
    pass


def command(args: argparse.Namespace) -> int:
    from pipeline.core.treatments.hashing import HashKeyError, load_hash_key

    config = config_from(args.config)
    try:
        key = load_hash_key(config.hash_key_file, config.hash_key_id)
    except HashKeyError as exc:
        print(f"cdr name-digest: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if key is None:
        print("cdr name-digest: no hash key: set CDR_HASH_KEY or give --config with hashing.key_file", file=sys.stderr)
        return ExitCode.USAGE
    from pipeline.core.safenames import SafeNames

    names = SafeNames(key.secret)
    candidates = args.names or [line.rstrip("\r\n") for line in sys.stdin]
    for name in candidates:
        print(names.digest(name))
    return ExitCode.OK
