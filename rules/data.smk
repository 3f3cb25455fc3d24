# Raw audio -> the clip manifest and data check of each dataset (the demo is generated first when data.root is resources/demo).


rule make_demo_data:
    output:
        directory("resources/demo"),
    log:
        "logs/make_demo_data/demo.log",
    benchmark:
        "benchmarks/make_demo_data/demo.tsv"
    conda:
        "../envs/audio.yaml"
    threads: 1
    params:
        demo=config["demo"],
        seed=config["seed"],
    script:
        "../workflow_scripts/make_demo_data.py"


rule segment_recordings:
    input:
        get_data_root_input,
    output:
        manifest="results/manifests/{dataset}.parquet",
        check="results/data_check/{dataset}.json",
    log:
        "logs/segment_recordings/{dataset}.log",
    benchmark:
        "benchmarks/segment_recordings/{dataset}.tsv"
    conda:
        "../envs/audio.yaml"
    threads: 1
    params:
        spec=get_dataset_spec,
        root=config["data"]["root"],
        segment=config["segment"],
        on_bad_audio=config["data"]["on_bad_audio"],
    script:
        "../workflow_scripts/segment_recordings.py"


rule validate_data:
    input:
        expand("results/data_check/{dataset}.json", dataset=DATASETS),
    output:
        markdown=report(
            "results/data_check/summary.md",
            caption="../report/data_check.rst",
            category="Data",
        ),
        json="results/data_check/summary.json",
    log:
        "logs/validate_data/all.log",
    benchmark:
        "benchmarks/validate_data/all.tsv"
    conda:
        "../envs/audio.yaml"
    threads: 1
    params:
        needs=params.data_needs(config),
    script:
        "../workflow_scripts/validate_data.py"


# Stops the run before any heavy job when the data check found a problem that would make a
# later job fail (or leakage, with data.on_leakage: error). Every cache job waits for it.
rule data_gate:
    input:
        "results/data_check/summary.json",
    output:
        "results/data_check/passed.json",
    log:
        "logs/data_gate/all.log",
    benchmark:
        "benchmarks/data_gate/all.tsv"
    conda:
        "../envs/audio.yaml"
    threads: 1
    params:
        on_leakage=config["data"]["on_leakage"],
    script:
        "../workflow_scripts/data_gate.py"
