"""Acoustic indices: the soundscape baseline of reef-health studies, one vector per clip.

scikit-maad's temporal alpha indices (of the waveform: ZCR, temporal entropy Ht, ACTtFraction,
...) and spectral alpha indices (of the power spectrogram: ACI, ADI, AEI, BI, NDSI, spectral
entropy Hf, ...) side by side. An index that is undefined (NaN or inf, e.g. on a silent band) or
degenerate beyond float32 (|value| > 1e30: AGI on near-silent clips reaches 1e304) is set
to 0. Bands: ``flim_low`` (anthropophony), ``flim_mid`` (biophony), the rest up to Nyquist.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np

from reefclr.embedders.base import Embedder
from reefclr.settings import AcousticIndices as AcousticIndicesSettings, Settings

log = logging.getLogger(__name__)


class AcousticIndices(Embedder):
    def __init__(self, cfg: AcousticIndicesSettings):
        import maad

        super().__init__("acoustic_indices")
        self.cfg, self.sample_rate = cfg, cfg.sample_rate
        nyquist = self.sample_rate / 2
        self.flim_hi = [min(cfg.flim_mid[1], nyquist), nyquist]
        self.weights_sha256 = f"scikit-maad-{maad.__version__}"
        self.columns = list(self._indices(np.random.default_rng(0).standard_normal(self.sample_rate)
                                          .astype(np.float32) * 0.01).index)
        self.dim = len(self.columns)

    def _indices(self, wave: np.ndarray):
        import pandas as pd
        from maad import features, sound

        nperseg = self.cfg.nperseg
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            temporal = features.all_temporal_alpha_indices(wave, self.sample_rate)
            sxx, tn, fn, _ = sound.spectrogram(wave, self.sample_rate, nperseg=nperseg, noverlap=nperseg // 2,
                                               mode="psd")
            spectral, _ = features.all_spectral_alpha_indices(sxx, tn, fn, flim_low=list(self.cfg.flim_low),
                                                              flim_mid=list(self.cfg.flim_mid), flim_hi=self.flim_hi)
        return pd.concat([temporal.iloc[0], spectral.iloc[0]])

    def embed(self, waves: np.ndarray) -> np.ndarray:
        out = np.empty((len(waves), self.dim), dtype=np.float32)
        for i, wave in enumerate(waves):
            values = self._indices(wave.astype(np.float64)).reindex(self.columns).to_numpy(np.float64, copy=True)
            values[~np.isfinite(values) | (np.abs(values) > 1e30)] = 0.0
            out[i] = values
        return out


def load(settings: Settings, weights: str | None = None, threads: int = 1) -> AcousticIndices:
    return AcousticIndices(settings.embed.acoustic_indices)
