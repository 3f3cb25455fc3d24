"""Training: the SimCLR loop (checkpoints, resume, data-parallel), LARS and its schedule, the
online k-NN check, devices, and the supervised ceiling.

May import: core, the spine, data, features, models.
"""
