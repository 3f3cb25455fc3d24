# One embedder on whole deployments (datasets with role deploy): windows -> vectors -> search
# by example, a linear classifier per sound, detections, site x hour summaries.


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


rule train_classifier:
    input:
        examples=INPUTS.classifier_examples,
        reviewed=INPUTS.reviewed_table,
    output:
        paths.CLASSIFIER,
    log:
        "logs/train_classifier/{sound}.log",
    benchmark:
        "benchmarks/train_classifier/{sound}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        classifier=INPUTS.classifier,
        embedder=S.deploy.embedder,
        target_precision=S.deploy.detect.target_precision,
        seed=S.seed,
    script:
        "../workflow_scripts/train_classifier.py"


rule score_deploy:
    input:
        classifier=paths.CLASSIFIER,
        shards=INPUTS.deploy_windows,
    output:
        paths.SCORES,
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
        classifier=paths.CLASSIFIER,
        scores=paths.SCORES,
    output:
        **reported_files(paths.DETECTIONS, "Deployment", *params.DETECTION_REPORT),
        events=paths.detection("events.csv"),
        raven=directory(paths.detection("raven")),
        daily=paths.detection("site_day.csv"),
        event_scores=paths.detection("event_scores.csv"),
        occupancy=paths.detection("occupancy.csv"),
    log:
        "logs/detect_events/{dataset}/{sound}.log",
    benchmark:
        "benchmarks/detect_events/{dataset}/{sound}.tsv"
    conda:
        "../envs/report.yaml"
    threads: 1
    params:
        detect=S.deploy.detect.result(),
        hop_s=INPUTS.hop_s,
        truth=[S.deploy.truth, S.deploy.truth_label_column],
        seed=S.seed,
        dpi=S.figures.dpi,
    script:
        "../workflow_scripts/detect_events.py"


rule review_samples:
    input:
        classifier=paths.CLASSIFIER,
        scores=paths.SCORES,
        reviewed=INPUTS.reviewed_table,
    output:
        validation=paths.review("validation.selections.txt"),
        active=paths.review("active.selections.txt"),
    log:
        "logs/review_samples/{dataset}/{sound}.log",
    benchmark:
        "benchmarks/review_samples/{dataset}/{sound}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        review=S.deploy.review.sampling(),
        classifier=INPUTS.classifier,
        seed=S.seed,
    script:
        "../workflow_scripts/review_samples.py"


# The demo's reviewer: answers its validation sample from the known events.
rule simulate_review:
    input:
        validation=paths.review("validation.selections.txt"),
        truth=INPUTS.truth,
    output:
        paths.review("validation.reviewed.txt"),
    log:
        "logs/simulate_review/{dataset}/{sound}.log",
    benchmark:
        "benchmarks/simulate_review/{dataset}/{sound}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        truth=[S.deploy.truth, S.deploy.truth_label_column],
        marks=[S.deploy.review.positive[0], S.deploy.review.negative[0]],
    script:
        "../workflow_scripts/simulate_review.py"


rule estimate_density:
    input:
        scores=paths.SCORES,
        reviewed=INPUTS.reviewed_validation,
        truth=INPUTS.truth,
    output:
        density=paths.detection("density.csv"),
        figure=reported(paths.detection("density.png"), "density", "Deployment"),
        summary=paths.detection("density.json"),
    log:
        "logs/estimate_density/{dataset}/{sound}.log",
    benchmark:
        "benchmarks/estimate_density/{dataset}/{sound}.tsv"
    conda:
        "../envs/report.yaml"
    threads: 1
    params:
        review=S.deploy.review.estimate(),
        hop_s=INPUTS.hop_s,
        truth=[S.deploy.truth, S.deploy.truth_label_column],
        seed=S.seed,
        dpi=S.figures.dpi,
    script:
        "../workflow_scripts/estimate_density.py"


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
