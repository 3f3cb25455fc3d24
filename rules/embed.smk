# Cached test clips -> embeddings, one job per embedder x test set.


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
