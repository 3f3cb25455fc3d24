"""reefclr.pages.media: the explorer's thumbnails and audio snippets are small and decode."""

import base64
import io

import numpy as np
import soundfile as sf
from PIL import Image

from reefclr.pages import media


def test_media_are_small_and_decode(marrs):
    mel, wave = marrs.mel(np.array([0]))[0], marrs.wave(np.array([0]))[0]
    thumb = media.thumbnail(mel)
    assert thumb.startswith("data:image/jpeg;base64,") and len(thumb) < 6000
    image = Image.open(io.BytesIO(base64.b64decode(thumb.split(",", 1)[1])))
    assert image.size == (96, 64)
    audio = media.audio_snippet(wave, 8000)
    assert audio.startswith("data:audio/ogg;base64,") and len(audio) < 6000
    decoded, rate = sf.read(io.BytesIO(base64.b64decode(audio.split(",", 1)[1])))
    assert abs(len(decoded) / rate - 1.92) < 0.05 and np.abs(decoded).max() > 0.1
