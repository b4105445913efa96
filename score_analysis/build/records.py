"""What a run reports back: the outcome of every page, the manifest's entries, the summary.

Typed records, never loose dicts: :class:`ReportOutcome` (what happened to one page in
this run), :class:`ManifestEntry` (what ``manifest.json`` keeps about it) and
:class:`Summary` (the one-line summary and the exit code).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal, get_args

#: The kinds of page a run builds.
ReportKind = Literal["enterprise", "synthesis", "appendix"]
#: What happened to a page in a run: built (``ok`` or ``failed``), kept from the previous
#: run (``unchanged``), or not selected and never built (``not built``: not listed).
ReportStatus = Literal["ok", "failed", "unchanged", "not built"]

REPORT_KINDS: tuple[str, ...] = get_args(ReportKind)
REPORT_STATUSES: tuple[str, ...] = get_args(ReportStatus)


@dataclass(frozen=True)
class ReportOutcome:
    """What happened to one page in a run (paths relative to the reports directory once
    the page is staged)."""

    key: str
    kind: ReportKind
    status: ReportStatus
    path: str
    title: str
    duration_s: float = 0.0
    error: str | None = None
    notebook: str | None = None
    log: str | None = None
    #: ``local`` or the address of the Dask worker that built it
    where: str = "local"

    def __post_init__(self) -> None:
        if self.kind not in REPORT_KINDS:
            raise ValueError(f"unknown report kind {self.kind!r}")
        if self.status not in REPORT_STATUSES:
            raise ValueError(f"unknown report status {self.status!r}")

    @property
    def built(self) -> bool:
        """Whether this run built the page (successfully or into a failed page)."""
        return self.status in ("ok", "failed")

    def replace(self, **changes) -> ReportOutcome:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class ManifestEntry:
    """What ``manifest.json`` records about one page: where it is, how it went, the content
    key it was built from, when, where, and from which executed notebook and log."""

    path: str
    status: ReportStatus
    key: str | None
    duration_s: float | None = None
    error: str | None = None
    notebook: str | None = None
    log: str | None = None
    built: str | None = None
    built_on: str | None = None
    title: str | None = None
    data_source: str | None = None
    headline: str | None = None
    parameters: dict | None = None

    @classmethod
    def of(cls, outcome: ReportOutcome, *, key: str, built: str, **extra) -> ManifestEntry:
        """The entry of a page this run built."""
        return cls(path=outcome.path, status=outcome.status, key=key,
                   duration_s=round(outcome.duration_s, 3), error=outcome.error,
                   notebook=outcome.notebook, log=outcome.log, built=built,
                   built_on=outcome.where, **extra)

    @classmethod
    def from_json(cls, entry: dict) -> ManifestEntry:
        """The entry as a previous manifest recorded it (unknown fields are dropped)."""
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in entry.items() if k in names}
        values.setdefault("path", "")
        values.setdefault("status", "unchanged")
        values.setdefault("key", None)
        return cls(**values)

    def as_json(self) -> dict:
        """The entry as written to ``manifest.json`` (fields never set are left out)."""
        return {k: v for k, v in dataclasses.asdict(self).items()
                if v is not None or k in ("key", "error", "notebook", "log", "built")}


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
