"""Small media for pages: a clip's spectrogram as a JPEG and its sound as Ogg Opus, as data URIs."""

from __future__ import annotations

import base64
import io

import numpy as np


def thumbnail(mel: np.ndarray, width: int = 96, height: int = 64) -> str:
    """A log-mel spectrogram (n_mels x T power) as a small JPEG data URI (about 2 kB), low
    frequencies at the bottom."""
    import matplotlib
    from PIL import Image

    db = 10 * np.log10(np.maximum(mel, 1e-10))
    lo, hi = np.percentile(db, [5, 99.5])
    scaled = np.clip((db - lo) / max(hi - lo, 1e-6), 0, 1)[::-1]
    rgb = (matplotlib.colormaps["magma"](scaled)[..., :3] * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb).resize((width, height), Image.BILINEAR).save(buffer, format="JPEG", quality=70)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def audio_snippet(wave: np.ndarray, sample_rate: int) -> str:
    """A clip as an Ogg Opus data URI at Opus's smallest bitrate (about 1.3 kB per second), peak-normalised."""
    import soundfile as sf

    peak = float(np.abs(wave).max()) or 1.0
    buffer = io.BytesIO()
    sf.write(buffer, (wave / peak * 0.9).astype(np.float32), sample_rate, format="OGG", subtype="OPUS",
             compression_level=1.0)
    return "data:audio/ogg;base64," + base64.b64encode(buffer.getvalue()).decode()
