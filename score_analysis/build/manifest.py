"""The manifest (provenance of every report) and the provenance shown on the pages."""

from __future__ import annotations

import datetime as _dt
import json
import time
from pathlib import Path

from .. import __version__
from . import keys
from .executors import scheduler_address
from .options import PACKAGES, REPO_ROOT, SCHEMA, Options, notebook_parameters


def _read_manifest(path: Path) -> dict | None:
    """The previous run's manifest, or ``None`` when missing or unreadable."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _git_commit() -> str | None:
    """The commit the code was run from (with ``+dirty`` when tracked files were changed),
    or ``None`` outside a git checkout."""
    import subprocess

    try:
        head = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],
                              capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain",
                                "--untracked-files=no", "--", "score_analysis", "notebooks"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def _package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _provenance(options: Options, validated, code: str) -> dict:
    """What the reports show under "Provenance": inputs, versions, commit, parameters, date."""
    import platform

    return {
        "tool": {"name": "score-analysis", "version": __version__, "git_commit": _git_commit(),
                 "code_fingerprint": code},
        "python": platform.python_version(),
        "packages": _package_versions(),
        "inputs": validated.files,
        "parameters": {"data_dir": str(options.data_dir), **options.analysis_parameters()},
        "run_date": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
    }


def _manifest(options, validated, key, analysed, outcomes, report_keys, syn_outcome, syn_key,
              previous, now, started, ents, results) -> dict:
    import platform

    prev_reports = (previous or {}).get("reports", {})
    reports = {}
    for eid, o in sorted(outcomes.items()):
        if o.status == "not built":  # not selected, never built: no page to list or link
            continue
        rebuilt = o.status in ("ok", "failed")
        old = prev_reports.get(eid, {})
        reports[eid] = {
            "title": str(ents.at[eid, "name"]),
            "path": o.path,
            "status": o.status if rebuilt else old.get("status", o.status),
            "key": report_keys[eid] if rebuilt else old.get("key"),
            "duration_s": round(o.duration_s, 3) if rebuilt else old.get("duration_s"),
            "error": o.error if rebuilt else old.get("error"),
            "notebook": o.notebook if rebuilt else old.get("notebook"),
            "log": o.log if rebuilt else old.get("log"),
            "built": now if rebuilt else old.get("built"),
            "built_on": o.where if rebuilt else old.get("built_on"),
            "data_source": str(ents.at[eid, "data_source"]),
            "headline": _headline(results, eid) if eid not in analysed["failed"]
            else "Analysis failed.",
            "parameters": notebook_parameters(eid, options.processed_dir, options.reports_dir)
            | options.analysis_parameters(),
        }
    synthesis = (previous or {}).get("synthesis")
    if syn_outcome is not None:
        synthesis = {"path": syn_outcome.path, "status": syn_outcome.status, "key": syn_key,
                     "duration_s": round(syn_outcome.duration_s, 3), "error": syn_outcome.error,
                     "notebook": syn_outcome.notebook, "log": syn_outcome.log, "built": now,
                     "built_on": syn_outcome.where}
    return {
        "schema": SCHEMA,
        "tool": {"name": "score-analysis", "version": __version__, "git_commit": _git_commit(),
                 "code_fingerprint": keys.code_fingerprint()},
        "python": platform.python_version(),
        "packages": _package_versions(),
        "run_key": key,
        "run": {"finished": now, "duration_s": round(time.perf_counter() - started, 3),
                "parameters": {"data_dir": str(options.data_dir),
                               "processed_dir": str(options.processed_dir),
                               "reports_dir": str(options.reports_dir),
                               "enterprises": list(options.enterprises), "force": options.force,
                               "jobs": options.jobs, "scheduler": scheduler_address(options),
                               **options.analysis_parameters()}},
        "inputs": validated.files,
        "analysis_keys": analysed["analysis_keys"],
        "reports": reports,
        "synthesis": synthesis,
    }


def _all_ok(manifest: dict) -> bool:
    """Whether every report of a manifest was built (a failed one is retried)."""
    entries = [*manifest.get("reports", {}).values(), manifest.get("synthesis") or {},
               *manifest.get("appendices", {}).values()]
    return not any(e.get("status") == "failed" for e in entries)


def _outputs_exist(reports: Path, manifest: dict) -> bool:
    paths = [r.get("path") for r in manifest.get("reports", {}).values()]
    paths += ["index.html", "results.csv", "pooled.csv", "pooled_inputs.csv", "quality_log.csv"]
    paths += [a.get("path") for a in manifest.get("appendices", {}).values()]
    return all(p and (reports / p).exists() for p in paths)


def _headline(results, eid: str) -> str:
    from ..report import headline

    return headline(results[results["enterprise_id"] == eid])


def _sources(ents) -> str:
    values = sorted(set(ents["data_source"]))
    return ", ".join(values)
