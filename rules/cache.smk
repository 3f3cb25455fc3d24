# Clip manifest -> per-shard cache of 8 kHz waveforms and mel power spectrograms.


rule build_spectrogram_cache:
    input:
        manifest="results/manifests/{dataset}.parquet",
        audio=get_data_root_input,
        # The data gate comes before every heavy job; ancient: a rewritten check (a dataset
        # added) reruns no cache.
        gate=ancient("results/data_check/passed.json"),
    output:
        wave="results/cache/{dataset}/shard-{shard}/wave.npy",
        mel="results/cache/{dataset}/shard-{shard}/mel.npy",
        index="results/cache/{dataset}/shard-{shard}/index.parquet",
    log:
        "logs/build_spectrogram_cache/{dataset}/shard-{shard}.log",
    benchmark:
        "benchmarks/build_spectrogram_cache/{dataset}/shard-{shard}.tsv"
    conda:
        "../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        root=config["data"]["root"],
        spectrogram=result_settings(config, "spectrogram"),
        segment=config["segment"],
        on_bad_audio=config["data"]["on_bad_audio"],
    script:
        "../workflow_scripts/build_spectrogram_cache.py"
