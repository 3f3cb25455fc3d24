"""reefclr.models.simclr: NT-Xent against the paper's algorithm, the projection head, the model's initialisation."""

import math

import numpy as np
import pytest
import torch

from reefclr.models.encoders import EncoderArgs
from reefclr.models.simclr import ProjectionHead, SimCLR, nt_xent


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
