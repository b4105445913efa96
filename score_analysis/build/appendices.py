"""The reviewer's appendix pages: one per enterprise and one for the synthesis.

Each appendix notebook (``notebooks/enterprise_appendix.ipynb``,
``notebooks/synthesis_appendix.ipynb``) is executed like a report, in the same worker
pool, after the reports, and converted with its code visible
(:func:`score_analysis.appendix.page.appendix_html`) into
``reports/appendix/<enterprise_id>.html`` and ``reports/appendix/synthesis.html``; the
executed notebooks go to ``reports/notebooks/appendix-<id>.ipynb``.

Incremental: an appendix's key is its report's key (the enterprise's data, the code, the
parameters) plus the appendix notebook's hash; a page whose key is unchanged and which
exists is not rebuilt.  The keys are kept in the manifest under ``appendices``.
Appendices are built when :attr:`Options.appendices` is set (the command line sets it).
The enterprise appendix reads the raw data from ``data_dir``: on a Dask cluster its
workers must see that directory (the processed tables and notebooks are shipped).
"""

from __future__ import annotations

from pathlib import Path

from .keys import _file_hash, _sha
from .notebooks import NotebookJob
from .options import ReportOutcome

ENTERPRISE_APPENDIX = "enterprise_appendix.ipynb"
SYNTHESIS_APPENDIX = "synthesis_appendix.ipynb"
NOTEBOOKS = (ENTERPRISE_APPENDIX, SYNTHESIS_APPENDIX)
#: The manifest entry that holds the appendices' keys and outcomes.
MANIFEST_KEY = "appendices"
SYNTHESIS = "synthesis"


def appendix_page_path(key: str) -> str:
    """The page of an appendix, relative to the reports directory."""
    from ..appendix.page import appendix_path

    return appendix_path(None if key == SYNTHESIS else key)


def appendix_keys(options, report_keys: dict[str, str], syn_key: str) -> dict[str, str]:
    """The content key of every appendix (empty when appendices are off or their
    notebooks are absent)."""
    if not getattr(options, "appendices", False):
        return {}
    nb = options.notebooks_dir
    ent_hash, syn_hash = _file_hash(nb / ENTERPRISE_APPENDIX), _file_hash(nb / SYNTHESIS_APPENDIX)
    out = {}
    if ent_hash:
        out |= {eid: _sha(key, ent_hash) for eid, key in report_keys.items()}
    if syn_hash:
        out[SYNTHESIS] = _sha(syn_key, syn_hash)
    return out


def to_build(keys: dict[str, str], previous: dict | None, reports: Path, *, force: bool,
             selected: set[str]) -> list[str]:
    """The appendices whose key changed or whose page is missing (selected enterprises and
    the synthesis)."""
    old = (previous or {}).get(MANIFEST_KEY, {})
    out = []
    for key, value in keys.items():
        if key != SYNTHESIS and key not in selected:
            continue
        entry = old.get(key, {})
        fresh = (entry.get("key") == value and entry.get("status") == "ok"
                 and (reports / appendix_page_path(key)).exists())
        if force or not fresh:
            out.append(key)
    return out


def jobs(keys: list[str], options, stage: Path, titles: dict[str, str]) -> list[NotebookJob]:
    """The notebook jobs of the appendices ``keys``, every output staged under ``stage``."""
    nb = options.notebooks_dir
    out = []
    for key in keys:
        notebook = nb / (SYNTHESIS_APPENDIX if key == SYNTHESIS else ENTERPRISE_APPENDIX)
        params = {"data_dir": str(Path(options.data_dir).resolve()),
                  "processed_dir": str(Path(options.processed_dir).resolve())}
        if key != SYNTHESIS:
            params["enterprise_id"] = key
        title = (f"{titles.get(key, key)} — appendix" if key != SYNTHESIS
                 else "SCORE Module 1 — synthesis appendix")
        out.append(NotebookJob(
            key=f"appendix-{key}", kind="appendix", title=title,
            notebook=str(notebook.resolve()),
            executed=str((stage / "notebooks" / f"appendix-{key}.ipynb").resolve()),
            html=str((stage / appendix_page_path(key)).resolve()),
            parameters=params, cwd=str(nb.resolve()), cell_timeout=options.cell_timeout,
            log=str((stage / "logs" / f"appendix-{key}.log").resolve())))
    return out


def _simulated(job: NotebookJob) -> bool:
    """Whether the appendix shows simulated data (its enterprise's, or any for the
    synthesis), from the processed enterprises table."""
    import pandas as pd

    path = Path(job.parameters["processed_dir"]) / "enterprises.parquet"
    try:
        ents = pd.read_parquet(path, columns=["enterprise_id", "data_source"])
    except (OSError, ValueError):
        return False
    eid = job.parameters.get("enterprise_id")
    own = ents if eid is None else ents[ents["enterprise_id"] == eid]
    return bool((own["data_source"] == "simulated").any())


def appendix_page(job: NotebookJob) -> str:
    """The page of an executed appendix notebook, code visible (called by
    :func:`~.notebooks.execute_notebook` for a job of kind ``appendix``, in the worker)."""
    from ..appendix.page import appendix_html

    key = job.key.removeprefix("appendix-")
    report = "../synthesis.html" if key == SYNTHESIS else f"../enterprises/{key}.html"
    return appendix_html(job.executed, job.title, simulated=_simulated(job),
                         report_href=report)


def index_entries(manifest: dict, ents) -> list[dict]:
    """Rows of the index for the appendix pages of ``manifest`` (after the reports): title,
    status, data source, date and what the page holds."""
    rows = []
    for key, entry in sorted(manifest.get(MANIFEST_KEY, {}).items(),
                             key=lambda kv: (kv[0] != SYNTHESIS, kv[0])):
        synthesis = key == SYNTHESIS
        name = "Synthesis across enterprises" if synthesis else str(ents.at[key, "name"])
        source = (", ".join(sorted(set(map(str, ents["data_source"])))) if synthesis
                  else str(ents.at[key, "data_source"]))
        rows.append({"path": entry["path"], "title": f"Appendix: {name}",
                     "status": entry["status"], "data_source": source,
                     "built": entry.get("built") or "",
                     "headline": "For reviewers: every number with its code, the models, "
                                 "their diagnostics and the risk of bias."})
    return rows


def manifest_entries(keys: dict[str, str], outcomes: list[ReportOutcome],
                     previous: dict | None, now: str) -> dict:
    """The ``appendices`` entry of the manifest: per appendix its page, status, key,
    time, executed notebook and log; unchanged appendices keep their previous entry."""
    old = (previous or {}).get(MANIFEST_KEY, {})
    done = {o.key.removeprefix("appendix-"): o for o in outcomes}
    out = {}
    for key, value in keys.items():
        o = done.get(key)
        if o is None:
            if key in old:
                out[key] = old[key]
            continue
        out[key] = {"path": o.path, "status": o.status, "key": value,
                    "duration_s": round(o.duration_s, 3), "error": o.error,
                    "notebook": o.notebook, "log": o.log, "built": now}
    return out
