"""`cdr run`: the service (one worker, or a supervisor of ``--workers N``)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import signal
import sys
from typing import TYPE_CHECKING

from pipeline.tools.loading import config_from
from pipeline.vocabulary import ExitCode

if TYPE_CHECKING:
    pass


_EARLY_STOP: list[int] = []  # signals received before the service could take them


def command(args: argparse.Namespace) -> int:
    # A stop asked for while the model and the name lists load is kept, not fatal:
    # the service starts, sees it, and leaves cleanly (a new worker scaled down).
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda received, _frame: _EARLY_STOP.append(received))
    from pipeline.runtime.bootstrap import build_service_processor, remember_on_topic
    from pipeline.runtime.logs import log, setup_logging
    from pipeline.runtime.metrics import Metrics
    from pipeline.runtime.service import Service

    config = config_from(args.config)
    setup_logging(config.log_level)
    if args.workers < 1:
        print("cdr run: --workers must be at least 1", file=sys.stderr)
        return ExitCode.USAGE
    if args.workers > 1 and args.worker_id is None:
        from pipeline.runtime.workers import Supervisor

        return Supervisor(args.config, args.workers).run(stop_requested=bool(_EARLY_STOP))
    if args.worker_id is not None:
        port = config.metrics.port
        metrics_settings = dataclasses.replace(config.metrics, port=port + args.worker_id if port else 0)
        config = dataclasses.replace(config, worker_id=args.worker_id, metrics=metrics_settings)
    processor = build_service_processor(config)
    metrics = Metrics(names=processor.names)
    profiler = processor.settings.policy.profiler
    if profiler is not None:
        metrics.watch_detection(profiler, processor.declarations)
    logger = logging.getLogger("cdr")
    service = Service(config, processor, metrics)
    from pipeline.contracts.sunset import RetiringReaders, retiring_topics

    retiring = retiring_topics(processor.declarations)
    if retiring:  # who still reads an old CDR topic version, for its owners (cdr_retiring_topic_readers)
        RetiringReaders(config.kafka, retiring, metrics.registry, processor.names.group).start()
    if config.metrics.enabled:
        port = metrics.serve(config.metrics.host, config.metrics.port, service.health)
        log(logger, logging.INFO, "metrics_listening", url=f"http://{config.metrics.host}:{port}/metrics")
    service.install_signal_handlers()
    if _EARLY_STOP:
        service.request_stop()
    if config.create_topics:
        service.ensure_topics()
    # guard hits of earlier runs, before the first record; then other workers', as they happen
    verdicts = remember_on_topic(config, processor, follow=True)
    if verdicts is not None:
        service.between_batches.append(verdicts.catch_up)
    code = service.run()
    if verdicts is not None and not service.hard_exit:
        verdicts.close()
    if service.hard_exit:  # the broker is gone: destroying the clients would block on it
        logging.shutdown()
        os._exit(code)
    return code
