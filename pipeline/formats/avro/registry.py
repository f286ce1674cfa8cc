"""A client of a schema registry's Confluent-compatible REST API (Confluent Schema
Registry, Apicurio's ``/apis/ccompat/v7``, Karapace...): schemas by id, registration
under a subject, a subject's compatibility mode.

Bounded everywhere: schemas by id and registrations are kept in LRU caches of a fixed
size and a budget of bytes (:mod:`pipeline.core.schemacache`: a schema is as large as
whoever registered it made it); every call has a timeout; a registry that does not answer (connection refused,
timeout, HTTP 5xx) is retried with backoff for at most ``retry_s`` seconds, then
:class:`RegistryUnavailable` is raised. That error is not a property of the record: the
format lets it stop the batch (nothing dead-lettered, nothing committed; see
:mod:`pipeline.formats.avro.codec`). A 4xx answer is the record's: the schema id is
unknown (:class:`SchemaNotFound`) or the schema is rejected (:class:`SchemaRejected`:
incompatible with the subject's mode, or invalid).

Error messages name the subject, the id and the registry's error code, never the URL's
credentials or a schema's content.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from pipeline.core.schemacache import SchemaCache, schema_size
from pipeline.errors import DependencyError

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
COMPATIBILITY_MODES = (
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
    "NONE",
)


class RegistryError(DependencyError):
    def __init__(self, message: str, status: int | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class RegistryUnavailable(RegistryError):
    """The registry did not answer within the retry budget: stop, do not dead-letter."""


class SchemaNotFound(RegistryError):
    """No schema with that id (Confluent error 40403)."""


class SchemaRejected(RegistryError):
    """The registry refused a schema under a subject: incompatible (409) or invalid (422)."""


def redacted(url: str) -> str:
    """The URL without user information (for messages)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


Transport = Callable[[urllib.request.Request, float], tuple[int, bytes]]


def _urllib_transport(req: urllib.request.Request, timeout: float) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read(1 << 22)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(1 << 16)


class RegistryClient:
    def __init__(
        self,
        url: str,
        timeout_s: float = 5.0,
        retry_s: float = 30.0,
        cache_size: int = 1024,
        transport: Transport = _urllib_transport,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        self._auth: str | None = None
        if parts.username is not None:
            userinfo = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
            self._auth = "Basic " + base64.b64encode(userinfo.encode()).decode()
        self.base = redacted(url).rstrip("/")
        self.timeout_s = timeout_s
        self.retry_s = retry_s
        self.cache_size = cache_size
        self._transport = transport
        self._sleep = sleep
        # schema texts are as large as whoever registered them made them: bounded by bytes too
        self._schemas: SchemaCache[int, dict[str, Any]] = SchemaCache(cache_size)
        self._registered: SchemaCache[tuple[str, str], int] = SchemaCache(cache_size)
        self._configured: OrderedDict[str, str] = OrderedDict()

    # -- calls ---------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": CONTENT_TYPE, "Content-Type": CONTENT_TYPE}
        if self._auth is not None:
            headers["Authorization"] = self._auth
        deadline = time.monotonic() + self.retry_s
        delay = 0.2
        while True:
            req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
            try:
                status, raw = self._transport(req, self.timeout_s)
            except (OSError, urllib.error.URLError) as exc:
                status, raw, problem = 0, b"", type(exc).__name__
            else:
                problem = f"HTTP {status}"
            if status and status < 500:
                try:
                    return status, json.loads(raw) if raw else None
                except ValueError:
                    if status < 300:
                        raise RegistryError(f"registry {self.base}: {method} answered {status} with no JSON") from None
                    return status, None
            if time.monotonic() + delay > deadline:
                raise RegistryUnavailable(
                    f"schema registry {self.base} did not answer {method} ({problem}) for {self.retry_s:.0f}s"
                )
            self._sleep(delay)
            delay = min(delay * 2, 5.0)

    @staticmethod
    def _code(body: Any) -> int | None:
        code = body.get("error_code") if isinstance(body, dict) else None
        return code if isinstance(code, int) else None

    def _remember(self, cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > self.cache_size:
            cache.popitem(last=False)

    # -- API -----------------------------------------------------------------------------

    def ping(self) -> None:
        """Raises :class:`RegistryUnavailable` or :class:`RegistryError` unless the
        registry's subject list answers."""
        status, body = self._call("GET", "/subjects")
        if status != 200 or not isinstance(body, list):
            raise RegistryError(f"schema registry {self.base}: GET /subjects answered {status}", status)

    def schema(self, schema_id: int) -> dict[str, Any]:
        """The registry's answer for a schema id: ``schema`` (text) and ``schemaType``."""
        hit = self._schemas.get(schema_id)
        if hit is not None:
            self._schemas.touch(schema_id)
            return hit
        status, body = self._call("GET", f"/schemas/ids/{schema_id}")
        if status == 404:
            raise SchemaNotFound(f"schema id {schema_id} is not in the registry", status, self._code(body))
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("schema"), str):
            raise RegistryError(f"registry answered {status} for schema id {schema_id}", status, self._code(body))
        answer = {k: body[k] for k in ("schema", "schemaType") if k in body}  # what is read of it
        self._schemas.put(schema_id, answer, 1024 + schema_size(answer["schema"].encode("utf-8", "surrogatepass")))
        return answer

    def set_compatibility(self, subject: str, mode: str) -> None:
        """Set a subject's compatibility mode (once per subject and mode per process)."""
        if self._configured.get(subject) == mode:
            return
        quoted = urllib.parse.quote(subject, safe="")
        status, body = self._call("PUT", f"/config/{quoted}", {"compatibility": mode})
        if status != 200:
            raise RegistryError(
                f"registry answered {status} setting compatibility {mode} on subject {subject}",
                status,
                self._code(body),
            )
        self._remember(self._configured, subject, mode)

    def register(self, subject: str, schema: str) -> int:
        """The id of ``schema`` under ``subject``, registering it (a new version) if
        needed. Raises :class:`SchemaRejected` when the registry refuses it."""
        key = (subject, schema)
        hit = self._registered.get(key)
        if hit is not None:
            self._registered.touch(key)
            return hit
        quoted = urllib.parse.quote(subject, safe="")
        status, body = self._call("POST", f"/subjects/{quoted}/versions", {"schema": schema})
        if status in (409, 422):
            code = self._code(body)
            why = "incompatible with the subject's earlier versions" if status == 409 else "invalid"
            raise SchemaRejected(f"registry rejected the schema for subject {subject}: {why}", status, code)
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("id"), int):
            raise RegistryError(f"registry answered {status} registering subject {subject}", status, self._code(body))
        size = 1024 + 4 * len(subject) + schema_size(schema.encode("utf-8", "surrogatepass"))
        self._registered.put(key, int(body["id"]), size)
        return int(body["id"])
