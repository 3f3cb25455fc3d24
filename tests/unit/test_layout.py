"""The unit tests mirror the package: reefclr/<stage>/<module>.py is tested in tests/unit/<stage>/test_<module>.py."""

from pathlib import Path

from helpers import REPO

PACKAGE = REPO / "workflow_scripts/reefclr"
UNIT = REPO / "tests/unit"
# They test the repository, not a module.
WHOLE_REPOSITORY = {"test_architecture.py", "test_envs.py", "test_layers.py", "test_layout.py"}


def mirror(module: Path, package: Path, unit: Path) -> Path:
    """The test file of a module: reefclr/data/ingest.py -> tests/unit/data/test_ingest.py,
    reefclr/params.py -> tests/unit/test_params.py."""
    rel = module.relative_to(package)
    return unit / rel.parent / f"test_{rel.name}"


def layout_problems(package: Path, unit: Path) -> list[str]:
    """The modules without their test file, and the test files that mirror no module."""
    modules = sorted(p for p in package.rglob("*.py") if p.name != "__init__.py")
    expected = {mirror(m, package, unit): m for m in modules}
    tests = sorted(p for p in unit.rglob("test_*.py") if p.relative_to(unit).as_posix() not in WHOLE_REPOSITORY)
    missing = [f"missing: {t.relative_to(unit)} (tests {m.relative_to(package.parent)})"
               for t, m in expected.items() if not t.exists()]
    stray = [f"stray: {t.relative_to(unit)} (no module reefclr/{t.relative_to(unit).parent / t.name[5:]})"
             for t in tests if t not in expected]
    return missing + stray


def test_every_module_has_its_test_file_and_every_test_file_its_module():
    problems = layout_problems(PACKAGE, UNIT)
    assert not problems, "tests/unit must mirror workflow_scripts/reefclr:\n" + "\n".join(problems)


def test_missing_and_stray_files_are_listed(tmp_path):
    package, unit = tmp_path / "reefclr", tmp_path / "unit"
    for name in ("__init__.py", "paths.py", "data/__init__.py", "data/ingest.py", "data/raven.py"):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("")
    for name in ("test_paths.py", "data/test_ingest.py", "data/test_grouping_leakage.py", "test_envs.py"):
        (unit / name).parent.mkdir(parents=True, exist_ok=True)
        (unit / name).write_text("")
    assert layout_problems(package, unit) == [
        "missing: data/test_raven.py (tests reefclr/data/raven.py)",
        "stray: data/test_grouping_leakage.py (no module reefclr/data/grouping_leakage.py)"]
