"""reefclr.evaluation.export: embeddings in the study's raw-embedding CSV shape."""

from reefclr.embedders.base import MelStats, embed_dataset
from reefclr.evaluation.export import study_csv


def test_study_csv_shape(marrs):
    table = embed_dataset(MelStats(128), marrs, batch_size=8)
    csv = study_csv(table)
    assert list(csv.columns[-3:]) == ["file_name", "label", "dataset"] and csv.shape == (len(marrs), 256 + 3)
