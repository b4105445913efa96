"""Staging and commit: the run lock, the atomic move of a complete staging tree into
place, the recovery of interrupted runs, and Ctrl-C held back while committing."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from .options import COMPLETE, MANIFEST, UsageError


@contextlib.contextmanager
def run_lock(reports_dir: Path) -> Iterator[None]:
    """Hold the run lock of ``reports_dir`` (``.lock`` in it) for the block.

    Through :mod:`filelock` (an OS lock on Unix and on Windows, released when
    the process dies); a second run on the same reports directory gets a
    :class:`UsageError` at once instead of waiting.
    """
    from filelock import FileLock, Timeout

    reports_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(reports_dir / ".lock", timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise UsageError(f"another run is writing to {reports_dir}; wait for it to "
                         f"finish") from exc
    try:
        yield
    finally:
        lock.release()


def move_reports(stage: Path, reports: Path) -> None:
    """Move a complete staging tree into place, each file by an atomic rename, the index
    and then the manifest last, and remove it.  Safe to repeat: after a crash, calling it
    again on what is left of the staging tree finishes the move (see :func:`recover`)."""
    from ..files import replace_tree

    replace_tree(stage, reports, last=("index.html", MANIFEST), skip=(COMPLETE,))


def interrupted_commit(reports: Path) -> bool:
    """Whether a run was stopped while moving its complete reports into place."""
    return reports.is_dir() and any(reports.glob(f".staging-*/{COMPLETE}"))


def recover(reports: Path, processed: Path) -> None:
    """Clean up after interrupted runs (called under the lock).

    A staging tree marked complete was stopped while being moved into place:
    the move is finished, so the reports are again one consistent set.  Any
    other staging tree is an unfinished build and is removed.
    """
    stages = sorted(reports.glob(".staging-*"), key=lambda p: p.stat().st_mtime)
    for stage in stages:
        if (stage / COMPLETE).exists():
            move_reports(stage, reports)
        else:
            shutil.rmtree(stage, ignore_errors=True)
    for stale in processed.glob(".staging-*") if processed.is_dir() else []:
        shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back until the block is done; then raise it."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt
