"""The supervised ceiling: a CNN trained on each test set's own labels, as in the study.

ResNet50 (ImageNet init when configured, or the ReefCLR encoder for fine-tuning), all layers
trained with SGD (the study: no momentum) and class-weighted cross-entropy. The split is the
study's (the first 80% of each class in dataset.json order) or the RF table's random
stratified split; training clips get the study's waveform augmentations (or batched views
from the cached mel). Scored on the held-out clips, unaugmented, with the RF table's metrics
so the rows sit in one table. Trains on the configured device (CUDA when present with
``device: auto``), fp32 or bf16 autocast.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import train_test_split
from torch import nn
from tqdm import tqdm

from reefclr.features.cachedset import CachedSet
from reefclr.evaluation.metrics import weighted_scores
from reefclr.models.encoders import EncoderArgs, build_encoder, imagenet_resnet50, simclr_init_
from reefclr.features.spectrogram import MelSpectrogram, to_image
from reefclr.features.views import device_views, seed_clip, step_generator, study_augment
from reefclr.params import supervised_init
from reefclr.settings import ModelInput, RandomForest, Settings, Spectrogram, Supervised

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SupervisedJob:
    """One supervised classifier: its training settings, where its encoder starts (imagenet,
    reefclr or random), its input, the study's split and what to do with rare classes."""

    supervised: Supervised
    init: str
    model_input: ModelInput
    spectrogram: Spectrogram
    split: RandomForest
    rare_classes: str
    waveform_method: str
    seed: int

    @classmethod
    def of(cls, s: Settings, embedder: str) -> "SupervisedJob":
        return cls(s.supervised, supervised_init(s, embedder), s.model_input, s.spectrogram, s.evaluation.rf,
                   s.evaluation.rare_classes, s.pretrain.waveform_method, s.seed)


def build_model(init: str, cfg: Supervised, n_classes: int, weights: str | None) -> nn.Module:
    """Encoder + linear classifier. ``init``: imagenet (torchvision weights file), reefclr
    (the SimCLR encoder file) or random (SimCLR's initialisation)."""
    if init == "reefclr":
        state = torch.load(weights, map_location="cpu", weights_only=False)
        encoder, dim = build_encoder(EncoderArgs(**state["encoder_args"]))
        encoder.load_state_dict(state["state_dict"])
    elif init == "imagenet":
        encoder, dim = imagenet_resnet50(weights), 2048
    else:
        encoder, dim = build_encoder(EncoderArgs(cfg.encoder, cfg.width))
        simclr_init_(encoder)
    return nn.Sequential(encoder, nn.Linear(dim, n_classes))


def class_weights(y: np.ndarray, n_classes: int) -> torch.Tensor:
    """n / (k * count_c): each class weighs the same in the loss."""
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    return torch.tensor(len(y) / (n_classes * np.maximum(counts, 1)), dtype=torch.float32)


def study_split(labels: np.ndarray, order: np.ndarray, test_size: float) -> tuple[np.ndarray, np.ndarray]:
    """The study's split: per class, the first int(n * (1 - test_size)) clips in the dataset's
    own order (``order``, e.g. dataset.json position) train, the rest test."""
    train, test = [], []
    for c in np.unique(labels):
        pos = np.flatnonzero(labels == c)
        pos = pos[np.argsort(order[pos], kind="stable")]
        n_train = int(len(pos) * (1 - test_size))
        train.append(pos[:n_train])
        test.append(pos[n_train:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def make_split(labels: np.ndarray, order: np.ndarray, method: str, split: RandomForest):
    if method == "study":
        return study_split(labels, order, split.test_size)
    return train_test_split(np.arange(len(labels)), test_size=split.test_size, stratify=labels,
                            random_state=split.random_state)


class TrainingViews:
    """Augmented (B, 3, S, S) training images of a batch of clips, on the training device."""

    def __init__(self, data: CachedSet, job: SupervisedJob, device: torch.device):
        cfg = job.supervised
        self.data, self.job, self.device = data, job, device
        if cfg.views == "waveform":
            self.augment = study_augment(cfg.augment_p, job.waveform_method, cfg.noise_p)
            self.melspec = MelSpectrogram.from_settings(job.spectrogram).to(device)
        else:
            self.views = device_views(job.spectrogram, job.model_input, cfg.augment_p, cfg.crop_min_scale)

    def __call__(self, idx: np.ndarray, step: int) -> torch.Tensor:
        size, scale = self.job.model_input.image_size, self.job.model_input.scale
        if not self.job.supervised.augment:
            return to_image(torch.from_numpy(self.data.mel(idx)).to(self.device), size, scale)
        if self.job.supervised.views == "device":
            mel = torch.from_numpy(self.data.mel(idx)).to(self.device)
            return self.views(mel, step_generator(self.job.seed, step, self.device))
        waves = self.data.wave(idx)
        out = np.empty_like(waves)
        for i, wave in enumerate(waves):
            seed_clip(self.job.seed, step, i, 0)
            out[i] = self.augment(wave, sample_rate=self.job.spectrogram.sample_rate)
        return to_image(self.melspec(torch.from_numpy(out).to(self.device)), size, scale)


@torch.inference_mode()
def predict(model: nn.Module, images, n: int, batch: int, device: torch.device, autocast) -> np.ndarray:
    """Predicted class of clips 0..n-1; ``images(idx)`` gives their unaugmented inputs."""
    model.eval()
    out = []
    for i in range(0, n, batch):
        with autocast:
            out.append(model(images(np.arange(i, min(i + batch, n)))).argmax(1).cpu().numpy())
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def train_supervised(data: CachedSet, job: SupervisedJob, weights: str | None) -> tuple[dict, pd.DataFrame]:
    """Train on the configured split of ``data``; return the RF-format record and per-epoch history."""
    cfg, init, seed, input_cfg = job.supervised, job.init, job.seed, job.model_input
    from reefclr.training.devices import check_cuda, memory_format, pick_device, uses_bf16
    from reefclr.evaluation.splits import leave_out_rare

    torch.manual_seed(seed)
    device = pick_device(cfg.device, "supervised.device")
    bf16 = uses_bf16(cfg.precision, device)
    if device.type == "cuda":
        check_cuda(1, bf16, "supervised")
    all_labels = data.index["label"].astype(str).to_numpy()
    _, left_out = leave_out_rare(data.index, job.rare_classes, grouped=False)
    keep = np.flatnonzero(~np.isin(all_labels, list(left_out)))  # cache positions of the clips used
    classes, y = np.unique(all_labels[keep], return_inverse=True)
    order = data.index["entry"].to_numpy()[keep] if "entry" in data.index else np.arange(len(y))
    train, test = make_split(y, order, cfg.split, job.split)
    layout = memory_format(device)
    model = build_model(init, cfg, len(classes), weights).to(device).to(memory_format=layout)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum,
                          weight_decay=cfg.weight_decay)
    loss_fn = nn.CrossEntropyLoss(weight=class_weights(y[train], len(classes)).to(device))
    autocast = torch.autocast(device.type, dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
    views = TrainingViews(data, job, device)
    labels = torch.from_numpy(y).to(device)
    history = []
    batches = max(1, int(np.ceil(len(train) / cfg.batch_size)))
    log.info("supervised: %s init, %d train / %d test clips, %s split, %s, %s", init, len(train), len(test),
             cfg.split, device, "bf16" if bf16 else "fp32")
    for epoch in tqdm(range(cfg.epochs), desc=f"supervised ({init} init)", mininterval=5):
        model.train()
        order_e = np.random.default_rng([seed, epoch]).permutation(train)
        total = 0.0
        for b in range(batches):
            idx = np.sort(order_e[b * cfg.batch_size : (b + 1) * cfg.batch_size])
            x = views(keep[idx], epoch * batches + b).contiguous(memory_format=layout)
            with autocast:
                loss = loss_fn(model(x).float(), labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        history.append(dict(epoch=epoch + 1, loss=total / len(train)))
        log.info("epoch %d loss %.4f", epoch + 1, history[-1]["loss"])
    plain = lambda idx: to_image(torch.from_numpy(data.mel(keep[idx])).to(device),  # noqa: E731
                                 input_cfg.image_size, input_cfg.scale).contiguous(memory_format=layout)
    pred = predict(model, plain, len(y), 64, device, autocast)
    record = {f"test_{k}": v for k, v in weighted_scores(y[test], pred[test]).items()}
    record |= {f"train_{k}": v for k, v in weighted_scores(y[train], pred[train]).items()}
    record |= {"n_train": len(train), "n_test": len(test), "n_classes": len(classes), "init": init,
               "split": cfg.split, "device": str(device), "precision": "bf16" if bf16 else "fp32",
               "left_out": left_out}
    return record, pd.DataFrame(history)
