"""reefclr.registry: one record per embedder; the schema, envs, loaders, weights and names derived from it agree."""

import hashlib
import importlib
import re

import pytest
import yaml

from helpers import REPO
from reefclr import registry, settings
from reefclr.config import ConfigError, load_schema, validate_config
from reefclr.registry import display_name


SCHEMA = load_schema(REPO / "schemas/config.schema.yaml")


EMBED = SCHEMA["properties"]["embed"]["properties"]


def test_the_schema_takes_its_embedder_names_and_weights_keys_from_the_registry():
    raw = yaml.safe_load((REPO / "schemas/config.schema.yaml").read_text())["properties"]["embed"]["properties"]
    assert "enum" not in raw["embedders"]["items"] and raw["weights"]["properties"] == {}  # never copied by hand
    assert EMBED["embedders"]["items"]["enum"] == list(registry.REGISTRY)
    assert list(EMBED["weights"]["properties"]) == list(registry.EXTERNAL_WEIGHTS)
    assert set(yaml.safe_load((REPO / "config.yaml").read_text())["embed"]["weights"]) <= set(registry.EXTERNAL_WEIGHTS)
    demo = yaml.safe_load((REPO / "config.yaml").read_text())
    with pytest.raises(ConfigError, match="embed.embedders"):
        validate_config(demo | {"embed": {"embedders": ["reefclr", "no_such_embedder"]}}, SCHEMA)
    with pytest.raises(ConfigError, match="deploy.embedder"):
        validate_config(demo | {"deploy": {"embedder": "supervised"}}, SCHEMA)


def test_every_loader_exists_and_every_env_has_its_rule():
    rules = (REPO / "rules/embed.smk").read_text()
    envs = dict(re.findall(r'(?:use rule \w+ as |rule )(\w+)(?: with)?:.*?conda:\s*"\.\./envs/(\w+)\.yaml"', rules,
                           flags=re.S))
    assert envs == {"extract_embeddings": "torch", "extract_waveform_embeddings": "tf", "export_study_csv": "eval",
                    "download_weights": "tf"}
    for name, spec in registry.REGISTRY.items():
        assert spec.env in ("torch", "tf") and (REPO / f"envs/{spec.env}.yaml").exists()
        assert display_name(name) == spec.display
        if spec.input == "classifier":
            assert not spec.loader
            continue
        module, function = spec.loader.split(":")
        assert callable(getattr(importlib.import_module(f"reefclr.embedders.{module}"), function)), name
        assert (spec.input == "waveform") == (spec.env == "tf"), name
    assert len({s.display for s in registry.REGISTRY.values()}) == len(registry.REGISTRY)


def test_params_slice_holds_exactly_what_an_embedder_reads():
    cfg = settings.load(validate_config(yaml.safe_load((REPO / "config.yaml").read_text()), SCHEMA))
    for name in registry.FEATURE_EMBEDDERS:
        spec = registry.spec(name)
        got = registry.params_slice(name, cfg)
        expected = {"name", "version"} | {k.rsplit(".", 1)[-1] for k in spec.reads}
        expected |= {"weights"} if name in registry.EXTERNAL_WEIGHTS else set()
        expected |= {"audio"} if spec.input == "waveform" else set()
        assert set(got) == expected, name
    assert registry.params_slice("mel_stats", cfg)["n_mels"] == cfg.spectrogram.n_mels


def test_imagenet_is_looked_for_where_torch_hub_keeps_it(tmp_path, monkeypatch):
    import torch

    for env in ({"TORCH_HOME": str(tmp_path / "t")}, {"XDG_CACHE_HOME": str(tmp_path / "x")}, {}):
        monkeypatch.delenv("TORCH_HOME", raising=False)
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        assert registry.locate("imagenet", None).parent.parent == registry.Path(torch.hub.get_dir())


def test_missing_weights_name_the_file_and_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path / "hub"))
    with pytest.raises(registry.WeightsMissing) as err:
        registry.require("imagenet", None)
    assert str(tmp_path / "torch/hub/checkpoints/resnet50-0676ba61.pth") in str(err.value)
    assert registry.IMAGENET_URL in str(err.value) and "download_weights" in str(err.value)
    with pytest.raises(registry.WeightsMissing, match="vggish.*tfhub.dev/google/vggish/1"):
        registry.require("vggish", None)
    sha = hashlib.sha1(b"https://tfhub.dev/google/yamnet/1").hexdigest()
    assert registry.locate("yamnet", None) == tmp_path / "hub" / sha  # where tensorflow_hub caches it
    with pytest.raises(registry.WeightsMissing, match="birdnet: weights not found at /nowhere.tflite"):
        registry.require("birdnet", "/nowhere.tflite")
