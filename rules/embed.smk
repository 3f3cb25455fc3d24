# Test clips -> embeddings, one job per embedder x test set; pretrained weights.


rule extract_embeddings:
    input:
        cache=get_dataset_cache,
        weights=get_embed_weights,
    output:
        "results/embeddings/{embedder}/{dataset}.parquet",
    log:
        "logs/extract_embeddings/{embedder}/{dataset}.log",
    benchmark:
        "benchmarks/extract_embeddings/{embedder}/{dataset}.tsv"
    wildcard_constraints:
        embedder="|".join(MEL_FEATURES) or "^$",
    conda:
        "../envs/torch.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        embedder=get_embedder_params,
        batch_size=config["embed"]["batch_size"],
    script:
        "../workflow_scripts/extract_embeddings.py"


# Embedders that read the source audio at their own sample rate (once per recording).
rule extract_waveform_embeddings:
    input:
        cache=get_dataset_cache,
        weights=get_embed_weights,
    output:
        "results/embeddings/{embedder}/{dataset}.parquet",
    log:
        "logs/extract_waveform_embeddings/{embedder}/{dataset}.log",
    benchmark:
        "benchmarks/extract_waveform_embeddings/{embedder}/{dataset}.tsv"
    wildcard_constraints:
        embedder="|".join(WAVE_FEATURES) or "^$",
    conda:
        "../envs/tf.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        embedder=get_embedder_params,
        batch_size=config["embed"]["batch_size"],
    script:
        "../workflow_scripts/extract_waveform_embeddings.py"


# The study's raw-embedding CSV shape (embed.export_csv: true).
rule export_study_csv:
    input:
        "results/embeddings/{embedder}/{dataset}.parquet",
    output:
        "results/raw_embeddings/{embedder}/{dataset}.csv",
    log:
        "logs/export_study_csv/{embedder}/{dataset}.log",
    conda:
        "../envs/eval.yaml"
    script:
        "../workflow_scripts/export_study_csv.py"


# Where this machine has internet: `snakemake download_weights` (compute nodes often have none).
rule download_weights:
    log:
        "logs/download_weights/all.log",
    conda:
        "../envs/tf.yaml"
    params:
        names=weights_needed(),
        weights=config["embed"]["weights"],
    script:
        "../workflow_scripts/download_weights.py"
