"""Column-name evidence: strong names hold a column on their own, ambiguous names stay
weak, and business columns are not mistaken for people or phones."""

from __future__ import annotations

import pytest

from detectors.vocabulary import STRONG, name_evidence, quasi_identifier, tokens


@pytest.mark.parametrize(
    ("column", "entity"),
    [
        ("License Number", "US_DRIVER_LICENSE"),
        ("lic_num", "US_DRIVER_LICENSE"),
        ("dl_number", "US_DRIVER_LICENSE"),
        ("drivers_license", "US_DRIVER_LICENSE"),
        ("DriversLicenseNo", "US_DRIVER_LICENSE"),
        ("driving_licence", "US_DRIVER_LICENSE"),
        ("Card_Number", "CREDIT_CARD"),
        ("card_no", "CREDIT_CARD"),
        ("cc_num", "CREDIT_CARD"),
        ("CREDITCARDNUMBER", "CREDIT_CARD"),
        ("ADD1", "LOCATION"),
        ("ADD2", "LOCATION"),
        ("addr_line1", "LOCATION"),
        ("billing_address", "LOCATION"),
        ("BillingAddress", "LOCATION"),
        ("street", "LOCATION"),
        ("Strasse", "LOCATION"),
        ("direccion", "LOCATION"),
        ("dob", "DATE_OF_BIRTH"),
        ("birthdate", "DATE_OF_BIRTH"),
        ("birth_dt", "DATE_OF_BIRTH"),
        ("DATEOFBIRTH", "DATE_OF_BIRTH"),
        ("Geburtsdatum", "DATE_OF_BIRTH"),
        ("ssn", "US_SSN"),
        ("social_security", "US_SSN"),
        ("SocialSecurityNumber", "US_SSN"),
        ("fname", "PERSON"),
        ("lname", "PERSON"),
        ("surname", "PERSON"),
        ("given_name", "PERSON"),
        ("full_name", "PERSON"),
        ("FirstName", "PERSON"),
        ("LAST NAME", "PERSON"),
        ("CUSTOMERNAME", "PERSON"),
        ("customer_name", "PERSON"),
        ("nachname", "PERSON"),
        ("apellido", "PERSON"),
        ("tel", "PHONE_NUMBER"),
        ("mobile", "PHONE_NUMBER"),
        ("msisdn", "PHONE_NUMBER"),
        ("homePhone", "PHONE_NUMBER"),
        ("mobile_no", "PHONE_NUMBER"),
        ("Telefon", "PHONE_NUMBER"),
        ("email_address", "EMAIL_ADDRESS"),
        ("iban", "IBAN_CODE"),
        ("passport_no", "US_PASSPORT"),
    ],
)
def test_strong_names(column: str, entity: str) -> None:
    evidence = name_evidence(column)
    assert evidence.get(entity, 0.0) >= STRONG >= 0.85, f"{column!r}: {evidence}"
    assert max(evidence, key=lambda e: evidence[e]) == entity, f"{column!r}: {evidence}"


@pytest.mark.parametrize(
    "column",
    [
        "merchant",
        "merchant_name",
        "amount",
        "balance",
        "distance",
        "lat",
        "lon",
        "status",
        "plan",
        "category",
        "product_name",
        "ProductName",
        "company",
        "company_name",
        "filename",
        "hostname",
        "city",
        "state",
        "job_title",
        "card_type",
        "phone_verified",
        "email_hash",
        "gift_card_number",
        "mac_address",
        "ip_address",
        "email_address",
        "birth_year",
        "place_of_birth",
        "software_license_number",
        "order_number",
    ],
)
def test_not_person_or_phone(column: str) -> None:
    evidence = name_evidence(column)
    assert evidence.get("PERSON", 0.0) < 0.5, f"{column!r}: {evidence}"
    assert evidence.get("PHONE_NUMBER", 0.0) < 0.5, f"{column!r}: {evidence}"


@pytest.mark.parametrize(
    ("column", "entity"),
    [
        ("gift_card_number", "CREDIT_CARD"),
        ("mac_address", "LOCATION"),
        ("ip_address", "LOCATION"),
        ("email_address", "LOCATION"),
        ("birth_year", "DATE_OF_BIRTH"),
        ("software_license_number", "US_DRIVER_LICENSE"),
        ("card_type", "CREDIT_CARD"),
        ("name", "PERSON"),  # ambiguous alone: needs the values to agree
        ("card", "CREDIT_CARD"),
    ],
)
def test_not_strong(column: str, entity: str) -> None:
    assert name_evidence(column).get(entity, 0.0) < STRONG, f"{column!r} is strong for {entity}"


@pytest.mark.parametrize(
    ("column", "category"),
    [
        ("city", "city"),
        ("billing_city", "city"),
        ("state", "region"),
        ("province", "region"),
        ("zip", "postcode"),
        ("postcode", "postcode"),
        ("PostalCode", "postcode"),
        ("zip_code", "postcode"),
        ("gender", "gender"),
        ("sex", "gender"),
        ("job", "occupation"),
        ("job_title", "occupation"),
        ("JobTitle", "occupation"),
        ("occupation", "occupation"),
        ("title", "occupation"),
        ("birth_year", "birth_year"),
        ("yob", "birth_year"),
        ("year_of_birth", "birth_year"),
        ("nationality", "nationality"),
        ("ethnicity", "ethnicity"),
        ("race", "ethnicity"),
        ("country", "country"),
        ("age", "age"),
        ("marital_status", "marital_status"),
        # not quasi-identifiers
        ("order_state", None),
        ("job_status", None),
        ("job_id", None),
        ("city_id", None),
        ("amount", None),
        ("product_title", None),
        ("page", None),
        ("message", None),
        ("status", None),
    ],
)
def test_quasi_identifiers(column: str, category: str | None) -> None:
    assert quasi_identifier(column) == category


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("dateOfBirth", ("date", "of", "birth")),
        ("HTTPStatus", ("http", "status")),
        ("addr_line1", ("address", "line", "1")),
        ("Straße", ("street",)),
        ("customerName", ("customer", "name")),
        ("named", ("named",)),  # a word, not glued parts
    ],
)
def test_tokens(column: str, expected: tuple[str, ...]) -> None:
    assert tokens(column) == expected
