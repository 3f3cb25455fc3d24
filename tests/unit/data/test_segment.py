"""reefclr.data.segment: the clip offsets of a recording (tail dropped or padded) and clips labelled by overlap."""

import numpy as np
import pandas as pd

from reefclr.data.segment import clip_offsets, label_clips


def test_clip_offsets_drop_and_pad():
    np.testing.assert_allclose(clip_offsets(6.0, 1.92, 1.92, "drop"), [0, 1.92, 3.84])
    np.testing.assert_allclose(clip_offsets(6.0, 1.92, 1.92, "pad"), [0, 1.92, 3.84, 5.76])
    np.testing.assert_allclose(clip_offsets(5.76, 1.92, 1.92, "pad"), [0, 1.92, 3.84])
    np.testing.assert_allclose(clip_offsets(4.0, 1.92, 0.96, "drop"), [0, 0.96, 1.92])
    assert len(clip_offsets(1.0, 1.92, 1.92, "drop")) == 0
    np.testing.assert_allclose(clip_offsets(1.0, 1.92, 1.92, "pad"), [0])


def test_overlap_labels():
    events = pd.DataFrame({"begin_s": [0.5, 2.5, 5.5], "end_s": [1.0, 3.0, 6.5], "label": ["fish", "fish", "boat"]})
    # clip 0: fish fully inside; clip 1: fish fully inside; clip 2 [3.84,5.76]: 0.26 s of a 1 s boat -> ambiguous
    labels, dropped = label_clips(np.array([0, 1.92, 3.84, 7.0]), 1.92, events, 0.5, "ambient")
    assert labels == ["fish", "fish", None, "ambient"]
    assert dropped == {"ambiguous_overlap": 1, "no_annotation": 0}
    labels, dropped = label_clips(np.array([7.0]), 1.92, events, 0.5, None)
    assert labels == [None] and dropped["no_annotation"] == 1


def test_the_qualifying_event_that_overlaps_most_names_the_clip():
    """A short call wholly inside the clip qualifies, as does a longer boat; the boat overlaps more."""
    events = pd.DataFrame({"begin_s": [0.1, 0.6, 1.8], "end_s": [0.5, 1.9, 9.0], "label": ["fish", "boat", "whale"]})
    labels, dropped = label_clips(np.array([0.0]), 1.92, events, 0.5, "ambient")
    assert labels == ["boat"] and dropped == {"ambiguous_overlap": 0, "no_annotation": 0}
    # the whale covers only 0.12 s of the clip (0.06 of min(clip, event)): below min_overlap, left out
    labels, _ = label_clips(np.array([0.0]), 1.92, events[events.label == "whale"], 0.5, "ambient")
    assert labels == [None]
    assert clip_offsets(0.0, 1.92, 1.92, "pad").tolist() == []  # an empty recording has no clip
