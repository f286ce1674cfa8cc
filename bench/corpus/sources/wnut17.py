"""WNUT 2017 Emerging Entities: real English posts (tweets, Reddit, YouTube and Stack
Overflow comments) whose named entities were labelled by people (crowd annotators, then
adjudicated by NLP researchers), read from the CoNLL files of the authors' repository.

Each document is one text. The files hold tokens, one a line, so the text is put back
together deterministically: tokens joined by one space, except that closing punctuation
and contractions join the word before them, an opening bracket joins the word after it,
and the HTML entities the tokeniser split (``& gt ;``) become their character again.
Entity tokens are never changed; only the space between tokens is, so every labelled
span is exactly its tokens. BIO tags become spans (an ``I-`` tag without its ``B-``
starts a span, as the CoNLL evaluation reads it).

Two sources, so that tuning stays honest: ``wnut17-dev`` (the dev set: read its misses,
tune on it) and ``wnut17`` (the adjudicated test set only: held out, its individual
misses are never read; its figure is the one that says how the detectors do on real text).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bench.corpus.fetched import Snapshot
from bench.corpus.model import QUASI, Source, Span, Text, Unavailable
from bench.corpus.sources import Context, manifest

NAME = "wnut17"  # the test set: held out
DEV = "wnut17-dev"  # the dev set: tuned on

_CLOSING = frozenset(".,!?;:)]}%…")
_OPENING = frozenset({"(", "[", "{"})
_APOSTROPHES = frozenset({"'", "\u2019"})  # straight and typographic
_CONTRACTED = frozenset({"s", "t", "re", "ve", "ll", "d", "m"})
_ENTITIES = {"gt": ">", "lt": "<", "amp": "&", "quot": '"'}

Token = tuple[str, str]  # (token, BIO tag)


class ConllError(ValueError):
    """A CoNLL file this reader cannot read; the message holds line numbers, never tokens."""


def blocks(conll: str) -> list[list[tuple[int, list[str]]]]:
    """The blocks of a CoNLL file (a blank line between two): each line's number and its
    tab-separated fields. The readers of each layout check the fields."""
    out: list[list[tuple[int, list[str]]]] = []
    current: list[tuple[int, list[str]]] = []
    for number, line in enumerate(conll.splitlines(), start=1):
        if not line.strip():
            if current:
                out.append(current)
                current = []
            continue
        current.append((number, line.split("\t")))
    if current:
        out.append(current)
    return out


def is_bio(tag: str) -> bool:
    return tag == "O" or tag[:2] in ("B-", "I-")


def documents(conll: str, blank_tokens: bool = False) -> list[list[Token]]:
    """The documents of a CoNLL file: ``token<TAB>tag`` lines, a blank line between two.
    With ``blank_tokens`` a line whose token is blank and tagged ``O`` holds nothing and
    is skipped (BTC has a few); a blank token tagged as an entity is an error."""
    docs: list[list[Token]] = []
    for block in blocks(conll):
        doc: list[Token] = []
        for number, parts in block:
            tag = parts[-1].strip()
            if len(parts) != 2 or not is_bio(tag):
                raise ConllError(f"line {number}: not a token and a BIO tag")
            if blank_tokens and not parts[0].strip():
                if tag != "O":
                    raise ConllError(f"line {number}: an empty token tagged as an entity")
                continue
            if not parts[0]:
                raise ConllError(f"line {number}: not a token and a BIO tag")
            doc.append((parts[0], tag))
        if doc:
            docs.append(doc)
    return docs


def _unescaped(doc: Sequence[Token]) -> list[Token]:
    """``&``, ``gt``, ``;`` (all outside entities) as the one ``>`` they were."""
    out: list[Token] = []
    i = 0
    while i < len(doc):
        trio = doc[i : i + 3]
        if (
            len(trio) == 3
            and trio[0][0] == "&"
            and trio[1][0] in _ENTITIES
            and trio[2][0] == ";"
            and all(tag == "O" for _, tag in trio)
        ):
            out.append((_ENTITIES[trio[1][0]], "O"))
            i += 3
            continue
        out.append(doc[i])
        i += 1
    return out


def _joins(previous: str, token: str, following: str | None) -> bool:
    """Whether ``token`` is written against ``previous`` with no space between."""
    if previous in _OPENING:
        return True
    if all(c in _CLOSING for c in token):
        return True
    if token in _APOSTROPHES and following is not None and following.lower() in _CONTRACTED:
        return previous[-1:].isalpha()
    return previous in _APOSTROPHES and token.lower() in _CONTRACTED


def labelled_text(
    doc: Sequence[Token], labels: dict[str, str], joins: Callable[[str, str, str | None], bool] | None = None
) -> Text:
    """One document as a text with a span per entity; ``labels`` maps the source's
    entity types (``person``) to this project's truth, anything unlisted is quasi.
    ``joins`` (previous, token, following) says when a token is written against the one
    before it; WNUT's tokenisation when not given."""
    joins = joins or _joins
    tokens = _unescaped(doc)
    glued = [
        bool(i) and joins(tokens[i - 1][0], token, tokens[i + 1][0] if i + 1 < len(tokens) else None)
        for i, (token, _tag) in enumerate(tokens)
    ]
    return spaced_text(tokens, glued, labels)


def spaced_text(tokens: Sequence[Token], glued: Sequence[bool], labels: dict[str, str]) -> Text:
    """The tokens as one text, one space before each token unless ``glued`` says it is
    written against the one before; a span per entity (``labels`` as :func:`labelled_text`)."""
    pieces: list[str] = []
    at = 0
    spans: list[Span] = []
    open_type = ""
    start = end = 0
    for i, (token, tag) in enumerate(tokens):
        if i and not glued[i]:
            pieces.append(" ")
            at += 1
        kind = tag[2:]
        if open_type and (tag == "O" or tag.startswith("B-") or kind != open_type):
            spans.append(Span(start, end, labels.get(open_type, QUASI), open_type))
            open_type = ""
        if tag != "O":
            if not open_type:
                open_type, start = kind, at
            end = at + len(token)
        pieces.append(token)
        at += len(token)
    if open_type:
        spans.append(Span(start, end, labels.get(open_type, QUASI), open_type))
    return Text("".join(pieces), tuple(spans))


def load(ctx: Context) -> Source:
    """The held-out part: the adjudicated test set."""
    return load_conll(NAME, ctx)


def load_dev(ctx: Context) -> Source:
    """The development part: the dev set."""
    return load_conll(DEV, ctx)


def load_conll(
    name: str,
    ctx: Context,
    make_text: Callable[[Sequence[Token], dict[str, str]], Text] | None = None,
    read: Callable[[str], list[list[Token]]] | None = None,
) -> Source:
    """The texts of a CoNLL source whose manifest names its snapshot, files, labels and
    cap: each file's documents (``read``, default :func:`documents`), each made a text
    by ``make_text`` (default :func:`labelled_text`)."""
    make = make_text or labelled_text
    read_docs = read or documents
    man = manifest(name)
    snap = Snapshot(ctx.mirror, man["repository"], man["commit"])
    labels: dict[str, str] = man["labels"]
    cap: int = man["max_texts"]
    src = Source(name, man)
    if snap.note:
        src.notes.append(snap.note)
    for path in man["paths"]:
        try:
            docs = read_docs(snap.read(path).decode("utf-8"))
        except (ConllError, UnicodeDecodeError) as exc:
            raise Unavailable(
                f"{path}: {type(exc).__name__}: {exc if isinstance(exc, ConllError) else 'not UTF-8'}"
            ) from None
        room = cap - len(src.texts)
        if len(docs) > room:
            src.notes.append(f"{path}: first {max(room, 0):,} of {len(docs):,} documents (max_texts {cap:,})")
        src.texts.extend(make(d, labels) for d in docs[: max(room, 0)])
    return src
