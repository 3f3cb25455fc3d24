"""reefclr.embedders.perch: SurfPerch and Perch 2.0 (stand-in SavedModels) on real reef audio."""

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


@pytest.mark.parametrize("kind, dim", [("surfperch", 1280), ("perch_v2", 1536)])
def test_perch_models_from_the_kaggle_cache(marrs, tmp_path, monkeypatch, kind, dim):
    monkeypatch.setenv("KAGGLEHUB_CACHE", str(tmp_path / "kaggle"))
    where = registry.locate(kind, None)
    assert str(where).startswith(str(tmp_path / "kaggle" / "models" / "google"))
    with pytest.raises(registry.WeightsMissing, match=f"embedder {kind}: weights not found at {where}"):
        embedders.load(kind, D, None)
    standins.perch_savedmodel(where, kind)
    emb = embedders.load(kind, D, None)
    assert (emb.dim, emb.sample_rate, emb.input) == (dim, 32000, "waveform") and len(emb.weights_sha256) == 64
    table = embed_dataset(emb, marrs, batch_size=4, audio=AUDIO)
    vectors = table.filter(regex=r"^e\d{4}$").to_numpy()
    assert vectors.shape == (len(marrs), dim) and np.isfinite(vectors).all()
    row = marrs.index.iloc[0]
    clip = next(iter_clips(MARRS / row.source, np.array([row.offset_s]), 1.92, 32000))[1]
    expected = clip.sum() / 160000  # the 1.92 s clip zero-padded to the 5 s window
    assert vectors[0, 0] == pytest.approx(expected, rel=1e-4, abs=1e-8)
    assert vectors[0, 9] == pytest.approx(10 * expected, rel=1e-4, abs=1e-7)
    local = embedders.load(kind, D, str(where))  # a local SavedModel directory
    assert local.weights_sha256 == emb.weights_sha256


def test_a_clip_longer_than_the_window_is_the_mean_of_its_windows(tmp_path):
    standins.perch_savedmodel(tmp_path / "sp", "surfperch")
    emb = embedders.load("surfperch", D, str(tmp_path / "sp"))
    wave = np.concatenate([np.full(160000, 1.0), np.full(40000, 0.5)]).astype(np.float32)[None]
    assert emb.embed(wave)[0, 0] == pytest.approx((1.0 + 0.5 * 40000 / 160000) / 2)


def test_another_savedmodel_is_refused(tmp_path):
    standins.hub_savedmodel(tmp_path / "vggish", "vggish")
    with pytest.raises(ValueError, match="not the Perch2 model"):
        embedders.load("perch_v2", D, str(tmp_path / "vggish"))
