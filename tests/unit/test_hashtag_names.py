"""A person's name glued into a hashtag (detectors/recognizers/hashtags.py,
HashtagNameRecognizer): a known first name and a known surname written together in camel
case, and the hashtags, handles and words that are not people. Names here are taken from
the census lists the recognizer reads, in invented texts."""

from __future__ import annotations

import pytest

from detectors.recognizers import default_recognizers
from detectors.recognizers.hashtags import MAX_BODY, HashtagNameRecognizer
from detectors.textscan import TextScanner, redact_spans

HASHTAG = HashtagNameRecognizer()
OTHERS = [r for r in default_recognizers() if not isinstance(r, HashtagNameRecognizer)]


def found(text: str) -> list[str]:
    return [text[f.start : f.end] for f in HASHTAG.find(text)]


def found_by_others(text: str) -> list[str]:
    return [text[f.start : f.end] for r in OTHERS for f in r.find(text) if f.entity == "PERSON"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("so sad today #RIPJohnnyWinter", ["#RIPJohnnyWinter"]),  # what is glued to the name goes too
        ("#ShelleyWatson out for the season", ["#ShelleyWatson"]),  # the text's start
        ("trending: #DonaldSterling #ShelleySterling", ["#DonaldSterling", "#ShelleySterling"]),
        ("vote #TeamMildredGaddis2014 now", ["#TeamMildredGaddis2014"]),
        ("go #Johnny_Winter go", ["#Johnny_Winter"]),  # an underscore between the parts
    ],
)
def test_a_camel_case_name_in_a_hashtag_is_found_whole(text: str, names: list[str]) -> None:
    assert found(text) == names
    assert not set(names) & set(found_by_others(text)), "already found without this recognizer: not what it adds"


@pytest.mark.parametrize(
    "text",
    [
        "#johnnywinter live tonight",  # lower case: no place to split it
        "#JOHNNYWINTER live tonight",  # capitals: the same
        "#BlackFriday deals all week",  # no first name
        "happy #MayDay everyone",  # a calendar word
        "watch the #NBAFinals tonight",  # an acronym and a word
        "#TeamPhil all the way",  # a first name alone
        "@JohnnyWinter posted again",  # a handle, not a hashtag
        "C#Sharp and F#Watson",  # a '#' inside a word
        "&#JohnnyWinter;",  # an HTML character reference's shape
        "#Johnny Winter",  # words apart are the other recognizers' and NER's
    ],
)
def test_hashtags_without_a_glued_name_and_handles_are_not_found(text: str) -> None:
    assert found(text) == []


def test_a_hashtag_longer_than_the_bound_is_not_looked_into() -> None:
    body = "JohnnyWinter" + "Go" * MAX_BODY
    assert found(f"#{body} ok") == []
    assert found(f"#{body[: MAX_BODY + 1]} ok") == []
    assert found(f"#{body[:MAX_BODY]} ok") == [f"#{body[:MAX_BODY]}"]


def test_whole_values_are_left_to_the_profiler() -> None:
    assert HASHTAG.match_value("#JohnnyWinter") is None


def test_the_scanner_redacts_the_name_in_a_hashtag_of_free_text() -> None:
    text = "so sad to hear it #RIPJohnnyWinter"
    spans = TextScanner().find_in_free_text(text)
    out = redact_spans(text, spans)
    assert "Johnny" not in out and "Winter" not in out, "a name glued into a hashtag was published"
    assert out.startswith("so sad to hear it ")
