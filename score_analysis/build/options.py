"""Paths, options, the errors a run raises and what a run reports back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


DEFAULT_DATA = REPO_ROOT / "data" / "raw"


DEFAULT_PROCESSED = REPO_ROOT / "data" / "processed"


DEFAULT_REPORTS = REPO_ROOT / "reports"


DEFAULT_NOTEBOOKS = REPO_ROOT / "notebooks"


ENTERPRISE_NOTEBOOK = "enterprise_report.ipynb"


SYNTHESIS_NOTEBOOK = "synthesis.ipynb"


MANIFEST = "manifest.json"


#: Marks a staging tree as complete: an interrupted move into place is finished later.
COMPLETE = ".complete"


SCHEMA = 1


_ID = re.compile(r"^[a-z0-9_-]{1,40}$")


PACKAGES = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "pandera", "pyarrow",
            "openpyxl", "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel")


class InvalidInput(Exception):
    """The input data broke the contract; ``findings`` says where."""

    def __init__(self, findings: list) -> None:
        super().__init__(f"{len(findings)} problem(s) in the input data")
        self.findings = findings


class UsageError(Exception):
    """The command was asked for something it cannot do (exit code 2)."""


@dataclass(frozen=True)
class Options:
    """Everything a run depends on besides the data and the code."""

    data_dir: Path = DEFAULT_DATA
    reports_dir: Path = DEFAULT_REPORTS
    processed_dir: Path = DEFAULT_PROCESSED
    notebooks_dir: Path = DEFAULT_NOTEBOOKS
    jobs: int = 0  # 0 = number of CPUs
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

    def analysis_parameters(self) -> dict:
        """The options that change numbers (part of every cache key)."""
        return {"analysis_plan": 2}


@dataclass
class ReportOutcome:
    """What happened to one report in a run."""

    key: str
    kind: str  # "enterprise" or "synthesis"
    status: str  # "ok", "failed" or "unchanged"
    path: str
    title: str
    duration_s: float = 0.0
    error: str | None = None
    notebook: str | None = None
    log: str | None = None
    where: str = "local"  # "local" or the address of the Dask worker that built it


@dataclass
class Summary:
    """The outcome of a run, for the one-line summary and the exit code."""

    built: int = 0
    unchanged: int = 0
    failed: int = 0
    nothing_changed: bool = False
    warnings: int = 0
    duration_s: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def line(self) -> str:
        if self.nothing_changed:
            return (f"Nothing changed since the last run: {self.unchanged} report(s) up to date "
                    f"({self.duration_s:.1f} s).")
        text = (f"{self.built} report(s) built, {self.unchanged} unchanged, {self.failed} "
                f"failed, {self.warnings} data warning(s) in {self.duration_s:.1f} s.")
        if self.failures:
            text += " Failed: " + ", ".join(self.failures) + "."
        return text


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


def notebook_parameters(enterprise_id: str | None, processed_dir: Path,
                        reports_dir: Path) -> dict:
    """The typed, validated parameters passed to a notebook (never string-built code)."""
    if enterprise_id is not None and not _ID.fullmatch(enterprise_id):
        raise UsageError(f"invalid enterprise id {enterprise_id!r}")
    params = {"processed_dir": str(processed_dir.resolve()),
              "reports_dir": str(reports_dir.resolve())}
    if enterprise_id is not None:
        params["enterprise_id"] = enterprise_id
    return params
