"""The two SimCLR views of every clip of a training step, from one of two sources.

- ``device`` (fast): cached mel power -> batched spectro-temporal augmentations and random
  resized crop on the training device (``augment.DeviceViews``).
- ``waveform`` (the study's): cached 8 kHz waveform -> the study's audiomentations chain
  per clip in DataLoader workers -> batched mel power and random resized crop on the device.

Both are functions of (seed, step) alone, whatever the number of processes: the clips of a
step come from ``batch_indices``; device randomness is drawn for the whole global batch
(each process keeps its slice); waveform augmentations are seeded per clip and view.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from reefclr.features.augment import DeviceViews, ImageViews, mixup, white_noise_mel_power
from reefclr.features.cachedset import CachedSet
from reefclr.core.processes import Group
from reefclr.features.spectrogram import MelSpectrogram, mel_basis, power_to_db, to_image
from reefclr.settings import ModelInput, Pretrain, Spectrogram


def batch_indices(step: int, n_items: int, batch: int, seed: int) -> np.ndarray:
    """The clips of ``step``: a fresh permutation per epoch, seeded by (seed, epoch)."""
    per_epoch = n_items // batch
    epoch, pos = divmod(step, per_epoch)
    perm = np.random.default_rng([seed, epoch]).permutation(n_items)
    return np.sort(perm[pos * batch : (pos + 1) * batch])


def step_generator(seed: int, step: int, device: torch.device) -> torch.Generator:
    """Augmentation randomness of one step."""
    g = torch.Generator(device=device)
    g.manual_seed(int(np.random.SeedSequence([seed, step]).generate_state(1)[0]))
    return g


def study_augment(p: float, method: str, noise_p: float | None = None):
    """The study's waveform augmentations, each applied with probability ``p`` (the noise with
    ``noise_p`` when given: the study's published run had 1)."""
    from audiomentations import AddGaussianNoise, ClippingDistortion, Compose, Gain, PitchShift, TimeStretch

    return Compose([
        AddGaussianNoise(min_amplitude=1e-4, max_amplitude=5e-4, p=p if noise_p is None else noise_p),
        PitchShift(min_semitones=-2, max_semitones=12, method=method, p=p),
        TimeStretch(min_rate=0.8, max_rate=1.25, leave_length_unchanged=True, method=method, p=p),
        ClippingDistortion(min_percentile_threshold=0, max_percentile_threshold=5, p=p),
        Gain(min_gain_db=-10, max_gain_db=5, p=p),
    ])


def seed_clip(seed: int, step: int, position: int, view: int) -> None:
    """Seed the generators audiomentations draws from, for one view of one clip."""
    a, b = np.random.SeedSequence([seed, step, position, view]).generate_state(2)
    random.seed(int(a))
    np.random.seed(int(b))


@dataclass(frozen=True)
class ViewSettings:
    """What the views of a pretraining run depend on."""

    pretrain: Pretrain
    spectrogram: Spectrogram
    model_input: ModelInput
    seed: int


class WaveformSteps(torch.utils.data.Dataset):
    """Item ``step``: (2, b, samples), both augmented waveform views of this process's b
    clips of that step. Opens the cache lazily, once per worker."""

    def __init__(self, data: CachedSet, batch: int, settings: ViewSettings, group: Group):
        self.shard_dirs, self.index = data.dirs, data.index
        self.batch, self.settings, self.group = batch, settings, group
        self._data: CachedSet | None = None

    def __len__(self) -> int:
        return 2**62

    def __getitem__(self, step: int) -> torch.Tensor:
        p, seed = self.settings.pretrain, self.settings.seed
        if self._data is None:  # this worker's own memory maps, under the clips (and order) it was given
            opened = CachedSet.open(self.shard_dirs)
            self._data = CachedSet(self.index, opened.mels, opened.waves, opened.dirs)
            self._augment = study_augment(p.augment_p, p.waveform_method, p.noise_p)
        local = self.batch // self.group.world
        first = self.group.rank * local
        idx = batch_indices(step, len(self._data), self.batch, seed)[first : first + local]
        waves = self._data.wave(idx)
        sr = self.settings.spectrogram.sample_rate
        out = np.empty((2, *waves.shape), dtype=np.float32)
        for view in range(2):
            for i, wave in enumerate(waves):
                seed_clip(seed, step, first + i, view)
                out[view, i] = self._augment(wave, sample_rate=sr)
        return torch.from_numpy(out)


def _worker_init(_: int) -> None:
    torch.set_num_threads(1)


def device_views(spectrogram: Spectrogram, model_input: ModelInput, p: float, min_scale: float,
                 image: ImageViews | None = None, mix: float = 0.0) -> DeviceViews:
    """Batched views from the cached mel (white noise added as its expected mel power)."""
    window = torch.hann_window(spectrogram.win_length, periodic=True)
    basis = torch.from_numpy(mel_basis(spectrogram.sample_rate, spectrogram.n_fft, spectrogram.n_mels))
    image = image or ImageViews(model_input.image_size, min_scale)
    return DeviceViews(white_noise_mel_power(basis, window), model_input.scale, p, image, mix)


def image_views(p: Pretrain, model_input: ModelInput) -> ImageViews:
    """The crop and flip of a pretraining run's views."""
    return ImageViews(model_input.image_size, p.crop_min_scale, p.crop, p.crop_on, p.flip_p)


class ViewSource:
    """Yields (step, view0, view1, seconds waited) with this process's (b, 3, S, S) views."""

    def __init__(self, data: CachedSet, batch: int, settings: ViewSettings, group: Group, device: torch.device):
        p = settings.pretrain
        self.kind, self.data, self.batch, self.seed = p.views, data, batch, settings.seed
        self.group, self.device = group, device
        self.scale = settings.model_input.scale
        self.workers, self.image, self.mix = p.workers, image_views(p, settings.model_input), p.mixup
        if p.views == "device":
            self.views = device_views(settings.spectrogram, settings.model_input, p.augment_p, p.crop_min_scale,
                                      image=self.image, mix=p.mixup)
        elif p.views == "waveform":
            self.melspec = MelSpectrogram.from_settings(settings.spectrogram).to(device)
            self.steps_data = WaveformSteps(data, batch, settings, group)
        else:
            raise ValueError(f"unknown pretrain.views {p.views!r}; known: device, waveform")

    def iterate(self, start: int, end: int) -> Iterator[tuple[int, torch.Tensor, torch.Tensor, float]]:
        if self.kind == "device":
            yield from self._device(start, end)
        else:
            yield from self._waveform(start, end)

    def _device(self, start: int, end: int):
        local = self.batch // self.group.world
        mine = slice(self.group.rank * local, (self.group.rank + 1) * local)
        for step in range(start, end):
            t0 = time.perf_counter()
            idx = batch_indices(step, len(self.data), self.batch, self.seed)
            mel = torch.from_numpy(self.data.mel(idx)).to(self.device, non_blocking=True)
            g = step_generator(self.seed, step, self.device)
            x0, x1 = self.views(mel, g)[mine], self.views(mel, g)[mine]
            yield step, x0, x1, time.perf_counter() - t0

    def _waveform(self, start: int, end: int):
        loader = torch.utils.data.DataLoader(
            self.steps_data, batch_size=None, sampler=range(start, end), num_workers=self.workers,
            worker_init_fn=_worker_init, prefetch_factor=2 if self.workers else None,
            pin_memory=self.device.type == "cuda",
        )
        it = iter(loader)
        for step in range(start, end):
            t0 = time.perf_counter()
            waves = next(it).to(self.device, non_blocking=True)  # (2, b, samples)
            mel = self.melspec(waves.flatten(0, 1)).unflatten(0, waves.shape[:2])  # (2, b, n_mels, frames)
            g = step_generator(self.seed, step, self.device)
            if self.mix:
                mel = torch.stack([mixup(mel[v], self.mix, g) for v in range(2)])
            x = power_to_db(mel.flatten(0, 1)).view_as(mel) if self.scale == "db" else mel
            offset = self.group.rank * mel.shape[1]
            x0, x1 = (self.image(x[v], g, total=self.batch, offset=offset) for v in range(2))
            yield step, x0, x1, time.perf_counter() - t0
