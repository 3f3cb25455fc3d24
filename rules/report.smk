# Per-job scores -> the study's tables, figures, the results page and the explorer.


rule aggregate_tables:
    input:
        rf=per_pair(paths.RF, EMBEDDERS),
        cluster=per_pair(paths.CLUSTER),
        grouped=per_pair(paths.GROUPED, probe=params.PROBES),
    output:
        **reported_files(paths.TABLE, "Tables", *params.REPORTED_TABLES),
        long=paths.table("scores_long.csv"),
        long_parquet=paths.table("scores_long.parquet"),
        confusion=paths.table("confusion_matrices.json"),
    log:
        "logs/aggregate_tables/all.log",
    benchmark:
        "benchmarks/aggregate_tables/all.tsv"
    conda:
        "../envs/eval.yaml"
    threads: 1
    script:
        "../workflow_scripts/aggregate_tables.py"


rule plot_figures:
    input:
        rf=paths.table("RF_results.csv"),
        chisq=paths.table("chisq_results.csv"),
        summary=paths.table("grouped_summary.csv"),
        long=paths.table("scores_long.parquet"),
        confusion=paths.table("confusion_matrices.json"),
        coords=per_pair(paths.UMAP2D),
    output:
        **reported_files(paths.FIGURE, "Figures", *params.FIGURES),
    log:
        "logs/plot_figures/all.log",
    benchmark:
        "benchmarks/plot_figures/all.tsv"
    conda:
        "../envs/report.yaml"
    threads: 1
    params:
        figures=S.figures.result(),
        embedders=FEATURES,
        datasets=TEST_SETS,
    script:
        "../workflow_scripts/plot_figures.py"


# Only when the test sets are the study's six locations (reefclr.params.targets).
rule plot_published:
    input:
        rf=paths.table("RF_results.csv"),
        published=workflow.source_path("../reference/published_test_f1.csv"),
    output:
        reported(
            paths.figure("published_vs_reproduced.png"),
            "published_vs_reproduced",
            "Figures",
        ),
    log:
        "logs/plot_published/all.log",
    benchmark:
        "benchmarks/plot_published/all.tsv"
    conda:
        "../envs/report.yaml"
    params:
        dpi=S.figures.dpi,
    script:
        "../workflow_scripts/plot_published.py"


# The answer first: one static page per run.
rule build_results_page:
    input:
        summary=paths.table("grouped_summary.csv"),
        paired=paths.table("paired_differences.csv"),
        rf=paths.table("RF_results.csv"),
        chisq=paths.table("chisq_results.csv"),
        figures=[paths.figure(f) for f in params.PAGE_FIGURES],
        deployments=INPUTS.deployment_files,
        pretraining=INPUTS.pretraining_report,
    output:
        reported(paths.INDEX, "index_page", "Start here"),
    log:
        "logs/build_results_page/all.log",
    benchmark:
        "benchmarks/build_results_page/all.tsv"
    conda:
        "../envs/report.yaml"
    params:
        notice=DEMO_NOTICE,
        deployments=INPUTS.deployment_parts,
    script:
        "../workflow_scripts/build_results_page.py"


# Look and listen: every embedder's 2-D UMAP per test set, spectrograms on hover, audio on click.
rule build_explorer:
    input:
        unpack(INPUTS.explorer),
    output:
        reported(paths.EXPLORER, "explorer", "Start here"),
    log:
        "logs/build_explorer/all.log",
    benchmark:
        "benchmarks/build_explorer/all.tsv"
    conda:
        "../envs/report.yaml"
    params:
        explorer=S.explorer.result(),
        embedders=FEATURES,
        datasets=TEST_SETS,
        deployments=DEPLOY_SETS,
        review=INPUTS.deployment_parts,
        seed=S.seed,
        notice=DEMO_NOTICE,
    script:
        "../workflow_scripts/build_explorer.py"
