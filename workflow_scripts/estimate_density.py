"""Call density of one sound in one deployment from its reviewed validation sample: per site,
site x hour of day and site x day with intervals (density.csv, density.png), and, with known
events, each site's true share beside it (density.json)."""

from pathlib import Path

import pandas as pd
from reefclr import settings
from reefclr.core.atomic import write_json, write_table
from reefclr.core.logs import setup_logging
from reefclr.deploy import density, detect
from reefclr.pages import plots

setup_logging(snakemake.log[0])
s, w, out = settings.load(snakemake.config), snakemake.wildcards, snakemake.output
review = s.deploy.review
scores = pd.read_parquet(snakemake.input.scores)
reviewed = detect.reviewed_examples(Path(snakemake.input.reviewed[0]), "Review", list(review.positive),
                                    list(review.negative), scores, skip=list(review.unsure))
edges = density.score_bins(scores["score"].to_numpy(), review.bins)
table = density.density_table(scores, edges, reviewed, snakemake.params.hop_s, s.seed, review.level)
summary = dict(sound=w.sound, dataset=w.dataset, level=review.level, reviewed=len(reviewed),
               positives=int(reviewed["y"].sum()), bins=len(edges) + 1, estimator=density.ESTIMATOR)
table["true_density"] = float("nan")
if s.deploy.truth:
    truth, _ = detect.truth_events(Path(s.data.root) / s.deploy.truth, s.deploy.truth_label_column,
                                   sorted(scores["source"].unique()))
    table["true_density"] = density.stratum_means(scores, density.true_density(scores, truth))
    whole = [dict(site=r.site, density=r.density, low=r.low, high=r.high, true=r.true_density,
                  covered=bool(r.low <= r.true_density <= r.high)) for r in table[table["period"] == "all"].itertuples()]
    summary["deployment"], summary["sites"] = whole[0], whole[1:]
write_table(table, out.density)
write_json(summary, out.summary)
plots.density_diel(table, w.sound, review.level, out.figure, s.figures.dpi)
