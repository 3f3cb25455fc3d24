"""Each rule's conda env holds what its script imports, at the versions pip installs."""

import ast
import re
import sys
from pathlib import Path

import yaml
from helpers import REPO

# import name -> conda-forge package name
CONDA_NAME = {"torch": "pytorch", "soundfile": "pysoundfile", "soxr": "python-soxr", "sklearn": "scikit-learn",
              "yaml": "pyyaml", "matplotlib": "matplotlib-base", "umap": "umap-learn", "PIL": "pillow",
              "tensorflow_hub": "tensorflow-hub", "ai_edge_litert": "ai-edge-litert", "maad": "scikit-maad",
              "faiss": "faiss-cpu"}
PIP_NAME = {"pytorch": "torch", "pysoundfile": "soundfile", "python-soxr": "soxr", "matplotlib-base": "matplotlib"}
STDLIB = set(sys.stdlib_module_names) | {"reefclr", "snakemake"}


def imports_of(path: Path, seen: set[Path]) -> set[str]:
    """Top-level third-party imports of a file and, transitively, of the reefclr modules it imports."""
    if path in seen:
        return set()
    seen.add(path)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [(a.name, 0) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [(node.module or "", node.level)]
            if node.level == 0 and node.module == "reefclr":
                names += [(f"reefclr.{a.name}", 0) for a in node.names]
        else:
            continue
        for name, level in names:
            if level or name.startswith("reefclr"):
                base = path.parent if level else REPO / "workflow_scripts"
                for _ in range(max(0, level - 1)):
                    base = base.parent
                rel = name.removeprefix("reefclr").lstrip(".") if not level else name
                target = (REPO / "workflow_scripts/reefclr") if not level else base
                for part in filter(None, rel.split(".")):
                    target = target / part
                for candidate in (target.with_suffix(".py"), target / "__init__.py"):
                    if candidate.exists():
                        found |= imports_of(candidate, seen)
            elif name.split(".")[0] not in STDLIB:
                found.add(name.split(".")[0])
    return found


def rules_with_env():
    """(rule, env file, script) for every rule of rules/*.smk."""
    for smk in sorted((REPO / "rules").glob("*.smk")):
        text = smk.read_text()
        for block in re.split(r"\nrule ", text)[1:]:
            name = block.split(":")[0]
            env = re.search(r'conda:\s*\n\s*"\.\./(envs/[^"]+)"', block)
            script = re.search(r'script:\s*\n\s*"\.\./([^"]+)"', block)
            yield name, env and env.group(1), script and script.group(1)


def env_packages(env_file: str) -> dict[str, str]:
    """Package -> version: conda ones as ``major.minor``, pip ones (exact) as ``==x.y.z``."""
    deps = yaml.safe_load((REPO / env_file).read_text())["dependencies"]
    pkgs = {d.split("=")[0].strip(): d.split("=", 1)[1].strip() for d in deps if isinstance(d, str)}
    for d in deps:
        if isinstance(d, dict):
            pkgs |= {line.split("==")[0]: "==" + line.split("==")[1] for line in d["pip"]}
    return pkgs


def test_every_rule_has_env_log_benchmark():
    rules = list(rules_with_env())
    assert len(rules) >= 10
    for name, env, script in rules:
        assert env and script, name
        assert (REPO / env).exists() and (REPO / script).exists(), name
    for smk in sorted((REPO / "rules").glob("*.smk")):
        for block in re.split(r"\nrule ", smk.read_text())[1:]:
            name = block.split(":")[0]
            log = re.search(r'log:\s*\n\s*"logs/' + name + r'/', block)
            bench = re.search(r'benchmark:\s*\n\s*"benchmarks/' + name + r'/[^"]+\.tsv"', block)
            assert log and bench, f"rule {name}: log: logs/{name}/... and benchmark: benchmarks/{name}/...tsv"


def test_each_embedders_env_covers_its_loader():
    """Loaders are imported by name (the registry), so the scan of the script cannot see them."""
    from reefclr.catalog import REGISTRY

    for name, spec in REGISTRY.items():
        if not spec.loader:
            continue
        module = REPO / "workflow_scripts/reefclr/embedders" / (spec.loader.split(":")[0] + ".py")
        needed = imports_of(module, set())
        pkgs = env_packages(f"envs/{spec.env}.yaml")
        missing = sorted(m for m in needed if CONDA_NAME.get(m, m) not in pkgs)
        assert not missing, f"embedder {name}: envs/{spec.env}.yaml lacks {missing}"


def test_envs_cover_imports():
    for name, env, script in rules_with_env():
        pkgs = env_packages(env)
        needed = imports_of(REPO / script, set()) | {"yaml", "jsonschema"}  # the Snakefile's own imports
        missing = sorted(m for m in needed if CONDA_NAME.get(m, m) not in pkgs)
        assert not missing, f"rule {name}: {env} lacks {missing}"


def test_env_versions_match_requirements():
    pins = dict(line.split("==") for line in (REPO / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    for env in sorted((REPO / "envs").glob("*.yaml")):
        data = yaml.safe_load(env.read_text())
        assert data["channels"][-1] == "nodefaults", env.name
        for pkg, version in env_packages(f"envs/{env.name}").items():
            if pkg in ("python", "pip"):
                continue
            pip = PIP_NAME.get(pkg, pkg)
            assert pip in pins, f"{env.name}: {pkg} is not pinned in requirements.txt"
            if version.startswith("=="):
                assert pins[pip] == version[2:], f"{env.name}: pip {pkg}{version} vs requirements {pins[pip]}"
            else:
                assert pins[pip].startswith(version + "."), f"{env.name}: {pkg} ={version} vs pip {pins[pip]}"


def test_pyproject_pins_equal_requirements():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = set(project["dependencies"]) | set(project["optional-dependencies"]["test"])
    pinned = {line.strip() for line in (REPO / "requirements.txt").read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    assert declared == pinned
