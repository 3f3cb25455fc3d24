"""VGGish and YAMNet through tensorflow-hub (a URL handle in the TF-Hub cache, or a local
SavedModel directory). Both take a mono 16 kHz waveform and return one vector per 0.96 s frame.

VGGish as in the study: 280 zero samples appended to the 1.92 s clip so that two frames fit,
frame embeddings averaged (128-d). YAMNet: mean of its frame embeddings (1024-d). Longer
clips work the same way: every frame is averaged.
"""

from __future__ import annotations

import os

import numpy as np

from reefclr.embedders.base import Embedder, sha256_tree
from reefclr.registry import require
from reefclr.settings import Settings

VGGISH_PAD = 280  # samples: 1.92 s at 16 kHz + 280 = 31000 = room for two VGGish examples


def tensorflow(threads: int):
    """TensorFlow, quiet, with ``threads`` intra-op threads (kept if TF already runs here)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
    except RuntimeError:  # TensorFlow already running in this process: keep its setting
        pass
    return tf


class HubEmbedder(Embedder):
    """A TF-Hub SavedModel on waveforms at its record's rate; frames averaged per clip."""

    def __init__(self, name: str, handle: str | None, threads: int = 1):
        super().__init__(name)
        tensorflow(threads)
        import tensorflow_hub as hub

        path = require(name, handle)
        self.model, self.weights_sha256 = hub.load(str(path)), sha256_tree(path)

    def frames(self, wave: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def embed(self, waves: np.ndarray) -> np.ndarray:
        out = np.empty((len(waves), self.dim), dtype=np.float32)
        for i, wave in enumerate(waves):
            out[i] = np.asarray(self.frames(wave)).mean(axis=0)
        return out


class VGGish(HubEmbedder):
    """VGGish as the study ran it: 280 zeros appended so that a 1.92 s clip holds two frames."""

    def frames(self, wave: np.ndarray) -> np.ndarray:
        return self.model(np.concatenate([wave, np.zeros(VGGISH_PAD, np.float32)]))


class YAMNet(HubEmbedder):
    def frames(self, wave: np.ndarray) -> np.ndarray:
        _, embeddings, _ = self.model(wave)
        return embeddings


def load_vggish(settings: Settings, weights: str | None = None, threads: int = 1) -> VGGish:
    return VGGish("vggish", weights, threads)


def load_yamnet(settings: Settings, weights: str | None = None, threads: int = 1) -> YAMNet:
    return YAMNet("yamnet", weights, threads)
