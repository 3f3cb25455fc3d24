"""reefclr.paths: the output path templates, and the file lists of shards and deployment windows."""

import string

import pytest

from reefclr import paths

WILDCARDS = {"dataset", "shard", "embedder", "probe", "sound", "name", "round", "kind", "ext"}  # the module docstring's
TEMPLATES = {k: v for k, v in vars(paths).items() if k.isupper() and isinstance(v, str)}


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_is_under_results_and_names_only_the_known_wildcards(key):
    template = TEMPLATES[key]
    fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    assert fields <= WILDCARDS, f"{key}: {fields - WILDCARDS}"
    assert template.startswith("results/") or key == "DEMO"
    if fields:
        filled = template.format(**{f: f"<{f}>" for f in fields})
        assert "{" not in filled and all(f"<{f}>" in filled for f in fields)


def test_templates_format_to_the_documented_places():
    assert paths.MANIFEST.format(dataset="test_kenya") == "results/manifests/test_kenya.parquet"
    assert (paths.EMBEDDINGS.format(embedder="reefclr", dataset="test_kenya")
            == "results/embeddings/reefclr/test_kenya.parquet")
    assert (paths.GROUPED.format(probe="rf", embedder="birdnet", dataset="test_x")
            == "results/evaluation/grouped/rf/birdnet/test_x.parquet")
    assert paths.table("RF_results.csv") == "results/tables/RF_results.csv"
    assert paths.figure("chisq.png") == "results/figures/chisq.png"
    assert (paths.SCORES.format(dataset="deploy_reef", sound="fish", round=2)
            == "results/deploy/deploy_reef/round-2/scores/fish.parquet")
    assert paths.ROUNDS.format(dataset="deploy_reef", sound="fish", ext="csv") == "results/deploy/deploy_reef/rounds/fish.csv"
    assert paths.reviewed_table("deploy_reef", "fish", 1, "active") == "deploy_reef.fish.round-1.active.txt"


def test_cache_and_detection_files_keep_their_other_wildcards():
    assert paths.cache_file("mel.npy") == "results/cache/{dataset}/shard-{shard}/mel.npy"
    assert paths.cache_file("mel.npy").format(dataset="pretrain", shard=1) == "results/cache/pretrain/shard-1/mel.npy"
    assert paths.detection("events.csv") == "results/deploy/{dataset}/round-{round}/detections/{sound}/events.csv"
    assert paths.review("{kind}.html") == "results/deploy/{dataset}/round-{round}/review/{sound}/{kind}.html"


def test_shard_files_dirs_and_windows_list_every_shard_in_order():
    assert paths.shard_files("test_x", 2) == [
        "results/cache/test_x/shard-0/wave.npy", "results/cache/test_x/shard-0/mel.npy",
        "results/cache/test_x/shard-0/index.parquet", "results/cache/test_x/shard-1/wave.npy",
        "results/cache/test_x/shard-1/mel.npy", "results/cache/test_x/shard-1/index.parquet"]
    assert paths.shard_files("p", 3, ("mel.npy",)) == [f"results/cache/p/shard-{k}/mel.npy" for k in range(3)]
    assert paths.shard_files("p", 0) == []
    assert paths.shard_dirs("pretrain", 2) == ["results/cache/pretrain/shard-0", "results/cache/pretrain/shard-1"]
    assert paths.windows("deploy_reef", 2) == ["results/deploy/deploy_reef/windows/shard-0.parquet",
                                                "results/deploy/deploy_reef/windows/shard-1.parquet"]
