"""Workflow overhead and per-rule cost: dry runs against clip count, a no-op rerun of the
finished demo, and wall time / peak RSS per rule of that demo run.

Usage: python bench/workflow.py WORKDIR   (run after `make demo`, in the repository root)
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from common import REPO, table, timed, write_section
from dag_scaling import prepare
from rule_benchmarks import summarise
from snakerun import planned_rules, snakemake


def dry_runs(workdir: Path) -> str:
    rows = []
    for n in (10_000, 100_000, 1_000_000):
        wf = prepare(workdir / str(n), n)
        jobs = sum(planned_rules(wf, "--configfile", "scale.yaml").values())
        t_min, t_med = timed(lambda: planned_rules(wf, "--configfile", "scale.yaml"), warmup=0)
        rows.append([n, jobs, t_min, t_med])
    return table(["clips", "jobs planned", "min s", "median s"], rows)


def noop_rerun() -> str:
    out = snakemake(REPO, "--cores", "2")
    if out.returncode != 0 or "Nothing to be done" not in out.stdout + out.stderr:
        raise SystemExit("the demo is not finished: run `make demo` first\n" + out.stderr[-2000:])
    t_min, t_med = timed(lambda: snakemake(REPO, "--cores", "2"), warmup=0)
    return table(["command", "min s", "median s"], [["snakemake --cores 2 (finished demo, nothing to do)",
                                                      t_min, t_med]])


def per_rule() -> str:
    df = summarise(REPO)
    return table(list(df.columns), df.values.tolist())


if __name__ == "__main__":
    work = Path(sys.argv[1])
    shutil.rmtree(work, ignore_errors=True)
    write_section("dryrun", "python bench/workflow.py /tmp/bench-workflow", dry_runs(work))
    write_section("noop", "python bench/workflow.py /tmp/bench-workflow", noop_rerun())
    write_section("rules", "python bench/workflow.py /tmp/bench-workflow (from the demo's benchmarks/)", per_rule())
