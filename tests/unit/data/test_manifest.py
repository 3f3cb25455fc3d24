"""reefclr.data.manifest: clip ids, stable shards, and finalize/validate errors that name the place."""

import zlib

import pandas as pd
import pytest

from reefclr.data.manifest import COLUMNS, assign_shards, finalize, make_clip_id, validate


def rows(*clips) -> pd.DataFrame:
    """Manifest rows of (source, offset_s) clips, listed in the order given, no shard yet."""
    return pd.DataFrame([dict(clip_id=make_clip_id(s, o), source=s, offset_s=o, duration_s=1.92, label="fish",
                              dataset="test_x", role="test", group=s, site=None, start_time=None) for s, o in clips])


def test_clip_ids_are_source_and_milliseconds():
    assert make_clip_id("rec/a.wav", 0.0) == "rec/a.wav@0"
    assert make_clip_id("rec/a.wav", 1.92) == "rec/a.wav@1920" and make_clip_id("b.wav", 5.7599999) == "b.wav@5760"


def test_shards_are_stable_crc32_of_the_clip_id():
    ids = pd.Series([make_clip_id("rec/a.wav", 1.92 * k) for k in range(50)])
    shards = assign_shards(ids, 4)
    assert shards.dtype == "int32" and shards.between(0, 3).all() and shards.nunique() == 4
    assert shards.tolist() == [zlib.crc32(c.encode()) % 4 for c in ids]  # the same on every machine and run
    assert assign_shards(ids.iloc[::-1], 4).tolist() == shards.iloc[::-1].tolist()  # a clip's shard is its own
    assert (assign_shards(ids, 1) == 0).all()


def test_finalize_orders_columns_sorts_clips_and_keeps_the_listed_order_as_entry():
    listed = rows(("b.wav", 0.0), ("a.wav", 1.92), ("a.wav", 0.0))
    m = finalize(listed, 3, "dataset test_x")
    assert list(m.columns) == COLUMNS
    assert m["clip_id"].tolist() == ["a.wav@0", "a.wav@1920", "b.wav@0"]
    assert m["entry"].tolist() == [2, 1, 0]  # the position each clip was listed at
    assert m["shard"].tolist() == assign_shards(m["clip_id"], 3).tolist()
    assert m["offset_s"].dtype == "float64" and str(m["start_time"].dtype).startswith("datetime64")
    given = finalize(listed.assign(entry=[7, None, 5]), 1, "dataset test_x")
    assert given["entry"].tolist() == [5, 1, 7]  # an index's own order, the listed position where it has none


def test_finalize_errors_start_with_the_place():
    with pytest.raises(ValueError, match=r"^dataset test_x: no clips \(no recording is as long as one clip"):
        finalize(rows(), 1, "dataset test_x")
    with pytest.raises(ValueError, match=r"^labels.csv: duplicate clip ids, e.g. 'a.wav@0' \(1 duplicates\)"):
        finalize(rows(("a.wav", 0.0), ("a.wav", 0.0), ("b.wav", 0.0)), 1, "labels.csv")


def test_validate_names_the_manifest_read_back():
    m = finalize(rows(("a.wav", 0.0), ("a.wav", 1.92)), 2, "dataset test_x")
    where = "results/manifests/test_x.parquet"
    validate(m, where)
    with pytest.raises(ValueError, match=rf"^{where}: manifest lacks columns \['group', 'shard'\]$"):
        validate(m.drop(columns=["shard", "group"]), where)
    with pytest.raises(ValueError, match=r"^m.parquet: duplicate clip ids"):
        validate(pd.concat([m, m.iloc[:1]]), "m.parquet")
