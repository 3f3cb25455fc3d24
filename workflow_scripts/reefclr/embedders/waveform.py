"""The embedders that read waveforms at their own sample rate (their own env: envs/tf.yaml)."""

from __future__ import annotations

from .base import Embedder


def load(name: str, cfg: dict, threads: int = 1) -> Embedder:
    """vggish, yamnet, birdnet or acoustic_indices from its config slice."""
    if name in ("vggish", "yamnet"):
        from .tfhub import HubEmbedder

        return HubEmbedder(name, cfg["weights"], threads)
    if name == "birdnet":
        from .birdnet import BirdNET

        return BirdNET(cfg["weights"], threads)
    if name == "acoustic_indices":
        from .indices import AcousticIndices

        return AcousticIndices(cfg["indices"])
    raise ValueError(f"{name} is not a waveform embedder; known: vggish, yamnet, birdnet, acoustic_indices")
