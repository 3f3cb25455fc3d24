"""Long recordings -> fixed-length clips, labelled by overlap with annotations."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)


def clip_offsets(duration_s: float, clip_s: float, hop_s: float, tail: str) -> np.ndarray:
    """Start times of the clips of a recording of ``duration_s`` seconds.

    ``tail='drop'`` keeps only whole clips; ``'pad'`` adds the last partial clip (padded with
    zeros when cached). A recording shorter than one clip gives one padded clip under
    ``'pad'`` and none under ``'drop'``.
    """
    eps = 1e-9
    n_full = int(np.floor((duration_s - clip_s) / hop_s + eps)) + 1 if duration_s + eps >= clip_s else 0
    offsets = np.arange(n_full) * hop_s
    if tail == "pad":
        next_start = n_full * hop_s
        if next_start < duration_s - eps:
            offsets = np.append(offsets, next_start)
    return np.round(offsets, 6)


def label_clips(
    offsets: np.ndarray,
    clip_s: float,
    events: pd.DataFrame,
    min_overlap: float,
    background_label: str | None,
) -> tuple[list[str | None], dict[str, int]]:
    """Label each clip by the annotation it overlaps most.

    ``events`` has columns begin_s, end_s, label. A clip takes an event's label when the
    overlap covers at least ``min_overlap`` of min(clip, event) duration; a clip touching no
    event takes ``background_label``; anything else (a weak overlap, or no background label)
    is None and is dropped. Returns the labels and counts of why clips were dropped.
    """
    labels: list[str | None] = []
    dropped = {"ambiguous_overlap": 0, "no_annotation": 0}
    begins = events["begin_s"].to_numpy(float)
    ends = events["end_s"].to_numpy(float)
    names = events["label"].to_numpy(object)
    for start in offsets:
        stop = start + clip_s
        overlap = np.clip(np.minimum(ends, stop) - np.maximum(begins, start), 0, None)
        if not (overlap > 0).any():
            labels.append(background_label)
            if background_label is None:
                dropped["no_annotation"] += 1
            continue
        frac = overlap / np.minimum(ends - begins, clip_s).clip(min=1e-9)
        best = int(np.argmax(np.where(frac >= min_overlap, overlap, -1)))
        if frac[best] >= min_overlap:
            labels.append(str(names[best]))
        else:
            labels.append(None)
            dropped["ambiguous_overlap"] += 1
    return labels, dropped
