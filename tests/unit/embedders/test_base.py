"""reefclr.embedders.base: embed_dataset from the cache or the source audio, MelStats, waveform batches."""

import numpy as np
import pytest

from helpers import REPO, assert_within, dataset_spec, defaults, reduction_bound, row_difference, segment, spectrogram
from reefclr import embedders
from reefclr.data import ingest
from reefclr.data.audio import iter_clips
from reefclr.embedders.base import Embedder, embed_dataset, sha256_tree, waveform_batches
from reefclr.features import cache
from reefclr.features.cachedset import CachedSet
from reefclr.settings import Audio


MARRS = REPO / "tests/data/marrs_sonotypes"


INPUT = {"image_size": 32, "scale": "power"}


SMALL = defaults(model_input=INPUT, pretrain={"encoder": "small_resnet", "width": 8})  # seed 0, 128 mels


@pytest.fixture(scope="module")
def marrs_cache(tmp_path_factory):
    """Folder-per-class ingest of real MARRS fish sounds -> cache."""
    out = tmp_path_factory.mktemp("marrs")
    spec = dataset_spec(**{"id": "test_marrs", "role": "test", "format": "folders", "path": ".", "label_from_folder": True,
            "site": None, "extensions": ["wav"], "shards": 1})
    seg = segment(tail="pad")
    manifest, _ = ingest.build_manifest(spec, MARRS, seg)
    spec_cfg = spectrogram(batch_size=4)
    cache.build_shard(manifest, 0, Audio(str(MARRS), 1.92, "mean"), spec_cfg, cache.ShardFiles.in_dir(out))
    return manifest, CachedSet.open([out])


@pytest.mark.parametrize("name", ["random_init", "mel_stats"])
def test_embedders_on_real_audio(marrs_cache, name):
    _, data = marrs_cache
    emb = embedders.load(name, SMALL)
    table = embed_dataset(emb, data, batch_size=5)
    matrix = table.filter(regex=r"^e\d{4}$").to_numpy()
    assert matrix.shape == (len(data), emb.dim) and np.isfinite(matrix).all()
    assert matrix.std(axis=0).max() > 0
    again = embed_dataset(embedders.load(name, SMALL), data, batch_size=7)
    # Another batch size may pick other convolution kernels: every layer's sums (at most 3 x 3 x
    # 4w = 288 terms) in another order; 14 layers.
    assert_within(row_difference(matrix, again.filter(regex=r"^e\d{4}$").to_numpy()),
                  reduction_bound(3 * 3 * 32, steps=14), f"{name}: batches of 5 vs 7 (worst clip)")


AUDIO = Audio(str(MARRS), 1.92, "mean")


def test_waveforms_are_read_from_the_source_at_the_embedders_rate(marrs):
    batches = list(waveform_batches(marrs.index, AUDIO, 48000, batch_size=4))
    positions = np.concatenate([p for p, _ in batches])
    assert sorted(positions) == list(range(len(marrs)))
    assert all(w.shape[1] == int(1.92 * 48000) for _, w in batches)
    row = marrs.index.iloc[positions[0]]
    first = next(iter_clips(MARRS / row.source, np.array([row.offset_s]), 1.92, 48000))[1]
    np.testing.assert_array_equal(batches[0][1][0], first)


class Constant(Embedder):
    """An embedder of the registry's ``name`` that returns ``value`` for every clip."""

    def __init__(self, name: str, value: float, dim: int = 2):
        super().__init__(name)
        self.dim, self.value = dim, value

    def embed(self, batch):
        return np.full((len(batch), self.dim), self.value, np.float32)


def test_a_waveform_embedder_needs_the_audio_and_non_finite_vectors_are_refused(marrs):
    with pytest.raises(ValueError, match="vggish embeds waveforms: the data root, clip length and channel are needed"):
        embed_dataset(Constant("vggish", 0.0), marrs, batch_size=4)
    with pytest.raises(ValueError, match=rf"mel_stats: non-finite embeddings \({2 * len(marrs)} values\)"):
        embed_dataset(Constant("mel_stats", np.nan), marrs, batch_size=4)
    table = embed_dataset(Constant("mel_stats", 0.5), marrs, batch_size=4)
    assert list(table.columns[-2:]) == ["e0000", "e0001"] and (table["e0001"] == 0.5).all()
    assert table["clip_id"].tolist() == marrs.index["clip_id"].tolist()  # in the cache's order


def test_a_savedmodel_checksum_follows_every_file_name_and_byte(tmp_path):
    (tmp_path / "m" / "variables").mkdir(parents=True)
    (tmp_path / "m" / "saved_model.pb").write_bytes(b"graph")
    (tmp_path / "m" / "variables" / "v.data").write_bytes(b"weights")
    first = sha256_tree(tmp_path / "m")
    assert sha256_tree(tmp_path / "m") == first and len(first) == 64
    (tmp_path / "m" / "variables" / "v.data").write_bytes(b"weightz")
    assert sha256_tree(tmp_path / "m") != first
    (tmp_path / "m" / "variables" / "v.data").write_bytes(b"weights")
    assert sha256_tree(tmp_path / "m") == first
    (tmp_path / "m" / "variables" / "v.data").rename(tmp_path / "m" / "variables" / "w.data")
    assert sha256_tree(tmp_path / "m") != first
