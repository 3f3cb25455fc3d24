"""The data check: a readable summary of every dataset before any heavy work."""

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
                  f"{report['groups']} recording groups",
                  f"- sample rates (Hz: files): {rates}; channels: {channels}",
                  f"- file durations: min {files['duration_s'].min():.1f} s, max {files['duration_s'].max():.1f} s"
                  if len(files) else "- no readable files",
                  f"- clips dropped by annotation overlap: {report['dropped_clips'] or 'none'}",
                  "", "| class | clips |", "|---|---|"]
        lines += [f"| {label} | {n} |" for label, n in classes.items()]
        summary["datasets"].append({"dataset": report["dataset"], "role": report["role"], "clips": report["clips"],
                                    "files": len(files), "hours": round(hours, 4), "classes": classes,
                                    "sample_rates": {str(k): v for k, v in rates.items()},
                                    "channels": {str(k): v for k, v in channels.items()},
                                    "dropped_clips": report["dropped_clips"]})
    lines += ["", "## Problems", ""]
    lines += [f"- {p['dataset']}: {p['entry']}: {p['reason']} ({p['action']})" for p in problems] or ["- none"]
    return "\n".join(lines) + "\n", summary
