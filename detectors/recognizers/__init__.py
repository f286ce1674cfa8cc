"""The recognizer registry: small classes, one per entity, each with its validator."""

from __future__ import annotations

from detectors.recognizers.address import AddressRecognizer
from detectors.recognizers.base import Finding, Recognizer
from detectors.recognizers.contact import EmailRecognizer, PhoneRecognizer, UrlRecognizer
from detectors.recognizers.financial import CreditCardRecognizer, CryptoRecognizer, IbanRecognizer
from detectors.recognizers.government import UsSsnRecognizer
from detectors.recognizers.names import HonorificNameRecognizer, PersonNameRecognizer
from detectors.recognizers.network import IpAddressRecognizer
from detectors.recognizers.temporal import DateOfBirthRecognizer

__all__ = ["Finding", "Recognizer", "default_recognizers"]


def default_recognizers() -> tuple[Recognizer, ...]:
    return (
        EmailRecognizer(),
        CreditCardRecognizer(),
        IbanRecognizer(),
        UsSsnRecognizer(),
        PhoneRecognizer(),
        IpAddressRecognizer(),
        UrlRecognizer(),
        CryptoRecognizer(),
        DateOfBirthRecognizer(),
        AddressRecognizer(),
        PersonNameRecognizer(),
        HonorificNameRecognizer(),
    )
