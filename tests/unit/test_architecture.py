"""The limits docs/architecture.md states, held: rules of at most 25 lines, modules of at most 400,
functions of at most 6 parameters, and its "Rule -> script -> module" table true to the rules."""

import ast
import re
from pathlib import Path

import pytest
from helpers import REPO

PACKAGE = REPO / "workflow_scripts/reefclr"
MAX_RULE_LINES, MAX_MODULE_LINES, MAX_PARAMETERS = 25, 400, 6
IMPLIED = {"core", "config", "settings", "registry", "paths", "params"}  # every script may use these unnamed
RULE = re.compile(r"rule (\w+):|use rule (\w+) as (\w+) with:")
SCRIPT = re.compile(r'^\s+script:\s*\n\s+"([^"]+)"', re.M)


def rules() -> dict[str, dict]:
    """Every rule of the Snakefile and rules/*.smk: its file, lines (from ``rule`` to its last
    line of code before the next top-level statement), script, and the rule it ``use``s."""
    found = {}
    for smk in [REPO / "Snakefile", *sorted((REPO / "rules").glob("*.smk"))]:
        lines = smk.read_text().splitlines() + ["END"]
        starts = [i for i, line in enumerate(lines) if line[:1].strip() and not line.startswith("#")]
        for start, end in zip(starts, starts[1:]):
            if match := RULE.match(lines[start]):
                code = [i for i in range(start, end) if lines[i].strip() and not lines[i].strip().startswith("#")]
                script = SCRIPT.search("\n".join(lines[start:end]))
                found[match[1] or match[3]] = dict(file=smk.relative_to(REPO), lines=code[-1] - start + 1,
                                                   uses=match[2], script=script and (smk.parent / script[1]).resolve())
    for rule in found.values():  # `use rule A as B with:` runs A's script
        rule["script"] = rule["script"] or (rule["uses"] and found[rule["uses"]]["script"])
    return found


def table() -> dict[str, tuple[str, str]]:
    """Rule -> (script, modules) of the page's "Rule -> script -> module" table."""
    section = (REPO / "docs/architecture.md").read_text().split("## Rule -> script -> module")[1]
    rows = next(p for p in section.split("\n\n") if p.strip().startswith("|")).strip().splitlines()[2:]
    return {cells[1].strip(): (cells[2].strip(), cells[3]) for cells in (row.split("|") for row in rows)}


def named(modules: str) -> set[str]:
    """The modules a cell names: ``data.ingest (segment, raven)`` names data.ingest, data.segment
    and data.raven; words in parentheses that are no names (``embedders (registry env tf)``) qualify."""
    out = set()
    for name, siblings in re.findall(r"([\w.]+)\s*(?:\(([^)]*)\))?", modules):
        parent = name.rpartition(".")[0]
        out |= {name} | {f"{parent}.{s}".strip(".") for s in map(str.strip, siblings.split(",")) if s.isidentifier()}
    return out


def is_module(name: str) -> bool:
    path = PACKAGE / name.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imported(script: Path) -> set[str]:
    """The reefclr modules a script imports (``from reefclr.data import ingest`` -> data.ingest)."""
    out = set()
    for node in ast.walk(ast.parse(script.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name.removeprefix("reefclr.") for a in node.names if a.name.startswith("reefclr.")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "reefclr":
            base = node.module.removeprefix("reefclr").lstrip(".")
            out |= {m if is_module(m) else base for m in (f"{base}.{a.name}".strip(".") for a in node.names)}
    return out


def parameters(f: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    a = f.args
    names = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]
    return len(names) - (names[:1] in (["self"], ["cls"])) + (a.vararg is not None) + (a.kwarg is not None)


RULES, TABLE = rules(), table()
MODULES = sorted(p.relative_to(REPO).as_posix() for p in PACKAGE.rglob("*.py"))


def test_the_page_s_conventions_are_what_is_parsed():
    assert named("data.ingest (segment, raven), embedders (registry env tf), models") == {
        "data.ingest", "data.segment", "data.raven", "embedders", "models"}
    method = ast.parse("class A:\n    def m(self, a, /, b=1, *c, d, **e): ...").body[0].body[0]
    assert parameters(method) == 5  # self not counted, *c and **e one each


@pytest.mark.parametrize("name", RULES)
def test_a_rule_is_at_most_25_lines(name):
    rule = RULES[name]
    assert rule["lines"] <= MAX_RULE_LINES, f"{rule['file']}: rule {name} has {rule['lines']} lines"


@pytest.mark.parametrize("module", MODULES)
def test_a_module_is_at_most_400_lines_and_its_functions_take_at_most_6_parameters(module):
    tree = ast.parse(text := (REPO / module).read_text())
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{module} has {len(text.splitlines())} lines"
    over = [f"{module}:{f.lineno}: {f.name} takes {parameters(f)} parameters" for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and parameters(f) > MAX_PARAMETERS]
    assert not over, "\n".join(over)


def test_the_table_lists_exactly_the_rules():
    rules = set(RULES) - {"all"}  # the target rule runs no script
    assert set(TABLE) == rules, (f"docs/architecture.md: rules missing from the table: {sorted(rules - set(TABLE))}; "
                                 f"rows without a rule: {sorted(set(TABLE) - rules)}")


@pytest.mark.parametrize("name", sorted(set(RULES) - {"all"}))
def test_a_rule_runs_its_script_and_its_row_names_what_the_script_imports(name):
    rule, (script, modules) = RULES[name], TABLE.get(name, ("no row", ""))
    assert rule["script"] and rule["script"].exists(), f"{rule['file']}: rule {name}: no script {rule['script']}"
    expected = f"`use rule {rule['uses']}`" if rule["uses"] else rule["script"].name
    assert script == expected, f"docs/architecture.md: rule {name}: script {script!r}, the rule runs {expected!r}"
    names = named(modules)
    unknown = sorted(n for n in names if not is_module(n))
    assert not unknown, f"docs/architecture.md: rule {name} names {unknown}, no modules of reefclr"
    unnamed = sorted(m for m in imported(rule["script"]) if m.split(".")[0] not in IMPLIED
                     and not any(m == n or m.startswith(n + ".") for n in names))
    assert not unnamed, f"docs/architecture.md: rule {name}: {rule['script'].name} imports {unnamed}, not named"
