"""The shapes of a person's name written alone that a word list tells from other words:
names joined by hyphens or apostrophes ('Jean-Luc Picard'), a listed first name before
words no English has ('Maria Lindqvist'), an initial with such a word ('K. Osei'), and a
handle of names ('kenji_okafor'). English words veto each: 'Rolls-Royce Phantom',
'J. Crew' and 'blue_widget' are no one. Read by :func:`detectors.textscan.whole_name` on
a free-text value that is a name alone, on at most its first 128 characters."""

from __future__ import annotations

import re

from detectors import english
from detectors.english import is_english
from detectors.normalize import COMMON_TLDS
from detectors.recognizers.person import is_first_name, is_top_surname

_JOINED_PART = re.compile(r"[^\W\d_][^\W\d_A-Z]*")  # 'Jean', 'Luc', 'O', 'Neill', 'Qahtani'
_JOINERS = re.compile(r"[-'\u2019]")


def joined_name_words(value: str) -> bool:
    """Two to four capitalised words, one at least joined by a hyphen or an apostrophe
    whose parts are capitalised too ('Jean-Luc Picard', 'Aisha Al-Qahtani', "Siobhan
    O'Neill"), and no word English: neither a plain word ('Rolls-Royce Phantom') nor a
    compound whose parts of three letters or more all are ('Well-Known Brand'). What
    :func:`detectors.guard.titled_words` with :func:`~detectors.guard.unknown_words` read,
    for names written with joiners."""
    words = value.split(" ")
    return (
        2 <= len(words) <= 4
        and english.available()
        and any(_JOINERS.search(w) for w in words)
        and all(_unknown_name_word(w) for w in words)
    )


def _unknown_name_word(word: str) -> bool:
    """A capitalised word of three letters or more, parts joined by hyphens or apostrophes
    allowed, that English does not have (as a whole, or in every long part)."""
    parts = _JOINERS.split(word)
    if len(word) < 3 or not all(p[:1].isupper() and _JOINED_PART.fullmatch(p) for p in parts):
        return False
    long_parts = [p for p in parts if len(p) >= 3] or [word]
    return not all(is_english(p.lower()) for p in long_parts)


def listed_first_name_then_unknown(value: str) -> bool:
    """A listed first name, then one or two capitalised words no English has ('Maria
    Lindqvist', 'Wei Okonkwo-Eze'): English's word list holds many given names (WordNet's
    proper nouns: maria, james, wei), so the first word is read by the name lists."""
    words = value.split(" ")
    return (
        2 <= len(words) <= 3
        and english.available()
        and words[0][:1].isupper()
        and _JOINED_PART.fullmatch(words[0]) is not None
        and is_first_name(words[0])
        and all(_unknown_name_word(w) for w in words[1:])
    )


_HANDLE = re.compile(r"[^\W\d_]{2,}(?:[._-][^\W\d_]{2,}){1,2}")


def handle_of_names(value: str) -> bool:
    """A handle of two or three words joined by '_', '.' or '-', in any case, that are a
    listed first name and then words no English has or frequent surnames, or all such
    words ('kenji_okafor', 'maria.lindqvist', 'john_smith', 'Priya-Venkataraman'): how a
    person's login or address is written. 'blue_widget' and 'order.total' are English,
    'gmail.com' and 'nginx.conf' a domain and a file, 'smtp_tls' acronyms."""
    if not _HANDLE.fullmatch(value) or not english.available():
        return False
    words = re.split(r"[._-]", value.lower())
    if words[-1] in _NOT_HANDLE_ENDS or not all(_HANDLE_VOWELS.intersection(w) for w in words):
        return False  # a domain or a file ('gmail.com', 'nginx.conf'), an acronym ('smtp_tls')
    first_listed = is_first_name(words[0])
    rest = words[1:] if first_listed else words
    return all(len(w) >= 3 and (not is_english(w) or (first_listed and is_top_surname(w))) for w in rest)


_HANDLE_VOWELS = frozenset("aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüý")
# Last parts of a domain or a file name, not of a person's handle.
_DOMAIN_AND_FILE_ENDS = (
    "co", "uk", "de", "fr", "es", "it", "nl", "be", "ch", "at", "se", "no", "dk", "fi", "pl",
    "ru", "cn", "jp", "kr", "in", "au", "ca", "br", "mx", "us", "eu", "ie", "pt", "cz",
    "local", "localdomain", "localhost", "internal", "lan", "conf", "cfg", "ini", "json",
    "yaml", "yml", "xml", "toml", "env", "ico", "png", "jpg", "jpeg", "gif", "svg", "pdf",
    "txt", "csv", "log", "html", "htm", "css", "js", "ts", "py", "rb", "go", "java", "php",
    "sql", "zip", "gz", "tar", "bak", "tmp", "lock", "md", "rst", "sh", "bat", "exe", "dll",
    "so", "jar", "war"
)  # fmt: skip
_NOT_HANDLE_ENDS = COMMON_TLDS | frozenset(_DOMAIN_AND_FILE_ENDS)


def initialled_name(value: str) -> bool:
    """An initial and a word no English has, either way round ('K. Osei', 'Chidi O.'):
    how a person is written short. 'J. Crew' and 'Vitamin C' are English; an initial
    first needs its dot ('A Kiosk' is no name)."""
    words = value.split(" ")
    if len(words) != 2 or not english.available():
        return False
    first, second = words
    if _initial(first) and first.endswith("."):
        return _unknown_name_word(second)
    if _initial(second):
        return _unknown_name_word(first)
    return False


def _initial(word: str) -> bool:
    return 1 <= len(word) <= 2 and word[0].isupper() and word[0].isalpha() and word[1:] in ("", ".")
