"""OpenLineage events for the CDR topics: source topic -> CDR topic, with column-level
lineage (each CDR field from its source column, the treatment as the transformation,
``masking`` set where the value is changed) and PII tags on both datasets.

:func:`lineage_events` is pure (the CDR schema computed from the declarations, a fixed
event time gives the same events); :func:`emit` hands them to an ``openlineage-python``
client: a file transport, or whatever the client's own configuration names (an
``openlineage.yml``, ``OPENLINEAGE_URL`` for HTTP).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import __version__
from pipeline.contracts.cdrschema import CdrSchema, SourceField, cdr_schema
from pipeline.core.declaration import DeclarationSet
from pipeline.core.entities import NONE
from pipeline.core.treatments.spec import TreatmentSpec

if TYPE_CHECKING:
    from openlineage.client.event_v2 import RunEvent

PRODUCER = f"urn:cdr-pipeline:{__version__}"
JOB_NAMESPACE = "cdr-pipeline"
_RUN_IDS = uuid.UUID("6f1c2a4e-8d0b-5b7e-9a43-2c1d0e5f7a10")  # uuid5 namespace of run ids
_KEPT = frozenset({"source"})  # formats that publish the source value unchanged


def _tags(schema: CdrSchema, tags_dataset):
    return tags_dataset.TagsDatasetFacet(
        tags=[
            tags_dataset.TagsDatasetFacetFields(key="pii", value=f.pii, source="cdr-pipeline declaration", field=f.name)
            for f in schema.fields
            if f.pii != NONE
        ]
        + [
            tags_dataset.TagsDatasetFacetFields(
                key="pii", value=p.pii, source="cdr-pipeline declaration", field=f"{f.name}.{p.path}"
            )
            for f in schema.fields
            for p in f.paths
            if p.pii != NONE
        ],
        producer=PRODUCER,
    )


def lineage_events(
    declarations: DeclarationSet,
    defaults: Mapping[str, TreatmentSpec],
    namespace: str,
    event_time: str,
    sources: Mapping[str, Mapping[str, SourceField]] | None = None,
) -> list[RunEvent]:
    """One COMPLETE event per declared table. ``namespace`` names the Kafka cluster
    (``kafka://broker:9092``); ``event_time`` is ISO-8601."""
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
    from openlineage.client.facet_v2 import column_lineage_dataset as lineage
    from openlineage.client.facet_v2 import job_type_job, schema_dataset, tags_dataset

    out = []
    for decl in sorted(declarations.by_topic.values(), key=lambda d: d.cdr_topic):
        source = (sources or {}).get(decl.table)
        schema = cdr_schema(decl, defaults, source)
        input_fields = [
            schema_dataset.SchemaDatasetFacetFields(
                name=name,
                type=str(source[name].get("type")) if source and name in source else None,
                ordinal_position=i + 1,
            )
            for i, name in enumerate(source or decl.columns)
        ]
        source_tags = tags_dataset.TagsDatasetFacet(
            tags=[
                tags_dataset.TagsDatasetFacetFields(
                    key="pii", value=c.pii, source="cdr-pipeline declaration", field=c.name
                )
                for c in decl.columns.values()
                if c.pii != NONE
            ],
            producer=PRODUCER,
        )
        output_fields = [
            schema_dataset.SchemaDatasetFacetFields(
                name=f.name,
                type=f.type,
                description=f"pii={f.pii}; treatment={f.treatment}",
                ordinal_position=i + 1,
            )
            for i, f in enumerate(schema.fields)
        ]
        columns = {
            f.name: lineage.Fields(
                inputFields=[
                    lineage.InputField(
                        namespace=namespace,
                        name=decl.source_topic,
                        field=f.name,
                        transformations=[
                            lineage.Transformation(
                                type="DIRECT",
                                subtype="IDENTITY" if f.format in _KEPT else "TRANSFORMATION",
                                description=f.treatment,
                                masking=f.format not in _KEPT,
                            )
                        ],
                    )
                ]
            )
            for f in schema.fields
        }
        run_id = uuid.uuid5(_RUN_IDS, f"{namespace}|{decl.cdr_topic}|{event_time}")
        out.append(
            RunEvent(
                eventType=RunState.COMPLETE,
                eventTime=event_time,
                producer=PRODUCER,
                run=Run(runId=str(run_id)),
                job=Job(
                    namespace=JOB_NAMESPACE,
                    name=decl.cdr_topic,
                    facets={
                        "jobType": job_type_job.JobTypeJobFacet(
                            processingType="STREAMING",
                            integration="CDR_PIPELINE",
                            jobType="CDR_TOPIC",
                            producer=PRODUCER,
                        )
                    },
                ),
                inputs=[
                    InputDataset(
                        namespace=namespace,
                        name=decl.source_topic,
                        facets={
                            "schema": schema_dataset.SchemaDatasetFacet(fields=input_fields, producer=PRODUCER),
                            "tags": source_tags,
                        },
                    )
                ],
                outputs=[
                    OutputDataset(
                        namespace=namespace,
                        name=decl.cdr_topic,
                        facets={
                            "schema": schema_dataset.SchemaDatasetFacet(fields=output_fields, producer=PRODUCER),
                            "columnLineage": lineage.ColumnLineageDatasetFacet(fields=columns, producer=PRODUCER),
                            "tags": _tags(schema, tags_dataset),
                        },
                    )
                ],
            )
        )
    return out


def emit(events: Iterable[RunEvent], file: Path | None) -> int:
    """Send ``events``: appended to ``file`` (one JSON document per line) when given, else
    through the transport the OpenLineage client's configuration names."""
    from openlineage.client import OpenLineageClient

    if file is not None:
        from openlineage.client.transport.file import FileConfig, FileTransport

        client = OpenLineageClient(transport=FileTransport(FileConfig(log_file_path=str(file), append=True)))
    else:
        client = OpenLineageClient()
    n = 0
    for event in events:
        client.emit(event)
        n += 1
    return n
