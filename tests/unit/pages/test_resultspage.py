"""reefclr.pages.resultspage: the answer per test set first, from the paired intervals."""

import pandas as pd

from reefclr.pages import resultspage


def _summary():
    rows = []
    for dataset, scores in {"test_a": {"reefclr": 0.9, "birdnet": 0.85, "mel_stats": 0.6},
                            "test_b": {"reefclr": 0.5, "birdnet": 0.7, "mel_stats": 0.69}}.items():
        for embedder, mean in scores.items():
            rows.append(dict(embedder=embedder, dataset=dataset, protocol="rf_grouped", metric="macro_f1",
                             mean=mean, ci_low=mean - 0.05, ci_high=min(1, mean + 0.05), repeats=10,
                             grouping="recording", splits=10, exhaustive=False))
    return pd.DataFrame(rows)


def _paired():
    def pair(dataset, a, b, diff, holm):
        return dict(dataset=dataset, protocol="rf_grouped", metric="macro_f1", embedder_a=a, embedder_b=b,
                    mean_diff=diff, ci_low=diff - 0.04, ci_high=diff + 0.04, p_holm=0.01 if holm else 0.6,
                    distinguishable_holm=holm)
    return pd.DataFrame([pair("test_a", "birdnet", "reefclr", -0.05, False), pair("test_a", "mel_stats", "reefclr",
                                                                                      -0.3, True),
                         pair("test_b", "birdnet", "mel_stats", 0.01, False), pair("test_b", "birdnet", "reefclr",
                                                                                   0.2, True)])


def test_answers_name_the_best_and_what_it_beats():
    answers = {a["dataset"]: a for a in resultspage.answers(_summary(), _paired())}
    a, b = answers["test_a"], answers["test_b"]
    assert a["best"] == "reefclr" and [i["embedder"] for i in a["better"]] == ["mel_stats"]
    assert a["better"][0]["diff"] == 0.3 and a["better"][0]["low"] < 0.3 < a["better"][0]["high"]
    assert [i["embedder"] for i in a["tied"]] == ["birdnet"] and a["tied"][0]["diff"] == 0.05
    assert b["best"] == "birdnet" and [i["embedder"] for i in b["better"]] == ["reefclr"]
    assert [i["embedder"] for i in b["tied"]] == ["mel_stats"]
    assert a["grouping"] == "recording" and a["splits"] == 10


def test_page_puts_the_answer_first_and_is_self_contained(tmp_path):
    from PIL import Image

    figure = tmp_path / "grouped_f1.png"
    Image.new("RGB", (10, 10), "white").save(figure)
    rf = pd.DataFrame({"Test F1": [0.9], "Embedding": ["ReefCLR"], "Location": ["a"]})
    chisq = pd.DataFrame({"Category": ["ReefCLR"], "Location": ["a"], "Num_Clusters": [3], "Chi2_Stat": [10.0],
                          "P_Value": [0.01]})
    text = resultspage.page(resultspage.Tables(_summary(), _paired(), rf, chisq), [figure], "Title",
                            "Synthetic demo data")
    assert text.index("The answer") < text.index("RF_results.csv") < text.index("Figures")
    assert "<b>ReefCLR</b> is best" in text and "Distinguishably better than: MelStats" in text
    assert "data:image/png;base64," in text and "Synthetic demo data" in text
    assert "src='http" not in text


def test_one_embedder_says_there_is_nothing_to_compare(tmp_path):
    from reefclr.evaluation import probes

    one = _summary()
    one = one[one.embedder == "reefclr"]
    long = pd.DataFrame([dict(embedder="reefclr", dataset="test_a", protocol="rf_grouped", metric=m, repeat=r,
                              value=v, grouping="recording", splits=2, exhaustive=True)
                         for r in range(2) for m, v in (("macro_f1", 0.8), ("n_train", 40), ("n_test", 10))])
    empty = probes.paired_differences(long)
    assert list(empty.columns) == probes.PAIRED_COLUMNS  # a readable table, not an empty file
    (answer, _) = resultspage.answers(one, empty)
    assert answer["embedders"] == 1 and answer["better"] == answer["tied"] == []
    rf = pd.DataFrame({"Test F1": [0.9], "Embedding": ["ReefCLR"], "Location": ["a"]})
    chisq = pd.DataFrame({"Category": ["ReefCLR"], "Location": ["a"], "Num_Clusters": [3], "Chi2_Stat": [1.0],
                          "P_Value": [0.5]})
    text = resultspage.page(resultspage.Tables(one, empty, rf, chisq), [], "Title")
    assert "Only one embedder was evaluated: there is nothing to compare it with." in text
    assert "no difference between embedders could be computed" in text


def test_grouped_table_has_a_column_per_probe_and_no_empty_one():
    summary = pd.concat([_summary(), _summary().assign(protocol="logreg_grouped")])
    text = resultspage.page(resultspage.Tables(summary, _paired(), pd.DataFrame(), pd.DataFrame()), [], "Title")
    import re

    table = text.split("<h2>Grouped macro-F1</h2>")[1].split("</thead>")[0]
    assert re.findall(r"<th>([^<]*)</th>", table) == ["dataset", "embedder", "linear probe, grouped splits",
                                                     "random forest, grouped splits"]


def test_missing_and_unreliable_intervals_are_said_not_printed_plain(tmp_path):
    summary = _summary().assign(groups=8, class_groups=4, reliable=True)
    summary.loc[0, ["ci_low", "ci_high"]] = float("nan")  # every split scored the same
    summary.loc[3, ["reliable", "class_groups"]] = (False, 2)
    texts = {r["embedder"] + r["dataset"]: resultspage._interval(r) for _, r in summary.iterrows()}
    assert texts["reefclrtest_a"] == "0.900 (no interval: every split scored the same)"
    assert texts["reefclrtest_b"].endswith("(unreliable: a class is found in only 2 group(s))")
    assert texts["birdnettest_a"] == "0.850 [0.800, 0.900]"
    answer = {a["dataset"]: a for a in resultspage.answers(summary, _paired())}["test_a"]
    assert "8 groups, 10 distinct splits" in resultspage.answer_html(answer)


def _card(trained, twin):
    checks = [dict(step=0, knn_accuracy=sum(twin) / len(twin), knn_by_split=twin, effective_rank=3.0, alignment=1.0,
                   uniformity=-1.0),
              dict(step=300, knn_accuracy=sum(trained) / len(trained), knn_by_split=trained, effective_rank=12.5,
                   alignment=0.4, uniformity=-2.0)]
    from reefclr.training.diagnostics import against_twin

    return dict(checks=checks, against_twin=against_twin(checks))


def test_the_page_says_plainly_when_pretraining_does_not_beat_its_twin(tmp_path):
    from PIL import Image

    figure = tmp_path / "loss_curve.png"
    Image.new("RGB", (10, 10), "white").save(figure)
    flat = resultspage.pretraining_html(_card([0.45, 0.5, 0.4], [0.46, 0.5, 0.42]), figure)
    assert "NO BETTER than its untrained twin" in flat and "better on 0 of 3 grouped splits" in flat
    assert "effective rank of its embeddings 12.5 (untrained twin 3.0" in flat.lower()
    learned = resultspage.pretraining_html(_card([0.8, 0.9, 0.7], [0.46, 0.5, 0.42]), figure)
    assert "beats its untrained twin on every grouped split" in learned and "NO BETTER" not in learned
    assert "data:image/png;base64," in learned
