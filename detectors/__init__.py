"""PII detection: column-level verdicts from names, types and sampled values, and
value-level findings (spans) in free text and JSON documents.

Detection is kept apart from transformation: detectors return findings (entity, span,
score) and verdicts; the pipeline's policy decides what treatment follows.
"""
