"""Training: the SimCLR loop (checkpoints, resume, data-parallel), LARS and its schedule, the
checks against the untrained twin (diagnostics), the time estimate (estimate), devices, and the supervised ceiling.

May import: core, the spine, data, features, models, evaluation (its grouped splits).
"""
