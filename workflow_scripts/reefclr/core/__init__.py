"""The common core: atomic writes, logging and progress, embedding matrices.

Imports nothing else of reefclr; numpy and pandas at most.
"""
