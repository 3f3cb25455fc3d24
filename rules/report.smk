# Per-job scores -> the study's tables, figures for the report.


rule aggregate_tables:
    input:
        rf=per_pair("results/evaluation/rf/{embedder}/{dataset}.json", EMBEDDERS),
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
        clusters=report(
            "results/tables/cluster_scores.csv",
            caption="../report/cluster_scores.rst",
            category="Tables",
        ),
        left_out=report(
            "results/tables/left_out_classes.csv",
            caption="../report/left_out.rst",
            category="Tables",
        ),
        surfperch=report(
            "results/tables/fewshot_surfperch.csv",
            caption="../report/fewshot_surfperch.rst",
            category="Tables",
        ),
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
        long="results/tables/scores_long.parquet",
        confusion="results/tables/confusion_matrices.json",
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
        cramers_v=report(
            "results/figures/cramers_v.png",
            caption="../report/cramers_v.rst",
            category="Figures",
        ),
        confusion=report(
            "results/figures/confusion_rf_grouped.png",
            caption="../report/confusion.rst",
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
        embedders=FEATURES,
        datasets=TEST_SETS,
    script:
        "../workflow_scripts/plot_figures.py"


# Only when the test sets are the study's six locations (see get_final_outputs).
rule plot_published:
    input:
        rf="results/tables/RF_results.csv",
        published=workflow.source_path("../reference/published_test_f1.csv"),
    output:
        report(
            "results/figures/published_vs_reproduced.png",
            caption="../report/published.rst",
            category="Figures",
        ),
    log:
        "logs/plot_published/all.log",
    benchmark:
        "benchmarks/plot_published/all.tsv"
    conda:
        "../envs/report.yaml"
    params:
        dpi=config["figures"]["dpi"],
    script:
        "../workflow_scripts/plot_published.py"


# The answer first: one static page per run (results/index.html).
rule build_results_page:
    input:
        summary="results/tables/grouped_summary.csv",
        paired="results/tables/paired_differences.csv",
        rf="results/tables/RF_results.csv",
        chisq="results/tables/chisq_results.csv",
        figures=[
            "results/figures/grouped_f1.png",
            "results/figures/test_f1.png",
            "results/figures/fewshot.png",
            "results/figures/cramers_v.png",
            "results/figures/umap_grid.png",
        ],
    output:
        report(
            "results/index.html",
            caption="../report/index_page.rst",
            category="Start here",
        ),
    log:
        "logs/build_results_page/all.log",
    benchmark:
        "benchmarks/build_results_page/all.tsv"
    conda:
        "../envs/report.yaml"
    params:
        title="ReefCLR: which embedding tells these reef sounds apart",
        notice=DEMO_NOTICE,
    script:
        "../workflow_scripts/build_results_page.py"


# Look and listen: every embedder's 2-D UMAP per test set, spectrograms on hover, audio on click.
rule build_explorer:
    input:
        coords=per_pair("results/evaluation/umap2d/{embedder}/{dataset}.parquet"),
        clusters=per_pair(
            "results/evaluation/cluster/{embedder}/{dataset}.clusters.parquet"
        ),
        embeddings=per_pair("results/embeddings/{embedder}/{dataset}.parquet"),
        manifests=expand("results/manifests/{dataset}.parquet", dataset=TEST_SETS),
        deploy=expand(
            "results/deploy/{dataset}/media.parquet",
            dataset=params.deploy_sets(config),
        ),
        cache=[
            f
            for d in TEST_SETS
            for n in ("wave.npy", "mel.npy", "index.parquet")
            for f in cache_files(d, n)
        ],
    output:
        report(
            "results/explorer.html",
            caption="../report/explorer.rst",
            category="Start here",
        ),
    log:
        "logs/build_explorer/all.log",
    benchmark:
        "benchmarks/build_explorer/all.tsv"
    conda:
        "../envs/report.yaml"
    params:
        explorer=config["explorer"],
        embedders=FEATURES,
        datasets=TEST_SETS,
        deployments=params.deploy_sets(config),
        shards={d: DATASETS[d]["shards"] for d in TEST_SETS},
        seed=config["seed"],
        sample_rate=config["spectrogram"]["sample_rate"],
        title="ReefCLR explorer: look and listen",
        demo_note=DEMO_NOTICE,
        paths={
            "manifest": "results/manifests/{dataset}.parquet",
            "shard": "results/cache/{dataset}/shard-{shard}",
            "embeddings": "results/embeddings/{embedder}/{dataset}.parquet",
            "coords": "results/evaluation/umap2d/{embedder}/{dataset}.parquet",
            "clusters": "results/evaluation/cluster/{embedder}/{dataset}.clusters.parquet",
        },
    script:
        "../workflow_scripts/build_explorer.py"
