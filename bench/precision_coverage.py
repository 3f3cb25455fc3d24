"""Coverage of the precision lower bound at the chosen threshold, by simulation
(reefclr.deploy.simulate.precision_run): deployments of 4 to 32 recordings at two sites, each
recording with its own prevalence and score offset, binormal scores (ROC-AUC 0.8, 0.93, 0.98),
prevalence 5% or 20%, a target precision of 0.8 or 0.9 at 95% confidence; the validation sample
as the workflow draws it (5 geometric score bins, 25 windows per site and bin), the threshold as
reefclr.deploy.threshold chooses it. Per cell: how often a threshold was given, how often its
lower bound covered the true precision of the deployment's windows above it, and how often that
precision fell short of the target. Writes the precision section of docs/statistics.md.

Usage: python bench/precision_coverage.py [--sims 100] [--workers 2]
"""

from __future__ import annotations

import argparse
import itertools
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from common import REPO, table, write_section

RECORDINGS, AUCS, PREVALENCES, TARGETS = (4, 8, 16, 32), (0.8, 0.93, 0.98), (0.05, 0.2), (0.8, 0.9)


def measure(job) -> list:
    from reefclr.deploy import simulate, threshold

    threshold.DRAWS = 1000
    (recordings, auc, prevalence, target), sims = job
    runs = [simulate.precision_run(simulate.PrecisionScenario(recordings, auc, prevalence, target), seed)
            for seed in range(sims)]
    given = [r for r in runs if r["given"]]
    mean = (lambda key: float(np.mean([r[key] for r in given]))) if given else (lambda key: float("nan"))
    return [recordings, auc, f"{prevalence:.0%}", target, len(given) / sims, mean("covered"), mean("short"),
            mean("true"), mean("low")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sims", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    jobs = [(cell, args.sims) for cell in itertools.product(RECORDINGS, AUCS, PREVALENCES, TARGETS)]
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(measure, jobs))
    covered = np.array([r[5] for r in rows if r[4] > 0])
    given = np.array([r[4] * args.sims for r in rows])
    pooled = sum(r[5] * r[4] * args.sims for r in rows if r[4] > 0) / given.sum()
    by_size = []
    for n in RECORDINGS:
        mine = [r for r in rows if r[0] == n and r[4] > 0]
        weight = sum(r[4] for r in mine)
        by_size.append([n, int(round(weight * args.sims)), sum(r[5] * r[4] for r in mine) / weight,
                        sum(r[6] * r[4] for r in mine) / weight])
    body = (f"{args.sims} simulated deployments per row; 95% lower bound. Over all rows, {int(given.sum()):,} thresholds "
            f"were given and their bound covered the true precision {pooled:.3f} of the time (lowest row "
            f"{covered.min():.3f}, where few thresholds were given). By the deployment's recordings:\n\n"
            + table(["recordings", "thresholds given", "bound covers", "precision short of target"], by_size)
            + "\n\nPer row:\n\n"
            + table(["recordings", "ROC-AUC", "prevalence", "target", "threshold given", "bound covers",
                     "precision short of target", "mean true precision", "mean bound"], rows))
    write_section("precision", f"python bench/precision_coverage.py --sims {args.sims}", body,
                  doc=REPO / "docs" / "statistics.md")


if __name__ == "__main__":
    main()
