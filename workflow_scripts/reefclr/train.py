"""SimCLR pretraining loop: deterministic per step, checkpointed, resumable after a kill.

Batch order and augmentation randomness are functions of (seed, step) alone, so a run that
is killed and resumed from its last checkpoint ends with the same weights as one that was
not (on CPU). A checkpoint resumes only a run of the same settings (``run_hash``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from .atomic import atomic_path
from .augment import DeviceViews, white_noise_mel_power
from .cache import CachedSet
from .models.encoders import EncoderArgs
from .models.simclr import SimCLR, nt_xent
from .optim import LARS, param_groups, warmup_cosine
from .spectrogram import mel_basis

log = logging.getLogger(__name__)


def pick_device(choice: str) -> torch.device:
    """'auto' takes CUDA when present."""
    if choice == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("pretrain.device is 'cuda' but no CUDA device is visible")
    if choice == "auto":
        choice = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(choice)


def batch_indices(step: int, n_items: int, batch: int, seed: int) -> np.ndarray:
    """The clips of ``step``: a fresh permutation per epoch, seeded by (seed, epoch)."""
    per_epoch = n_items // batch
    epoch, pos = divmod(step, per_epoch)
    perm = np.random.default_rng([seed, epoch]).permutation(n_items)
    return np.sort(perm[pos * batch : (pos + 1) * batch])


def step_generator(seed: int, step: int, device: torch.device) -> torch.Generator:
    """Augmentation randomness of one step."""
    g = torch.Generator(device=device)
    g.manual_seed(int(np.random.SeedSequence([seed, step]).generate_state(1)[0]))
    return g


@dataclass
class TrainResult:
    model: SimCLR
    history: list[dict] = field(default_factory=list)
    wall_s: float = 0.0
    resumed_from: int = 0
    device: str = "cpu"


def pretrain(
    shard_dirs: list[str | Path],
    cfg: dict,
    spec_cfg: dict,
    input_cfg: dict,
    seed: int,
    checkpoint_path: str | Path,
    run_hash: str,
    threads: int = 1,
    stop_after: int | None = None,
) -> TrainResult:
    """Train SimCLR on the cached mel spectrograms of ``shard_dirs``.

    ``cfg`` is the ``pretrain`` config slice; ``stop_after`` ends the loop early (tests).
    """
    torch.set_num_threads(max(1, threads))
    torch.manual_seed(seed)
    random.seed(seed)
    device = pick_device(cfg["device"])
    data = CachedSet.open(shard_dirs)
    n = len(data)
    batch = cfg["batch_size"]
    if n < 2:
        raise ValueError(f"pretraining needs at least 2 clips, the cache holds {n}")
    if batch > n:
        log.warning("batch_size %d exceeds the %d pretraining clips; using %d", batch, n, n)
        batch = n
    model = SimCLR(EncoderArgs(cfg["encoder"], cfg["width"]), cfg["projection_dim"]).to(device)
    opt = LARS(param_groups(model, cfg["weight_decay"]), lr=cfg["lr"], momentum=cfg["momentum"],
               trust_coefficient=cfg["trust_coefficient"])
    history: list[dict] = []
    start = 0
    ckpt_path = Path(checkpoint_path)
    if ckpt_path.exists():
        ckpt = torch.load(ckpt_path, map_location=device, weights_only=False)
        if ckpt.get("run_hash") == run_hash:
            model.load_state_dict(ckpt["state_dict"])
            opt.load_state_dict(ckpt["optimizer"])
            start, history = ckpt["step"], ckpt["history"]
            torch.set_rng_state(ckpt["rng"]["torch"])
            log.info("resumed from %s at step %d", ckpt_path, start)
        else:
            log.info("ignoring %s: it belongs to a run with other settings", ckpt_path)
    window = torch.hann_window(spec_cfg["win_length"], periodic=True)
    basis = torch.from_numpy(mel_basis(spec_cfg["sample_rate"], spec_cfg["n_fft"], spec_cfg["n_mels"]))
    views = DeviceViews(white_noise_mel_power(basis, window), input_cfg["image_size"], input_cfg["scale"],
                        cfg["augment_p"], cfg["crop_min_scale"])
    cuda = device.type == "cuda"
    if cuda:
        model = model.to(memory_format=torch.channels_last)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if cuda else contextlib.nullcontext()
    steps = cfg["steps"]
    end = steps if stop_after is None else min(steps, stop_after)
    model.train()
    t0 = time.perf_counter()
    bar = tqdm(range(start, end), initial=start, total=steps, desc="SimCLR", mininterval=5)
    for step in bar:
        t_data = time.perf_counter()
        idx = batch_indices(step, n, batch, seed)
        mel = torch.from_numpy(data.mel(idx)).to(device, non_blocking=True)
        g = step_generator(seed, step, device)
        x = torch.cat([views(mel, g), views(mel, g)])  # (2B, 3, S, S): view 0 then view 1
        if cuda:
            x = x.contiguous(memory_format=torch.channels_last)
        t_model = time.perf_counter()
        lr = warmup_cosine(step, steps, cfg["lr"], cfg["warmup_fraction"])
        for group in opt.param_groups:
            group["lr"] = lr
        with autocast:
            z = model(x)
        z0, z1 = z.float().chunk(2)
        loss = nt_xent(z0, z1, cfg["temperature"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if cuda:
            torch.cuda.synchronize()
        t_end = time.perf_counter()
        loss_value = loss.item()
        history.append(dict(step=step + 1, loss=loss_value, lr=lr,
                            images_per_s=2 * batch / (t_end - t_data),
                            data_wait_fraction=(t_model - t_data) / (t_end - t_data)))
        if (step + 1) % cfg["log_every"] == 0:
            bar.set_postfix(loss=f"{loss_value:.4f}")
            log.info("step %d loss %.4f lr %.4g", step + 1, loss_value, lr)
        if (step + 1) % cfg["checkpoint_every"] == 0 or step + 1 == end:
            save_checkpoint(ckpt_path, model, opt, step + 1, history, run_hash)
    return TrainResult(model, history, time.perf_counter() - t0, start, str(device))


def save_checkpoint(path: Path, model: SimCLR, opt: torch.optim.Optimizer, step: int,
                    history: list[dict], run_hash: str) -> None:
    """Everything to resume: weights, optimiser state, step, history, RNG, settings hash."""
    state = dict(
        model_args=dict(encoder=model.encoder_args.to_dict(), projection_dim=model.head.net[3].out_features),
        state_dict=model.state_dict(), optimizer=opt.state_dict(), step=step, history=history,
        run_hash=run_hash, rng=dict(torch=torch.get_rng_state(), numpy=np.random.get_state()),
    )
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


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
