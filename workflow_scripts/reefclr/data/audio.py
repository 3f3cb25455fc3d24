"""Audio reading: block-wise, one resample per recording, mono by channel choice.

A recording is read in blocks and resampled with a streaming soxr resampler, so memory
is bounded by the block size, not by the file length.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import soundfile as sf

BLOCK_S = 30.0  # seconds of source audio read per block


@dataclass(frozen=True)
class AudioInfo:
    """What the file header says."""

    path: str
    sample_rate: int
    channels: int
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate


def audio_info(path: str | Path) -> AudioInfo:
    """Header facts of an audio file; errors name the file and the reason."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: audio file not found")
    try:
        info = sf.info(str(path))
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise ValueError(f"{path}: cannot read audio header ({exc})") from exc
    return AudioInfo(str(path), int(info.samplerate), int(info.channels), int(info.frames))


def to_mono(block: np.ndarray, channel: int | str) -> np.ndarray:
    """(frames, channels) -> (frames,), taking one channel or the mean."""
    if block.ndim == 1:
        return block
    if channel == "mean":
        return block.mean(axis=1)
    if not isinstance(channel, int) or not 0 <= channel < block.shape[1]:
        raise ValueError(f"channel {channel!r} not in a {block.shape[1]}-channel file")
    return block[:, channel]


def stream_resampled(
    path: str | Path, target_sr: int, channel: int | str = "mean", block_s: float = BLOCK_S
) -> Iterator[np.ndarray]:
    """Yield consecutive mono float32 blocks of the whole file resampled to ``target_sr``."""
    import soxr

    info = audio_info(path)
    block = max(1, int(block_s * info.sample_rate))
    resampler = None
    if info.sample_rate != target_sr:
        resampler = soxr.ResampleStream(info.sample_rate, target_sr, 1, dtype="float32", quality="HQ")
    with sf.SoundFile(str(path)) as f:
        while True:
            try:
                data = f.read(block, dtype="float32", always_2d=True)
            except (RuntimeError, sf.LibsndfileError) as exc:
                raise ValueError(f"{path}: cannot decode audio after {f.tell() / info.sample_rate:.1f} s ({exc})") from exc
            last = len(data) < block
            mono = np.ascontiguousarray(to_mono(data, channel), dtype=np.float32)
            if resampler is not None:
                mono = resampler.resample_chunk(mono, last=last)
            if len(mono):
                yield mono
            if last:
                break


def iter_clips(
    path: str | Path,
    offsets_s: np.ndarray,
    clip_s: float,
    target_sr: int,
    channel: int | str = "mean",
    block_s: float = BLOCK_S,
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (i, clip) for the clips starting at ``offsets_s[i]``, in start order, from one
    recording resampled once; memory is bounded by the block size, not the file length.

    Clips running past the end are zero-padded.
    """
    length = int(round(clip_s * target_sr))
    starts = np.round(np.asarray(offsets_s, dtype=np.float64) * target_sr).astype(np.int64)
    order = np.argsort(starts, kind="stable")
    nxt = 0  # next clip (in start order) still to cut
    buf = np.zeros(0, dtype=np.float32)
    buf_start = 0  # absolute sample index of buf[0]
    for block in stream_resampled(path, target_sr, channel, block_s):
        buf = np.concatenate([buf, block])
        while nxt < len(order) and starts[order[nxt]] + length <= buf_start + len(buf):
            a = starts[order[nxt]] - buf_start
            yield int(order[nxt]), buf[a : a + length].copy()
            nxt += 1
        keep_from = starts[order[nxt]] - buf_start if nxt < len(order) else len(buf)
        keep_from = max(0, min(keep_from, len(buf)))
        buf = buf[keep_from:]
        buf_start += keep_from
    for i in order[nxt:]:  # clips that run past the end
        clip = np.zeros(length, dtype=np.float32)
        a = starts[i] - buf_start
        piece = buf[max(a, 0) : a + length]
        clip[: len(piece)] = piece
        yield int(i), clip


def check_finite(clip: np.ndarray, source: str, offset_s: float) -> float:
    """Raise if a decoded clip holds NaN or inf samples; return its peak magnitude."""
    if not np.isfinite(clip).all():
        raise ValueError(f"{source}: audio contains NaN or inf samples (clip at {offset_s:.2f} s)")
    return float(np.abs(clip).max(initial=0.0))


FINGERPRINT_S = 30.0  # seconds of decoded audio hashed per file


def fingerprint(path: str | Path, info: AudioInfo) -> str:
    """A hash of what the file sounds like, not of its bytes or name: the decoded samples of
    its first ``FINGERPRINT_S`` seconds (all channels, 16-bit resolution), its sample rate and
    length. The same audio saved under another name or format gets the same fingerprint."""
    import hashlib

    frames = min(info.frames, int(FINGERPRINT_S * info.sample_rate))
    try:
        data, _ = sf.read(str(path), frames=frames, dtype="int16", always_2d=True)
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise ValueError(f"{path}: cannot decode audio ({exc})") from exc
    digest = hashlib.sha1(f"{info.sample_rate}:{info.frames}:{info.channels}:".encode())
    digest.update(np.ascontiguousarray(data).tobytes())
    return digest.hexdigest()[:20]
