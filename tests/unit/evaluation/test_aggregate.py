"""reefclr.evaluation.aggregate: the RF and chi-square tables have the study's reference schema."""

import pandas as pd

from helpers import REPO
from reefclr.evaluation import aggregate


def test_tables_have_the_reference_schema():
    ref_rf = pd.read_csv(REPO / "tests/data/reference/RF_results-20230831_005133.csv")
    ref_chi = pd.read_csv(REPO / "tests/data/reference/chisq_results-20230901_001119.csv")
    rf = [dict(embedder=e, dataset=d, **{f"{s}_{m}": 0.5 for s in ("test", "train")
                                        for m in ("accuracy", "precision", "recall", "f1")})
          for d in ("test_kenya", "test_bermuda") for e in ("reefclr", "mel_stats")]
    table = aggregate.rf_table(rf)
    assert list(table.columns) == list(ref_rf.columns)
    assert list(table["Location"]) == ["bermuda", "bermuda", "kenya", "kenya"]
    assert list(table["Embedding"][:2]) == ["ReefCLR", "MelStats"]
    chi = aggregate.chisq_table([dict(embedder="reefclr", dataset="test_kenya", num_clusters=3, chi2_stat=1.0,
                                      p_value=0.5)])
    assert list(chi.columns) == list(ref_chi.columns)
    assert chi.dtypes.to_dict() == ref_chi.dtypes.to_dict()
    assert table.dtypes.to_dict() == ref_rf.dtypes.to_dict()
