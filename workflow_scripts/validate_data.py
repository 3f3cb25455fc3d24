"""Summarise every dataset's data check (results/data_check/summary.md)."""

import json
import logging
from pathlib import Path

from reefclr import settings
from reefclr.core.atomic import atomic_path, write_json
from reefclr.core.logs import setup_logging
from reefclr.data import datacheck

setup_logging(snakemake.log[0])
reports = [json.loads(Path(f).read_text()) for f in snakemake.input]
text, summary = datacheck.summarise(reports, datacheck.Needs.of(settings.load(snakemake.config)))
logging.getLogger("validate_data").info("data check (also in results/data_check/summary.md):\n%s", text)
with atomic_path(snakemake.output.markdown) as tmp:
    tmp.write_text(text)
write_json(summary, snakemake.output.json)
