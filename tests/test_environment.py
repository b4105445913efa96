"""The pinned environment: constraints.txt, environment.yml and pyproject.toml agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            pins[_norm(name)] = version
    return pins


def _environment() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s+- ([A-Za-z0-9_.-]+)==([^\s#]+)\s*(#.*)?$", line)
        if m:
            pins[_norm(m.group(1))] = m.group(2)
    return pins


def _direct() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [d for ds in project["optional-dependencies"].values()
                                      for d in ds]
    return [_norm(re.split(r"[<>=!~\[; ]", d)[0]) for d in deps]


def test_every_direct_dependency_is_pinned_in_both_files():
    constraints, environment = _constraints(), _environment()
    for name in _direct():
        assert name in constraints, f"{name} is not pinned in constraints.txt"
        assert name in environment, f"{name} is missing from environment.yml"
        assert environment[name] == constraints[name], (
            f"{name}: environment.yml has {environment[name]}, constraints.txt "
            f"{constraints[name]}")


def test_environment_lists_nothing_beyond_the_constraints():
    constraints = _constraints()
    extra = set(_environment()) - set(constraints)
    assert extra == set()


def test_nbconvert_is_at_least_the_security_release():
    version = tuple(int(x) for x in _constraints()["nbconvert"].split(".")[:3])
    assert version >= (7, 17, 1)


def test_no_registry_address_in_dependency_files():
    for name in ("constraints.txt", "environment.yml", "pyproject.toml"):
        text = (ROOT / name).read_text()
        assert not re.search(r"https?://", text), f"{name} contains an address"


def test_installed_versions_match_the_pins():
    from importlib.metadata import version

    constraints = _constraints()
    for name in ("pandas", "numpy", "scipy", "statsmodels", "nbconvert", "pandera"):
        assert version(name) == constraints[name], name
