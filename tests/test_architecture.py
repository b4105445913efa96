"""The package's layout (docs/architecture.md): every module imports, the rooms import only
in the allowed directions, there is no import cycle, no module is over about 600 lines, no
private name is used outside its package, and the pages never load the statistics stack.

The imports are read from the source (every ``import``, also those inside functions), so a
lazy import counts like any other.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import score_analysis

PACKAGE = Path(score_analysis.__file__).resolve().parent
ROOT = PACKAGE.parent

#: The longest a module may be (the BRIEF's "about 600 lines").
MAX_LINES = 600

#: What each room (a subpackage, or a module at the top) may import from the others.
#: ``score_analysis`` itself is the package's ``__init__`` (its version).
EVERYTHING = {"score_analysis", "settings", "i18n", "files", "parameters", "data", "stats",
              "report", "appendix", "build", "notebooks", "cli", "calibration"}
ALLOWED = {
    "score_analysis": set(),
    "settings": set(),
    "i18n": set(),
    "files": {"i18n"},
    "parameters": {"settings"},
    "data": {"settings", "i18n", "files"},
    "stats": {"data", "settings"},
    "report": {"data", "stats", "settings", "i18n", "files", "calibration"},
    "appendix": EVERYTHING - {"build", "cli", "appendix"},
    "calibration": {"data", "stats", "settings", "i18n", "files"},
    "build": EVERYTHING - {"cli", "build"},
    "notebooks": set(),
    "cli": EVERYTHING - {"cli"},
}
#: Libraries the pages never load (docs/architecture.md: nothing is estimated at page time).
STATISTICS_STACK = ("scipy", "statsmodels")


def _modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its ``__init__``)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(module: str) -> set[str]:
    """The package's modules that ``module`` imports (anywhere in its source)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = _resolve(module, node, path.name == "__init__.py")
            for alias in node.names:
                full = f"{target}.{alias.name}"
                out.add(full if full in MODULES else target)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in MODULES)
    return {m for m in out if m in MODULES and m != module}


GRAPH = {m: _imports(m) for m in MODULES}


def room(module: str) -> str:
    """The room of a module: its subpackage, or the top-level module itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_every_module_imports():
    for info in pkgutil.walk_packages(score_analysis.__path__, "score_analysis."):
        importlib.import_module(info.name)
    assert "score_analysis.build.runner" in MODULES and "score_analysis.appendix.checks" in MODULES


def test_every_room_imports_only_what_it_may():
    wrong = sorted(f"{m} imports {d} ({room(m)} may not import {room(d)})"
                   for m, deps in GRAPH.items() for d in deps
                   if room(d) != room(m) and room(d) not in ALLOWED[room(m)])
    assert wrong == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle():
    # a module may use its own package's __init__ (the package's public names) without that
    # making a cycle of the package's modules
    graph = {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in GRAPH.items()}
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_is_over_about_600_lines():
    long = {m: n for m, p in MODULES.items()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, "split these along their seams into a package"


def _private_imports(path: Path, module: str | None) -> list[str]:
    """``from score_analysis.X import _name`` where X is not ``module``'s own package, and
    ``alias._name`` on an imported score_analysis module (dunders aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = module.rsplit(".", 1)[0] if module and module.count(".") else module
    aliases: dict[str, str] = {}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = (_resolve(module, node, path.name == "__init__.py") if module
                      else node.module or "")
            if not target.startswith("score_analysis"):
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if full in MODULES:
                    aliases[alias.asname or alias.name] = full
                elif alias.name.startswith("_") and not alias.name.startswith("__"):
                    if own is None or not target.startswith(own):
                        found.append(f"{path.name}: from {target} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("score_analysis") and alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in aliases and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            target = aliases[node.value.id]
            if own is None or not target.startswith(own):
                found.append(f"{path.name}: {node.value.id}.{node.attr} ({target})")
    return found


def test_no_private_name_is_used_outside_its_package():
    found = []
    for module, path in MODULES.items():
        found += _private_imports(path, module)
    for folder in ("tests", "benchmarks"):
        for path in sorted((ROOT / folder).glob("*.py")):
            found += _private_imports(path, None)
    assert sorted(found) == []


def test_the_build_package_exports_no_private_name():
    from score_analysis import build

    assert [n for n in build.__all__ if n.startswith("_")] == []


def test_the_pages_load_no_statistics_library():
    """Importing every page module, as a report notebook does, loads neither scipy nor
    statsmodels (docs/architecture.md: the pages only select, word and draw)."""
    modules = sorted(m for m in MODULES if room(m) in ("report", "parameters"))
    script = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
              + f"print(sorted(m for m in {STATISTICS_STACK!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("notebook", ["enterprise_report", "synthesis",
                                      "enterprise_appendix", "synthesis_appendix"])
def test_every_notebook_is_package_data_on_the_project_kernel(notebook):
    import nbformat

    from score_analysis import build

    path = build.packaged_notebooks() / f"{notebook}.ipynb"
    assert path.resolve() == (ROOT / "notebooks" / f"{notebook}.ipynb").resolve()  # one copy
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == build.KERNEL_NAME == "score-analysis"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_the_kernel_is_this_interpreter():
    from score_analysis import build

    spec = build.kernel_spec()
    assert spec.name == "score-analysis" and spec.argv[0] == "python"  # sys.executable
    assert spec.argv[-2:] == ["-f", "{connection_file}"]
