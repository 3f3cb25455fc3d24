"""Stop the run when the data check found a problem a later job would fail on (or leakage,
with data.on_leakage: error); otherwise let the heavy jobs start."""

import json
from pathlib import Path

from reefclr import settings
from reefclr.core.atomic import write_json
from reefclr.core.logs import setup_logging
from reefclr.data import datacheck

setup_logging(snakemake.log[0])
summary = json.loads(Path(snakemake.input[0]).read_text())
datacheck.gate(summary, settings.load(snakemake.config).data.on_leakage)
write_json({"passed": True, "problems": len(summary["problems"])}, snakemake.output[0])
