"""reefclr.data.demo: the synthetic demo is deterministic and writes real audio."""

from pathlib import Path

import numpy as np
import soundfile as sf

from helpers import defaults
from reefclr.data import demo


TINY_DEMO = defaults(demo=dict(sample_rate=8000, pretrain_sites=2, pretrain_duration_s=4, test_recordings_per_class=1,
                              test_duration_s=12, bermuda_clips_per_class=4, deploy_sites=2, deploy_files_per_site=2,
                              deploy_duration_s=8)).demo


def test_demo_is_deterministic_and_real_audio(tmp_path):
    a = demo.generate(tmp_path / "a", TINY_DEMO, seed=3)
    demo.generate(tmp_path / "b", TINY_DEMO, seed=3)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.wav"))
    assert len(files) == a["files"] == 2 + 3 * 2 + 2 * 2 + 7 * 4 + 2 * 2 + 2  # + deployment and queries
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    info = sf.info(str(tmp_path / "a" / "test_florida/audio" / Path(next(
        p for p in map(str, files) if "florida" in p)).name))
    assert info.samplerate == 16000 and info.subtype == "PCM_16"
    x, _ = sf.read(tmp_path / "a" / files[0])
    assert 1e-4 < np.sqrt(np.mean(x**2)) < 0.5
