"""reefclr.settings.data: the datasets, the segment, where clips are read from, the demo."""

import pytest

from reefclr import settings


def test_datasets_are_records_found_by_id_and_role(demo):
    config, s = demo
    assert all(isinstance(d, settings.Dataset) and isinstance(d.columns, settings.Columns) for d in s.data.datasets)
    assert [d.id for d in s.data.datasets] == [d["id"] for d in config["data"]["datasets"]]
    assert s.data.ids("deploy") == ["deploy_reef"] and s.data.dataset("deploy_reef").hop_s == 1.92
    with pytest.raises(KeyError, match="no dataset 'test_mars'; datasets: "):
        s.data.dataset("test_mars")


def test_the_audio_is_the_data_root_with_the_segments_clip_and_channel(demo):
    config, s = demo
    assert s.audio == settings.Audio(config["data"]["root"], config["segment"]["clip_s"], config["segment"]["channel"])
    assert s.segment.result() == config["segment"]
    assert s.demo.result() == config["demo"] and settings.Demo.runtime_keys() == []
