"""The manifest (provenance of the run and of every page) and the provenance the pages show.

``manifest.json`` records the tool and its code fingerprint, the packages, the run's
options and its analysis settings whole (with the plan version and date, and the
settings that differ from the shipped plan), the input files' hashes, the analysis keys,
and one :class:`~.records.ManifestEntry` per page.  ``data/processed/provenance.json``
holds what the pages show under "Provenance" (no absolute path: a page does not depend
on where it was built).
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from pathlib import Path

from .. import __version__
from ..settings import AnalysisSettings
from . import keys
from .executors import scheduler_address
from .options import PACKAGES, SCHEMA, Options, notebook_parameters, relative_to
from .records import ManifestEntry, ReportOutcome


def read_manifest(path: Path) -> dict | None:
    """The previous run's manifest, or ``None`` when missing or unreadable."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def git_commit() -> str | None:
    """The commit the package was run from (with ``+dirty`` when tracked files of the
    package or the notebooks were changed), or ``None`` outside a git checkout."""
    import subprocess

    pkg = keys.package_dir()
    try:
        head = subprocess.run(["git", "-C", str(pkg), "rev-parse", "HEAD", "--show-toplevel"],
                              capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None
        commit, top = head.stdout.split()[:2]
        if not pkg.is_relative_to(Path(top)):
            return None
        dirty = subprocess.run(["git", "-C", top, "status", "--porcelain",
                                "--untracked-files=no", "--", pkg.name, "notebooks"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty.stdout.strip() else "")


def package_versions() -> dict[str, str]:
    """The installed version of each package of :data:`~.options.PACKAGES`."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def tool(code: str) -> dict:
    """The program that made the outputs: name, version, commit, code fingerprint."""
    return {"name": "score-analysis", "version": __version__, "git_commit": git_commit(),
            "code_fingerprint": code}


def settings_record(settings: AnalysisSettings) -> dict:
    """The analysis settings as recorded: every setting, the plan version and date,
    ``(setting, used, plan)`` for each setting that differs from the shipped plan, and the
    confirmatory family against the plan's (a changed family changes the adjusted p)."""
    from ..settings import PLAN

    used, plan = set(settings.confirmatory), set(PLAN.confirmatory)
    return {"settings": settings.as_dict(),
            "plan": {"version": settings.plan_version, "date": settings.plan_date},
            "exploratory": [{"setting": name, "used": used, "plan": plan}
                            for name, used, plan in settings.differences()],
            "confirmatory_family": {"changed": used != plan, "added": sorted(used - plan),
                                    "removed": sorted(plan - used)}}


def provenance(options: Options, validated, code: str, *, run_date: str) -> dict:
    """What the pages show under "Provenance": tool, Python, packages, input files, the
    data folder (relative to the run's folder), the plan and every setting, the date."""
    settings = options.settings
    return {
        "tool": tool(code),
        "python": platform.python_version(),
        "packages": package_versions(),
        "inputs": validated.files,
        "parameters": {"data_dir": relative_to(Path(options.data_dir), options.project_dir),
                       "plan_version": settings.plan_version,
                       "plan_date": settings.plan_date},
        "settings": settings.as_dict(),
        "run_date": run_date,
    }


def report_entries(outcomes: Mapping[str, ReportOutcome], *, report_keys: dict[str, str],
                   previous: dict | None, now: str, ents, headlines: dict[str, str],
                   options: Options) -> dict[str, dict]:
    """The ``reports`` of the manifest: one entry per enterprise page that exists after the
    run; a page this run did not build keeps its previous entry's record."""
    prev_reports = (previous or {}).get("reports", {})
    base = options.project_dir
    out = {}
    for eid, o in sorted(outcomes.items()):
        if o.status == "not built":  # not selected, never built: no page to list or link
            continue
        common = {"title": str(ents.at[eid, "name"]),
                  "data_source": str(ents.at[eid, "data_source"]),
                  "headline": headlines.get(eid, ""),
                  "parameters": notebook_parameters(eid, options.processed_dir, base=base)}
        if o.built:
            entry = ManifestEntry.of(o, key=report_keys[eid], built=now, **common)
        else:
            old = ManifestEntry.from_json(prev_reports.get(eid, {}))
            entry = ManifestEntry(path=o.path, status=old.status, key=old.key,
                                  duration_s=old.duration_s, error=old.error,
                                  notebook=old.notebook, log=old.log, built=old.built,
                                  built_on=old.built_on, **common)
        out[eid] = entry.as_json()
    return out


def synthesis_entry(outcome: ReportOutcome | None, *, key: str, previous: dict | None,
                    now: str) -> dict | None:
    """The ``synthesis`` of the manifest: this run's, else the previous run's."""
    if outcome is None:
        return (previous or {}).get("synthesis")
    return ManifestEntry.of(outcome, key=key, built=now).as_json()


def manifest(*, options: Options, run_key: str, code: str, inputs: dict,
             analysis_keys: dict[str, str], reports: dict[str, dict],
             synthesis: dict | None, finished: str, duration_s: float) -> dict:
    """The whole ``manifest.json`` of a run (the appendices are added by the caller)."""
    return {
        "schema": SCHEMA,
        "tool": tool(code),
        "python": platform.python_version(),
        "packages": package_versions(),
        "run_key": run_key,
        "run": {"finished": finished, "duration_s": round(duration_s, 3),
                "parameters": {"data_dir": str(options.data_dir),
                               "processed_dir": str(options.processed_dir),
                               "reports_dir": str(options.reports_dir),
                               "enterprises": list(options.enterprises), "force": options.force,
                               "jobs": options.jobs, "scheduler": scheduler_address(options),
                               "languages": list(options.languages),
                               "appendices": options.appendices, "pdf": options.pdf},
                **settings_record(options.settings)},
        "inputs": inputs,
        "analysis_keys": analysis_keys,
        "reports": reports,
        "synthesis": synthesis,
    }


def all_ok(manifest: dict) -> bool:
    """Whether every page of a manifest was built (a failed one is retried)."""
    entries = [*manifest.get("reports", {}).values(), manifest.get("synthesis") or {},
               *manifest.get("appendices", {}).values()]
    return not any(e.get("status") == "failed" for e in entries)


#: The tables every run writes beside the pages.
TABLES = ("results.csv", "pooled.csv", "pooled_inputs.csv", "quality_log.csv")


def outputs_exist(reports: Path, manifest: dict) -> bool:
    """Whether every page and table a manifest lists is there."""
    paths = [r.get("path") for r in manifest.get("reports", {}).values()]
    paths += ["index.html", *TABLES]
    paths += [a.get("path") for a in manifest.get("appendices", {}).values()]
    return all(p and (reports / p).exists() for p in paths)
