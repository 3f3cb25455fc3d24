"""reefclr.settings.base: records from a config section, result() (the params) and runtime_keys(),
on a record of its own and on the whole config's ``Settings``."""

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import pytest

from reefclr import settings
from reefclr.settings import Settings
from reefclr.settings.base import HARDWARE, RESULT, RUNTIME, Record, hardware, kind, runtime

RUNTIME_KEYS = ["spectrogram.batch_size", "pretrain.knn.every", "pretrain.checkpoint_every", "pretrain.log_every",
                "pretrain.workers", "pretrain.compile", "pretrain.min_rank", "pretrain.max_hours", "embed.batch_size", "deploy.batch_size"]


@dataclass(frozen=True)
class Inner(Record):
    k: int
    every: int = runtime()


@dataclass(frozen=True)
class Outer(Record):
    section: ClassVar[str] = "outer"
    optional: ClassVar[tuple[str, ...]] = ("note",)
    names: tuple[str, ...]
    weights: dict[str, str | None]
    inner: Inner
    note: str | None
    device: str = hardware()
    threads: int = runtime()


OUTER = {"names": ["a", "b"], "weights": {"x": None}, "inner": {"k": 2, "every": 3}, "device": "cpu", "threads": 4}


def test_a_record_is_built_typed_and_its_result_leaves_out_runtime_fields():
    r = Outer.from_config(OUTER)
    assert r == Outer(("a", "b"), {"x": None}, Inner(2, 3), None, "cpu", 4)  # lists to tuples, optional to None
    assert [kind(f) for f in dataclasses.fields(Outer)] == [RESULT] * 4 + [HARDWARE, RUNTIME]
    assert r.result() == {"names": ["a", "b"], "weights": {"x": None}, "inner": {"k": 2}, "note": None,
                          "device": "cpu"}
    assert r.to_dict() == OUTER | {"note": None}
    assert Outer.runtime_keys() == ["outer.inner.every", "outer.threads"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.inner.k = 1


def test_a_missing_key_names_the_section_or_the_record():
    with pytest.raises(KeyError, match=r"outer: no 'inner' \(is the config validated\?\)"):
        Outer.from_config({k: v for k, v in OUTER.items() if k != "inner"})
    with pytest.raises(KeyError, match="Inner: no 'k'"):
        Inner.from_config({"every": 1})


def test_records_of_a_validated_config_are_frozen(demo):
    config, s = demo
    assert s == Settings.from_config(config) == settings.load(config)
    assert s.pretrain.encoder == config["pretrain"]["encoder"] and s.seed == config["seed"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.pretrain.lr = 1.0
    assert isinstance(s.embed.embedders, tuple) and isinstance(s.data.datasets, tuple)  # lists frozen to tuples
    assert s.to_dict()["embed"]["embedders"] == config["embed"]["embedders"]  # back to plain lists


def test_runtime_keys_list_exactly_the_runtime_settings_and_values_read_them(demo):
    config, s = demo
    assert Settings.runtime_keys() == RUNTIME_KEYS
    for key in RUNTIME_KEYS:
        s.value(key)  # each a real setting
    assert s.value("pretrain.knn.k") == config["pretrain"]["knn"]["k"]
    assert s.value("embed.embedders") == config["embed"]["embedders"]
