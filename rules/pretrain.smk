# Cached pretraining clips -> the SimCLR-trained ReefCLR encoder.


rule pretrain_simclr:
    input:
        cache=get_pretrain_cache,
        knn=get_knn_cache,
    output:
        encoder="results/models/reefclr/encoder.pt",
        history="results/models/reefclr/train_log.csv",
        curve=report(
            "results/models/reefclr/loss_curve.png",
            caption="../report/loss_curve.rst",
            category="Pretraining",
        ),
        card="results/models/reefclr/model_card.json",
    log:
        "logs/pretrain_simclr/reefclr.log",
    benchmark:
        "benchmarks/pretrain_simclr/reefclr.tsv"
    conda:
        "../envs/torch.yaml"
    threads: pretrain_cpus(config["pretrain"])
    resources:
        gpu=config["pretrain"]["gpus"],
        mem_mb=8000,
        cpus_per_task=pretrain_cpus(config["pretrain"]),
    params:
        pretrain=result_settings(config, "pretrain"),
        model_input=config["model_input"],
        spectrogram=result_settings(config, "spectrogram"),
        seed=config["seed"],
        run_hash=get_run_hash(),
        checkpoint="results/models/reefclr/checkpoints/last.pt",
    script:
        "../workflow_scripts/pretrain_simclr.py"
