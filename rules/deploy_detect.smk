# One sound in a deployment, one review round at a time: a linear classifier (round k + 1 learns
# from every window reviewed in rounds 0..k), every window scored, the threshold and what a score
# means there, detections and their summaries, and scores against known events.


rule train_classifier:
    input:
        examples=INPUTS.classifier_examples,
        reviewed=INPUTS.reviewed_table,
        rounds=INPUTS.round_reviews,
    output:
        paths.CLASSIFIER,
    log:
        "logs/train_classifier/{sound}/round-{round}.log",
    benchmark:
        "benchmarks/train_classifier/{sound}/round-{round}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        classifier=INPUTS.classifier,
        rounds=INPUTS.round_review_sets,
        review=S.deploy.review.reading(),
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
        "logs/score_deploy/{dataset}/{sound}/round-{round}.log",
    benchmark:
        "benchmarks/score_deploy/{dataset}/{sound}/round-{round}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    script:
        "../workflow_scripts/score_deploy.py"


rule choose_threshold:
    input:
        classifier=paths.CLASSIFIER,
        scores=paths.SCORES,
        reviewed=INPUTS.reviewed_validation,
    output:
        threshold=paths.detection("threshold.json"),
        curve=paths.detection("threshold_curve.csv"),
        calibration=paths.detection("calibration.csv"),
    log:
        "logs/choose_threshold/{dataset}/{sound}/round-{round}.log",
    benchmark:
        "benchmarks/choose_threshold/{dataset}/{sound}/round-{round}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        detect=S.deploy.detect.threshold_choice(),
        review=S.deploy.review.reading(),
        seed=S.seed,
    script:
        "../workflow_scripts/choose_threshold.py"


# What a score means, drawn apart from the threshold, so a figure setting reruns no round.
rule plot_calibration:
    input:
        calibration=paths.detection("calibration.csv"),
        scores=paths.SCORES,
        reviewed=INPUTS.reviewed_validation,
    output:
        reported(paths.detection("calibration.png"), "calibration", "Deployment"),
    log:
        "logs/plot_calibration/{dataset}/{sound}/round-{round}.log",
    benchmark:
        "benchmarks/plot_calibration/{dataset}/{sound}/round-{round}.tsv"
    conda:
        "../envs/report.yaml"
    threads: 1
    params:
        review=S.deploy.review.reading(),
        dpi=S.figures.dpi,
    script:
        "../workflow_scripts/plot_calibration.py"


rule detect_events:
    input:
        classifier=paths.CLASSIFIER,
        scores=paths.SCORES,
        threshold=paths.detection("threshold.json"),
        calibration=paths.detection("calibration.csv"),
    output:
        **reported_files(paths.DETECTIONS, "Deployment", *params.DETECTION_REPORT),
        events=paths.detection("events.csv"),
        raven=directory(paths.detection("raven")),
        daily=paths.detection("site_day.csv"),
        occupancy=paths.detection("occupancy.csv"),
    log:
        "logs/detect_events/{dataset}/{sound}/round-{round}.log",
    benchmark:
        "benchmarks/detect_events/{dataset}/{sound}/round-{round}.tsv"
    conda:
        "../envs/report.yaml"
    threads: 1
    params:
        detect=S.deploy.detect.events(),
        hop_s=INPUTS.hop_s,
        dpi=S.figures.dpi,
    script:
        "../workflow_scripts/detect_events.py"


rule score_events:
    input:
        classifier=paths.CLASSIFIER,
        scores=paths.SCORES,
        events=paths.detection("events.csv"),
        truth=INPUTS.truth,
    output:
        table=paths.detection("event_scores.csv"),
        summary=paths.detection("event_scores.json"),
    log:
        "logs/score_events/{dataset}/{sound}/round-{round}.log",
    benchmark:
        "benchmarks/score_events/{dataset}/{sound}/round-{round}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        truth=INPUTS.truth_of,
        detect=S.deploy.detect.matching(),
        seed=S.seed,
    script:
        "../workflow_scripts/score_events.py"
