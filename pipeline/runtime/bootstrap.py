"""Start-up: turn a validated config into a ready processing core, or refuse to start."""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from detectors.ner import NerUnavailable, ner_engine
from detectors.profiler import DetectionSettings, Profiler, VerdictChange
from detectors.textscan import TextScanner
from pipeline.config import Config
from pipeline.core.change import ChangeCodec
from pipeline.core.declaration import Declaration, DeclarationSet, in_force
from pipeline.core.policy import PolicySettings
from pipeline.core.processor import CoreSettings, Processor
from pipeline.core.treatments.hashing import HashKeyError, load_hash_key
from pipeline.core.treatments.spec import WITHHOLD, TreatmentSpec
from pipeline.declarations.loader import load_declarations
from pipeline.errors import InvalidFilesError, SourceFileError
from pipeline.formats.json.codec import JsonCodec
from pipeline.runtime.verdictmemory import Verdicts

if TYPE_CHECKING:
    from pipeline.runtime.verdicttopic import TopicVerdicts


def load_declaration_set(config: Config) -> DeclarationSet:
    return load_declarations(config.schemas_dir, config.entities, config.treatment_defaults)


def build_detection(config: Config) -> tuple[TextScanner | None, Profiler | None]:
    """The value scanner (NER model loaded now, once) and the column profiler."""
    det = config.detection
    if not det.enabled:
        return None, None
    ner = ner_engine(det.ner_model) if det.ner else None
    scanner = TextScanner(ner=ner)
    settings = DetectionSettings(min_samples=det.min_samples, sample_every=det.sample_every, enter=det.enter)
    return scanner, (Profiler(settings, scanner) if det.columns else None)


def build_processor(
    config: Config,
    declarations: DeclarationSet | None = None,
    on_verdict: Callable[[VerdictChange], None] | None = None,
) -> Processor:
    """Raises :class:`InvalidFilesError` for anything a person must fix before start-up."""
    decls = declarations if declarations is not None else load_declaration_set(config)
    decls = in_force(decls, date.today())  # older CDR topic versions stop at their sunset
    try:
        key = load_hash_key(config.hash_key_file, config.hash_key_id, local_stack=config.local_stack)
    except HashKeyError as exc:
        raise InvalidFilesError([SourceFileError(config.path or "<environment>", 1, str(exc))]) from None
    if key is None:
        raise InvalidFilesError(
            [
                SourceFileError(
                    config.path or "<environment>",
                    1,
                    "no hash key: set CDR_HASH_KEY (>= 32 random bytes; raw, hex:... or base64:...) or "
                    "hashing.key_file; keys and hashed columns need it",
                )
            ]
        )
    default_decl = None
    if config.undeclared_topics.policy == "default":
        default_decl = Declaration(
            table="default.default",
            source_topic="*",
            cdr_topic=config.undeclared_topics.cdr_topic,
            owner=config.undeclared_topics.owner,
            undeclared=config.undeclared_topics.undeclared,
            format="auto",
            columns=MappingProxyType({}),
            path=config.path or "<config>",
        )
    try:
        scanner, profiler = build_detection(config)
    except NerUnavailable as exc:
        raise InvalidFilesError([SourceFileError(config.path or "<environment>", 1, str(exc))]) from None
    if profiler is not None:
        if on_verdict is not None:
            profiler.listen(on_verdict)
        if config.detection.verdicts_file is not None:
            _remember_verdicts(profiler, Path(config.detection.verdicts_file), key.secret)
    settings = CoreSettings(
        policy=PolicySettings(
            treatment_defaults=config.treatment_defaults,
            undeclared_mask=config.undeclared_mask,
            hash_key=key,
            scanner=scanner,
            profiler=profiler,
            drift=config.detection.drift,
            quasi_identifiers=TreatmentSpec(
                WITHHOLD if config.detection.quasi_identifiers == "withhold" else config.detection.quasi_identifiers
            ),
        ),
        unavailable_placeholder=config.unavailable_value_placeholder,
        headers_passthrough=config.headers_passthrough,
        codec=build_codec(config),
        default_declaration=default_decl,
        max_record_bytes=record_bytes_limit(config),
    )
    return Processor(decls, settings)


def _remember_verdicts(profiler: Profiler, path: Path, key: bytes) -> None:
    """Guard hits outlive the process: recalled when a profile is made, written down when
    they happen (then passed on to ``on_change`` as before)."""
    from pipeline.runtime.verdictmemory import VerdictMemory

    remember_with(profiler, VerdictMemory(path, key))


def remember_with(profiler: Profiler, verdicts: Verdicts) -> None:
    """Recall ``verdicts`` when a column's profile is made (after any memory set before),
    and write new guard hits to it."""
    before = profiler.recall
    if before is None:
        profiler.recall = verdicts.recall
    else:
        profiler.recall = lambda table, column: before(table, column) or verdicts.recall(table, column)
    profiler.listen(verdicts.remember)


def remember_on_topic(config: Config, processor: Processor, follow: bool = False) -> TopicVerdicts | None:
    """The service's verdict memory (``detection.verdicts_topic``), read to its end now:
    before the first record. A topic that cannot be read refuses the start. ``follow``:
    read on, by :meth:`~pipeline.runtime.verdicttopic.TopicVerdicts.catch_up`."""
    from pipeline.runtime.verdicttopic import TopicVerdicts, VerdictTopicError

    profiler = processor.settings.policy.profiler
    topic = config.detection.verdicts_topic
    if profiler is None or topic is None:
        return None
    verdicts = TopicVerdicts(config.kafka, topic, processor.settings.policy.hash_key.secret)
    try:
        if config.create_topics:
            verdicts.ensure()
        verdicts.load(follow=profiler if follow else None)
    except VerdictTopicError as exc:
        raise InvalidFilesError([SourceFileError(config.path or "<config>", 1, str(exc))]) from None
    remember_with(profiler, verdicts)
    return verdicts


def build_service_processor(config: Config) -> Processor:
    """The processor of ``cdr run``: every verdict change is logged (table, the column in
    its safe form, figures; never a value), after whatever start-up set to hear it (the
    verdicts file writes a guard hit down first)."""
    from pipeline.runtime.logs import verdict_logger

    processor = build_processor(config)
    profiler = processor.settings.policy.profiler
    if profiler is not None:
        profiler.listen(verdict_logger(processor.names))
    return processor


def record_bytes_limit(config: Config) -> int | None:
    """The core's limit on a source record's bytes: the Avro codec checks the size of the
    Avro bytes itself (in file mode: after base64)."""
    return config.max_record_bytes if config.format == "json" else None


def build_file_processor(config: Config) -> Processor:
    """The processor of ``cdr process``: with ``format: avro`` the lines carry the binary
    records as base64 JSON strings (:mod:`pipeline.formats.avro.lines`)."""
    processor = build_processor(config)
    if config.format != "avro":
        return processor
    from pipeline.core.change import KEY_HEADERS
    from pipeline.formats.avro.codec import AvroCodec
    from pipeline.formats.avro.lines import Base64Lines

    codec = processor.settings.codec
    assert isinstance(codec, AvroCodec)
    lines = Base64Lines(codec, frozenset(KEY_HEADERS))
    return Processor(processor.declarations, dataclasses.replace(processor.settings, codec=lines))


def build_codec(config: Config) -> ChangeCodec:
    """The topics' wire format. ``format: avro``: the registry must answer now, or the
    service does not start."""
    if config.format != "avro":
        return JsonCodec()
    from pipeline.formats.avro.codec import AvroCodec
    from pipeline.formats.avro.registry import RegistryClient, RegistryError

    reg = config.schema_registry
    assert reg is not None  # the config refuses format: avro without one
    client = RegistryClient(reg.url, timeout_s=reg.timeout_s, retry_s=reg.retry_s, cache_size=reg.cache_schemas)
    try:
        client.ping()
    except RegistryError as exc:
        raise InvalidFilesError(
            [SourceFileError(config.path or "<environment>", 1, f"schema_registry.url: {exc.message}")]
        ) from None
    return AvroCodec(
        client,
        reg.compatibility,
        reg.compatibility_by_topic,
        cache_size=min(reg.cache_schemas, 4096),
        max_record_bytes=config.max_record_bytes,
    )


# The collector's youngest generation, once start-up is frozen: container objects made
# (less those freed) before a collection. Python's 700 suits a program whose objects live
# long; a record's dicts and lists are freed by their reference counts when its batch is
# done, so a collection every 700 finds little and costs ~4% of typed processing (0.15 s
# of CPU in 516 collections over 50,000 typed events in ``cdr process``; one collection at
# 10,000). Bounded: at most this many young objects of cyclic garbage wait for one.
YOUNG_OBJECTS = 10_000


def freeze_start_up() -> None:
    """What start-up built (the NER model: ~140,000 objects, the declarations, the name
    lists) lives as long as the process. Left to the collector, each full collection
    walks it (~90 ms here; 0.27 s of CPU over 30,000 typed events in ``cdr process``, a
    tenth of their processing): it is moved out of the collector's sight instead. The
    youngest generation is then collected every :data:`YOUNG_OBJECTS` objects, not 700."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, middle, old)
