"""Reruns that follow what is read: every result setting a job's script (or the package code it
calls) reads is held by its rule's params, or moves its inputs, so changing it reruns the job.

The ci run records, per job, the settings it read (reefclr.settings.trace). Each read setting is
changed in the run's config and the rule's params are evaluated again from the rule's text; where
they stay the same, a dry run of the changed config must still plan the rule (an input path that
moves). Runtime settings are exempt: they must rerun nothing (test_end_to_end)."""

import copy
import json
import re
from dataclasses import fields
from types import SimpleNamespace

import pytest
import yaml
from snakerun import REPO, job_counts, snakemake

from reefclr import params, paths, registry, settings
from reefclr.config import layered, load_schema, validate_config
from reefclr.settings import RUNTIME, Record, kind

BLOCK = re.compile(r"^(?:rule (\w+):|use rule (\w+) as (\w+) with:)\n(.*?)(?=^\S|\Z)", re.M | re.S)
PARAMS = re.compile(r"^    params:\n((?:        .*\n|\n)+)", re.M)
TOKEN = re.compile(r"\[(\d+)\]|\.?([^.\[]+)")


def rule_params() -> dict[str, str]:
    """Each rule's params block as the source of one dict(...) expression (a twin inherits)."""
    out = {}
    for path in sorted((REPO / "rules").glob("*.smk")):
        for name, parent, twin, body in BLOCK.findall(path.read_text()):
            found = PARAMS.search(body)
            out[name or twin] = f"dict({found.group(1)})" if found else out.get(parent, "dict()")
    return out


def namespace(s, is_demo: bool) -> dict:
    """The names the rules' params use (rules/common.smk)."""
    features = [e for e in s.embed.embedders if registry.spec(e).input != "classifier"]
    return dict(S=s, INPUTS=params.Inputs(s, is_demo), params=params, paths=paths, registry=registry,
                TEST_SETS=s.data.ids("test"), DEPLOY_SETS=s.data.ids("deploy"), FEATURES=features,
                DEMO_NOTICE=params.DEMO_NOTICE if is_demo else "")


def evaluate(source: str, s, wildcards: dict) -> str:
    value = eval(source, namespace(s, True))  # noqa: S307 (the rules' own text)
    wc = SimpleNamespace(**wildcards)
    return json.dumps({k: v(wc) if callable(v) else v for k, v in value.items()}, sort_keys=True, default=str)


def tokens(key: str) -> list:
    return [int(i) if i else name for i, name in TOKEN.findall(key)]


def lookup(node, key: str):
    """The value and the field (None for list items and map entries) at a dotted key."""
    field = None
    for t in tokens(key):
        if isinstance(t, int) or isinstance(node, dict):
            node, field = node[t], None
        else:
            field = next(f for f in fields(node) if f.name == t)
            node = getattr(node, t)
    return node, field


def is_leaf(value) -> bool:
    inner = list(value.values()) if isinstance(value, dict) else list(value) if isinstance(value, tuple) else [value]
    return not any(isinstance(v, Record) for v in inner)


def changed(config: dict, key: str) -> dict:
    """``config`` with the setting at ``key`` changed to another value that still builds the
    settings records (an unset setting tries a number, a name, then a list)."""
    *parents, last = tokens(key)
    for candidate in others(lookup_config(config, key)):
        out = copy.deepcopy(config)
        node = out
        for t in parents:
            node = node[t]
        node[last] = candidate
        try:
            settings.load(out)
        except (TypeError, ValueError, KeyError, AttributeError):
            continue
        return out
    raise AssertionError(f"{key}: no other value builds the settings")


def lookup_config(config: dict, key: str):
    """The config's value at a dotted key (None where an optional key is left out)."""
    node = config
    for t in tokens(key):
        node = node[t] if isinstance(t, int) else node.get(t)
    return node


def others(v) -> list:
    """Other values of the same type, the likeliest first."""
    if v is None:
        return [0.5, "x", ["x"]]
    if isinstance(v, bool):
        return [not v]
    if isinstance(v, int):
        return [v + 1]
    if isinstance(v, float):
        return [v * 0.5 if v else 0.5]
    if isinstance(v, str):
        return [v + "x"]
    if isinstance(v, list):  # a new first item: rules often read the first
        return [[others(v[0])[0]] + v if v else ["x"]]
    if isinstance(v, dict):
        return [{k: others(x)[0] for k, x in v.items()} | {"x": None}]
    return [0.5]


def ci_config() -> dict:
    config = layered(yaml.safe_load((REPO / "config.yaml").read_text()),
                     yaml.safe_load((REPO / "presets/ci.yaml").read_text()))
    return validate_config(config, load_schema(REPO / "schemas/config.schema.yaml"))


@pytest.mark.slow
def test_every_result_setting_a_job_reads_reruns_it(finished):
    traces = [json.loads(p.read_text()) for p in sorted((finished / ".traces").glob("*.json"))]
    sources, config = rule_params(), ci_config()
    s = settings.load(config)
    assert {t["rule"] for t in traces} >= {"segment_recordings", "pretrain_simclr", "probe_grouped",
                                          "choose_threshold", "estimate_density", "validation_sample",
                                          "active_sample", "train_classifier"}
    unheld = {}
    for trace in traces:
        source, wildcards = sources[trace["rule"]], trace["wildcards"]
        before = evaluate(source, s, wildcards)
        for key in trace["reads"]:
            value, field = lookup(s, key)
            if (field is not None and kind(field) == RUNTIME) or not is_leaf(value):
                continue
            try:
                after = evaluate(source, settings.load(changed(config, key)), wildcards)
            except (ValueError, KeyError):  # the params look the value up (an embedder, a dataset): held
                continue
            if after == before:
                unheld.setdefault(key, set()).add(trace["rule"])
    missed = []
    for key, rules in sorted(unheld.items()):  # not in params: does an input move?
        (finished / "changed.yaml").write_text(yaml.safe_dump(changed(config, key)))
        out = snakemake(finished, "-n", "--quiet", "rules", "--configfile", "changed.yaml")
        if out.returncode and "invalid config" in out.stdout + out.stderr:
            continue  # no other valid value here (a dataset id a classifier names, say): nothing can go stale
        assert out.returncode == 0, out.stderr[-2000:]
        planned = job_counts(out.stdout)
        every = job_counts(snakemake(finished, "-n", "-F", "--quiet", "rules", "--configfile",
                                     "changed.yaml").stdout)  # a rule the change takes out cannot go stale
        missed += [f"{rule} reads {key}" for rule in sorted(rules) if rule in every and rule not in planned]
    assert not missed, "settings read without rerunning the job:\n" + "\n".join(missed)
