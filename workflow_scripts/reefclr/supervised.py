"""The supervised ceiling: a CNN trained on each test set's own labels, as in the study.

ResNet50 (ImageNet init when configured, or the ReefCLR encoder for fine-tuning), all layers
trained with SGD and class-weighted cross-entropy on the study's split (the RF split: 80% of
each class, ``random_state`` of evaluation.rf), views augmented on the device; scored on the
held-out 20% with the RF table's metrics so the rows sit in one table.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import train_test_split
from torch import nn
from tqdm import tqdm

from .augment import DeviceViews, white_noise_mel_power
from .cache import CachedSet
from .metrics import weighted_scores
from .models.encoders import EncoderArgs, build_encoder, simclr_init_
from .spectrogram import mel_basis, to_image
from .views import step_generator

log = logging.getLogger(__name__)


def build_model(init: str, cfg: dict, n_classes: int, weights: str | None) -> nn.Module:
    """Encoder + linear classifier. ``init``: imagenet (torchvision weights file), reefclr
    (the SimCLR encoder file) or random (SimCLR's initialisation)."""
    if init == "reefclr":
        state = torch.load(weights, map_location="cpu", weights_only=False)
        encoder, dim = build_encoder(EncoderArgs(**state["encoder_args"]))
        encoder.load_state_dict(state["state_dict"])
    elif init == "imagenet":
        from .embedders.cnn import imagenet_resnet50

        encoder, dim = imagenet_resnet50(weights), 2048
    else:
        encoder, dim = build_encoder(EncoderArgs(cfg["encoder"], cfg["width"]))
        simclr_init_(encoder)
    return nn.Sequential(encoder, nn.Linear(dim, n_classes))


def class_weights(y: np.ndarray, n_classes: int) -> torch.Tensor:
    """n / (k * count_c): each class weighs the same in the loss."""
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    return torch.tensor(len(y) / (n_classes * np.maximum(counts, 1)), dtype=torch.float32)


@torch.inference_mode()
def predict(model: nn.Module, mel: np.ndarray, input_cfg: dict, batch: int) -> np.ndarray:
    model.eval()
    out = [model(to_image(torch.from_numpy(mel[i : i + batch]), input_cfg["image_size"], input_cfg["scale"]))
           .argmax(1).numpy() for i in range(0, len(mel), batch)]
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def train_supervised(data: CachedSet, cfg: dict, input_cfg: dict, spec_cfg: dict, split_cfg: dict, init: str,
                     weights: str | None, seed: int) -> tuple[dict, pd.DataFrame]:
    """Train on the study's split of ``data``; return the RF-format record and per-epoch history."""
    torch.manual_seed(seed)
    classes, y = np.unique(data.index["label"].astype(str), return_inverse=True)
    pos = np.arange(len(y))
    train, test = train_test_split(pos, test_size=split_cfg["test_size"], stratify=y,
                                   random_state=split_cfg["random_state"])
    model = build_model(init, cfg, len(classes), weights)
    opt = torch.optim.SGD(model.parameters(), lr=cfg["lr"], momentum=cfg["momentum"],
                          weight_decay=cfg["weight_decay"])
    loss_fn = nn.CrossEntropyLoss(weight=class_weights(y[train], len(classes)))
    mel = data.mel(pos)
    window = torch.hann_window(spec_cfg["win_length"], periodic=True)
    basis = torch.from_numpy(mel_basis(spec_cfg["sample_rate"], spec_cfg["n_fft"], spec_cfg["n_mels"]))
    views = DeviceViews(white_noise_mel_power(basis, window), input_cfg["image_size"], input_cfg["scale"],
                        cfg["augment_p"], cfg["crop_min_scale"])
    history = []
    batches = max(1, int(np.ceil(len(train) / cfg["batch_size"])))
    for epoch in tqdm(range(cfg["epochs"]), desc=f"supervised ({init} init)", mininterval=5):
        model.train()
        order = np.random.default_rng([seed, epoch]).permutation(train)
        total = 0.0
        for b in range(batches):
            idx = np.sort(order[b * cfg["batch_size"] : (b + 1) * cfg["batch_size"]])
            x = torch.from_numpy(mel[idx])
            if cfg["augment"]:
                x = views(x, step_generator(seed, epoch * batches + b, x.device))
            else:
                x = to_image(x, input_cfg["image_size"], input_cfg["scale"])
            loss = loss_fn(model(x), torch.from_numpy(y[idx]))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        history.append(dict(epoch=epoch + 1, loss=total / len(train)))
        log.info("epoch %d loss %.4f", epoch + 1, history[-1]["loss"])
    pred = predict(model, mel, input_cfg, 64)
    record = {f"test_{k}": v for k, v in weighted_scores(y[test], pred[test]).items()}
    record |= {f"train_{k}": v for k, v in weighted_scores(y[train], pred[train]).items()}
    record |= {"n_train": len(train), "n_test": len(test), "n_classes": len(classes), "init": init}
    return record, pd.DataFrame(history)
