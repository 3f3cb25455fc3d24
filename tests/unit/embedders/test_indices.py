"""reefclr.embedders.indices: the acoustic indices match scikit-maad, on real reef audio."""

import numpy as np
import pytest

from helpers import REPO, defaults
from reefclr import embedders
from reefclr.data.audio import iter_clips
from reefclr.embedders.base import embed_dataset
from reefclr.settings import Audio


MARRS = REPO / "tests/data/marrs_sonotypes"


AUDIO = Audio(str(MARRS), 1.92, "mean")


def test_acoustic_indices_match_scikit_maad(marrs):
    from maad import features, sound

    emb = embedders.load("acoustic_indices", defaults(embed={"acoustic_indices": {
        "sample_rate": 16000, "nperseg": 512, "flim_low": [0, 1500], "flim_mid": [1500, 8000]}}))
    assert emb.dim == 60 and {"ACI", "ADI", "AEI", "BI", "NDSI", "Ht", "Hf"} <= set(emb.columns)
    table = embed_dataset(emb, marrs, batch_size=8, audio=AUDIO)
    row = marrs.index.iloc[0]
    clip = next(iter_clips(MARRS / row.source, np.array([row.offset_s]), 1.92, 16000))[1].astype(np.float64)
    sxx, tn, fn, _ = sound.spectrogram(clip, 16000, nperseg=512, noverlap=256, mode="psd")
    aci = features.acoustic_complexity_index(np.sqrt(sxx))[2]  # maad: ACI of the amplitude spectrogram
    assert table.loc[0, f"e{emb.columns.index('ACI'):04d}"] == pytest.approx(aci, rel=1e-4)
