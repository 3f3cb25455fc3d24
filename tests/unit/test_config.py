"""reefclr.config: schema validation, defaults, composition, and the presets against the protocol."""

import re

import pytest
import yaml

from helpers import REPO, workflow_config as _load
from reefclr.config import ConfigError, load_schema, validate_config


SCHEMA = load_schema(REPO / "schemas/config.schema.yaml")


def test_demo_config_validates_and_fills_defaults():
    cfg = _load()
    assert cfg["data"]["datasets"][1]["shards"] == 1  # schema default inside a list item
    assert cfg["evaluation"]["rf"]["version"] == 1
    assert cfg["evaluation"]["umap2d"]["n_components"] == 2


def test_minimal_config_gets_every_default():
    cfg = validate_config({"data": {"root": "x", "datasets": [
        {"id": "pretrain", "role": "pretrain", "format": "folders", "path": "p"},
        {"id": "test_a", "role": "test", "format": "raven", "audio": "a", "annotations": "b"}]}}, SCHEMA)
    assert cfg["spectrogram"] == {"sample_rate": 8000, "n_mels": 128, "n_fft": 1024, "hop_length": 64,
                                  "win_length": 512, "batch_size": 64, "version": 1}
    assert cfg["pretrain"]["temperature"] == 0.1
    assert cfg["evaluation"]["cluster"]["umap"]["n_neighbors"] == 50


@pytest.mark.parametrize("edit, message", [
    (lambda c: c["evaluation"]["rf"].update(n_trees=5), "evaluation.rf: Additional properties"),
    (lambda c: c["evaluation"]["rf"].update(test_size=1.5), "evaluation.rf.test_size: 1.5 is greater"),
    (lambda c: c["pretrain"].update(steps="many"), "pretrain.steps: 'many' is not of type 'integer'"),
    (lambda c: c["data"]["datasets"][1].update(format="excel"), "data.datasets[1].format: 'excel' is not one of"),
    (lambda c: c["data"]["datasets"][1].pop("audio"), "data.datasets[1]: 'audio' is a required property"),
    (lambda c: c["embed"].update(embedders=["reefclr", "openl3"]), "embed.embedders[1]: 'openl3' is not one of"),
    (lambda c: c["data"]["datasets"].append(dict(c["data"]["datasets"][1])), "duplicate id(s) ['test_kenya']"),
    (lambda c: c["pretrain"].update(knn={"dataset": "test_nowhere"}),
     "pretrain.knn.dataset: 'test_nowhere' is not a test dataset"),
])
def test_errors_name_the_key(edit, message):
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    edit(cfg)
    with pytest.raises(ConfigError) as err:
        validate_config(cfg, SCHEMA)
    assert message in str(err.value)


def test_knn_check_auto_takes_the_first_test_set_of_whatever_data_is_configured():
    assert _load()["pretrain"]["knn"]["dataset"] == "test_kenya"
    own = validate_config({"data": {"root": "x", "datasets": [
        {"id": "pretrain", "role": "pretrain", "format": "folders", "path": "p"},
        {"id": "test_mine", "role": "test", "format": "folders", "path": "t"}]}}, SCHEMA)
    assert own["pretrain"]["knn"]["dataset"] == "test_mine"


def test_ci_preset_validates():
    cfg = _load("config.yaml", "presets/ci.yaml")
    assert cfg["pretrain"]["steps"] < 20


def test_paper_preset_matches_the_protocol():
    """Each value of shared/paper-protocol.md, transcribed."""
    cfg = _load("presets/paper.yaml")
    assert cfg["data"]["root"] != "resources/demo"  # no demo data is generated
    assert cfg["segment"]["clip_s"] == 1.92
    assert cfg["spectrogram"] | {"batch_size": None} == {
        "sample_rate": 8000, "n_mels": 128, "n_fft": 1024, "hop_length": 64, "win_length": 512,
        "batch_size": None, "version": 1}
    assert cfg["model_input"] == {"image_size": 224, "scale": "power"}
    p = cfg["pretrain"]
    assert (p["encoder"], p["projection_dim"], p["temperature"], p["batch_size"], p["steps"]) == (
        "resnet50", 128, 0.1, 512, 5400)
    assert (p["lr"], p["weight_decay"], p["warmup_fraction"], p["checkpoint_every"]) == (0.6, 1e-6, 0.1, 300)
    assert (p["crop_min_scale"], p["augment_p"]) == (0.6, 0.5)
    assert (p["views"], p["waveform_method"]) == ("waveform", "librosa_phase_vocoder")  # the study's audiomentations
    assert (p["precision"], p["init"], p["crop"], p["noise_p"], p["export_step"]) == (
        "fp32", "simclr", True, None, None)  # fp32; the written init; crop and noise as written
    assert (p["momentum"], p["gpus"], p["device"]) == (0.9, 1, "cuda")  # LARS momentum; one GPU
    # torchvision RandomResizedCrop(BICUBIC) + RandomHorizontalFlip(0.5); exclusion by name; the
    # study's warmup (docs/paper-fidelity.md)
    assert (p["crop_on"], p["flip_p"], p["exclude"], p["schedule"]) == ("image", 0.5, "name", "study")
    assert cfg["embed"]["embedders"] == ["reefclr", "imagenet", "vggish", "supervised"]
    s = cfg["supervised"]
    assert (s["encoder"], s["init"], s["epochs"], s["batch_size"], s["lr"], s["weight_decay"], s["augment"]) == (
        "resnet50", "imagenet", 100, 64, 1e-3, 1e-3, True)
    assert (s["momentum"], s["split"], s["views"], s["precision"]) == (0.0, "study", "waveform", "fp32")
    assert s["noise_p"] == 1.0  # the eval dataset's AddGaussianNoise(p=1)
    ev = cfg["evaluation"]
    assert ev["study"] == {"order": "dataset", "by_embedder": {}, "class_order": None, "version": 1}
    assert ev["rf"] | {"version": 1} == {"n_estimators": 100, "test_size": 0.2, "random_state": 0, "version": 1}
    assert ev["cluster"]["umap"] | {"metric": "euclidean"} == {
        "n_components": 10, "n_neighbors": 50, "min_dist": 0.0, "random_state": 0, "metric": "euclidean"}
    assert (ev["cluster"]["damping"], ev["cluster"]["random_state"]) == (0.9, 0)
    assert (ev["umap2d"]["n_neighbors"], ev["umap2d"]["min_dist"], ev["umap2d"]["random_state"]) == (30, 0.5, 0)
    tests = {d["id"]: d for d in cfg["data"]["datasets"] if d["role"] == "test"}
    assert sorted(tests) == sorted(f"test_{x}" for x in
                                   ("kenya", "bermuda", "florida", "indonesia", "australia", "french_polynesia"))
    assert all(d["format"] == "dataset_json" and d["data_type"] == "test_data" and d["dataset"] == i
               for i, d in tests.items())
    pretrain = [d for d in cfg["data"]["datasets"] if d["role"] == "pretrain"]
    assert [d["data_type"] for d in pretrain] == ["train_data"]
    # the widest field of the study's names that keeps a deployment whole (docs/paper-fidelity.md):
    # site and recorder; French Polynesia: the site (one recorder over consecutive days)
    for dataset, name, group in [
            ("test_australia", "test_data.australia.class0.degraded_moth32.20230209_162000.wav", "degraded_moth32"),
            ("test_french_polynesia", "test_data.french_polynesia.class0.sitewday4.5210.210206175513.wav", "sitew"),
            ("test_french_polynesia", "test_data.french_polynesia.class1.sitebday1.5208.210203050000.wav", "siteb")]:
        assert re.search(tests[dataset]["group_pattern"], name).group(1) == group
    assert len({d["group_pattern"] for k, d in tests.items() if k != "test_french_polynesia"}) == 1


def test_paper_as_run_preset_departs_only_where_the_run_did():
    """The run behind the published tables (docs/paper-fidelity.md): each departure pinned,
    everything else as written."""
    written = _load("presets/paper.yaml")
    run = _load("presets/paper.yaml", "presets/paper_as_run.yaml")
    p = run["pretrain"]
    assert (p["steps"], p["export_step"], p["lr"], p["noise_p"], p["crop"], p["flip_p"], p["init"]) == (
        5312, 5100, 0.5, 1.0, False, 0.0, "torchvision")
    assert p["precision"] == "fp32"
    departed = {"steps", "export_step", "lr", "noise_p", "crop", "flip_p", "init"}
    assert {k: v for k, v in p.items() if k not in departed} == {
        k: v for k, v in written["pretrain"].items() if k not in departed}
    # the study's extractors: CTDataset_test order for ReefCLR and ImageNet, dataset.json for VGGish
    assert run["evaluation"]["study"]["by_embedder"] == {"reefclr": "ctdataset", "imagenet": "ctdataset"}
    assert run["evaluation"]["study"]["order"] == "dataset"
    run_ev = dict(run["evaluation"], study=written["evaluation"]["study"])
    assert run_ev == written["evaluation"]
    assert {k: v for k, v in run.items() if k not in ("pretrain", "evaluation")} == {
        k: v for k, v in written.items() if k not in ("pretrain", "evaluation")}
    doc = (REPO / "docs/paper-fidelity.md").read_text()
    for key in departed | {"crop_on", "exclude", "schedule"}:
        assert f"pretrain.{key}" in doc, key
    for key in ("supervised.noise_p", "evaluation.study.by_embedder", "evaluation.study.class_order"):
        assert key in doc, key


def test_key_order_of_a_config_file_is_not_a_change():
    """Rules' params are compared as text: the Snakefile sorts every mapping's keys."""
    from reefclr.config import sort_keys

    a = {"b": {"y": 1, "x": [{"q": 1, "p": 2}]}, "a": 0}
    b = {"a": 0, "b": {"x": [{"p": 2, "q": 1}], "y": 1}}
    assert repr(sort_keys(a)) == repr(sort_keys(b)) and list(sort_keys(a)) == ["a", "b"]
    assert sort_keys(a)["b"]["x"][0] == {"p": 2, "q": 1}  # lists keep their order, items sorted inside


OWN = {"data": {"root": "/data/my_reef", "datasets": [
    {"id": "reef_audio", "role": "test", "format": "raven", "audio": "a", "annotations": "b"},
    {"id": "hydrophones", "role": "deploy", "format": "folders", "path": "h"}]},
    "embed": {"embedders": ["mel_stats"]},
    "deploy": {"embedder": "mel_stats", "classifiers": {"grunt": {"dataset": "reef_audio", "positive": ["grunt"]}}}}


def test_an_own_config_inherits_nothing_from_the_demo(tmp_path, monkeypatch):
    """A config file given on the command line sits on the schema's defaults alone: none of
    config.yaml's demo entries (its classifier, queries, truth, datasets) comes along."""
    monkeypatch.chdir(REPO)
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump(OWN))
    cfg = _load(str(tmp_path / "mine.yaml"))
    assert list(cfg["deploy"]["classifiers"]) == ["grunt"]
    assert cfg["deploy"]["queries"] is None and cfg["deploy"]["truth"] is None
    assert [d["id"] for d in cfg["data"]["datasets"]] == ["reef_audio", "hydrophones"]
    assert cfg["pretrain"]["encoder"] == "resnet50" and cfg["model_input"]["image_size"] == 224  # the schema's
    demo = _load()
    assert "fish" in demo["deploy"]["classifiers"] and demo["deploy"]["truth"] == "deploy_truth"


def test_the_demo_is_the_base_only_without_config_files(tmp_path):
    assert _load(command_line={"seed": 3})["seed"] == 3  # --config alone: over the demo
    assert _load(command_line={"seed": 3})["data"]["root"] == "resources/demo"
    ci = _load("config.yaml", "presets/ci.yaml")  # the demo first, then the tiny overrides
    assert ci["data"]["root"] == "resources/demo" and ci["pretrain"]["steps"] < 20


def test_a_config_file_without_data_says_how_to_layer_over_the_demo():
    with pytest.raises(ConfigError, match=r"pass config.yaml first, --configfile config.yaml yours.yaml"):
        _load("presets/ci.yaml")
