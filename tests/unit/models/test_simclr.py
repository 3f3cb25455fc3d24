"""reefclr.models.simclr: NT-Xent against the paper's algorithm, the projection head, the model's
initialisation, and pretrain.init: imagenet (SimCLR continued from torchvision's ImageNet ResNet50
weights). No real weights here: a stand-in state dict of the same layout, built by the tests,
exercises that mechanism."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torchvision

from helpers import pretrain_cfg, pretrain_job, workflow_config
from reefclr import params, settings
from reefclr.config import ConfigError
from reefclr.models.encoders import EncoderArgs
from reefclr.models.simclr import ProjectionHead, SimCLR, nt_xent
from reefclr.registry import WeightsMissing
from reefclr.settings import ModelInput
from reefclr.training import train


def nt_xent_numpy(z0, z1, tau):
    """The paper's Algorithm 1, loop by loop."""
    z = np.concatenate([z0, z1])
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    n2 = len(z)
    n = n2 // 2
    total = 0.0
    for i in range(n2):
        j = (i + n) % n2
        sims = np.array([z[i] @ z[k] / tau for k in range(n2)])
        denom = sum(math.exp(sims[k]) for k in range(n2) if k != i)
        total += -math.log(math.exp(sims[j]) / denom)
    return total / n2


def test_nt_xent_matches_numpy_reference():
    rng = np.random.default_rng(0)
    z0, z1 = rng.standard_normal((5, 8)), rng.standard_normal((5, 8))
    ours = nt_xent(torch.tensor(z0), torch.tensor(z1), 0.1).item()
    assert ours == pytest.approx(nt_xent_numpy(z0, z1, 0.1), rel=1e-5)


def test_nt_xent_closed_form():
    """Two clips, orthogonal embeddings, views identical: sim(i,j)=1, the two others 0."""
    z = torch.eye(2)
    tau = 0.5
    expected = -math.log(math.exp(1 / tau) / (math.exp(1 / tau) + 2 * math.exp(0)))
    assert nt_xent(z, z.clone(), tau).item() == pytest.approx(expected, rel=1e-6)


def test_nt_xent_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="must both be"):
        nt_xent(torch.zeros(3, 4), torch.zeros(2, 4), 0.1)


def test_projection_head_layout():
    head = ProjectionHead(2048, 128).net
    assert [type(m).__name__ for m in head] == ["Linear", "BatchNorm1d", "ReLU", "Linear", "BatchNorm1dNoBias"]
    assert head[0].bias is None and head[3].bias is None and head[0].in_features == 2048
    assert not head[4].bias.requires_grad and head[4].weight.requires_grad


def test_resnet50_encoder_dim_and_init():
    model = SimCLR(EncoderArgs("resnet50"), 128)
    assert model.dim == 2048
    lin = model.head.net[0].weight
    assert lin.std().item() == pytest.approx(0.01, rel=0.05)
    conv = model.encoder.conv1.weight
    fan_out = 64 * 7 * 7
    assert conv.abs().max().item() <= 2 * math.sqrt(2 / fan_out) / 0.8796 + 1e-6


@pytest.fixture
def stand_in(tmp_path):
    """A torchvision ResNet50 state dict (fc included, as the IMAGENET1K_V1 file has it), seeded."""
    torch.manual_seed(123)
    path = tmp_path / "resnet50-0676ba61.pth"
    torch.save(torchvision.models.resnet50(weights=None).state_dict(), path)
    return path


def test_the_encoder_starts_from_the_file_and_the_head_from_simclr(stand_in):
    state = torch.load(stand_in, weights_only=True)
    model = SimCLR(EncoderArgs("resnet50"), 16, "imagenet", str(stand_in))
    for name, value in model.encoder.state_dict().items():
        assert torch.equal(value, state[name]), name
    assert model.head.net.fc1.weight.std().item() == pytest.approx(0.01, rel=0.1)  # simclr's normal(0.01)
    with pytest.raises(ValueError, match="init imagenet needs encoder resnet50"):
        SimCLR(EncoderArgs("small_resnet", 8), 16, "imagenet", str(stand_in))


def test_pretraining_from_imagenet_checks_the_start_as_its_twin(cached, spec_cfg, stand_in, tmp_path):
    _, dirs = cached
    cfg = pretrain_cfg(encoder="resnet50", projection_dim=16, batch_size=4, steps=2, init="imagenet", device="cpu")
    job = pretrain_job(dirs, cfg, spec_cfg, ModelInput(32, "power"), tmp_path / "i.pt", init_weights=str(stand_in))
    assert train.PretrainJob.from_json(job.to_json()) == job
    result = train.pretrain(job)
    assert [c["step"] for c in result.checks] == [0, 2]
    state = torch.load(stand_in, weights_only=True)
    moved = [n for n, v in result.model.encoder.state_dict().items() if v.dtype.is_floating_point
             and not torch.equal(v, state[n])]
    assert moved  # it trained from the file's weights


def test_the_dag_asks_for_the_weights_and_stops_naming_the_file(tmp_path, stand_in):
    config = workflow_config(command_line={"pretrain": {"encoder": "resnet50", "init": "imagenet"},
                                           "embed": {"weights": {"imagenet": str(stand_in)}}})
    s = settings.load(config)
    assert "imagenet" in params.weights_needed(s)
    inputs = params.Inputs(s, is_demo=True).pretraining(SimpleNamespace())
    assert inputs["weights"] == [str(stand_in)] and inputs["cache"]
    missing = settings.load(workflow_config(command_line={"pretrain": {"encoder": "resnet50", "init": "imagenet"},
                                                          "embed": {"weights": {"imagenet": str(tmp_path / "no.pth")}}}))
    with pytest.raises(WeightsMissing, match="no.pth"):
        params.Inputs(missing, is_demo=True).pretraining(SimpleNamespace())


def test_imagenet_init_with_another_encoder_is_refused():
    with pytest.raises(ConfigError, match="pretrain.init: imagenet starts from torchvision's ImageNet ResNet50"):
        workflow_config(command_line={"pretrain": {"init": "imagenet"}})


def test_the_small_archive_preset_composes_and_fits_its_own_bound_on_two_cores():
    from reefclr.training import estimate

    s = settings.load(workflow_config("config.yaml", "presets/small_archive.yaml"))
    p = s.pretrain
    assert (p.encoder, p.init, p.mixup, p.select.keep) == ("resnet50", "imagenet", 0.0, 0.5)
    guess = estimate.on_cpu(p.to_dict(), s.model_input.image_size, 2)
    assert guess.hours < p.max_hours
    assert "imagenet" in params.weights_needed(s)
