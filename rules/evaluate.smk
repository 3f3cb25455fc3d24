# Embeddings -> the study's scores: one job per embedder and analysis covers every test set
# (UMAP's numba kernels compile once per process, not once per test set).


rule fit_random_forest:
    input:
        per_test_set("results/embeddings/{embedder}/{dataset}.parquet"),
    output:
        per_test_set("results/evaluation/rf/{embedder}/{dataset}.json"),
    log:
        "logs/fit_random_forest/{embedder}.log",
    benchmark:
        "benchmarks/fit_random_forest/{embedder}.tsv"
    wildcard_constraints:
        embedder="|".join(FEATURES) or "^$",
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        rf=config["evaluation"]["rf"],
        rare_classes=config["evaluation"]["rare_classes"],
        datasets=TEST_SETS,
    script:
        "../workflow_scripts/fit_random_forest.py"


rule cluster_embeddings:
    input:
        per_test_set("results/embeddings/{embedder}/{dataset}.parquet"),
    output:
        scores=per_test_set("results/evaluation/cluster/{embedder}/{dataset}.json"),
        clusters=per_test_set(
            "results/evaluation/cluster/{embedder}/{dataset}.clusters.parquet"
        ),
    log:
        "logs/cluster_embeddings/{embedder}.log",
    benchmark:
        "benchmarks/cluster_embeddings/{embedder}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        cluster=config["evaluation"]["cluster"],
        datasets=TEST_SETS,
    script:
        "../workflow_scripts/cluster_embeddings.py"


rule embed_umap_2d:
    input:
        per_test_set("results/embeddings/{embedder}/{dataset}.parquet"),
    output:
        per_test_set("results/evaluation/umap2d/{embedder}/{dataset}.parquet"),
    log:
        "logs/embed_umap_2d/{embedder}.log",
    benchmark:
        "benchmarks/embed_umap_2d/{embedder}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        umap=config["evaluation"]["umap2d"],
        datasets=TEST_SETS,
    script:
        "../workflow_scripts/embed_umap_2d.py"


rule probe_grouped:
    input:
        embeddings=per_test_set("results/embeddings/{embedder}/{dataset}.parquet"),
        checks=per_test_set("results/data_check/{dataset}.json"),
    output:
        per_test_set("results/evaluation/grouped/{probe}/{embedder}/{dataset}.parquet"),
    log:
        "logs/probe_grouped/{probe}/{embedder}.log",
    benchmark:
        "benchmarks/probe_grouped/{probe}/{embedder}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        cfg=get_probe_params,
        datasets=TEST_SETS,
    script:
        "../workflow_scripts/probe_grouped.py"


# The supervised ceiling: a classifier trained per test set, scored on the RF split.
rule train_supervised:
    input:
        cache=get_dataset_cache,
        weights=get_supervised_weights,
    output:
        record="results/evaluation/rf/{embedder}/{dataset}.json",
        history="results/models/{embedder}/{dataset}/train_log.csv",
    log:
        "logs/train_supervised/{embedder}/{dataset}.log",
    benchmark:
        "benchmarks/train_supervised/{embedder}/{dataset}.tsv"
    wildcard_constraints:
        embedder="|".join(CLASSIFIERS) or "^$",
    conda:
        "../envs/torch.yaml"
    threads: 4
    resources:
        gpu=1 if config["supervised"]["device"] == "cuda" else 0,
        mem_mb=8000,
        cpus_per_task=4,
    params:
        cfg=get_supervised_params,
    script:
        "../workflow_scripts/train_supervised.py"
