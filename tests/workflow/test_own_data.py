"""A reef ecologist's own recordings and config, written from the README alone: nothing of the
demo comes along, and small but legal set-ups (one embedder, one test set, two classes in
the fewest recordings a grouped split allows, no deployment) run to the end."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
import yaml
from snakerun import REPO, copy_workflow, planned_rules, snakemake
from test_dag import ALL_RULES, DEPLOY_RULES

MARRS = REPO / "tests/data/marrs_sonotypes"
SR = 16000

OWN_DATA = """\
data:
  root: {root}
  datasets:
    - {{id: pretrain, role: pretrain, format: folders, path: unlabelled}}
    - id: test_myreef
      role: test
      format: raven
      audio: labelled/audio
      annotations: labelled/raven
      background_label: ambient
"""


def _lay_out(root):
    """Real reef-fish recordings: all as unlabelled audio, three with Raven selections."""
    wavs = sorted(MARRS.rglob("*.[wW][aA][vV]"))
    for i, wav in enumerate(wavs):
        site = root / "unlabelled" / f"site{i % 2}"
        site.mkdir(parents=True, exist_ok=True)
        shutil.copy(wav, site / wav.name)
    (root / "labelled/audio").mkdir(parents=True)
    (root / "labelled/raven").mkdir(parents=True)
    for wav in wavs[:3]:
        shutil.copy(wav, root / "labelled/audio" / wav.name)
        pd.DataFrame({"Selection": [1], "View": ["Spectrogram 1"], "Channel": [1], "Begin Time (s)": [0.3],
                      "End Time (s)": [1.6], "Annotation": ["fish"]}).to_csv(
            root / "labelled/raven" / f"{wav.stem}.Table.1.selections.txt", sep="\t", index=False)


def test_only_data_gives_the_whole_dag_with_the_schemas_defaults(workflow_copy, tmp_path):
    root = tmp_path / "my_reef"
    _lay_out(root)
    (workflow_copy / "mine.yaml").write_text(OWN_DATA.format(root=root))
    counts = planned_rules(workflow_copy, "--configfile", "mine.yaml")
    # the schema's embedders (reefclr, random_init, mel_stats), none from the audio; no deployment
    assert set(counts) == ALL_RULES - {"make_demo_data"} - DEPLOY_RULES
    out = snakemake(workflow_copy, "validate_data", "check_plan", "--cores", "2", "--configfile", "mine.yaml")
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    summary = json.loads((workflow_copy / "results/data_check/summary.json").read_text())
    by_id = {d["dataset"]: d for d in summary["datasets"]}
    assert by_id["test_myreef"]["classes"]["fish"] == 3 and by_id["test_myreef"]["classes"]["ambient"] >= 3
    assert by_id["pretrain"]["sample_rates"] == {"16000": 6}
    assert [p for p in summary["problems"] if p["severity"] == "error"] == []
    plan = json.loads((workflow_copy / "results/data_check/plan.json").read_text())
    assert "14 pretraining clips, fewer than pretrain.batch_size 512" in {n["reason"] for n in plan["warnings"]}
    # no pretrain block: the study's ResNet50 recipe, and the plan says how long it takes here
    assert "5400 steps x 1024 views x 24.3 GFLOP" in plan["pretraining"] and " h on " in plan["pretraining"]
    text = (workflow_copy / "results/data_check/summary.md").read_text()
    assert "## test_myreef (test)" in text and "| fish | 3 | 3 |" in text  # 3 clips from 3 recordings
    # the labelled recordings are also in the unlabelled folder: reported as leakage
    (leak,) = summary["leakage"]
    assert leak["dataset"] == "test_myreef" and leak["same_audio"] == leak["clips"] == leak["of"]
    assert not (workflow_copy / "results/cache").exists()  # nothing heavy ran


# --- a small study-format set, one embedder, then a deployment ------------------------------
CLASSES = {"croak": ["croak/Croak.wav", "croak/Croak_global.WAV"],
           "scrape": ["scrape/Scrape.wav", "scrape/Scrape_global.WAV", "scrape/scrape_aus_D2_20230222_070800.wav"]}

# What a stranger writes from the README: their own folders and names, one embedder, no pretraining.
MINE = """\
data:
  root: {root}
  datasets:
    - id: test_myreef                # pre-cut clips listed in the study's dataset.json format
      role: test
      format: dataset_json
      path: labelled/dataset.json
      data_type: test_data
      group_pattern: '^([a-z]+_\\d+)_'   # clips of one source recording share a group
embed:
  embedders: [mel_stats]
"""
DEPLOYMENT = """\
    - {{id: deploy_2024, role: deploy, format: folders, path: hydrophones, hop_s: 0.96}}
deploy:
  embedder: mel_stats
  queries: queries
  top_k: 10
  classifiers:
    croak: {{dataset: test_myreef, positive: [croak]}}
  truth: truth
"""


def _study_clips(root):
    """1.92 s clips of real croaks and scrapes (2 and 3 source recordings) and their dataset.json."""
    entries = []
    for label, files in CLASSES.items():
        for r, rel in enumerate(files):
            x, sr = sf.read(MARRS / rel, dtype="float32")
            n = int(1.92 * sr)
            for k in range(len(x) // n):
                name = f"labelled/clips/{label}_{r}_{k:03d}.wav"
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                sf.write(root / name, x[k * n : (k + 1) * n], sr)
                entries.append({"file_name": name, "class": label, "data_type": "test_data"})
    (root / "labelled/dataset.json").write_text(json.dumps({"audio": entries}))


def _raven_rows(events):
    """A Raven Pro export: one Waveform and one Spectrogram row per selection."""
    rows = []
    for i, (begin, end) in enumerate(events, start=1):
        for view in ("Waveform 1", "Spectrogram 1"):
            rows.append({"Selection": i, "View": view, "Channel": 1, "Begin Time (s)": begin, "End Time (s)": end,
                         "Low Freq (Hz)": 50.0, "High Freq (Hz)": 1500.0, "Annotation": "croak"})
    return pd.DataFrame(rows)


def _deployment(root):
    """Two hydrophones (one folder name with a space), two 20 s recordings each, croaks mixed
    into low noise at known times (Raven tables in truth/), and a croak to search for."""
    rng = np.random.default_rng(0)
    croak, _ = sf.read(MARRS / "croak/Croak.wav", dtype="float32")
    call = croak[: int(1.2 * SR)]
    for site, stems in {"North Reef": ["reef01_20240105_063000", "reef01_20240105_183000"],
                        "south_reef": ["reef02_20240105_063000", "reef02_20240105_183000"]}.items():
        for stem in stems:
            x = 0.01 * rng.standard_normal(20 * SR).astype(np.float32)
            events = [(t, t + len(call) / SR) for t in (2.0, 9.5, 15.0)]
            for begin, _ in events:
                a = int(begin * SR)
                x[a : a + len(call)] += call
            (root / "hydrophones" / site).mkdir(parents=True, exist_ok=True)
            sf.write(root / "hydrophones" / site / f"{stem}.wav", x, SR)
            (root / "truth").mkdir(exist_ok=True)
            _raven_rows(events).to_csv(root / "truth" / f"{stem}.Table.1.selections.txt", sep="\t", index=False)
    (root / "queries").mkdir()
    shutil.copy(MARRS / "croak/Croak_global.WAV", root / "queries" / "croak example.wav")


@pytest.fixture(scope="module")
def own_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("own")
    root = base / "reef project"
    _study_clips(root)
    _deployment(root)
    wf = copy_workflow(base / "wf")
    (wf / "mine.yaml").write_text(MINE.format(root=root))
    out = snakemake(wf, "--cores", "2", "--configfile", "mine.yaml")
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-5000:]
    return wf, root


def test_one_embedder_one_small_test_set_runs_to_the_end(own_run):
    wf, _ = own_run
    rf = pd.read_csv(wf / "results/tables/RF_results.csv")
    assert list(rf.Embedding) == ["MelStats"] and list(rf.Location) == ["myreef"]
    summary = pd.read_csv(wf / "results/tables/grouped_summary.csv")
    assert set(summary.grouping) == {"pattern"} and summary.exhaustive.all()
    assert (summary.splits == 6).all()  # 2 croak x 3 scrape recordings: every minimal split once
    paired = pd.read_csv(wf / "results/tables/paired_differences.csv")
    assert paired.empty and "embedder_a" in paired.columns  # nothing to pair, still a table
    page = (wf / "results/index.html").read_text()
    assert "Only one embedder was evaluated: there is nothing to compare it with." in page
    assert "Synthetic demo data" not in page
    assert (wf / "results/explorer.html").stat().st_size > 100_000
    assert not (wf / "resources/demo").exists() and not (wf / "results/deploy").exists()


def test_nothing_of_the_demo_comes_along(own_run):
    wf, _ = own_run
    check = json.loads((wf / "results/data_check/summary.json").read_text())
    assert [d["dataset"] for d in check["datasets"]] == ["test_myreef"]
    assert not list((wf / "results/manifests").glob("test_kenya*"))


def test_adding_a_deployment_runs_only_its_jobs_and_finds_the_calls(own_run):
    wf, root = own_run
    (wf / "mine.yaml").write_text(_with_deployment(MINE.format(root=root)))
    counts = planned_rules(wf, "--configfile", "mine.yaml")
    assert not {"fit_random_forest", "probe_grouped", "cluster_embeddings", "extract_embeddings"} & set(counts)
    assert {"embed_deploy", "embed_queries", "search_deploy", "train_classifier", "score_deploy",
            "detect_events"} <= set(counts)
    out = snakemake(wf, "--cores", "2", "--configfile", "mine.yaml")
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-5000:]
    deploy = wf / "results/deploy/deploy_2024"
    hits = pd.read_csv(deploy / "search/hits.csv")
    assert set(hits["query"]) == {"croak example"} and len(hits) == 10
    assert set(pd.read_csv(deploy / "round-0/detections/croak/site_hour.csv")["site"]) == {"North Reef", "south_reef"}
    classifier = json.loads((wf / "results/deploy/classifiers/croak/round-0.json").read_text())
    assert classifier["embedder"] == "mel_stats" and classifier["trained_on"] == "test set test_myreef"
    truth = json.loads((deploy / "round-0/detections/croak/event_scores.json").read_text())["overlap"]
    assert truth["recordings"] == 4 and truth["known_events"] == 12  # 3 per recording, each once
    assert not (wf / "results/deploy/classifiers/fish").exists()  # the demo's classifier


def _with_deployment(text: str) -> str:
    head, tail = text.split("embed:\n")
    return head + DEPLOYMENT.format() + "embed:\n" + tail


def test_a_round_reviewed_in_the_browser_trains_the_next_classifier(own_run, tmp_path):
    """Round 0's validation sample reviewed on its page by key (the marks from the known
    events), saved, put where the README says: the rerun trains round 1 on exactly those marks,
    estimates round 0's density, and embeds nothing again."""
    import browser
    from test_review_browser import mark_and_save

    if browser.why_not():
        pytest.skip(browser.why_not())
    wf, root = own_run
    (wf / "mine.yaml").write_text(_with_deployment(MINE.format(root=root)).replace(
        "  truth: truth\n", "  truth: truth\n  review: {reviewed: review}\n"))
    assert snakemake(wf, "--cores", "2", "--configfile", "mine.yaml").returncode == 0
    review = wf / "results/deploy/deploy_2024/round-0/review/croak"
    sample = pd.read_csv(review / "validation.selections.txt", sep="\t", keep_default_na=False)
    known = pd.concat([pd.read_csv(t, sep="\t").assign(stem=t.name.split(".")[0]) for t in (root / "truth").glob("*.txt")])
    keys = "".join("y" if ((known["stem"] == Path(r["Begin File"]).stem) & (known["Begin Time (s)"] < r["End Time (s)"])
                           & (known["End Time (s)"] > r["Begin Time (s)"])).any() else "n" for _, r in sample.iterrows())
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = browser.start()
    try:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        name = "deploy_2024.croak.round-0.validation.txt"
        saved = mark_and_save(driver, review / "validation.html", keys, downloads, name)
    finally:
        driver.quit()
    assert saved["Review"].tolist() == list(keys) and list(saved.columns) == list(sample.columns)
    (root / "review").mkdir(exist_ok=True)
    shutil.copy(downloads / name, root / "review" / name)
    planned = planned_rules(wf, "--configfile", "mine.yaml")
    assert planned["train_classifier"] == 1 and planned["estimate_density"] == 1
    assert not {"embed_deploy", "segment_recordings", "extract_embeddings"} & set(planned)
    assert snakemake(wf, "--cores", "2", "--configfile", "mine.yaml").returncode == 0
    first = json.loads((wf / "results/deploy/classifiers/croak/round-1.json").read_text())
    scores = pd.read_parquet(wf / "results/deploy/deploy_2024/round-0/scores/croak.parquet")
    marked = scores.merge(sample.rename(columns={"Source": "source", "Begin Time (s)": "offset_s"})[["source", "offset_s"]])
    assert sorted(first["trained_windows"]) == sorted(marked["clip_id"])
    assert first["positives"] >= keys.count("y") and "1 reviewed samples of earlier rounds" in first["trained_on"]
    rounds = pd.read_csv(wf / "results/deploy/deploy_2024/rounds/croak.csv")
    assert rounds["round"].tolist() == [0, 1] and rounds["reviewed"].tolist() == [0, len(keys)]
    assert (wf / "results/deploy/deploy_2024/round-0/detections/croak/density.csv").exists()
