"""reefclr.embedders.tfhub: VGGish and YAMNet (stand-in SavedModels) average their frames, on real reef audio."""

import numpy as np
import pytest

import standins
from helpers import REPO, defaults
from reefclr import embedders, registry
from reefclr.data.audio import iter_clips
from reefclr.embedders.base import embed_dataset
from reefclr.settings import Audio


MARRS = REPO / "tests/data/marrs_sonotypes"


D = defaults(model_input={"image_size": 32, "scale": "power"})


AUDIO = Audio(str(MARRS), 1.92, "mean")


@pytest.mark.parametrize("kind, frames", [("vggish", 2), ("yamnet", 2)])
def test_tfhub_embedders_average_their_frames(marrs, tmp_path, monkeypatch, kind, frames):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path))
    standins.hub_savedmodel(registry.locate(kind, None), kind)  # where the URL handle resolves
    emb = embedders.load(kind, D, None)
    assert (emb.dim, emb.sample_rate, emb.input) == ({"vggish": 128, "yamnet": 1024}[kind], 16000, "waveform")
    table = embed_dataset(emb, marrs, batch_size=8, audio=AUDIO)
    row = marrs.index.iloc[0]
    clip = next(iter_clips(MARRS / row.source, np.array([row.offset_s]), 1.92, 16000))[1]
    if kind == "vggish":  # the study: 280 zeros appended, two 0.96 s examples averaged
        clip = np.concatenate([clip, np.zeros(280, np.float32)])
        size = standins.VGGISH_FRAME
    else:
        size = standins.YAMNET_FRAME
    expected = np.mean([clip[k * standins.HOP : k * standins.HOP + size].mean() for k in range(frames)])
    assert table.loc[0, "e0000"] == pytest.approx(expected, rel=1e-4, abs=1e-7)
    local = embedders.load(kind, D, str(registry.locate(kind, None)))  # a local SavedModel directory
    assert local.weights_sha256 == emb.weights_sha256
