"""reefclr.core.atomic: JSON and tables written atomically, with their metadata and the umask's permissions."""

import json
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reefclr.core.atomic import atomic_path, read_parquet_metadata, write_json, write_table


@pytest.fixture
def umask():
    """Set the process umask for one test: ``umask(0o027)``; the old one comes back afterwards."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_json_appears_whole_with_no_temporary_file_left(tmp_path):
    path = tmp_path / "deep" / "er" / "out.json"
    write_json({"b": np.float32(0.5), "a": [np.int64(1), 2], "where": Path("x/y"), "n": np.int64(7)}, path)
    text = path.read_text()
    assert json.loads(text) == {"a": [1, 2], "b": 0.5, "n": 7, "where": "x/y"}  # numpy scalars and paths as builtins
    assert text.index('"a"') < text.index('"b"') and text.endswith("}\n")  # sorted keys, indented, a final newline
    assert [p.name for p in path.parent.iterdir()] == ["out.json"]  # no .tmp beside it
    with pytest.raises(TypeError, match="not JSON serialisable: object"):
        write_json({"x": object()}, tmp_path / "bad.json")
    assert not (tmp_path / "bad.json").exists() and not list(tmp_path.glob("*.tmp"))


def test_a_reader_sees_the_old_file_or_the_new_one_never_half(tmp_path):
    path = tmp_path / "t.json"
    write_json({"v": 1}, path)
    with atomic_path(path) as tmp:
        assert tmp.parent == path.parent and tmp.name.endswith(".tmp") and tmp != path
        tmp.write_text('{"v": 2, "half')
        assert json.loads(path.read_text()) == {"v": 1}  # while the new one is written: the old one
    assert path.read_text() == '{"v": 2, "half'  # replaced in one rename once the block ends
    with pytest.raises(RuntimeError):
        with atomic_path(path) as tmp:
            tmp.write_text("broken")
            raise RuntimeError("the job died")
    assert path.read_text() == '{"v": 2, "half'  # a failed write leaves the old file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.json"]


def test_parquet_metadata_round_trips_and_csv_is_plain(tmp_path):
    df = pd.DataFrame({"clip_id": ["a@0", "a@1920"], "e0000": [0.25, -1.0]})
    write_table(df, tmp_path / "t.parquet", {"skipped": json.dumps([{"source": "x.wav"}]), "count": 3})
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), df)
    assert read_parquet_metadata(tmp_path / "t.parquet") == {"skipped": '[{"source": "x.wav"}]', "count": "3"}
    write_table(df, tmp_path / "plain.parquet")
    assert read_parquet_metadata(tmp_path / "plain.parquet") == {}  # pandas' own metadata left out
    write_table(df, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text() == "clip_id,e0000\na@0,0.25\na@1920,-1.0\n"
    with pytest.raises(ValueError, match=r"t.xlsx: unsupported table extension '.xlsx'"):
        write_table(df, tmp_path / "t.xlsx")
    assert not list(tmp_path.glob(".*.tmp")) and not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_permissions_follow_the_umask_not_mkstemps_0600(tmp_path, umask, mask, expected):
    umask(mask)
    write_json({}, tmp_path / "a.json")
    write_table(pd.DataFrame({"x": [1]}), tmp_path / "b.parquet")
    write_table(pd.DataFrame({"x": [1]}), tmp_path / "c.csv")
    assert [mode(tmp_path / n) for n in ("a.json", "b.parquet", "c.csv")] == [expected] * 3


def test_numpy_arrays_are_written_as_lists(tmp_path):
    """An array of several elements (its .item() would fail) becomes a JSON list."""
    write_json({"m": np.array([[1, 2], [3, 4]]), "v": np.zeros(3, np.float32)}, tmp_path / "a.json")
    assert json.loads((tmp_path / "a.json").read_text()) == {"m": [[1, 2], [3, 4]], "v": [0.0, 0.0, 0.0]}
