"""Exactly-once delivery (``delivery: exactly_once``): consume-transform-produce in Kafka
transactions, KIP-447 style.

Contract:

1. Each worker owns one transactional producer, ``transactional.id`` = the configured
   prefix + its worker id, so a restarted worker fences its previous incarnation and
   any transaction that incarnation left open is aborted by the broker.
2. ``init_transactions()`` runs once at start-up; a fatal error there exits non-zero.
3. Per consumed batch: ``begin_transaction()``, process, produce every CDR and
   dead-letter record of the batch, then ``send_offsets_to_transaction()`` with the
   next offset of every partition in the batch and the consumer's group metadata
   (generation + member id: a zombie from an older generation cannot commit), then
   ``commit_transaction()``. The consumer itself never commits.
4. Retriable errors in step 3's commit are retried until a deadline
   (``transaction_timeout_ms``); past it, the transaction is aborted as in step 5.
5. ``txn_requires_abort``: ``abort_transaction()``, then rewind every partition of the
   batch to the batch's first offset (everything before it was committed by earlier
   transactions), and continue: the batch is processed again.
6. Fenced (another instance took the ``transactional.id``) or any other fatal error:
   stop, commit nothing, exit with a non-zero code (fenced: 5). Never retry as the old
   instance.
7. Rebalance callbacks run inside ``consume()``, between transactions: on revoke there is
   no open transaction to finish; on loss nothing is committed.
8. CDR readers use ``isolation.level=read_committed``: records of aborted transactions
   are never seen, and each source record appears exactly once. Masking is
   deterministic, so a batch processed twice (step 5, or a crash before step 3's commit)
   yields byte-identical records with the same keys and partitions.
"""

from __future__ import annotations

import time
from enum import Enum

from confluent_kafka import KafkaError, KafkaException, Producer, TopicPartition

from pipeline.errors import CdrError


class TxnResult(Enum):
    COMMITTED = "committed"
    ABORTED = "aborted"


class TransactionFenced(CdrError):
    """Another instance took over: our transactional.id (step 6), or our static
    group.instance.id."""


class TransactionFatal(CdrError):
    """A fatal transactional error (step 6)."""

    def __init__(self, error: KafkaError) -> None:
        super().__init__(error.name())
        self.error = error


def is_fenced(err: KafkaError) -> bool:
    return err.code() in (
        KafkaError._FENCED,
        KafkaError.PRODUCER_FENCED,
        KafkaError.INVALID_PRODUCER_EPOCH,
        KafkaError.FENCED_INSTANCE_ID,
    )


def raise_for(err: KafkaError) -> None:
    """Turn a fatal client error into step 6's exceptions."""
    if is_fenced(err):
        raise TransactionFenced(err.name())
    raise TransactionFatal(err)


class Transactions:
    def __init__(self, producer: Producer, timeout_s: float) -> None:
        self.producer = producer
        self.timeout_s = timeout_s
        self.open = False

    def init(self) -> None:
        try:
            self.producer.init_transactions(self.timeout_s)
        except KafkaException as exc:
            raise_for(exc.args[0])

    def begin(self) -> None:
        try:
            self.producer.begin_transaction()
        except KafkaException as exc:
            raise_for(exc.args[0])
        self.open = True

    def commit(self, offsets: list[TopicPartition], group_metadata: object) -> TxnResult:
        """Steps 3-5: send the offsets and commit; abort when the transaction cannot commit."""
        deadline = time.monotonic() + self.timeout_s
        offsets_sent = False
        while True:
            remaining = max(1.0, deadline - time.monotonic())
            try:
                if not offsets_sent:
                    self.producer.send_offsets_to_transaction(offsets, group_metadata, remaining)
                    offsets_sent = True
                self.producer.commit_transaction(remaining)
                self.open = False
                return TxnResult.COMMITTED
            except KafkaException as exc:
                err: KafkaError = exc.args[0]
                if err.fatal() or is_fenced(err):
                    self.open = False
                    raise_for(err)
                if err.txn_requires_abort() or time.monotonic() >= deadline:
                    self.abort()
                    return TxnResult.ABORTED
                if err.retriable():
                    time.sleep(0.1)
                    continue
                self.abort()
                return TxnResult.ABORTED

    def abort(self) -> None:
        try:
            self.producer.abort_transaction(self.timeout_s)
        except KafkaException as exc:
            err = exc.args[0]
            if err.fatal() or is_fenced(err):
                self.open = False
                raise_for(err)
            raise
        self.open = False
