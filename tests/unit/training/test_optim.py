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
