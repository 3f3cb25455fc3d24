# Per-job scores -> the study's tables, figures for the report.


rule aggregate_tables:
    input:
        rf=per_pair("results/evaluation/rf/{embedder}/{dataset}.json"),
        cluster=per_pair("results/evaluation/cluster/{embedder}/{dataset}.json"),
        grouped=per_pair(
            "results/evaluation/grouped/{probe}/{embedder}/{dataset}.parquet",
            probe=PROBES,
        ),
    output:
        rf=report(
            "results/tables/RF_results.csv",
            caption="../report/rf_table.rst",
            category="Tables",
        ),
        chisq=report(
            "results/tables/chisq_results.csv",
            caption="../report/chisq_table.rst",
            category="Tables",
        ),
        long="results/tables/scores_long.csv",
        long_parquet="results/tables/scores_long.parquet",
        summary=report(
            "results/tables/grouped_summary.csv",
            caption="../report/grouped_summary.rst",
            category="Tables",
        ),
        paired=report(
            "results/tables/paired_differences.csv",
            caption="../report/paired_differences.rst",
            category="Tables",
        ),
        confusion="results/tables/confusion_matrices.json",
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
        rf="results/tables/RF_results.csv",
        chisq="results/tables/chisq_results.csv",
        summary="results/tables/grouped_summary.csv",
        coords=per_pair("results/evaluation/umap2d/{embedder}/{dataset}.parquet"),
    output:
        umap=report(
            "results/figures/umap_grid.png",
            caption="../report/umap_grid.rst",
            category="Figures",
        ),
        f1=report(
            "results/figures/test_f1.png",
            caption="../report/test_f1.rst",
            category="Figures",
        ),
        chisq=report(
            "results/figures/chisq.png",
            caption="../report/chisq.rst",
            category="Figures",
        ),
        grouped=report(
            "results/figures/grouped_f1.png",
            caption="../report/grouped_f1.rst",
            category="Figures",
        ),
        fewshot=report(
            "results/figures/fewshot.png",
            caption="../report/fewshot.rst",
            category="Figures",
        ),
    log:
        "logs/plot_figures/all.log",
    benchmark:
        "benchmarks/plot_figures/all.tsv"
    conda:
        "../envs/report.yaml"
    threads: 1
    params:
        figures=config["figures"],
        embedders=EMBEDDERS,
        datasets=TEST_SETS,
    script:
        "../workflow_scripts/plot_figures.py"
