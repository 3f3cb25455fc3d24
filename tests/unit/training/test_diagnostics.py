"""reefclr.training.diagnostics: the checks of a pretraining run against its untrained twin."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from helpers import dataset_spec, pretrain_cfg, pretrain_job, write_tone
from reefclr.data import ingest
from reefclr.features import cache
from reefclr.models.encoders import EncoderArgs
from reefclr.models.simclr import SimCLR
from reefclr.settings import Audio, Knn, ModelInput
from reefclr.training import diagnostics, train

TINY = pretrain_cfg(encoder="small_resnet", width=4, projection_dim=16, batch_size=6, steps=8, lr=0.3,
                    warmup_fraction=0.25, checkpoint_every=2, log_every=2, device="cpu")
INPUT = ModelInput(32, "power")


def test_knn_accuracy_matches_hand_count():
    train_x = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    train_y = np.array(["a", "a", "b", "b"])
    test_x = np.array([[1.0, 0.05], [0.05, 1.0], [0.2, 0.8]])
    assert diagnostics.knn_accuracy(train_x, train_y, test_x, np.array(["a", "b", "b"]), k=1) == 1.0
    assert diagnostics.knn_accuracy(train_x, train_y, test_x, np.array(["a", "b", "a"]), k=1) == pytest.approx(2 / 3)


def test_effective_rank_is_one_for_a_collapse_and_the_dimension_for_isotropic_embeddings():
    rng = np.random.default_rng(0)
    one_direction = np.outer(rng.random(200) + 0.5, rng.standard_normal(16))
    assert diagnostics.effective_rank(one_direction) == pytest.approx(1.0, abs=1e-3)
    assert diagnostics.effective_rank(np.zeros((10, 4))) == 1.0
    isotropic = rng.standard_normal((4000, 8))
    assert 7.8 < diagnostics.effective_rank(isotropic) <= 8.0


def test_alignment_and_uniformity_follow_wang_and_isola():
    rng = np.random.default_rng(1)
    z = torch.from_numpy(rng.standard_normal((64, 16))).float()
    assert diagnostics.alignment(z, z) == pytest.approx(0.0, abs=1e-6)
    # two orthogonal unit vectors are sqrt(2) apart: squared distance 2
    e = torch.eye(2)
    assert diagnostics.alignment(e[:1], e[1:]) == pytest.approx(2.0)
    collapsed = torch.ones(32, 16)
    assert diagnostics.uniformity(collapsed, collapsed) == pytest.approx(0.0, abs=1e-6)  # log mean exp(0)
    assert diagnostics.uniformity(z, z) < -1.0  # spread over the sphere: potentials well below 1


def _checks(trained, twin):
    return [dict(step=0, knn_by_split=twin, effective_rank=5.0), dict(step=100, knn_by_split=trained, effective_rank=9.0)]


@pytest.mark.parametrize("trained, twin, verdict", [
    ([0.6, 0.7, 0.8, 0.6, 0.9], [0.5, 0.6, 0.7, 0.5, 0.8], "better"),
    ([0.5, 0.6, 0.7, 0.5, 0.8], [0.5, 0.6, 0.7, 0.5, 0.8], "not better"),
    ([0.4, 0.6, 0.7, 0.5, 0.8], [0.5, 0.6, 0.7, 0.5, 0.8], "not better"),
    ([0.6, 0.5, 0.8, 0.5, 0.8], [0.5, 0.6, 0.7, 0.5, 0.8], "not clearly better"),
    ([0.9, 0.9], [0.5, 0.5], "not clearly better"),  # two splits cannot show it
])
def test_the_verdict_pairs_the_last_check_with_the_twin_split_by_split(trained, twin, verdict):
    out = diagnostics.against_twin(_checks(trained, twin))
    assert out["verdict"] == verdict
    assert out["splits"] == len(trained) and f"of {len(trained)} grouped splits" in out["text"]


def test_without_labels_there_is_no_verdict():
    assert diagnostics.against_twin(_checks([], []))["verdict"] == "unknown"
    assert diagnostics.against_twin([])["verdict"] == "unknown"


def test_collapse_is_named_with_its_rank_and_setting():
    assert diagnostics.collapsed({"effective_rank": 3.0, "step": 10}, 1.5) == ""
    why = diagnostics.collapsed({"effective_rank": 1.02, "step": 300}, 1.5)
    assert "1.02" in why and "step 300" in why and "pretrain.min_rank 1.5" in why


@pytest.fixture
def labelled(tmp_path, segment_cfg, spec_cfg):
    """Three tones, two recordings each: a labelled set that grouped splits can hold out by recording."""
    for c in range(3):
        for r in range(2):
            write_tone(tmp_path / "lab" / f"tone{c}" / f"rec{r}.wav", seconds=10, freq=300 + 400 * c, seed=10 * c + r)
    spec = dataset_spec(id="test_tones", role="test", format="folders", path=".", label_from_folder=True,
                        extensions=["wav"])
    manifest, _ = ingest.build_manifest(spec, tmp_path / "lab", segment_cfg)
    d = tmp_path / "lab-cache" / "shard-0"
    cache.build_shard(manifest, 0, Audio(str(tmp_path / "lab"), 1.92, "mean"), spec_cfg, cache.ShardFiles.in_dir(d))
    return d


def test_checks_start_with_the_untrained_twin_and_hold_recordings_out(cached, labelled, spec_cfg, tmp_path):
    _, dirs = cached
    cfg = replace(TINY, steps=4, knn=Knn("test_tones", 3, every=2))
    result = train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / "k.pt", knn_shard_dirs=(str(labelled),)))
    assert [c["step"] for c in result.checks] == [0, 2, 4]
    assert "grouped splits, whole recordings held out" in result.sessions[-1]["checks"]
    twin = result.checks[0]
    assert len(twin["knn_by_split"]) >= 2 and all(0 <= a <= 1 for a in twin["knn_by_split"])
    assert all(np.isfinite([c["alignment"], c["uniformity"], c["effective_rank"]]).all() for c in result.checks)
    # step 0 is this initialisation before any update: a fresh model of the same seed gives the same rank
    torch.manual_seed(0)
    fresh = SimCLR(EncoderArgs(cfg.encoder, cfg.width), cfg.projection_dim, cfg.init)
    probe, _ = diagnostics.Probe.make([str(labelled)], [], INPUT, 3, 0)
    h = probe.embed(fresh.encoder, torch.device("cpu"))
    assert diagnostics.effective_rank(h) == pytest.approx(twin["effective_rank"], rel=1e-4)
    table = diagnostics.table(result.checks)
    assert list(table.columns) == diagnostics.COLUMNS and table["step"].tolist() == [0, 2, 4]


def test_checks_survive_a_resume(cached, labelled, spec_cfg, tmp_path):
    _, dirs = cached
    cfg = replace(TINY, steps=4, checkpoint_every=1, knn=Knn("test_tones", 3, every=2))
    job = dict(knn_shard_dirs=(str(labelled),))
    full = train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / "a.pt", **job))
    train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / "b.pt", **job), stop_after=3)
    resumed = train.pretrain(pretrain_job(dirs, cfg, spec_cfg, INPUT, tmp_path / "b.pt", **job))
    assert [c["step"] for c in resumed.checks] == [0, 2, 4]
    assert [c["knn_by_split"] for c in resumed.checks] == [c["knn_by_split"] for c in full.checks]


def test_a_class_in_one_recording_falls_back_to_a_random_split_and_says_so(cached, spec_cfg, tmp_path):
    """The pretraining tones (one recording per site) cannot be held out by recording."""
    _, dirs = cached
    probe, note = diagnostics.Probe.make([str(d) for d in dirs], [], INPUT, 3, 0)
    assert probe.labels is None or "recordings NOT held out" in note


def test_without_a_labelled_set_the_rank_is_still_measured(cached, spec_cfg, tmp_path):
    _, dirs = cached
    result = train.pretrain(pretrain_job(dirs, replace(TINY, steps=2, knn=Knn(None, 3, every=1)), spec_cfg, INPUT,
                                         tmp_path / "n.pt"))
    assert result.sessions[-1]["checks"] == "k-NN check off: no labelled set"
    assert [c["step"] for c in result.checks] == [0, 1, 2]
    assert all(np.isnan(c["knn_accuracy"]) and c["effective_rank"] > 1 for c in result.checks)
    assert diagnostics.against_twin(result.checks)["verdict"] == "unknown"


def test_a_collapsed_encoder_is_caught(cached, labelled):
    """An encoder that maps every clip to one vector has effective rank 1."""
    model = SimCLR(EncoderArgs("small_resnet", 4), 16)
    with torch.no_grad():
        for p in model.encoder.parameters():
            p.zero_()
    probe, _ = diagnostics.Probe.make([str(labelled)], [], INPUT, 3, 0)
    check = probe(7, model, torch.device("cpu"), torch.from_numpy(probe.mel[:4]).new_ones(8, 3, 32, 32))
    assert check.effective_rank == pytest.approx(1.0, abs=0.01)
    assert "collapsed" in diagnostics.collapsed(diagnostics.Check(**vars(check)).__dict__, 1.5)


def test_small_classes_are_left_out_and_one_class_turns_knn_off(labelled, spec_cfg, tmp_path):
    """A class of one clip is left out of the k-NN; with one usable class the k-NN is off, and the
    note says why either way."""
    manifest = ingest.build_manifest(dataset_spec(id="test_tones", role="test", format="folders", path=".",
                                                  label_from_folder=True, extensions=["wav"]),
                                     tmp_path / "lab", diagnostics_segment())[0]
    rare = manifest[manifest.label == "tone0"]
    shrunk = manifest.drop(rare.index[1:])
    single = manifest[manifest.label == "tone1"]
    for name, table in (("shrunk", shrunk), ("single", single)):
        d = tmp_path / name / "shard-0"
        cache.build_shard(table.assign(shard=0), 0, Audio(str(tmp_path / "lab"), 1.92, "mean"), spec_cfg,
                          cache.ShardFiles.in_dir(d))
        probe, note = diagnostics.Probe.make([str(d)], [], INPUT, 3, 0)
        if name == "shrunk":
            assert "'tone0': 1" in note and probe.labels is not None and "tone0" not in set(probe.labels)
        else:
            assert note.startswith("k-NN check off") and probe.labels is None and len(probe.mel) == len(single)


def diagnostics_segment():
    from helpers import segment

    return segment(tail="drop")
