# Embeddings -> the study's scores: one job per embedder and analysis covers every test set
# (UMAP's numba kernels compile once per process, not once per test set).


rule fit_random_forest:
    input:
        per_test_set(paths.EMBEDDINGS),
    output:
        per_test_set(paths.RF),
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
        rf=S.evaluation.rf.result(),
        study=INPUTS.study_order,
        rare_classes=S.evaluation.rare_classes,
        datasets=TEST_SETS,
    script:
        "../workflow_scripts/fit_random_forest.py"


rule cluster_embeddings:
    input:
        per_test_set(paths.EMBEDDINGS),
    output:
        scores=per_test_set(paths.CLUSTER),
        clusters=per_test_set(paths.CLUSTERS),
    log:
        "logs/cluster_embeddings/{embedder}.log",
    benchmark:
        "benchmarks/cluster_embeddings/{embedder}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        cluster=S.evaluation.cluster.result(),
        study=INPUTS.study_order,
        datasets=TEST_SETS,
    script:
        "../workflow_scripts/cluster_embeddings.py"


rule embed_umap_2d:
    input:
        per_test_set(paths.EMBEDDINGS),
    output:
        per_test_set(paths.UMAP2D),
    log:
        "logs/embed_umap_2d/{embedder}.log",
    benchmark:
        "benchmarks/embed_umap_2d/{embedder}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        umap=S.evaluation.umap2d.result(),
        datasets=TEST_SETS,
    script:
        "../workflow_scripts/embed_umap_2d.py"


rule probe_grouped:
    input:
        embeddings=per_test_set(paths.EMBEDDINGS),
        checks=per_test_set(paths.CHECK),
    output:
        per_test_set(paths.GROUPED),
    log:
        "logs/probe_grouped/{probe}/{embedder}.log",
    benchmark:
        "benchmarks/probe_grouped/{probe}/{embedder}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        probe=INPUTS.probe,
        datasets=TEST_SETS,
    script:
        "../workflow_scripts/probe_grouped.py"


# The supervised ceiling: a classifier trained per test set, scored on the RF split.
rule train_supervised:
    input:
        cache=INPUTS.cache,
        weights=INPUTS.supervised_weights,
    output:
        record=paths.RF,
        history=paths.SUPERVISED_LOG,
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
        gpu=1 if S.supervised.device == "cuda" else 0,
        mem_mb=8000,
        cpus_per_task=4,
    params:
        supervised=INPUTS.supervised,
    script:
        "../workflow_scripts/train_supervised.py"
