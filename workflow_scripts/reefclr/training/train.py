"""SimCLR pretraining loop: deterministic per step, checkpointed, resumable after a kill,
on one process or data-parallel under ``torchrun`` (``python -m reefclr.training.train job.json``).

Batch order and augmentation randomness are functions of (seed, step) alone, so a run that
is killed and resumed from its last checkpoint ends with the same weights as one that was
not (on CPU). A checkpoint resumes only a run of the same settings (``run_hash``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import platform
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm

from reefclr.core.atomic import atomic_path, write_json
from reefclr.features import selection
from reefclr.features.cachedset import CachedSet
from reefclr.training.devices import check_cuda, compile_model, memory_format, pick_device, uses_bf16
from reefclr.training.distributed import convert_batchnorm, gather, init_from_env, shutdown
from reefclr.training.diagnostics import Probe
from reefclr.training import estimate
from reefclr.models.encoders import EncoderArgs
from reefclr.models.simclr import SimCLR, nt_xent
from reefclr.training.optim import LARS, param_groups, warmup_cosine
from reefclr.features.views import ViewSettings, ViewSource
from reefclr.settings import ModelInput, Pretrain, Spectrogram

log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    model: SimCLR
    history: list[dict] = field(default_factory=list)
    sessions: list[dict] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)  # diagnostics.Check per check, step 0 the untrained twin


@dataclass(frozen=True)
class PretrainJob:
    """One pretraining run: its cache, its settings, its checkpoint and the run it belongs to.
    A JSON file of it starts each data-parallel process (``python -m reefclr.training.train``)."""

    shard_dirs: tuple[str, ...]
    views: ViewSettings
    checkpoint: str
    run_hash: str
    threads: int = 1
    knn_shard_dirs: tuple[str, ...] = ()
    init_weights: str | None = None  # pretrain.init imagenet: the torchvision ImageNet ResNet50 file

    @property
    def pretrain(self) -> Pretrain:
        return self.views.pretrain

    def to_json(self) -> dict:
        v = self.views
        return dict(shard_dirs=list(self.shard_dirs), checkpoint=self.checkpoint, run_hash=self.run_hash,
                    threads=self.threads, knn_shard_dirs=list(self.knn_shard_dirs), init_weights=self.init_weights,
                    seed=v.seed,
                    pretrain=v.pretrain.to_dict(), spectrogram=v.spectrogram.to_dict(),
                    model_input=v.model_input.to_dict())

    @classmethod
    def from_json(cls, d: dict) -> "PretrainJob":
        views = ViewSettings(Pretrain.from_config(d["pretrain"]), Spectrogram.from_config(d["spectrogram"]),
                             ModelInput.from_config(d["model_input"]), d["seed"])
        return cls(tuple(d["shard_dirs"]), views, d["checkpoint"], d["run_hash"], d["threads"],
                   tuple(d["knn_shard_dirs"]), d["init_weights"])


def pretrain(job: PretrainJob, stop_after: int | None = None) -> TrainResult:
    """Train SimCLR on the cache of ``job.shard_dirs``; the final state is also the checkpoint.

    ``job.knn_shard_dirs``: a labelled set for the checks against the untrained twin
    (``diagnostics``); ``stop_after`` ends the loop early (tests). Under ``torchrun`` each
    process trains on its slice of every global batch; only rank 0 writes.
    """
    cfg, seed = job.pretrain, job.views.seed
    torch.set_num_threads(max(1, job.threads))
    torch.manual_seed(seed)
    random.seed(seed)
    device = pick_device(cfg.device)
    if device.type == "cuda":
        check_cuda(int(os.environ.get("WORLD_SIZE", "1")), uses_bf16(cfg.precision, device))
    group = init_from_env(device.type)
    if device.type == "cuda" and group.world > 1:
        device = torch.device("cuda", group.local_rank)
        torch.cuda.set_device(device)
    data, chosen = _chosen_clips(CachedSet.open(list(job.shard_dirs)), cfg)
    batch = _global_batch(cfg.batch_size, len(data), group.world)
    model = SimCLR(EncoderArgs(cfg.encoder, cfg.width), cfg.projection_dim, cfg.init, job.init_weights)
    opt = LARS(param_groups(model, cfg.weight_decay, cfg.exclude), lr=cfg.lr, momentum=cfg.momentum,
               trust_coefficient=cfg.trust_coefficient)
    ckpt_path = Path(job.checkpoint)
    start, history, sessions, checks = _resume(ckpt_path, job.run_hash, model, opt)
    model.to(device)
    _move_optimizer_state(opt, device)
    cuda = device.type == "cuda"
    layout = memory_format(device)
    model = model.to(memory_format=layout)
    net = model
    if group.world > 1:
        net = DistributedDataParallel(convert_batchnorm(model, batchnorm_kind(cfg, device)),
                                      device_ids=[device.index] if cuda else None,
                                      forward_sync_buffers=False)  # global batch norm keeps ranks equal
    if cfg.compile:
        net = compile_model(net, device)
    bf16 = uses_bf16(cfg.precision, device)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
    source = ViewSource(data, batch, job.views, group, device)
    probe, probe_note = None, ""
    if group.main:
        probe, probe_note = Probe.make(list(job.knn_shard_dirs), list(job.shard_dirs), job.views.model_input,
                                       cfg.knn.k, seed)
    steps = cfg.steps  # the learning-rate schedule's length
    last = steps if cfg.export_step is None else min(steps, cfg.export_step)  # the exported step
    end = last if stop_after is None else min(last, stop_after)
    session = dict(device=str(device), processes=group.world, precision="bf16" if bf16 else "fp32",
                   start_step=start, end_step=start, wall_s=0.0, checks=probe_note, clips=chosen)
    sessions.append(session)
    pace = _before_start(job, start, end, device) if group.main else None
    model.train()
    t0 = time.perf_counter()
    bar = tqdm(total=end, initial=start, desc="SimCLR", mininterval=5, disable=not group.main)
    t_step = time.perf_counter()
    for step, x0, x1, waited in source.iterate(start, end):
        x = torch.cat([x0, x1]).contiguous(memory_format=layout)  # (2b, 3, S, S): view 0, view 1
        if probe is not None and step == 0:  # the untrained twin: this initialisation, before any forward pass
            checks.append(_check(probe, 0, model, device, x))
        lr = warmup_cosine(step, steps, cfg.lr, cfg.warmup_fraction, cfg.schedule)
        for param_group in opt.param_groups:
            param_group["lr"] = lr
        with autocast:
            z = net(x)
        z0, z1 = z.float().chunk(2)
        loss = nt_xent(gather(z0), gather(z1), cfg.temperature)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss_value = loss.item()  # waits for the device
        now = time.perf_counter()
        row = dict(step=step + 1, loss=loss_value, lr=lr, images_per_s=2 * batch / (now - t_step),
                   data_wait_fraction=min(1.0, waited / (now - t_step)))
        done = step + 1 == end
        if probe is not None and ((step + 1) % cfg.knn.every == 0 or step + 1 == last):
            checks.append(_check(probe, step + 1, model, device, x))
        history.append(row)
        if pace is not None and (left := pace.add(step, now - t_step)) is not None:
            _keep_pace(left, cfg.max_hours, device)
        bar.update(1)
        if (step + 1) % cfg.log_every == 0:
            bar.set_postfix(loss=f"{loss_value:.4f}")
            log.info("step %d loss %.4f lr %.4g %.1f images/s", step + 1, loss_value, lr, row["images_per_s"])
        if (step + 1) % cfg.checkpoint_every == 0 or done:
            session.update(end_step=step + 1, wall_s=time.perf_counter() - t0)
            if cuda:
                session["peak_gpu_gb"] = torch.cuda.max_memory_allocated(device) / 2**30
            if group.main:
                save_checkpoint(ckpt_path, model, opt, Progress(step + 1, history, sessions, checks), job.run_hash)
        t_step = time.perf_counter()
    bar.close()
    shutdown(group)
    return TrainResult(model, history, sessions, checks)


def _chosen_clips(data: CachedSet, cfg: Pretrain) -> tuple[CachedSet, dict]:
    """The clips this run trains on (``pretrain.select``) and, per site, how many of how many."""
    kept, report = selection.event_rich(data, cfg.select.keep, cfg.select.by)
    if cfg.select.keep < 1:
        log.info("pretraining on the %d most event-rich of %d clips (%s):\n%s", len(kept), len(data),
                 cfg.select.by, report.to_string(index=False))
    return data.subset(kept), dict(kept=len(kept), of=len(data), by=cfg.select.by,
                                   per_site=report.to_dict("records"))


def _before_start(job: PretrainJob, start: int, end: int, device: torch.device) -> estimate.Pace:
    """Log the run's estimated time before its first step; on CPU, stop above pretrain.max_hours."""
    cfg = job.pretrain
    guess = estimate.on_cpu(cfg.to_dict() | {"steps": end - start, "export_step": None},
                            job.views.model_input.image_size, torch.get_num_threads())
    log.info("pretraining %d steps: %s", end - start, guess.text())
    if device.type == "cpu" and (why := estimate.over_budget(guess.hours, cfg.max_hours, guess.text())):
        raise RuntimeError(why)
    return estimate.Pace(end)


def _keep_pace(hours_left: float, max_hours: float | None, device: torch.device) -> None:
    """Log the time left from the timed steps; stop above pretrain.max_hours."""
    how = f"{estimate.duration(hours_left * 3600)} more on {device} (timed steps)"
    log.info("estimated time left: %s", how)
    if why := estimate.over_budget(hours_left, max_hours, how):
        raise RuntimeError(why)


def _check(probe: Probe, step: int, model: SimCLR, device: torch.device, views: torch.Tensor) -> dict:
    check = probe(step, model, device, views)
    log.info("step %d: k-NN accuracy %.3f, effective rank %.1f, alignment %.3f, uniformity %.3f", step,
             check.knn_accuracy, check.effective_rank, check.alignment, check.uniformity)
    return dataclasses.asdict(check)


def batchnorm_kind(cfg: Pretrain, device: torch.device) -> str:
    """Data-parallel batch norm: torch's fused SyncBatchNorm on CUDA (NCCL), the exact
    all-gather GlobalBatchNorm where SyncBatchNorm cannot run (CPU, gloo)."""
    kind = cfg.sync_batchnorm
    if kind == "auto":
        return "torch" if device.type == "cuda" else "global"
    if kind == "torch" and device.type != "cuda":
        raise ValueError("pretrain.sync_batchnorm: torch needs CUDA (torch's SyncBatchNorm refuses CPU tensors); "
                         "use global or auto")
    return kind


def _global_batch(batch: int, n: int, world: int) -> int:
    if n < 2:
        raise ValueError(f"pretraining needs at least 2 clips, the cache holds {n}")
    if batch > n:
        log.warning("batch_size %d exceeds the %d pretraining clips; using %d", batch, n, n - n % world)
        batch = n - n % world
    if batch % world:
        raise ValueError(f"pretrain.batch_size {batch} is not divisible by the {world} processes")
    return batch


def _resume(path: Path, run_hash: str, model: SimCLR, opt: torch.optim.Optimizer) -> tuple[int, list, list, list]:
    """Load the checkpoint at ``path`` into model and optimiser if it is of this run."""
    if not path.exists():
        return 0, [], [], []
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    if ckpt.get("run_hash") != run_hash:
        log.info("ignoring %s: it belongs to a run with other settings", path)
        return 0, [], [], []
    model.load_state_dict(ckpt["state_dict"])
    opt.load_state_dict(ckpt["optimizer"])
    torch.set_rng_state(ckpt["rng"]["torch"])
    log.info("resumed from %s at step %d", path, ckpt["step"])
    return ckpt["step"], ckpt["history"], ckpt["sessions"], ckpt.get("checks", [])


def _move_optimizer_state(opt: torch.optim.Optimizer, device: torch.device) -> None:
    for state in opt.state.values():
        for key, value in state.items():
            if torch.is_tensor(value):
                state[key] = value.to(device)


@dataclass
class Progress:
    """How far a run got: its step, the history of its steps, its sessions (starts and resumes),
    its checks against the untrained twin."""

    step: int
    history: list[dict]
    sessions: list[dict]
    checks: list[dict]


def save_checkpoint(path: Path, model: SimCLR, opt: torch.optim.Optimizer, progress: Progress, run_hash: str) -> None:
    """Everything to resume: weights, optimiser state, step, history, RNG, settings hash."""
    state = dict(
        model_args=dict(encoder=model.encoder_args.to_dict(), projection_dim=model.head.net.fc2.out_features),
        state_dict=model.state_dict(), optimizer=opt.state_dict(), step=progress.step, history=progress.history,
        sessions=progress.sessions, checks=progress.checks, run_hash=run_hash,
        rng=dict(torch=torch.get_rng_state(), numpy=np.random.get_state()),
    )
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def load_result(path: str | Path) -> TrainResult:
    """The model, history, sessions and checks of a checkpoint (the final one, after training)."""
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    args = ckpt["model_args"]
    model = SimCLR(EncoderArgs(**args["encoder"]), args["projection_dim"])
    model.load_state_dict(ckpt["state_dict"])
    return TrainResult(model, ckpt["history"], ckpt["sessions"], ckpt.get("checks", []))


def processes(cfg: Pretrain) -> int:
    """Data-parallel processes of a run: one per GPU asked for (``pretrain.gpus``), at least one."""
    return max(1, cfg.gpus)


def launch(job: PretrainJob, job_path: str | Path) -> TrainResult:
    """Train in this process, or under ``torchrun`` with one process per GPU; returns the result
    read back from the final checkpoint."""
    nproc = processes(job.pretrain)
    device = pick_device(job.pretrain.device)
    if device.type == "cuda":  # before any process starts: enough GPUs, kernels, bf16
        check_cuda(nproc, uses_bf16(job.pretrain.precision, device))
    if nproc == 1:
        pretrain(job)
    else:
        write_json(dataclasses.replace(job, threads=max(1, job.threads // nproc)).to_json(), job_path)
        env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parents[2]),
                                                                       os.environ.get("PYTHONPATH")]))}
        cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
               "-m", "reefclr.training.train", str(job_path)]
        log.info("launching %s", " ".join(cmd))
        subprocess.run(cmd, check=True, env=env)
    return load_result(job.checkpoint)


def save_encoder(path: str | Path, model: SimCLR, meta: dict) -> None:
    """The downstream artefact: encoder weights (h, not z) and how to rebuild it."""
    state = dict(encoder_args=model.encoder_args.to_dict(), dim=model.dim,
                 state_dict=model.encoder.state_dict(), meta=meta)
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def environment() -> dict:
    """Versions and machine, for the model card."""
    import sklearn

    return dict(python=platform.python_version(), torch=torch.__version__, numpy=np.__version__,
                sklearn=sklearn.__version__, machine=platform.machine(), processor=platform.processor(),
                cuda=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
                cuda_visible_devices=os.environ.get("CUDA_VISIBLE_DEVICES"),
                slurm_job_id=os.environ.get("SLURM_JOB_ID"))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s rank" + os.environ.get("RANK", "0")
                        + " %(levelname)s %(name)s: %(message)s")
    pretrain(PretrainJob.from_json(json.loads(Path(sys.argv[1]).read_text())))
