# Test clips -> embeddings: one job per embedder covers every test set (the model loads once).


rule extract_embeddings:
    input:
        cache=TEST_CACHES,
        weights=INPUTS.embed_weights,
    output:
        per_test_set(paths.EMBEDDINGS),
    log:
        "logs/extract_embeddings/{embedder}.log",
    benchmark:
        "benchmarks/extract_embeddings/{embedder}.tsv"
    wildcard_constraints:
        embedder="|".join(TORCH_FEATURES) or "^$",
    conda:
        "../envs/torch.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        embedder=INPUTS.embedder,
        datasets=TEST_SETS,
    script:
        "../workflow_scripts/extract_embeddings.py"


# Embedders of envs/tf.yaml (registry env "tf"): they read the source audio at their own rate.
use rule extract_embeddings as extract_waveform_embeddings with:
    log:
        "logs/extract_waveform_embeddings/{embedder}.log",
    benchmark:
        "benchmarks/extract_waveform_embeddings/{embedder}.tsv"
    wildcard_constraints:
        embedder="|".join(TF_FEATURES) or "^$",
    conda:
        "../envs/tf.yaml"


# The study's raw-embedding CSV shape (embed.export_csv: true).
rule export_study_csv:
    input:
        paths.EMBEDDINGS,
    output:
        paths.STUDY_CSV,
    log:
        "logs/export_study_csv/{embedder}/{dataset}.log",
    benchmark:
        "benchmarks/export_study_csv/{embedder}/{dataset}.tsv"
    conda:
        "../envs/eval.yaml"
    script:
        "../workflow_scripts/export_study_csv.py"


# Where this machine has internet: `snakemake download_weights` (compute nodes often have none).
rule download_weights:
    log:
        "logs/download_weights/all.log",
    benchmark:
        "benchmarks/download_weights/all.tsv"
    conda:
        "../envs/tf.yaml"
    params:
        names=params.weights_needed(S),
        weights=S.embed.weights,
    script:
        "../workflow_scripts/download_weights.py"
