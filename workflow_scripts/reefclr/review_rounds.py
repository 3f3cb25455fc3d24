"""Review rounds in the DAG: which rounds a sound has, which reviewed table each sample has
(the demo's simulated reviewer, or a user's file), and what every round makes."""

from __future__ import annotations

import os

from reefclr import paths
from reefclr.settings import Settings

KINDS = ("validation", "active")


def round_targets(s: Settings, is_demo: bool, dataset: str, sound: str) -> list[str]:
    """What every review round of one sound in one deployment makes, its rounds side by side,
    and the review pages of the last round's samples."""
    last, out = last_round(s, is_demo, sound), []
    for k in range(last + 1):
        where = dict(dataset=dataset, sound=sound, round=k)
        out += [paths.CLASSIFIER.format(**where), paths.DETECTIONS.format(**where, name="summary.json")]
        out += [paths.REVIEW.format(**where, name=f"{kind}.selections.txt") for kind in KINDS]
        out += [paths.DETECTIONS.format(**where, name="event_scores.csv")] if s.deploy.truth else []
        if reviewed_sample(s, is_demo, dataset, sound, k, "validation"):
            out += [paths.DETECTIONS.format(**where, name=n) for n in ("density.csv", "calibration.png")]
    out += [paths.REVIEW.format(dataset=dataset, sound=sound, round=last, name=f"{kind}.html") for kind in KINDS]
    return out + [paths.ROUNDS.format(dataset=dataset, sound=sound, ext="csv")]


def reviewed_sample(s: Settings, is_demo: bool, dataset: str, sound: str, k: int, kind: str) -> str | None:
    """The reviewed table of one sample (round ``k``, ``kind`` validation or active): the demo's
    reviewer answers every validation sample and the active samples of the rounds before the
    last; a user's table is under ``deploy.review.reviewed`` when it exists; else none."""
    if is_demo and s.deploy.truth:
        if kind == "validation" or k < s.deploy.review.rounds:
            return paths.REVIEW.format(dataset=dataset, sound=sound, round=k, name=f"{kind}.reviewed.txt")
        return None
    if s.deploy.review.reviewed:
        name = paths.reviewed_table(dataset, sound, k, kind)
        path = os.path.join(s.data.root, s.deploy.review.reviewed, name)
        return path if os.path.exists(path) else None
    return None


def last_round(s: Settings, is_demo: bool, sound: str) -> int:
    """The last review round of a sound: the demo runs ``deploy.review.rounds``; a user's run goes
    one round past the last with reviewed tables (in any deployment), at most that many."""
    if is_demo and s.deploy.truth:
        return s.deploy.review.rounds
    k = 0
    while k < s.deploy.review.rounds and any(reviewed_sample(s, is_demo, d, sound, k, kind)
                                             for d in s.data.ids("deploy") for kind in KINDS):
        k += 1
    return k


def earlier_reviews(s: Settings, is_demo: bool, sound: str, k: int) -> list[list[str]]:
    """[deployment, reviewed table] of every sample reviewed in rounds before ``k``."""
    return [[d, path] for j in range(k) for d in s.data.ids("deploy") for kind in KINDS
            if (path := reviewed_sample(s, is_demo, d, sound, j, kind))]
