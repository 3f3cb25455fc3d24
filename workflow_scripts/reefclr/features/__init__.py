"""The network's input: the study's mel spectrogram in torch, the per-shard cache and its
reader (``cachedset``, numpy only), and the SimCLR views (on the device, or the study's
waveform augmentations).

May import: core, the spine, data.
"""
