# Cached pretraining clips -> the SimCLR-trained ReefCLR encoder.


rule pretrain_simclr:
    input:
        unpack(INPUTS.pretraining),
    output:
        encoder=paths.ENCODER,
        history=paths.TRAIN_LOG,
        curve=reported(paths.LOSS_CURVE, "loss_curve", "Pretraining"),
        card=paths.MODEL_CARD,
        checks=paths.DIAGNOSTICS,
    log:
        "logs/pretrain_simclr/reefclr.log",
    benchmark:
        "benchmarks/pretrain_simclr/reefclr.tsv"
    conda:
        "../envs/torch.yaml"
    threads: params.pretrain_cpus(S.pretrain)
    resources:
        gpu=S.pretrain.gpus,
        mem_mb=8000,
        cpus_per_task=params.pretrain_cpus(S.pretrain),
    params:
        run=params.pretraining(S),
    script:
        "../workflow_scripts/pretrain_simclr.py"
