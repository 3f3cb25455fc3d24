"""The embedder registry (reefclr.catalog): one record per embedder, and everything derived
from it agrees with it (the schema, the rules' envs, the loaders, the tables' names)."""

import importlib
import re

import yaml
from helpers import REPO
from reefclr import registry
from reefclr.evaluation.aggregate import display_name
from reefclr.config import load_schema, validate_config

SCHEMA = load_schema(REPO / "schemas/config.schema.yaml")
EMBED = SCHEMA["properties"]["embed"]["properties"]


def test_schema_embedder_list_is_the_registry():
    assert EMBED["embedders"]["items"]["enum"] == list(registry.REGISTRY)


def test_schema_weights_keys_are_the_embedders_with_weights():
    assert list(EMBED["weights"]["properties"]) == list(registry.EXTERNAL_WEIGHTS)
    assert set(yaml.safe_load((REPO / "config.yaml").read_text())["embed"]["weights"]) == set(registry.EXTERNAL_WEIGHTS)


def test_every_loader_exists_and_every_env_has_its_rule():
    rules = (REPO / "rules/embed.smk").read_text()
    envs = dict(re.findall(r'rule (\w+):.*?conda:\s*"\.\./envs/(\w+)\.yaml"', rules, flags=re.S))
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
    cfg = validate_config(yaml.safe_load((REPO / "config.yaml").read_text()), SCHEMA)
    for name in registry.FEATURE_EMBEDDERS:
        spec = registry.spec(name)
        got = registry.params_slice(name, cfg)
        expected = {"name", "version"} | {k.rsplit(".", 1)[-1] for k in spec.reads}
        expected |= {"weights"} if name in registry.EXTERNAL_WEIGHTS else set()
        expected |= {"audio"} if spec.input == "waveform" else set()
        assert set(got) == expected, name
    assert registry.params_slice("mel_stats", cfg)["n_mels"] == cfg["spectrogram"]["n_mels"]


def test_imagenet_is_looked_for_where_torch_hub_keeps_it(tmp_path, monkeypatch):
    import torch

    for env in ({"TORCH_HOME": str(tmp_path / "t")}, {"XDG_CACHE_HOME": str(tmp_path / "x")}, {}):
        monkeypatch.delenv("TORCH_HOME", raising=False)
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        assert registry.locate("imagenet", None).parent.parent == registry.Path(torch.hub.get_dir())
