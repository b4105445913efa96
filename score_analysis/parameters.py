"""The parameters of the package's notebooks: which names each notebook takes, and the
check that refuses any other.

papermill only warns about a parameter that a notebook does not declare (``Passed unknown
parameter``) and runs the notebook with it ignored; the notebooks here call
:func:`check` first, so that ``papermill ... -p phase_in 6`` (a misspelt
``phase_in_months``) is an error naming the parameters the notebook takes.  The pipeline
checks its own parameters against :data:`NOTEBOOK_PARAMETERS` before it runs a notebook,
and a test checks that the table matches each notebook's parameters cell.

The appendix notebooks take every analysis setting
(:class:`~score_analysis.settings.AnalysisSettings`) as a parameter of its own name;
:func:`settings_from` turns them into a settings object.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import fields

from .settings import AnalysisSettings

#: The names of the analysis settings, each a parameter of the appendix notebooks.
SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(AnalysisSettings))

#: The parameters of each notebook (by its file name without ``.ipynb``).
NOTEBOOK_PARAMETERS: dict[str, tuple[str, ...]] = {
    "enterprise_report": ("enterprise_id", "processed_dir", "language", "appendix"),
    "synthesis": ("processed_dir", "language", "missing_pages"),
    "enterprise_appendix": ("enterprise_id", "data_dir", "processed_dir", "check",
                            *SETTING_NAMES),
    "synthesis_appendix": ("processed_dir", "check", *SETTING_NAMES),
}

#: Names a Jupyter kernel defines in every notebook's namespace.
KERNEL_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})


def unknown(names, notebook: str) -> list[str]:
    """The names among ``names`` that ``notebook`` does not take, sorted.

    Raises
    ------
    ValueError
        ``notebook`` is not one of the package's notebooks.
    """
    if notebook not in NOTEBOOK_PARAMETERS:
        raise ValueError(f"unknown notebook {notebook!r}; known: "
                         f"{', '.join(sorted(NOTEBOOK_PARAMETERS))}")
    return sorted(set(names) - set(NOTEBOOK_PARAMETERS[notebook]))


def check(namespace: Mapping[str, object], notebook: str) -> None:
    """Refuse a parameter that ``notebook`` does not take (called by the notebook right after
    its parameters cell, with ``globals()``).

    Every public name of ``namespace`` that holds a value (not a module, function or
    class, and not one of the kernel's own) must be a parameter of the notebook.

    Raises
    ------
    ValueError
        Naming the unknown parameters and those the notebook takes.
    """
    values = [name for name, value in namespace.items()
              if not name.startswith("_") and name not in KERNEL_NAMES
              and not isinstance(value, types.ModuleType | types.FunctionType | type)]
    extra = unknown(values, notebook)
    if extra:
        raise ValueError(f"unknown parameter(s) {', '.join(extra)}: {notebook} takes "
                         f"{', '.join(NOTEBOOK_PARAMETERS[notebook])}")


def settings_from(namespace: Mapping[str, object]) -> AnalysisSettings:
    """The analysis settings given as notebook parameters (one per setting).

    Raises
    ------
    ValueError
        A setting is missing or has a value of the wrong type (the message names it).
    """
    missing = [name for name in SETTING_NAMES if name not in namespace]
    if missing:
        raise ValueError(f"the notebook parameters lack the setting(s) {', '.join(missing)}")
    return AnalysisSettings.from_mapping({name: namespace[name] for name in SETTING_NAMES},
                                         source="notebook parameters")
