"""The local KRaft broker's cluster ids (devstack.kafka)."""

from __future__ import annotations

import base64

from devstack.kafka import new_cluster_id


def test_cluster_ids_are_uuids_the_storage_tool_cannot_mistake_for_options() -> None:
    # One random id in 64 starts with '-'; `kafka-storage format -t -x...` then fails with
    # "argument --cluster-id/-t: expected one argument" (seen in a test run).
    ids = [new_cluster_id() for _ in range(2000)]
    assert not [i for i in ids if i.startswith("-")]
    assert len(set(ids)) == len(ids)
    assert all(len(base64.urlsafe_b64decode(i + "==")) == 16 for i in ids)
