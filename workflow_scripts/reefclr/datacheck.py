"""The data check: a readable summary of every dataset before any heavy work, with the
grouping of every test set and the test clips that leak from pretraining."""

from __future__ import annotations

from collections import Counter

import pandas as pd


def summarise(reports: list[dict]) -> tuple[str, dict]:
    """Markdown and JSON summaries of the ingest reports (``reefclr.ingest``): clips per
    dataset x class, durations, sample rates, channels, and every problem found."""
    lines = ["# Data check", ""]
    problems = [p | {"dataset": r["dataset"]} for r in reports for p in r["problems"]]
    lines.append(f"{len(reports)} datasets, {sum(r['clips'] for r in reports)} clips, "
                 f"{sum(len(r['files']) for r in reports)} audio files, {len(problems)} problems.")
    summary = {"datasets": [], "problems": problems}
    for report in reports:
        files = pd.DataFrame(report["files"], columns=["source", "sample_rate", "channels", "duration_s"])
        rates = dict(sorted(Counter(files["sample_rate"]).items()))
        channels = dict(sorted(Counter(files["channels"]).items()))
        classes = report["classes"]
        hours = files["duration_s"].sum() / 3600
        lines += ["", f"## {report['dataset']} ({report['role']})", "",
                  f"- {report['clips']} clips from {len(files)} files ({hours:.2f} h of audio), "
                  f"{report['groups']} groups (grouping: {report['grouping']})",
                  f"- sample rates (Hz: files): {rates}; channels: {channels}",
                  f"- file durations: min {files['duration_s'].min():.1f} s, max {files['duration_s'].max():.1f} s"
                  if len(files) else "- no readable files",
                  f"- clips dropped by annotation overlap: {report['dropped_clips'] or 'none'}",
                  "", "| class | clips | groups |", "|---|---|---|"]
        lines += [f"| {label} | {n} | {report['groups_per_class'].get(label, '')} |" for label, n in classes.items()]
        summary["datasets"].append({"dataset": report["dataset"], "role": report["role"], "clips": report["clips"],
                                    "files": len(files), "hours": round(hours, 4), "classes": classes,
                                    "sample_rates": {str(k): v for k, v in rates.items()},
                                    "channels": {str(k): v for k, v in channels.items()},
                                    "dropped_clips": report["dropped_clips"], "grouping": report["grouping"],
                                    "groups": report["groups"], "groups_per_class": report["groups_per_class"]})
        if report["role"] == "test" and report["grouping"] == "none":
            problems.append({"dataset": report["dataset"], "entry": "grouping",
                             "reason": "every clip is its own group, so clips of one recording may sit on both "
                                       "sides of a grouped split",
                             "action": "warning; set group_by, group_pattern or group_map"})
    leaks = leakage(reports)
    summary["leakage"] = leaks
    lines += ["", "## Leakage", ""]
    if leaks:
        lines += ["Test clips whose file, group or audio content also appears in a pretraining set:", "",
                  "| test set | clips | of | same file | same group | same audio | example |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {k['dataset']} | {k['clips']} | {k['of']} | {k['same_file']} | {k['same_group']} | "
                  f"{k['same_audio']} | {k['example']} |" for k in leaks]
    else:
        lines.append("- none: no test clip shares a file, group or audio content with a pretraining set")
    lines += ["", "## Problems", ""]
    lines += [f"- {p['dataset']}: {p['entry']}: {p['reason']} ({p['action']})" for p in problems] or ["- none"]
    return "\n".join(lines) + "\n", summary


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
