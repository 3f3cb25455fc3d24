"""What people look at: figures, the results page, the explorer, and their small media.

May import: core, the spine, data, evaluation. Never models, training, embedders or features.
"""
