"""Config validation against ``schemas/config.schema.yaml``, with defaults filled in.

Runs in the Snakefile before any job. Errors name the offending key path, e.g.
``config: evaluation.rf.test_size: 1.5 is greater than the maximum of 0.9``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator, validators

from reefclr.registry import needs_pretraining, schema_additions


class ConfigError(ValueError):
    """The config does not match the schema."""


def _with_defaults(validator_class):
    """Extend a validator so that ``default`` values of missing properties are inserted."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, subschema in properties.items():
                if "default" in subschema and name not in instance:
                    instance[name] = copy.deepcopy(subschema["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return validators.extend(validator_class, {"properties": set_defaults})


_DefaultFillingValidator = _with_defaults(Draft202012Validator)


def layered(base: dict, top: dict) -> dict:
    """``top`` over ``base``: mappings merge key by key, anything else (lists included) is replaced."""
    out = copy.deepcopy(base)
    for key, value in top.items():
        out[key] = layered(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def compose(command_line: dict, configfiles: list, demo: str | Path) -> dict:
    """The run's config before validation. Config files given with --configfile are layered, in
    their order, over the schema's defaults alone; only when none is given is ``demo``
    (config.yaml, the synthetic demo) the base. So an own config never inherits the demo's
    datasets, classifiers, queries or truth; to build on the demo, pass config.yaml first
    (``--configfile config.yaml presets/ci.yaml``). ``command_line``: what Snakemake merged from
    --configfile and --config (the same in every job, cluster jobs included)."""
    if configfiles:
        return copy.deepcopy(command_line)
    return layered(yaml.safe_load(Path(demo).read_text()), command_line)


def load_schema(path: str | Path) -> dict:
    """The config schema, with the embedder names and weights keys of the registry."""
    return schema_additions(yaml.safe_load(Path(path).read_text()))


def fill_defaults(instance: dict, schema: dict) -> dict:
    """Insert the schema's defaults into ``instance`` in place (no validation)."""
    for _ in _DefaultFillingValidator(schema).iter_errors(instance):
        pass
    return instance


def validate_config(config: dict, schema: dict) -> dict:
    """Fill defaults into ``config`` in place and raise :class:`ConfigError` on any violation.

    Defaults are filled in a first pass (so that nested defaults exist), then the filled
    config is validated strictly; every error is reported, not only the first.
    """
    fill_defaults(config, schema)
    errors = sorted(Draft202012Validator(schema).iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"config: {_key_path(e.absolute_path)}: {e.message}" for e in errors]
        if any(e.validator == "required" and "'data'" in e.message and not e.absolute_path for e in errors):
            lines.append("(config files given with --configfile are layered over the schema's defaults, not over "
                         "config.yaml, the demo: give data: in yours, or pass config.yaml first, "
                         "--configfile config.yaml yours.yaml, to build on the demo)")
        raise ConfigError("invalid config:\n  " + "\n  ".join(lines))
    _check_cross_fields(config)
    return config


def _key_path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<top level>"


def _check_cross_fields(config: dict) -> None:
    """Constraints that JSON Schema cannot express."""
    datasets = config["data"]["datasets"]
    ids = [d["id"] for d in datasets]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigError(f"invalid config:\n  config: data.datasets: duplicate id(s) {dupes}")
    roles = {d["role"] for d in datasets}
    for role in ("pretrain", "test"):
        if role not in roles and (role == "test" or needs_pretraining(config["embed"]["embedders"])):
            raise ConfigError(
                f"invalid config:\n  config: data.datasets: no dataset with role '{role}' "
                "(needed by the embedders and evaluation listed in the config)"
            )
    deploy = config["deploy"]
    tests = [d["id"] for d in datasets if d["role"] == "test"]
    deployments = [d["id"] for d in datasets if d["role"] == "deploy"]
    for name, sound in (deploy["classifiers"] if deployments else {}).items():
        if ("dataset" in sound) == ("reviewed" in sound):
            raise ConfigError(f"invalid config:\n  config: deploy.classifiers.{name}: give either dataset (a test "
                              "set) or reviewed (a Raven table of reviewed hits)")
        if "dataset" in sound and sound["dataset"] not in tests:
            raise ConfigError(f"invalid config:\n  config: deploy.classifiers.{name}.dataset: {sound['dataset']!r} "
                              f"is not a test dataset; test datasets: {tests}")
        if "reviewed" in sound and not sound["negative"]:
            raise ConfigError(f"invalid config:\n  config: deploy.classifiers.{name}.negative: a reviewed table "
                              "needs the values that mark a negative")
    if config["pretrain"]["init"] == "imagenet" and config["pretrain"]["encoder"] != "resnet50":
        raise ConfigError(f"invalid config:\n  config: pretrain.init: imagenet starts from torchvision's ImageNet "
                          f"ResNet50 weights; pretrain.encoder is {config['pretrain']['encoder']!r}: set it to resnet50")
    knn = config["pretrain"]["knn"]
    if knn["dataset"] == "auto":
        knn["dataset"] = tests[0] if tests else None
    knn = knn["dataset"]
    if knn is not None and knn not in tests:
        raise ConfigError(f"invalid config:\n  config: pretrain.knn.dataset: {knn!r} is not a test dataset; "
                          f"test datasets: {tests}")


def sort_keys(obj):
    """The same config with every mapping's keys sorted (lists keep their order): rules'
    params are compared as text, so key order in a YAML file must not rerun anything."""
    if isinstance(obj, dict):
        return {k: sort_keys(obj[k]) for k in sorted(obj)}
    if isinstance(obj, list):
        return [sort_keys(v) for v in obj]
    return obj
