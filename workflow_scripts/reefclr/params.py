"""What each rule depends on, from the settings records: its params (the result half of the
records it reads, never a runtime setting), its inputs that depend on wildcards, and the
workflow's targets. A job reruns when its params change, so each holds exactly the settings
that change its result. Light: the Snakefile imports it for every DAG.

``Inputs(settings)`` bundles the functions of wildcards the rules name (``input:
INPUTS.embed_weights``): bound methods, so the rules hold no lambdas and the logic is
tested here without Snakemake.
"""

from __future__ import annotations

import hashlib
import json
import os

from reefclr import paths, registry
from reefclr.review_rounds import KINDS, earlier_reviews, last_round, reviewed_sample, round_targets
from reefclr.settings import Pretrain, Settings

STUDY_TEST_SETS = frozenset(f"test_{loc}" for loc in
                            ("australia", "bermuda", "florida", "french_polynesia", "indonesia", "kenya"))
PROBE_NEEDS = {"rf": ("rf",), "logreg": ("logreg",), "fewshot": ("logreg", "fewshot")}
PROBES = tuple(PROBE_NEEDS)
# The tables and figures of the report, each captioned by report/<stem>.rst.
REPORTED_TABLES = ("RF_results.csv", "chisq_results.csv", "grouped_summary.csv", "paired_differences.csv",
                   "cluster_scores.csv", "left_out_classes.csv", "fewshot_surfperch.csv")
FIGURES = ("umap_grid.png", "test_f1.png", "chisq.png", "grouped_f1.png", "fewshot.png", "cramers_v.png",
           "confusion_rf_grouped.png")
DETECTION_REPORT = ("site_hour.csv", "diel.png", "series.png", "summary.json")
PAGE_FIGURES = ("grouped_f1.png", "test_f1.png", "fewshot.png", "cramers_v.png", "umap_grid.png")
DEMO_NOTICE = ("Synthetic demo data: generated recordings that share the study's test-set names; nothing "
               "here is a reproduction of the study.")


def slice_hash(*parts) -> str:
    """A short, stable hash of settings (for provenance and resume checks)."""
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def deploy_embedders(s: Settings) -> list[str]:
    """The deployment embedder, when the config has a deployment."""
    return [s.deploy.embedder] if s.data.ids("deploy") else []


def used_embedders(s: Settings) -> list[str]:
    """The compared embedders, then the deployment's (extracted too when a classifier learns
    from a test set with it)."""
    return list(s.embed.embedders) + [e for e in deploy_embedders(s) if e not in s.embed.embedders]


def weights_needed(s: Settings) -> list[str]:
    """Embedders whose external pretrained weights this config needs."""
    used = used_embedders(s)
    needed = {e for e in used if e in registry.EXTERNAL_WEIGHTS}
    if any(registry.REGISTRY[e].init == "config" for e in used) and s.supervised.init == "imagenet":
        needed.add("imagenet")
    if registry.needs_pretraining(used) and s.pretrain.init == "imagenet":
        needed.add("imagenet")
    return sorted(needed)


def pretrain_cpus(pretrain: Pretrain) -> int:
    """CPUs of the pretraining job (its rule's threads, which the SLURM profile passes on):
    with waveform views one per DataLoader worker of every process plus the training
    process; with device views 8 (batched views need no workers)."""
    if pretrain.views != "waveform":
        return 8
    return pretrain.workers * max(1, pretrain.gpus) + 1


def run_hash(s: Settings) -> str:
    """What defines a pretraining run: a checkpoint resumes only the same run, across runtime
    and hardware settings (``settings.HARDWARE``)."""
    from reefclr.settings import HARDWARE, kind
    from dataclasses import fields

    defining = {k: v for k, v in s.pretrain.result().items()
                if not any(f.name == k and kind(f) == HARDWARE for f in fields(s.pretrain))}
    return slice_hash(defining, s.model_input.result(), s.spectrogram.result(), s.seed)


def pretraining(s: Settings) -> dict:
    """What the pretraining run depends on: its settings, its input, the mel, the seed."""
    return {"pretrain": s.pretrain.result(), "model_input": s.model_input.result(),
            "spectrogram": s.spectrogram.result(), "seed": s.seed}


def supervised(s: Settings, embedder: str) -> dict:
    """What one supervised classifier depends on: its training settings and the RF split."""
    rf = s.evaluation.rf
    return {"supervised": s.supervised.result(), "init": supervised_init(s, embedder),
            "split": {"test_size": rf.test_size, "random_state": rf.random_state},
            "rare_classes": s.evaluation.rare_classes, "model_input": s.model_input.result(),
            "spectrogram": s.spectrogram.result(), "waveform_method": s.pretrain.waveform_method, "seed": s.seed}


def supervised_init(s: Settings, embedder: str) -> str:
    """Where a supervised classifier's encoder starts: the registry's ``init``."""
    return "reefclr" if registry.spec(embedder).init == "trained" else s.supervised.init


def probe(s: Settings, probe_name: str, embedder: str) -> dict:
    """The evaluation settings one grouped probe reads: changing one reruns only its jobs."""
    ev = s.evaluation
    return {k: getattr(ev, k).result() for k in PROBE_NEEDS[probe_name]} | {
        "grouped": ev.grouped.result(), "rare_classes": ev.rare_classes, "embedder": embedder}


def data_needs(s: Settings) -> dict:
    """What the data check reads: only the settings that decide whether it stops the run. A
    rerun of the data check hides the reruns behind its gate from that run's plan (Snakemake
    masks the jobs downstream of a job it reruns and reaches them only through non-ancient
    inputs), so nothing else may rerun it: advisory checks are ``data_plan``'s."""
    return {"test_size": s.evaluation.rf.test_size, "rare_classes": s.evaluation.rare_classes}


DATA_CHECK_RERAN = (
    "The data check ran again in this run. Snakemake planned the jobs behind its gate before it ran and left out "
    "those whose settings changed: run the same command once more (it reruns what changed, or nothing).")


def data_check_reran(started: float) -> bool:
    """Whether the data check was rewritten after ``started`` (in this run): the run's plan then
    missed the reruns behind the gate (``data_needs``)."""
    return os.path.exists(paths.CHECK_SUMMARY) and os.path.getmtime(paths.CHECK_SUMMARY) >= started


def data_plan(s: Settings) -> dict:
    """What the data plan reads: the few-shot sizes and grouped test fraction, the pretraining
    batch, and the pretraining recipe whose time it estimates."""
    return {"shots": list(s.evaluation.fewshot.shots), "test_fraction": s.evaluation.grouped.test_fraction,
            "batch_size": s.pretrain.batch_size, "pretraining": pretraining_recipe(s)}


def pretraining_recipe(s: Settings) -> dict | None:
    """What a pretraining run's time depends on (its estimate in the data check), or None when no
    embedder needs the trained encoder."""
    if not registry.needs_pretraining(s.embed.embedders):
        return None
    p = s.pretrain
    return {"encoder": p.encoder, "width": p.width, "batch_size": p.batch_size, "steps": p.steps,
            "export_step": p.export_step, "image_size": s.model_input.image_size}


def deploy_audio(s: Settings) -> dict:
    """What windows read from the recordings depend on: the audio, the spectrogram and the embedder."""
    return {"audio": s.audio.result(), "spectrogram": s.spectrogram.result(),
            "embedder": registry.params_slice(s.deploy.embedder, s)}


def targets(s: Settings, is_demo: bool) -> list[str]:
    """Everything a run makes by default (rule all)."""
    out = [paths.CHECK_MARKDOWN, paths.PLAN_MARKDOWN, paths.INDEX, paths.EXPLORER, paths.figure("chisq.png")]
    if registry.needs_pretraining(s.embed.embedders):
        out.append(paths.LOSS_CURVE)
    if set(s.data.ids("test")) == STUDY_TEST_SETS and not is_demo:
        out.append(paths.figure("published_vs_reproduced.png"))
    if s.embed.export_csv:
        out += [paths.STUDY_CSV.format(embedder=e, dataset=d) for e in s.embed.embedders
                if registry.spec(e).input != "classifier" for d in s.data.ids("test")]
    for d in s.data.ids("deploy"):
        if s.deploy.queries:
            out.append(paths.HITS.format(dataset=d))
        for x in s.deploy.classifiers:
            out += round_targets(s, is_demo, d, x)
    return out


class Inputs:
    """The rules' functions of wildcards: inputs and params that depend on them."""

    def __init__(self, settings: Settings, is_demo: bool):
        self.s, self.is_demo = settings, is_demo

    # --- data
    def data_root(self, wildcards) -> list[str]:
        """The demo's data when data.root is the demo's folder; a user's data is made by no rule."""
        return [paths.DEMO] if self.is_demo else []

    def dataset(self, wildcards) -> dict:
        return self.s.data.dataset(wildcards.dataset).result()

    def cache(self, wildcards) -> list[str]:
        d = self.s.data.dataset(wildcards.dataset)
        return paths.shard_files(d.id, d.shards, ("mel.npy", "index.parquet"))

    def pretrain_cache(self, wildcards) -> list[str]:
        return [f for d in self.s.data.datasets if d.role == "pretrain"
                for f in paths.shard_files(d.id, d.shards, ("mel.npy", "index.parquet"))]

    def pretraining(self, wildcards) -> dict[str, list[str]]:
        """What pretraining reads: its cache, the labelled set of its checks (if any) and, with
        ``pretrain.init: imagenet``, the ImageNet weights (missing, they stop the DAG here)."""
        knn = self.s.pretrain.knn.dataset
        return {"cache": self.pretrain_cache(wildcards),
                "knn": [] if knn is None else paths.shard_files(knn, self.s.data.dataset(knn).shards,
                                                                ("mel.npy", "index.parquet")),
                "weights": [registry.weights_marker("imagenet", self.s.embed.weights["imagenet"])]
                if self.s.pretrain.init == "imagenet" else []}

    # --- embedders
    def weights(self, name: str) -> list[str]:
        """The file whose change reruns ``name``'s jobs; missing weights stop the DAG here."""
        spec = registry.spec(name)
        if spec.weights == "trained":
            return [paths.ENCODER]
        if name in registry.EXTERNAL_WEIGHTS:
            return [registry.weights_marker(name, self.s.embed.weights[name])]
        return []

    def embed_weights(self, wildcards) -> list[str]:
        return self.weights(wildcards.embedder)

    def embedder(self, wildcards) -> dict:
        """The settings one embedder reads: they alone trigger that embedder's reruns."""
        return registry.params_slice(wildcards.embedder, self.s)

    def supervised_weights(self, wildcards) -> list[str]:
        init = supervised_init(self.s, wildcards.embedder)
        return [paths.ENCODER] if init == "reefclr" else self.weights("imagenet") if init == "imagenet" else []

    def supervised(self, wildcards) -> dict:
        return supervised(self.s, wildcards.embedder)

    def probe(self, wildcards) -> dict:
        return probe(self.s, wildcards.probe, wildcards.embedder)

    def study_order(self, wildcards) -> dict:
        """The order and class codes the study's RF and clustering of one embedder read."""
        return self.s.evaluation.study.for_embedder(wildcards.embedder)

    # --- deployments
    def deploy_weights(self, wildcards) -> list[str]:
        return self.weights(self.s.deploy.embedder)

    def deploy_windows(self, wildcards) -> list[str]:
        return paths.windows(wildcards.dataset, self.s.data.dataset(wildcards.dataset).shards)

    def classifier(self, wildcards) -> dict:
        return self.s.deploy.classifiers[wildcards.sound].result()

    def classifier_examples(self, wildcards) -> list[str]:
        """A test set's embeddings by the deployment embedder, and every deployment window when
        the classifier learns from reviewed windows (its own table, or earlier rounds')."""
        spec = self.s.deploy.classifiers[wildcards.sound]
        out = [] if spec.dataset is None else [paths.EMBEDDINGS.format(embedder=self.s.deploy.embedder,
                                                                      dataset=spec.dataset)]
        if spec.dataset is None or self.round_review_sets(wildcards):
            out += [f for d in self.s.data.datasets if d.role == "deploy" for f in paths.windows(d.id, d.shards)]
        return out

    def round_review_sets(self, wildcards) -> list[list[str]]:
        """[deployment, table] of every sample reviewed before this round (what it learns from)."""
        return earlier_reviews(self.s, self.is_demo, wildcards.sound, int(wildcards.round))

    def round_reviews(self, wildcards) -> list[str]:
        return [path for _, path in self.round_review_sets(wildcards)]

    def earlier_here(self, wildcards) -> list[str]:
        """The tables reviewed before this round in this deployment (known with certainty)."""
        return [path for d, path in self.round_review_sets(wildcards) if d == wildcards.dataset]

    def reviewed_table(self, wildcards) -> list[str]:
        spec = self.s.deploy.classifiers[wildcards.sound]
        return [os.path.join(self.s.data.root, spec.reviewed)] if spec.reviewed else []

    def queries(self, wildcards) -> list[str]:
        """The query folder (a new file there reruns the search), or the demo that makes it."""
        queries = self.s.deploy.queries or ""
        if self.is_demo and not os.path.isabs(queries):
            return [paths.DEMO]
        return [os.path.join(self.s.data.root, queries)]

    def reviewed_validation(self, wildcards) -> list[str]:
        found = reviewed_sample(self.s, self.is_demo, wildcards.dataset, wildcards.sound, int(wildcards.round),
                                "validation")
        return [found] if found else []

    def rounds(self, wildcards) -> dict[str, list[str]]:
        """What each round of one sound in one deployment wrote (rounds.csv's inputs)."""
        s, last = self.s, last_round(self.s, self.is_demo, wildcards.sound)
        where = [dict(dataset=wildcards.dataset, sound=wildcards.sound, round=k) for k in range(last + 1)]
        out = {"classifiers": [paths.CLASSIFIER.format(**w) for w in where],
               "thresholds": [paths.DETECTIONS.format(**w, name="threshold.json") for w in where],
               "summaries": [paths.DETECTIONS.format(**w, name="summary.json") for w in where],
               "densities": [paths.DETECTIONS.format(**w, name="density.json") for w in where
                             if reviewed_sample(s, self.is_demo, w["dataset"], w["sound"], w["round"], "validation")],
               "events": [paths.DETECTIONS.format(**w, name="event_scores.json") for w in where] if s.deploy.truth
               else []}
        return out

    def deployment_parts(self, wildcards) -> list[dict]:
        """Per deployment and sound, what the results page shows: the rounds side by side, the last
        round's density and calibration figures, and its review pages (linked)."""
        out = []
        for d in self.s.data.ids("deploy"):
            for x in self.s.deploy.classifiers:
                last = last_round(self.s, self.is_demo, x)
                where = dict(dataset=d, sound=x, round=last)
                density = reviewed_sample(self.s, self.is_demo, d, x, last, "validation")
                figures = [paths.ROUNDS.format(dataset=d, sound=x, ext="png")]
                figures += [paths.DETECTIONS.format(**where, name="density.png")] if density else []
                out.append({"dataset": d, "sound": x, "round": last, "figures": figures + [
                    paths.DETECTIONS.format(**where, name="calibration.png")],
                    "rounds": paths.ROUNDS.format(dataset=d, sound=x, ext="csv"),
                    "pages": [paths.REVIEW.format(**where, name=f"{kind}.html") for kind in KINDS]})
        return out

    def pretraining_report(self, wildcards) -> list[str]:
        """The trained encoder's model card and training figure, when an embedder needs it."""
        return [paths.MODEL_CARD, paths.LOSS_CURVE] if registry.needs_pretraining(self.s.embed.embedders) else []

    def deployment_files(self, wildcards) -> list[str]:
        return [f for part in self.deployment_parts(wildcards) for f in part["figures"] + [part["rounds"]] + part["pages"]]

    def round_numbers(self, wildcards) -> dict[str, list[int]]:
        """Which rounds have a density estimate and event scores (rounds.csv's params)."""
        s, last = self.s, last_round(self.s, self.is_demo, wildcards.sound)
        reviewed = [k for k in range(last + 1)
                    if reviewed_sample(s, self.is_demo, wildcards.dataset, wildcards.sound, k, "validation")]
        return {"rounds": list(range(last + 1)), "density": reviewed,
                "events": list(range(last + 1)) if s.deploy.truth else []}

    def density(self, wildcards) -> dict:
        """What a density estimate reads beside its inputs: the review settings, the sound's
        classifier (its own reviewed table counts), its known events, the window step."""
        return {"review": self.s.deploy.review.estimate(), "classifier": self.classifier(wildcards),
                "truth": self.truth_of(wildcards), "hop_s": self.hop_s(wildcards)}

    def truth_of(self, wildcards) -> dict:
        """Which known events are the sound's (empty without known events)."""
        return self.s.deploy.truth_of(wildcards.sound) if self.s.deploy.truth else {}

    def truth(self, wildcards) -> list[str]:
        """The folder of known events (the demo's is made with the demo)."""
        if not self.s.deploy.truth:
            return []
        return [paths.DEMO] if self.is_demo else [os.path.join(self.s.data.root, self.s.deploy.truth)]

    def hits(self, wildcards) -> list[str]:
        return [paths.HITS.format(dataset=wildcards.dataset)] if self.s.deploy.queries else []

    def events(self, wildcards) -> list[str]:
        """The detections of each sound in its last round (what the explorer shows)."""
        return [paths.DETECTIONS.format(dataset=wildcards.dataset, sound=x, name="events.csv",
                                        round=last_round(self.s, self.is_demo, x)) for x in self.s.deploy.classifiers]

    def explorer(self, wildcards) -> dict[str, list[str]]:
        """The explorer's inputs: every embedder's UMAP, clusters and embeddings per test set, the
        manifests and caches (media), the deployments' media."""
        s, tests = self.s, self.s.data.ids("test")
        features = [e for e in s.embed.embedders if registry.spec(e).input != "classifier"]
        pairs = [(e, d) for e in features for d in tests]
        return {"coords": [paths.UMAP2D.format(embedder=e, dataset=d) for e, d in pairs],
                "clusters": [paths.CLUSTERS.format(embedder=e, dataset=d) for e, d in pairs],
                "embeddings": [paths.EMBEDDINGS.format(embedder=e, dataset=d) for e, d in pairs],
                "manifests": [paths.MANIFEST.format(dataset=d) for d in tests],
                "deploy": [paths.MEDIA.format(dataset=d) for d in s.data.ids("deploy")],
                "rounds": [paths.ROUNDS.format(dataset=d, sound=x, ext="csv") for d in s.data.ids("deploy")
                           for x in s.deploy.classifiers],
                "cache": [f for d in tests for f in paths.shard_files(d, s.data.dataset(d).shards)]}

    def hop_s(self, wildcards) -> float:
        return self.s.data.dataset(wildcards.dataset).hop_s or self.s.segment.hop_s
