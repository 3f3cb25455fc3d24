"""Coverage and bias of the call-density intervals by simulation, over the grid where users live
(reefclr.deploy.simulate): a dusk peak of 1x, 5x or 15x the off-peak level, classifier ROC-AUC
0.65, 0.8 or 0.93, true densities 0.1% to 30%, 5 or 10 score bins (geometric, the default),
10 or 25 reviewed windows per site and bin, a reviewer who errs 0% or 5% of the time.

1. Choose: every candidate method (score model, prior, point estimate) on half of the cells
   (every other cell of the grid), ``--choose-sims`` deployments each; the one whose coverage
   of site and site x hour rows is nearest 90% on average is chosen.
2. Report: the chosen method on every cell with ``--sims`` fresh deployments (other seeds);
   per cell and kind of row the coverage, mean width and relative bias. The table is written to
   workflow_scripts/reefclr/deploy/density_coverage.csv (the workflow marks rows like
   under-covered cells unreliable) and docs/statistics.md.

Usage: python bench/density_coverage.py [--sims 40] [--choose-sims 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import itertools
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, replace

import pandas as pd
from common import REPO, table, write_section

PEAKS, AUCS, DENSITIES = (1.0, 5.0, 15.0), (0.65, 0.8, 0.93), (0.001, 0.01, 0.05, 0.3)
BINS, PER_BIN, ERRORS = (5, 10), (10, 25), (0.0, 0.05)
CSV = REPO / "workflow_scripts/reefclr/deploy/density_coverage.csv"


def cells():
    from reefclr.deploy.simulate import Scenario

    return [Scenario(*values) for values in itertools.product(PEAKS, AUCS, DENSITIES, BINS, PER_BIN, ERRORS)]


def candidates():
    from reefclr.deploy.density import METHOD

    base = replace(METHOD, draws=400, point="ml")
    return [replace(base, model="bins", prior=0.1), replace(base, model="bins", prior=0.03),
            replace(base, model="logistic")]


def measure(job) -> pd.DataFrame:
    from reefclr.deploy import simulate

    scenario, method, seeds = job
    rows = pd.concat([simulate.run(scenario, seed, method) for seed in seeds], ignore_index=True)
    return simulate.summary(rows).assign(**asdict(scenario))


def run_all(jobs, workers: int) -> pd.DataFrame:
    with ProcessPoolExecutor(workers) as pool:
        return pd.concat(list(pool.map(measure, jobs)), ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sims", type=int, default=40)
    parser.add_argument("--choose-sims", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    grid = cells()
    half = grid[::2]
    scored = []
    for method in candidates():
        found = run_all([(c, method, range(args.choose_sims)) for c in half], args.workers)
        scored.append([method.model, method.prior if method.model == "bins" else "-", method.point,
                       float(found["coverage"].mean()), float((found["coverage"] - 0.9).abs().mean()),
                       float((found["coverage"] < 0.85).mean())])
        print(scored[-1], flush=True)
    best = min(range(len(scored)), key=lambda i: scored[i][4])
    chosen = candidates()[best]
    points = {}
    for point in ("ml", "median"):  # the point estimate does not move the interval: chosen by bias
        found = run_all([(c, replace(chosen, point=point), range(args.choose_sims)) for c in half], args.workers)
        points[point] = float(found["bias"].abs().mean())
        print(point, points[point], flush=True)
    chosen = replace(chosen, point=min(points, key=points.get))
    report = run_all([(c, chosen, range(1000, 1000 + args.sims)) for c in grid], args.workers)
    report["method"] = f"{chosen.model}/{chosen.prior}/{chosen.point}"
    report.to_csv(CSV, index=False, float_format="%.4g")
    write_section("density", f"python bench/density_coverage.py --sims {args.sims} --choose-sims "
                  f"{args.choose_sims}", body(scored, best, points, report, args), doc=REPO / "docs" / "statistics.md")


def body(scored, best, points, report: pd.DataFrame, args) -> str:
    choose = table(["score model", "prior", "point", "mean coverage", "mean |coverage - 0.9|",
                    "cells below 0.85"], scored)
    bias = ", ".join(f"{p}: {b:.1%}" for p, b in points.items())
    lines = [f"**Choosing** ({len(cells()) // 2} cells, {args.choose_sims} deployments each, seeds "
             f"0-{args.choose_sims - 1}): the interval nearest 90% on average (row {best + 1}); then its point "
             f"estimate by mean absolute relative bias ({bias}).\n", choose,
             f"\n**Reporting** (every cell, {args.sims} new deployments each, seeds 1000 on; 4 sites x 24 hours x 60 "
             "windows per deployment, geometric score bins; coverage of the 90% interval, relative bias of the mean estimate):\n"]
    for kind, label in (("site", "site rows"), ("hour", "site x hour rows")):
        part = report[report["kind"] == kind]
        pivot = part.pivot_table(index=["auc", "density"], columns=["error"], values="coverage", aggfunc="mean")
        low = part.groupby(["auc", "density", "error"])["coverage"].min()
        bias = part.groupby(["auc", "density", "error"])["bias"].mean()
        rows = [[auc, f"{d:.1%}", *(f"{pivot.loc[(auc, d), e]:.3f} (min {low[(auc, d, e)]:.2f}, bias "
                                   f"{bias[(auc, d, e)]:+.0%})" for e in ERRORS)] for auc, d in pivot.index]
        lines += [f"\n{label}: mean coverage over diel patterns, bins and sample sizes (min over them; mean "
                  "relative bias)\n", table(["ROC-AUC", "density", "reviewer right", "reviewer errs 5%"], rows)]
        under = part[(part["coverage"] < 0.85) & (part["error"] == 0)]
        lines.append(f"\n{label} below 0.85 with a reviewer who is right: {len(under)} of "
                     f"{int((part['error'] == 0).sum())} cells.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
