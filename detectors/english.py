"""English words: the base forms in the lemmatizer tables of the packaged spaCy model
(WordNet's index, about 83,000 words), loaded once on first use, never downloaded.

Used where "is this an ordinary word?" is evidence, e.g. a column named with two words
that are neither English nor column vocabulary (``kenji_okafor``) is likely a person.
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from detectors.shortcache import short_lru

_lock = threading.Lock()
_words: frozenset[str] | None = None
_SUFFIXES = ("ing", "ed", "es", "s", "er", "ly")


def _lemma_table(name: str) -> list[Any]:
    """The values of one lemmatizer table (``lemma_index``: base forms by part of speech;
    ``lemma_exc``: irregular forms) of the packaged spaCy model; empty without it."""
    from detectors.ner import DEFAULT_MODEL  # here: ner -> recognizers -> person -> english

    spec = importlib.util.find_spec(DEFAULT_MODEL)
    if spec is None or spec.origin is None:
        return []
    from spacy.lookups import Lookups

    return [
        values
        for tables in Path(spec.origin).parent.glob("*/lemmatizer/lookups")
        for values in Lookups().from_disk(tables).get_table(name).values()
    ]


def _load() -> frozenset[str]:
    global _words
    with _lock:
        if _words is None:
            _words = frozenset(w.lower() for forms in _lemma_table("lemma_index") for w in forms)
    return _words


def available() -> bool:
    return bool(_load())


@short_lru(maxsize=16_384, longest=64)  # bounded; words only, in memory
def is_english(word: str) -> bool:
    """The word, or the word without a common inflection, is an English base form."""
    words = _load()
    w = word.lower()
    if w in words:
        return True
    return any(w.endswith(s) and len(w) - len(s) >= 3 and w[: -len(s)] in words for s in _SUFFIXES)


def is_function_word(word: str) -> bool:
    """A pronoun, article, preposition or auxiliary (spaCy's English stop words: the
    lemma index holds none of them). Loaded on first use, like the index."""
    return word.lower() in _stop_words()


# Words of speech and chat that the lemma index (nouns, verbs, adjectives, adverbs) does
# not hold: interjections, greetings and chat spellings. Some are also names in the census
# lists ('hey', 'dang', 'yee'), so a text's "Hey" is not taken for a surname.
_SPOKEN_WORDS = """
    hey hi hiya hello howdy yo sup bye byee ok okay oh ohh ooh ah ahh aw aww awww wow woah whoa
    yay yeah yea yep yup yeh nope nah naw ya yah ye yee ugh meh huh hmm hmmm mhm umm um uh eh
    ha hah haha hahaha heh hehe lol lmao lmfao rofl omg omfg wtf idk tbh smh imo btw jk ngl fyi
    ima imma gonna wanna gotta kinda sorta dunno lemme gimme cuz coz tho thru pls plz thx bro
    bruh dude fam sis yall aight alright mah dang darn gosh oops welp yikes
"""
_SPOKEN = frozenset(_SPOKEN_WORDS.split())


def is_spoken_word(word: str) -> bool:
    """An interjection or chat word ('hey', 'lol', 'imma'): English, though no lemma."""
    return word.lower() in _SPOKEN


@lru_cache(maxsize=1)
def _irregular_forms() -> frozenset[str]:
    """The inflected forms the lemmatizer lists as exceptions ('wrote', 'shipped',
    'children'), loaded on first use from the same packaged tables as the index."""
    return frozenset(form.lower() for pos in _lemma_table("lemma_exc") for form in pos)


def is_english_form(word: str) -> bool:
    """Any English word, inflected irregularly or not, a function word or a chat word
    ('wrote', 'shipped', 'the', 'lol' as well as what :func:`is_english` holds)."""
    w = word.lower()
    return is_english(w) or w in _stop_words() or w in _SPOKEN or w in _irregular_forms()


@lru_cache(maxsize=1)
def _stop_words() -> set[str]:
    """spaCy's English stop words (the set itself), imported once: not on every call,
    names are tested word by word in every text."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return STOP_WORDS
