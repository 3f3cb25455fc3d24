"""Online check during pretraining: k-NN accuracy of the current encoder on a labelled set.

A progress monitor, not an evaluation: one fixed stratified split (80/20, seeded), cosine
k-nearest-neighbour majority vote on the encoder output h of the un-augmented input image.
A monitor never stops training: classes with too few clips for the split are left out,
and with fewer than two classes left the check turns itself off (``KnnProbe.make`` returns
None and says why).
"""

from __future__ import annotations

import logging

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

from reefclr.features.cachedset import CachedSet
from reefclr.features.spectrogram import to_image
from reefclr.settings import ModelInput

log = logging.getLogger(__name__)
MIN_CLIPS = 5  # per class: at least one on each side of the 80/20 split


def knn_accuracy(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray,
                 k: int) -> float:
    """Accuracy of a cosine k-NN majority vote (k capped at the training-set size)."""
    clf = KNeighborsClassifier(n_neighbors=min(k, len(train_x)), metric="cosine", algorithm="brute")
    clf.fit(train_x, train_y)
    return float((clf.predict(test_x) == test_y).mean())


class KnnProbe:
    """Embeds the clips of ``shard_dirs`` with an encoder and scores them by k-NN."""

    def __init__(self, data: CachedSet, keep: np.ndarray, model_input: ModelInput, k: int, seed: int,
                 batch_size: int = 64):
        labels = data.index["label"].to_numpy().astype(str)[keep]
        self.mel = data.mel(keep)
        self.labels = labels
        self.train, self.test = train_test_split(np.arange(len(labels)), test_size=0.2, stratify=labels,
                                                 random_state=seed)
        self.model_input, self.k, self.batch_size = model_input, k, batch_size

    @classmethod
    def make(cls, shard_dirs: list[str], model_input: ModelInput, k: int, seed: int) -> tuple["KnnProbe | None", str]:
        """The probe on the classes of ``shard_dirs`` with at least ``MIN_CLIPS`` clips, and a
        note of what was left out; (None, why) when fewer than two classes remain."""
        data = CachedSet.open(shard_dirs)
        labels = data.index["label"].to_numpy().astype(str)
        classes, counts = np.unique(labels, return_counts=True)
        usable = classes[counts >= MIN_CLIPS]
        dropped = {str(c): int(n) for c, n in zip(classes, counts) if n < MIN_CLIPS}
        note = f"left out classes with fewer than {MIN_CLIPS} clips: {dropped}" if dropped else ""
        if len(usable) < 2:
            why = (f"k-NN check off: fewer than 2 classes with at least {MIN_CLIPS} clips in {shard_dirs} "
                   f"(clips per class: {dict(zip(classes.tolist(), counts.tolist()))})")
            log.warning(why)
            return None, why
        if note:
            log.warning("k-NN check: %s", note)
        return cls(data, np.flatnonzero(np.isin(labels, usable)), model_input, k, seed), note

    @torch.inference_mode()
    def __call__(self, encoder: torch.nn.Module, device: torch.device) -> float:
        was_training = encoder.training
        encoder.eval()
        chunks = []
        for start in range(0, len(self.mel), self.batch_size):
            mel = torch.from_numpy(self.mel[start : start + self.batch_size]).to(device)
            x = to_image(mel, self.model_input.image_size, self.model_input.scale)
            chunks.append(encoder(x).float().cpu().numpy())
        encoder.train(was_training)
        h = np.concatenate(chunks)
        return knn_accuracy(h[self.train], self.labels[self.train], h[self.test], self.labels[self.test], self.k)
