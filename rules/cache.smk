# Clip manifest -> per-shard cache of 8 kHz waveforms and mel power spectrograms. The data gate
# comes before every heavy job; ancient: a rewritten check (a dataset added) reruns no cache.


rule build_spectrogram_cache:
    input:
        manifest=paths.MANIFEST,
        audio=INPUTS.data_root,
        gate=ancient(paths.GATE),
    output:
        wave=paths.cache_file("wave.npy"),
        mel=paths.cache_file("mel.npy"),
        index=paths.cache_file("index.parquet"),
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
        audio=S.audio.result(),
        spectrogram=S.spectrogram.result(),
        on_bad_audio=S.data.on_bad_audio,
    script:
        "../workflow_scripts/build_spectrogram_cache.py"
