"""WikiNEuRal English (Tedeschi, Maiorca, Campolungo, Cecconi and Navigli, Findings of
EMNLP 2021): sentences of English Wikipedia whose person, location, organisation and
miscellaneous mentions Babelscape labelled (silver data: BabelNet links and a neural
model, not people, wrote the tags), read from the CoNLL files of the authors' repository.

Different text from the tweet corpora: edited encyclopaedic prose, full of names with
particles, initials, diacritics, titles and names in parentheses and lists.

The files hold one token a line as ``index<TAB>token<TAB>tag`` (the index counts from 0
within a sentence), a blank line between sentences. Each sentence is one text, put back
into prose as ``wnut17.labelled_text`` does (entity tokens unchanged, only the space
between tokens decided), with this corpus' tokenisation:

- closing punctuation and clitics (``'s``, ``n't``, ``'m``...) join the word before;
- an opening bracket and a currency sign join the word after; ``/`` joins both;
- a straight double quote opens and closes in turn within a sentence: an opening one
  joins the word after it, a closing one the word before it;
- a lone ``'`` (a quote or a plural possessive, the files do not say which) and dashes
  stand between spaces.

Two sources: ``wikineural-dev`` (the validation split: read its misses, tune on it) and
``wikineural`` (the test split: held out, its individual misses are never read). Each is
capped to its first sentences (the manifest's ``max_texts``) so one run takes minutes.
"""

from __future__ import annotations

from collections.abc import Sequence

from bench.corpus.model import Source, Text
from bench.corpus.sources import Context
from bench.corpus.sources.wnut17 import ConllError, Token, blocks, is_bio, load_conll, spaced_text

NAME = "wikineural"  # the test split: held out
DEV = "wikineural-dev"  # the validation split: tuned on

QUOTE = '"'
_CLOSING = frozenset(".,!?;:)]}%…")
_OPENING = frozenset({"(", "[", "{", "$", "£", "€", "#"})
_CLITICS = frozenset(a + c for a in ("'", "\u2019") for c in ("s", "m", "re", "ll", "ve", "d")) | frozenset(
    {"n't", "n\u2019t"}
)


def documents(conll: str) -> list[list[Token]]:
    """The sentences of a WikiNEuRal CoNLL file: ``index<TAB>token<TAB>BIO tag`` lines, a
    blank line between two. Errors name line numbers, never tokens."""
    docs: list[list[Token]] = []
    for block in blocks(conll):
        doc: list[Token] = []
        for number, parts in block:
            tag = parts[-1].strip()
            if len(parts) != 3 or not parts[0].isdigit() or not parts[1].strip() or not is_bio(tag):
                raise ConllError(f"line {number}: not an index, a token and a BIO tag")
            if int(parts[0]) != len(doc):
                raise ConllError(f"line {number}: index {parts[0]} where {len(doc)} was due")
            doc.append((parts[1], tag))
        docs.append(doc)
    return docs


def glued(tokens: Sequence[str]) -> list[bool]:
    """Per token, whether it is written against the token before it (never the first)."""
    out = [False] * len(tokens)
    quote_open = False
    for i, token in enumerate(tokens):
        previous = tokens[i - 1] if i else ""
        if token == QUOTE:
            out[i] = bool(i) and quote_open  # a closing quote joins the word before
            quote_open = not quote_open
        elif token == "/" or previous == "/" or all(c in _CLOSING for c in token) or token.lower() in _CLITICS:
            out[i] = bool(i)
        elif previous in _OPENING:
            out[i] = True
        elif previous == QUOTE and i and quote_open:
            out[i] = True  # the word after an opening quote
    return out


def wikineural_text(doc: Sequence[Token], labels: dict[str, str]) -> Text:
    """One sentence as a text with a span per entity."""
    return spaced_text(doc, glued([t for t, _ in doc]), labels)


def load(ctx: Context) -> Source:
    """The held-out part: the test split."""
    return load_conll(NAME, ctx, wikineural_text, documents)


def load_dev(ctx: Context) -> Source:
    """The development part: the validation split."""
    return load_conll(DEV, ctx, wikineural_text, documents)
