"""Self-supervision against its untrained twin, one change at a time (docs/pretraining.md).

Each variant of the small-archive recipe pretrains on the cache of ``--pretrain``; the labelled
cache of ``--labelled`` is then embedded by the trained encoder and by its untrained twin (the
same seed at step 0) and both are scored with the workflow's own grouped probes on the same
splits: random forest and linear macro-F1, few-shot ROC-AUC, and the run's grouped k-NN. The
table gives each score with its 95% interval and the paired difference trained - twin.

    python bench/pretraining_ablation.py OUT [--pretrain DIR ...] [--labelled DIR ...]
        [--steps N] [--imagenet resnet50-0676ba61.pth]

Without cache folders it builds both from the MARRS sonotype exemplars (real reef-fish sounds,
shared/data/marrs_sonotypes): sound types with at least two recordings, grouped by recording.
That set is small (2-3 recordings per type): a check that the bench runs on real audio and a
first look, not evidence; the planners' labelled archives are. Runs one variant at a time.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from common import REPO, SPEC, audio, defaults, table, write_section

from reefclr.data import ingest
from reefclr.evaluation import probes
from reefclr.features import cache
from reefclr.features.views import ViewSettings
from reefclr.models.encoders import EncoderArgs
from reefclr.models.simclr import SimCLR
from reefclr.settings import Knn, ModelInput, Select
from reefclr.training import diagnostics, train

MARRS = REPO.parent / "shared" / "data" / "marrs_sonotypes"
VARIANTS = {
    "baseline (the demo's recipe)": {},
    "+ mixup 0.4": {"mixup": 0.4},
    "+ event-rich half (flux)": {"select": Select("flux", 0.5)},
    "+ mixup + event-rich": {"mixup": 0.4, "select": Select("flux", 0.5)},
}
PROBES = {"rf": ("rf_grouped", "macro_f1"), "logreg": ("logreg_grouped", "macro_f1"), "fewshot": ("fewshot", None)}


def marrs_caches(work: Path) -> tuple[list[str], list[str]]:
    """Pretraining: every MARRS recording, clips every 0.48 s. Labelled: the sound types found in
    at least two recordings (file name up to the location code), clips every 0.96 s."""
    files = sorted(p for p in MARRS.rglob("*") if p.suffix.lower() == ".wav")
    sound = {p: re.sub(r"_(aus|ind)_.*$", "", p.stem.lower()) for p in files}
    counts = pd.Series(sound).value_counts()
    for p in files:
        for kind, keep in (("all", True), ("labelled", counts[sound[p]] >= 2)):
            if keep:
                link = work / "audio" / kind / sound[p] / f"{p.parent.name}_{p.name}"
                link.parent.mkdir(parents=True, exist_ok=True)
                if not link.exists():
                    link.symlink_to(p)
    out = []
    for kind, hop, labelled in (("all", 0.48, False), ("labelled", 0.96, True)):
        spec = defaults(data={"datasets": [{"id": f"marrs_{kind}", "role": "test" if labelled else "pretrain",
                                            "format": "folders", "path": ".", "label_from_folder": labelled,
                                            "extensions": ["wav", "WAV"], "hop_s": hop}]}).data.datasets[0]
        manifest, _ = ingest.build_manifest(spec, work / "audio" / kind, defaults(segment={"tail": "pad"}).segment)
        d = work / "cache" / kind / "shard-0"
        if not (d / "index.parquet").exists():
            cache.build_shard(manifest, 0, audio(work / "audio" / kind), SPEC, cache.ShardFiles.in_dir(d))
        out.append([str(d)])
    return out[0], out[1]


def embed_table(model: SimCLR, probe: diagnostics.Probe, index: pd.DataFrame) -> pd.DataFrame:
    h = probe.embed(model.encoder, torch.device("cpu"))
    vectors = pd.DataFrame(h, columns=[f"e{i:04d}" for i in range(h.shape[1])])
    return pd.concat([index[["label", "group"]].reset_index(drop=True).assign(dataset="labelled"), vectors], axis=1)


def scores(tables: dict[str, pd.DataFrame], evaluation) -> pd.DataFrame:
    """Long rows of every probe for every embedder table (the same splits for all)."""
    rows = [probes.run_probe(t, p, evaluation, name)[0] for name, t in tables.items() for p in PROBES]
    return pd.concat(rows, ignore_index=True)


def run_variant(name: str, change: dict, args, shards, labelled, work: Path) -> tuple[list, float]:
    s = defaults(pretrain=dict(encoder="small_resnet", width=16, batch_size=args.batch, steps=args.steps,
                               lr=0.3, checkpoint_every=args.steps, device="cpu", max_hours=None),
                 model_input={"image_size": 64})
    cfg = replace(s.pretrain, knn=Knn("labelled", 10, every=args.steps), **change)
    weights = None
    if change.get("init") == "imagenet":
        cfg, weights = replace(cfg, encoder="resnet50"), str(args.imagenet)
    job = train.PretrainJob(tuple(shards), ViewSettings(cfg, SPEC, ModelInput(64, "power"), 0),
                            str(work / "runs" / f"{len(list((work / 'runs').glob('*')))}.pt"), name, 2,
                            tuple(labelled), weights)
    t0 = time.perf_counter()
    result = train.pretrain(job)
    wall = time.perf_counter() - t0
    torch.manual_seed(0)  # the twin: pretrain's seed, before any update
    twin = SimCLR(EncoderArgs(cfg.encoder, cfg.width), cfg.projection_dim, cfg.init, weights)
    probe, _ = diagnostics.Probe.make(list(labelled), [], ModelInput(64, "power"), 10, 0)
    from reefclr.features.cachedset import CachedSet

    index = CachedSet.open(list(labelled)).index
    keep = np.isin(index["label"].astype(str), np.unique(probe.labels))
    index = index[keep]
    evaluation = replace(s.evaluation, fewshot=replace(s.evaluation.fewshot, shots=(1, 2, 4)))
    long = scores({"trained": embed_table(result.model, probe, index), "twin": embed_table(twin, probe, index)},
                  evaluation)
    summary, paired = probes.summarise(long), probes.paired_differences(long)
    fewshot = probes.paired_differences(long, "roc_auc")
    rows = []
    shots = sorted(p for p in summary.protocol.unique() if p.startswith("fewshot_k"))
    for key, (protocol, metric) in PROBES.items():
        if key == "fewshot":  # the largest k every split affords
            protocol, metric = max(shots, key=lambda p: int(p[len("fewshot_k"):])), "roc_auc"
        part = summary[(summary.protocol == protocol) & (summary.metric == metric)].set_index("embedder")
        pair = (fewshot if key == "fewshot" else paired)
        pair = pair[pair.protocol == protocol].iloc[0]
        sign = 1 if pair.embedder_a == "trained" else -1
        low, high = sorted((sign * pair.ci_low, sign * pair.ci_high))
        rows.append([name, f"{protocol} {metric}", _interval(part.loc["trained"]), _interval(part.loc["twin"]),
                     f"{sign * pair.mean_diff:+.3f} [{low:+.3f}, {high:+.3f}]", int(part.loc["trained"].splits)])
    verdict = diagnostics.against_twin(result.checks)
    rows.append([name, "k-NN (the run's check)", f"{verdict.get('trained', float('nan')):.3f}",
                 f"{verdict.get('twin', float('nan')):.3f}", verdict["verdict"], verdict.get("splits", 0)])
    return rows, wall


def _interval(row) -> str:
    return f"{row['mean']:.3f} [{row.ci_low:.3f}, {row.ci_high:.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pretrain", nargs="*", default=[])
    parser.add_argument("--labelled", nargs="*", default=[])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--imagenet", type=Path, help="the torchvision ImageNet ResNet50 file: adds that variant")
    args = parser.parse_args()
    work = args.out
    (work / "runs").mkdir(parents=True, exist_ok=True)
    shards, labelled = (args.pretrain, args.labelled) if args.pretrain else marrs_caches(work)
    variants = dict(VARIANTS)
    if args.imagenet:
        variants["+ ImageNet start (resnet50)"] = {"init": "imagenet"}
    rows, walls = [], {}
    for name, change in variants.items():
        print(f"variant {name}", file=sys.stderr)
        got, walls[name] = run_variant(name, change, args, shards, labelled, work)
        rows += got
    body = table(["variant", "score", "trained", "untrained twin", "trained - twin", "splits"], rows)
    source = "the MARRS sonotype exemplars" if not args.pretrain else f"{args.pretrain} / {args.labelled}"
    write_section("ablation", f"python bench/pretraining_ablation.py {' '.join(sys.argv[1:])}",
                  f"Data: {source}. {args.steps} steps, batch {args.batch}, small_resnet w16, 64 x 64. Wall time "
                  f"per variant: {', '.join(f'{k} {v:.0f} s' for k, v in walls.items())}.\n\n{body}",
                  doc=REPO / "docs" / "pretraining.md")


if __name__ == "__main__":
    main()
