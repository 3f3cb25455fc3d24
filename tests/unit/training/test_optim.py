"""reefclr.training.optim: the warmup-cosine schedule and a LARS step, against their formulas."""

import pytest
import torch

from reefclr.training.optim import LARS, param_groups, warmup_cosine


def test_warmup_cosine_formula():
    assert warmup_cosine(0, 5400, 0.6, 0.1) == 0.0
    assert warmup_cosine(270, 5400, 0.6, 0.1) == pytest.approx(0.3)
    assert warmup_cosine(540, 5400, 0.6, 0.1) == pytest.approx(0.6)
    assert warmup_cosine(540 + 2430, 5400, 0.6, 0.1) == pytest.approx(0.3)
    assert warmup_cosine(5400, 5400, 0.6, 0.1) == pytest.approx(0.0, abs=1e-12)


def test_lars_step_matches_formula():
    torch.manual_seed(0)
    lin = torch.nn.Linear(4, 3)
    bn = torch.nn.BatchNorm1d(3)
    model = torch.nn.Sequential(lin, bn)
    groups = param_groups(model, 1e-6)
    assert {id(p) for p in groups[0]["params"]} == {id(lin.weight)}
    assert {id(p) for p in groups[1]["params"]} == {id(lin.bias), id(bn.weight), id(bn.bias)}
    opt = LARS(groups, lr=0.6, momentum=0.9, trust_coefficient=0.001)
    w0, b0 = lin.weight.detach().clone(), lin.bias.detach().clone()
    model(torch.randn(8, 4)).square().sum().backward()
    gw, gb = lin.weight.grad.clone(), lin.bias.grad.clone()
    opt.step()
    g = gw + 1e-6 * w0
    expected_w = w0 - 0.6 * g * (0.001 * w0.norm() / g.norm())
    torch.testing.assert_close(lin.weight.detach(), expected_w)
    torch.testing.assert_close(lin.bias.detach(), b0 - 0.6 * gb)  # no decay, no adaptation


class StudyWarmupCosine(torch.optim.lr_scheduler.LRScheduler):
    """A transcription of the study's utils.LinearWarmupAndCosineAnneal (utils/utils.py at
    84f17e7, lines 126-152), warnings left out."""

    def __init__(self, optimizer, warm_up, T_max, last_epoch=-1, smooth=1e-9):
        self.warm_up = int(warm_up * T_max)
        self.T_max = T_max - self.warm_up
        self.smooth = smooth
        super().__init__(optimizer, last_epoch=last_epoch)

    def get_lr(self):
        import numpy as np

        if self.last_epoch == 0:
            return [lr / (self.warm_up + 1) for lr in self.base_lrs]
        elif self.last_epoch <= self.warm_up:
            c = (self.last_epoch + 1) / self.last_epoch
            return [group['lr'] * c for group in self.optimizer.param_groups]
        else:
            le = self.last_epoch - self.warm_up
            return [(1 + np.cos(np.pi * le / self.T_max)) /
                    (1 + np.cos(np.pi * (le - 1) / self.T_max) + self.smooth) *
                    group['lr'] for group in self.optimizer.param_groups]


def test_study_schedule_is_the_studys_scheduler_update_by_update():
    steps, base = 300, 0.5
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base)
    sched = StudyWarmupCosine(opt, 0.1, steps)
    theirs = []
    for _ in range(steps):
        theirs.append(opt.param_groups[0]["lr"])  # the lr of this update
        opt.step()
        sched.step()
    ours = [warmup_cosine(t, steps, base, 0.1, "study") for t in range(steps)]
    assert ours[0] == pytest.approx(base / 31) and theirs[0] == pytest.approx(base / 31)  # not 0
    # the study multiplies ratios step by step (with smooth=1e-9): a drift of ~1e-6 relative by the end
    assert ours == pytest.approx(theirs, rel=1e-5, abs=1e-9)
    with pytest.raises(ValueError, match="unknown pretrain.schedule 'linear'"):
        warmup_cosine(0, steps, base, 0.1, "linear")


def test_exclusion_by_name_is_the_studys_rule():
    """The study's configure_optimizers: 'bn' or 'bias' in the parameter's name. torchvision's
    downsample batch norms (``downsample.1``) are then decayed and adapted; by type they are not."""
    from reefclr.models.encoders import EncoderArgs
    from reefclr.models.simclr import SimCLR

    model = SimCLR(EncoderArgs("resnet18", width=8), projection_dim=16)
    names = {id(p): n for n, p in model.named_parameters()}
    by_name = param_groups(model, 1e-6, "name")
    excluded = {names[id(p)] for p in by_name[1]["params"]}
    study = {n for n, p in model.named_parameters() if ("bn" in n or "bias" in n) and p.requires_grad}
    assert excluded == study
    assert "encoder.layer2.0.downsample.1.weight" not in excluded
    assert {"head.net.bn1.weight", "head.net.bn1.bias", "head.net.bn2.weight"} <= excluded
    by_type = {names[id(p)] for p in param_groups(model, 1e-6, "type")[1]["params"]}
    assert "encoder.layer2.0.downsample.1.weight" in by_type
