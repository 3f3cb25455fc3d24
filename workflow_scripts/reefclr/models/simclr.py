"""SimCLR (Chen et al., "A Simple Framework for Contrastive Learning of Visual
Representations", arXiv:2002.05709): encoder, projection head and NT-Xent loss."""

from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

from reefclr.models.encoders import EncoderArgs, build_encoder, imagenet_resnet50, simclr_init_


class BatchNorm1dNoBias(nn.BatchNorm1d):
    """BatchNorm whose shift is fixed at zero (the last layer of SimCLR's head)."""

    def __init__(self, num_features: int):
        super().__init__(num_features)
        self.bias.requires_grad_(False)


class ProjectionHead(nn.Module):
    """g(.): "a MLP with one hidden layer to obtain z = g(h) = W2 relu(W1 h)" (arXiv:2002.05709),
    with BatchNorm as in SimCLR's code: Linear-BN-ReLU-Linear-BN(no bias)."""

    def __init__(self, dim_in: int, dim_out: int = 128):
        super().__init__()
        self.net = nn.Sequential(OrderedDict([  # the study's layer names: its weight-decay rule reads them
            ("fc1", nn.Linear(dim_in, dim_in, bias=False)),
            ("bn1", nn.BatchNorm1d(dim_in)),
            ("relu1", nn.ReLU()),
            ("fc2", nn.Linear(dim_in, dim_out, bias=False)),
            ("bn2", BatchNorm1dNoBias(dim_out)),
        ]))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.net(h)  # (B, dim_in) -> (B, dim_out)


class SimCLR(nn.Module):
    """Encoder f(.) plus projection head g(.); forward returns the projections z."""

    def __init__(self, encoder_args: EncoderArgs, projection_dim: int = 128, init: str = "simclr",
                 weights: str | None = None):
        """``init``: simclr, torchvision (the library default, as the study's run had) or imagenet
        (the encoder from the torchvision ImageNet state dict at ``weights``, the head simclr's)."""
        super().__init__()
        self.encoder_args = encoder_args
        self.encoder, self.dim = build_encoder(encoder_args)
        self.head = ProjectionHead(self.dim, projection_dim)
        if init in ("simclr", "imagenet"):
            simclr_init_(self)
        if init == "imagenet":
            if encoder_args.name != "resnet50" or weights is None:
                raise ValueError(f"init imagenet needs encoder resnet50 and a weights file; got "
                                 f"{encoder_args.name!r}, {weights!r}")
            self.encoder.load_state_dict(imagenet_resnet50(weights).state_dict())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(x))  # (B, 3, S, S) -> (B, projection_dim)


def nt_xent(z0: torch.Tensor, z1: torch.Tensor, temperature: float) -> torch.Tensor:
    """Normalised temperature-scaled cross entropy over 2N views.

    "l(i,j) = -log exp(sim(z_i,z_j)/tau) / sum_{k != i} exp(sim(z_i,z_k)/tau) ... computed
    across all positive pairs, both (i, j) and (j, i)" (arXiv:2002.05709, Algorithm 1).
    ``z0[i]`` and ``z1[i]`` are the two views of clip i.
    """
    if z0.shape != z1.shape or z0.dim() != 2:
        raise ValueError(f"z0 and z1 must both be (N, D); got {tuple(z0.shape)} and {tuple(z1.shape)}")
    n = z0.shape[0]
    z = F.normalize(torch.cat([z0, z1]).float(), dim=1)  # (2N, D)
    logits = z @ z.T / temperature  # (2N, 2N) cosine similarities / tau
    logits.fill_diagonal_(float("-inf"))  # k != i
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)  # positive of i
    return F.cross_entropy(logits, targets)
