"""The record machinery: ``Record`` (from a config section, to its params), the field kinds
``runtime()`` and ``hardware()``, and the typed build of nested records, tuples and maps."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

RESULT, RUNTIME, HARDWARE = "result", "runtime", "hardware"
_READS: set[str] | None = None  # the dotted keys of fields read, while ``trace`` records them


def runtime():
    """A field that changes only speed, memory or logging."""
    return field(metadata={"kind": RUNTIME})


def hardware():
    """A field that says where a job runs (in params; a checkpoint resumes across it)."""
    return field(metadata={"kind": HARDWARE})


def kind(f) -> str:
    return f.metadata.get("kind", RESULT)


def _plain(value):
    """JSON-ready: records to dicts, tuples to lists."""
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _frozen(value):
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Record:
    """A frozen record of one config section (``section``: its dotted key in the config)."""

    section: ClassVar[str] = ""
    optional: ClassVar[tuple[str, ...]] = ()  # keys the schema may leave out (no default): None

    @classmethod
    def from_config(cls, values: typing.Mapping[str, Any], path: str | None = None):
        """The record of a validated config section (the schema filled every default), at the
        dotted ``path`` of the config (its section by default)."""
        hints = typing.get_type_hints(cls)
        path = cls.section if path is None else path
        kwargs = {}
        for f in fields(cls):
            if f.name not in values and f.name not in cls.optional:
                raise KeyError(f"{cls.section or cls.__name__}: no {f.name!r} (is the config validated?)")
            kwargs[f.name] = _build(hints[f.name], values.get(f.name), _join(path, f.name))
        record = cls(**kwargs)
        object.__setattr__(record, "_path", path)
        return record

    def __getattribute__(self, name: str):
        if _READS is not None and name in _field_names(type(self)):
            path = object.__getattribute__(self, "__dict__").get("_path")
            if path is not None:  # a record derived from others (Settings.audio) was read through them
                _READS.add(_join(path, name))
        return object.__getattribute__(self, name)

    def to_dict(self) -> dict:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    def result(self) -> dict:
        """The fields that decide a job's result (result and hardware), nested records likewise:
        what a rule's params hold."""
        out = {}
        for f in fields(self):
            if kind(f) == RUNTIME:
                continue
            value = getattr(self, f.name)
            out[f.name] = value.result() if isinstance(value, Record) else _plain(value)
        return out

    @classmethod
    def runtime_keys(cls, prefix: str = "") -> list[str]:
        """Dotted keys of every runtime field, nested records included."""
        hints = typing.get_type_hints(cls)
        prefix = prefix or cls.section
        out = []
        for f in fields(cls):
            key = f"{prefix}.{f.name}" if prefix else f.name
            if kind(f) == RUNTIME:
                out.append(key)
            elif isinstance(hints[f.name], type) and issubclass(hints[f.name], Record):
                out += hints[f.name].runtime_keys(key)
        return out


def _build(hint, value, path: str = ""):
    origin = typing.get_origin(hint)
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint.from_config(value, path)
    if origin is tuple and value is not None:
        (item, *_) = typing.get_args(hint)
        return tuple(_build(item, v, f"{path}[{i}]") for i, v in enumerate(value))
    if origin is dict and value is not None:
        _, item = typing.get_args(hint)
        return {k: _build(item, v, _join(path, k)) for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if value is None else _build(args[0], value, path)
    return _frozen(value)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


_NAMES: dict[type, frozenset] = {}


def _field_names(cls) -> frozenset:
    if cls not in _NAMES:
        _NAMES[cls] = frozenset(f.name for f in fields(cls))
    return _NAMES[cls]


def untraced(record: Record, name: str):
    """A field read that is not a setting the job depends on (a lookup by key, say)."""
    return object.__getattribute__(record, name)
