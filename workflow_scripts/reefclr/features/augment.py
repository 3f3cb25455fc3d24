"""SimCLR views made on the device, in batch, from cached mel power spectrograms.

Optionally first (``pretrain.mixup``), BYOL-A's mixup of each clip with another of the batch.
Each transform fires per clip with probability ``p`` (the study used p=0.5 for each of its
waveform augmentations): gain (-10..+5 dB), additive white noise (amplitude 1e-4..5e-4,
added as its expected mel power), a frequency shift (a proxy for pitch shift), a circular
time shift, and time/frequency masking; then a random resized crop (scale ``min_scale``..1,
aspect 3/4..4/3) of the spectrogram, resized to ``image_size``, and a horizontal flip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from reefclr.features.spectrogram import power_to_db, to_image


def _fire(n: int, p: float, g: torch.Generator, device) -> torch.Tensor:
    return torch.rand(n, generator=g, device=device) < p


def _uniform(n: int, lo: float, hi: float, g: torch.Generator, device) -> torch.Tensor:
    return lo + (hi - lo) * torch.rand(n, generator=g, device=device)


def augment_mel(mel: torch.Tensor, noise_floor: torch.Tensor, p: float, g: torch.Generator) -> torch.Tensor:
    """Random spectro-temporal augmentations of a (B, n_mels, T) power batch.

    ``noise_floor`` (n_mels,) is the mel power of unit-variance white noise.
    """
    b, n_mels, t = mel.shape
    dev = mel.device
    x = mel.clone()
    gain_db = torch.where(_fire(b, p, g, dev), _uniform(b, -10, 5, g, dev), torch.zeros(b, device=dev))
    x = x * (10.0 ** (gain_db / 10.0)).view(b, 1, 1)
    amp = torch.where(_fire(b, p, g, dev), _uniform(b, 1e-4, 5e-4, g, dev), torch.zeros(b, device=dev))
    expo = -torch.log(torch.rand(x.shape, generator=g, device=dev).clamp_min(1e-12))  # |N|^2 of noise bins
    x = x + amp.square().view(b, 1, 1) * noise_floor.view(1, n_mels, 1) * expo
    shift_f = torch.where(_fire(b, p, g, dev), torch.randint(-4, 13, (b,), generator=g, device=dev), 0)
    shift_t = torch.where(_fire(b, p, g, dev), torch.randint(0, t, (b,), generator=g, device=dev), 0)
    x = _roll_rows(x, shift_f, dim=1, fill_low=True)
    x = _roll_rows(x, shift_t, dim=2, fill_low=False)
    x = _mask(x, _fire(b, p, g, dev), n_mels // 8, dim=1, g=g)
    x = _mask(x, _fire(b, p, g, dev), t // 8, dim=2, g=g)
    return x


def mixup(mel: torch.Tensor, ratio: float, g: torch.Generator) -> torch.Tensor:
    """BYOL-A's mixup with the archive's own sounds (arXiv 2204.07402): each clip of a (B, n_mels,
    T) power batch mixed with another clip of the batch, ``(1 - l) x + l x'``, l ~ U(0, ratio)
    per clip. Power adds as sound does, so the clip keeps its events over a new background."""
    b, dev = mel.shape[0], mel.device
    partner = torch.randperm(b, generator=g, device=dev)
    share = _uniform(b, 0.0, ratio, g, dev).view(b, 1, 1)
    return (1 - share) * mel + share * mel[partner]


def _roll_rows(x: torch.Tensor, shift: torch.Tensor, dim: int, fill_low: bool) -> torch.Tensor:
    """Per-item shift along ``dim``: circular in time; in frequency, upward with the vacated
    low bins set to the item's minimum (so energy does not wrap from the top)."""
    size = x.shape[dim]
    idx = torch.arange(size, device=x.device).view(1, -1)
    src = (idx - shift.view(-1, 1)) % size  # (B, size)
    shape = [x.shape[0], 1, 1]
    shape[dim] = size
    gathered = torch.gather(x, dim, src.view(shape).expand_as(x))
    if not fill_low:
        return gathered
    wrapped = ((idx - shift.view(-1, 1)) < 0) | ((idx - shift.view(-1, 1)) >= size)
    floor = x.flatten(1).amin(dim=1).view(-1, 1, 1)
    return torch.where(wrapped.view(shape), floor.expand_as(x), gathered)


def _mask(x: torch.Tensor, fire: torch.Tensor, max_width: int, dim: int, g: torch.Generator) -> torch.Tensor:
    """Zero a random band of up to ``max_width`` bins along ``dim`` for the items that fire."""
    b, size = x.shape[0], x.shape[dim]
    width = torch.randint(0, max(1, max_width) + 1, (b,), generator=g, device=x.device)
    start = (torch.rand(b, generator=g, device=x.device) * (size - width + 1)).long()
    idx = torch.arange(size, device=x.device).view(1, -1)
    band = (idx >= start.view(-1, 1)) & (idx < (start + width).view(-1, 1)) & fire.view(-1, 1)
    shape = [b, 1, 1]
    shape[dim] = size
    return x.masked_fill(band.view(shape), 0.0)


@dataclass(frozen=True)
class Part:
    """A process's part of the global batch: draws are made for ``total`` items (None: the
    process's own B) and items ``offset..offset+B`` applied, so each process of a
    data-parallel run transforms its slice exactly as one process would the whole batch."""

    total: int | None = None
    offset: int = 0

    def draws(self, b: int) -> int:
        return b if self.total is None else self.total

    def mine(self, b: int) -> slice:
        return slice(self.offset, self.offset + b)


WHOLE = Part()


def random_resized_crop(x: torch.Tensor, image_size: int, min_scale: float, g: torch.Generator,
                        part: Part = WHOLE, mode: str = "bilinear") -> torch.Tensor:
    """(B, C, H, W) -> (B, C, S, S): crop of area fraction U(min_scale, 1) and aspect
    ratio log-U(3/4, 4/3) at a random place, resized (``mode``: bilinear or bicubic); the
    crops are drawn for the whole batch and ``part`` of them applied."""
    b = x.shape[0]
    total = part.draws(b)
    dev = x.device
    area = _uniform(total, min_scale, 1.0, g, dev)
    log_ratio = _uniform(total, math.log(3 / 4), math.log(4 / 3), g, dev)
    ratio = torch.exp(log_ratio)
    w = torch.sqrt(area * ratio).clamp(max=1.0)  # fraction of the width
    h = torch.sqrt(area / ratio).clamp(max=1.0)
    cx = (torch.rand(total, generator=g, device=dev) * 2 - 1) * (1 - w)  # centre in [-1, 1] coordinates
    cy = (torch.rand(total, generator=g, device=dev) * 2 - 1) * (1 - h)
    mine = part.mine(b)
    theta = torch.zeros(b, 2, 3, device=dev, dtype=x.dtype)
    theta[:, 0, 0], theta[:, 0, 2], theta[:, 1, 1], theta[:, 1, 2] = w[mine], cx[mine], h[mine], cy[mine]
    grid = F.affine_grid(theta, (b, x.shape[1], image_size, image_size), align_corners=False)
    return F.grid_sample(x, grid, mode=mode, padding_mode="border", align_corners=False)


def random_flip(x: torch.Tensor, p: float, g: torch.Generator, part: Part = WHOLE) -> torch.Tensor:
    """Mirror (B, C, S, S) images along their width (time) with probability ``p`` each, drawn
    for the whole batch and ``part`` of them applied, like ``random_resized_crop``."""
    if p <= 0:
        return x
    b = x.shape[0]
    fire = _fire(part.draws(b), p, g, x.device)[part.mine(b)]
    return torch.where(fire.view(-1, 1, 1, 1), x.flip(-1), x)


@dataclass(frozen=True)
class ImageViews:
    """The image stage of a view: the random resized crop (of the raw mel, bilinear, or of the
    S x S image, bicubic as the study's torchvision transform), then the horizontal flip."""

    image_size: int
    min_scale: float
    crop: bool = True
    crop_on: str = "mel"
    flip_p: float = 0.0

    def __call__(self, x: torch.Tensor, g: torch.Generator, total: int | None = None, offset: int = 0
                 ) -> torch.Tensor:
        """(B, n_mels, frames) mel, already scaled -> (B, 3, S, S): items ``offset..offset+B``
        of a global batch of ``total`` (``Part``)."""
        part = Part(total, offset)
        if not self.crop:
            out = to_image(x, self.image_size)
        elif self.crop_on == "image":
            image = to_image(x, self.image_size)[:, :1]
            out = random_resized_crop(image, self.image_size, self.min_scale, g, part, mode="bicubic")
        elif self.crop_on == "mel":
            out = random_resized_crop(x.unsqueeze(1), self.image_size, self.min_scale, g, part)
        else:
            raise ValueError(f"unknown pretrain.crop_on {self.crop_on!r}; known: mel, image")
        return random_flip(out, self.flip_p, g, part).expand(-1, 3, -1, -1)


class DeviceViews:
    """Makes one SimCLR view of a batch of cached mel spectrograms, on the batch's device:
    mixup with other clips (``mix``, a maximum share; 0: none, no random draw), the mel
    augmentations (``p``), the scale (power or dB), then the image stage (``image``)."""

    def __init__(self, noise_floor: torch.Tensor, scale: str, p: float, image: ImageViews, mix: float = 0.0):
        self.noise_floor, self.scale, self.p, self.image, self.mix = noise_floor, scale, p, image, mix

    def __call__(self, mel: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        if self.mix:
            mel = mixup(mel, self.mix, g)
        x = augment_mel(mel, self.noise_floor.to(mel.device), self.p, g)
        if self.scale == "db":
            x = power_to_db(x)
        return self.image(x, g)


def white_noise_mel_power(basis: torch.Tensor, window: torch.Tensor) -> torch.Tensor:
    """Expected mel power of unit-variance white noise: basis @ (sum(window^2) per bin)."""
    per_bin = window.square().sum() * torch.ones(basis.shape[1], dtype=basis.dtype)
    return basis @ per_bin
