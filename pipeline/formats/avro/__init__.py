"""Avro in the Confluent wire format with a schema registry (``format: avro``):
:mod:`.codec` (records <-> ChangeEvents), :mod:`.connect` (schemas and values), :mod:`.registry`
(the registry's Confluent-compatible API)."""
