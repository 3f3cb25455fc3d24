"""One embedder on whole deployments: windows embedded from the recordings, search by example,
a linear classifier per sound, detections and their summaries.

May import: core, the spine, data, features, embedders, evaluation, pages (for media).
"""
