"""Review rounds of one sound in one deployment, side by side (rounds.csv): per round the
reviewed windows the classifier was trained on (cumulative), its grouped-validation ROC-AUC with
its interval, the ROC-AUC on the round's reviewed sample, the threshold in use with the
precision it reaches here, the deployment's call density with its interval, and, where known
events exist, event precision, recall and F1 at IoU above 0.3.

Round 0 is the classifier of the config; round k + 1 is trained on its examples plus every
window reviewed in rounds 0 to k (validation and active-learning samples), and draws, scores
and estimates anew.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

COLUMNS = ["round", "reviewed", "roc_auc", "roc_auc_low", "roc_auc_high", "sample_roc_auc", "threshold",
           "threshold_source", "precision", "precision_low", "events", "density", "density_low", "density_high",
           "true_density", "event_precision", "event_recall", "event_f1", "event_f1_low", "event_f1_high"]


@dataclass(frozen=True)
class RoundFiles:
    """What one round wrote: its classifier, threshold and detections summary; its density and
    event scores where they exist."""

    classifier: Path
    threshold: Path
    summary: Path
    density: Path | None
    events: Path | None


def row(k: int, files: RoundFiles) -> dict:
    """One round's line of rounds.csv."""
    clf, chosen, summary = (json.loads(Path(p).read_text()) for p in (files.classifier, files.threshold,
                                                                         files.summary))
    v = clf["validation"]
    out = dict(round=k, reviewed=len(clf["trained_windows"]), roc_auc=v["roc_auc"], roc_auc_low=v["roc_auc_low"],
               roc_auc_high=v["roc_auc_high"], threshold=chosen["value"], threshold_source=chosen["source"],
               precision=chosen["precision"], precision_low=chosen["precision_low"], events=summary["events"])
    out |= dict.fromkeys(["sample_roc_auc", "density", "density_low", "density_high", "true_density"], np.nan)
    if files.density is not None:
        whole = json.loads(Path(files.density).read_text())["deployment"]
        out |= dict(sample_roc_auc=whole.get("model_auc", np.nan), density=whole["density"], density_low=whole["low"],
                    density_high=whole["high"], true_density=whole.get("true", np.nan))
    out |= dict.fromkeys(["event_precision", "event_recall", "event_f1", "event_f1_low", "event_f1_high"], np.nan)
    if files.events is not None:
        iou = json.loads(Path(files.events).read_text())["iou"]
        out |= dict(event_precision=iou["precision"], event_recall=iou["recall"], event_f1=iou["f1"],
                    event_f1_low=iou["f1_low"], event_f1_high=iou["f1_high"])
    return {c: out[c] for c in COLUMNS}
