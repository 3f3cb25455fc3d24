# Raw audio -> the clip manifest and data check of each dataset (the demo is generated first when data.root is resources/demo).


rule make_demo_data:
    output:
        directory(paths.DEMO),
    log:
        "logs/make_demo_data/demo.log",
    benchmark:
        "benchmarks/make_demo_data/demo.tsv"
    conda:
        "../envs/audio.yaml"
    threads: 1
    params:
        demo=S.demo.result(),
        seed=S.seed,
    script:
        "../workflow_scripts/make_demo_data.py"


rule segment_recordings:
    input:
        INPUTS.data_root,
    output:
        manifest=paths.MANIFEST,
        check=paths.CHECK,
    log:
        "logs/segment_recordings/{dataset}.log",
    benchmark:
        "benchmarks/segment_recordings/{dataset}.tsv"
    conda:
        "../envs/audio.yaml"
    threads: 1
    params:
        dataset=INPUTS.dataset,
        root=S.data.root,
        segment=S.segment.result(),
        on_bad_audio=S.data.on_bad_audio,
    script:
        "../workflow_scripts/segment_recordings.py"


rule validate_data:
    input:
        expand(paths.CHECK, dataset=DATASETS),
    output:
        markdown=reported(paths.CHECK_MARKDOWN, "data_check", "Data"),
        json=paths.CHECK_SUMMARY,
    log:
        "logs/validate_data/all.log",
    benchmark:
        "benchmarks/validate_data/all.tsv"
    conda:
        "../envs/audio.yaml"
    threads: 1
    params:
        needs=params.data_needs(S),
    script:
        "../workflow_scripts/validate_data.py"


# What the configured run asks of the data (few-shot sizes, the pretraining batch and time):
# advisory and a leaf, so that changing those settings reruns nothing behind the data gate.
rule check_plan:
    input:
        expand(paths.CHECK, dataset=DATASETS),
    output:
        markdown=reported(paths.PLAN_MARKDOWN, "data_plan", "Data"),
        json=paths.PLAN_SUMMARY,
    log:
        "logs/check_plan/all.log",
    benchmark:
        "benchmarks/check_plan/all.tsv"
    conda:
        "../envs/audio.yaml"
    threads: 1
    params:
        plan=params.data_plan(S),
    script:
        "../workflow_scripts/check_plan.py"


# Stops the run before any heavy job when the data check found a problem that would make a
# later job fail (or leakage, with data.on_leakage: error). Every cache job waits for it.
rule data_gate:
    input:
        paths.CHECK_SUMMARY,
    output:
        paths.GATE,
    log:
        "logs/data_gate/all.log",
    benchmark:
        "benchmarks/data_gate/all.tsv"
    conda:
        "../envs/audio.yaml"
    threads: 1
    params:
        on_leakage=S.data.on_leakage,
    script:
        "../workflow_scripts/data_gate.py"
