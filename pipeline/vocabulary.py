"""The project's vocabularies in one place, as enums whose values are the wire values
(exit codes, dead-letter reasons, verdict states): a member compares equal to, and
prints as, the plain value it replaces."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class ExitCode(IntEnum):
    """Exit codes of the ``cdr`` command."""

    OK = 0  # done (cdr scan, audit, check: nothing found)
    ERROR = 1  # unexpected failure, or findings (cdr scan, audit, check, dlq replay)
    USAGE = 2  # bad arguments, or cannot do as asked
    INVALID = 3  # invalid config or declarations, each problem printed as file:line: what
    DELIVERY_FAILED = 4  # the service stopped because a delivery failed (nothing past it committed)
    FENCED = 5  # another producer took over this worker's transactional id
    BROKER_TIMEOUT = 6  # the broker stayed unreachable past the configured timeout


class DeadLetterReason(StrEnum):
    """Why a record went to the dead-letter topic: the ``cdr.dlq.reason`` header, the
    ``reason`` label of ``cdr_dead_letters_total`` and the ``reason`` of a dead-letter line."""

    # decode: the record's bytes or shape
    RECORD_TOO_LARGE = "record_too_large"
    BAD_LINE = "bad_line"  # file mode: a line that is not a Kafka record
    NOT_BASE64 = "not_base64"  # file mode, format: avro: a member that is not base64
    INVALID_UTF8 = "invalid_utf8"
    INVALID_JSON = "invalid_json"
    NUMBER_TOO_LONG = "number_too_long"
    NULL_JSON = "null_json"
    NOT_AN_OBJECT = "not_an_object"
    UNSUPPORTED_ENCODING = "unsupported_encoding"
    NO_PAYLOAD = "no_payload"
    SCHEMA_INVALID = "schema_invalid"
    SCHEMA_MISMATCH = "schema_mismatch"
    TYPE_MISMATCH = "type_mismatch"
    KEY_NOT_STRUCT = "key_not_struct"
    UNKNOWN_OP = "unknown_op"
    ENVELOPE_WITHOUT_OP = "envelope_without_op"
    AMBIGUOUS_SHAPE = "ambiguous_shape"
    NOT_AN_ENVELOPE = "not_an_envelope"
    NOT_A_ROW = "not_a_row"
    NOT_AVRO = "not_avro"
    MALFORMED_AVRO = "malformed_avro"
    UNKNOWN_SCHEMA_ID = "unknown_schema_id"
    UNSUPPORTED_SCHEMA = "unsupported_schema"
    # policy and detection
    UNDECLARED_COLUMN_BLOCKED = "undeclared_column_blocked"
    VERDICTS_UNSETTLED = "verdicts_unsettled"
    NER_BUDGET = "ner_budget"
    NER_FAILED = "ner_failed"
    # transform and encode
    GENERALIZE_TYPE = "generalize_type"
    NOT_JSON = "not_json"
    UNENCODABLE = "unencodable"
    AVRO_ENCODE_FAILED = "avro_encode_failed"
    SCHEMA_INCOMPATIBLE = "schema_incompatible"  # the registry refused the CDR schema (409)
    # anywhere
    TOO_DEEP = "too_deep"
    INTERNAL_ERROR = "internal_error"


class VerdictState(StrEnum):
    """The state of a column's detection verdict (``detectors.profiler``): the ``state``
    of a ``column_verdict`` log line and of the ``cdr_column_verdict`` metric."""

    PENDING = "pending"  # too few values yet: withheld
    WITHHELD = "withheld"  # enough values, no positive evidence either way: withheld
    CLEAR = "clear"  # positive evidence of no personal data: released, guarded per value
    QUASI = "quasi"  # a quasi-identifier (city, postcode, gender...): the policy decides
    PII = "pii"
    FREE_TEXT = "free_text"
    JSON = "json"
