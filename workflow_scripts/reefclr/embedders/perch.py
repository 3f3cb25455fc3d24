"""SurfPerch and Perch 2.0: TensorFlow SavedModels on 5 s of mono 32 kHz audio.

SurfPerch (Williams et al. 2024, the Perch architecture fine-tuned on reef audio) answers
``infer_tf(audio[B, 160000])`` with (logits, embedding) or a dict with "embedding" (1280-d);
Perch 2.0 answers its ``serving_default`` signature with a dict with "embedding" (1536-d).
A 1.92 s clip is zero-padded at the end to the 5 s window; a longer clip is the mean over
its consecutive 5 s windows, the last one padded. The user puts the SavedModel on disk or in
the Kaggle/TF-Hub cache (``reefclr.catalog``); its checksum goes into the embeddings' metadata.
"""

from __future__ import annotations

import numpy as np

from reefclr.embedders.base import Embedder, sha256_tree
from reefclr.registry import require, spec
from reefclr.settings import Settings
from reefclr.embedders.tfhub import tensorflow



class PerchEmbedder(Embedder):
    """SurfPerch or Perch 2.0: rate, window and dimension from the embedder's registry record."""

    def __init__(self, name: str, weights: str | None, threads: int = 1):
        super().__init__(name)
        tf = tensorflow(threads)
        path = require(name, weights)
        self.tf, self.window = tf, self.spec.window
        model = tf.saved_model.load(str(path))
        if hasattr(model, "infer_tf"):
            self._call = model.infer_tf
        elif "serving_default" in model.signatures:
            signature = model.signatures["serving_default"]
            (key,) = signature.structured_input_signature[1]
            self._call = lambda audio: signature(**{key: audio})
        else:
            raise ValueError(f"{path}: a SavedModel with neither infer_tf nor a serving_default signature: "
                             f"not the {spec(name).display} model")
        self.model, self.weights_sha256 = model, sha256_tree(path)
        try:
            got = self._embed_windows(np.zeros((1, self.window), np.float32)).shape
        except Exception as error:  # TensorFlow's errors on a model of another signature
            got = f"an error ({type(error).__name__})"
        if got != (1, self.dim):
            raise ValueError(f"{path}: embedding of shape {got}, not (1, {self.dim}): "
                             f"not the {spec(name).display} model")

    def _embed_windows(self, windows: np.ndarray) -> np.ndarray:
        out = self._call(self.tf.constant(windows))
        vectors = out["embedding"] if isinstance(out, dict) else out[1]
        return np.asarray(vectors, dtype=np.float32).reshape(len(windows), -1)

    def embed(self, waves: np.ndarray) -> np.ndarray:
        n_windows = max(1, -(-waves.shape[1] // self.window))
        windows = np.zeros((len(waves), n_windows * self.window), dtype=np.float32)
        windows[:, : waves.shape[1]] = waves
        vectors = self._embed_windows(windows.reshape(-1, self.window))
        return vectors.reshape(len(waves), n_windows, self.dim).mean(axis=1)


def load_surfperch(settings: Settings, weights: str | None = None, threads: int = 1) -> PerchEmbedder:
    return PerchEmbedder("surfperch", weights, threads)


def load_perch_v2(settings: Settings, weights: str | None = None, threads: int = 1) -> PerchEmbedder:
    return PerchEmbedder("perch_v2", weights, threads)
