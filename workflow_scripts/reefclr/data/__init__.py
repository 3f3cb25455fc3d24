"""Raw audio to the clip manifest: audio reading, ingest of every format (folders, Raven,
CSV, the study's dataset.json), segmentation, grouping, Raven tables, the data check, and
the synthetic demo.

May import: core and the spine (config, settings, registry, paths). No torch.
"""
