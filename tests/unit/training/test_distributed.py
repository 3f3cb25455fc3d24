"""reefclr.training.distributed: the batch-norm switch, GlobalBatchNorm and convert_batchnorm."""

import pytest
import torch

from helpers import pretrain_cfg
from reefclr.core.processes import Group
from reefclr.models.encoders import EncoderArgs, build_encoder
from reefclr.training import train
from reefclr.training.distributed import GlobalBatchNorm, convert_batchnorm, gather, init_from_env


def test_batchnorm_switch():
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert train.batchnorm_kind(pretrain_cfg(sync_batchnorm="auto"), cpu) == "global"
    assert train.batchnorm_kind(pretrain_cfg(sync_batchnorm="auto"), cuda) == "torch"
    with pytest.raises(ValueError, match="sync_batchnorm: torch needs CUDA"):
        train.batchnorm_kind(pretrain_cfg(sync_batchnorm="torch"), cpu)
    for kind, cls in (("torch", torch.nn.SyncBatchNorm), ("global", GlobalBatchNorm)):
        encoder, _ = build_encoder(EncoderArgs("small_resnet", 4))
        weights = {k: v.clone() for k, v in encoder.state_dict().items()}
        converted = convert_batchnorm(encoder, kind)
        norms = [m for m in converted.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
        assert norms and all(isinstance(m, cls) for m in norms)
        for name, value in converted.state_dict().items():  # same parameters and buffers
            torch.testing.assert_close(value, weights[name])


def test_without_a_process_group_it_is_one_ordinary_process():
    torch.manual_seed(0)
    plain = torch.nn.BatchNorm2d(3)
    plain.weight.data.uniform_(0.5, 2.0)
    glob = convert_batchnorm(torch.nn.Sequential(torch.nn.BatchNorm2d(3)))[0]
    glob.load_state_dict(plain.state_dict())
    x = torch.randn(4, 3, 5, 5)
    assert isinstance(glob, GlobalBatchNorm) and torch.equal(glob(x), plain(x))  # training: the batch's statistics
    assert torch.equal(glob.running_mean, plain.running_mean) and torch.equal(glob.running_var, plain.running_var)
    assert torch.equal(glob.eval()(x), plain.eval()(x))
    with pytest.raises(ValueError, match="expected 2D-5D input, got 1D"):
        glob.train()(torch.randn(4))
    assert gather(x) is x


def test_a_single_process_joins_no_group(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert init_from_env("cpu") == Group()
    monkeypatch.setenv("WORLD_SIZE", "1")
    assert init_from_env("cuda") == Group() and Group().main
