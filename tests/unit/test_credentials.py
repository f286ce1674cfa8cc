"""Credentials: issued key and token formats found whole; a labelled secret's value
redacted with its label kept; words about passwords and short or absent values left
alone."""

from __future__ import annotations

import pytest

from detectors.guard import holds
from detectors.textscan import TextScanner

# Made up (AWS's documentation example pair; filler tokens of one repeated letter).
ISSUED = [
    "AKIAIOSFODNN7EXAMPLE",
    "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "ghp_" + "a" * 36,
    "xoxb-" + "1" * 12 + "-abcdefghij",
    "sk_live_" + "b" * 24,
    "AIza" + "c" * 35,
    "-----BEGIN RSA PRIVATE KEY-----",
]


@pytest.mark.parametrize("value", ISSUED)
def test_an_issued_credential_is_found(value: str) -> None:
    scanner = TextScanner()
    assert holds(value, scanner) == "CREDENTIAL"
    assert scanner.redact(f"rotated {value} today") == "rotated <CREDENTIAL> today"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("password=Hunter2Hunter2", "password=<CREDENTIAL>"),
        ("db password: S3cr3tPassw0rd!", "db password: <CREDENTIAL>"),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG", "aws_secret_access_key = <CREDENTIAL>"),
        ("x-api-key=9f8e7d6c5b4a3210", "x-api-key=<CREDENTIAL>"),
    ],
)
def test_a_labelled_secret_loses_its_value(text: str, redacted: str) -> None:
    assert TextScanner().redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "The password is strong",
        "API key rotated",
        "token: abc",
        "passwd=short",
        "Tokens: 12",
        "AKIA is the prefix of a key id",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
        "version=1.2.3",
    ],
)
def test_words_about_secrets_are_left_alone(text: str) -> None:
    assert "<CREDENTIAL>" not in TextScanner().redact(text)
    assert holds(text, TextScanner()) != "CREDENTIAL"
