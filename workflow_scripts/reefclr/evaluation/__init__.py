"""Scores of embeddings: the study's protocol (random forest, UMAP + affinity propagation +
chi-square), grouped splits, probes and intervals, and the tables they make.

May import: core, the spine, data. Never torch: not training, models, embedders or features
(its rules run in envs/eval.yaml, which has no torch).
"""
