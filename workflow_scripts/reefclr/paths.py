"""Every output's path template, in one place: the rules and the package both use these.

Wildcards in braces (``{dataset}``, ``{shard}``, ``{embedder}``, ``{probe}``, ``{sound}``,
``{round}``, ``{kind}``: a review sample, validation or active);
``{name}`` is a file name inside a folder of tables, figures, a shard or a sound's detections.
Logs and benchmarks stay literal in the rules (``logs/<rule>/...``), one per rule.
"""

from __future__ import annotations

DEMO = "resources/demo"

# data
MANIFEST = "results/manifests/{dataset}.parquet"
CHECK = "results/data_check/{dataset}.json"
CHECK_SUMMARY = "results/data_check/summary.json"
CHECK_MARKDOWN = "results/data_check/summary.md"
GATE = "results/data_check/passed.json"
PLAN_MARKDOWN = "results/data_check/plan.md"  # what the run asks of the data: advisory, a leaf
PLAN_SUMMARY = "results/data_check/plan.json"

# features: one folder per dataset shard
SHARD = "results/cache/{dataset}/shard-{shard}"
CACHE = SHARD + "/{name}"
CACHE_FILES = ("wave.npy", "mel.npy", "index.parquet")

# training
ENCODER = "results/models/reefclr/encoder.pt"
TRAIN_LOG = "results/models/reefclr/train_log.csv"
LOSS_CURVE = "results/models/reefclr/loss_curve.png"
MODEL_CARD = "results/models/reefclr/model_card.json"
DIAGNOSTICS = "results/models/reefclr/diagnostics.csv"  # the checks against the untrained twin
CHECKPOINT = "results/models/reefclr/checkpoints/last.pt"  # not an output: a killed job keeps it
SUPERVISED_LOG = "results/models/{embedder}/{dataset}/train_log.csv"

# embeddings and their evaluation
EMBEDDINGS = "results/embeddings/{embedder}/{dataset}.parquet"
STUDY_CSV = "results/raw_embeddings/{embedder}/{dataset}.csv"
RF = "results/evaluation/rf/{embedder}/{dataset}.json"
CLUSTER = "results/evaluation/cluster/{embedder}/{dataset}.json"
CLUSTERS = "results/evaluation/cluster/{embedder}/{dataset}.clusters.parquet"
UMAP2D = "results/evaluation/umap2d/{embedder}/{dataset}.parquet"
GROUPED = "results/evaluation/grouped/{probe}/{embedder}/{dataset}.parquet"

# tables, figures, pages
TABLE = "results/tables/{name}"
FIGURE = "results/figures/{name}"
INDEX = "results/index.html"
EXPLORER = "results/explorer.html"

# deployments
WINDOWS = "results/deploy/{dataset}/windows/shard-{shard}.parquet"
QUERIES = "results/deploy/queries/vectors.parquet"
HITS = "results/deploy/{dataset}/search/hits.csv"
HITS_RAVEN = "results/deploy/{dataset}/search/raven"
# review rounds: round 0 is the config's classifier, round k + 1 learns from the windows reviewed in rounds 0..k
CLASSIFIER = "results/deploy/classifiers/{sound}/round-{round}.json"
SCORES = "results/deploy/{dataset}/round-{round}/scores/{sound}.parquet"
DETECTIONS = "results/deploy/{dataset}/round-{round}/detections/{sound}/{name}"
REVIEW = "results/deploy/{dataset}/round-{round}/review/{sound}/{name}"
ROUNDS = "results/deploy/{dataset}/rounds/{sound}.{ext}"
MEDIA = "results/deploy/{dataset}/media.parquet"



def table(name: str) -> str:
    return TABLE.format(name=name)


def figure(name: str) -> str:
    return FIGURE.format(name=name)


def cache_file(name: str) -> str:
    """One file of a cache shard, ``{dataset}`` and ``{shard}`` left as wildcards."""
    return CACHE.replace("{name}", name)


def detection(name: str) -> str:
    """One file of a sound's detections in a deployment, ``{dataset}`` and ``{sound}`` left as wildcards."""
    return DETECTIONS.replace("{name}", name)


def reviewed_table(dataset: str, sound: str, round_: int, kind: str) -> str:
    """The file name of a user's reviewed sample (under ``deploy.review.reviewed``), as the
    review page saves it."""
    return f"{dataset}.{sound}.round-{round_}.{kind}.txt"


def review(name: str) -> str:
    """One file of a sound's review samples in a deployment, ``{dataset}`` and ``{sound}`` left as wildcards."""
    return REVIEW.replace("{name}", name)


def shard_files(dataset: str, shards: int, names=CACHE_FILES) -> list[str]:
    """The cache files ``names`` of every shard of ``dataset``."""
    return [CACHE.format(dataset=dataset, shard=k, name=n) for k in range(shards) for n in names]


def shard_dirs(dataset: str, shards: int) -> list[str]:
    return [SHARD.format(dataset=dataset, shard=k) for k in range(shards)]


def windows(dataset: str, shards: int) -> list[str]:
    """The window-vector files of every shard of a deployment."""
    return [WINDOWS.format(dataset=dataset, shard=k) for k in range(shards)]
