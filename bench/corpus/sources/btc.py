"""The Broad Twitter Corpus (Derczynski, Bontcheva and Roberts, COLING 2016): English
tweets sampled across six years, regions and kinds of use (general collections, news
outlets, prominent accounts), whose person, location and organisation mentions were
labelled by people (NLP experts, and crowd annotators whose judgements experts
adjudicated), read from the CoNLL files of the authors' repository.

Different text from WNUT 2017 (2009-2014 tweets, not 2017 posts), a different labelling
project and a different tokeniser, so it puts the prose figures to a second test.

The CoNLL files are put back into prose as ``wnut17.labelled_text`` does (entity tokens
unchanged, only the space between tokens decided), with this corpus' own tokenisation:

- clitics are tokens of their own (``do n't``, ``Iverson 's``): they join the word before;
- an @mention is two tokens (``@``, ``handle``), both tagged: it becomes the one token it
  was, labelled ``@`` + the handle's type (``@PER``), one span per mention. The manifest
  keeps mentions apart from names written in prose (so the PERSON figure means what it
  means on WNUT, which does not label handles), and the span table counts them;
- a few lines hold an empty token tagged ``O`` (nothing to put back): skipped;
- a line of spaces ends a tweet, as the split notebook of the repository reads it: one
  in ``f.conll`` cuts a tweet in two, so section F gives 2,001 texts.

Two sources, as the authors recommend (README, "Recommended splits"): ``btc-dev`` (the
second half of section H, non-UK tweets of 2014, as the repository's own split file
holds it: read its misses, tune on it) and ``btc`` (section F, the authors' test section:
"Twitterati", the tweets of prominent accounts, 2009-2014; held out, its individual misses
are never read).
"""

from __future__ import annotations

from collections.abc import Sequence

from bench.corpus.model import Source, Text
from bench.corpus.sources import Context
from bench.corpus.sources.wnut17 import Token, labelled_text, load_conll
from bench.corpus.sources.wnut17 import documents as wnut17_documents

NAME = "btc"  # section F, the authors' test section: held out
DEV = "btc-dev"  # the second half of section H: tuned on

MENTION = "@"
_CLOSING = frozenset(".,!?;:)]}%…")
_OPENING = frozenset({"(", "[", "{"})
_CLITICS = frozenset(a + c for a in ("'", "\u2019") for c in ("s", "m", "re", "ll", "ve", "d")) | frozenset(
    {"n't", "n\u2019t"}
)


def documents(conll: str) -> list[list[Token]]:
    """The documents of a BTC CoNLL file (:func:`wnut17.documents`); a line whose token is
    empty and tagged ``O`` holds nothing and is skipped."""
    return wnut17_documents(conll, blank_tokens=True)


def _handle(token: str) -> bool:
    return token[:1].isalnum() or token[:1] == "_"


def mentions(doc: Sequence[Token]) -> list[Token]:
    """``@`` followed by a handle as the one token ``@handle``, tagged ``B-@TYPE`` when
    the handle is an entity (each mention a span of its own), ``O`` when it is not; an
    ``@`` before anything else (``@ …``, an ``@`` meaning "at") is left as it is."""
    out: list[Token] = []
    i = 0
    while i < len(doc):
        token, tag = doc[i]
        if token == MENTION and i + 1 < len(doc) and _handle(doc[i + 1][0]):
            handle, handle_tag = doc[i + 1]
            out.append((MENTION + handle, "O" if handle_tag == "O" else f"B-{MENTION}{handle_tag[2:]}"))
            i += 2
            continue
        out.append((token, tag))
        i += 1
    return out


def joins(previous: str, token: str, following: str | None) -> bool:
    """Whether ``token`` is written against ``previous`` with no space between."""
    del following  # BTC's clitics are whole tokens: the next token never decides
    if previous in _OPENING or all(c in _CLOSING for c in token):
        return True
    return token.lower() in _CLITICS and previous[-1:].isalnum()


def btc_text(doc: Sequence[Token], labels: dict[str, str]) -> Text:
    """One tweet as a text with a span per entity and per mention."""
    return labelled_text(mentions(doc), labels, joins)


def load(ctx: Context) -> Source:
    """The held-out part: section F."""
    return load_conll(NAME, ctx, btc_text, documents)


def load_dev(ctx: Context) -> Source:
    """The development part: the second half of section H."""
    return load_conll(DEV, ctx, btc_text, documents)
