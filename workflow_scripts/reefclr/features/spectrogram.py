"""The study's mel power spectrogram, batched in torch, and the network input image.

Matches ``librosa.feature.melspectrogram(y, sr, n_fft, hop_length, win_length, n_mels)``
(librosa 0.11 defaults: periodic Hann window, centred frames with zero padding, power 2,
Slaney mel scale and norm) to about 1e-6 relative error.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from reefclr.settings import Spectrogram


@lru_cache(maxsize=8)
def mel_basis(sample_rate: int, n_fft: int, n_mels: int) -> np.ndarray:
    """librosa's Slaney mel filterbank, (n_mels, n_fft // 2 + 1) float32."""
    import warnings

    import librosa

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Empty filters detected")
        return librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels).astype(np.float32)


class MelSpectrogram(torch.nn.Module):
    """(batch, samples) waveform -> (batch, n_mels, frames) mel power."""

    def __init__(self, sample_rate: int, n_fft: int, hop_length: int, win_length: int, n_mels: int):
        super().__init__()
        if win_length > n_fft:
            raise ValueError(f"win_length {win_length} exceeds n_fft {n_fft}")
        self.n_fft, self.hop_length, self.win_length = n_fft, hop_length, win_length
        self.register_buffer("window", torch.hann_window(win_length, periodic=True))
        self.register_buffer("basis", torch.from_numpy(mel_basis(sample_rate, n_fft, n_mels)))

    @classmethod
    def from_settings(cls, s: Spectrogram) -> "MelSpectrogram":
        return cls(s.sample_rate, s.n_fft, s.hop_length, s.win_length, s.n_mels)

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        spec = torch.stft(
            wave, self.n_fft, self.hop_length, self.win_length, self.window,
            center=True, pad_mode="constant", return_complex=True,
        )  # (B, n_fft//2+1, frames)
        power = spec.real.square() + spec.imag.square()
        return torch.matmul(self.basis, power)  # (B, n_mels, frames)


def n_frames(n_samples: int, hop_length: int) -> int:
    """Frames of a centred STFT."""
    return 1 + n_samples // hop_length


def power_to_db(power: torch.Tensor, amin: float = 1e-10, top_db: float = 80.0) -> torch.Tensor:
    """librosa.power_to_db(ref=1.0) per item of a (B, ...) batch."""
    db = 10.0 * torch.log10(power.clamp(min=amin))
    peak = db.flatten(1).amax(dim=1).view(-1, *([1] * (db.dim() - 1)))
    return torch.maximum(db, peak - top_db)


def to_image(mel: torch.Tensor, image_size: int, scale: str = "power") -> torch.Tensor:
    """(B, n_mels, frames) mel -> (B, 3, S, S) network input, as the study made it.

    Bilinear resize (align_corners False) of the single-channel spectrogram, repeated to 3
    channels; no ImageNet normalisation. ``scale='db'`` converts to decibels first.
    """
    x = power_to_db(mel) if scale == "db" else mel
    x = F.interpolate(x.unsqueeze(1), size=(image_size, image_size), mode="bilinear", align_corners=False)
    return x.expand(-1, 3, -1, -1).contiguous()
