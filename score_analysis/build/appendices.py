"""The reviewer's appendix pages: one per enterprise and one for the synthesis.

Each appendix notebook (``enterprise_appendix.ipynb``, ``synthesis_appendix.ipynb``) is
executed like a report, in the same worker pool, after the reports, and converted with
its code visible (:func:`score_analysis.appendix.page.appendix_html`) into
``reports/appendix/<enterprise_id>.html`` and ``reports/appendix/synthesis.html``; the
executed notebooks go to ``reports/notebooks/appendix-<id>.ipynb``.  The pipeline runs
them with ``check = "fail"``: a recomputed number that differs from the stored one fails
the page.

Incremental: an appendix's key is its report's key (the enterprise's data, the code, the
settings) plus the appendix notebook's hash; a page whose key is unchanged and which
exists is not rebuilt.  The keys are kept in the manifest under ``appendices``.
Appendices are built when :attr:`Options.appendices` is set (the command line sets it).
On a Dask cluster the raw files the enterprise appendix recomputes from are shipped to
the workers with the processed tables.
"""

from __future__ import annotations

from pathlib import Path

from .keys import file_hash, sha
from .notebooks import NotebookJob
from .options import ENTERPRISE_APPENDIX, SYNTHESIS_APPENDIX, Options, relative_to
from .records import ManifestEntry, ReportOutcome

#: The manifest entry that holds the appendices' keys and outcomes.
MANIFEST_KEY = "appendices"
SYNTHESIS = "synthesis"


def appendix_page_path(key: str) -> str:
    """The page of an appendix, relative to the reports directory."""
    from ..appendix.page import appendix_path

    return appendix_path(None if key == SYNTHESIS else key)


def appendix_keys(options: Options, report_keys: dict[str, str], syn_key: str
                  ) -> dict[str, str]:
    """The content key of every appendix (empty when appendices are off or their
    notebooks are absent)."""
    if not options.appendices:
        return {}
    nb = options.notebooks_dir
    ent_hash, syn_hash = file_hash(nb / ENTERPRISE_APPENDIX), file_hash(nb / SYNTHESIS_APPENDIX)
    out = {}
    if ent_hash:
        out |= {eid: sha(key, ent_hash) for eid, key in report_keys.items()}
    if syn_hash:
        out[SYNTHESIS] = sha(syn_key, syn_hash)
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


def parameters(key: str, options: Options) -> dict:
    """The parameters of one appendix notebook: its enterprise, the folders (relative to the
    folder it runs in), the check mode of the pipeline (``fail``) and every setting."""
    base = options.project_dir
    params = {"processed_dir": relative_to(options.processed_dir, base), "check": "fail",
              **options.settings.as_dict()}
    if key != SYNTHESIS:
        params = {"enterprise_id": key, "data_dir": relative_to(options.data_dir, base),
                  **params}
    return params


def jobs(keys: list[str], options: Options, stage: Path, ents) -> list[NotebookJob]:
    """The notebook jobs of the appendices ``keys``, every output staged under ``stage``;
    ``ents`` is the enterprises table (names and data sources)."""
    nb = options.notebooks_dir
    names = dict(zip(ents["enterprise_id"], ents["name"].astype(str), strict=True))
    sources = dict(zip(ents["enterprise_id"], ents["data_source"].astype(str), strict=True))
    out = []
    for key in keys:
        synthesis = key == SYNTHESIS
        notebook = nb / (SYNTHESIS_APPENDIX if synthesis else ENTERPRISE_APPENDIX)
        title = ("SCORE Module 1 — synthesis appendix" if synthesis
                 else f"{names.get(key, key)} — appendix")
        simulated = ("simulated" in sources.values() if synthesis
                     else sources.get(key) == "simulated")
        out.append(NotebookJob(
            key=f"appendix-{key}", kind="appendix", title=title,
            notebook=str(notebook.resolve()),
            executed=str((stage / "notebooks" / f"appendix-{key}.ipynb").resolve()),
            html=str((stage / appendix_page_path(key)).resolve()),
            parameters=parameters(key, options), cwd=str(options.project_dir),
            cell_timeout=options.cell_timeout,
            log=str((stage / "logs" / f"appendix-{key}.log").resolve()),
            settings=options.settings, simulated=simulated,
            report_href="../synthesis.html" if synthesis else f"../enterprises/{key}.html"))
    return out


def index_entries(manifest: dict, ents, *, lang: str = "en") -> list[dict]:
    """Rows of the index in ``lang`` for the appendix pages of ``manifest`` (after the
    reports): title, status, data source, date and what the page holds.  The appendix pages
    are in English: another language's title says so."""
    from ..i18n import gettext as _
    from ..i18n import use_language

    rows = []
    with use_language(lang):
        for key, entry in sorted(manifest.get(MANIFEST_KEY, {}).items(),
                                 key=lambda kv: (kv[0] != SYNTHESIS, kv[0])):
            synthesis = key == SYNTHESIS
            name = _("Synthesis across enterprises") if synthesis else str(ents.at[key, "name"])
            source = (", ".join(sorted(set(map(str, ents["data_source"])))) if synthesis
                      else str(ents.at[key, "data_source"]))
            title = (_("Appendix: {name}") if lang == "en"
                     else _("Appendix (in English): {name}")).format(name=name)
            rows.append({"path": entry["path"], "title": title,
                         "status": entry["status"], "data_source": source,
                         "built": entry.get("built") or "",
                         "headline": _("For reviewers: every number with its code, the "
                                       "models, their diagnostics and the risk of bias.")})
    return rows


def manifest_entries(keys: dict[str, str], outcomes: list[ReportOutcome],
                     previous: dict | None, now: str) -> dict[str, dict]:
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
        out[key] = ManifestEntry.of(o, key=value, built=now).as_json()
    return out
