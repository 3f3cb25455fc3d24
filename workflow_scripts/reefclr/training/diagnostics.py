"""What a pretraining run learned, checked against its untrained twin.

At step 0 (the untrained twin: same architecture, same initialisation seed) and at every
check, the encoder is measured on a set of clips it is not trained on:

- k-NN accuracy with whole recordings held out: cosine k-nearest-neighbour vote on the encoder
  output h, over grouped splits of a labelled set (``evaluation.splits.repeated_splits``, the
  same splits at every check, so each check pairs with the twin split by split);
- effective rank of h (RankMe, Garrido et al. 2023): exp of the entropy of the normalised
  singular values; 1 means every clip maps to one direction (collapse);
- alignment and uniformity of the projections z (Wang and Isola 2020) of the step's training
  views, in eval mode: mean squared distance of positive pairs (lower: views agree), log mean
  Gaussian potential between clips (lower: spread over the sphere).

Step 0 is measured before the first forward pass, so batch norm's running statistics are still
the initial ones: exactly the twin a fresh model of the same seed is.

A check never changes training. Classes with too few clips are left out; with fewer than two
classes left the k-NN part turns itself off and says why, and the rank is still measured.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.neighbors import KNeighborsClassifier

from reefclr.evaluation.splits import repeated_splits
from reefclr.features.cachedset import CachedSet
from reefclr.features.spectrogram import to_image
from reefclr.settings import ModelInput

log = logging.getLogger(__name__)
MIN_CLIPS = 5  # per class: at least one on each side of a split
SPLITS = 5  # grouped splits per check
TEST_FRACTION = 0.2
RANK_CLIPS = 512  # unlabelled clips for the rank when no labelled set is named
COLUMNS = ["step", "knn_accuracy", "effective_rank", "alignment", "uniformity", "knn_by_split"]


def knn_accuracy(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray,
                 k: int) -> float:
    """Accuracy of a cosine k-NN majority vote (k capped at the training-set size)."""
    clf = KNeighborsClassifier(n_neighbors=min(k, len(train_x)), metric="cosine", algorithm="brute")
    clf.fit(train_x, train_y)
    return float((clf.predict(test_x) == test_y).mean())


def effective_rank(h: np.ndarray) -> float:
    """RankMe: exp(-sum p log p) of the singular values p = s / sum(s) (+1e-7) of ``h``."""
    s = np.linalg.svd(np.asarray(h, dtype=np.float64), compute_uv=False)
    if s.sum() <= 0:
        return 1.0
    p = s / s.sum() + 1e-7
    return float(np.exp(-(p * np.log(p)).sum()))


def alignment(z0: torch.Tensor, z1: torch.Tensor) -> float:
    """Mean squared distance between the normalised projections of positive pairs (alpha 2)."""
    a, b = F.normalize(z0.float(), dim=1), F.normalize(z1.float(), dim=1)
    return float((a - b).norm(dim=1).pow(2).mean())


def uniformity(z0: torch.Tensor, z1: torch.Tensor, t: float = 2.0) -> float:
    """log mean exp(-t ||zi - zj||^2) over distinct clips, averaged over the two views."""
    def one(z):
        z = F.normalize(z.float(), dim=1)
        return float(torch.pdist(z).pow(2).mul(-t).exp().mean().log())

    return (one(z0) + one(z1)) / 2


@dataclass
class Check:
    """One check of one encoder: step 0 is the untrained twin."""

    step: int
    knn_accuracy: float
    knn_by_split: list[float]
    effective_rank: float
    alignment: float
    uniformity: float

    def row(self) -> dict:
        """A table row; the per-split accuracies joined by ';'."""
        return dict(step=self.step, knn_accuracy=self.knn_accuracy, effective_rank=self.effective_rank,
                    alignment=self.alignment, uniformity=self.uniformity,
                    knn_by_split=";".join(f"{a:.4f}" for a in self.knn_by_split))


def table(checks: list[dict]) -> pd.DataFrame:
    """The checks as rows (diagnostics.csv), step 0 first."""
    return pd.DataFrame([Check(**c).row() for c in checks], columns=COLUMNS)


class Probe:
    """Embeds a fixed set of clips and measures k-NN accuracy (if labelled) and effective rank."""

    def __init__(self, mel: np.ndarray, model_input: ModelInput, knn: tuple | None, k: int, batch_size: int = 64):
        self.mel, self.model_input, self.k, self.batch_size = mel, model_input, k, batch_size
        self.labels, self.splits = knn if knn is not None else (None, [])

    @classmethod
    def make(cls, shard_dirs: list[str], fallback: list[str], model_input: ModelInput, k: int,
             seed: int) -> tuple["Probe", str]:
        """The probe on the labelled clips of ``shard_dirs`` (classes with at least ``MIN_CLIPS``
        clips, split by recording), and a note of what was left out or why k-NN is off; without
        a labelled set, the rank alone on up to ``RANK_CLIPS`` clips of ``fallback``."""
        if not shard_dirs:
            data = CachedSet.open(fallback)
            keep = np.linspace(0, len(data) - 1, min(RANK_CLIPS, len(data))).astype(int)
            return cls(data.mel(keep), model_input, None, k), "k-NN check off: no labelled set"
        data = CachedSet.open(shard_dirs)
        index = data.index
        labels = index["label"].to_numpy().astype(str)
        classes, counts = np.unique(labels, return_counts=True)
        usable = classes[counts >= MIN_CLIPS]
        dropped = {str(c): int(n) for c, n in zip(classes, counts) if n < MIN_CLIPS}
        keep = np.flatnonzero(np.isin(labels, usable))
        if len(usable) < 2:
            why = (f"k-NN check off: fewer than 2 classes with at least {MIN_CLIPS} clips in {shard_dirs} "
                   f"(clips per class: {dict(zip(classes.tolist(), counts.tolist()))})")
            log.warning(why)
            return cls(data.mel(np.arange(min(RANK_CLIPS, len(data)))), model_input, None, k), why
        groups = (index["group"] if "group" in index else index["source"]).to_numpy().astype(str)[keep]
        note = f"left out classes with fewer than {MIN_CLIPS} clips: {dropped}" if dropped else ""
        try:
            splits = repeated_splits(labels[keep], groups, SPLITS, TEST_FRACTION, seed).splits
            how = f"{len(splits)} grouped splits, whole recordings held out"
        except ValueError as e:  # a class held by one recording: no grouped split exists
            rng = np.random.default_rng(seed)
            order = rng.permutation(len(keep))
            cut = max(1, int(round(TEST_FRACTION * len(keep))))
            splits = [(np.sort(order[cut:]), np.sort(order[:cut]))]
            how = f"one random 80/20 split, recordings NOT held out ({e})"
            log.warning("k-NN check: %s", how)
        note = "; ".join(filter(None, [how, note]))
        return cls(data.mel(keep), model_input, (labels[keep], splits), k), note

    @torch.inference_mode()
    def embed(self, encoder: torch.nn.Module, device: torch.device) -> np.ndarray:
        """h of the probe's clips (un-augmented), the encoder in eval mode."""
        with _evaluating(encoder):
            chunks = []
            for start in range(0, len(self.mel), self.batch_size):
                mel = torch.from_numpy(self.mel[start : start + self.batch_size]).to(device)
                x = to_image(mel, self.model_input.image_size, self.model_input.scale)
                chunks.append(encoder(x).float().cpu().numpy())
        return np.concatenate(chunks)

    @torch.inference_mode()
    def __call__(self, step: int, model: torch.nn.Module, device: torch.device, views: torch.Tensor) -> Check:
        """The check of ``model`` (a SimCLR: ``.encoder`` gives h, the model z) at ``step``;
        ``views``: a training batch, view 0 then view 1, for alignment and uniformity."""
        h = self.embed(model.encoder, device)
        with _evaluating(model):
            z0, z1 = model(views).float().chunk(2)
        by_split = [] if self.labels is None else [
            knn_accuracy(h[tr], self.labels[tr], h[te], self.labels[te], self.k) for tr, te in self.splits]
        return Check(step, float(np.mean(by_split)) if by_split else float("nan"), by_split,
                     effective_rank(h), alignment(z0, z1), uniformity(z0, z1))


@contextlib.contextmanager
def _evaluating(module: torch.nn.Module):
    """``module`` in eval mode (batch norm from its running statistics, none updated), then back."""
    was_training = module.training
    module.eval()
    try:
        yield
    finally:
        module.train(was_training)


def against_twin(checks: list[dict]) -> dict:
    """The last check against the twin (step 0), split by split: a verdict and the figures."""
    twin = next((c for c in checks if c["step"] == 0), None)
    last = checks[-1] if checks else None
    if twin is None or last is None or last["step"] == 0 or not twin["knn_by_split"]:
        return dict(verdict="unknown", text="no k-NN comparison with the untrained twin (no labelled set)")
    a, b = np.array(last["knn_by_split"]), np.array(twin["knn_by_split"])
    better, n = int((a > b).sum()), len(a)
    if better == n and n >= 3:
        verdict = "better"
    elif a.mean() <= b.mean():
        verdict = "not better"
    else:
        verdict = "not clearly better"
    text = (f"k-NN accuracy {a.mean():.3f} after {last['step']} steps against {b.mean():.3f} for the untrained twin "
            f"(better on {better} of {n} grouped splits): {verdict}")
    return dict(verdict=verdict, text=text, trained=float(a.mean()), twin=float(b.mean()),
                better_splits=better, splits=n)


def collapsed(check: dict, min_rank: float) -> str:
    """Why the run collapsed (effective rank below ``min_rank``), or ''."""
    if check["effective_rank"] < min_rank:
        return (f"the encoder collapsed: effective rank {check['effective_rank']:.2f} of its embeddings at step "
                f"{check['step']} is below pretrain.min_rank {min_rank} (1 means every clip maps to one direction)")
    return ""
