"""Content keys: what a run, an enterprise's analysis and a report depend on, and the
analysis cache kept next to the processed tables.

The no-op check (:func:`run_key`) stays free of the scientific stack."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import __version__
from .options import APPENDIX_NOTEBOOKS, REPORT_NOTEBOOKS, Options

#: In the processed directory: which enterprise keys the cached results hold.
ANALYSIS_CACHE = "analysis_cache.json"

#: The processed tables that hold per-enterprise analysis results, reused when an
#: enterprise's key is unchanged.
CACHED_TABLES = ("results", "kpi_lines", "survey_reliability", "survey_attrition")

#: The files of the package that make up its behaviour: code, templates, stylesheets and
#: the translation catalogs (an edited translation changes the pages; the compiled ``.mo``
#: files are made from the ``.po`` files).
FINGERPRINTED = (".py", ".css", ".j2", ".html", ".po", ".json")


def sha(*parts: object) -> str:
    """SHA-256 of JSON-serialised ``parts`` (keys sorted; one separator between parts)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(json.dumps(p, sort_keys=True, default=str).encode())
        h.update(b"\0")
    return h.hexdigest()


def package_dir() -> Path:
    """The installed (or checked-out) ``score_analysis`` folder."""
    return Path(__file__).resolve().parent.parent


def code_fingerprint() -> str:
    """Hash of the package's version and of its source files, templates and translation
    catalogs (:data:`FINGERPRINTED`): any change to them rebuilds."""
    h = hashlib.sha256(__version__.encode())
    pkg = package_dir()
    for p in sorted(pkg.rglob("*")):
        if (p.is_file() and p.suffix in FINGERPRINTED and "__pycache__" not in p.parts
                and not p.name.startswith(".")):
            h.update(p.relative_to(pkg).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def raw_files(data_dir: Path) -> list[Path]:
    """The input files of a data directory (or the workbook itself)."""
    if data_dir.is_file():
        return [data_dir]
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.iterdir()
                  if p.is_file() and p.suffix.lower() in (".csv", ".xlsx", ".xlsm"))


def file_hash(path: Path) -> str | None:
    """SHA-256 of a file (``None`` when it does not exist), without importing pandas.

    The same digest as :func:`score_analysis.files.sha256_file`; kept here so that the
    no-op check of a run stays free of the scientific stack.
    """
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except (FileNotFoundError, IsADirectoryError):
        return None


def notebook_hashes(options: Options) -> dict[str, str | None]:
    """The hash of every notebook the run uses (the appendix notebooks when it builds the
    appendices)."""
    names = REPORT_NOTEBOOKS + (APPENDIX_NOTEBOOKS if options.appendices else ())
    return {n: file_hash(options.notebooks_dir / n) for n in names}


def run_key(options: Options) -> str:
    """Hash of everything a whole run depends on, computed without pandas.

    The raw files' bytes, the notebooks, the code fingerprint, the settings and languages,
    the enterprise selection, the processed directory and whether the appendices are
    built: when it equals the previous manifest's ``run_key`` (and every output exists),
    the run has nothing to do.  ``options`` must be :meth:`~Options.resolved`.
    """
    files = {p.name: file_hash(p) for p in raw_files(options.data_dir)}
    return sha(files, notebook_hashes(options), code_fingerprint(), options.key_parameters(),
               sorted(options.enterprises), str(options.processed_dir),
               *(["appendices"] if options.appendices else []))


def enterprise_slices(tables: dict) -> dict[str, str]:
    """Content hash of each enterprise's rows across all cleaned tables (+ codebook)."""
    import pandas as pd

    ents = tables["enterprises"]
    keys: dict[str, hashlib._Hash] = {e: hashlib.sha256() for e in ents["enterprise_id"]}
    codebook = tables.get("survey_items")
    shared = (pd.util.hash_pandas_object(codebook, index=False).to_numpy().tobytes()
              if codebook is not None else b"")
    for name in sorted(tables):
        frame = tables[name]
        if "enterprise_id" not in frame.columns or frame.empty:
            continue
        hashed = pd.util.hash_pandas_object(frame.astype(str), index=False)
        for eid, part in hashed.groupby(frame["enterprise_id"].to_numpy(), sort=True):
            if eid in keys:
                keys[eid].update(name.encode())
                keys[eid].update(part.to_numpy().tobytes())
    return {e: sha(h.hexdigest(), hashlib.sha256(shared).hexdigest()) for e, h in keys.items()}


def with_comparison(data_slice: str | None, comparison: list[str | None]) -> str | None:
    """The slice of an enterprise together with the slices of its comparison pool
    (docs/analysis_plan.md §3.10): a changed comparison series changes it.  Without a
    pool, the enterprise's own slice unchanged."""
    if not comparison:
        return data_slice
    return sha(data_slice, list(comparison))


def analysis_key(data_slice: str | None, *, code: str, settings: dict) -> str:
    """The content key of one enterprise's analysis: its slice of the cleaned data (with its
    comparison pool's, :func:`with_comparison`), the code and the analysis settings
    (:meth:`AnalysisSettings.as_dict`)."""
    return sha(data_slice, code, settings)


def report_key(data_slice: str, enterprise_id: str, *, notebook: str | None, code: str,
               parameters: dict) -> str:
    """The content key of one enterprise report: its slice of the cleaned data, the
    notebook, the code fingerprint and the parameters (:meth:`Options.key_parameters`).
    The report is rebuilt exactly when this key changes (or its page is missing, or it
    failed)."""
    return sha(data_slice, notebook, code, parameters, enterprise_id)


def is_fresh(old: dict, key: str, page: Path) -> bool:
    """Whether the previous build of a page (its manifest entry ``old``) can be kept."""
    return old.get("key") == key and old.get("status") == "ok" and page.exists()


def write_analysis_cache(directory: Path, keys: dict[str, str]) -> None:
    """Record which enterprise keys the results in ``directory`` hold, with the files' hashes.

    The cache lives with the files it describes (not in the reports' manifest):
    a run stopped after moving the processed tables but before the reports
    would otherwise pair new results with the previous keys.
    """
    from ..files import sha256_file, write_json

    write_json({"analysis_keys": keys,
                "files": {n: sha256_file(directory / f"{n}.parquet") for n in CACHED_TABLES}},
               directory / ANALYSIS_CACHE)


def previous_analysis(processed: Path) -> dict:
    """The previous run's per-enterprise results, when the files are intact and are those
    the cache describes (else nothing is reused): ``analysis_keys`` and one frame per
    :data:`CACHED_TABLES`."""
    import pandas as pd

    from ..files import read_json, sha256_file

    cache = read_json(processed / ANALYSIS_CACHE)
    if not isinstance(cache, dict) or not isinstance(cache.get("files"), dict):
        return {}
    out = {"analysis_keys": cache.get("analysis_keys", {})}
    for name in CACHED_TABLES:
        path = processed / f"{name}.parquet"
        try:
            if sha256_file(path) != cache["files"].get(name):
                return {}
            out[name] = pd.read_parquet(path)
        except Exception:  # missing or damaged: recompute
            return {}
    return out
