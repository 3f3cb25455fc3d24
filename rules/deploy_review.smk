# Review of one sound in a deployment, per round: the validation sample (stratified by site and
# score bin), the active-learning sample near the threshold in use, a review page for each, the
# demo's simulated reviewer, call density per site, hour and day, and the rounds side by side.


rule validation_sample:
    input:
        classifier=paths.CLASSIFIER,
        scores=paths.SCORES,
    output:
        paths.review("validation.selections.txt"),
    log:
        "logs/validation_sample/{dataset}/{sound}/round-{round}.log",
    benchmark:
        "benchmarks/validation_sample/{dataset}/{sound}/round-{round}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        review=S.deploy.review.sampling(),
        seed=S.seed,
    script:
        "../workflow_scripts/validation_sample.py"


rule active_sample:
    input:
        classifier=paths.CLASSIFIER,
        scores=paths.SCORES,
        validation=paths.review("validation.selections.txt"),
        threshold=paths.detection("threshold.json"),
    output:
        paths.review("active.selections.txt"),
    log:
        "logs/active_sample/{dataset}/{sound}/round-{round}.log",
    benchmark:
        "benchmarks/active_sample/{dataset}/{sound}/round-{round}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        review=S.deploy.review.sampling(),
    script:
        "../workflow_scripts/active_sample.py"


# A page to review one sample in the browser: each window's spectrogram and sound, keys to mark.
rule review_page:
    input:
        sample=paths.review("{kind}.selections.txt"),
        audio=INPUTS.data_root,
    output:
        paths.review("{kind}.html"),
    log:
        "logs/review_page/{dataset}/{sound}/round-{round}.{kind}.log",
    benchmark:
        "benchmarks/review_page/{dataset}/{sound}/round-{round}.{kind}.tsv"
    conda:
        "../envs/tf.yaml"
    threads: 1
    params:
        audio=S.audio.result(),
        spectrogram=S.spectrogram.result(),
        marks=[
            S.deploy.review.positive[0],
            S.deploy.review.negative[0],
            S.deploy.review.unsure[0],
        ],
    script:
        "../workflow_scripts/review_page.py"


# The demo's reviewer: answers each sample from the known events of the sound.
rule simulate_review:
    input:
        sample=paths.review("{kind}.selections.txt"),
        truth=INPUTS.truth,
    output:
        paths.review("{kind}.reviewed.txt"),
    log:
        "logs/simulate_review/{dataset}/{sound}/round-{round}.{kind}.log",
    benchmark:
        "benchmarks/simulate_review/{dataset}/{sound}/round-{round}.{kind}.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    params:
        truth=INPUTS.truth_of,
        marks=[S.deploy.review.positive[0], S.deploy.review.negative[0]],
    script:
        "../workflow_scripts/simulate_review.py"


rule estimate_density:
    input:
        classifier=paths.CLASSIFIER,
        scores=paths.SCORES,
        reviewed=INPUTS.reviewed_validation,
        census=INPUTS.reviewed_table,
        earlier=INPUTS.earlier_here,
        truth=INPUTS.truth,
    output:
        density=paths.detection("density.csv"),
        figure=reported(paths.detection("density.png"), "density", "Deployment"),
        summary=paths.detection("density.json"),
    log:
        "logs/estimate_density/{dataset}/{sound}/round-{round}.log",
    benchmark:
        "benchmarks/estimate_density/{dataset}/{sound}/round-{round}.tsv"
    conda:
        "../envs/report.yaml"
    threads: 1
    params:
        estimate=INPUTS.density,
        seed=S.seed,
        dpi=S.figures.dpi,
    script:
        "../workflow_scripts/estimate_density.py"


rule summarize_rounds:
    input:
        unpack(INPUTS.rounds),
    output:
        table=paths.ROUNDS.replace("{ext}", "csv"),
        figure=reported(paths.ROUNDS.replace("{ext}", "png"), "rounds", "Deployment"),
    log:
        "logs/summarize_rounds/{dataset}/{sound}.log",
    benchmark:
        "benchmarks/summarize_rounds/{dataset}/{sound}.tsv"
    conda:
        "../envs/report.yaml"
    threads: 1
    params:
        rounds=INPUTS.round_numbers,
        dpi=S.figures.dpi,
    script:
        "../workflow_scripts/summarize_rounds.py"
