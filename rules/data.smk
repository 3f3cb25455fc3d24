# Raw audio -> the clip manifest of each dataset (the demo is generated first when enabled).


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
        "results/manifests/{dataset}.parquet",
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
    script:
        "../workflow_scripts/segment_recordings.py"
