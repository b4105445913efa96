"""What a run is asked to do (:class:`Options`), where things are, and the errors a run raises.

The default folders are relative to the working directory (``data/raw``,
``data/processed``, ``reports``): ``score-analysis run`` in a folder that holds
``data/raw`` builds ``reports/`` there, from a checkout or from an installed package.
The notebooks are the package's own (:func:`packaged_notebooks`; in a checkout that is
the top-level ``notebooks/`` folder).  :meth:`Options.resolved` makes every path
absolute once, at the start of a run.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from ..settings import PLAN, AnalysisSettings

DEFAULT_DATA = Path("data") / "raw"
DEFAULT_PROCESSED = Path("data") / "processed"
DEFAULT_REPORTS = Path("reports")

ENTERPRISE_NOTEBOOK = "enterprise_report.ipynb"
SYNTHESIS_NOTEBOOK = "synthesis.ipynb"
ENTERPRISE_APPENDIX = "enterprise_appendix.ipynb"
SYNTHESIS_APPENDIX = "synthesis_appendix.ipynb"
REPORT_NOTEBOOKS = (ENTERPRISE_NOTEBOOK, SYNTHESIS_NOTEBOOK)
APPENDIX_NOTEBOOKS = (ENTERPRISE_APPENDIX, SYNTHESIS_APPENDIX)

#: The Jupyter kernel every notebook names and the pipeline runs (this interpreter).
KERNEL_NAME = "score-analysis"

MANIFEST = "manifest.json"

#: Marks a staging tree as complete: an interrupted move into place is finished later.
COMPLETE = ".complete"

#: The version of the manifest's layout; a manifest of another version rebuilds everything.
SCHEMA = 2

_ID = re.compile(r"^[a-z0-9_-]{1,40}$")

#: The packages whose versions the provenance records.
PACKAGES = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "pandera", "pyarrow",
            "openpyxl", "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel")


class InvalidInput(Exception):
    """The input data broke the contract; ``findings`` says where."""

    def __init__(self, findings: list) -> None:
        super().__init__(f"{len(findings)} problem(s) in the input data")
        self.findings = findings


class UsageError(Exception):
    """The command was asked for something it cannot do (exit code 2)."""


def packaged_notebooks() -> Path:
    """The folder of the package's notebooks (``score_analysis.notebooks``: the top-level
    ``notebooks/`` of a checkout, mapped into the installed package)."""
    from importlib import resources

    folder = resources.files("score_analysis.notebooks")
    return Path(str(folder))


@dataclass(frozen=True)
class Options:
    """Everything a run depends on besides the data and the code.

    ``settings`` are the analysis choices (:class:`~score_analysis.settings.AnalysisSettings`,
    by default the shipped plan); they are part of every cache key and written whole into
    ``manifest.json``.
    """

    data_dir: Path = DEFAULT_DATA
    reports_dir: Path = DEFAULT_REPORTS
    processed_dir: Path = DEFAULT_PROCESSED
    #: the notebooks to run; ``None``: the package's own (:func:`packaged_notebooks`)
    notebooks_dir: Path | None = None
    jobs: int = 0  # 0 = number of CPUs
    #: the enterprises whose pages are built (every enterprise is still analysed)
    enterprises: tuple[str, ...] = ()
    force: bool = False
    #: the languages of the pages, the first the main one (English pages where they always
    #: were, the others mirrored under reports/<lang>/)
    languages: tuple[str, ...] = ("en", "id")
    appendices: bool = False  # the reviewer's appendix pages (the command line sets it)
    cell_timeout: int = 600
    progress: bool = True
    pdf: bool = True  # print the A4 PDFs (build.pdfs); --no-pdf skips them
    workshop: bool = True  # the final result workshop pack (build.workshop); --no-workshop
    scheduler: str | None = None  # a Dask scheduler (tcp://HOST:PORT); None = the local pool
    settings: AnalysisSettings = PLAN

    def resolved(self) -> Options:
        """These options with every path absolute (relative paths are taken from the working
        directory now) and the notebooks folder chosen."""
        notebooks = self.notebooks_dir if self.notebooks_dir is not None \
            else packaged_notebooks()
        return dataclasses.replace(
            self, data_dir=Path(self.data_dir).absolute(),
            reports_dir=Path(self.reports_dir).absolute(),
            processed_dir=Path(self.processed_dir).absolute(),
            notebooks_dir=Path(notebooks).absolute(), enterprises=tuple(self.enterprises),
            languages=tuple(self.languages))

    @property
    def project_dir(self) -> Path:
        """The folder the run's inputs and outputs have in common (the working directory of
        ``score-analysis run`` with the default folders): the notebooks run there and are
        given paths relative to it, so that no page shows where it was built."""
        import os

        return Path(os.path.commonpath([Path(self.data_dir).absolute(),
                                        Path(self.processed_dir).absolute(),
                                        Path(self.reports_dir).absolute()]))

    def key_parameters(self) -> dict:
        """The options that change the numbers or the pages (part of every cache key): the
        settings, the languages, and whether the pages link appendix pages."""
        return {"settings": self.settings.as_dict(), "languages": list(self.languages),
                "appendices": self.appendices}


def report_path(enterprise_id: str) -> str:
    """An enterprise's page, relative to the reports directory.

    The id is checked against the contract's pattern, so the path can never
    leave ``reports/enterprises/`` (no ``/``, ``..`` or spaces).
    """
    if not isinstance(enterprise_id, str) or not _ID.fullmatch(enterprise_id):
        raise UsageError(f"invalid enterprise id {enterprise_id!r}")
    return f"enterprises/{enterprise_id}.html"


def language_path(rel: str, lang: str) -> str:
    """Where the page ``rel`` (relative to the reports directory) is in ``lang``: English
    pages where they always were, the others mirrored under ``<lang>/``."""
    return rel if lang == "en" else f"{lang}/{rel}"


def relative_to(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` when it lies under it (POSIX form), else as it is."""
    path = Path(path)
    try:
        return path.relative_to(base).as_posix() or "."
    except ValueError:
        return str(path)


def notebook_parameters(enterprise_id: str | None, processed_dir: Path, *,
                        base: Path | None = None) -> dict:
    """The typed, validated parameters passed to a report notebook (never string-built code).

    The processed folder is given relative to ``base`` (the folder the notebook runs in)
    when it lies under it, else absolute.
    """
    if enterprise_id is not None and not _ID.fullmatch(enterprise_id):
        raise UsageError(f"invalid enterprise id {enterprise_id!r}")
    processed = Path(processed_dir).absolute()
    params = {"processed_dir": str(processed.resolve()) if base is None
              else relative_to(processed, base)}
    if enterprise_id is not None:
        params["enterprise_id"] = enterprise_id
    return params
