"""The common core: atomic writes, logging and progress, embedding matrices, where a process
stands in a data-parallel run.

May import: nothing else of reefclr; numpy and pandas at most.
"""
