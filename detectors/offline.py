"""Nothing here may reach the network at run time.

Presidio's e-mail recognizer validates domains with tldextract, which fetches the Public
Suffix List on first use; offline that stalls and prints tracebacks. Pointing the shared
extractor at no URLs makes it use the snapshot bundled with tldextract.
"""

from __future__ import annotations

import os

_done = False


def force_offline() -> None:
    global _done
    if _done:
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import tldextract.tldextract as tld
    except ImportError:  # pragma: no cover - presidio brings it
        _done = True
        return
    tld.TLD_EXTRACTOR.suffix_list_urls = ()
    tld.TLD_EXTRACTOR.fallback_to_snapshot = True
    _done = True
