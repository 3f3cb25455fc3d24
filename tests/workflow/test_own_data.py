"""A reef ecologist's own recordings: a folder of WAVs and a Raven table, changing only `data:`."""

import json
import shutil

import pandas as pd
from snakerun import REPO, planned_rules, snakemake
from test_dag import ALL_RULES, DEPLOY_RULES

MARRS = REPO / "tests/data/marrs_sonotypes"

OWN_DATA = """\
data:
  root: {root}
  datasets:
    - {{id: pretrain, role: pretrain, format: folders, path: unlabelled}}
    - id: test_myreef
      role: test
      format: raven
      audio: labelled/audio
      annotations: labelled/raven
      background_label: ambient
"""


def _lay_out(root):
    """Real reef-fish recordings: all as unlabelled audio, three with Raven selections."""
    wavs = sorted(MARRS.rglob("*.[wW][aA][vV]"))
    for i, wav in enumerate(wavs):
        site = root / "unlabelled" / f"site{i % 2}"
        site.mkdir(parents=True, exist_ok=True)
        shutil.copy(wav, site / wav.name)
    (root / "labelled/audio").mkdir(parents=True)
    (root / "labelled/raven").mkdir(parents=True)
    for wav in wavs[:3]:
        shutil.copy(wav, root / "labelled/audio" / wav.name)
        pd.DataFrame({"Selection": [1], "View": ["Spectrogram 1"], "Channel": [1], "Begin Time (s)": [0.3],
                      "End Time (s)": [1.6], "Annotation": ["fish"]}).to_csv(
            root / "labelled/raven" / f"{wav.stem}.Table.1.selections.txt", sep="\t", index=False)


def test_only_data_changes_gives_the_whole_dag(workflow_copy, tmp_path):
    root = tmp_path / "my_reef"
    _lay_out(root)
    (workflow_copy / "mine.yaml").write_text(OWN_DATA.format(root=root))
    counts = planned_rules(workflow_copy, "--configfile", "mine.yaml")
    # the demo's embedders, two of them from the audio; not the study's test sets: no published scatter
    assert set(counts) == ALL_RULES - {"make_demo_data"} - DEPLOY_RULES | {"extract_waveform_embeddings"}
    out = snakemake(workflow_copy, "validate_data", "--cores", "2", "--configfile", "mine.yaml")
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    summary = json.loads((workflow_copy / "results/data_check/summary.json").read_text())
    by_id = {d["dataset"]: d for d in summary["datasets"]}
    assert by_id["test_myreef"]["classes"]["fish"] == 3 and by_id["test_myreef"]["classes"]["ambient"] >= 3
    assert by_id["pretrain"]["sample_rates"] == {"16000": 6}
    assert [p for p in summary["problems"] if p["severity"] == "error"] == []
    assert "14 pretraining clips, fewer than pretrain.batch_size 64" in {p["reason"] for p in summary["problems"]}
    text = (workflow_copy / "results/data_check/summary.md").read_text()
    assert "## test_myreef (test)" in text and "| fish | 3 | 3 |" in text  # 3 clips from 3 recordings
    # the labelled recordings are also in the unlabelled folder: reported as leakage
    (leak,) = summary["leakage"]
    assert leak["dataset"] == "test_myreef" and leak["same_audio"] == leak["clips"] == leak["of"]
    assert not (workflow_copy / "results/cache").exists()  # nothing heavy ran
