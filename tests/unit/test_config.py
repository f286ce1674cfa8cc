"""The config file: defaults, CDR_* environment overrides, errors with lines and
without values."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.core.treatments.spec import TreatmentSpec
from pipeline.errors import InvalidFilesError

CONFIG = """\
kafka:
  bootstrap.servers: 127.0.0.1:9092
  security.protocol: SASL_SSL
  sasl.password: hunter2-secret
consumer:
  group.id: cdr-payments
schemas: declarations
dead_letter_topic: cdr.dlq
batch: {size: 200}
metrics: {port: 9555}
hashing: {key_file: keys/hash.key, key_id: k2026}
treatment_defaults:
  PERSON: {mask: {keep_first: 1}}
entities: [EMPLOYEE_ID]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cdr.yaml"
    path.write_text(text)
    return path


def test_values_and_paths(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, CONFIG), environ={})
    assert cfg.schemas_dir == tmp_path / "declarations"
    assert cfg.hash_key_file == str(tmp_path / "keys/hash.key")
    assert cfg.batch_size == 200 and cfg.metrics.port == 9555
    assert cfg.treatment_defaults["PERSON"] == TreatmentSpec("mask", (("keep_first", 1),))
    assert cfg.treatment_defaults["EMAIL_ADDRESS"] == TreatmentSpec("hash")
    assert "EMPLOYEE_ID" in cfg.entities
    consumer = cfg.consumer_settings()
    assert consumer["group.id"] == "cdr-payments" and consumer["sasl.password"] == "hunter2-secret"
    assert cfg.producer_settings()["security.protocol"] == "SASL_SSL"


def test_environment_overrides(tmp_path: Path) -> None:
    env = {
        "CDR_KAFKA__BOOTSTRAP_SERVERS": "broker:9093",
        "CDR_CONSUMER__GROUP_ID": "g2",
        "CDR_METRICS__PORT": "9666",
        "CDR_DEAD_LETTER_TOPIC": "dlq2",
        "CDR_HASH_KEY": "not-an-override-0123456789",
    }
    cfg = load_config(write(tmp_path, CONFIG), environ=env)
    assert cfg.kafka["bootstrap.servers"] == "broker:9093"
    assert cfg.consumer["group.id"] == "g2"
    assert cfg.metrics.port == 9666 and cfg.dead_letter_topic == "dlq2"


def test_errors_have_lines_and_never_values(tmp_path: Path) -> None:
    text = CONFIG.replace("metrics: {port: 9555}", "metrics: {port: hunter2-secret}") + "delivery: maybe\nbogus: 1\n"
    with pytest.raises(InvalidFilesError) as info:
        load_config(write(tmp_path, text), environ={})
    lines = sorted(str(e).split("cdr.yaml:")[1] for e in info.value.errors)
    assert lines == [
        "10: metrics.port: must be of type integer",
        "15: delivery: must be one of at_least_once, exactly_once",
        "16: unknown key 'bogus'",
    ]
    assert "hunter2" not in str(info.value)


def test_bad_environment_override_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidFilesError) as info:
        load_config(write(tmp_path, CONFIG), environ={"CDR_BATCH__SIZE": "lots"})
    assert str(info.value.errors[0]).startswith("environment CDR_BATCH__SIZE:0: batch.size: must be of type integer")


def test_bad_treatment_default(tmp_path: Path) -> None:
    with pytest.raises(
        InvalidFilesError, match=r"cdr.yaml:13: treatment_defaults.PERSON: mask has no parameter 'keep'"
    ):
        load_config(write(tmp_path, CONFIG.replace("keep_first", "keep")), environ={})


def test_no_file_means_defaults(monkeypatch) -> None:
    cfg = load_config(None, environ={"CDR_SCHEMAS": "/tmp/x"})
    assert cfg.schemas_dir == Path("/tmp/x") and cfg.delivery == "at_least_once"


def test_the_example_config_loads() -> None:
    cfg = load_config(Path(__file__).resolve().parents[2] / "deploy" / "config.example.yaml")
    assert cfg.delivery == "at_least_once" and cfg.backpressure_high == 50000


def test_exactly_once_and_worker_settings(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "delivery: exactly_once\ntransactional_id_prefix: pay-\nworker_id: 3\n"))
    assert cfg.exactly_once and cfg.transactional_id == "pay-3"


def test_bad_dead_letter_key_and_watermarks_are_reported_with_lines_not_values(tmp_path: Path) -> None:
    text = "dlq:\n  encryption_key: base64:c2hvcnQta2V5\nbackpressure: {high_watermark: 10, low_watermark: 10}\n"
    with pytest.raises(InvalidFilesError) as info:
        load_config(write(tmp_path, text))
    message = "\n".join(str(e) for e in info.value.errors)
    assert "cdr.yaml:2:" in message and "16, 24 or 32 bytes" in message
    assert "c2hvcnQta2V5" not in message
    fixed = text.replace("base64:c2hvcnQta2V5", "hex:" + "ab" * 16)
    with pytest.raises(InvalidFilesError) as info:
        load_config(write(tmp_path, fixed))
    assert "low_watermark must be below high_watermark" in "\n".join(str(e) for e in info.value.errors)
