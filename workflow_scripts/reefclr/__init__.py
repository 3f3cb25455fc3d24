"""ReefCLR: self-supervised audio embeddings for coral-reef soundscapes.

Submodules are imported explicitly (``from reefclr import cache``); this package
imports nothing heavy at import time.
"""

__version__ = "0.1.0"
