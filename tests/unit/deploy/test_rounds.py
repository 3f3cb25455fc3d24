"""reefclr.deploy.rounds: one line of rounds.csv per round, from what the round wrote."""

import json

import numpy as np

from reefclr.deploy import rounds


def _write(path, obj):
    path.write_text(json.dumps(obj))
    return path


def test_a_round_line_gathers_classifier_threshold_density_and_event_scores(tmp_path):
    clf = _write(tmp_path / "c.json", {"trained_windows": ["w1", "w2", "w3"], "validation": {
        "roc_auc": 0.8, "roc_auc_low": 0.7, "roc_auc_high": 0.9}})
    chosen = _write(tmp_path / "t.json", {"value": 0.97, "source": "deployment", "precision": 0.93,
                                          "precision_low": 0.9})
    summary = _write(tmp_path / "s.json", {"events": 12})
    dens = _write(tmp_path / "d.json", {"deployment": {"density": 0.12, "low": 0.08, "high": 0.2, "true": 0.13,
                                                       "model_auc": 0.75}})
    events = _write(tmp_path / "e.json", {"iou": {"precision": 0.5, "recall": 0.2, "f1": 0.29, "f1_low": 0.1,
                                                  "f1_high": 0.4}})
    line = rounds.row(1, rounds.RoundFiles(clf, chosen, summary, dens, events))
    assert list(line) == rounds.COLUMNS
    assert (line["round"], line["reviewed"], line["threshold_source"], line["events"]) == (1, 3, "deployment", 12)
    assert (line["density"], line["true_density"], line["sample_roc_auc"], line["event_f1"]) == (0.12, 0.13, 0.75, 0.29)
    bare = rounds.row(0, rounds.RoundFiles(clf, chosen, summary, None, None))
    assert np.isnan(bare["density"]) and np.isnan(bare["event_f1"]) and list(bare) == rounds.COLUMNS
