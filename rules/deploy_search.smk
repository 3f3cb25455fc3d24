# Deployments, embedded and searched: windows -> vectors (one job per shard), query vectors,
# search by example, and the media the explorer shows.


rule embed_deploy:
    input:
        manifest=paths.MANIFEST,
        gate=ancient(paths.GATE),
        audio=INPUTS.data_root,
        weights=INPUTS.deploy_weights,
    output:
        paths.WINDOWS,
    log:
        "logs/embed_deploy/{dataset}/shard-{shard}.log",
    benchmark:
        "benchmarks/embed_deploy/{dataset}/shard-{shard}.tsv"
    wildcard_constraints:
        dataset="|".join(DEPLOY_SETS) or "^$",
    conda:
        "../envs/tf.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        **params.deploy_audio(S),
    script:
        "../workflow_scripts/embed_deploy.py"


rule embed_queries:
    input:
        queries=INPUTS.queries,
        weights=INPUTS.deploy_weights,
    output:
        paths.QUERIES,
    log:
        "logs/embed_queries/all.log",
    benchmark:
        "benchmarks/embed_queries/all.tsv"
    conda:
        "../envs/tf.yaml"
    threads: 1
    params:
        **params.deploy_audio(S),
        queries=S.deploy.queries,
        hop_s=S.segment.hop_s,
    script:
        "../workflow_scripts/embed_queries.py"


rule search_deploy:
    input:
        queries=paths.QUERIES,
        shards=INPUTS.deploy_windows,
    output:
        hits=reported(paths.HITS, "hits", "Deployment"),
        raven=directory(paths.HITS_RAVEN),
    log:
        "logs/search_deploy/{dataset}.log",
    benchmark:
        "benchmarks/search_deploy/{dataset}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        top_k=S.deploy.top_k,
        centre=S.deploy.centre,
    script:
        "../workflow_scripts/search_deploy.py"


# The hits and detections of a deployment, to look at and listen to in the explorer.
rule deploy_media:
    input:
        hits=INPUTS.hits,
        events=INPUTS.events,
        audio=INPUTS.data_root,
    output:
        paths.MEDIA,
    log:
        "logs/deploy_media/{dataset}.log",
    benchmark:
        "benchmarks/deploy_media/{dataset}.tsv"
    conda:
        "../envs/tf.yaml"
    threads: 1
    params:
        max_media=S.explorer.max_media,
        audio=S.audio.result(),
        spectrogram=S.spectrogram.result(),
    script:
        "../workflow_scripts/deploy_media.py"
