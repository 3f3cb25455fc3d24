"""What the configured run asks of the data (results/data_check/plan.md): few-shot sizes, the
pretraining batch, and how long pretraining will take on this machine."""

import json
import logging
import os
from pathlib import Path

from reefclr import settings
from reefclr.core.atomic import atomic_path, write_json
from reefclr.core.logs import setup_logging
from reefclr.data import datacheck
from reefclr.training import estimate

setup_logging(snakemake.log[0])
reports = [json.loads(Path(f).read_text()) for f in snakemake.input]
recipe = snakemake.params.plan["pretraining"]
guess = "" if recipe is None else estimate.on_cpu(recipe, recipe["image_size"], os.cpu_count() or 1).text() + (
    ", all the cores of this machine; the job re-estimates from its first timed steps on the device it gets, "
    "and stops above pretrain.max_hours")
text, summary = datacheck.plan(reports, datacheck.Plan.of(settings.load(snakemake.config), guess))
logging.getLogger("check_plan").info("%s", text)
with atomic_path(snakemake.output.markdown) as tmp:
    tmp.write_text(text)
write_json(summary, snakemake.output.json)
