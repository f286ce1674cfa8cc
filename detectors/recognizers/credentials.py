"""Credentials: what lets someone act as a person (or a service) is as sensitive as what
identifies them. Read by their issuers' fixed prefixes, or by the word that labels
them:

- an AWS access key id (``AKIA``/``ASIA`` + sixteen base-32 characters), with the
  forty-character secret key written after it (``AKIA...:wJalr...``);
- GitHub (``ghp_``...), Slack (``xoxb-``...), Stripe (``sk_live_``...) and Google
  (``AIza``...) tokens, and a PEM private key's header;
- a value labelled ``password=``, ``secret:``, ``api_key=``, ``aws_secret_access_key=``,
  ``token:`` (the value alone is the finding; the label stays readable).
"""

from __future__ import annotations

import re

from detectors.recognizers.base import Finding, Recognizer

_ISSUED = (
    r"(?<![A-Za-z0-9])(?:A(?:KIA|SIA)[A-Z2-7]{16}(?:[:=,;]\s?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+]))?"
    r"|gh[pousr]_[A-Za-z0-9]{36}|xox[abprs]-[A-Za-z0-9-]{10,}|[sr]k_live_[A-Za-z0-9]{16,}"
    r"|AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9])"
    r"|-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"
)
_LABELLED = (
    r"(?i:\b(?:aws_secret_access_key|secret(?:_key)?|pass(?:word|wd)?|pwd|api[_-]?key|access[_-]?token|token)"
    r"\s?[:=]\s?[\"']?)(?P<value>[^\s\"',;&]{8,})"
)


class CredentialRecognizer(Recognizer):
    entity = "CREDENTIAL"
    name = "credential"
    needs = "Agxk-:="
    pattern = re.compile(rf"(?:{_ISSUED})|{_LABELLED}")
    issued = re.compile(_ISSUED)

    def validate(self, match: re.Match[str]) -> float | None:
        return 0.8 if match.group("value") is None else 0.7

    def match_value(self, value: str) -> float | None:
        value = value.strip()
        if not value or not self._prefilter(value):
            return None
        return 0.8 if self.issued.fullmatch(value) else None

    def find(self, text: str) -> list[Finding]:
        if not self._prefilter(text):
            return []
        out = []
        for m in self.pattern.finditer(text):
            group = "value" if m.group("value") is not None else 0
            out.append(Finding(self.entity, m.start(group), m.end(group), self.validate(m) or 0.0, self.name))
        return out
