"""Each rule's conda env: python and pip from conda-forge, every package pinned as in
requirements.txt (the lock), resolvable on its own, holding what its script imports."""

import ast
import importlib.metadata as md
import re
import sys
from pathlib import Path

import pytest
import yaml
from helpers import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

sys.path.insert(0, str(REPO / "envs"))
import lock  # noqa: E402  (envs/lock.py, the generator)

STDLIB = set(sys.stdlib_module_names) | {"reefclr", "snakemake"}
DISTRIBUTIONS = {k: [canonicalize_name(d) for d in v] for k, v in md.packages_distributions().items()}


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
            if node.level == 0 and (node.module or "").startswith("reefclr"):
                names += [(f"{node.module}.{a.name}", 0) for a in node.names]
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


def family(env_file: str) -> str:
    return Path(env_file).stem


def missing_from(env_file: str, imports: set[str]) -> list[str]:
    """The imports whose distribution the env does not list directly."""
    direct = {canonicalize_name(p) for p in lock.FAMILIES[family(env_file)][1]}
    return sorted(m for m in imports if not set(DISTRIBUTIONS.get(m, [canonicalize_name(m)])) & direct)


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
    from reefclr.registry import REGISTRY

    for name, spec in REGISTRY.items():
        if not spec.loader:
            continue
        module = REPO / "workflow_scripts/reefclr/embedders" / (spec.loader.split(":")[0] + ".py")
        missing = missing_from(f"envs/{spec.env}.yaml", imports_of(module, set()))
        assert not missing, f"embedder {name}: envs/{spec.env}.yaml lacks {missing}"


def test_envs_cover_imports():
    for name, env, script in rules_with_env():
        needed = imports_of(REPO / script, set()) | {"yaml", "jsonschema"}  # the Snakefile's own imports
        missing = missing_from(env, needed)
        assert not missing, f"rule {name}: {env} lacks {missing} (add them to envs/lock.py FAMILIES)"


def test_envs_take_only_python_and_pip_from_conda():
    """The only conda-forge packages: python (python-feedstock's 3.11 branch) and pip (pip-feedstock
    26.0); envs/README.md gives the evidence. Everything else is an exact pip pin."""
    for env in sorted((REPO / "envs").glob("*.yaml")):
        data = yaml.safe_load(env.read_text())
        assert data["channels"] == ["conda-forge", "nodefaults"], env.name
        conda = [d for d in data["dependencies"] if isinstance(d, str)]
        assert conda == [f"python ={lock.PYTHON}", f"pip ={lock.PIP}"], env.name
        for line in lock.pip_part(env.stem):
            assert lock.version_of(line), line  # name==version, or the generator refuses it


def test_lock_and_envs_are_current():
    """requirements.txt locks what this virtualenv holds, and every env is generated from it."""
    assert lock.stale() == []


def test_every_package_of_every_env_is_pinned_as_in_requirements():
    direct, locked = lock.read_pins()
    pins = {n: lock.version_of(line) for n, line in (direct | locked).items()}
    for name in lock.FAMILIES:
        for line in lock.pip_part(name):
            req = Requirement(line)
            assert pins[canonicalize_name(req.name)] == lock.version_of(line), f"envs/{name}.yaml: {line}"


def test_a_wrong_pin_is_caught(tmp_path):
    text = (REPO / "requirements.txt").read_text().replace("numpy==2.4.6", "numpy==2.4.5")
    (tmp_path / "requirements.txt").write_text(text)
    with pytest.raises(ValueError, match=r"numpy==2.4.5, but 2.4.6 is installed here"):
        lock.stale(tmp_path / "requirements.txt")


def test_pyproject_pins_equal_requirements():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = set(project["dependencies"]) | set(project["optional-dependencies"]["test"])
    direct, _ = lock.read_pins()
    assert declared == set(direct.values())


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(lock.FAMILIES))
def test_env_resolves_on_its_own_as_locked(name):
    """pip resolves the env's pip part alone (a fresh env: nothing installed, the index only) to
    exactly its pins: what --use-conda installs is what the tests run."""
    assert lock.resolution_problems(lock.pip_part(name)) == []


@pytest.mark.slow
def test_a_version_the_index_lacks_fails_the_resolution():
    lines = [line if not line.startswith("numpy==") else "numpy==2.4.99" for line in lock.pip_part("audio")]
    with pytest.raises(ValueError, match="pip cannot resolve"):
        lock.resolution_problems(lines)
