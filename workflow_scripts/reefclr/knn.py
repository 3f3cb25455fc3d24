"""Online check during pretraining: k-NN accuracy of the current encoder on a labelled set.

A progress monitor, not an evaluation: one fixed stratified split (80/20, seeded), cosine
k-nearest-neighbour majority vote on the encoder output h of the un-augmented input image.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

from .cache import CachedSet
from .spectrogram import to_image


def knn_accuracy(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray,
                 k: int) -> float:
    """Accuracy of a cosine k-NN majority vote (k capped at the training-set size)."""
    clf = KNeighborsClassifier(n_neighbors=min(k, len(train_x)), metric="cosine", algorithm="brute")
    clf.fit(train_x, train_y)
    return float((clf.predict(test_x) == test_y).mean())


class KnnProbe:
    """Embeds the clips of ``shard_dirs`` with an encoder and scores them by k-NN."""

    def __init__(self, shard_dirs: list[str], input_cfg: dict, k: int, seed: int, batch_size: int = 64):
        data = CachedSet.open(shard_dirs)
        labels = data.index["label"].to_numpy()
        classes, counts = np.unique(labels, return_counts=True)
        if len(classes) < 2 or counts.min() < 2:
            raise ValueError(f"k-NN check on {shard_dirs}: needs at least 2 classes with 2 clips each, "
                             f"found {dict(zip(classes, counts))}")
        self.mel = data.mel(np.arange(len(data)))
        self.labels = labels
        self.train, self.test = train_test_split(np.arange(len(labels)), test_size=0.2, stratify=labels,
                                                 random_state=seed)
        self.input_cfg, self.k, self.batch_size = input_cfg, k, batch_size

    @torch.inference_mode()
    def __call__(self, encoder: torch.nn.Module, device: torch.device) -> float:
        was_training = encoder.training
        encoder.eval()
        chunks = []
        for start in range(0, len(self.mel), self.batch_size):
            mel = torch.from_numpy(self.mel[start : start + self.batch_size]).to(device)
            x = to_image(mel, self.input_cfg["image_size"], self.input_cfg["scale"])
            chunks.append(encoder(x).float().cpu().numpy())
        encoder.train(was_training)
        h = np.concatenate(chunks)
        return knn_accuracy(h[self.train], self.labels[self.train], h[self.test], self.labels[self.test], self.k)
