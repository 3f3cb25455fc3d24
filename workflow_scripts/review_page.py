"""The review page of one sample (validation or active) of one sound, deployment and round: its
windows' spectrograms and sounds, keys to mark them, and a save that writes the table the
workflow reads back (<dataset>.<sound>.round-<k>.<kind>.txt)."""

import pandas as pd
from reefclr import paths, settings
from reefclr.core.atomic import atomic_path
from reefclr.core.logs import setup_logging
from reefclr.deploy import windows
from reefclr.pages import reviewpage

setup_logging(snakemake.log[0])
s, w = settings.load(snakemake.config), snakemake.wildcards
table = pd.read_csv(snakemake.input.sample, sep="\t", dtype=str, keep_default_na=False)
picks = pd.DataFrame({"source": table["Source"], "offset_s": table["Begin Time (s)"].astype(float)})
media = windows.review_media(picks, s.audio, s.spectrogram, 64)
name = paths.reviewed_table(w.dataset, w.sound, int(w.round), w.kind)
meta = {"name": name, "checksum": table["Classifier"].iloc[0] if len(table) else "", "marks": snakemake.params.marks,
        "title": f"{w.sound} in {w.dataset}, round {w.round}: {w.kind} sample ({len(table)} windows)"}
with atomic_path(snakemake.output[0]) as tmp:
    tmp.write_text(reviewpage.page(table, media, meta))
