"""reefclr.models.encoders: the encoders and their dimensions, their arguments, SimCLR's initialisation."""

import math

import pytest
import torch
from torch import nn

from reefclr.models.encoders import EncoderArgs, SmallResNet, build_encoder, simclr_init_


def test_encoders_map_images_to_their_dimension():
    small, dim = build_encoder(EncoderArgs("small_resnet", 4))
    assert isinstance(small, SmallResNet) and dim == small.dim == 32
    assert small(torch.rand(2, 3, 32, 32)).shape == (2, 32)
    resnet, dim = build_encoder(EncoderArgs("resnet18"))
    assert dim == 512 and isinstance(resnet.fc, nn.Identity)  # the representation h, no classifier
    assert resnet.eval()(torch.rand(1, 3, 64, 64)).shape == (1, 512)
    with pytest.raises(ValueError, match="unknown encoder 'vit_b16'"):
        build_encoder(EncoderArgs("vit_b16"))


def test_encoder_args_round_trip_through_a_checkpoint_dict():
    assert EncoderArgs().to_dict() == {"name": "resnet50", "width": 16}
    args = EncoderArgs("small_resnet", 8)
    assert EncoderArgs(**args.to_dict()) == args


def test_simclr_init_truncates_convolutions_and_zeroes_linear_biases():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 64, 3), nn.Flatten(), nn.Linear(200, 100))
    simclr_init_(net)
    conv, linear = net[0], net[2]
    std = math.sqrt(2.0 / (64 * 3 * 3)) / 0.87962566103423978
    assert conv.weight.abs().max().item() <= 2 * std + 1e-7  # truncated at two standard deviations
    assert conv.weight.std().item() == pytest.approx(math.sqrt(2.0 / (64 * 3 * 3)), rel=0.1)
    assert linear.weight.std().item() == pytest.approx(0.01, rel=0.05) and not linear.bias.any()
