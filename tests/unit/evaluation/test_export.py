"""The study's raw-embedding CSV shape (reefclr.export)."""

from reefclr import embedders
from reefclr.evaluation.export import study_csv


def test_study_csv_shape(marrs):
    table = embedders.embed_dataset(embedders.MelStats(128), marrs, batch_size=8)
    csv = study_csv(table)
    assert list(csv.columns[-3:]) == ["file_name", "label", "dataset"] and csv.shape == (len(marrs), 256 + 3)
