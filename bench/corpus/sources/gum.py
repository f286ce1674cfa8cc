"""GUM, the Georgetown University Multilayer corpus (Zeldes 2017, and the corpus' later
releases): English texts of many genres (biographies, news, interviews, fiction, letters,
court transcripts, podcasts, conversations, vlogs, speeches, textbooks, travel and how-to
guides, academic and essay prose) in which students of the corpus' course, checked by its
maintainers, annotated every entity mention with its type (person, place, organization,
...), read from the CoNLL-U files of the authors' repository (``dep/``).

Different text and labellers from the tweet corpora and from WikiNEuRal: edited and spoken
prose written by people, labelled by people, with every mention of every entity annotated
(pronouns and descriptions too, not only names).

Each sentence is one text, written as the files write it: the surface tokens (a multi-word
token's form, not its words) joined with one space unless ``SpaceAfter=No``, which gives
back each sentence's ``# text`` line exactly. Mentions come from the ``Entity`` field of the
MISC column (CorefUD brackets: ``(ID-type-...`` opens a mention, ``ID)`` closes it, ``(...)``
on one word is a mention of one word).

A mention is *named* when its head (the word of the mention whose syntactic head lies
outside it) is a proper noun (Penn tag ``NNP``/``NNPS``: "New" of "New York" is one, though
its UD tag is ``ADJ``). Its labelled span is then the name (:func:`name_extent`): for a
person, the head and the parts of the same name (``flat``), so "Dr. William Glennie" gives
"William Glennie" and "Gloria's" gives "Gloria"; a person mention headed by a plural proper
noun ("Americans") or with a determiner ("the President") names a group or a role, and is
no name. For a place, the run of proper nouns around the head ("New York City" of "the New
York City subway"). A pronoun ("she"), a description ("the teacher", "my mother") or a
common-noun place ("the city", "here") is no name to redact: such person and place mentions
are kept as unscored labels (``person (unnamed)``), whole, so the span table counts them.
Named mentions of the other types (organization, event, ...) are unscored too.

Reddit documents hold underscores instead of words (their text is not distributed) and are
skipped. One source, ``gum``: held out, its individual misses are never read. It reads the
documents of the partitions the manifest names, in the order of the repository's
``splits.md`` (the test partition first), up to ``max_texts`` sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bench.corpus.fetched import Snapshot
from bench.corpus.model import QUASI, Source, Span, Text, Unavailable
from bench.corpus.sources import Context, manifest
from bench.corpus.sources.wnut17 import ConllError

NAME = "gum"  # held out

UNNAMED = " (unnamed)"  # suffix of the label of a person or place mention that is no name
TITLE = "nmod:desc"
PROPER = frozenset({"NNP", "NNPS"})
PERSON = "person"  # GUM's relation for a title or description before a name
_SKIPPED_DOCS = re.compile(r"^GUM_reddit_")  # their words are underscores in the repository
_CLOSE = re.compile(r"([^()\s-]+)\)")


@dataclass(frozen=True)
class Word:
    id: int
    xpos: str  # GUM's Penn tag: NNP and NNPS are the words of proper names ("New" in "New York")
    head: int
    deprel: str
    start: int  # the characters of its surface token (a multi-word token's whole form)
    end: int


@dataclass(frozen=True)
class Mention:
    etype: str
    first: int  # word ids, inclusive
    last: int


@dataclass(frozen=True)
class Sentence:
    text: str
    words: tuple[Word, ...]
    mentions: tuple[Mention, ...]


def _entity_field(misc: str) -> str:
    for part in misc.split("|"):
        if part.startswith("Entity="):
            return part[len("Entity=") :]
    return ""


def _brackets(entity: str, number: int) -> list[tuple[str, str, str]]:
    """The CorefUD brackets of one word's ``Entity`` value, in order: ``("(", id, type)``
    opens a mention, ``("()", id, type)`` is a mention of this word alone, ``(")", id, "")``
    closes one. ``(ID-type-...`` runs to the next bracket (GUM's values hold none)."""
    out: list[tuple[str, str, str]] = []
    rest = "" if entity == "_" else entity
    while rest:
        if rest[0] == "(":
            end = min((i for i in (rest.find("(", 1), rest.find(")", 1)) if i > 0), default=len(rest))
            eid, _, fields = rest[1:end].partition("-")
            if not eid or not fields:
                raise ConllError(f"line {number}: an Entity value this reader cannot read")
            single = rest[end : end + 1] == ")"
            out.append(("()" if single else "(", eid, fields.split("-", 1)[0]))
            rest = rest[end + 1 if single else end :]
            continue
        match = _CLOSE.match(rest)
        if match is None:
            raise ConllError(f"line {number}: an Entity value this reader cannot read")
        out.append((")", match.group(1), ""))
        rest = rest[match.end() :]
    return out


def sentences(conllu: str) -> list[Sentence]:
    """The sentences of a GUM CoNLL-U file, each with its text and its entity mentions.
    Errors name line numbers, never tokens."""
    out: list[Sentence] = []
    block: list[tuple[int, str]] = []
    for number, line in enumerate([*conllu.splitlines(), ""], start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            sentence = _sentence(block)
            if sentence is not None:
                out.append(sentence)
            block = []
    return out


def _sentence(block: list[tuple[int, str]]) -> Sentence | None:
    pieces: list[str] = []
    at = 0
    words: list[Word] = []
    mentions: list[Mention] = []
    open_: list[tuple[str, str, int]] = []  # (id, type, first word)
    covered_to = 0  # last word id inside the current multi-word token
    mwt = ""  # the rest of that token's form, not yet given to its words
    mwt_end = 0  # where that token ends in the text
    written: str | None = None
    for number, line in block:
        if line.startswith("#"):
            if line.startswith("# text = "):
                written = line[len("# text = ") :]
            continue
        cols = line.split("\t")
        if len(cols) != 10:
            raise ConllError(f"line {number}: not ten tab-separated fields")
        ident, form, misc = cols[0], cols[1], cols[9]
        if "." in ident:  # an empty node of the enhanced graph: no text
            continue
        if "-" in ident:
            first, _, last = ident.partition("-")
            if not (first.isdigit() and last.isdigit()):
                raise ConllError(f"line {number}: not a multi-word token range")
            covered_to, mwt, mwt_end = int(last), form, at + len(form)
            pieces.append(form)
            at += len(form)
            if "SpaceAfter=No" not in misc:
                pieces.append(" ")
                at += 1
            continue
        if not ident.isdigit() or not cols[6].isdigit():
            raise ConllError(f"line {number}: not a word id and a head")
        word_id = int(ident)
        if word_id <= covered_to:
            # a word of a multi-word token ("Gloria's": "Gloria" + "'s") has its own
            # characters when the token spells its words in order, else the whole token's
            if mwt.startswith(form) and form:
                surface = (mwt_end - len(mwt), mwt_end - len(mwt) + len(form))
                mwt = mwt[len(form) :]
            else:
                surface = (mwt_end - len(mwt), mwt_end) if mwt else (mwt_end - 1, mwt_end)
        else:
            surface = (at, at + len(form))
            pieces.append(form)
            at += len(form)
            if "SpaceAfter=No" not in misc:
                pieces.append(" ")
                at += 1
        words.append(Word(word_id, cols[4], int(cols[6]), cols[7], *surface))
        for kind, eid, etype in _brackets(_entity_field(misc), number):
            if kind == "(":
                open_.append((eid, etype, word_id))
            elif kind == "()":
                mentions.append(Mention(etype, word_id, word_id))
            else:  # ID) closes the newest open mention of ID
                at_open = next((i for i in range(len(open_) - 1, -1, -1) if open_[i][0] == eid), None)
                if at_open is None:
                    raise ConllError(f"line {number}: a mention closed that was never opened")
                _eid, etype, first = open_.pop(at_open)
                mentions.append(Mention(etype, first, word_id))
    if not words:
        return None
    if open_:
        raise ConllError(f"line {block[-1][0]}: a mention left open at the end of its sentence")
    text = "".join(pieces).rstrip(" ")
    if written is not None and written != text:
        raise ConllError(f"line {block[0][0]}: the words do not spell the sentence's text line")
    return Sentence(text, tuple(words), tuple(mentions))


def mention_head(sentence: Sentence, mention: Mention) -> Word:
    """The mention's head: its first word whose syntactic head lies outside it."""
    inside = [w for w in sentence.words if mention.first <= w.id <= mention.last]
    for word in inside:
        if not mention.first <= word.head <= mention.last:
            return word
    return inside[0]


def name_extent(sentence: Sentence, mention: Mention) -> tuple[int, int] | None:
    """The characters of the mention's name, or None when the mention is no name (its
    head is no proper noun). A person's name is its head and the words joined to it as
    parts of one name (``flat``: "William Glennie", "Norton I"), without the titles and
    descriptions around it ("Dr.", "NASA Administrator"); a person mention whose head is
    a plural proper noun ("Americans", "Republicans") or has a determiner ("the President",
    "an American") names a group or a role, not someone. Any other mention's name is the
    run of proper nouns around its head ("New York City" of "the New York City subway")."""
    head = mention_head(sentence, mention)
    if head.xpos not in PROPER:
        return None
    inside = {w.id: w for w in sentence.words if mention.first <= w.id <= mention.last}
    if mention.etype == PERSON:
        if head.xpos != "NNP" or any(w.head == head.id and w.deprel == "det" for w in inside.values()):
            return None
        parts = {head.id}
        grown = True
        while grown:
            more = {w.id for w in inside.values() if w.head in parts and w.deprel.split(":")[0] == "flat"}
            grown = bool(more - parts)
            parts |= more
        return inside[min(parts)].start, inside[max(parts)].end
    first = last = head.id
    while first - 1 in inside and inside[first - 1].xpos in PROPER:
        first -= 1
    while last + 1 in inside and inside[last + 1].xpos in PROPER:
        last += 1
    while first < head.id and inside[first].deprel == TITLE:
        first += 1
    return inside[first].start, inside[last].end


def gum_text(sentence: Sentence, labels: dict[str, str]) -> Text:
    """One sentence as a text: a span per named mention (its name), labelled by its type,
    and a span per unnamed mention of a type ``labels`` scores (``person (unnamed)``)."""
    spans: set[Span] = set()
    for mention in sentence.mentions:
        extent = name_extent(sentence, mention)
        if extent is not None:
            start, end = extent
            spans.add(Span(start, end, labels.get(mention.etype, QUASI), mention.etype))
        elif labels.get(mention.etype, QUASI) != QUASI:
            by_id = {w.id: w for w in sentence.words}
            label = mention.etype + UNNAMED
            spans.add(Span(by_id[mention.first].start, by_id[mention.last].end, labels.get(label, QUASI), label))
    return Text(sentence.text, tuple(sorted(spans, key=lambda s: (s.start, -s.end, s.label))))


def partitions(splits_md: str) -> dict[str, list[str]]:
    """The document names of each partition of the repository's ``splits.md``
    (``## test`` then ``  * GUM_bio_dvorak`` lines)."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in splits_md.splitlines():
        if line.startswith("## "):
            current = out.setdefault(line[3:].strip(), [])
        elif current is not None and line.strip().startswith("* "):
            current.append(line.strip()[2:].strip())
    return out


def load(ctx: Context) -> Source:
    """The held-out source: the sentences of the manifest's partitions, capped."""
    man = manifest(NAME)
    snap = Snapshot(ctx.mirror, man["repository"], man["commit"])
    labels: dict[str, str] = man["labels"]
    cap: int = man["max_texts"]
    src = Source(NAME, man)
    if snap.note:
        src.notes.append(snap.note)
    try:
        split = partitions(snap.read(man["splits"]).decode("utf-8"))
    except UnicodeDecodeError:
        raise Unavailable(f"{man['splits']}: not UTF-8") from None
    names: list[str] = []
    for part in man["partitions"]:
        if not split.get(part):
            raise Unavailable(f"{man['splits']}: no partition {part}")
        names.extend(split[part])
    skipped = [n for n in names if _SKIPPED_DOCS.match(n)]
    if skipped:
        src.notes.append(f"{len(skipped)} Reddit documents skipped (their text is not in the repository)")
    total = 0
    for doc in (n for n in names if not _SKIPPED_DOCS.match(n)):
        path = f"{man['folder']}/{doc}.conllu"
        try:
            found = sentences(snap.read(path).decode("utf-8"))
        except (ConllError, UnicodeDecodeError) as exc:
            raise Unavailable(
                f"{path}: {type(exc).__name__}: {exc if isinstance(exc, ConllError) else 'not UTF-8'}"
            ) from None
        total += len(found)
        room = max(cap - len(src.texts), 0)
        src.texts.extend(gum_text(s, labels) for s in found[:room])
    if total > cap:
        src.notes.append(f"first {cap:,} of {total:,} sentences (max_texts {cap:,})")
    return src
