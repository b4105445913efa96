"""Writing and reading the program's own files: atomic writes, hashes, and where a
relative default path is.

Writers are atomic: they write to a temporary file beside the target and rename it
into place, so an interrupted run never leaves a half-written file.  The input data
are read by :mod:`score_analysis.data.readers`; every other module that touches the
disk does so through the functions here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .i18n import gettext as _

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------- hashing


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, as hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_files(paths: list[Path]) -> str:
    """One SHA-256 over several files' names and bytes (order-independent)."""
    h = hashlib.sha256()
    for p in sorted(paths, key=lambda p: p.as_posix()):
        h.update(p.as_posix().encode())
        h.update(sha256_file(p).encode())
    return h.hexdigest()


# --------------------------------------------------------------------------- writing


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it into place on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); give it the mode a normal write would
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(text: str, target: str | os.PathLike) -> None:
    """Write UTF-8 text atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(obj: object, target: str | os.PathLike) -> None:
    """Write JSON atomically (sorted keys, so equal content gives equal bytes)."""
    write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", target)


def read_json(path: str | os.PathLike) -> dict | None:
    """Read a JSON file, or ``None`` when it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def safe_csv_text(value: object) -> object:
    """Neutralise a text cell that a spreadsheet would run as a formula (docs/data_contract.md,
    Safety)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(frame: pd.DataFrame, target: str | os.PathLike) -> None:
    """Write a table as CSV atomically: text cells made formula-safe, numbers at full
    precision (``repr`` round-trip), UTF-8, ``\\n`` line ends."""
    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(safe_csv_text)
    with atomic_path(target) as tmp:
        out.to_csv(tmp, index=False, lineterminator="\n", float_format="%.17g")


def write_workbook(book, target: str | os.PathLike) -> None:
    """Save an :class:`openpyxl.Workbook` atomically."""
    with atomic_path(target) as tmp:
        book.save(tmp)


def write_parquet(frame: pd.DataFrame, target: str | os.PathLike) -> None:
    """Write a table as Parquet atomically."""
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, index=False)


def read_parquet(path: str | os.PathLike, enterprise_id: str | None = None) -> pd.DataFrame:
    """Read a processed table, optionally only one enterprise's rows."""
    filters = [("enterprise_id", "==", enterprise_id)] if enterprise_id else None
    return pd.read_parquet(path, filters=filters)


def read_csv(path: str | os.PathLike) -> pd.DataFrame:
    """Read a table this program wrote (results, pooled, quality log)."""
    return pd.read_csv(path, keep_default_na=True)


def write_tables_csv(tables: dict[str, pd.DataFrame], out_dir: str | os.PathLike) -> list[Path]:
    """Write contract tables as ``<name>.csv`` files (used for demonstration data)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        target = out_dir / f"{name}.csv"
        with atomic_path(target) as tmp:
            frame.to_csv(tmp, index=False, lineterminator="\n")
        written.append(target)
    return written


def replace_tree(staging: Path, target: Path, *, last: tuple[str, ...] = (),
                 skip: tuple[str, ...] = ()) -> None:
    """Move every file of ``staging`` into ``target`` (same relative paths), each by an
    atomic rename, then remove ``staging``.

    Files named in ``last`` (at the top of ``staging``) are moved after all
    others, in that order; files named in ``skip`` stay and go with ``staging``.
    Safe to repeat on what an interrupted call left.
    """
    firsts = [p for p in sorted(staging.rglob("*"))
              if p.is_file() and p.relative_to(staging).as_posix() not in last + skip]
    for src in firsts + [staging / name for name in last if (staging / name).is_file()]:
        dst = target / src.relative_to(staging)
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
    shutil.rmtree(staging, ignore_errors=True)


def checkout_root() -> Path | None:
    """The repository this package is run from (the folder holding ``pyproject.toml`` beside
    the package), or ``None`` for an installed package."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def resolve_repo_path(path: str | os.PathLike, *, must_exist: bool = True) -> Path:
    """Where a relative default path such as a notebook's ``"data/processed"`` is: in
    the working directory, else beside a working directory named ``notebooks`` (so that
    a notebook opened in JupyterLab from ``notebooks/`` finds ``data/processed``), else in
    the repository of a checkout or beside its ``notebooks/`` (so that ``"../data/raw"``
    works too), whichever exists first.  So a notebook runs from the project's folder
    (``papermill notebooks/x.ipynb …``) and from ``notebooks/`` with the same defaults.
    An absolute path is returned as it is.

    Parameters
    ----------
    path
        The path as given.
    must_exist
        When true (for inputs), a path found nowhere raises; when false (for outputs to
        be written), it is placed in the repository of a checkout, else in the working
        directory.

    Raises
    ------
    FileNotFoundError
        When ``must_exist`` and the path is in none of these places; the message names
        the path and the places looked in.
    """
    given = Path(path)
    if given.is_absolute():
        return given
    cwd = Path.cwd()
    places = [cwd]
    if cwd.name == "notebooks":
        places.append(cwd.parent)
    root = checkout_root()
    if root is not None:
        places += [root, root / "notebooks"]
    if given.exists():  # in the working directory: as given
        return given
    for place in places[1:]:
        candidate = place / given
        if candidate.exists():
            return candidate.resolve()
    if not must_exist:
        return ((root or cwd) / given).resolve()
    raise FileNotFoundError(
        _("{path} was not found in the working directory ({cwd}) nor in {places}: run "
          "'score-analysis run' first, or give the path").format(
            path=given, cwd=cwd, places=", ".join(str(p) for p in places[1:]) or "-"))
