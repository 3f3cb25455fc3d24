# Using one embedder on whole deployments (datasets with role deploy): windows -> vectors ->
# search by example, a linear classifier per sound, detections, site x hour summaries.

DEPLOY_SETS = params.deploy_sets(config)
DEPLOY = config["deploy"]
SOUNDS = list(DEPLOY["classifiers"])


wildcard_constraints:
    sound="|".join(SOUNDS) or "^$",


DEPLOY_AUDIO = dict(
    root=config["data"]["root"],
    clip_s=config["segment"]["clip_s"],
    channel=config["segment"]["channel"],
    embedder=params_slice(DEPLOY["embedder"], config),
    spectrogram=result_settings(config, "spectrogram"),
)


rule embed_deploy:
    input:
        manifest="results/manifests/{dataset}.parquet",
        gate=ancient("results/data_check/passed.json"),
        audio=get_data_root_input,
        weights=lambda w: embedder_weights(DEPLOY["embedder"]),
    output:
        "results/deploy/{dataset}/windows/shard-{shard}.parquet",
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
        **DEPLOY_AUDIO,
    script:
        "../workflow_scripts/embed_deploy.py"


rule embed_queries:
    input:
        queries=lambda w: params.queries_input(config, DEMO_ROOT if IS_DEMO else None),
        weights=lambda w: embedder_weights(DEPLOY["embedder"]),
    output:
        "results/deploy/queries/vectors.parquet",
    log:
        "logs/embed_queries/all.log",
    benchmark:
        "benchmarks/embed_queries/all.tsv"
    conda:
        "../envs/tf.yaml"
    threads: 1
    params:
        **DEPLOY_AUDIO,
        queries=DEPLOY["queries"],
        hop_s=config["segment"]["hop_s"],
        extensions=["wav", "flac", "mp3", "ogg", "aif", "aiff"],
    script:
        "../workflow_scripts/embed_queries.py"


rule search_deploy:
    input:
        queries="results/deploy/queries/vectors.parquet",
        shards=lambda w: params.deploy_shards(config, w.dataset),
    output:
        hits=report(
            "results/deploy/{dataset}/search/hits.csv",
            caption="../report/search_hits.rst",
            category="Deployment",
        ),
        raven=directory("results/deploy/{dataset}/search/raven"),
    log:
        "logs/search_deploy/{dataset}.log",
    benchmark:
        "benchmarks/search_deploy/{dataset}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        top_k=DEPLOY["top_k"],
    script:
        "../workflow_scripts/search_deploy.py"


rule train_classifier:
    input:
        examples=lambda w: params.classifier_examples(config, w.sound),
        reviewed=lambda w: params.reviewed_table(config, w.sound),
    output:
        "results/deploy/classifiers/{sound}.json",
    log:
        "logs/train_classifier/{sound}.log",
    benchmark:
        "benchmarks/train_classifier/{sound}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        classifier=lambda w: DEPLOY["classifiers"][w.sound],
        embedder=DEPLOY["embedder"],
        target_precision=DEPLOY["detect"]["target_precision"],
        root=config["data"]["root"],
        seed=config["seed"],
    script:
        "../workflow_scripts/train_classifier.py"


rule score_deploy:
    input:
        classifier="results/deploy/classifiers/{sound}.json",
        shards=lambda w: params.deploy_shards(config, w.dataset),
    output:
        "results/deploy/{dataset}/scores/{sound}.parquet",
    log:
        "logs/score_deploy/{dataset}/{sound}.log",
    benchmark:
        "benchmarks/score_deploy/{dataset}/{sound}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    script:
        "../workflow_scripts/score_deploy.py"


rule detect_events:
    input:
        classifier="results/deploy/classifiers/{sound}.json",
        scores="results/deploy/{dataset}/scores/{sound}.parquet",
    output:
        events="results/deploy/{dataset}/detections/{sound}/events.csv",
        raven=directory("results/deploy/{dataset}/detections/{sound}/raven"),
        hourly=report(
            "results/deploy/{dataset}/detections/{sound}/site_hour.csv",
            caption="../report/site_hour.rst",
            category="Deployment",
        ),
        daily="results/deploy/{dataset}/detections/{sound}/site_day.csv",
        diel=report(
            "results/deploy/{dataset}/detections/{sound}/diel.png",
            caption="../report/diel.rst",
            category="Deployment",
        ),
        series=report(
            "results/deploy/{dataset}/detections/{sound}/series.png",
            caption="../report/series.rst",
            category="Deployment",
        ),
        summary=report(
            "results/deploy/{dataset}/detections/{sound}/summary.json",
            caption="../report/detections.rst",
            category="Deployment",
        ),
    log:
        "logs/detect_events/{dataset}/{sound}.log",
    benchmark:
        "benchmarks/detect_events/{dataset}/{sound}.tsv"
    conda:
        "../envs/report.yaml"
    threads: 1
    params:
        detect=DEPLOY["detect"],
        hop_s=lambda w: DATASETS[w.dataset]["hop_s"] or config["segment"]["hop_s"],
        truth=DEPLOY["truth"],
        truth_label_column=DEPLOY["truth_label_column"],
        root=config["data"]["root"],
        dpi=config["figures"]["dpi"],
    script:
        "../workflow_scripts/detect_events.py"


# The hits and detections of a deployment, to look at and listen to in the explorer.
rule deploy_media:
    input:
        hits=lambda w: (
            [f"results/deploy/{w.dataset}/search/hits.csv"]
            if DEPLOY["queries"]
            else []
        ),
        events=expand(
            "results/deploy/{{dataset}}/detections/{sound}/events.csv", sound=SOUNDS
        ),
        audio=get_data_root_input,
    output:
        "results/deploy/{dataset}/media.parquet",
    log:
        "logs/deploy_media/{dataset}.log",
    benchmark:
        "benchmarks/deploy_media/{dataset}.tsv"
    conda:
        "../envs/tf.yaml"
    threads: 1
    params:
        sounds=SOUNDS,
        max_media=config["explorer"]["max_media"],
        root=config["data"]["root"],
        clip_s=config["segment"]["clip_s"],
        channel=config["segment"]["channel"],
        spectrogram=result_settings(config, "spectrogram"),
    script:
        "../workflow_scripts/deploy_media.py"
