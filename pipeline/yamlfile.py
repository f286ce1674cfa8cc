"""Load a YAML file (or a JSON file: YAML written in JSON syntax) into plain data,
remembering the line every mapping key and value starts on, so that start-up errors can
say ``file:line: what is wrong``.

Bounded: a file over :data:`MAX_FILE_BYTES` or nested deeper than :data:`MAX_DEPTH` is
refused, and so is any YAML anchor or alias (``&name``/``*name``): an alias shares a node,
so a few hundred bytes of nested aliases expand to billions of values ("billion laughs").
Declarations and configs never need them; without aliases the data is at most as big as
the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import CdrError, SourceFileError

Path_ = tuple[str | int, ...]

MAX_FILE_BYTES = 1_048_576  # a declaration or config is a few KB
MAX_DEPTH = 32  # nested mappings/sequences; a declaration needs about 7


@dataclass(frozen=True)
class LocatedDocument:
    """A parsed document and the 1-based line of each path inside it."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """Line of ``path``, or of its nearest ancestor that has one."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), 1)

    def error(self, path: Path_, message: str) -> SourceFileError:
        return SourceFileError(self.file, self.line_of(path), message)


def load_located(path: str | Path) -> LocatedDocument:
    """Parse ``path``. Raises :class:`SourceFileError` on syntax errors and duplicate keys."""
    p = Path(path)
    try:
        with p.open("rb") as stream:  # read at most the bound: st_size lies for pipes and devices
            raw = stream.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise SourceFileError(p, 1, f"file is larger than {MAX_FILE_BYTES} bytes")
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceFileError(p, 1, f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise SourceFileError(p, 1, f"cannot read file: {exc.strerror}") from None
    return parse_located(text, str(p))


_UNITS = {
    "maxLength": "characters",
    "maxItems": "items",
    "maxProperties": "keys",
    "minItems": "items",
    "minProperties": "keys",
}


def describe_violation(err: Any) -> str:
    """What a JSON Schema violation (``jsonschema.ValidationError``) expects, from the schema
    alone: never the value that was there (a config value can be a password, a value pasted
    into a declaration can be personal data; ``err.message`` quotes it)."""
    schema = err.schema
    if err.validator == "type":
        return f"must be of type {schema['type']}"
    if err.validator == "enum":
        return "must be one of " + ", ".join(map(str, schema["enum"]))
    if err.validator in ("minimum", "maximum", "exclusiveMinimum"):
        relation = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">"}[str(err.validator)]
        return f"must be {relation} {err.validator_value}"
    if err.validator == "pattern":
        return f"must match {err.validator_value}"
    if err.validator == "required":
        return err.message  # names a missing key of the schema: no value
    if err.validator in ("maxLength", "maxItems", "maxProperties"):
        return f"must have at most {err.validator_value} {_UNITS[str(err.validator)]}"
    if err.validator in ("minItems", "minProperties"):
        return f"must have at least {err.validator_value} {_UNITS[str(err.validator)]}"
    if err.validator == "uniqueItems":
        return "must not repeat an item"
    if err.validator == "oneOf":
        return "matches none of the allowed forms"
    if err.validator == "minLength":
        return (
            "must not be empty" if err.validator_value <= 1 else f"must have at least {err.validator_value} characters"
        )
    return f"is invalid ({err.validator})"


class _Refused(CdrError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses anchors and aliases and bounds nesting while it
    composes, before anything is expanded or converted."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                event.start_mark.line + 1,
                "YAML anchors and aliases (&name, *name, <<: *name) are not allowed; write the value out",
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(event.start_mark.line + 1, f"nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1


def parse_located(text: str, file: str) -> LocatedDocument:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise SourceFileError(file, 1, f"file is larger than {MAX_FILE_BYTES} bytes")
    if text.lstrip().startswith(("{", "[")):
        return _parse_json_syntax(text, file)
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LocatedDocument(file, None, {(): 1})
        lines: dict[Path_, int] = {}
        data = _convert(node, loader, (), lines, file)
    except _Refused as exc:
        raise SourceFileError(file, exc.line, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise SourceFileError(file, line, f"YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML always marks its errors
        raise SourceFileError(file, 1, f"YAML error: {type(exc).__name__}") from None
    except ValueError:  # e.g. an integer over Python's digit limit; never quote the value
        raise SourceFileError(file, 1, "a value cannot be read (a number too long?)") from None
    finally:
        loader.dispose()
    return LocatedDocument(file, data, lines)


def _parse_json_syntax(text: str, file: str) -> LocatedDocument:
    """JSON documents: values from the JSON parser (exact JSON semantics), lines from
    the YAML composer (JSON is YAML once tabs, which valid JSON only has as whitespace,
    become spaces)."""
    deep = _json_too_deep(text)
    if deep is not None:
        raise SourceFileError(file, deep, f"nested deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFileError(file, exc.lineno, f"JSON syntax error: {exc.msg}") from None
    except ValueError:  # an integer over Python's digit limit; never quote the value
        raise SourceFileError(file, 1, "a value cannot be read (a number too long?)") from None
    lines: dict[Path_, int] = {(): 1}
    loader = _BoundedLoader(text.replace("\t", " "))
    try:
        node = loader.get_single_node()
        if node is not None:
            _convert(node, loader, (), lines, file)
    except (yaml.YAMLError, SourceFileError, _Refused, ValueError):
        pass  # lines are a courtesy here; the JSON parser already accepted the document
    finally:
        loader.dispose()
    _check_json_duplicates(text, file)
    return LocatedDocument(file, data, lines)


def _json_too_deep(text: str) -> int | None:
    """The line where JSON text first nests deeper than :data:`MAX_DEPTH`, else None
    (one pass; strings skipped), so the recursive parsers never see such a document."""
    depth, line, in_string, escaped = 0, 1, False, False
    for ch in text:
        if ch == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif ch in "]}":
            depth -= 1
    return None


def _check_json_duplicates(text: str, file: str) -> None:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise SourceFileError(file, _line_of_key(text, key), f"duplicate key {key!r}")
            seen.add(key)
        return dict(pairs)

    json.loads(text, object_pairs_hook=hook)


def _line_of_key(text: str, key: str) -> int:
    needle = json.dumps(key)
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[-1] if hits else 1


def _convert(node: yaml.Node, loader: yaml.SafeLoader, path: Path_, lines: dict[Path_, int], file: str) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | bool | float) and key is not None:
                raise SourceFileError(file, key_node.start_mark.line + 1, "mapping keys must be scalars")
            if isinstance(key, bool) or key is None:
                # YAML 1.1 reads bare `yes`/`no`/`on`/`null` keys as booleans/None; keep the text.
                key = key_node.value
            if key in out:
                raise SourceFileError(file, key_node.start_mark.line + 1, f"duplicate key {key!r}")
            child = (*path, key)
            lines[child] = key_node.start_mark.line + 1
            out[key] = _convert(value_node, loader, child, lines, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, loader, (*path, i), lines, file) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
