"""The recognizer registry: small classes, one per entity, each with its validator."""

from __future__ import annotations

from detectors.recognizers.address import AddressRecognizer
from detectors.recognizers.base import Finding, Recognizer
from detectors.recognizers.contact import EmailRecognizer, PhoneRecognizer, UrlRecognizer
from detectors.recognizers.credentials import CredentialRecognizer
from detectors.recognizers.devices import ImeiRecognizer, MacAddressRecognizer, UkPlateRecognizer, VinRecognizer
from detectors.recognizers.financial import (
    CreditCardRecognizer,
    CryptoRecognizer,
    IbanRecognizer,
    SortCodeAccountRecognizer,
)
from detectors.recognizers.geo import GeoPointRecognizer
from detectors.recognizers.government import DriverLicenseRecognizer, PassportRecognizer, UsSsnRecognizer
from detectors.recognizers.handles import HandleNameRecognizer
from detectors.recognizers.hashtags import HashtagNameRecognizer
from detectors.recognizers.inverted import InvertedNameRecognizer
from detectors.recognizers.names import (
    CuedNameRecognizer,
    HonorificNameRecognizer,
    InitialNameRecognizer,
    LabelledNameRecognizer,
    LowerCaseNameRecognizer,
    NameListRecognizer,
    NameWordRecognizer,
    ParticleNameRecognizer,
    PersonNameRecognizer,
)
from detectors.recognizers.national_ids import (
    AadhaarRecognizer,
    BrazilCpfRecognizer,
    ChinaResidentIdRecognizer,
    DutchBsnRecognizer,
    FrenchNirRecognizer,
    ItalianFiscalCodeRecognizer,
    SingaporeNricRecognizer,
    SpanishIdRecognizer,
    SwedishPersonnummerRecognizer,
    SwissAhvRecognizer,
    UkNinoRecognizer,
)
from detectors.recognizers.network import IpAddressRecognizer
from detectors.recognizers.street_cues import CuedStreetRecognizer
from detectors.recognizers.tax_ids import VatNumberRecognizer
from detectors.recognizers.temporal import REFERENCE_YEAR, DateOfBirthRecognizer

__all__ = ["Finding", "Recognizer", "default_recognizers"]


def default_recognizers(reference_year: int = REFERENCE_YEAR) -> tuple[Recognizer, ...]:
    """Every recogniser; ``reference_year`` is the year dates of birth are aged against
    (the core reads no clock: a caller at the edge may pass the current year)."""
    return (
        EmailRecognizer(),
        CredentialRecognizer(),
        CreditCardRecognizer(),
        IbanRecognizer(),
        SortCodeAccountRecognizer(),
        UsSsnRecognizer(),
        DriverLicenseRecognizer(),
        PassportRecognizer(),
        SpanishIdRecognizer(),
        BrazilCpfRecognizer(),
        ItalianFiscalCodeRecognizer(),
        FrenchNirRecognizer(),
        UkNinoRecognizer(),
        ChinaResidentIdRecognizer(),
        SingaporeNricRecognizer(),
        SwedishPersonnummerRecognizer(),
        SwissAhvRecognizer(),
        DutchBsnRecognizer(),
        AadhaarRecognizer(),
        VatNumberRecognizer(),
        PhoneRecognizer(),
        IpAddressRecognizer(),
        MacAddressRecognizer(),
        ImeiRecognizer(),
        VinRecognizer(),
        UkPlateRecognizer(),
        GeoPointRecognizer(),
        UrlRecognizer(),
        CryptoRecognizer(),
        DateOfBirthRecognizer(reference_year),
        AddressRecognizer(),
        CuedStreetRecognizer(),
        PersonNameRecognizer(),
        ParticleNameRecognizer(),
        HonorificNameRecognizer(),
        InitialNameRecognizer(),
        InvertedNameRecognizer(),
        CuedNameRecognizer(),
        NameListRecognizer(),
        LabelledNameRecognizer(),
        LowerCaseNameRecognizer(),
        NameWordRecognizer(),
        HashtagNameRecognizer(),
        HandleNameRecognizer(),
    )
