"""reefclr.features.selection: event-rich pretraining clips, at least one per site."""

import numpy as np
import pandas as pd
import pytest

from reefclr.features import selection
from reefclr.features.cachedset import CachedSet


def _cache(tmp_path, events: list[bool], sites: list[str]) -> CachedSet:
    """Clips of steady noise; an event clip holds loud pulses (onsets) over it."""
    rng = np.random.default_rng(0)
    mel = (rng.exponential(1.0, (len(events), 16, 40)) * 1e-4).astype(np.float32)
    for i, event in enumerate(events):
        if event:
            mel[i, 4:10, ::8] += 1.0
    d = tmp_path / "shard-0"
    d.mkdir()
    np.save(d / "mel.npy", mel)
    np.save(d / "wave.npy", np.zeros((len(events), 4), np.float32))
    pd.DataFrame({"clip_id": [f"c{i}" for i in range(len(events))], "site": sites,
                  "row": np.arange(len(events))}).to_parquet(d / "index.parquet")
    return CachedSet.open([d])


@pytest.mark.parametrize("by", ["flux", "energy"])
def test_the_event_clips_are_kept_first(tmp_path, by):
    events = [True, False, False, True, False, True, False, False]
    data = _cache(tmp_path, events, ["a"] * 8)
    kept, report = selection.event_rich(data, 3 / 8, by)
    assert kept.tolist() == [0, 3, 5]
    assert report.to_dict("records") == [{"site": "a", "clips": 8, "kept": 3}]


def test_every_site_keeps_its_best_clip_and_keep_one_keeps_all(tmp_path):
    events = [True, True, True, False, False, False]
    data = _cache(tmp_path, events, ["a", "a", "a", "b", "b", "b"])
    kept, report = selection.event_rich(data, 0.34, "flux")
    assert set(kept[:2]) <= {0, 1, 2} and any(k in (3, 4, 5) for k in kept)  # site b's quietest is still one clip
    assert dict(zip(report["site"], report["kept"])) == {"a": 2, "b": 1}
    everything, _ = selection.event_rich(data, 1.0, "flux")
    assert everything.tolist() == list(range(6))
    with pytest.raises(ValueError, match="unknown pretrain.select.by 'loudness'"):
        selection.event_rich(data, 0.5, "loudness")
