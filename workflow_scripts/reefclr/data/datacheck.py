"""The data check: a readable summary of every dataset before any heavy work, with the
grouping of every test set and the test clips that leak from pretraining."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from reefclr.settings import Settings


@dataclass(frozen=True)
class Needs:
    """What decides whether the run stops: the study split's test size and what to do with
    rare classes. Only these rerun the data check (and its gate): Snakemake does not re-plan
    the jobs behind the gate in a run that reruns it (README, Reruns)."""

    test_size: float = 0.2
    rare_classes: str = "error"

    @classmethod
    def of(cls, s: Settings) -> "Needs":
        return cls(s.evaluation.rf.test_size, s.evaluation.rare_classes)


@dataclass(frozen=True)
class Plan:
    """What the configured run asks of the data, advisory (``plan``): the grouped test fraction
    and the few-shot sizes, the pretraining batch, and the pretraining run's estimated time."""

    test_fraction: float = 0.2
    shots: tuple[int, ...] = ()
    batch_size: int = 0
    pretraining: str = ""  # a sentence (training.estimate); empty: no pretraining

    @classmethod
    def of(cls, s: Settings, pretraining: str = "") -> "Plan":
        ev = s.evaluation
        return cls(ev.grouped.test_fraction, ev.fewshot.shots, s.pretrain.batch_size, pretraining)


def summarise(reports: list[dict], needs: Needs = Needs()) -> tuple[str, dict]:
    """Markdown and JSON summaries of the ingest reports (``reefclr.data.ingest``): clips per
    dataset x class, durations, sample rates, channels, leakage, and every problem found,
    including those that would make a later job fail (``predict``, from ``needs``). Problems
    of severity ``error`` stop the run at the data gate."""
    problems = [p | {"dataset": r["dataset"], "severity": "warning" if p.get("action") == "skipped" else "error"}
                for r in reports for p in r["problems"]]
    problems += predict(reports, needs)
    sections, datasets = [], []
    for report in reports:
        files = pd.DataFrame(report["files"], columns=["source", "sample_rate", "channels", "duration_s"])
        rates = dict(sorted(Counter(files["sample_rate"]).items()))
        channels = dict(sorted(Counter(files["channels"]).items()))
        classes = report["classes"]
        hours = files["duration_s"].sum() / 3600
        sections += ["", f"## {report['dataset']} ({report['role']})", "",
                     f"- {report['clips']} clips from {len(files)} files ({hours:.2f} h of audio), "
                     f"{report['groups']} groups (grouping: {report['grouping']})",
                     f"- sample rates (Hz: files): {rates}; channels: {channels}",
                     f"- file durations: min {files['duration_s'].min():.1f} s, max {files['duration_s'].max():.1f} s"
                     if len(files) else "- no readable files",
                     f"- clips dropped by annotation overlap: {report['dropped_clips'] or 'none'}",
                     "", "| class | clips | recordings | groups |", "|---|---|---|---|"]
        recordings = report.get("recordings_per_class", {})
        sections += [f"| {label} | {n} | {recordings.get(label, '')} | {report['groups_per_class'].get(label, '')} |"
                     for label, n in classes.items()]
        datasets.append({"dataset": report["dataset"], "role": report["role"], "clips": report["clips"],
                         "files": len(files), "hours": round(hours, 4), "classes": classes,
                         "sample_rates": {str(k): v for k, v in rates.items()},
                         "channels": {str(k): v for k, v in channels.items()},
                         "dropped_clips": report["dropped_clips"], "grouping": report["grouping"],
                         "groups": report["groups"], "groups_per_class": report["groups_per_class"],
                         "recordings_per_class": report.get("recordings_per_class", {}),
                         "confounded": confounded(report)})
    leaks = leakage(reports)
    errors = sum(p["severity"] == "error" for p in problems)
    lines = ["# Data check", "",
             f"{len(reports)} datasets, {sum(r['clips'] for r in reports)} clips, "
             f"{sum(len(r['files']) for r in reports)} audio files, {len(problems)} problems "
             f"({errors} that stop the run)."]
    lines += sections + ["", "## Leakage", ""]
    if leaks:
        lines += ["Test clips whose file, group or audio content also appears in a pretraining set:", "",
                  "| test set | clips | of | same file | same group | same audio | example |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {k['dataset']} | {k['clips']} | {k['of']} | {k['same_file']} | {k['same_group']} | "
                  f"{k['same_audio']} | {k['example']} |" for k in leaks]
    else:
        lines.append("- none: no test clip shares a file, group or audio content with a pretraining set")
    lines += ["", "## Problems", ""]
    lines += [f"- **{p['severity']}** {p['dataset']}: {p['entry']}: {p['reason']} ({p['action']})"
              for p in problems] or ["- none"]
    lines += ["", "What the configured run asks of this data (few-shot sizes, the pretraining batch and time): "
              "results/data_check/plan.md."]
    summary = {"datasets": datasets, "problems": problems, "leakage": leaks}
    return "\n".join(lines) + "\n", summary


def _norm(label: str) -> str:
    return re.sub(r"[\W_]+", "", label.casefold())


def confounded(report: dict) -> bool:
    """Class fully confounded with group: a labelled set whose every group holds one class
    while some group spans several recordings (sites, deployments), so a grouped score
    measures site identity as much as class."""
    if report["role"] != "test" or "mixed_groups" not in report or len(report["classes"]) < 2:
        return False
    return report["mixed_groups"] == 0 and report["groups"] < report["recordings"]


def predict(reports: list[dict], needs: Needs) -> list[dict]:
    """Problems that would make a later job fail or silently shrink, each with its fix:
    classes too small for the study's split or found in one group only (errors, unless
    ``rare_classes: drop`` leaves them out), a study split too small for its classes, labels
    that differ only in case, spacing or punctuation, files that gave no clip, and a class
    confounded with group (warnings)."""
    out = []
    severity = "warning" if needs.rare_classes == "drop" else "error"
    fix = ("merge it into another class or drop it with the dataset's label_map, or set "
           "evaluation.rare_classes: drop to leave it out of the evaluations that cannot use it")
    for r in reports:
        def add(entry, reason, action, level="warning"):
            out.append({"dataset": r["dataset"], "entry": entry, "reason": reason, "action": action,
                        "severity": level})

        for f in r["files"]:
            if f.get("clips", 1) == 0:
                add(f["source"], "gave no clip (shorter than one clip, or no clip took a label)",
                    "warning; check segment.clip_s, segment.tail and the annotations")
        if r["role"] == "pretrain":
            continue
        if r.get("grouping") == "none":
            add("grouping", "every clip is its own group, so clips of one recording may sit on both sides of a "
                "grouped split", "warning; set group_by, group_pattern or group_map")
        if confounded(r):
            add("grouping", f"class is confounded with group: each of the {r['groups']} groups holds one class, so "
                "a grouped score measures group (site) identity as much as class",
                "warning; read the grouped scores as site-level transfer, or group more finely if the "
                "deployments allow")
        classes, groups = r["classes"], r["groups_per_class"]
        examples = r.get("class_groups", {})
        for label, n in classes.items():
            where = f" (in {', '.join(examples.get(label, []))})" if examples.get(label) else ""
            if n < 2:
                add(f"class {label!r}", f"{n} clip{where}: the study's stratified split needs at least 2 per class",
                    f"{'left out of the study split' if severity == 'warning' else 'stops the run'}; {fix}", severity)
            if groups.get(label, 0) < 2:
                add(f"class {label!r}", f"found in a single group{where}: grouped splits need every class in at "
                    "least 2 groups (recordings)",
                    f"{'left out of the grouped splits' if severity == 'warning' else 'stops the run'}; {fix}",
                    severity)
        n_test = math.ceil(needs.test_size * r["clips"])
        if len(classes) > 1 and (n_test < len(classes) or r["clips"] - n_test < len(classes)):
            add("clips", f"{r['clips']} clips: a {needs.test_size:.0%} test split of {n_test} cannot hold one clip "
                f"of each of the {len(classes)} classes", "stops the run; add clips or merge classes", "error")
        by_norm: dict[str, list[str]] = {}
        for label in classes:
            by_norm.setdefault(_norm(label), []).append(label)
        for same in (v for v in by_norm.values() if len(v) > 1):
            add("labels", f"{same} differ only in case, spacing or punctuation",
                f"warning; merge them with the dataset's label_map, e.g. {{{same[1]!r}: {same[0]!r}}}")
    return out


def plan(reports: list[dict], asked: Plan) -> tuple[str, dict]:
    """What the configured run asks of the data (results/data_check/plan.md and .json): few-shot
    sizes no split can afford, a pretraining set smaller than one batch (warnings), and how
    long pretraining will take. A leaf of the DAG: changing these settings reruns it alone."""
    notes = []
    for r in reports:
        if r["role"] == "pretrain" and asked.batch_size and r["clips"] < asked.batch_size:
            notes.append({"dataset": r["dataset"], "entry": "clips", "reason": f"{r['clips']} pretraining clips, "
                          f"fewer than pretrain.batch_size {asked.batch_size}", "action": "every step then uses "
                          "all clips: add recordings or lower pretrain.batch_size"})
        if r["role"] != "test":
            continue
        classes, groups = r["classes"], r["groups_per_class"]
        smallest = min((n for c, n in classes.items() if n >= 2 and groups.get(c, 0) >= 2), default=0)
        most = int(smallest * (1 - asked.test_fraction))
        too_many = [k for k in asked.shots if k > most]
        if too_many and smallest:
            notes.append({"dataset": r["dataset"], "entry": "few-shot", "reason": f"k = {too_many} exceed what a "
                          f"split's training side can hold ({most} clips of the smallest class at most)",
                          "action": "those k are left out (evaluation.fewshot.shots)"})
    lines = ["# What the run asks of the data", "", "## Pretraining time", "",
             f"- {asked.pretraining}" if asked.pretraining else "- no embedder needs pretraining", "", "## Warnings", ""]
    lines += [f"- **warning** {n['dataset']}: {n['entry']}: {n['reason']} ({n['action']})" for n in notes] or ["- none"]
    return "\n".join(lines) + "\n", {"pretraining": asked.pretraining, "warnings": notes}


def gate(summary: dict, on_leakage: str) -> None:
    """Stop the run (before any heavy job) on a problem of severity error, or on leakage
    with ``on_leakage: error``; log the leakage otherwise."""
    enforce(summary, on_leakage)
    errors = [p for p in summary["problems"] if p["severity"] == "error"]
    if errors:
        listed = "; ".join(f"{p['dataset']}: {p['entry']}: {p['reason']} ({p['action']})" for p in errors)
        raise ValueError(f"the data check found {len(errors)} problem(s) that would stop a later job: {listed}. "
                         "Details: results/data_check/summary.md")


def leakage(reports: list[dict]) -> list[dict]:
    """Per test set: its clips whose source file, group or audio fingerprint also appears in
    a pretraining set (counts of each kind, clips in all, and one example file)."""
    pretrain = [f for r in reports if r["role"] == "pretrain" for f in r["files"]]
    sources = {f["source"] for f in pretrain}
    groups = {f.get("group") for f in pretrain} - {None}
    prints = {f.get("fingerprint") for f in pretrain} - {None}
    out = []
    for report in reports:
        if report["role"] != "test":
            continue
        counts = {"same_file": 0, "same_group": 0, "same_audio": 0}
        clips, example = 0, ""
        for f in report["files"]:
            hits = {"same_file": f["source"] in sources, "same_group": f.get("group") in groups,
                    "same_audio": f.get("fingerprint") in prints}
            n = f.get("clips", 0)
            for kind, hit in hits.items():
                counts[kind] += n if hit else 0
            if any(hits.values()) and n:
                clips += n
                example = example or f["source"]
        if clips:
            out.append({"dataset": report["dataset"], "clips": clips, "of": report["clips"], **counts,
                        "example": example})
    return out


def enforce(summary: dict, on_leakage: str) -> None:
    """Log the leakage found; with ``on_leakage: error`` stop the run (before any heavy job)."""
    import logging

    log = logging.getLogger(__name__)
    for leak in summary["leakage"]:
        message = (f"leakage: {leak['clips']} of {leak['of']} clips of test set {leak['dataset']} share a file, "
                   f"group or audio with a pretraining set (e.g. {leak['example']}); listed under Leakage in "
                   "results/data_check/summary.md and logs/validate_data/all.log")
        if on_leakage == "error":
            raise ValueError(message + " (data.on_leakage: error)")
        log.warning(message)
