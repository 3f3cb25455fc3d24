"""The package's stages import only downwards: what each subpackage of reefclr may import,
checked on every import statement of every module (function-level imports included)."""

import ast
from pathlib import Path

import pytest
from helpers import REPO

PACKAGE = REPO / "workflow_scripts/reefclr"
SPINE = "spine"  # the light top-level modules the Snakefile imports: config, settings, registry, paths, params
SPINE_PACKAGES = {"settings"}  # the spine's own subpackages (settings: one module of records per stage)
# What each layer may import besides itself. Evaluation and pages never reach torch (their rules
# run in envs without it); data imports nothing above the core and the spine.
ALLOWED = {
    "core": set(),
    SPINE: {"core"},
    "data": {"core", SPINE},
    "features": {"core", SPINE, "data"},
    "models": {"core", SPINE},
    "training": {"core", SPINE, "data", "features", "models", "evaluation"},
    "embedders": {"core", SPINE, "data", "features", "models"},
    "evaluation": {"core", SPINE, "data"},
    "pages": {"core", SPINE, "data", "evaluation"},
    "deploy": {"core", SPINE, "data", "features", "embedders", "evaluation", "pages"},
}


def layer(module: str) -> str:
    """The layer of a dotted module name under reefclr (``reefclr.data.ingest`` -> data)."""
    parts = module.split(".")[1:]
    if not parts or parts[0] in SPINE_PACKAGES:
        return SPINE
    return parts[0] if (PACKAGE / parts[0]).is_dir() else SPINE


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)


def reefclr_imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) of every import of reefclr in ``path``, relative ones resolved."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("reefclr")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.startswith("reefclr"):
                names = [f"{module}.{a.name}" for a in node.names]
                out += [(node.lineno, n if (PACKAGE.parent / n.replace(".", "/")).exists()
                         or (PACKAGE.parent / (n.replace(".", "/") + ".py")).exists() else module) for n in names]
    return out


def violations(path: Path) -> list[str]:
    mine = layer(module_name(path))
    return [f"{path.relative_to(REPO)}:{line}: {mine} imports {target} ({layer(target)})"
            for line, target in reefclr_imports(path)
            if layer(target) != mine and layer(target) not in ALLOWED[mine]]


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_subpackage_has_a_layer_and_says_what_it_may_import():
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages - SPINE_PACKAGES == set(ALLOWED) - {SPINE}
    for name in packages:
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text())) or ""
        assert "import" in doc, f"reefclr/{name}/__init__.py: say what the package owns and may import"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_downwards(path):
    assert violations(path) == []


def test_a_wrong_import_is_caught():
    """An evaluation module importing training (torch) is refused, naming the line."""
    fake = PACKAGE / "evaluation" / "_probe_of_a_wrong_import.py"
    fake.write_text("from reefclr.training.train import pretrain\n")
    try:
        assert violations(fake) == [f"{fake.relative_to(REPO)}:1: evaluation imports reefclr.training.train "
                                    "(training)"]
    finally:
        fake.unlink()
